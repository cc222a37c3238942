/* A "Print" button for the backup codes (the Content-Security-Policy allows no inline script). */
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("[data-print-fallback]").forEach(function (note) { note.hidden = true; });
