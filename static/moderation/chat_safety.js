// Safety in a chat room: report (and block) the partner, and send photos that are shown to
// the partner only after moderation. Frames: "chat.image" (docs/protocol.md, "Safety").
(function () {
  "use strict";
  const root = document.querySelector("[data-chat-room]");
  if (!root) return;
  const roomId = Number(root.dataset.roomId);
  const csrf = () => (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";

  async function post(url, body, json) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: json ? { "Content-Type": "application/json", "X-CSRFToken": csrf() } : { "X-CSRFToken": csrf() },
      body: json ? JSON.stringify(body) : body,
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    return { ok: response.ok, data };
  }

  // Report / report and block.
  const dialog = root.querySelector("[data-report-dialog]");
  if (dialog) {
    const form = dialog.querySelector("[data-report-form]");
    const errorEl = form.querySelector("[data-report-error]");
    const quote = form.querySelector("[data-report-quote]");
    const log = root.querySelector("[data-log]");
    // null: the report is about the partner; a number: about that message of theirs.
    let reportedSeq = null;
    const openReport = (seq, text) => {
      reportedSeq = seq;
      quote.textContent = text || "";
      quote.hidden = seq === null;
      errorEl.hidden = true;
      dialog.showModal();
    };
    root.querySelector("[data-report-open]").addEventListener("click", () => openReport(null));
    if (log) {
      const partnerMessage = (target) => target.closest(".msg[data-seq]:not(.mine):not(.announcement)");
      log.addEventListener("click", (event) => {
        const li = partnerMessage(event.target);
        if (!li || event.target.closest("button, a")) return;
        openReport(Number(li.dataset.seq), (li.querySelector(".bubble") || li).textContent);
      });
      log.addEventListener("mouseover", (event) => {
        const li = partnerMessage(event.target);
        if (li && !li.title) li.title = log.dataset.labelReportMessage;
      });
    }
    form.querySelector("[data-report-cancel]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const block = event.submitter && event.submitter.value === "report_block";
      const { ok, data } = await post(
        form.dataset.url,
        {
          reported_user_id: Number(form.dataset.user),
          room_id: roomId,
          message_seq: reportedSeq,
          reason: form.reason.value,
          text: form.text.value,
          block,
        },
        true,
      );
      if (!ok) {
        errorEl.textContent = (data.error && data.error.message) || "Error";
        errorEl.hidden = false;
        return;
      }
      dialog.close();
      const notice = document.createElement("p");
      notice.className = "report-done";
      notice.setAttribute("role", "status");
      notice.textContent = form.dataset.labelDone;
      root.querySelector(".chat-header").after(notice);
      if (block) window.setTimeout(() => (window.location.href = form.dataset.roomsUrl), 1500);
    });
  }

  // Photos: upload, then wait; approved photos arrive as ordinary "image" messages.
  const input = root.querySelector("[data-image-input]");
  const notices = root.querySelector("[data-image-notices]");
  const showNotice = (text, state) => {
    notices.textContent = text;
    notices.dataset.state = state;
  };
  if (input) {
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      const body = new FormData();
      body.append("room_id", roomId);
      body.append("image", file);
      input.value = "";
      const { ok, data } = await post(input.dataset.url, body, false);
      if (!ok) return showNotice((data.error && data.error.message) || "Error", "error");
      showNotice(notices.dataset.labelChecking, "pending");
    });
  }
  if (window.mmSocket) {
    window.mmSocket.on("chat.image", (frame) => {
      if (frame.room !== roomId) return;
      showNotice(frame.status === "rejected" ? notices.dataset.labelRejected : notices.dataset.labelUndeliverable, frame.status);
    });
    // Contact details were masked (a lobby, or a round before a mutual yes): say why, to the sender only.
    window.mmSocket.on("safety.contact_masked", (frame) => {
      if (frame.room === roomId) showNotice(frame.message, "contact");
    });
    window.mmSocket.on("message.new", (frame) => {
      if (frame.room === roomId && frame.kind === "image" && frame.sender === Number(root.dataset.me)) showNotice("", "sent");
    });
  }
})();
