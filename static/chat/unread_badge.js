// The Chats tab's unread badge, live on every page: the server's counts per 1:1 room
// (`chat.unread`, asked for after every (re)connect) kept current from the frames this tab
// already gets (docs/protocol.md, "chat.unread").
(function () {
  "use strict";

  const badge = document.querySelector("[data-chat-unread]");
  const socket = window.mmSocket;
  if (!badge || !socket) return;
  const count = badge.querySelector("[data-chat-unread-count]");
  const label = badge.querySelector("[data-chat-unread-label]");
  let me = null;
  let rooms = new Map(); // room id → {unread, lastSeq}

  function render() {
    let total = 0;
    rooms.forEach((room) => {
      total += room.unread;
    });
    badge.hidden = total === 0;
    count.textContent = String(total);
    label.textContent = (total === 1 ? label.dataset.one : label.dataset.other).replace("{n}", String(total));
    document.dispatchEvent(new CustomEvent("mm:chat-unread", { detail: { total } }));
  }

  function sync() {
    socket.send({ type: "chat.unread_sync" });
  }

  function markRead(roomId, seq) {
    const room = rooms.get(roomId);
    if (!room) return;
    if (seq >= room.lastSeq) {
      room.unread = 0;
      render();
    } else {
      sync(); // read only part of the way: which of the rest are the partner's, the server knows
    }
  }

  socket.onOpen((hello) => {
    if (hello && hello.user_id) me = hello.user_id;
    sync();
  });
  socket.on("chat.unread", (frame) => {
    rooms = new Map(
      Object.entries(frame.rooms).map(([id, room]) => [Number(id), { unread: room.unread, lastSeq: room.last_seq }]),
    );
    render();
  });
  socket.on("message.new", (frame) => {
    const room = rooms.get(frame.room);
    if (!room || frame.seq <= room.lastSeq) return; // a lobby, or a replayed copy
    room.lastSeq = frame.seq;
    if (frame.sender !== me) room.unread += 1;
    render();
  });
  socket.on("message.ack", (frame) => {
    const room = rooms.get(frame.room);
    if (room && frame.seq > room.lastSeq) room.lastSeq = frame.seq;
  });
  socket.on("message.read", (frame) => {
    if (frame.user === me) markRead(frame.room, frame.seq);
  });
  socket.on("room.created", (frame) => {
    if (frame.room.kind !== "direct") return;
    rooms.set(frame.room.id, { unread: frame.room.unread || 0, lastSeq: frame.room.last_seq });
    render();
  });
  // This tab's own receipts never come back to it: count them as they leave.
  const send = socket.send.bind(socket);
  socket.send = (frame) => {
    const sent = send(frame);
    if (sent && frame.type === "message.read") markRead(frame.room, frame.seq);
    return sent;
  };
})();
