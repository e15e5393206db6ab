// The member's computations, off the page's thread: the keys are read and used here and never
// leave the browser; only the partial decryption (public) goes back to the page.
//
// Message in: {type: "decrypt", election, trustees, tally, key, voutput}: the election's text,
// its trustees.json, the encrypted tally (JSON text), the key file's text (ID.key's seed, or a
// "Single" trustee's ID.privkey) and, with a seed, the voutput's text (or ID.dkey).
// Message out: {type: "decrypted", partial, owned, owner} or {type: "error", code}.

import {
  checkSeed,
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

self.addEventListener("message", async (event) => {
  const request = event.data;
  try {
    if (request.type === "decrypt") self.postMessage(await decrypt(request));
    else self.postMessage({ type: "error", code: "unknown-request" });
  } catch (error) {
    self.postMessage({
      type: "error",
      code: error instanceof TrusteeError ? error.code : "internal",
    });
  }
});
