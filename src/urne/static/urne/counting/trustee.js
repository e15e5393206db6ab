// A bureau member's side of Belenios 2.0 in the browser: their keys, the ceremony's sealed
// messages, and their partial decryption of the tally (urne's src/urne/crypto/pedersen.py and
// tally.py, byte for byte). Reuses the booth's modules (group, hashing, JSON writing).
//
// - `deriveKeys(group, seed)`: sk = SHA256("sk|seed") mod q, dk = SHA256("dk|seed") mod q;
// - `decryptMessage` / `receive`: open a message sent to this member (ElGamal-like key
//   encapsulation, AES-256-CCM with a 13-byte nonce and an 8-byte tag), check the sender's
//   Schnorr signature and that the message names this member;
// - `readDecryptionKey`: open the member's sealed key share (the voutput's `private_key`, the
//   tool's ID.dkey) with their seed and check it against the published verification key;
// - `readPrivateKey`: a "Single" trustee's ID.privkey;
// - `makePartialDecryption`: alpha^x for each ciphertext of the tally with its proof, and the
//   "owned" second line naming the trustee, as `urne trustee decrypt` prints them;
// - the key ceremony's member steps (belenios-tool `--step 1, 3, 5`): `makeSeed` and `makeCert`,
//   `makePolynomial` from certs.jsons, `makeVoutput` from the member's vinput, each checking
//   what it receives as pedersen.py does (a `TrusteeError` with `trustee` naming the sender at
//   fault).
//
// Errors are `TrusteeError` with a `code` the page turns into a French message.

import { BASE58 } from "../voting/credentials.js";
import { Group, mod, powMod } from "../voting/group.js";
import { hashJson, hashMod, joinNumbers } from "../voting/hashing.js";
import { dumps } from "../voting/jsonio.js";
import { ccmDecrypt, ccmEncrypt, CcmError } from "./ccm.js";

export const SEED_LENGTH = 22;
const NONCE_BYTES = 13;
const TAG_BYTES = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class TrusteeError extends Error {
  constructor(code, message = code, trustee = null) {
    super(message);
    this.name = "TrusteeError";
    this.code = code;
    this.trustee = trustee;
  }
}

export function newGroup() {
  return new Group(undefined, { tables: false });
}

