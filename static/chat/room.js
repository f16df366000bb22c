// One chat room: history with infinite scroll, lossless live updates (resume by seq, gap
// ranges, dedupe), optimistic sending with retry under the same client_msg_id, read
// receipts, typing and presence. Frames are documented in docs/protocol.md ("Chat").
(function () {
  "use strict";
  const root = document.querySelector("[data-chat-room]");
  if (!root || !window.mmSocket) return;
  const socket = window.mmSocket;
  const roomId = Number(root.dataset.roomId);
  const me = Number(root.dataset.me);
  const isLobby = root.dataset.roomKind === "lobby";
  const labels = root.dataset;
  const log = root.querySelector("[data-log]");
  // Absent where the reader may not post (a lobby whose chat only staff write in).
  const composer = root.querySelector("[data-composer]");
  const input = composer && composer.querySelector("textarea");
  const typingEl = root.querySelector("[data-typing]");
  const presenceEl = root.querySelector(".presence");
  const ACK_TIMEOUT_MS = 10000;
  // The template renders the chat image address with this key; each image message carries its own.
  const IMAGE_KEY_PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  const outboxKey = "mm-chat-outbox-" + roomId;
  // Safety settings of the reader: people they blocked (hidden) and words they hid (collapsed).
  const safety = JSON.parse(document.getElementById("chat-safety").textContent);
  const blockedIds = new Set(safety.blocked_ids);
  const squash = (text) => text.toLowerCase().replace(/[\s.\-_*]+/g, "");
  const hiddenWords = safety.hidden_words.map(squash).filter(Boolean);

  let lastSeq = 0; // every seq up to here is rendered, in order
  let oldestSeq = null;
  let loadingOlder = false;
  let partnerRead = Number(root.dataset.partnerRead || 0);
  let partnerName = root.querySelector(".partner-name").textContent;
  const early = new Map(); // seq → message that arrived ahead of a gap
  // Every seq up to here is on its way in a resume (Infinity) or range answer: a gap inside
  // it is not asked for again. After a reconnect, each live message that overtook the
  // resume's replay used to ask for the same messages once more. The server answers every
  // request (a batch, a reload notice or an error frame with the request's ref); a socket
  // that drops takes its requests with it, and the next connect resumes.
  let replayUntil = 0;
  const replayRef = "gap:" + roomId;
  // Two people's messages in one room are committed by different server processes, and a
  // later seq's fan-out can overtake an earlier one's by milliseconds: a gap is asked for
  // only when it is still open after this long. Asking at once made a busy server replay
  // messages that were already on their way, just when it had least time to spare.
  const GAP_GRACE_MS = 500;
  let gapTimer = null;
  const pending = new Map(); // client_msg_id → {body, timer}
  let typingTimer = null;
  let typingUser = null; // whose typing the indicator shows
  let lastTypingSent = 0;
  let readTimer = null;

  const newId = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));
  const saveOutbox = () => localStorage.setItem(outboxKey, JSON.stringify([...pending].map(([id, p]) => [id, p.body])));

  function bubble(message, { mine, state }) {
    const li = document.createElement("li");
    li.className = "msg" + (mine ? " mine" : "") + (message.kind === "announcement" ? " announcement" : "");
    if (message.seq) li.dataset.seq = message.seq;
    li.dataset.cmid = message.client_msg_id;
    if (message.sender) li.dataset.sender = message.sender;
    if (!mine && isLobby && message.sender_name) {
      const name = document.createElement("span");
      name.className = "meta sender-name";
      name.textContent = message.sender_name;
      li.append(name);
    }
    const text = document.createElement("div");
    text.className = "bubble";
    if (message.kind === "image") {
      const img = document.createElement("img");
      img.className = "chat-image";
      img.alt = "";
      img.loading = "lazy";
      img.src = labels.chatImageUrl.replace(IMAGE_KEY_PLACEHOLDER, encodeURIComponent(message.body));
      text.append(img);
    } else if (!message.body && message.seq) {
      text.textContent = labels.labelDeletedMessage;
      text.classList.add("deleted");
    } else {
      text.textContent = message.body;
    }
    if (blockedIds.has(message.sender)) li.hidden = true;
    if (!mine && message.kind === "text" && hiddenWords.some((word) => squash(message.body || "").includes(word))) {
      const reveal = document.createElement("button");
      reveal.type = "button";
      reveal.className = "link reveal";
      reveal.textContent = labels.labelHidden;
      reveal.addEventListener("click", () => {
        text.hidden = false;
        reveal.remove();
      });
      text.hidden = true;
      li.classList.add("collapsed");
      li.append(reveal);
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    li.append(text, meta);
    setState(li, message, state);
    return li;
  }

  function setState(li, message, state) {
    const meta = li.querySelector(".meta:last-child");
    meta.textContent = "";
    li.classList.toggle("pending", state === "pending");
    li.classList.toggle("failed", state === "failed");
    li.dataset.state = state;
    if (state === "pending") meta.textContent = labels.labelPending;
    if (state === "failed") {
      meta.textContent = labels.labelFailed + " ";
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "retry";
      retry.textContent = labels.labelRetry;
      retry.addEventListener("click", () => send(li.dataset.cmid, pending.get(li.dataset.cmid).body));
      meta.append(retry);
    }
    if (state === "sent") {
      const unread = document.createElement("span");
      unread.className = "unread-count";
      if (isLobby && message.unread) unread.textContent = message.unread;
      const time = document.createElement("time");
      time.textContent = new Date(message.sent_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      meta.append(unread, time);
      if (!isLobby && li.classList.contains("mine")) {
        const read = document.createElement("span");
        read.className = "read-mark";
        meta.prepend(read);
      }
    }
  }

  function renderReadMarks() {
    log.querySelectorAll(".msg.mine[data-seq]").forEach((li) => {
      const mark = li.querySelector(".read-mark");
      if (mark) mark.textContent = Number(li.dataset.seq) <= partnerRead ? labels.labelRead : "1";
    });
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  // Put a confirmed message in its place; messages are appended strictly in seq order.
  function accept(message) {
    if (message.seq <= lastSeq) return;
    if (message.seq > lastSeq + 1) {
      early.set(message.seq, message);
      askForGapSoon();
      return;
    }
    const stick = atBottom();
    const mine = message.sender === me;
    const existing = mine && log.querySelector('.msg[data-cmid="' + CSS.escape(message.client_msg_id) + '"]:not([data-seq])');
    const li = bubble(message, { mine, state: "sent" });
    if (existing) existing.remove();
    forgetPending(message.client_msg_id);
    const firstPending = log.querySelector(".msg:not([data-seq])");
    log.insertBefore(li, firstPending);
    lastSeq = message.seq;
    if (oldestSeq === null) oldestSeq = message.seq;
    if (stick || mine) log.scrollTop = log.scrollHeight;
    renderReadMarks();
    if (early.has(lastSeq + 1)) {
      const next = early.get(lastSeq + 1);
      early.delete(lastSeq + 1);
      accept(next);
    }
    if (!mine) scheduleRead();
  }

  function askRange(untilSeq) {
    if (untilSeq <= lastSeq || untilSeq <= replayUntil) return;
    replayUntil = untilSeq;
    socket.send({ type: "message.range", room: roomId, after_seq: lastSeq, until_seq: untilSeq, ref: replayRef });
  }

  // The seqs missing before the earliest message that came ahead of them.
  function askForGap() {
    if (early.size) askRange(Math.min(...early.keys()) - 1);
  }

  function askForGapSoon() {
    if (gapTimer === null) {
      gapTimer = setTimeout(() => {
        gapTimer = null;
        askForGap();
      }, GAP_GRACE_MS);
    }
  }

  // A replay came: ask for whatever gap is still open.
  function replayArrived() {
    replayUntil = 0;
    early.forEach((_message, seq) => seq <= lastSeq && early.delete(seq));
    askForGap();
  }

  function resume() {
    replayUntil = Infinity;
    socket.send({ type: "resume", rooms: { [roomId]: lastSeq }, ref: replayRef });
  }

  function forgetPending(clientMsgId) {
    const entry = pending.get(clientMsgId);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(clientMsgId);
    saveOutbox();
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingEl.hidden = true;
    typingUser = null;
  }

  function scheduleRead() {
    // An empty room has nothing to read: a pointer at 0 would move nothing.
    if (document.hidden || lastSeq === 0) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => socket.send({ type: "message.read", room: roomId, seq: lastSeq }), 300);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) scheduleRead();
    socket.send({ type: "presence.set", state: document.hidden ? "away" : "online" });
  });

  function send(clientMsgId, body) {
    let li = log.querySelector('.msg[data-cmid="' + CSS.escape(clientMsgId) + '"]:not([data-seq])');
    if (!li) {
      li = bubble({ client_msg_id: clientMsgId, body }, { mine: true, state: "pending" });
      log.append(li);
      log.scrollTop = log.scrollHeight;
    }
    setState(li, {}, "pending");
    const entry = pending.get(clientMsgId) || { body };
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => setState(li, {}, "failed"), ACK_TIMEOUT_MS);
    pending.set(clientMsgId, entry);
    saveOutbox();
    socket.send({ type: "message.send", ref: "send:" + clientMsgId, room: roomId, client_msg_id: clientMsgId, body });
  }

  if (composer) {
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = input.value.trim();
      if (!body) return;
      input.value = "";
      send(newId(), body);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    input.addEventListener("input", () => {
      if (Date.now() - lastTypingSent > 2000) {
        lastTypingSent = Date.now();
        socket.send({ type: "typing", room: roomId });
      }
    });
  }

  async function loadPage(beforeSeq) {
    const url = new URL(root.dataset.historyUrl, window.location.href);
    if (beforeSeq) url.searchParams.set("before_seq", beforeSeq);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return null;
    return response.json();
  }

  async function loadLatest() {
    const page = await loadPage(null);
    if (!page) return;
    log.querySelectorAll(".msg[data-seq]").forEach((li) => li.remove());
    lastSeq = page.messages.length ? page.messages[0].seq - 1 : page.last_seq;
    oldestSeq = page.messages.length ? page.messages[0].seq : null;
    root.dataset.nextBefore = page.next_before_seq || "";
    page.messages.forEach(accept);
    log.scrollTop = log.scrollHeight;
  }

  log.addEventListener("scroll", async () => {
    if (log.scrollTop > 40 || loadingOlder || !root.dataset.nextBefore) return;
    loadingOlder = true;
    const page = await loadPage(root.dataset.nextBefore);
    loadingOlder = false;
    if (!page) return;
    root.dataset.nextBefore = page.next_before_seq || "";
    const height = log.scrollHeight;
    const first = log.querySelector(".msg[data-seq]");
    page.messages.forEach((message) => log.insertBefore(bubble(message, { mine: message.sender === me, state: "sent" }), first));
    if (page.messages.length) oldestSeq = page.messages[0].seq;
    log.scrollTop = log.scrollHeight - height;
    renderReadMarks();
  });

  socket.on("message.new", (frame) => {
    if (frame.room !== roomId) return;
    // Whoever was typing has sent it: the indicator goes now, not when it expires.
    if (frame.sender === typingUser) hideTyping();
    accept(frame);
  });
  // From a live receipt, or from a replay: a receipt that came while this socket was away
  // is not replayed, the partner's pointer is (null in lobbies).
  function partnerReadUpTo(seq) {
    if (seq == null || seq <= partnerRead) return;
    partnerRead = seq;
    renderReadMarks();
  }
  socket.on("message.batch", (frame) => {
    if (frame.room !== roomId) return;
    frame.messages.forEach(accept);
    partnerReadUpTo(frame.partner_read_seq);
    replayArrived();
  });
  socket.on("room.reload", (frame) => {
    if (frame.room !== roomId) return;
    early.clear();
    partnerReadUpTo(frame.partner_read_seq);
    replayArrived();
    loadLatest();
  });
  socket.on("message.ack", (frame) => {
    if (frame.room !== roomId) return;
    const entry = pending.get(frame.client_msg_id);
    if (entry) clearTimeout(entry.timer);
    // A new message comes back inside its ack (this socket gets no message.new for it) and
    // takes the bubble's place, masked words and all.
    if (frame.message) return accept(frame.message);
    // A duplicate's message went out before: it is here already or comes in a replay.
    const li = log.querySelector('.msg[data-cmid="' + CSS.escape(frame.client_msg_id) + '"]:not([data-seq])');
    if (li && frame.seq <= lastSeq) {
      li.remove();
      forgetPending(frame.client_msg_id);
    } else if (frame.seq > lastSeq + 1) {
      setTimeout(() => askRange(frame.seq), GAP_GRACE_MS);
    }
  });
  socket.on("error", (frame) => {
    if (frame.ref === replayRef) {
      // Briefly unavailable: ask again once it is back. Refused: the next gap asks anew.
      if (frame.code === "service_unavailable") setTimeout(replayArrived, (frame.retry_after_s || 2) * 1000);
      else replayUntil = 0;
      return;
    }
    if (!frame.ref || !frame.ref.startsWith("send:")) return;
    const clientMsgId = frame.ref.slice(5);
    const li = log.querySelector('.msg[data-cmid="' + CSS.escape(clientMsgId) + '"]:not([data-seq])');
    const entry = pending.get(clientMsgId);
    if (entry) clearTimeout(entry.timer);
    if (entry && frame.code === "service_unavailable") {
      // Nothing was stored; the same client_msg_id is sent again once the server is back.
      entry.timer = setTimeout(() => send(clientMsgId, entry.body), (frame.retry_after_s || 2) * 1000);
      return;
    }
    if (li) {
      setState(li, {}, "failed");
      li.title = frame.message;
    }
    if (frame.code === "terms_not_accepted") {
      const notice = document.querySelector("[data-consent-needed]");
      if (notice) notice.hidden = false;
    }
  });
  socket.on("message.read", (frame) => {
    if (frame.room !== roomId || frame.user === me) return;
    partnerReadUpTo(frame.seq);
  });
  socket.on("room.unread_counts", (frame) => {
    if (frame.room !== roomId) return;
    Object.entries(frame.counts).forEach(([seq, count]) => {
      const mark = log.querySelector('.msg[data-seq="' + seq + '"] .unread-count');
      if (mark) mark.textContent = count || "";
    });
  });
  socket.on("typing", (frame) => {
    if (frame.room !== roomId || frame.user === me) return;
    typingEl.textContent = (isLobby ? "" : partnerName + " ") + labels.labelTyping;
    typingEl.hidden = false;
    typingUser = frame.user;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, frame.expires_in_s * 1000);
  });
  // "Last seen 5 minutes ago", in the page's language; the full time is in the tooltip.
  const relative = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
  function lastSeenText(lastSeen) {
    const minutes = Math.round((lastSeen * 1000 - Date.now()) / 60000);
    if (minutes >= 0) return labels.labelJustNow; // "just now", not "now" nor "this minute"
    if (minutes > -60) return relative.format(minutes, "minute");
    if (minutes > -24 * 60) return relative.format(Math.round(minutes / 60), "hour");
    return relative.format(Math.round(minutes / (24 * 60)), "day");
  }
  let partnerPresence = null;
  function renderPresence() {
    const frame = partnerPresence;
    presenceEl.dataset.presence = frame.state;
    let text = labels["label" + frame.state.charAt(0).toUpperCase() + frame.state.slice(1)];
    presenceEl.title = "";
    if (frame.state === "offline" && frame.last_seen) {
      text += " · " + labels.labelLastSeen.replace("%(when)s", lastSeenText(frame.last_seen));
      presenceEl.title = new Date(frame.last_seen * 1000).toLocaleString();
    }
    presenceEl.textContent = text;
  }
  socket.on("presence", (frame) => {
    if (String(frame.user) !== root.dataset.partnerId) return;
    partnerPresence = frame;
    renderPresence();
  });
  // "2 minutes ago" must not stay "just now".
  setInterval(() => partnerPresence && renderPresence(), 30000);
  socket.on("profile.updated", (frame) => {
    if (String(frame.user) === root.dataset.partnerId) {
      partnerName = frame.nickname;
      root.querySelector(".partner-name").textContent = frame.nickname;
      const photo = root.querySelector(".partner-photo");
      if (photo && frame.photo_url) photo.src = frame.photo_url + "?v=" + Date.now();
    }
    log.querySelectorAll('.msg[data-sender="' + frame.user + '"] .sender-name').forEach((el) => (el.textContent = frame.nickname));
  });
  // Leaving ends the chat for both, so it is asked first.
  const leaveForm = root.querySelector(".leave-form");
  if (leaveForm) {
    leaveForm.addEventListener("submit", (event) => {
      if (!window.confirm(leaveForm.dataset.labelConfirm)) event.preventDefault();
    });
  }
  function roomEnded(frame) {
    if (frame.room !== roomId) return;
    root.dataset.open = "0";
    const banner = root.querySelector(".closed-banner");
    if (frame.type === "room.archived") {
      banner.textContent = banner.dataset.labelArchived.replace("%(days)s", frame.idle_days);
    } else if (frame.by !== null && String(frame.by) === root.dataset.partnerId) {
      banner.textContent = banner.dataset.labelPartnerLeft.replace("%(name)s", partnerName);
    } else if (frame.by !== null && String(frame.by) === root.dataset.me) {
      banner.textContent = banner.dataset.labelYouLeft;
    }
    banner.hidden = false;
    log.scrollTop = log.scrollHeight;
    if (composer) composer.querySelectorAll("textarea, button, input").forEach((control) => (control.disabled = true));
    const leave = root.querySelector(".leave-form");
    if (leave) leave.remove();
  }
  socket.on("room.closed", roomEnded);
  socket.on("room.archived", roomEnded);

  // After every (re)connect: replay what we missed, resend what was never acknowledged, and
  // repeat the read pointer (a receipt sent as the socket died is lost with it).
  let ready = false;
  socket.onOpen(() => {
    if (!ready) return;
    resume();
    pending.forEach((entry, clientMsgId) => send(clientMsgId, entry.body));
    scheduleRead();
  });

  loadLatest().then(() => {
    ready = true;
    JSON.parse(localStorage.getItem(outboxKey) || "[]").forEach(([id, body]) => pending.set(id, { body }));
    if (socket.state === "connected") {
      resume();
      pending.forEach((entry, clientMsgId) => send(clientMsgId, entry.body));
    }
    scheduleRead();
  });
})();
