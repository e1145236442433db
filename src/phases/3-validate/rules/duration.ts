/**
 * Go duration strings (`time.ParseDuration`) as Argo uses them: `timeout`,
 * `retryStrategy.backoff.duration`/`maxDuration`, `podGC.deleteDelayDuration`, `@every <d>`.
 *
 * Grammar: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us, µs (U+00B5 or U+03BC), ms, s, m, h.
 * Deliberately stricter than Go: bare numbers (including Go's special-case "0") and negative
 * durations are rejected, since neither makes sense for these fields.
 */

import { memoize } from "../../../util/memo.js";

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3, // µs, MICRO SIGN
  "\u03bcs": 1e3, // μs, GREEK SMALL LETTER MU
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const UNITS = "units: ns, us, µs, ms, s, m, h";
/** Go's Duration is an int64 count of nanoseconds. */
const MAX_NANOS = 9223372036854775807;

type Parsed = { ok: true; nanos: number } | { ok: false; reason: string };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Results by text: every task of a repository repeats the same few durations (`30s`, `45m`). */
const parse = memoize(parseText, 10_000);

function parseText(s: string): Parsed {
  const q = JSON.stringify(s);
  if (s.length === 0) return { ok: false, reason: "must not be empty" };
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) {
    const n = s.replace(/^\+/, "");
    return { ok: false, reason: `${q} has no unit; add one, e.g. "${n}s" (${UNITS})` };
  }
  let rest = s;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { ok: false, reason: `${q} is not a duration (examples: 30s, 1h30m, 500ms)` };
  let nanos = 0;
  while (rest.length > 0) {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const intPart = m?.[1] ?? "";
    const fracPart = m?.[2];
    const numText = m?.[0] ?? "";
    if (intPart.length === 0 && (fracPart === undefined || fracPart.length === 0)) {
      return {
        ok: false,
        reason: `${q} is not a duration: expected a number at ${JSON.stringify(rest)} (examples: 30s, 1h30m, 500ms)`,
      };
    }
    rest = rest.slice(numText.length);
    let i = 0;
    while (i < rest.length && rest[i] !== "." && !isDigit(rest[i])) i++;
    const unit = rest.slice(0, i);
    rest = rest.slice(i);
    if (unit.length === 0) {
      return { ok: false, reason: `${q} is missing a unit after "${numText}" (${UNITS})` };
    }
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined) {
      const hint = /^d(ays?)?$/i.test(unit)
        ? `; Go durations have no day unit, use hours (e.g. "24h")`
        : ` (${UNITS})`;
      return { ok: false, reason: `unknown unit ${JSON.stringify(unit)} in ${q}${hint}` };
    }
    nanos += Number(numText) * perUnit;
    if (nanos > MAX_NANOS) {
      return { ok: false, reason: `${q} is too large (at most about 2562047h)` };
    }
  }
  if (negative && nanos !== 0) return { ok: false, reason: `must not be negative (got ${q})` };
  return { ok: true, nanos };
}

/** Go duration string such as `30s`, `1h30m`, `1.5h`, `500ms`. */
export function goDuration(s: string): string | undefined {
  const r = parse(s);
  return r.ok ? undefined : r.reason;
}

/** Seconds in a valid Go duration (`"1h30m"` → 5400, `"500ms"` → 0.5); throws on an invalid one. */
export function durationSeconds(s: string): number {
  const r = parse(s);
  if (!r.ok) throw new Error(`invalid duration ${JSON.stringify(s)}: ${r.reason}`);
  return r.nanos / 1e9;
}