async function sha256(text) {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export async function sha256Hex(text) {
  return Array.from(await sha256(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

function hexToBytes(text) {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TrusteeError("malformed", "not hexadecimal");
  }
  const out = new Uint8Array(text.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(text.slice(2 * k, 2 * k + 2), 16);
  return out;
}

function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function parse(text, code = "malformed") {
  try {
    return JSON.parse(text);
  } catch {
    throw new TrusteeError(code, "not JSON");
  }
}

function object(value, ...fields) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TrusteeError("malformed", "not an object");
  }
  for (const field of fields) {
    if (!(field in value)) throw new TrusteeError("malformed", `no ${field}`);
  }
  return value;
}

function natural(value) {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new TrusteeError("malformed", "not a number");
  }
  return BigInt(value);
}

/** A group element given as a base-10 string (checked in the subgroup). */
export function readElement(group, value) {
  const x = natural(value);
  if (!group.isElement(x)) throw new TrusteeError("malformed", "not a group element");
  return x;
}

function readExponent(group, value) {
  const x = natural(value);
  if (x >= group.q) throw new TrusteeError("malformed", "not below q");
  return x;
}

// --- keys ------------------------------------------------------------------------------------

/** The seed in `text` (the content of ID.key; blanks around it ignored). */
export function checkSeed(text) {
  const seed = text.trim();
  if (seed.length !== SEED_LENGTH || [...seed].some((c) => !BASE58.includes(c))) {
    throw new TrusteeError("bad-seed");
  }
  return seed;
}

export async function deriveKeys(group, seedText) {
  const seed = checkSeed(seedText);
  const signingKey = await hashMod("sk|" + seed, group.q);
  const decryptionKey = await hashMod("dk|" + seed, group.q);
  return {
    seed,
    signingKey,
    verificationKey: group.pow_g(signingKey),
    decryptionKey,
    encryptionKey: group.pow_g(decryptionKey),
  };
}

/** A "Single" trustee's private key (ID.privkey: a JSON string holding the number). */
export function readPrivateKey(group, text) {
  let value;
  try {
    value = JSON.parse(text.trim());
  } catch {
    throw new TrusteeError("bad-privkey");
  }
  try {
    return readExponent(group, value);
  } catch {
    throw new TrusteeError("bad-privkey");
  }
}

// --- proofs (urne.crypto.proofs: make_dlog_proof / verify_dlog_proof) -------------------------

export async function makeDlogProof(group, prefix, secret, bases = []) {
  const w = group.randomExponent();
  const commitments = [group.pow_g(w), ...bases.map((base) => group.pow(base, w))];
  const challenge = await hashMod(prefix + joinNumbers(commitments), group.q);
  const response = mod(w - secret * challenge, group.q);
  return { challenge, response };
}

export function proofToJson(proof) {
  return { challenge: proof.challenge.toString(), response: proof.response.toString() };
}

export function readProof(group, value) {
  const fields = object(value, "challenge", "response");
  return {
    challenge: readExponent(group, fields.challenge),
    response: readExponent(group, fields.response),
  };
}

export async function verifyDlogProof(group, prefix, publicKey, proof, pairs = []) {
  const { challenge: c, response: r } = proof;
  const commitments = [group.mul(group.pow_g(r), group.pow(publicKey, c))];
  for (const [base, image] of pairs) {
    commitments.push(group.mul(group.pow(base, r), group.pow(image, c)));
  }
  return (await hashMod(prefix + joinNumbers(commitments), group.q)) === c;
}

// --- signed and encrypted messages -----------------------------------------------------------

export async function signMessage(group, signingKey, message) {
  const signature = await makeDlogProof(group, `sigmsg|${message}|`, signingKey);
  return { message, signature: proofToJson(signature) };
}

/** The message of a signed message (parsed JSON) signed by `verificationKey`, or throws. */
export async function checkSigned(group, value, verificationKey) {
  const fields = object(value, "message", "signature");
  if (typeof fields.message !== "string") throw new TrusteeError("malformed", "no message");
  const proof = readProof(group, fields.signature);
  if (!(await verifyDlogProof(group, `sigmsg|${fields.message}|`, verificationKey, proof))) {
    throw new TrusteeError("bad-signature");
  }
  return fields.message;
}

async function aes(gS, alpha) {
  const key = await sha256(`key|${gS}`);
  const nonce = (await sha256(`iv|${alpha}`)).slice(0, NONCE_BYTES);
  return { key, nonce };
}

export async function encryptMessage(group, encryptionKey, message) {
  const r = group.randomExponent();
  const s = group.randomExponent();
  const alpha = group.pow_g(r);
  const gS = group.pow_g(s);
  const beta = group.mul(group.pow(encryptionKey, r), gS);
  const { key, nonce } = await aes(gS, alpha);
  const data = await ccmEncrypt(key, nonce, encoder.encode(message), TAG_BYTES);
  return { alpha: alpha.toString(), beta: beta.toString(), data: bytesToHex(data) };
}

export async function decryptMessage(group, decryptionKey, value) {
  const fields = object(value, "alpha", "beta", "data");
  const alpha = readElement(group, fields.alpha);
  const beta = readElement(group, fields.beta);
  if (typeof fields.data !== "string") throw new TrusteeError("malformed", "no data");
  const data = hexToBytes(fields.data);
  const shared = group.pow(alpha, decryptionKey);
  const gS = mod(beta * powMod(shared, group.p - 2n, group.p), group.p);
  const { key, nonce } = await aes(gS, alpha);
  try {
    return decoder.decode(await ccmDecrypt(key, nonce, data, TAG_BYTES));
  } catch (error) {
    if (error instanceof CcmError || error instanceof TypeError) {
      throw new TrusteeError("not-for-me");
    }
    throw error;
  }
}

/** send(sk, recipient, message) of the spec §4.6.3, serialized as urne and belenios-tool do. */
export async function send(group, signingKey, recipient, message) {
  const channel = dumps({ recipient: recipient.toString(), message });
  const signed = dumps(await signMessage(group, signingKey, channel));
  return dumps(await encryptMessage(group, recipient, signed));
}

/** The message of `send`'s output `text`, received by `keys`' holder from `sender`. */
export async function receive(group, keys, sender, text) {
  const opened = await decryptMessage(group, keys.decryptionKey, parse(text));
  const message = await checkSigned(group, parse(opened), sender);
  const channel = object(parse(message), "recipient", "message");
  if (channel.recipient !== keys.encryptionKey.toString()) throw new TrusteeError("not-for-me");
  if (typeof channel.message !== "string") throw new TrusteeError("malformed", "no message");
  return channel.message;
}

// --- certificates and the trustees' structure ------------------------------------------------

export function certKeys(group, cert) {
  const fields = object(cert, "message", "signature");
  const keys = object(parse(fields.message), "verification", "encryption");
  return {
    verification: readElement(group, keys.verification),
    encryption: readElement(group, keys.encryption),
  };
}

/** Every trustee who may decrypt, numbered as the archive's `owner` (decryption_slots). */
export function decryptionSlots(group, trusteesText) {
  const items = parse(trusteesText);
  if (!Array.isArray(items)) throw new TrusteeError("malformed", "trustees");
  const slots = [];
  for (const item of items) {
    if (!Array.isArray(item) || item.length !== 2) throw new TrusteeError("malformed", "trustee");
    const [kind, body] = item;
    if (kind === "Single") {
      const key = object(body, "public_key");
      slots.push({ owner: slots.length + 1, publicKey: readElement(group, key.public_key) });
    } else if (kind === "Pedersen") {
      const fields = object(body, "threshold", "certs", "verification_keys");
      fields.verification_keys.forEach((key, index) => {
        slots.push({
          owner: slots.length + 1,
          publicKey: readElement(group, object(key, "public_key").public_key),
          cert: fields.certs[index],
          position: index + 1,
        });
      });
    } else {
      throw new TrusteeError("malformed", "unknown kind of trustee");
    }
  }
  return slots;
}

/**
 * A threshold member's key share, from their seed (ID.key) and their sealed share (the
 * voutput's `private_key` or the whole voutput, or ID.dkey). Returns {owner, x}.
 */
export async function readDecryptionKey(group, trusteesText, seedText, sealedText) {
  const keys = await deriveKeys(group, seedText);
  const slots = decryptionSlots(group, trusteesText).filter((slot) => slot.cert !== undefined);
  const slot = slots.find((candidate) => {
    const found = certKeys(group, candidate.cert);
    return found.verification === keys.verificationKey && found.encryption === keys.encryptionKey;
  });
  if (slot === undefined) throw new TrusteeError("not-a-trustee");
  let sealed = sealedText.trim();
  const parsed = parse(sealed, "bad-voutput");
  if (parsed !== null && typeof parsed === "object" && "private_key" in parsed) {
    sealed = parsed.private_key;
    if (typeof sealed !== "string") throw new TrusteeError("bad-voutput");
  }
  let share;
  try {
    const message = await receive(group, keys, keys.verificationKey, sealed);
    share = mod(natural(object(parse(message), "decryption_key").decryption_key), group.q);
  } catch (error) {
    if (error instanceof TrusteeError) throw new TrusteeError("bad-voutput", error.message);
    throw error;
  }
  if (group.pow_g(share) !== slot.publicKey) throw new TrusteeError("bad-voutput", "mismatch");
  return { owner: slot.owner, x: share };
}

/** A "Single" trustee's key from ID.privkey: {owner, x}. */
export function readSingleKey(group, trusteesText, privkeyText) {
  const x = readPrivateKey(group, privkeyText);
  const publicKey = group.pow_g(x);
  const slot = decryptionSlots(group, trusteesText).find((s) => s.publicKey === publicKey);
  if (slot === undefined) throw new TrusteeError("not-a-trustee");
  return { owner: slot.owner, x };
}

// --- the partial decryption ------------------------------------------------------------------

/**
 * The partial decryption of `tallyText` (the encrypted_tally JSON) with x, and its owned line:
 * the two lines of `urne trustee decrypt` / `belenios-tool election decrypt`.
 */
export async function makePartialDecryption(group, electionText, tallyText, x, owner) {
  const fingerprint = await hashJson(electionText);
  const publicKey = group.pow_g(x);
  const prefix = `decrypt|${fingerprint}|${publicKey}|`;
  const rows = parse(tallyText);
  if (!Array.isArray(rows)) throw new TrusteeError("malformed", "tally");
  const factors = [];
  const proofs = [];
  for (const row of rows) {
    if (!Array.isArray(row)) throw new TrusteeError("malformed", "tally");
    const rowFactors = [];
    const rowProofs = [];
    for (const ciphertext of row) {
      const alpha = readElement(group, object(ciphertext, "alpha", "beta").alpha);
      rowFactors.push(group.pow(alpha, x).toString());
      rowProofs.push(proofToJson(await makeDlogProof(group, prefix, x, [alpha])));
    }
    factors.push(rowFactors);
    proofs.push(rowProofs);
  }
  const partial = dumps({ decryption_factors: factors, decryption_proofs: proofs });
  const owned = dumps({ owner, payload: await sha256Hex(partial) });
  return { partial, owned };
}

// --- the key ceremony (steps 1, 3 and 5 of a member) -----------------------------------------

/** A fresh seed: 22 Base58 characters drawn uniformly (the content of ID.key). */
export function makeSeed() {
  let seed = "";
  const byte = new Uint8Array(1);
  while (seed.length < SEED_LENGTH) {
    globalThis.crypto.getRandomValues(byte);
    // 58 * 4 = 232: a byte at or above it is thrown away, so no character is favoured.
    if (byte[0] < 232) seed += BASE58[byte[0] % 58];
  }
  return seed;
}

/** Step 1: the certificate (the public keys, signed): the text of ID.cert, and its name. */
export async function makeCert(group, keys) {
  const message = dumps({
    verification: keys.verificationKey.toString(),
    encryption: keys.encryptionKey.toString(),
  });
  const text = dumps(await signMessage(group, keys.signingKey, message));
  return { text, name: await sha256Hex(message) };
}

/** Step 2 (pedersen.verify_certs): certs.jsons read and checked; each trustee's keys. */
export async function verifyCerts(group, certsText) {
  const lines = certsText.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < 2) throw new TrusteeError("bad-certs", "fewer than two certificates");
  const keys = [];
  for (const [index, line] of lines.entries()) {
    const position = index + 1;
    try {
      const cert = parse(line);
      const found = certKeys(group, cert);
      await checkSigned(group, cert, found.verification);
      keys.push(found);
    } catch (error) {
      if (error instanceof TrusteeError) throw new TrusteeError("bad-certs", error.message, position);
      throw error;
    }
  }
  const seen = new Set();
  keys.forEach((found, index) => {
    for (const key of [found.verification, found.encryption]) {
      if (seen.has(key)) throw new TrusteeError("bad-certs", "a key repeated", index + 1);
      seen.add(key);
    }
  });
  return keys;
}

