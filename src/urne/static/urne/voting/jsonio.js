// JSON written as belenios-tool writes it, byte for byte (urne's src/urne/crypto/jsonio.py dumps):
// no spaces, fields in the order the object was built, non-ASCII as raw UTF-8, and only '"',
// '\', the control characters and DEL escaped (\b \f \n \r \t, others as lower-case \u00XX).
// Big numbers are written by the caller as base-10 strings; only small integers are numbers.

const SHORT = { 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 92: "\\\\" };

export function quote(text) {
  let out = '"';
  for (const character of text) {
    const code = character.codePointAt(0);
    if (SHORT[code] !== undefined) out += SHORT[code];
    else if (code < 0x20 || code === 0x7f) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += character;
  }
  return out + '"';
}

export function dumps(value) {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new TypeError("only integers are written as JSON numbers");
    }
    return value.toString();
  }
  if (Array.isArray(value)) return "[" + value.map(dumps).join(",") + "]";
  if (typeof value === "object") {
    return (
      "{" +
      Object.entries(value)
        .map(([key, item]) => quote(key) + ":" + dumps(item))
        .join(",") +
      "}"
    );
  }
  throw new TypeError(`cannot write ${typeof value} as JSON`);
}
