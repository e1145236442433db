/**
 * Kubernetes resource quantities (`resources.requests.cpu`, `memory`, `ephemeral-storage`, …).
 *
 * Grammar from apimachinery `pkg/api/resource/quantity.go`:
 *   <quantity>  ::= <signedNumber><suffix>
 *   <suffix>    ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
 *                 | e<signedNumber> | E<signedNumber>
 * Negative values are rejected: they are meaningless for resources.
 */

const QUANTITY =
  /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$/;

const EXAMPLES = "(examples: 500m, 2, 1.5Gi)";

/**
 * A suggestion for common mistakes such as `1GB`, `512mi`, `2K`, `1GiB`:
 * returns the decimal and binary spellings Kubernetes accepts.
 */
function suggest(s: string): string | undefined {
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)\s*([kKmMgGtTpPeE])(i?)(b?)$/i.exec(s);
  if (!m) return undefined;
  const num = m[1] ?? "";
  const letter = (m[2] ?? "").toUpperCase();
  const decimal = letter === "K" ? "k" : letter;
  const binary = `${letter}i`;
  // A bare "e" is an incomplete exponent ("1e3"), not a misspelled suffix.
  if (letter === "E" && (m[3] ?? "") === "" && (m[4] ?? "") === "") return undefined;
  // Lowercase "mi"/"gi" etc. or an "iB" ending: the binary form was clearly meant.
  if ((m[3] ?? "") !== "") return `did you mean "${num}${binary}"?`;
  return `did you mean "${num}${decimal}" or "${num}${binary}"?`;
}

/** Kubernetes quantity, non-negative; numbers must be finite. */
export function quantity(v: string | number): string | undefined {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return `${String(v)} is not a Kubernetes quantity ${EXAMPLES}`;
    if (v < 0) return `must not be negative (got ${String(v)})`;
    v = normalizeQuantity(v);
  }
  if (v.length === 0) return "must not be empty";
  if (v.trim() !== v) return `${JSON.stringify(v)} must not have leading or trailing whitespace`;
  if (!QUANTITY.test(v)) {
    const hint = suggest(v);
    return hint !== undefined
      ? `${JSON.stringify(v)} is not a Kubernetes quantity (${hint})`
      : `${JSON.stringify(v)} is not a Kubernetes quantity ${EXAMPLES}`;
  }
  if (v.startsWith("-") && /[1-9]/.test(v.replace(/[eE].*$/, ""))) {
    return `must not be negative (got ${JSON.stringify(v)})`;
  }
  return undefined;
}

/** Numbers become their decimal string (`0.5` → `"0.5"`, `2` → `"2"`); strings are unchanged. */
export function normalizeQuantity(v: string | number): string {
  return typeof v === "number" ? String(v) : v;
}

/**
 * A quantity as a number: `digits` × 10^exp10 × 2^exp2, `digits` without leading zeros ("" is 0).
 * Only for what `quantity` accepts and is not negative; anything else is `undefined`.
 */
interface Parsed {
  digits: string;
  exp10: number;
  exp2: number;
}

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const isDigit = (c: number) => c >= 48 && c <= 57;

function parse(v: string): Parsed | undefined {
  let i = 0;
  const n = v.length;
  let negative = false;
  if (v[0] === "+") i++;
  else if (v[0] === "-") (negative = true), i++;
  const intStart = i;
  while (i < n && isDigit(v.charCodeAt(i))) i++;
  const int = v.slice(intStart, i);
  let frac = "";
  if (v[i] === ".") {
    const fracStart = ++i;
    while (i < n && isDigit(v.charCodeAt(i))) i++;
    frac = v.slice(fracStart, i);
  }
  if (int.length === 0 && frac.length === 0) return undefined;
  let exp10 = -frac.length;
  let exp2 = 0;
  const suffix = v.slice(i);
  if (suffix.length === 0) {
    // no suffix
  } else if (Object.hasOwn(DECIMAL_SUFFIX, suffix)) exp10 += DECIMAL_SUFFIX[suffix]!;
  else if (Object.hasOwn(BINARY_SUFFIX, suffix)) exp2 = BINARY_SUFFIX[suffix]!;
  else {
    // e<signed integer>; Kubernetes refuses a fraction in the exponent, so it is not compared here.
    if (suffix[0] !== "e" && suffix[0] !== "E") return undefined;
    let j = 1;
    if (suffix[j] === "+" || suffix[j] === "-") j++;
    if (j === suffix.length) return undefined;
    for (let k = j; k < suffix.length; k++) if (!isDigit(suffix.charCodeAt(k))) return undefined;
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e)) return undefined;
    exp10 += e;
  }
  let digits = int + frac;
  let z = 0;
  while (z < digits.length && digits.charCodeAt(z) === 48) z++;
  digits = digits.slice(z);
  if (negative && digits.length > 0) return undefined;
  return { digits, exp10, exp2 };
}

/** Kubernetes caps a binary-suffixed quantity at 2^63-1 (apimachinery `ParseQuantity`, `maxAllowed`). */
const MAX_ALLOWED = 9223372036854775807n;

/**
 * The exact value Kubernetes keeps, as `m` × 10^`e` with `e` ≥ -9: a non-zero amount is rounded up
 * to a whole nano (`ParseQuantity` rounds toward infinity at scale -9), and a binary one is capped
 * at 2^63-1.
 */