function ownPosition(keys, certs) {
  const index = certs.findIndex(
    (found) =>
      found.verification === keys.verificationKey && found.encryption === keys.encryptionKey,
  );
  if (index < 0) throw new TrusteeError("not-in-certs");
  return index + 1;
}

/** Step 3: a random polynomial of degree threshold - 1; the text of polynomial.json. */
export async function makePolynomial(group, certsText, keys, threshold) {
  const certs = await verifyCerts(group, certsText);
  ownPosition(keys, certs);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > certs.length) {
    throw new TrusteeError("bad-threshold");
  }
  const q = group.q;
  const coefficients = Array.from({ length: threshold }, () => group.randomExponent());
  const valueAt = (x) => coefficients.reduceRight((acc, a) => (acc * BigInt(x) + a) % q, 0n);
  const rawPolynomial = dumps({ polynomial: coefficients.map(String) });
  const rawCoefexps = dumps({ coefexps: coefficients.map((a) => group.pow_g(a).toString()) });
  const secrets = [];
  for (const [index, recipient] of certs.entries()) {
    const secret = dumps({ secret: valueAt(index + 1).toString() });
    secrets.push(await send(group, keys.signingKey, recipient.encryption, secret));
  }
  return dumps({
    polynomial: await send(group, keys.signingKey, keys.encryptionKey, rawPolynomial),
    secrets,
    coefexps: await signMessage(group, keys.signingKey, rawCoefexps),
  });
}

