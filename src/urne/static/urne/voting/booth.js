// The booth page: choose, review, type the voting identifier, confirm; the ballot is built by
// worker.js and submitted to the ballot box API (docs/api.md, POST /api/v1/scrutins/<uuid>/bulletins).
//
// The choice never leaves the browser in clear: the page sends only the encrypted ballot. The
// identifier is checked here by its checksum (credentials.js) and is never sent. The page's data
// come from the template: the election's exact text (#election-data), the translated messages
// (#booth-texts), and data attributes on #booth (worker and API URLs, CSRF token).
//
// Steps are sections of one page; each step's heading receives the focus when it is shown;
// #send-status is a live region that says what is happening while the ballot is encrypted and
// sent. A network failure retries the very same submission (same key, same text): the ballot
// box answers a retry with the same receipt, never a second ballot. An overloaded service
// answers 503 « très sollicité » with Retry-After (the load balancer's HTML page, or the
// server's): the page says so, waits that long and sends the same submission again.

import { voteFor } from "./ballot.js";
import { checkPrivateCredential, InvalidCredential } from "./credentials.js";

const RETRIES = 3;
// Overload answers waited out before the page hands the retry to the elector, and the longest
// wait it accepts from a Retry-After (seconds).
const BUSY_RETRIES = 5;
const BUSY_WAIT_MAX = 60;
const BUSY_WAIT_DEFAULT = 10;

// The wait a 503 asks for: its Retry-After in seconds, within reason.
function busyWait(response) {
  const seconds = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  if (!Number.isFinite(seconds) || seconds < 1) return BUSY_WAIT_DEFAULT;
  return Math.min(seconds, BUSY_WAIT_MAX);
}

