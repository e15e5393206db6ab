// The tally page's "in this browser" partial decryption (docs/bureau.md).
//
// The member picks their key file (and, for a bureau member, their voutput); the files are read
// here and handed to worker.js, which computes the partial decryption. Only its two lines come
// back: they fill the page's ordinary upload form (#id_text), which the member then submits;
// the server verifies them as any upload. The key files are never sent: the inputs that hold
// them have no name and sit outside the form.
//
// The page's data come from the template: #trustee-data (the election's text, its trustees, the
// encrypted tally), #trustee-texts (the translated messages), data-worker-url on the section.

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

class BrowserDecryption {
  constructor(root) {
    this.root = root;
    this.data = readJson("trustee-data");
    this.texts = readJson("trustee-texts");
    this.status = document.getElementById("trustee-status");
    this.button = document.getElementById("trustee-run");
    this.keyInput = document.getElementById("trustee-key");
    this.voutputInput = document.getElementById("trustee-voutput");
    this.target = document.getElementById("id_text");
    this.worker = new Worker(root.dataset.workerUrl, { type: "module" });
    this.worker.addEventListener("error", () => {
      this.button.disabled = false;
      this.say("internal", true);
    });
    this.worker.addEventListener("message", (event) => this.done(event.data));
    this.button.addEventListener("click", () => this.run());
    root.hidden = false;
  }

  say(code, isError = false) {
    this.status.textContent = this.texts[code] ?? this.texts.internal;
    this.status.classList.toggle("status-refused", isError);
  }

  async run() {
    const keyFile = this.keyInput.files[0];
    if (!keyFile) {
      this.say("no-key", true);
      this.keyInput.focus();
      return;
    }
    const voutputFile = this.voutputInput.files[0];
    this.button.disabled = true;
    this.say("working");
    this.worker.postMessage({
      type: "decrypt",
      election: this.data.election,
      trustees: this.data.trustees,
      tally: this.data.tally,
      key: await keyFile.text(),
      voutput: voutputFile ? await voutputFile.text() : "",
    });
  }

  done(answer) {
    this.button.disabled = false;
    if (answer.type !== "decrypted") {
      this.say(answer.code, true);
      return;
    }
    this.target.value = answer.partial + "\n" + answer.owned + "\n";
    this.status.textContent = this.texts.done.replace("{owner}", String(answer.owner));
    this.status.classList.remove("status-refused");
    const submit = this.target.form.querySelector("button[type=submit]");
    if (submit) submit.focus();
  }
}

const root = document.getElementById("trustee-decrypt");
if (root && document.documentElement.hasAttribute("data-trustee-supported")) {
  new BrowserDecryption(root);
}
