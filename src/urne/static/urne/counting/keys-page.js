// The member's page: each step of the key ceremony done in this browser (docs/bureau.md).
//
// Each pending fragment's section holds a `.trustee-step` block (data-step: cert, polynomial or
// voutput; data-target: the id of the upload form's text field; data-threshold, data-certs-url,
// data-vinput-url). worker.js computes; the page fills the fragment's ordinary upload form,
// which the member submits, and offers what the member must keep as a download:
// - step 1: a new key; its file NAME.key is offered first, and the certificate fills the form
//   only once the member has taken the key (the key itself is never put in the form);
// - step 3: the member's ID.key is read here, certs.jsons fetched from the page's own link;
// - step 5: likewise with the member's vinput; the voutput fills the form and is offered as
//   voutput.json to keep for the count.
// The key file's input has no name and sits outside the form: it is never sent.

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

async function fetchText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error("download");
  return response.text();
}

function offer(link, text, name) {
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type: "application/octet-stream" }));
  link.download = name;
  link.hidden = false;
}

class Step {
  constructor(root, worker, texts) {
    this.root = root;
    this.worker = worker;
    this.texts = texts;
    this.kind = root.dataset.step;
    this.target = document.getElementById(root.dataset.target);
    this.status = root.querySelector(".trustee-step-status");
    this.button = root.querySelector("button");
    this.keyInput = root.querySelector("input[type=file]");
    this.link = root.querySelector("a.trustee-download");
    this.button.addEventListener("click", () => this.run());
    root.hidden = false;
  }

  say(text, isError = false) {
    this.status.textContent = text;
    this.status.classList.toggle("status-refused", isError);
  }

  sayCode(code, trustee) {
    const text = this.texts[code] ?? this.texts.internal;
    this.say(text.replace("{trustee}", String(trustee ?? "?")), true);
  }

  fill(text) {
    this.target.value = text;
    const submit = this.target.form.querySelector("button[type=submit]");
    if (submit) submit.focus();
  }

  async run() {
    const request = { type: this.kind };
    const file = this.kind === "cert" ? null : this.keyInput.files[0];
    if (this.kind !== "cert" && !file) {
      this.say(this.texts["no-key"], true);
      this.keyInput.focus();
      return;
    }
    this.button.disabled = true;
    this.say(this.texts.working);
    try {
      if (file) {
        request.key = await file.text();
        request.certs = await fetchText(this.root.dataset.certsUrl);
        if (this.kind === "polynomial") request.threshold = Number(this.root.dataset.threshold);
        else request.vinput = await fetchText(this.root.dataset.vinputUrl);
      }
    } catch {
      this.button.disabled = false;
      this.say(this.texts.download, true);
      return;
    }
    const answer = await new Promise((resolve) => {
      this.worker.onmessage = (event) => resolve(event.data);
      this.worker.onerror = () => resolve({ type: "error", code: "internal" });
      this.worker.postMessage(request);
    });
    this.button.disabled = false;
    if (answer.type === "error") {
      this.sayCode(answer.code, answer.trustee);
      return;
    }
    if (answer.type === "cert") {
      this.button.disabled = true; // one key per fragment: a second would not match the first
      offer(this.link, answer.seed + "\n", `${answer.name}.key`);
      this.link.textContent = this.texts["key-link"].replace("{name}", `${answer.name}.key`);
      this.say(this.texts["cert-made"]);
      this.link.addEventListener(
        "click",
        () => {
          this.fill(answer.cert + "\n");
          this.say(this.texts["cert-ready"]);
        },
        { once: true },
      );
      this.link.focus();
    } else if (answer.type === "polynomial") {
      this.fill(answer.polynomial + "\n");
      this.say(this.texts["polynomial-ready"]);
    } else {
      offer(this.link, answer.voutput + "\n", "voutput.json");
      this.link.textContent = this.texts["voutput-link"];
      this.fill(answer.voutput + "\n");
      this.say(this.texts["voutput-ready"]);
    }
  }
}

const steps = document.querySelectorAll(".trustee-step");
if (steps.length && document.documentElement.hasAttribute("data-trustee-supported")) {
  const texts = readJson("keys-texts");
  const workerUrl = document.getElementById("trustee-keys").dataset.workerUrl;
  for (const root of steps) {
    // One worker per fragment: each step waits for its own answer.
    new Step(root, new Worker(workerUrl, { type: "module" }), texts);
  }
}
