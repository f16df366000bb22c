// A moderation notice that arrives while the student is online shows in the banner at once
// (the same banner every page renders until the notice is acknowledged).
(function () {
  "use strict";
  const banner = document.querySelector("[data-notice-banner]");
  if (!banner || !window.mmSocket) return;
  window.mmSocket.on("safety.notice", (frame) => {
    banner.querySelector("[data-notice-title]").textContent = frame.title;
    banner.querySelector("a").href = frame.url;
    banner.hidden = false;
  });
})();
