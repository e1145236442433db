/** sortedKeys (the compiler's allocation-free key sort) orders keys exactly as Object.keys(o).sort() does. */
import { describe, expect, it } from "vitest";
import { sortedKeys } from "../src/util/sorted-keys.js";
import { rng } from "./support/rng.js";

describe("sortedKeys", () => {
  it("equals Object.keys(o).sort() on 5,000 random objects, integer-like and non-ASCII keys included", () => {
    const r = rng(31);
    const alphabet = ["a", "b", "B", "z", "_", "-", ".", "/", "0", "1", "9", "10", "é", "ß", "漢", "\u{1F600}", "\uD800", "~", " ", ""];
    for (let n = 0; n < 5000; n++) {
      const o: Record<string, number> = {};
      for (let i = Math.floor(r() * 40); i > 0; i--) {
        let k = "";
        for (let j = Math.floor(r() * 4); j >= 0; j--) k += alphabet[Math.floor(r() * alphabet.length)]!;
        o[k] = i;
      }
      expect(sortedKeys(o)).toEqual(Object.keys(o).sort());
    }
  });

  it("large maps too (sorted by sort() past 32 keys, as insertion sort is quadratic)", () => {
    const r = rng(5);
    const o: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) o[`k${Math.floor(r() * 1e6)}-${i}`] = i;
    expect(sortedKeys(o)).toEqual(Object.keys(o).sort());
  });

  it("returns a new array and leaves the object alone", () => {
    const o = { b: 1, a: 2, 10: 3, 9: 4 };
    expect(sortedKeys(o)).toEqual(["10", "9", "a", "b"]);
    expect(Object.keys(o)).toEqual(["9", "10", "b", "a"]);
  });
});
