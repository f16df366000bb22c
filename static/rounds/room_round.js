// A speed-dating round inside its 1:1 chat: the countdown follows the server's clock (a
// client clock minutes off does not matter), the 30-second warning, read-only at the deadline,
// then "다시 만나고 싶어요" / "괜찮아요" until the break ends. Frames: docs/protocol.md.
(function () {
  "use strict";
  const bar = document.querySelector("[data-round-bar]");
  if (!bar || !window.mmSocket) return;
  const socket = window.mmSocket;
  const roomId = Number(bar.dataset.roomId);
  const $ = (selector) => bar.querySelector(selector);
  const label = (name, values) =>
    (bar.dataset["label" + name] || "").replace(/%\((\w+)\)s/g, (_, key) => String(values ? values[key] : ""));
  const roomUrl = (room) => bar.dataset.roomUrl.replace("/0/", "/" + room + "/");
  const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  let round = null;
  let offsetMs = 0; // server clock minus this browser's clock
  let timer = null;

  const serverNow = () => Date.now() + offsetMs;
  const syncClock = (serverTime) => { offsetMs = Date.parse(serverTime) - Date.now(); };

  function tick() {
    if (!round || round.phase !== "talking") return;
    bar.dataset.paused = round.paused ? "true" : "false";
    if (round.paused) {
      $("[data-round-countdown]").textContent = label("Paused");
      return;
    }
    const left = Math.max(0, Math.ceil((Date.parse(round.ends_at) - serverNow()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    $("[data-round-countdown]").textContent = label("Left", { m: minutes, s: seconds });
    if (left <= 30) showWarning();
  }

  function showWarning() {
    $("[data-round-warning]").textContent = label("Warning");
    $("[data-round-warning]").hidden = false;
  }

  function readOnly() {
    bar.closest("[data-chat-room]").querySelectorAll("[data-composer] textarea, [data-composer] button, [data-image-input]")
      .forEach((control) => { control.disabled = true; });
  }

  function showAnswering() {
    round.phase = "answering";
    readOnly();
    $("[data-round-warning]").hidden = true;
    $("[data-round-countdown]").textContent = label("ReadOnly");
    $("[data-round-answer-until]").textContent = label("AnswerUntil", { t: clock(round.break_ends_at) });
    $("[data-round-answer]").hidden = Boolean(round.answer);
    if (round.answer) showAnswered(round.answer);
  }

  function showAnswered(answer) {
    round.answer = answer;
    $("[data-round-answer]").hidden = true;
    $("[data-round-note]").textContent = label(answer === "yes" ? "AnsweredYes" : "AnsweredNo");
  }

  function showMatch(room) {
    $("[data-round-note]").textContent = label("Match");
    $("[data-round-match]").href = roomUrl(room);
    $("[data-round-match]").hidden = false;
  }

  function answer(value) {
    socket.send({ type: "round.answer", round: round.round, answer: value, ref: "round.answer" });
  }

  if (bar.closest("[data-chat-room]").dataset.roomKind !== "direct") return;
  $("[data-round-yes]").addEventListener("click", () => answer("yes"));
  $("[data-round-no]").addEventListener("click", () => answer("no"));
  socket.onOpen(() => socket.send({ type: "round.sync", room: roomId, ref: "round.sync" }));

  socket.on("round.state", (frame) => {
    if (frame.room !== roomId) return;
    syncClock(frame.server_time);
    round = frame;
    bar.hidden = false;
    if (frame.phase === "talking") {
      if (!timer) timer = setInterval(tick, 250);
      tick();
    } else if (frame.phase === "answering") {
      showAnswering();
    } else {
      readOnly();
      $("[data-round-countdown]").textContent = label("NoMatch");
      if (frame.match_room) showMatch(frame.match_room);
    }
  });
  socket.on("round.clock", (frame) => {
    if (frame.room !== roomId || !round || frame.round !== round.round) return;
    syncClock(frame.server_time);
    round.paused = frame.paused;
    round.ends_at = frame.ends_at;
    round.break_ends_at = frame.break_ends_at;
    if (frame.change === "extended") {
      $("[data-round-warning]").hidden = true;
      $("[data-round-note]").textContent = label("Extended");
    }
    if (round.phase === "answering") {
      $("[data-round-answer-until]").textContent = frame.paused ? label("Paused") : label("AnswerUntil", { t: clock(round.break_ends_at) });
    }
    tick();
  });
  socket.on("round.warning", (frame) => {
    if (frame.room !== roomId) return;
    syncClock(frame.server_time);
    showWarning();
  });
  socket.on("round.talk_ended", (frame) => {
    if (frame.room !== roomId || !round) return;
    syncClock(frame.server_time);
    round.break_ends_at = frame.answer_until;
    showAnswering();
  });
  socket.on("round.answered", (frame) => {
    if (round && frame.round === round.round) showAnswered(frame.answer);
  });
  socket.on("round.partner_left", (frame) => {
    if (frame.room === roomId) $("[data-round-note]").textContent = label("PartnerLeft");
  });
  socket.on("round.match", (frame) => {
    if (round && frame.round === round.round) showMatch(frame.room);
  });
  socket.on("round.over", (frame) => {
    if (!round || frame.round !== round.round) return;
    round.phase = "done";
    $("[data-round-answer]").hidden = true;
    if (!frame.matches) $("[data-round-note]").textContent = label("NoMatch");
    $("[data-round-countdown]").textContent = frame.next_round_at ? label("NextRound", { t: clock(frame.next_round_at) }) : "";
  });
  socket.on("round.seated", (frame) => {
    if (frame.room !== roomId) window.location.assign(roomUrl(frame.room));
  });
  socket.on("error", (frame) => {
    if (frame.ref === "round.answer") $("[data-round-error]").textContent = frame.message;
  });
})();
