// Staff live dashboard: subscribes over the shared socket and renders the per-second
// snapshot the server computes once per event (the page does no polling of its own).
(function () {
  "use strict";
  const root = document.querySelector(".dashboard");
  if (!root || !window.mmSocket) return;
  const eventId = root.dataset.eventId ? Number(root.dataset.eventId) : null;
  const regionLabels = JSON.parse(document.getElementById("region-labels").textContent);
  const HISTORY_POINTS = 300;
  const fmt = new Intl.NumberFormat(document.documentElement.lang || "ko");

  function show(value, format) {
    if (value === null || value === undefined) return "—";
    if (format === "percent") return (value * 100).toFixed(1) + "%";
    return fmt.format(value);
  }

  const liveChart = new Chart(document.getElementById("chart-live"), {
    type: "line",
    data: {
      labels: [],
      datasets: [
        { label: root.dataset.labelOnline, data: [], borderColor: "#3b82f6", pointRadius: 0, stepped: true },
        { label: root.dataset.labelQueue, data: [], borderColor: "#f59e0b", pointRadius: 0, stepped: true },
        { label: root.dataset.labelMessages, data: [], borderColor: "#10b981", pointRadius: 0, stepped: true, yAxisID: "y2" },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      scales: {
        x: { title: { display: true, text: root.dataset.labelTime } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: root.dataset.labelPeople } },
        y2: {
          beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
          title: { display: true, text: root.dataset.labelPerSecond },
        },
      },
    },
  });
  function renderTiles(tiles) {
    root.querySelectorAll("[data-tile]").forEach(function (el) {
      el.textContent = show(tiles[el.dataset.tile], el.dataset.format);
    });
  }

  function renderUniversities(rows) {
    const body = root.querySelector("[data-universities]");
    body.replaceChildren();
    if (!rows.length) {
      const tr = body.insertRow();
      const td = tr.insertCell();
      td.colSpan = 3;
      td.textContent = root.dataset.empty;
      return;
    }
    rows.forEach(function (row) {
      const tr = body.insertRow();
      tr.dataset.universityId = String(row.id);
      [row.name, fmt.format(row.online), fmt.format(row.connects_5m)].forEach(function (text) {
        tr.insertCell().textContent = text;
      });
    });
  }

  function renderCharts(frame) {
    const time = new Date(frame.ts).toLocaleTimeString();
    liveChart.data.labels.push(time);
    liveChart.data.datasets[0].data.push(frame.tiles.online);
    liveChart.data.datasets[1].data.push(frame.tiles.queue_total);
    liveChart.data.datasets[2].data.push(frame.tiles.messages_per_s);
    if (liveChart.data.labels.length > HISTORY_POINTS) {
      liveChart.data.labels.shift();
      liveChart.data.datasets.forEach(function (dataset) { dataset.data.shift(); });
    }
    liveChart.update("none");
  }

  // The map's shade is the region's share of the busiest region, in five steps (0 = nobody online);
  // the table beside it keeps the exact numbers readable.
  function renderRegions(rows) {
    const busiest = Math.max(1, ...rows.map(function (row) { return row.online; }));
    rows.forEach(function (row) {
      const level = row.online ? Math.max(1, Math.ceil((row.online / busiest) * 5)) : 0;
      const shade = "shade-" + level;
      const path = root.querySelector('[data-region="' + row.code + '"]');
      const line = root.querySelector('[data-region-row="' + row.code + '"]');
      if (!path || !line) return;
      path.setAttribute("class", "region " + shade);
      path.dataset.online = String(row.online);
      path.querySelector("title").textContent = regionLabels[row.code] + ": " + fmt.format(row.online);
      line.querySelector("[data-region-swatch]").className = "region-swatch " + shade;
      line.querySelector("[data-region-online]").textContent = fmt.format(row.online);
      line.querySelector("[data-region-connects]").textContent = fmt.format(row.connects_5m);
    });
  }

  window.mmSocket.onOpen(function () {
    window.mmSocket.send({ type: "dashboard.subscribe", event: eventId });
  });
  window.mmSocket.on("dashboard.snapshot", function (frame) {
    if (frame.event !== eventId) return;
    renderTiles(frame.tiles);
    renderUniversities(frame.universities);
    renderCharts(frame);
    renderRegions(frame.regions);
    const updated = root.querySelector("[data-updated]");
    updated.textContent = new Date(frame.ts).toLocaleTimeString();
    updated.dataset.ts = String(frame.ts);
  });
})();
