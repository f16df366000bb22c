// Keeps the lobby's live counts up to date over the shared socket.
(function () {
  "use strict";
  const lobby = document.querySelector(".lobby[data-event-id]");
  if (!lobby || !window.mmSocket) return;
  const eventId = Number(lobby.dataset.eventId);
  window.mmSocket.onOpen(function () {
    window.mmSocket.send({ type: "lobby.enter", event: eventId });
  });
  window.mmSocket.on("lobby.counts", function (frame) {
    if (frame.event !== eventId) return;
    Object.entries(frame.counts).forEach(function ([name, value]) {
      lobby.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) {
        el.textContent = String(value);
      });
    });
  });
})();
