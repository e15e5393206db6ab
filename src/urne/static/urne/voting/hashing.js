// The hash functions of Belenios 2.0, with Web Crypto's SHA-256 (urne's src/urne/crypto/hashing.py).
//
// - `hashJson(text)`: H_JSON, SHA-256 in Base64 without the "=" padding (the election
//   fingerprint, the hash a ballot's signature covers, the smart ballot tracker);
// - `hashMod(text, q)`: SHA-256 read as a big-endian number, reduced modulo q (every challenge);
// - `joinNumbers(values)`: numbers in base 10 separated by commas.
// Texts are UTF-8 encoded first. All are async (crypto.subtle.digest is).

const encoder = new TextEncoder();

async function digest(text) {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export async function hashJson(text) {
  const bytes = await digest(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "");
}

export function bytesToBigInt(bytes) {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export async function hashMod(text, q) {
  return bytesToBigInt(await digest(text)) % q;
}

export function joinNumbers(values) {
  return values.map((value) => value.toString()).join(",");
}
