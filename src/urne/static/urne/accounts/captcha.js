// "Afficher un autre code": ask the refresh view (accounts.views.captcha_refresh) for a new
// challenge and swap it in place, so that what the visitor typed in the other fields stays.
// Without JavaScript the same control is a plain link that reloads the form with a new code.
// Beyond the client's limit the view answers 429: the link is then followed, and the page says
// how long to wait.
"use strict";

function refreshCaptcha(link) {
  const box = link.closest("[data-captcha]");
  if (!box) {
    return Promise.resolve(false);
  }
  return fetch(link.dataset.captchaRefresh, {
    headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
    credentials: "same-origin",
  })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      const key = box.querySelector('input[type="hidden"]');
      const answer = box.querySelector('input[type="text"]');
      const image = box.querySelector("[data-captcha-image]");
      const audio = box.querySelector("[data-captcha-audio]");
      const status = box.querySelector("[data-captcha-status]");
      key.value = data.key;
      image.src = data.image_url;
      if (audio && data.audio_url) {
        audio.href = data.audio_url;
      }
      answer.value = "";
      answer.focus();
      if (status) {
        status.textContent = link.dataset.captchaAnnounce || "";
      }
      return true;
    });
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-captcha-refresh]");
  if (!link) {
    return;
  }
  event.preventDefault();
  refreshCaptcha(link).then(
    (done) => {
      if (!done) {
        window.location.assign(link.href);
      }
    },
    () => window.location.assign(link.href),
  );
});
