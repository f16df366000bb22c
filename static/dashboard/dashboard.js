// Staff live dashboard: subscribes over the shared socket and renders the per-second
// snapshot the server computes once per event (the page does no polling of its own).
(function () {
  "use strict";
  const root = document.querySelector(".dashboard");
  if (!root || !window.mmSocket) return;
  const eventId = root.dataset.eventId ? Number(root.dataset.eventId) : null;
  const regionLabels = JSON.parse(document.getElementById("region-labels").textContent);
  const fmt = new Intl.NumberFormat(document.documentElement.lang || "ko");
  // Times in the events' zone (KST), whichever zone the organizer's computer is set to.
  const timeZone = root.dataset.timeZone;

  function show(value, format) {
    if (value === null || value === undefined) return "—";
    if (format === "percent") return (value * 100).toFixed(1) + "%";
    return fmt.format(value);
  }

  // The server keeps the trend (one point per bucket, apps/dashboard/trends.py): the chart
  // covers the whole window from the first paint, then each snapshot updates its bucket.
  const trend = JSON.parse(document.getElementById("trend-data").textContent);
  const bucketMs = trend.bucket_s * 1000;
  const windowMs = trend.window_s * 1000;
  const SERIES = ["online", "queue", "messages_1m"];
  const liveChart = new Chart(document.getElementById("chart-live"), {
    type: "line",
    data: {
      datasets: SERIES.map(function (name, index) {
        return {
          label: [root.dataset.labelOnline, root.dataset.labelQueue, root.dataset.labelMessages][index],
          data: trend.points.map(function (point) { return { x: point.t, y: point[name] }; }),
          borderColor: ["#3b82f6", "#f59e0b", "#10b981"][index],
          pointRadius: 0,
          stepped: true,
          spanGaps: false,
          yAxisID: name === "messages_1m" ? "y2" : "y",
        };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      parsing: false,
      scales: {
        x: {
          type: "linear",
          min: trend.points[0].t,
          max: trend.points[trend.points.length - 1].t + bucketMs,
          title: { display: true, text: root.dataset.labelTime },
          ticks: {
            stepSize: 60000,
            callback: function (value) { return new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: timeZone }); },
          },
        },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: root.dataset.labelPeople } },
        y2: {
          beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 },
          title: { display: true, text: root.dataset.labelPerMinute },
        },
      },
    },
  });

  function appendTrend(frame) {
    const t = Math.floor(frame.ts / bucketMs) * bucketMs;
    const values = { online: frame.tiles.online, queue: frame.tiles.queue_total, messages_1m: frame.tiles.messages_1m };
    liveChart.data.datasets.forEach(function (dataset, index) {
      const data = dataset.data;
      const last = data.length ? data[data.length - 1].x : t - bucketMs;
      for (let gap = last + bucketMs; gap < t; gap += bucketMs) data.push({ x: gap, y: null });
      if (data.length && data[data.length - 1].x === t) data[data.length - 1].y = values[SERIES[index]];
      else if (t > last) data.push({ x: t, y: values[SERIES[index]] });
      while (data.length && data[0].x <= t - windowMs) data.shift();
    });
    liveChart.options.scales.x.min = t - windowMs + bucketMs;
    liveChart.options.scales.x.max = t + bucketMs;
  }
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
    appendTrend(frame);
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
    updated.textContent = new Date(frame.ts).toLocaleTimeString([], { timeZone: timeZone });
    updated.dataset.ts = String(frame.ts);
  });
})();
