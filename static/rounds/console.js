// The organizer console of a rounds event: live state over the shared socket, a countdown that
// follows the server's clock, and the five buttons. Each press carries the round and version
// the console showed, so a press that someone else (or the clock) beat changes nothing.
// Frames: docs/protocol.md ("Organizer console").
(function () {
  "use strict";
  const root = document.querySelector("[data-console]");
  if (!root || !window.mmSocket) return;
  const socket = window.mmSocket;
  const eventId = Number(root.dataset.eventId);
  const $ = (selector) => root.querySelector(selector);
  const label = (name, values) =>
    (root.dataset["label" + name] || "").replace(/%\((\w+)\)s/g, (_, key) => String(values ? values[key] : ""));
  const capital = (word) => word.charAt(0).toUpperCase() + word.slice(1);
  const fmt = new Intl.NumberFormat(document.documentElement.lang || "ko");
  const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: root.dataset.timeZone });
  let state = null;
  let offsetMs = 0; // server clock minus this browser's clock

  function show(value, format) {
    if (value === null || value === undefined) return "—";
    if (format === "percent") return (value * 100).toFixed(1) + "%";
    return fmt.format(value);
  }

  function left(iso) {
    const seconds = Math.max(0, Math.ceil((Date.parse(iso) - (Date.now() + offsetMs)) / 1000));
    return { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, "0") };
  }

  function tick() {
    if (!state) return;
    const round = state.round;
    const box = $("[data-console-clock-box]");
    box.dataset.paused = round && round.paused ? "true" : "false";
    let text = "—";
    if (state.state === "ended") text = label("Ended");
    else if (round && round.paused && round.phase !== "done") text = label("Paused");
    else if (round && round.phase === "talking") text = label("Left", left(round.ends_at));
    else if (round && round.phase === "answering") text = label("BreakLeft", left(round.break_ends_at));
    else if (round) text = label("Done");
    $("[data-console-countdown]").textContent = text;
  }

  function renderLog(rows) {
    const body = $("[data-console-log]");
    body.replaceChildren();
    if (!rows.length) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 4;
      cell.textContent = label("NoLog");
      return;
    }
    rows.forEach((row) => {
      const tr = body.insertRow();
      const result = row.error ? label("Refused") + " (" + row.error + ")" : "✓";
      [clock(row.at), row.staff, label("Action" + capital(row.action)), result].forEach((text) => {
        tr.insertCell().textContent = text;
      });
    });
  }

  function render(frame) {
    state = frame;
    offsetMs = Date.parse(frame.server_time) - Date.now();
    const round = frame.round;
    const values = {
      checked_in_total: frame.checked_in.total, checked_in_m: frame.checked_in.M, checked_in_f: frame.checked_in.F,
      present: frame.present, pairs: round ? round.pairs : null, sitouts: round ? round.sitouts : null,
      last_yes_rate: frame.last_yes_rate, last_mutual_rate: frame.last_mutual_rate,
    };
    root.querySelectorAll("[data-console]").forEach((el) => {
      if (el.dataset.console in values) el.textContent = show(values[el.dataset.console], el.dataset.format);
    });
    $("[data-console-round]").textContent = round
      ? label("Round", { n: round.number, total: frame.rounds_count }) + " · " + label(capital(round.phase))
      : label("NoRound");
    // While a round is paused its break's end (the next round's start) is not known yet.
    let next = "";
    if (frame.state === "ended" || (round && round.paused)) next = "";
    else if (frame.next_round_at) next = label("Next", { n: frame.next_round, t: clock(frame.next_round_at) });
    else if (round && round.number >= frame.rounds_count && round.phase === "done") next = label("AllPlayed");
    $("[data-console-next]").textContent = next;
    root.querySelectorAll("[data-action]").forEach((button) => {
      button.disabled = !frame.allowed.includes(button.dataset.action);
    });
    root.dataset.phase = round ? round.phase : "";
    root.dataset.paused = round && round.paused ? "true" : "false";
    renderLog(frame.log);
    tick();
  }

  root.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.dataset.action;
      if (!state) return;
      if (action === "end" && !window.confirm(label("ConfirmEnd"))) return;
      $("[data-console-error]").textContent = "";
      $("[data-console-message]").textContent = "";
      const round = state.round;
      socket.send({
        type: "console.action", event: eventId, action: action,
        round: round ? round.id : null, version: round ? round.version : null, ref: "console.action",
      });
    });
  });

  const subscribe = () => socket.send({ type: "console.subscribe", event: eventId, ref: "console.subscribe" });
  socket.onOpen(subscribe);
  // The server pushes the clock's state to consoles that subscribed in the last minute.
  setInterval(subscribe, 20000);
  socket.on("console.state", (frame) => { if (frame.event === eventId) render(frame); });
  socket.on("console.done", (frame) => {
    if (frame.event === eventId) $("[data-console-message]").textContent = label("Done" + capital(frame.action));
  });
  socket.on("error", (frame) => {
    if (frame.ref === "console.action" || frame.ref === "console.subscribe") $("[data-console-error]").textContent = frame.message;
  });
  setInterval(tick, 250);
})();