async function checkedCoefexps(group, certs, coefexps) {
  if (!Array.isArray(coefexps) || coefexps.length !== certs.length) {
    throw new TrusteeError("bad-vinput", "one coefexps per trustee");
  }
  const rows = [];
  for (const [index, signed] of coefexps.entries()) {
    try {
      const message = await checkSigned(group, signed, certs[index].verification);
      const items = object(parse(message), "coefexps").coefexps;
      if (!Array.isArray(items) || items.length === 0) throw new TrusteeError("malformed");
      rows.push(items.map((item) => readElement(group, item)));
    } catch (error) {
      if (error instanceof TrusteeError) throw new TrusteeError("bad-value", error.message, index + 1);
      throw error;
    }
  }
  if (new Set(rows.map((row) => row.length)).size !== 1) {
    throw new TrusteeError("bad-vinput", "not the same threshold");
  }
  return rows;
}

function commitmentAt(group, row, j) {
  let result = 1n;
  row.forEach((coefficient, k) => {
    result = group.mul(result, powMod(coefficient, BigInt(j) ** BigInt(k), group.p));
  });
  return result;
}

function number(group, value) {
  return mod(natural(value), group.q);
}

/**
 * Step 5: check every value received against the committed coefficients, add them into the
 * key share, seal it for oneself; the text of voutput.json (to upload, and to keep).
 */
