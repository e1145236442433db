/**
 * Gantry never runs pipeline code. Modules that would write a file, exit the process or loop
 * forever if executed compile normally through the real CLI, and none of that happens. Code the
 * pipeline does need that has such effects is a diagnostic, still without running it.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gantry, snapshotDir, tempProject } from "./support/cli.js";

const PIPELINE = `export default pipeline("harmless", {}, (p) => {
  p.task("t", { image: "busybox:1.36", args: [label()] });
});
`;

function project(sideEffects: string, extra: Record<string, string> = {}) {
  const dir = tempProject(extra);
  const marker = path.join(dir, "executed.txt");
  const source = `import fs from "node:fs";
import { pipeline } from "gantry";
const MARKER = ${JSON.stringify(marker)};
function label() { return "static"; }
${sideEffects.replaceAll("MARKER_PATH", "MARKER")}
${PIPELINE}`;
  fs.mkdirSync(path.join(dir, "pipelines"));
  fs.writeFileSync(path.join(dir, "pipelines/harmless.ts"), source);
  return { dir, marker };
}

describe("modules whose top-level code would act if executed compile normally", () => {
  const cases = {
    "writes a file": "fs.writeFileSync(MARKER_PATH, 'executed');",
    "exits the process": "process.exit(3);",
    "loops forever": "while (true) {}",
    "loops forever with for(;;) and spawns": "for (;;) { require('node:child_process').execSync('touch ' + 'x'); }",
  };
  for (const [name, statement] of Object.entries(cases)) {
    it(name, () => {
      const { dir, marker } = project(statement);
      const r = gantry(["compile"], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning GANTRY1121: this top-level statement's effects are not kept by Gantry/);
      expect(Object.keys(snapshotDir(path.join(dir, "manifests"))).sort()).toEqual(["harmless.yaml", "kustomization.yaml"]);
      expect(fs.existsSync(marker)).toBe(false);
      expect(fs.existsSync(path.join(dir, "x"))).toBe(false);
    });
  }

  it("throws: the compile fails as loading the module would, with its message, read without running it", () => {
    // The message is computed statically (from MARKER, a constant): nothing is thrown, nothing runs.
    const { dir, marker } = project("throw new Error('executed: ' + MARKER.length);");
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error GANTRY1113: the code throws here when the module runs: Error: executed: \d+/);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("a helper that would write a file, never called by the pipeline, is never run", () => {
    const { dir, marker } = project("export function sync() { fs.writeFileSync(MARKER_PATH, 'executed'); while (true) {} }");
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe("effects the pipeline does reach are diagnostics, never actions", () => {
  it.each([
    ["a file write in a helper the pipeline calls", "function label() { fs.writeFileSync(MARKER, 'executed'); return 'x'; }", "GANTRY1103"],
    ["process.exit in the pipeline's helper", "function label() { process.exit(3); return 'x'; }", "GANTRY1105"],
    ["an endless loop in the pipeline's helper", "function label() { while (true) {} return 'x'; }", "GANTRY1100"],
    ["endless recursion in the pipeline's helper", "function label(): string { return label() + label(); }", "GANTRY1108"],
  ])("%s", (_name, helper, code) => {
    const dir = tempProject();
    const marker = path.join(dir, "executed.txt");
    fs.mkdirSync(path.join(dir, "pipelines"));
    fs.writeFileSync(
      path.join(dir, "pipelines/p.ts"),
      `import fs from "node:fs";\nimport { pipeline } from "gantry";\nconst MARKER = ${JSON.stringify(marker)};\n${helper}\n${PIPELINE}`,
    );
    const started = Date.now();
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error ${code}`);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    // Generous: evaluation stops at its bounds, it does not wait for a timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
