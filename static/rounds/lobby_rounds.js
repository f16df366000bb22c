// The rounds panel of a speed-dating event's lobby: "참가", the next round's time, and on
// `round.seated` straight to the round's chat. Frames: docs/protocol.md ("Speed-dating round frames").
(function () {
  "use strict";
  const panel = document.querySelector("[data-rounds]");
  if (!panel || !window.mmSocket) return;
  const socket = window.mmSocket;
  const eventId = Number(panel.dataset.eventId);
  const $ = (selector) => panel.querySelector(selector);
  const label = (name, values) =>
    (panel.dataset["label" + name] || "").replace(/%\((\w+)\)s/g, (_, key) => String(values ? values[key] : ""));
  const roomUrl = (room) => panel.dataset.roomUrl.replace("/0/", "/" + room + "/");
  const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function showCheckedIn(checkedIn, nextNumber, nextAt) {
    $("[data-round-checkin]").hidden = checkedIn;
    $("[data-round-checked-in]").hidden = !checkedIn;
    $("[data-round-next]").textContent = nextAt ? label("NextRound", { n: nextNumber, t: clock(nextAt) }) : label("NoMore");
  }

  socket.onOpen(() => socket.send({ type: "round.sync", event: eventId, ref: "round.sync" }));
  $("[data-round-checkin]").addEventListener("click", () => {
    $("[data-round-message]").textContent = "";
    socket.send({ type: "round.checkin", event: eventId, ref: "round.checkin" });
  });
  $("[data-round-leave]").addEventListener("click", () => socket.send({ type: "round.leave", event: eventId, ref: "round.checkin" }));

  socket.on("round.checked_in", (frame) => {
    if (frame.event === eventId) showCheckedIn(frame.checked_in, frame.next_round, frame.next_round_at);
  });
  socket.on("round.state", (frame) => {
    if (frame.event !== eventId) return;
    showCheckedIn(frame.checked_in, (frame.number || 0) + 1, frame.next_round_at);
    if (frame.seat === "seated" && frame.phase !== "done") {
      $("[data-round-room]").href = roomUrl(frame.room);
      $("[data-round-room]").hidden = false;
    }
  });
  socket.on("round.seated", (frame) => {
    if (frame.event !== eventId) return;
    $("[data-round-status]").textContent = label("Seated", { n: frame.number, name: frame.partner.nickname });
    window.location.assign(roomUrl(frame.room));
  });
  socket.on("round.sitout", (frame) => {
    if (frame.event !== eventId) return;
    const reason = frame.reason === "uneven" ? "SitoutUneven" : "SitoutNone";
    $("[data-round-status]").textContent = label(reason, { n: frame.number });
  });
  // A sit-out waits in the lobby: an organizer's pause or extension moves the next round's start.
  socket.on("round.clock", (frame) => {
    if (frame.event !== eventId || frame.room !== null) return;
    $("[data-round-status]").textContent = frame.paused ? label("Paused") : label("Resumed", { t: clock(frame.break_ends_at) });
  });
  socket.on("round.match", (frame) => {
    if (frame.event !== eventId) return;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = roomUrl(frame.room);
    link.textContent = label("OpenChat");
    item.textContent = label("Match", { name: frame.partner.nickname }) + " ";
    item.appendChild(link);
    $("[data-round-matches]").appendChild(item);
  });
  socket.on("error", (frame) => {
    if (frame.ref === "round.checkin") $("[data-round-message]").textContent = frame.message;
  });
})();
