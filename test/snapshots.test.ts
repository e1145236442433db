/**
 * Golden output: snapshots/<target>/<pipeline>.yaml is what the examples compile to, checked with the
 * same helper users get (`gantry/testing`) and vitest's `toMatchFileSnapshot`. After an intended
 * change run `npm run snapshots:update` (vitest -u: rewrites changed snapshots and deletes stale
 * ones) and review the diff. A missing snapshot is written by a local run and fails under CI.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePipelines, type CompiledManifests } from "../src/testing.js";
import { repoRoot } from "./support/cli.js";
import { exampleFiles } from "./support/examples.js";

// cwd = the repository root, so the header names `examples/<file>.ts` as `gantry compile examples` does.
for (const target of ["argo", "jobs"] as const) {
  const dir = path.join(repoRoot, "snapshots", target);
  const compiled: [string, CompiledManifests[]][] = await Promise.all(
    exampleFiles().map(async (abs) => {
      const file = path.relative(repoRoot, abs).split(path.sep).join("/");
      return [file, await compilePipelines(file, { cwd: repoRoot, target })] as [string, CompiledManifests[]];
    }),
  );
  const pipelines = compiled.flatMap(([, ms]) => ms);

  describe(`${target} snapshots`, () => {
    for (const [file, ms] of compiled) {
      for (const m of ms) {
        it(`${m.name}.yaml matches the compiled ${file}`, async () => {
          expect(m.source).toBe(file);
          await expect(m.yaml, "snapshot differs; run npm run snapshots:update if intended").toMatchFileSnapshot(path.join(dir, `${m.name}.yaml`));
        });
      }
    }

    it("has one snapshot per example pipeline and no stale ones", () => {
      const expected = pipelines.map((m) => `${m.name}.yaml`).sort();
      expect(new Set(expected).size, "two example pipelines share a name").toBe(expected.length);
      const stale = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => !expected.includes(f)).sort();
      if (stale.length > 0 && expect.getState().snapshotState.snapshotUpdateState === "all") {
        for (const f of stale) fs.rmSync(path.join(dir, f));
        return;
      }
      expect(stale, "snapshots of no example pipeline; delete them or run npm run snapshots:update").toEqual([]);
    });
  });
}
