// The memo's "Imprimer" button: shown only when scripts run (otherwise the browser's own menu
// prints the page just as well). A file, not inline code, as the Content Security Policy asks.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
