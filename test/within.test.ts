/**
 * `isWithin`/`contains` (src/util/within.ts): the one containment check every "is this inside that
 * folder" question uses, exact about names that merely start with two dots.
 */
import path from "node:path";
import { expect, it } from "vitest";
import { contains, isWithin } from "../src/util/within.js";

it("a relative path is within its folder unless it climbs out or is absolute", () => {
  for (const inside of ["", "a", "a/b", "..x", "..x/y", "...", "a/../b", ".hidden"]) expect(isWithin(inside), inside).toBe(true);
  for (const outside of ["..", "../x", `..${path.sep}x`, "../..", "/etc/passwd"]) expect(isWithin(outside), outside).toBe(false);
});

it("contains: a folder holds itself and what is below it, not its siblings that share a prefix", () => {
  expect(contains("/repo", "/repo")).toBe(true);
  expect(contains("/repo", "/repo/..x/file.ts")).toBe(true);
  expect(contains("/repo", "/repo/sub/file.ts")).toBe(true);
  expect(contains("/repo", "/repo2/file.ts")).toBe(false);
  expect(contains("/repo", "/file.ts")).toBe(false);
  expect(contains("/repo/sub", "/repo")).toBe(false);
});
