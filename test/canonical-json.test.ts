/** canonicalJson (the pipeline hash and retry annotation) writes what JSON.stringify writes over key-sorted copies. */
import { expect, it } from "vitest";
import { canonicalJson } from "../src/phases/4-lower/metadata.js";
import { rng } from "./support/rng.js";

/** The definition: JSON.stringify with a replacer that rebuilds every object with sorted keys. */
const reference = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });

it("equals the sorted-copy definition on 5,000 random values (integer-like keys, undefined, unicode, odd numbers)", () => {
  const r = rng(77);
  const keys = ["b", "a", "10", "9", "0", "01", "-1", "4294967295", "4294967294", "é", "a b", "\"q\"", "z"];
  const leaf = (): unknown => {
    const pick = Math.floor(r() * 9);
    return [null, undefined, true, false, r() * 1e6, -0, Number.NaN, "s\u2028\n\"\\é", 1e21][pick];
  };
  const gen = (depth: number): unknown => {
    if (depth > 3 || r() < 0.3) return leaf();
    if (r() < 0.4) return Array.from({ length: Math.floor(r() * 4) }, () => gen(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 6) }, () => [keys[Math.floor(r() * keys.length)]!, gen(depth + 1)]));
  };
  for (let i = 0; i < 5000; i++) {
    const v = gen(0);
    expect(canonicalJson(v)).toBe(reference(v));
  }
});
