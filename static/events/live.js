// Live panel of the public event page and of the embeddable widget: a countdown to the start,
// and the figures of the one cached public endpoint (data-widget-src), polled at its interval.
(function () {
  "use strict";
  const root = document.querySelector("[data-widget-src]");
  if (!root) return;
  let data = { state: root.dataset.state, starts_at: root.dataset.startsAt, refresh_s: 5 };

  function setField(name, value) {
    root.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = String(value);
    });
  }

  function countdownText(ms, daysFormat) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const days = Math.floor(total / 86400);
    const pad = function (n) { return String(n).padStart(2, "0"); };
    const clock = pad(Math.floor((total % 86400) / 3600)) + ":" + pad(Math.floor((total % 3600) / 60)) + ":" + pad(total % 60);
    return days > 0 ? (daysFormat || "{days} d").replace("{days}", String(days)) + " " + clock : clock;
  }

  function tick() {
    if (data.state !== "scheduled") return;
    root.querySelectorAll('[data-field="countdown"]').forEach(function (el) {
      el.textContent = countdownText(Date.parse(data.starts_at) - Date.now(), el.dataset.daysFormat);
    });
  }

  function render() {
    root.dataset.state = data.state;
    root.querySelectorAll("[data-countdown]").forEach(function (el) { el.hidden = data.state !== "scheduled"; });
    root.querySelectorAll("[data-live-only]").forEach(function (el) { el.hidden = data.state !== "live"; });
    const label = root.querySelector('[data-field="state"]');
    if (label && label.dataset["label" + data.state.charAt(0).toUpperCase() + data.state.slice(1)]) {
      label.textContent = label.dataset["label" + data.state.charAt(0).toUpperCase() + data.state.slice(1)];
    }
    if (data.online !== null && data.online !== undefined) setField("online", data.online);
    const gender = data.gender || { M: 0, F: 0 };
    setField("gender-M", gender.M || 0);
    setField("gender-F", gender.F || 0);
    const total = (gender.M || 0) + (gender.F || 0);
    root.querySelectorAll("[data-bar]").forEach(function (bar) {
      bar.style.width = total ? Math.round((100 * (gender[bar.dataset.bar] || 0)) / total) + "%" : "50%";
    });
    const list = root.querySelector("[data-announcements]");
    if (list && Array.isArray(data.announcements)) {
      list.replaceChildren.apply(list, data.announcements.map(function (item) {
        const li = document.createElement("li");
        li.textContent = item.body;
        return li;
      }));
    }
    tick();
  }

  function poll() {
    fetch(root.dataset.widgetSrc, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (fresh) {
        if (fresh) { data = fresh; render(); }
      })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, Math.max(1, data.refresh_s || 5) * 1000); });
  }

  tick();
  window.setInterval(tick, 1000);
  poll();
})();