// The translated message `key` with its {seconds} filled in: its "_one" form for 1 second.
function withSeconds(texts, key, seconds) {
  const message = seconds === 1 ? texts[`${key}_one`] : texts[key];
  return message.replace("{seconds}", String(seconds));
}

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function submissionKey() {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class Booth {
  constructor(root) {
    this.root = root;
    this.electionText = readJson("election-data");
    this.texts = readJson("booth-texts");
    this.question = JSON.parse(this.electionText).questions[0];
    this.choice = null;
    this.ballot = null;
    this.submission = null;
    this.sending = false;
    this.worker = new Worker(root.dataset.workerUrl, { type: "module" });
    this.worker.addEventListener("error", () => this.unsupported());
    this.worker.postMessage({ type: "prepare", election: this.electionText });
    this.bind();
    root.hidden = false;
  }

  $(id) {
    return document.getElementById(id);
  }

  unsupported() {
    this.root.hidden = true;
    this.$("booth-unsupported").hidden = false;
  }

  show(step) {
    for (const section of this.root.querySelectorAll(".booth-step")) {
      section.hidden = section.id !== step;
    }
    const heading = this.$(step).querySelector("h2");
    heading.focus();
  }

  bind() {
    this.$("choose-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.chosen();
    });
    this.$("review-modify").addEventListener("click", () => this.show("step-choose"));
    this.$("review-continue").addEventListener("click", () => {
      this.show("step-identifier");
    });
    this.$("identifier-back").addEventListener("click", () => this.show("step-choose"));
    this.$("identifier-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirmed();
    });
    this.$("send-retry").addEventListener("click", () => this.submit());
  }

  chosen() {
    const checked = this.root.querySelector('input[name="choice"]:checked');
    const error = this.$("choose-error");
    if (!checked) {
      error.textContent = this.texts.choose_required;
      error.hidden = false;
      const first = this.root.querySelector('input[name="choice"]');
      first.setAttribute("aria-invalid", "true");
      first.focus();
      return;
    }
    error.hidden = true;
    this.root.querySelector('input[name="choice"]').removeAttribute("aria-invalid");
    this.choice = checked.value === "blank" ? "blank" : Number(checked.value);
    for (const id of ["review-choice", "identifier-choice"]) {
      this.$(id).textContent = checked.dataset.label;
    }
    this.show("step-review");
  }

  identifierError(message) {
    const input = this.$("identifier");
    const error = this.$("identifier-error");
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  confirmed() {
    const input = this.$("identifier");
    let credential;
    try {
      credential = checkPrivateCredential(input.value);
    } catch (error) {
      if (!(error instanceof InvalidCredential)) throw error;
      this.identifierError(this.texts[`identifier_${error.code}`]);
      return;
    }
    this.$("identifier-error").hidden = true;
    input.removeAttribute("aria-invalid");
    this.build(credential);
  }

  status(message) {
    this.$("send-status").textContent = message;
  }

  build(credential) {
    this.show("step-send");
    this.$("send-error").hidden = true;
    this.status(this.texts.encrypting);
    this.worker.onmessage = (event) => {
      const answer = event.data;
      if (answer.type === "ballot") {
        this.$("identifier").value = "";
        this.ballot = answer;
        this.submission = submissionKey();
        this.$("tracker").textContent = answer.tracker;
        this.$("send-tracker").hidden = false;
        this.submit();
      } else if (answer.type === "error") {
        this.failed(answer.error === "InvalidCredential" ? this.texts.identifier_checksum : this.texts.failed);
      }
    };
    this.worker.postMessage({
      type: "build",
      election: this.electionText,
      vote: [voteFor(this.question, this.choice)],
      credential,
    });
  }

  failed(message, retry = false, code = null) {
    this.status("");
    this.$("send-error-message").textContent = message;
    this.$("send-retry").hidden = !retry;
    // A vote is final: an elector told they have already voted is led to the receipt they have.
    this.$("send-receipt").hidden = code !== "already_voted";
    this.$("send-error").hidden = false;
    this.$("send-error").focus();
  }

  async submit() {
    if (this.sending || !this.ballot) return;
    this.sending = true;
    this.$("send-error").hidden = true;
    this.status(this.texts.sending);
    try {
      let busy = 0;
      for (let attempt = 0; ; attempt++) {
        let response;
        try {
          response = await fetch(this.root.dataset.apiUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              Accept: "application/json",
              "X-CSRFToken": this.root.dataset.csrfToken,
            },
            body: JSON.stringify({ ballot: this.ballot.text, submission: this.submission }),
          });
        } catch {
          if (attempt < RETRIES) {
            await sleep(1000 * (attempt + 1));
            continue;
          }
          this.failed(this.texts.network_error, true);
          return;
        }
        let data = null;
        try {
          data = await response.json();
        } catch {
          data = null;
        }
        if (response.ok && data && data.receipt_url) {
          this.status(this.texts.accepted);
          window.location.assign(data.receipt_url);
          return;
        }
        if (response.status === 503) {
          // Not a failure of the ballot: the service asks for a moment. Nothing was recorded.
          const seconds = busyWait(response);
          if (busy < BUSY_RETRIES) {
            busy++;
            this.status(withSeconds(this.texts, "busy_waiting", seconds));
            await sleep(1000 * seconds);
            this.status(this.texts.sending);
            continue;
          }
          this.failed(withSeconds(this.texts, "busy", seconds), true);
          return;
        }
        if (response.status >= 500 && attempt < RETRIES) {
          await sleep(1000 * (attempt + 1));
          continue;
        }
        // Worth retrying as it stands: a server error, or too many attempts (once the minute
        // has passed). Not a CSRF refusal: the page's token is stale, its message says to
        // reload the page.
        const retry = response.status >= 500 || response.status === 429;
        this.failed((data && data.message) || this.texts.failed, retry, data && data.error);
        return;
      }
    } finally {
      this.sending = false;
    }
  }
}

const root = document.getElementById("booth");
if (root && document.documentElement.hasAttribute("data-booth-supported")) {
  new Booth(root);
}
