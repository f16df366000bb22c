// 24 h history from the per-minute aggregates the server rendered into the page.
(function () {
  "use strict";
  const root = document.querySelector(".dashboard-history");
  if (!root) return;
  const timeZone = root.dataset.timeZone; // KST, whichever zone the organizer's computer is set to
  const history = JSON.parse(document.getElementById("history-data").textContent);
  const colours = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b", "#ec4899"];

  function chart(canvasId, names, yTitle) {
    new Chart(document.getElementById(canvasId), {
      type: "line",
      data: {
        datasets: names.map(function (name, index) {
          return {
            label: root.dataset["label" + name.charAt(0).toUpperCase() + name.slice(1)] || root.getAttribute("data-label-" + name) || name,
            data: (history.series[name] || []).map(function (point) { return { x: point[0], y: point[1] }; }),
            borderColor: colours[index % colours.length],
            pointRadius: 0,
          };
        }),
      },
      options: {
        animation: false,
        parsing: false,
        // A wide, low chart on a desktop: 24 hours read left to right without scrolling.
        aspectRatio: window.innerWidth < 600 ? 1.4 : 3.2,
        scales: {
          x: {
            type: "linear", min: history.from, max: history.to,
            title: { display: true, text: root.dataset.labelTime },
            ticks: { stepSize: 3 * 3600 * 1000, callback: function (value) { return new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: timeZone }); } },
          },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: yTitle } },
        },
      },
    });
  }
  chart("chart-history-people", ["online", "queue_depth"], root.dataset.labelPeople);
  chart("chart-history-activity", ["matches_confirmed", "proposals", "messages", "ws_connects", "reports"], root.dataset.labelPerMinute);
})();
