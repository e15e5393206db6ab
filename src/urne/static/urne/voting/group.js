// The group BELENIOS-2048 of Belenios 2.0 (spec §5) and every big-number computation of the booth.
//
// Numbers are BigInt. `Group` holds p, q, g and does the arithmetic modulo p:
// - `powMod(base, exponent)`: a variable base, by a sliding window of 5 bits;
// - `FixedBase`: a table for a base used many times (g, the election key y). Row i holds
//   base^(j·2^(w·i)) for j < 2^w, so base^e costs one multiplication per w-bit digit of e;
// - `group.pow_g(e)` / `group.fixedBase(y).pow(e)` go through the tables when the group was made
//   with `{tables: true}` and through `powMod` otherwise (the benchmark measures both);
// - `randomExponent()`: uniform in [0, q-1], from crypto.getRandomValues, by rejection (a draw
//   of 256 bits at or above q is thrown away, so no value is favoured).
//
// The values are those of urne's Python core (src/urne/crypto/group.py). JavaScript's BigInt is
// not constant-time: the secrets handled here are the voter's own, on the voter's own device.

export const BELENIOS_2048 = Object.freeze({
  name: "BELENIOS-2048",
  p: BigInt(
    "20694785691422546401013643657505008064922989295751104097100884787057374219242717401922237" +
      "25449768433812906663313807895840496005438963628979639303877390572280360597374942767137677" +
      "76188985898727358650490811670993105358677809800307904916540637771737641986785272734744763" +
      "41835600035698305193144284561701911000786737307333564123971732897913240474578834468260652" +
      "32797464795113767265869358218004631792207366886005262718636338608879688212076943236614949" +
      "10029234443463732221458841005864210502421203654335612013204811188524087310770141516662001" +
      "62313177169372189248078507711827842317498073276598828825169183103125680162072880719",
  ),
  q: BigInt("78571733251071885079927659812671450121821421258408794611510081919805623223441"),
  g: BigInt(
    "240235267750185220922768770353239993271228765737836491651007531878766327414635321932" +
      "028567615526967879969466829874938909508389657342560190060106847716449173547413728310" +
      "461045868131451178164675540052740288984613986453266121505579709716201616827031288643" +
      "245666383486363578210615491841998253431518974065818686865115135857641013888221539601" +
      "604322884360393098933366277284840659313840601023167509576377798266510360682240663507" +
      "669776402534625377308513317349519424896775405257365904949247763147599157519877517771" +
      "1481490920456600205478127054728238140972518639858334115700568353695553423781475582491" +
      "896050296680037745308460627",
  ),
});

const SLIDING_WINDOW = 5;
const TABLE_WINDOW = 6;

/** x mod m in [0, m-1], for any sign of x. */
export function mod(x, m) {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** base^exponent mod m for exponent >= 0, by a left-to-right sliding window. */
export function powMod(base, exponent, m) {
  if (exponent === 0n) return 1n % m;
  const b = mod(base, m);
  const size = 1 << (SLIDING_WINDOW - 1);
  const odd = new Array(size); // b^1, b^3, b^5, ...
  odd[0] = b;
  const square = (b * b) % m;
  for (let i = 1; i < size; i++) odd[i] = (odd[i - 1] * square) % m;
  const bits = exponent.toString(2);
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      result = (result * result) % m;
      i += 1;
      continue;
    }
    // The longest window starting here (at most SLIDING_WINDOW bits) that ends with a 1.
    let end = Math.min(i + SLIDING_WINDOW, bits.length);
    while (bits[end - 1] === "0") end -= 1;
    for (let k = i; k < end; k++) result = (result * result) % m;
    const value = parseInt(bits.slice(i, end), 2);
    result = (result * odd[value >> 1]) % m;
    i = end;
  }
  return result;
}

/** A precomputed table for one base (see the module header). */
export class FixedBase {
  constructor(base, p, q, window = TABLE_WINDOW) {
    this.p = p;
    this.q = q;
    this.window = window;
    this.mask = (1n << BigInt(window)) - 1n;
    this.width = Math.ceil(q.toString(2).length / window);
    const size = 1 << window;
    this.rows = [];
    let rowBase = mod(base, p);
    for (let i = 0; i < this.width; i++) {
      const row = new Array(size);
      row[0] = 1n;
      row[1] = rowBase;
      for (let j = 2; j < size; j++) row[j] = (row[j - 1] * rowBase) % p;
      this.rows.push(row);
      rowBase = (row[size - 1] * rowBase) % p;
    }
  }

  /** base^exponent mod p (the exponent first reduced modulo q). */
  pow(exponent) {
    let e = mod(exponent, this.q);
    const shift = BigInt(this.window);
    let result = 1n;
    for (let i = 0; i < this.width && e > 0n; i++) {
      const digit = Number(e & this.mask);
      if (digit) result = (result * this.rows[i][digit]) % this.p;
      e >>= shift;
    }
    return result;
  }
}

/** The same interface as `FixedBase`, computing each power afresh (no table). */
class PlainBase {
  constructor(base, p, q) {
    this.base = base;
    this.p = p;
    this.q = q;
  }

  pow(exponent) {
    return powMod(this.base, mod(exponent, this.q), this.p);
  }
}

/** Uniformly random in [0, bound-1], from the platform's cryptographic generator. */
export function randomBelow(bound) {
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(bytes * 8 - bits);
  const buffer = new Uint8Array(bytes);
  for (;;) {
    globalThis.crypto.getRandomValues(buffer);
    let value = 0n;
    for (const byte of buffer) value = (value << 8n) | BigInt(byte);
    value >>= excess; // keep exactly `bits` bits: each draw is accepted with probability > 1/2
    if (value < bound) return value;
  }
}

export class Group {
  /** `tables`: use fixed-base tables for g and the bases given to `fixedBase`. */
  constructor(params = BELENIOS_2048, { tables = true } = {}) {
    this.name = params.name;
    this.p = params.p;
    this.q = params.q;
    this.g = params.g;
    this.tables = tables;
    this.cache = new Map();
    this.gBase = this.fixedBase(this.g);
  }

  /** The (cached) table of `base`, or a table-less stand-in when tables are off. */
  fixedBase(base) {
    let found = this.cache.get(base);
    if (!found) {
      found = this.tables
        ? new FixedBase(base, this.p, this.q)
        : new PlainBase(base, this.p, this.q);
      this.cache.set(base, found);
    }
    return found;
  }

  pow_g(exponent) {
    return this.gBase.pow(exponent);
  }

  pow(base, exponent) {
    return powMod(base, mod(exponent, this.q), this.p);
  }

  mul(a, b) {
    return (a * b) % this.p;
  }

  exponent(x) {
    return mod(x, this.q);
  }

  randomExponent() {
    return randomBelow(this.q);
  }

  /** Whether x is in the subgroup of order q (used on the election key, once). */
  isElement(x) {
    return x > 0n && x < this.p && powMod(x, this.q, this.p) === 1n;
  }
}
