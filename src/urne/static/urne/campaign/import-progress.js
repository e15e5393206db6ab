// An electors import's live progress (back office, /gestion/imports/<id>/): polls the page's JSON
// endpoint and updates the state, the bar and, once the import has ended, its report and the link
// to its errors. Without JavaScript the page shows the state as it was and a link to refresh it.
"use strict";

(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box || box.hasAttribute("data-finished")) {
    return;
  }
  const url = box.getAttribute("data-progress-url");
  const bar = box.querySelector("progress");
  const refresh = box.querySelector("[data-refresh]");
  const ended = box.querySelector("[data-when-finished]");
  const errors = box.querySelector("[data-errors]");
  const PERIOD = 1000;

  function show(state) {
    for (const name of ["status_label", "text", "report"]) {
      const field = box.querySelector(`[data-field="${name}"]`);
      if (field && typeof state[name] === "string") {
        field.textContent = state[name];
      }
    }
    if (bar && state.percent !== null && state.percent !== undefined) {
      bar.value = state.percent;
    }
  }

  async function poll() {
    let state;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) {
        // Signed out, or the import out of reach: stop, and give the refresh link back.
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
      box.setAttribute("data-finished", "");
      if (errors) {
        errors.hidden = !state.has_errors;
      }
      if (ended) {
        ended.hidden = false;
      }
      return;
    }
    window.setTimeout(poll, PERIOD);
  }

  if (refresh) {
    refresh.hidden = true;
  }
  window.setTimeout(poll, PERIOD);
})();
