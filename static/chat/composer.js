// The composer's field grows with what is typed (up to a few lines, then it scrolls) and
// shrinks back once the message is sent, like the field of a chat app.
(function () {
  "use strict";
  const field = document.querySelector("textarea[data-grow]");
  if (!field) return;
  const MAX_LINES = 5;
  const fit = () => {
    const style = getComputedStyle(field);
    const lineHeight = parseFloat(style.lineHeight) || 24;
    const chrome = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    field.style.height = "auto";
    const wanted = Math.min(field.scrollHeight + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth), lineHeight * MAX_LINES + chrome);
    field.style.height = Math.max(wanted, parseFloat(style.minHeight) || 0) + "px";
  };
  field.addEventListener("input", fit);
  // room.js empties the field on send without an input event: fit again right after.
  field.form.addEventListener("submit", () => setTimeout(fit, 0));
  fit();
})();
