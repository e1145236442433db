/**
 * What `gantry compile <paths>` reads: a folder it cannot read, or a broken link that could have
 * held pipelines, fails the compile (rather than drop its pipelines and prune their manifests), what is not a regular file is refused or skipped without
 * blocking, and a file reached twice through a linked folder is compiled once. The real CLI on real
 * folders, links and FIFOs.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { gantry, gantryAsOtherUser, snapshotDir, tempProject } from "./support/cli.js";

const pipelineFile = (name: string) => `import { pipeline } from "gantry";\nexport default pipeline("${name}", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
/** The pipeline manifests in an output folder (its kustomization.yaml aside). */
const manifests = (dir: string) => Object.keys(snapshotDir(dir)).filter((f) => f !== "kustomization.yaml").sort();
const team = () => tempProject({ "pipelines/team-a/alpha.ts": pipelineFile("alpha"), "pipelines/team-b/beta.ts": pipelineFile("beta") });

describe("compile inputs", () => {
  const asOtherUser = gantryAsOtherUser();
  it.skipIf(asOtherUser === undefined)("a folder under the inputs that cannot be read fails the compile and leaves the output as it was (from review: its manifests were pruned, exit 0)", () => {
    const cwd = team();
    spawnSync("chmod", ["-R", "a+rwX", cwd]);
    const first = asOtherUser!(["compile", "pipelines", "--out", "out"], cwd);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshotDir(path.join(cwd, "out"));
    expect(manifests(path.join(cwd, "out"))).toEqual(["alpha.yaml", "beta.yaml"]);
    fs.chmodSync(path.join(cwd, "pipelines/team-b"), 0o000);
    try {
      for (const input of ["pipelines", "pipelines/**/*.ts"]) {
        const r = asOtherUser!(["compile", input, "--out", "out"], cwd);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain("error GANTRY1001: cannot read folder pipelines/team-b: permission denied");
        expect(r.stderr).not.toContain("GANTRY1003");
        expect(snapshotDir(path.join(cwd, "out"))).toEqual(before);
      }
    } finally {
      fs.chmodSync(path.join(cwd, "pipelines/team-b"), 0o755);
    }
  });

  it("a path that exists is that path, even when it reads like a glob: a project under \"proj (1)\", a file named [a].ts, gantry/testing given an absolute path (review finding)", async () => {
    const pipe = (name: string) => `import { pipeline } from "gantry";\nexport default pipeline("${name}", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    const root = tempProject({ "proj (1)/pipelines/(team-a)/etl.ts": pipe("etl"), "proj (1)/pipelines/[a].ts": pipe("bracket"), "proj (1)/pipelines/a.ts": pipe("plain") });
    const cwd = path.join(root, "proj (1)");
    const literal = gantry(["compile", "pipelines/(team-a)/etl.ts", "--stdout"], cwd);
    expect(literal.code, literal.stderr).toBe(0);
    expect(literal.stdout).toContain("name: etl\n");
    // [a].ts is that file only, not a.ts as the pattern [a].ts would match.
    const bracket = gantry(["compile", "pipelines/[a].ts", "--stdout"], cwd);
    expect(bracket.code, bracket.stderr).toBe(0);
    expect(bracket.stdout.match(/^  name: \S+$/gm)).toEqual(["  name: bracket"]);
    const absolute = gantry(["compile", path.join(cwd, "pipelines"), "--stdout"], cwd);
    expect(absolute.code, absolute.stderr).toBe(0);
    const { compilePipelines } = await import("../src/testing.js");
    expect((await compilePipelines("pipelines", { cwd })).map((m) => m.name)).toEqual(["bracket", "etl", "plain"]);
    // A glob that names no existing path is still a glob, also below folders whose names read like globs.
    expect(gantry(["compile", "pipelines/*.ts", "--stdout"], cwd).stdout.match(/^  name: \S+$/gm)).toEqual(["  name: bracket", "  name: plain"]);
    expect(gantry(["compile", "proj (1)/pipelines/*.ts", "--stdout"], root).stdout.match(/^  name: \S+$/gm)).toEqual(["  name: bracket", "  name: plain"]);
    expect(gantry(["compile", path.join(cwd, "pipelines", "(team-a)", "*.ts"), "--stdout"], root).stdout.match(/^  name: \S+$/gm)).toEqual(["  name: etl"]);
  });

  it("a named input that is not a regular file is refused at once, not read (a FIFO would block for ever)", () => {
    const cwd = tempProject({ "pipelines/alpha.ts": pipelineFile("alpha") });
    spawnSync("mkfifo", [path.join(cwd, "f.ts")]);
    const r = gantry(["compile", "f.ts", "pipelines", "--stdout"], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY1001: cannot read f.ts: not a regular file");
  });

  it("a file named explicitly that is not a TypeScript source is GANTRY1003, not parsed as TypeScript (adversarial finding: nonsense warnings, exit 0)", () => {
    const cwd = tempProject({ "cm.yaml": "apiVersion: v1\nkind: ConfigMap\n", "pipelines/alpha.ts": pipelineFile("alpha") });
    const r = gantry(["compile", "cm.yaml", "pipelines", "--out", "out"], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY1003: cm.yaml is not a TypeScript or JavaScript source (.ts, .mts, .cts, .js...)");
    expect(r.stderr).not.toContain("GANTRY1121");
    expect(fs.existsSync(path.join(cwd, "out"))).toBe(false);
  });

  it("a link in an input folder to something not a regular file is skipped, and a link loop named is reported as one", () => {
    const cwd = tempProject({ "pipelines/alpha.ts": pipelineFile("alpha") });
    fs.symlinkSync("/dev/zero", path.join(cwd, "pipelines/zero.ts"));
    const r = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(manifests(path.join(cwd, "out"))).toEqual(["alpha.yaml"]);
    fs.symlinkSync("loop2.ts", path.join(cwd, "loop1.ts"));
    fs.symlinkSync("loop1.ts", path.join(cwd, "loop2.ts"));
    const loop = gantry(["compile", "loop1.ts", "--stdout"], cwd);
    expect(loop.code).toBe(1);
    expect(loop.stderr).toContain("error GANTRY1001: cannot read loop1.ts: too many levels of symbolic links");
  });

  it("a broken link in an input folder that could hold pipelines fails the compile, leaving the output as it was (adversarial finding: its manifest was pruned, exit 0)", () => {
    const cwd = tempProject({ "pipelines/own.ts": pipelineFile("own"), "vendor/v.ts": pipelineFile("vendored"), "teams/x/x.ts": pipelineFile("teamx") });
    fs.symlinkSync("../vendor/v.ts", path.join(cwd, "pipelines/v.ts"));
    fs.symlinkSync("../teams/x", path.join(cwd, "pipelines/teamx"));
    fs.symlinkSync("nowhere.md", path.join(cwd, "pipelines/notes.md")); // not a source nor a folder by its name: no loss
    const first = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(manifests(path.join(cwd, "out"))).toEqual(["own.yaml", "teamx.yaml", "vendored.yaml"]);
    const before = snapshotDir(path.join(cwd, "out"));
    fs.renameSync(path.join(cwd, "vendor"), path.join(cwd, "vendor.off"));
    fs.renameSync(path.join(cwd, "teams"), path.join(cwd, "teams.off"));
    for (const input of ["pipelines", "pipelines/**/*.ts"]) {
      const r = gantry(["compile", input, "--out", "out"], cwd);
      expect(r.code, input).toBe(1);
      expect(r.stderr.match(/error GANTRY1001: .*/g), input).toEqual([
        "error GANTRY1001: cannot read pipelines/teamx: a link to ../teams/x, which does not exist",
        "error GANTRY1001: cannot read pipelines/v.ts: a link to ../vendor/v.ts, which does not exist",
      ]);
      expect(r.stderr).toContain("nothing was written");
      expect(snapshotDir(path.join(cwd, "out"))).toEqual(before);
    }
  });

  it("a broken link to an absolute path inside the working directory is named from there, also under a folder whose name starts with two dots (review: `..x` counted as outside)", async () => {
    const cwd = tempProject({ "pipelines/own.ts": pipelineFile("own"), "..vendor/.keep": "", "vendor/.keep": "" });
    fs.symlinkSync(path.join(fs.realpathSync(cwd), "..vendor", "gone.ts"), path.join(cwd, "pipelines/a.ts"));
    fs.symlinkSync(path.join(fs.realpathSync(cwd), "vendor", "gone.ts"), path.join(cwd, "pipelines/b.ts"));
    // The library's messages, which no formatter has made relative.
    const result = await compile({ cwd: fs.realpathSync(cwd), paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "cannot read pipelines/a.ts: a link to ..vendor/gone.ts, which does not exist",
      "cannot read pipelines/b.ts: a link to vendor/gone.ts, which does not exist",
    ]);
  });

  it("a broken link the walk would never compile is no obstacle: a test file, a declaration, an extensionless name where the pattern descends into no folder (review finding)", () => {
    const cwd = tempProject({ "pipelines/alpha.ts": pipelineFile("alpha") });
    fs.symlinkSync("missing.ts", path.join(cwd, "pipelines/alpha.test.ts"));
    fs.symlinkSync("missing.d.ts", path.join(cwd, "pipelines/types.d.ts"));
    fs.symlinkSync("../docs/LICENSE", path.join(cwd, "pipelines/LICENSE"));
    const flat = gantry(["compile", "pipelines/*.ts", "--stdout"], cwd);
    expect(flat.code, flat.stderr).toBe(0);
    // A walk into folders could have found pipelines behind LICENSE, were it a folder: that one is reported.
    const deep = gantry(["compile", "pipelines", "--stdout"], cwd);
    expect(deep.code).toBe(1);
    expect(deep.stderr.match(/error GANTRY1001: .*/g)).toEqual(["error GANTRY1001: cannot read pipelines/LICENSE: a link to ../docs/LICENSE, which does not exist"]);
  });

  it("a file reached twice through a linked folder is compiled once, not reported as a duplicate of itself (from review)", () => {
    const cwd = team();
    fs.symlinkSync("..", path.join(cwd, "pipelines/team-a/up"));
    const r = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("GANTRY2009");
    expect(manifests(path.join(cwd, "out"))).toEqual(["alpha.yaml", "beta.yaml"]);
    // Named twice, once through a link: once.
    fs.symlinkSync("pipelines/team-a/alpha.ts", path.join(cwd, "alpha-link.ts"));
    const twice = gantry(["compile", "pipelines/team-a/alpha.ts", "alpha-link.ts", "--stdout"], cwd);
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stdout.match(/^kind: WorkflowTemplate$/gm)).toHaveLength(1);
  });
});

describe("a file named to compile that exports no pipeline (GANTRY1124)", () => {
  const files = {
    "pipelines/alpha.ts": pipelineFile("alpha"),
    "pipelines/helpers.ts": `export const IMAGE = "busybox:1.36";\n`,
    "pipelines/again.ts": `export { default } from "./alpha.js";\n`,
    "pipelines/hidden.ts": `import { pipeline } from "gantry";\nconst hidden = pipeline("hidden", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`,
    "pipelines/broken.ts": `export const x = ;\n`,
    "shared/fails.ts": `export const bad = Date.now();\n`,
    "pipelines/one.ts": `import { pipeline } from "gantry";\nimport { bad } from "../shared/fails.js";\nexport default pipeline("one", {}, (p) => { p.task("t", { image: "busybox:1.36", args: [String(bad)] }); });\n`,
    "pipelines/two.ts": `import { pipeline } from "gantry";\nimport { bad } from "../shared/fails.js";\nexport default pipeline("two", {}, (p) => { p.task("t", { image: "busybox:1.36", args: [String(bad)] }); });\n`,
  };
  const codes = (r: { stderr: string }) => (r.stderr.match(/(warning|error) GANTRY\d+: [^\n]*/g) ?? []).sort();

  it("is a warning at the file, so `gantry compile lib/helpers.ts` (or a --check of it) does not pass silently having compiled nothing", () => {
    const cwd = tempProject(files);
    const r = gantry(["compile", "pipelines/helpers.ts", "--out", "out"], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(codes(r)).toEqual(["warning GANTRY1124: pipelines/helpers.ts exports no pipeline: nothing was compiled from it"]);
    expect(r.stderr).toContain("pipelines/helpers.ts:1:1: warning GANTRY1124");
    expect(gantry(["compile", "pipelines/helpers.ts", "--out", "out", "--warnings-as-errors"], cwd).code).toBe(1);
    // the same from the compile cache, the second time from its record
    for (let i = 0; i < 2; i++) expect(codes(gantry(["compile", "pipelines/helpers.ts", "--stdout", "--cache"], cwd))).toEqual(["warning GANTRY1124: pipelines/helpers.ts exports no pipeline: nothing was compiled from it"]);
  });

  it("is not said of files found in a folder or by a glob, of a re-export, nor where another finding says more", () => {
    const cwd = tempProject(files);
    for (const input of [["pipelines/helpers.ts", "pipelines/alpha.ts"], ["pipelines/alpha.ts", "pipelines/again.ts"]]) {
      expect(codes(gantry(["compile", ...input, "--stdout"], cwd)), input.join(" ")).toEqual(input.includes("pipelines/helpers.ts") ? ["warning GANTRY1124: pipelines/helpers.ts exports no pipeline: nothing was compiled from it"] : []);
    }
    fs.rmSync(path.join(cwd, "pipelines/broken.ts"));
    fs.rmSync(path.join(cwd, "pipelines/one.ts"));
    fs.rmSync(path.join(cwd, "pipelines/two.ts"));
    fs.rmSync(path.join(cwd, "pipelines/hidden.ts"));
    expect(codes(gantry(["compile", "pipelines", "--stdout"], cwd))).toEqual([]);
    expect(codes(gantry(["compile", "pipelines/*.ts", "--stdout"], cwd))).toEqual([]);
  });

  it("a file with an error, an unexported pipeline, or a pipeline whose shared module failed for an earlier file gets only that finding", () => {
    const cwd = tempProject(files);
    expect(codes(gantry(["compile", "pipelines/broken.ts", "--stdout"], cwd))).toEqual([expect.stringMatching(/^error GANTRY1002/)]);
    expect(codes(gantry(["compile", "pipelines/hidden.ts", "--stdout"], cwd))).toEqual([expect.stringMatching(/^warning GANTRY1120/)]);
    // two.ts's pipeline fails on the module one.ts already reported: reported once, and two.ts does export a pipeline
    const shared = codes(gantry(["compile", "pipelines/one.ts", "pipelines/two.ts", "--stdout"], cwd));
    expect(shared).toEqual([expect.stringMatching(/^error GANTRY1105/)]);
  });

  it("a barrel file (`export * from`) named explicitly compiles the pipelines it passes on, as a run's namespace holds them (from review: it said 'exports no pipeline')", () => {
    const cwd = tempProject({ ...files, "pipelines/index.ts": `export * from "./alpha.js";\nexport * from "./again.js";\nexport * from "./helpers.js";\n`, "pipelines/named.ts": `import { pipeline } from "gantry";\nexport const beta = pipeline("beta", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`, "pipelines/barrel2.ts": `export * from "./named.js";\nexport * from "./broken.js";\n` });
    // alpha's and again's are defaults, which `export *` leaves out; named.ts's `beta` is passed on
    const barrel = gantry(["compile", "pipelines/barrel2.ts", "--stdout", "--format", "json"], cwd);
    const found = JSON.parse(barrel.stderr) as { code: string; span?: { file: string } }[];
    // the broken module a star names is its syntax error, once, and no crash
    expect(found.map((d) => `${d.code} ${d.span?.file}`)).toEqual(["GANTRY1002 pipelines/broken.ts"]);
    fs.writeFileSync(path.join(cwd, "pipelines/barrel2.ts"), `export * from "./named.js";\n`);
    const ok = gantry(["compile", "pipelines/barrel2.ts", "--stdout"], cwd);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toContain("GANTRY1124");
    expect(ok.stdout).toContain("name: beta\n");
    // only defaults behind the stars: nothing passed on, so it exports no pipeline, as a run's namespace says
    expect(codes(gantry(["compile", "pipelines/index.ts", "--stdout"], cwd))).toEqual(["warning GANTRY1124: pipelines/index.ts exports no pipeline: nothing was compiled from it"]);
  });

  it("--watch's session says it as a compile does", async () => {
    const cwd = tempProject(files);
    const { CompileSession } = await import("../src/session.js");
    const named = await new CompileSession({ cwd, paths: ["pipelines/helpers.ts", "pipelines/alpha.ts"], target: "argo", kind: "auto" }).full();
    expect(named.diagnostics.map((d) => `${d.code} ${d.span?.file}`)).toEqual(["GANTRY1124 pipelines/helpers.ts"]);
    fs.rmSync(path.join(cwd, "pipelines/broken.ts"));
    fs.rmSync(path.join(cwd, "pipelines/one.ts"));
    fs.rmSync(path.join(cwd, "pipelines/two.ts"));
    fs.rmSync(path.join(cwd, "pipelines/hidden.ts"));
    const folder = await new CompileSession({ cwd, paths: ["pipelines"], target: "argo", kind: "auto" }).full();
    expect(folder.diagnostics).toEqual([]);
  });
});
