// AES-CCM (RFC 3610) on Web Crypto's AES-CBC and AES-CTR, which Web Crypto lacks as a mode of its
// own. Belenios 2.0 seals the ceremony's messages with AES-256-CCM, a 13-byte nonce and an 8-byte
// tag, no associated data (urne's src/urne/crypto/pedersen.py `encrypt_message`).
//
// - the tag: the CBC-MAC of B0 (flags, nonce, message length) and the message padded with zeros,
//   i.e. the last block of an AES-CBC encryption with a zero IV (Web Crypto adds one PKCS#7
//   block after it, ignored), truncated and masked with S0 = AES(A0);
// - the data: the message XOR the key stream AES(A1), AES(A2), ... where Ai is the counter block
//   (flags L-1, nonce, i on L bytes): one AES-CTR call from A0 gives S0 and the stream at once.

const BLOCK = 16;

export class CcmError extends Error {
  constructor(message) {
    super(message);
    this.name = "CcmError";
  }
}

async function importKey(raw) {
  const subtle = globalThis.crypto.subtle;
  return {
    cbc: await subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt"]),
    ctr: await subtle.importKey("raw", raw, "AES-CTR", false, ["encrypt"]),
  };
}

function lengthOfLength(nonce) {
  if (nonce.length < 7 || nonce.length > 13) throw new CcmError("the nonce is 7 to 13 bytes");
  return 15 - nonce.length;
}

function putNumber(block, value, size) {
  for (let k = 0; k < size; k++) block[BLOCK - 1 - k] = Math.floor(value / 256 ** k) % 256;
}

async function cbcMac(keys, nonce, message, tagLength) {
  const L = lengthOfLength(nonce);
  const padded = Math.ceil(message.length / BLOCK) * BLOCK;
  const blocks = new Uint8Array(BLOCK + padded);
  blocks[0] = (((tagLength - 2) / 2) << 3) | (L - 1);
  blocks.set(nonce, 1);
  putNumber(blocks, message.length, L);
  blocks.set(message, BLOCK);
  const out = new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: "AES-CBC", iv: new Uint8Array(BLOCK) },
      keys.cbc,
      blocks,
    ),
  );
  return out.slice(blocks.length - BLOCK, blocks.length);
}

async function ctr(keys, nonce, data) {
  const L = lengthOfLength(nonce);
  const counter = new Uint8Array(BLOCK);
  counter[0] = L - 1;
  counter.set(nonce, 1);
  const input = new Uint8Array(BLOCK + data.length);
  input.set(data, BLOCK);
  const out = new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: "AES-CTR", counter, length: 8 * L },
      keys.ctr,
      input,
    ),
  );
  return { s0: out.slice(0, BLOCK), data: out.slice(BLOCK) };
}

function checkSizes(key, nonce, tagLength, length) {
  if (![16, 24, 32].includes(key.length)) throw new CcmError("the key is 16, 24 or 32 bytes");
  if (![4, 6, 8, 10, 12, 14, 16].includes(tagLength)) throw new CcmError("bad tag length");
  if (length >= 256 ** lengthOfLength(nonce)) throw new CcmError("the message is too long");
}

/** The ciphertext followed by the tag (as Python cryptography's AESCCM.encrypt). */
export async function ccmEncrypt(key, nonce, plaintext, tagLength = 8) {
  checkSizes(key, nonce, tagLength, plaintext.length);
  const keys = await importKey(key);
  const mac = await cbcMac(keys, nonce, plaintext, tagLength);
  const { s0, data } = await ctr(keys, nonce, plaintext);
  const out = new Uint8Array(data.length + tagLength);
  out.set(data);
  for (let k = 0; k < tagLength; k++) out[data.length + k] = mac[k] ^ s0[k];
  return out;
}

/** The plaintext of ciphertext + tag; throws `CcmError` when the tag does not match. */
export async function ccmDecrypt(key, nonce, sealed, tagLength = 8) {
  if (sealed.length < tagLength) throw new CcmError("the message is shorter than its tag");
  checkSizes(key, nonce, tagLength, sealed.length - tagLength);
  const keys = await importKey(key);
  const body = sealed.slice(0, sealed.length - tagLength);
  const { s0, data } = await ctr(keys, nonce, body);
  const mac = await cbcMac(keys, nonce, data, tagLength);
  let difference = 0;
  for (let k = 0; k < tagLength; k++) difference |= (mac[k] ^ s0[k]) ^ sealed[body.length + k];
  if (difference !== 0) throw new CcmError("the tag does not match: another key, or altered");
  return data;
}