export async function makeVoutput(group, certsText, keys, vinputText) {
  const certs = await verifyCerts(group, certsText);
  const j = ownPosition(keys, certs);
  const vinput = object(parse(vinputText, "bad-vinput"), "polynomial", "secrets", "coefexps");
  if (!Array.isArray(vinput.secrets) || vinput.secrets.length !== certs.length) {
    throw new TrusteeError("bad-vinput", "one value per trustee");
  }
  const rows = await checkedCoefexps(group, certs, vinput.coefexps);
  let coefficients;
  try {
    const own = await receive(group, keys, keys.verificationKey, vinput.polynomial);
    const items = object(parse(own), "polynomial").polynomial;
    if (!Array.isArray(items)) throw new TrusteeError("malformed");
    coefficients = items.map((item) => number(group, item));
  } catch (error) {
    if (error instanceof TrusteeError) throw new TrusteeError("bad-own", error.message, j);
    throw error;
  }
  const mine = rows[j - 1];
  if (
    coefficients.length !== mine.length ||
    coefficients.some((a, k) => group.pow_g(a) !== mine[k])
  ) {
    throw new TrusteeError("bad-own", "own polynomial does not match its coefexps", j);
  }
  let share = 0n;
  for (const [index, text] of vinput.secrets.entries()) {
    let value;
    try {
      if (typeof text !== "string") throw new TrusteeError("malformed");
      const message = await receive(group, keys, certs[index].verification, text);
      value = number(group, object(parse(message), "secret").secret);
    } catch (error) {
      if (error instanceof TrusteeError) throw new TrusteeError("bad-value", error.message, index + 1);
      throw error;
    }
    if (group.pow_g(value) !== commitmentAt(group, rows[index], j)) {
      throw new TrusteeError("bad-value", "does not match its coefexps", index + 1);
    }
    share = (share + value) % group.q;
  }
  const sealed = await send(
    group,
    keys.signingKey,
    keys.encryptionKey,
    dumps({ decryption_key: share.toString() }),
  );
  const publicKey = group.pow_g(share);
  const pok = await makeDlogProof(group, `pok|${group.name}|${publicKey}|`, share);
  return dumps({
    private_key: sealed,
    public_key: { pok: proofToJson(pok), public_key: publicKey.toString() },
  });
}
