/**
 * Every diagnostic code has a test: each code in src/diagnostics/codes.ts appears in a test file
 * other than this one (docs/architecture.md, "How to add a diagnostic code", step 3).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { codes } from "../src/diagnostics/index.js";
import { repoRoot } from "./support/cli.js";

it("every diagnostic code is exercised by a test", () => {
  const dir = path.join(repoRoot, "test");
  const texts = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.test\.ts$/.test(e.name) && e.name !== "codes.test.ts")
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"));
  const untested = Object.keys(codes).filter((code) => !texts.some((t) => t.includes(code)));
  expect(untested, "codes without a test that triggers them").toEqual([]);
});
