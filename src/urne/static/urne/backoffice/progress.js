// Live progress of a background job in the back office (an electors import, a mailing): polls the
// JSON endpoint named by the page's [data-progress-url] box every second and shows what it says,
// until the job has finished. Without JavaScript the page shows the state as it was and a link to
// refresh it ([data-refresh], hidden while this script polls).
//
// The answer's fields fill the box's [data-field="NAME"] elements (text or numbers); its
// `percent`, or else `done` out of `total`, sets the <progress> bar; once `finished`, the box gets
// data-finished, its [data-when-finished] parts are shown, and its [data-errors] part is shown
// only if `has_errors` says so.
"use strict";

(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box || box.hasAttribute("data-finished")) {
    return;
  }
  const url = box.getAttribute("data-progress-url");
  const bar = box.querySelector("progress");
  const refresh = box.querySelector("[data-refresh]");
  const PERIOD = 1000;

  function show(state) {
    for (const field of box.querySelectorAll("[data-field]")) {
      const value = state[field.getAttribute("data-field")];
      if (typeof value === "string" || typeof value === "number") {
        field.textContent = String(value);
      }
    }
    if (!bar) {
      return;
    }
    if (typeof state.percent === "number") {
      bar.value = state.percent;
    } else if (typeof state.total === "number" && typeof state.done === "number") {
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
    }
  }

  function finish(state) {
    box.setAttribute("data-finished", "");
    if (refresh) {
      refresh.hidden = true;
    }
    for (const part of box.querySelectorAll("[data-when-finished]")) {
      part.hidden = false;
    }
    const errors = box.querySelector("[data-errors]");
    if (errors && "has_errors" in state) {
      errors.hidden = !state.has_errors;
    }
  }

  async function poll() {
    let state;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) {
        // Signed out, or the job out of reach: stop, and give the refresh link back.
        if (refresh) {
          refresh.hidden = false;
        }
        return;
      }
      state = await response.json();
    } catch (error) {
      window.setTimeout(poll, PERIOD * 5); // the network: try again later
      return;
    }
    show(state);
    if (state.finished) {
      finish(state);
      return;
    }
    window.setTimeout(poll, PERIOD);
  }

  if (refresh) {
    refresh.hidden = true;
  }
  window.setTimeout(poll, PERIOD);
})();
