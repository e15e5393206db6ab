// Run the bureau member's in-browser modules (src/urne/static/urne/counting/) in Node (20+:
// BigInt, globalThis.crypto.subtle) for the cross-check tests (tests/counting/trustee_js.py).
//
// stdin: a list of requests; stdout: a list of answers, in order. Requests:
// {"op": "ccm-encrypt"|"ccm-decrypt", "key", "nonce", "data"} (hex) -> {"data"} (hex)
// {"op": "decrypt", "election", "trustees", "tally", "key", "voutput"} -> {"partial", "owned", "owner"}
// {"op": "cert", "seed"?} -> {"seed", "cert", "name"} (a new seed when none is given)
// {"op": "polynomial", "certs", "seed", "threshold"} -> {"polynomial"}
// {"op": "voutput", "certs", "seed", "vinput"} -> {"voutput"}
// Any error -> {"error": name, "code", "trustee"}.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(here, "../../../src/urne/static/urne/counting");
const ccm = await import(path.join(modules, "ccm.js"));
const trustee = await import(path.join(modules, "trustee.js"));

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const bytes = (text) => new Uint8Array(Buffer.from(text, "hex"));
const group = trustee.newGroup();

async function answer(request) {
  switch (request.op) {
    case "ccm-encrypt":
      return { data: hex(await ccm.ccmEncrypt(bytes(request.key), bytes(request.nonce), bytes(request.data))) };
    case "ccm-decrypt":
      return { data: hex(await ccm.ccmDecrypt(bytes(request.key), bytes(request.nonce), bytes(request.data))) };
    case "decrypt": {
      const key = request.voutput
        ? await trustee.readDecryptionKey(group, request.trustees, request.key, request.voutput)
        : trustee.readSingleKey(group, request.trustees, request.key);
      const made = await trustee.makePartialDecryption(
        group, request.election, request.tally, key.x, key.owner,
      );
      return { owner: key.owner, ...made };
    }
    case "cert": {
      const seed = request.seed ?? trustee.makeSeed();
      const made = await trustee.makeCert(group, await trustee.deriveKeys(group, seed));
      return { seed, cert: made.text, name: made.name };
    }
    case "polynomial": {
      const keys = await trustee.deriveKeys(group, request.seed);
      return {
        polynomial: await trustee.makePolynomial(group, request.certs, keys, request.threshold),
      };
    }
    case "voutput": {
      const keys = await trustee.deriveKeys(group, request.seed);
      return { voutput: await trustee.makeVoutput(group, request.certs, keys, request.vinput) };
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const answers = [];
for (const request of JSON.parse(readFileSync(0, "utf-8"))) {
  try {
    answers.push(await answer(request));
  } catch (error) {
    answers.push({
      error: error.name,
      code: error.code ?? null,
      trustee: error.trustee ?? null,
      message: error.message,
    });
  }
}
process.stdout.write(JSON.stringify(answers) + "\n");
