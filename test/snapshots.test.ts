/**
 * Golden output: snapshots/argo/<pipeline>.yaml is what the examples compile to. Run
 * `npm run snapshots:update` after an intended change and review the diff.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/cli.js";
import { compileExamples } from "./support/examples.js";

const dir = path.join(repoRoot, "snapshots/argo");
const update = process.env.GANTRY_UPDATE_SNAPSHOTS === "1";
const result = await compileExamples();

if (update) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const p of result.pipelines) fs.writeFileSync(path.join(dir, p.file), p.yaml);
}

describe("argo snapshots", () => {
  it("has one snapshot per example pipeline and no stale ones", () => {
    expect(fs.readdirSync(dir).sort()).toEqual(result.pipelines.map((p) => p.file).sort());
  });

  for (const p of result.pipelines) {
    it(`${p.file} matches the compiled ${p.source}`, () => {
      const file = path.join(dir, p.file);
      expect(p.yaml, `snapshot differs; run npm run snapshots:update if intended`).toBe(fs.readFileSync(file, "utf8"));
    });
  }
});
