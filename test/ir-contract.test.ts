/**
 * The IR is the contract between the model phase and the backends: plain, JSON-printable data
 * matching the zod schema exactly (no missing fields, no stray ones, no undefined values).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import * as IR from "../src/ir/index.js";
import { repoRoot } from "./support/cli.js";

describe("IR contract", () => {
  it.each(["examples", "test/fixtures/static"])("every pipeline compiled from %s matches the IR schema exactly", async (dir) => {
    const r = await compile({ cwd: repoRoot, paths: [path.join(repoRoot, dir)], target: "argo", kind: "auto" });
    expect(r.ok).toBe(true);
    expect(r.pipelines.length).toBeGreaterThan(0);
    for (const p of r.pipelines) {
      // zod strips unknown keys, so equality also rules out stray fields.
      expect(IR.Pipeline.parse(p.ir)).toEqual(p.ir);
      expect(JSON.parse(JSON.stringify(p.ir))).toEqual(p.ir);
    }
  });
});
