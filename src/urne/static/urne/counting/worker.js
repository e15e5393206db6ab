// The member's computations, off the page's thread: the keys are read and used here and never
// leave the browser; only the partial decryption (public) goes back to the page.
//
// Message in: {type: "decrypt", election, trustees, tally, key, voutput}: the election's text,
// its trustees.json, the encrypted tally (JSON text), the key file's text (ID.key's seed, or a
// "Single" trustee's ID.privkey) and, with a seed, the voutput's text (or ID.dkey).
// Message out: {type: "decrypted", partial, owned, owner} or {type: "error", code}.
//
// The key ceremony's member steps (docs/bureau.md):
// {type: "cert"} -> {type: "cert", seed, cert, name}: a new seed (the member downloads it as
//   NAME.key) and its certificate;
// {type: "polynomial", key, certs, threshold} -> {type: "polynomial", polynomial};
// {type: "voutput", key, certs, vinput} -> {type: "voutput", voutput};
// errors: {type: "error", code, trustee} (trustee: the sender at fault, when known).

import {
  checkSeed,
  deriveKeys,
  makeCert,
  makePolynomial,
  makeSeed,
  makeVoutput,
  makePartialDecryption,
  newGroup,
  readDecryptionKey,
  readSingleKey,
  TrusteeError,
} from "./trustee.js";

const group = newGroup();

function isPrivkey(text) {
  try {
    return typeof JSON.parse(text.trim()) === "string";
  } catch {
    return false;
  }
}

async function decrypt(request) {
  let key;
  if (isPrivkey(request.key)) {
    key = readSingleKey(group, request.trustees, request.key);
  } else {
    checkSeed(request.key);
    if (!request.voutput.trim()) throw new TrusteeError("no-voutput");
    key = await readDecryptionKey(group, request.trustees, request.key, request.voutput);
  }
  const made = await makePartialDecryption(
    group,
    request.election,
    request.tally,
    key.x,
    key.owner,
  );
  return { type: "decrypted", owner: key.owner, ...made };
}

async function ceremonyStep(request) {
  if (request.type === "cert") {
    const seed = makeSeed();
    const made = await makeCert(group, await deriveKeys(group, seed));
    return { type: "cert", seed, cert: made.text, name: made.name };
  }
  const keys = await deriveKeys(group, request.key);
  if (request.type === "polynomial") {
    const polynomial = await makePolynomial(group, request.certs, keys, request.threshold);
    return { type: "polynomial", polynomial };
  }
  return { type: "voutput", voutput: await makeVoutput(group, request.certs, keys, request.vinput) };
}

const STEPS = new Set(["cert", "polynomial", "voutput"]);

self.addEventListener("message", async (event) => {
  const request = event.data;
  try {
    if (request.type === "decrypt") self.postMessage(await decrypt(request));
    else if (STEPS.has(request.type)) self.postMessage(await ceremonyStep(request));
    else self.postMessage({ type: "error", code: "unknown-request" });
  } catch (error) {
    const known = error instanceof TrusteeError;
    self.postMessage({
      type: "error",
      code: known ? error.code : "internal",
      trustee: known ? error.trustee : null,
    });
  }
});
