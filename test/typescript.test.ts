/**
 * The whole project type-checks under the strict tsconfig: src, tests, examples, fixtures, and the
 * DSL's type-level checks in test/dsl-types.ts (whose `@ts-expect-error` lines must stay errors).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "./support/cli.js";

it("tsc --noEmit -p tsconfig.json reports nothing", () => {
  const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"], { cwd: repoRoot, encoding: "utf8" });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
}, 120_000);
