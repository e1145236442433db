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
