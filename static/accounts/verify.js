// University verification: the "new code" button counts down the resend wait instead of
// letting the student press it early and read an error.
(function () {
  "use strict";
  const button = document.querySelector("[data-resend]");
  if (!button) return;
  let left = Number(button.dataset.waitS) || 0;
  function render() {
    button.disabled = left > 0;
    button.textContent = left > 0 ? button.dataset.labelWait.replace("%(s)s", String(left)) : button.dataset.labelReady;
  }
  render();
  if (left <= 0) return;
  const timer = setInterval(function () {
    left -= 1;
    render();
    if (left <= 0) clearInterval(timer);
  }, 1000);
})();
