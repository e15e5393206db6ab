// The supervision page's live figures: every N seconds (the box's data-refresh-seconds), fetch
// the page again and put its figures in place of the ones shown. Without JavaScript the page
// shows the figures of its loading and a link to load it again. A checkbox pauses the refresh
// (content that moves by itself must be stoppable).
"use strict";

(function () {
  const box = document.getElementById("supervision-figures");
  if (!box) {
    return;
  }
  const seconds = Number(box.getAttribute("data-refresh-seconds")) || 10;
  const control = document.querySelector("[data-auto-refresh]");
  const toggle = control ? control.querySelector("input") : null;
  if (control) {
    control.hidden = false;
  }
  let timer = null;

  async function refresh() {
    timer = null;
    try {
      const response = await fetch(window.location.pathname, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) {
        return; // signed out or permission gone: stop, the link stays
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const figures = page.getElementById("supervision-figures");
      if (figures) {
        box.replaceChildren(...Array.from(figures.childNodes, (node) => document.importNode(node, true)));
      }
    } catch (error) {
      // the network: try again at the next period
    }
    schedule();
  }

  function schedule() {
    if (timer === null && (!toggle || toggle.checked)) {
      timer = window.setTimeout(refresh, seconds * 1000);
    }
  }

  if (toggle) {
    toggle.addEventListener("change", function () {
      if (!toggle.checked && timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      schedule();
    });
  }
  schedule();
})();