function exact(p: Parsed): { m: bigint; e: number } {
  if (p.digits.length === 0) return { m: 0n, e: 0 };
  let m = BigInt(p.digits) << BigInt(p.exp2);
  let e = p.exp10;
  if (e < -9) {
    // Far below a nano (fewer digits than places to drop): one nano.
    const places = -9 - e;
    if (places > p.digits.length + Math.ceil(p.exp2 * Math.LOG10E * Math.LN2) + 1) return { m: 1n, e: -9 };
    const d = 10n ** BigInt(places);
    m = (m + d - 1n) / d;
    e = -9;
  }
  if (p.exp2 > 0 && e <= 0) {
    const cap = MAX_ALLOWED * 10n ** BigInt(-e);
    if (m > cap) m = cap;
  }
  return { m, e };
}

/** Number of decimal digits of a positive bigint. */
const digitCount = (m: bigint) => m.toString().length;

/**
 * Compares two quantities as Kubernetes does (`Quantity.Cmp` of the parsed values): negative,
 * zero or positive; `undefined` when either is not a quantity (`quantity` reports it).
 */
export function compareQuantities(a: string | number, b: string | number): number | undefined {
  const sa = normalizeQuantity(a);
  const sb = normalizeQuantity(b);
  // The common case: both exact in nanos as doubles (500m, 1.5Gi, 2e3), compared without allocating.
  const na = nanos(sa);
  const nb = sa === sb ? na : nanos(sb);
  if (na !== undefined && nb !== undefined) return na === nb ? 0 : na < nb ? -1 : 1;
  const pa = parse(sa);
  const pb = sa === sb ? pa : parse(sb);
  if (!pa || !pb) return undefined;
  if (sa === sb) return 0;
  const xa = exact(pa);
  const xb = exact(pb);
  if (xa.m === 0n || xb.m === 0n) return xa.m === xb.m ? 0 : xa.m === 0n ? -1 : 1;
  // Magnitudes that differ by a digit or more decide without scaling (exponents may be huge).
  const la = digitCount(xa.m) + xa.e;
  const lb = digitCount(xb.m) + xb.e;
  if (la !== lb) return la < lb ? -1 : 1;
  const e = Math.min(xa.e, xb.e);
  const ma = xa.m * 10n ** BigInt(xa.e - e);
  const mb = xb.m * 10n ** BigInt(xb.e - e);
  return ma === mb ? 0 : ma < mb ? -1 : 1;
}

/** 2^63-1 units, in nanos: above it a binary amount is capped, which `exact` handles. */
const CAP_NANOS = 9.223372036854775807e27;

/**
 * The amount in nanos when a double holds it exactly (its digits times a power of ten make a safe
 * integer; a binary suffix only scales by a power of two), else `undefined`: then `parse` and
 * `exact` decide. Also `undefined` for what is not a quantity. No allocation.
 */
function nanos(v: string): number | undefined {
  const n = v.length;
  let i = 0;
  let negative = false;
  if (v.charCodeAt(0) === 43) i++;
  else if (v.charCodeAt(0) === 45) (negative = true), i++;
  let mant = 0;
  let exp10 = 0;
  let digits = 0;
  for (; i < n && isDigit(v.charCodeAt(i)); i++, digits++) mant = mant * 10 + (v.charCodeAt(i) - 48);
  if (i < n && v.charCodeAt(i) === 46) {
    for (i++; i < n && isDigit(v.charCodeAt(i)); i++, digits++, exp10--) mant = mant * 10 + (v.charCodeAt(i) - 48);
  }
  if (digits === 0 || mant > Number.MAX_SAFE_INTEGER) return undefined;
  let exp2 = 0;
  const rest = n - i;
  if (rest === 1) {
    const s = DECIMAL_SUFFIX[v[i]!];
    if (s === undefined || !Object.hasOwn(DECIMAL_SUFFIX, v[i]!)) return undefined;
    exp10 += s;
  } else if (rest === 2 && v.charCodeAt(i + 1) === 105 && v[i] !== "i") {
    const s = BINARY_SUFFIX[v.slice(i)];
    if (s === undefined || !Object.hasOwn(BINARY_SUFFIX, v.slice(i))) return undefined;
    exp2 = s;
  } else if (rest > 0) {
    if (v.charCodeAt(i) !== 101 && v.charCodeAt(i) !== 69) return undefined;
    let j = i + 1;
    let sign = 1;
    if (v.charCodeAt(j) === 43) j++;
    else if (v.charCodeAt(j) === 45) (sign = -1), j++;
    if (j === n || n - j > 4) return undefined;
    let e = 0;
    for (; j < n; j++) {
      const c = v.charCodeAt(j);
      if (!isDigit(c)) return undefined;
      e = e * 10 + (c - 48);
    }
    exp10 += sign * e;
  }
  if (mant === 0) return 0;
  if (negative) return undefined;
  const k = exp10 + 9;
  if (k < 0 || k > 22) return undefined;
  const x = mant * 10 ** k;
  if (x > Number.MAX_SAFE_INTEGER) return undefined;
  const scaled = x * 2 ** exp2;
  return exp2 > 0 && scaled > CAP_NANOS ? undefined : scaled;
}
