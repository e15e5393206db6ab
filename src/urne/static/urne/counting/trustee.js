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
//   "owned" second line naming the trustee, as `urne trustee decrypt` prints them.
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
  constructor(code, message = code) {
    super(message);
    this.name = "TrusteeError";
    this.code = code;
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
