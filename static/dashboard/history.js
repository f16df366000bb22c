// 24 h history from the per-minute aggregates the server rendered into the page.
(function () {
  "use strict";
  const root = document.querySelector(".dashboard-history");
  if (!root) return;
  const history = JSON.parse(document.getElementById("history-data").textContent);
  const colours = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b", "#ec4899"];

  function chart(canvasId, names) {
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
        scales: {
          x: { type: "linear", min: history.from, max: history.to, ticks: { callback: function (value) { return new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); } } },
          y: { beginAtZero: true },
        },
      },
    });
  }
  chart("chart-history-people", ["online", "queue_depth"]);
  chart("chart-history-activity", ["matches_confirmed", "proposals", "messages", "ws_connects", "reports"]);
})();
