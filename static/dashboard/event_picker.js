// Choosing another event in the dashboard's picker reloads the page for it (no inline
// handler: the Content-Security-Policy allows scripts only from static files).
"use strict";
document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
