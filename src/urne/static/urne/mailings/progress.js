// A mailing's live progress (back office, /gestion/envois/<id>/): polls the page's JSON endpoint
// and updates the counts and the bar, until the mailing is finished. Without JavaScript the page
// shows the counts as they were and a link to refresh it.
"use strict";

(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box) {
    return;
  }
  const url = box.getAttribute("data-progress-url");
  const bar = box.querySelector("progress");
  const refresh = box.querySelector("[data-refresh]");
  const PERIOD = 1000;

  function show(state) {
    for (const name of ["status_label", "done", "total", "sent", "failed", "skipped", "interrupted"]) {
      const field = box.querySelector(`[data-field="${name}"]`);
      if (field && state[name] !== null && state[name] !== undefined) {
        field.textContent = String(state[name]);
      }
    }
    if (bar && state.total !== null) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
    }
  }

  async function poll() {
    let state;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) {
        // Signed out, or the mailing out of reach: stop, and give the refresh link back.
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
      if (refresh) {
        refresh.hidden = true;
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
