// Room list: live unread badges and last messages. A new message bumps its room locally;
// anything else (reads in another tab, new or closed rooms, a reconnect) refetches the list.
(function () {
  "use strict";
  const list = document.querySelector("[data-room-list]");
  if (!list || !window.mmSocket) return;
  const me = Number(list.dataset.me);

  function item(room) {
    const li = document.createElement("li");
    li.className = "card room-item" + (room.is_open ? "" : " closed");
    li.dataset.roomId = room.id;
    const link = document.createElement("a");
    link.href = "/chat/" + room.id + "/";
    const title = document.createElement("strong");
    title.className = "room-title";
    title.textContent = room.title;
    const badge = document.createElement("span");
    badge.className = "unread-badge";
    badge.dataset.unread = room.unread;
    badge.textContent = room.unread;
    badge.hidden = !room.unread;
    const last = document.createElement("span");
    last.className = "last-message";
    last.textContent = room.last_message ? room.last_message.body : list.dataset.labelEmpty;
    link.append(title, badge, last);
    li.append(link);
    return li;
  }

  async function refresh() {
    const response = await fetch(list.dataset.api, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    list.replaceChildren(...data.rooms.map(item));
  }

  window.mmSocket.on("message.new", (frame) => {
    const li = list.querySelector('[data-room-id="' + frame.room + '"]');
    if (!li) return refresh();
    li.querySelector(".last-message").textContent = frame.body;
    if (frame.sender !== me) {
      const badge = li.querySelector(".unread-badge");
      badge.dataset.unread = Number(badge.dataset.unread) + 1;
      badge.textContent = badge.dataset.unread;
      badge.hidden = false;
    }
    list.prepend(li);
  });
  ["message.read", "room.created", "room.closed"].forEach((type) =>
    window.mmSocket.on(type, (frame) => {
      if (type === "message.read" && frame.user !== me) return;
      if (type === "room.created") window.mmSocket.send({ type: "resume", rooms: { [frame.room.id]: 0 } });
      refresh();
    }),
  );
  let first = true;
  window.mmSocket.onOpen(() => (first ? (first = false) : refresh()));
})();
