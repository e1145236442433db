/**
 * The atomic writer on real files: everything is staged before anything is replaced, a failure part
 * way through staging leaves the directory exactly as it was (no temporary file behind), one during
 * the renames reports what was already replaced, and stale files are removed only after every write
 * succeeded.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeAtomically } from "../src/output/write.js";
import { snapshotDir, tempProject } from "./support/cli.js";

describe("writeAtomically", () => {
  it("writes new and changed files, removes stale ones, and leaves no temporary file", () => {
    const dir = tempProject({ "out/a.yaml": "old a\n", "out/stale.yaml": "gone\n" });
    const out = path.join(dir, "out");
    const r = writeAtomically(out, [{ path: "a.yaml", content: "new a\n" }, { path: "b.yaml", content: "b\n" }], ["stale.yaml"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.written).toEqual(["a.yaml", "b.yaml"]);
    expect(r.removed).toEqual(["stale.yaml"]);
    expect(snapshotDir(out)).toEqual({ "a.yaml": "new a\n", "b.yaml": "b\n" });
  });

  it("creates the output directory", () => {
    const dir = tempProject({ "keep.txt": "x\n" });
    const r = writeAtomically(path.join(dir, "deep", "out"), [{ path: "a.yaml", content: "a\n" }]);
    expect(r.written).toEqual(["a.yaml"]);
    expect(fs.readFileSync(path.join(dir, "deep", "out", "a.yaml"), "utf8")).toBe("a\n");
  });

  it("a failure after some files were staged changes nothing and removes what it staged", () => {
    // "sub" is a file, so the second file's directory cannot be made: the first is already staged.
    const dir = tempProject({ "out/a.yaml": "old a\n", "out/sub": "a file\n", "out/stale.yaml": "stays\n" });
    const out = path.join(dir, "out");
    const before = snapshotDir(out);
    const r = writeAtomically(out, [{ path: "a.yaml", content: "new a\n" }, { path: "sub/b.yaml", content: "b\n" }], ["stale.yaml"]);
    expect(r.written).toEqual([]);
    expect(r.removed).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "GANTRY5001", severity: "error", hint: expect.stringContaining("No file was changed") });
    expect(r.diagnostics[0]!.message).toMatch(/^cannot write to .*out: (ENOTDIR|EEXIST): /);
    expect(r.diagnostics[0]!.message).not.toMatch(/(ENOTDIR|EEXIST) \1/); // the code once
    expect(snapshotDir(out)).toEqual(before);
    expect(fs.readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a rename failing after others succeeded reports the files already replaced, and removes nothing", () => {
    // A folder where b.yaml goes: both are staged, a.yaml is renamed into place, b.yaml's rename fails.
    const dir = tempProject({ "out/a.yaml": "old a\n", "out/b.yaml/.keep": "", "out/stale.yaml": "stays\n" });
    const out = path.join(dir, "out");
    const r = writeAtomically(out, [{ path: "a.yaml", content: "new a\n" }, { path: "b.yaml", content: "b\n" }], ["stale.yaml"]);
    expect(r.written).toEqual(["a.yaml"]);
    expect(r.removed).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "GANTRY5001", severity: "error", hint: expect.stringContaining("1 file was already changed: a.yaml.") });
    expect(fs.readFileSync(path.join(out, "a.yaml"), "utf8")).toBe("new a\n");
    expect(fs.readFileSync(path.join(out, "stale.yaml"), "utf8")).toBe("stays\n");
    expect(fs.readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  // Temporary names are `.<file>.<pid>-<hex>.tmp`, unique per call. A compile killed while writing
  // leaves some: the next write removes those of processes that no longer run (or of its own id,
  // reused: PID 1 in every container), and never another running process's (review finding).
  it("removes temporaries a killed compile left, keeps a running process's, and is not blocked by either", () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    try {
      const dir = tempProject({
        "out/a.yaml": "old a\n",
        [`out/.b.yaml.${process.pid}.tmp`]: "left by an earlier process with this id\n",
        [`out/.c.yaml.${gone}-0badcafe.tmp`]: "left by a process that is gone\n",
        [`out/.d.yaml.${child.pid}-12345678.tmp`]: "a running compile's\n",
        "out/.keep": "not a temporary\n",
      });
      const out = path.join(dir, "out");
      const r = writeAtomically(out, [{ path: "a.yaml", content: "new a\n" }, { path: "b.yaml", content: "b\n" }]);
      expect(r.diagnostics).toEqual([]);
      expect(r.written).toEqual(["a.yaml", "b.yaml"]);
      expect(fs.readdirSync(out).sort()).toEqual([`.d.yaml.${child.pid}-12345678.tmp`, ".keep", "a.yaml", "b.yaml"]);
    } finally {
      child.kill();
    }
  });
});
