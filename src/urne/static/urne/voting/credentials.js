// Voting identifiers (private credentials, spec §4.8; urne's src/urne/crypto/credentials.py).
//
// An identifier is 15 Base58 characters written XXX-XXX-XXX-XXX-XXX: 14 random ones and a
// checksum, 53 − n mod 53 where n is the first 14 read as a big-endian Base58 number.
// - `checkPrivateCredential(text)`: the canonical dashed form of what the voter typed (dashes
//   optional, blanks around ignored), or throws an `InvalidCredential` whose `code` says why
//   ("length", "characters", "checksum"). This is done in the browser: the identifier is never
//   sent anywhere.
// - `deriveSecret(credential, uuid, q)`: PBKDF2-HMAC-SHA256(identifier, salt = election uuid,
//   1000 iterations, 32 bytes) read big-endian, modulo q (Web Crypto).

import { bytesToBigInt } from "./hashing.js";

export const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export class InvalidCredential extends Error {
  constructor(code, message) {
    super(message);
    this.name = "InvalidCredential";
    this.code = code;
  }
}

function checksum(body) {
  let number = 0n;
  for (const character of body) number = number * 58n + BigInt(BASE58.indexOf(character));
  return BASE58[Number((((53n - number) % 53n) + 53n) % 53n)];
}

function dashed(raw) {
  return [0, 3, 6, 9, 12].map((i) => raw.slice(i, i + 3)).join("-");
}

export function checkPrivateCredential(text) {
  const stripped = text.trim();
  const raw = stripped.replaceAll("-", "");
  if (raw.length !== 15 || !(stripped === raw || stripped === dashed(raw))) {
    throw new InvalidCredential(
      "length",
      "a voting identifier has 15 characters: XXX-XXX-XXX-XXX-XXX",
    );
  }
  const wrong = [...new Set([...raw].filter((character) => !BASE58.includes(character)))].sort();
  if (wrong.length) {
    throw new InvalidCredential(
      "characters",
      `characters not used in voting identifiers: ${wrong.join("")}`,
    );
  }
  if (checksum(raw.slice(0, 14)) !== raw[14]) {
    throw new InvalidCredential(
      "checksum",
      "the voting identifier has a typing error (wrong checksum)",
    );
  }
  return dashed(raw);
}

export async function deriveSecret(credential, uuid, q) {
  const password = checkPrivateCredential(credential);
  const encoder = new TextEncoder();
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(uuid), iterations: 1000 },
    key,
    256,
  );
  return bytesToBigInt(new Uint8Array(bits)) % q;
}
