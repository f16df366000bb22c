// The post-event report's two charts, drawn from the same rows as its tables (json_script).
(function () {
  "use strict";
  const root = document.querySelector("[data-report]");
  if (!root || !window.Chart) return;
  const data = JSON.parse(document.getElementById("report-chart").textContent);
  const people = { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: root.dataset.labelPeople } };
  // On a phone a long university name would push the bars off the chart (and be cut at the
  // edge); it is shortened there, and the tooltip and the table below keep the whole name.
  const shortLabel = function (value) {
    const label = this.getLabelForValue(value);
    return window.innerWidth < 600 && label.length > 12 ? label.slice(0, 11) + "…" : label;
  };
  const rounds = document.getElementById("chart-report-rounds");
  if (rounds) {
    new Chart(rounds, {
      type: "bar",
      data: {
        labels: data.rounds.labels,
        datasets: [
          { label: root.dataset.labelPairs, data: data.rounds.pairs, backgroundColor: "#6366f1" },
          { label: root.dataset.labelMutual, data: data.rounds.mutual, backgroundColor: "#10b981" },
          { label: root.dataset.labelSitouts, data: data.rounds.sitouts, backgroundColor: "#f59e0b" },
        ],
      },
      options: { animation: false, responsive: true, scales: { y: people } },
    });
  }
  const universities = document.getElementById("chart-report-universities");
  if (universities) {
    new Chart(universities, {
      type: "bar",
      data: {
        labels: data.universities.labels,
        datasets: [
          { label: root.dataset.labelParticipants, data: data.universities.participants, backgroundColor: "#3b82f6" },
          { label: root.dataset.labelMatches, data: data.universities.matches, backgroundColor: "#ec4899" },
        ],
      },
      options: { animation: false, responsive: true, indexAxis: "y", scales: { x: people, y: { ticks: { callback: shortLabel } } } },
    });
  }
})();
