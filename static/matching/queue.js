// The matching panel of the event lobby: join/leave the queue, answer proposals, show the match.
// Frames are documented in docs/protocol.md ("Matching frames"); labels come from data- attributes.
(function () {
  "use strict";
  const panel = document.querySelector("[data-queue]");
  if (!panel || !window.mmSocket) return;
  const socket = window.mmSocket;
  const eventId = Number(panel.dataset.eventId);
  const $ = (selector) => panel.querySelector(selector);
  const label = (name, values) =>
    (panel.dataset["label" + name] || "").replace(/%\((\w+)\)s/g, (_, key) => String(values ? values[key] : ""));
  let proposalId = null;
  let countdown = null;
  // While waiting, a status comes every few seconds; a page that heard none for this long asks
  // again rather than keep showing a place that may no longer exist (docs/protocol.md).
  const STATUS_STALE_MS = 10000;
  let lastStatusAt = 0;
  setInterval(function () {
    if (panel.dataset.queueState === "waiting" && Date.now() - lastStatusAt > STATUS_STALE_MS) {
      lastStatusAt = Date.now();
      socket.send({ type: "queue.sync", event: eventId });
    }
  }, STATUS_STALE_MS / 2);

  function show(state) {
    $("[data-queue-join]").hidden = state !== "idle";
    $("[data-queue-waiting]").hidden = state !== "waiting";
    $("[data-proposal]").hidden = state !== "proposed";
    $("[data-match-confirmed]").hidden = state !== "confirmed";
    $("[data-queue-retry]").hidden = state !== "retry";
    panel.dataset.queueState = state;
  }

  function message(text) {
    $("[data-queue-message]").textContent = text || "";
  }

  function stopCountdown() {
    if (countdown) clearInterval(countdown);
    countdown = null;
    document.body.classList.remove("match-open");
    flashTitle(false);
  }

  socket.onOpen(function () {
    socket.send({ type: "queue.sync", event: eventId });
  });

  $("[data-queue-join]").addEventListener("click", function () {
    message("");
    socket.send({ type: "queue.join", event: eventId, ref: "queue.join" });
  });
  $("[data-queue-retry]").addEventListener("click", function () {
    message("");
    socket.send({ type: "queue.join", event: eventId, ref: "queue.join" });
  });
  $("[data-queue-leave]").addEventListener("click", function () {
    socket.send({ type: "queue.leave", event: eventId });
  });
  $("[data-match-accept]").addEventListener("click", function () {
    socket.send({ type: "match.accept", proposal: proposalId, ref: "match.answer" });
    $("[data-match-accept]").disabled = true;
    $("[data-match-decline]").disabled = true;
    flashTitle(false);
  });
  $("[data-match-decline]").addEventListener("click", function () {
    socket.send({ type: "match.decline", proposal: proposalId, ref: "match.answer" });
  });

  socket.on("queue.status", function (frame) {
    if (frame.event !== eventId) return;
    lastStatusAt = Date.now();
    if (frame.state === "waiting") {
      show("waiting");
      // No number while the server restores the queue: the place is kept, its number is not known yet.
      $("[data-queue-position]").textContent =
        frame.position === null ? label("Restoring") : label("Position", { n: frame.position });
      $("[data-queue-eta]").textContent =
        frame.eta_s === null ? label("EtaUnknown") : label("Eta", { s: frame.eta_s });
      $("[data-queue-long-side]").hidden = !frame.long_side;
    } else if (frame.state === "none" && panel.dataset.queueState !== "confirmed" && panel.dataset.queueState !== "retry") {
      show("idle");
    }
  });

  socket.on("queue.left", function (frame) {
    if (frame.event !== eventId) return;
    const reasons = {
      left: "Left", disconnected: "Disconnected", max_wait: "MaxWait", event_ended: "EventEnded",
      service_reset: "ServiceReset",
    };
    message(label(reasons[frame.reason] || "Left"));
    show(frame.reason === "max_wait" || frame.reason === "service_reset" ? "retry" : "idle");
  });

  // --- the match moment: a full-screen card that takes focus, flashes the title and may ring ---
  const lang = document.documentElement.lang === "en" ? "en" : "ko";
  const alertToggle = $("[data-alert-toggle]");
  const alertKey = "mm.matchAlert";
  let titleTimer = null;
  const pageTitle = document.title;
  try { alertToggle.checked = window.localStorage.getItem(alertKey) === "1"; } catch (e) { /* storage blocked */ }
  alertToggle.addEventListener("change", function () {
    try { window.localStorage.setItem(alertKey, alertToggle.checked ? "1" : "0"); } catch (e) { /* storage blocked */ }
  });

  function ring() {
    if (!alertToggle.checked) return;
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    const audio = new Context();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  }

  function flashTitle(on) {
    if (titleTimer) clearInterval(titleTimer);
    titleTimer = null;
    document.title = pageTitle;
    if (!on) return;
    let flip = false;
    titleTimer = setInterval(function () {
      flip = !flip;
      document.title = flip ? label("TitleFlash") : pageTitle;
    }, 1000);
  }

  function renderPartner(partner) {
    $("[data-partner-nickname]").textContent = partner.nickname;
    $("[data-partner-university]").textContent =
      lang === "en" && partner.university_en ? partner.university_en : partner.university;
    const band = partner.age_band || [];
    $("[data-partner-age]").textContent = band.length === 2 ? label("AgeBand", { low: band[0], high: band[1] }) : "";
    const names = (partner.interest_names && partner.interest_names[lang]) || [];
    const list = $("[data-partner-interests]");
    list.replaceChildren();
    names.forEach(function (name) {
      const item = document.createElement("li");
      item.textContent = name;
      list.appendChild(item);
    });
    $("[data-partner-bio]").textContent = partner.bio || "";
    $("[data-partner-photo]").src = partner.photo_url || panel.dataset.placeholder;
  }

  socket.on("match.proposed", function (frame) {
    if (frame.event !== eventId) return;
    stopCountdown();
    proposalId = frame.proposal;
    renderPartner(frame.partner);
    $("[data-match-accept]").disabled = false;
    $("[data-match-decline]").disabled = false;
    $("[data-proposal-waiting]").hidden = true;
    message("");
    show("proposed");
    document.body.classList.add("match-open");
    $("[data-proposal-title]").focus();
    flashTitle(true);
    ring();
    const expires = Date.parse(frame.expires_at);
    const tick = function () {
      const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      $("[data-proposal-countdown]").textContent = label("SecondsLeft", { s: left });
    };
    tick();
    countdown = setInterval(tick, 1000);
  });

  socket.on("match.accepted", function (frame) {
    if (frame.proposal === proposalId) $("[data-proposal-waiting]").hidden = false;
  });

  socket.on("match.confirmed", function (frame) {
    if (frame.event !== eventId) return;
    stopCountdown();
    const parts = (panel.dataset.labelConfirmed || "%(name)s").split("%(name)s");
    const name = document.createElement("strong");
    name.dataset.confirmedNickname = "";
    name.textContent = frame.partner.nickname;
    $("[data-confirmed-text]").replaceChildren(parts[0], name, parts.slice(1).join(""));
    $("[data-confirmed-room]").href = panel.dataset.roomUrl.replace("/0/", "/" + frame.room + "/");
    panel.dataset.roomId = String(frame.room);
    show("confirmed");
    $("[data-confirmed-title]").focus();
  });

  socket.on("match.cancelled", function (frame) {
    if (frame.event !== eventId) return;
    stopCountdown();
    const names = {
      declined: "Declined", partner_declined: "PartnerDeclined", timeout: "Timeout", partner_timeout: "PartnerTimeout",
      partner_left: "PartnerLeft", lease_expired: "LeaseExpired", blocked: "Blocked",
    };
    message(label(names[frame.reason] || "LeaseExpired"));
    show(frame.requeued ? "waiting" : "idle");
    if (frame.requeued) socket.send({ type: "queue.sync", event: eventId });
  });

  socket.on("error", function (frame) {
    if (frame.ref === "queue.join" || frame.ref === "match.answer") {
      message(frame.message);
      if (frame.code === "already_queued") socket.send({ type: "queue.sync", event: eventId });
    }
  });
  show("idle");
})();
