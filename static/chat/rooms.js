// Room list: live unread badges and last messages. A new message bumps its room locally;
// anything else (reads in another tab, new or closed rooms, a reconnect) refetches the list.
(function () {
  "use strict";
  const list = document.querySelector("[data-room-list]");
  if (!list || !window.mmSocket) return;
  const me = Number(list.dataset.me);
  const archivedSection = document.querySelector("[data-archived-section]");
  const archivedList = document.querySelector("[data-archived-list]");

  // Today's messages by their time, older ones by their date, as in the room's own bubbles.
  function showWhen(time, sentAt) {
    time.dateTime = sentAt;
    const sent = new Date(sentAt);
    time.textContent =
      sent.toDateString() === new Date().toDateString()
        ? sent.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
        : sent.toLocaleDateString([], { month: "short", day: "numeric" });
  }

  // A photo's body is its image's id.
  const preview = (message) => (message.kind === "image" ? list.dataset.labelPhoto : message.body);

  // The same markup as templates/chat/rooms.html.
  function item(room) {
    const li = document.createElement("li");
    li.className = "card room-item" + (room.is_open ? "" : " closed");
    li.dataset.roomId = room.id;
    const link = document.createElement("a");
    link.href = "/chat/" + room.id + "/";
    const head = document.createElement("span");
    head.className = "room-head";
    const title = document.createElement("strong");
    title.className = "room-title";
    title.textContent = room.title;
    head.append(title);
    if (!room.is_open) {
      const ended = document.createElement("span");
      ended.className = "badge";
      ended.textContent = room.is_archived ? list.dataset.labelArchived : list.dataset.labelClosed;
      head.append(" ", ended);
    }
    const time = document.createElement("time");
    time.className = "last-time";
    if (room.last_message) showWhen(time, room.last_message.sent_at);
    const last = document.createElement("span");
    last.className = "last-message";
    last.textContent = room.last_message ? preview(room.last_message) : list.dataset.labelEmpty;
    const badge = document.createElement("span");
    badge.className = "unread-badge";
    badge.dataset.unread = room.unread;
    badge.textContent = room.unread;
    badge.hidden = !room.unread;
    link.append(head, time, last, badge);
    li.append(link);
    return li;
  }

  document.querySelectorAll(".room-list time[datetime]").forEach((time) => showWhen(time, time.getAttribute("datetime")));

  async function refresh() {
    const response = await fetch(list.dataset.api, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    // Archived chats (idle too long) leave the main list for their own section.
    list.replaceChildren(...data.rooms.filter((room) => !room.is_archived).map(item));
    const archived = data.rooms.filter((room) => room.is_archived);
    archivedList.replaceChildren(...archived.map(item));
    archivedSection.querySelector("[data-archived-count]").textContent = archived.length;
    archivedSection.hidden = archived.length === 0;
  }

  window.mmSocket.on("message.new", (frame) => {
    const li = list.querySelector('[data-room-id="' + frame.room + '"]');
    if (!li) return refresh();
    li.querySelector(".last-message").textContent = preview(frame);
    showWhen(li.querySelector(".last-time"), frame.sent_at);
    if (frame.sender !== me) {
      const badge = li.querySelector(".unread-badge");
      badge.dataset.unread = Number(badge.dataset.unread) + 1;
      badge.textContent = badge.dataset.unread;
      badge.hidden = false;
    }
    list.prepend(li);
  });
  ["message.read", "room.created", "room.closed", "room.archived"].forEach((type) =>
    window.mmSocket.on(type, (frame) => {
      if (type === "message.read" && frame.user !== me) return;
      if (type === "room.created") window.mmSocket.send({ type: "resume", rooms: { [frame.room.id]: 0 } });
      refresh();
    }),
  );
  let first = true;
  window.mmSocket.onOpen(() => (first ? (first = false) : refresh()));
})();
