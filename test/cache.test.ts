/**
 * `gantry compile --cache` (src/cache/): an entry file is reused only while its text and every file
 * its compile read, or looked for in vain, are unchanged, under the same Gantry and options. These
 * tests run the real CLI on real projects and hold every reused result to the same standard: byte
 * for byte what a compile without the cache writes, diagnostics included.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { cachedBatches } from "../src/cache/cached-batches.js";
import { cacheGeneration } from "../src/cache/generation.js";
import { compile, loadBackend, type CompileOptions, type CompileResult } from "../src/compile.js";
import { createSourceProgram, type SourceProgram } from "../src/phases/1-parse/index.js";
import { gantry, gantryAsOtherUser, gantryBin, repoRoot, snapshotDir, tempProject, type CliResult } from "./support/cli.js";
import { where } from "./support/positions.js";

const STEPS = `export const step = (name: string, args: string[] = []) => ({ image: "ghcr.io/acme/etl:1.0", args: [name, ...args] });\n`;
const uses = (name: string, from = "../lib/steps.js") =>
  `import { pipeline } from "gantry";\nimport { step } from "${from}";\nexport default pipeline("${name}", {}, (p) => {\n  p.task("extract", step("extract", ["--of=${name}"]));\n});\n`;
const own = (name: string, image = "busybox:1.36") => `import { pipeline } from "gantry";\nexport default pipeline("${name}", {}, (p) => {\n  p.task("only", { image: "${image}" });\n});\n`;

const project = () =>
  tempProject({
    "lib/steps.ts": STEPS,
    "pipelines/alpha.ts": uses("alpha"),
    "pipelines/beta.ts": uses("beta"),
    "pipelines/gamma.ts": own("gamma"),
  });

/** `compile --cache` (and any other flags) into ./manifests. */
const cached = (cwd: string, ...flags: string[]) => gantry(["compile", "--cache", ...flags], cwd);

/** How many entry files the last line of a --cache run says were compiled and reused. */
function use(r: CliResult): { compiled: number; reused: number } {
  const m = /(\d+) of (\d+) source files? compiled, (\d+) reused from the cache\./.exec(r.stderr);
  if (!m) throw new Error(`no cache figures in: ${r.stderr}`);
  return { compiled: Number(m[1]), reused: Number(m[3]) };
}

/** What a compile without the cache writes for the project as it is now (in a scratch output folder). */
function uncached(cwd: string, ...flags: string[]): Record<string, string> {
  const out = fs.mkdtempSync(path.join(cwd, ".fresh-"));
  const r = gantry(["compile", "--out", out, ...flags], cwd);
  expect(r.code, r.stderr).toBe(0);
  const files = snapshotDir(out);
  fs.rmSync(out, { recursive: true });
  return files;
}

/** Diagnostics as printed, without the closing line (which counts the cache's use). */
const printed = (r: CliResult) => r.stderr.replace(/^.*(nothing was written|compiled \d+ pipeline).*\n$/m, "");

/** Two --cache compiles in a row: the second reuses all `files` and prints the first's diagnostics. */
function twice(cwd: string, files: number): [CliResult, CliResult] {
  const runs: [CliResult, CliResult] = [cached(cwd), cached(cwd)];
  expect(use(runs[1])).toEqual({ compiled: 0, reused: files });
  expect(printed(runs[1])).toBe(printed(runs[0]));
  return runs;
}

/** Sets the modified time of every file and folder under `dir` a minute back (see FileStates.changedSince). */
function age(dir: string): void {
  const then = new Date(Date.now() - 60_000);
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(e.parentPath, e.name), then, then);
  fs.utimesSync(dir, then, then);
}

describe("gantry compile --cache", () => {
  it("a record whose diagnostic quotes the absolute project path (TypeScript's TS5083) is not reused after the project moves", () => {
    const cwd = tempProject({
      "tsconfig.json": `{ "extends": "./missing-base.json" }\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { x } from "lodash";\nexport default pipeline("p-a", {}, (p) => { p.task("t", { image: "busybox:1", command: [String(x)] }); });\n`,
    });
    age(cwd);
    const first = cached(cwd);
    // Shown from the working directory (the CLI's reporting), while the record holds TypeScript's absolute path.
    expect(first.stderr).toContain("Cannot read file 'missing-base.json'");
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 1 });
    const moved = `${cwd}-moved`;
    fs.cpSync(cwd, moved, { recursive: true, verbatimSymlinks: true });
    const there = cached(moved);
    expect(use(there)).toEqual({ compiled: 1, reused: 0 });
    expect(there.stderr).toContain("Cannot read file 'missing-base.json'");
    expect(there.stderr).not.toContain(cwd);
    fs.rmSync(moved, { recursive: true, force: true });
  });

  it("reuses files saved with a UTF-8 byte order mark (module, JSON, package.json), and sees a real change under one", () => {
    const BOM = "\uFEFF";
    const cwd = tempProject({
      "lib/steps.ts": BOM + STEPS,
      "lib/tables.json": `${BOM}["orders"]\n`,
      "pipelines/alpha.ts": `import tables from "../lib/tables.json";\n` + uses("alpha").replace(`["--of=alpha"]`, "tables"),
    });
    fs.writeFileSync(path.join(cwd, "package.json"), `${BOM}{ "name": "bom-project", "type": "module" }\n`);
    age(cwd);
    const first = cached(cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(fs.readFileSync(path.join(cwd, "manifests/alpha.yaml"), "utf8")).toContain("- orders");
    twice(cwd, 1);
    fs.writeFileSync(path.join(cwd, "lib/tables.json"), `${BOM}["customers"]\n`);
    const changed = cached(cwd);
    expect(use(changed)).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("reuses every file the second time, and writes the same bytes as a compile without it", () => {
    const cwd = project();
    const first = cached(cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(use(first)).toEqual({ compiled: 3, reused: 0 });
    const second = cached(cwd);
    expect(second.code, second.stderr).toBe(0);
    expect(use(second)).toEqual({ compiled: 0, reused: 3 });
    expect(second.stderr).toContain("0 written, 4 unchanged");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
    // Its folder: tagged for backup tools, one generation, one gzipped record per entry.
    const dir = path.join(cwd, "node_modules/.cache/gantry");
    expect(fs.readFileSync(path.join(dir, "CACHEDIR.TAG"), "utf8")).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55\n/);
    const generations = fs.readdirSync(dir).filter((f) => f !== "CACHEDIR.TAG");
    expect(generations).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, generations[0]!)).filter((f) => f.endsWith(".json.gz"))).toHaveLength(3);
  });

  it("compiles again exactly the files that import a changed module, and the result is a fresh compile's", () => {
    const cwd = project();
    cached(cwd);
    fs.writeFileSync(path.join(cwd, "lib/steps.ts"), STEPS.replace("etl:1.0", "etl:2.0"));
    const r = cached(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(use(r)).toEqual({ compiled: 2, reused: 1 });
    expect(r.stderr).toContain("2 written, 2 unchanged");
    const files = snapshotDir(path.join(cwd, "manifests"));
    expect(files["alpha.yaml"]).toContain("ghcr.io/acme/etl:2.0");
    expect(files).toEqual(uncached(cwd));
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 3 });
  });

  it("compiles an entry again when its own text changes, and drops the pipelines of a deleted entry", () => {
    const cwd = project();
    cached(cwd);
    fs.writeFileSync(path.join(cwd, "pipelines/gamma.ts"), own("gamma", "busybox:1.37"));
    fs.rmSync(path.join(cwd, "pipelines/beta.ts"));
    const r = cached(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(use(r)).toEqual({ compiled: 1, reused: 1 });
    expect(r.stderr).toContain("removed (beta.yaml)");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("compiles an entry again when a file appears where one of its imports looked in vain", () => {
    // "../lib/steps" names lib/steps.ts if it exists, else lib/steps/index.ts.
    const cwd = tempProject({ "lib/steps/index.ts": STEPS, "pipelines/alpha.ts": uses("alpha", "../lib/steps"), "pipelines/gamma.ts": own("gamma") });
    expect(cached(cwd).code).toBe(0);
    fs.writeFileSync(path.join(cwd, "lib/steps.ts"), STEPS.replace("etl:1.0", "etl:3.0"));
    const r = cached(cwd);
    expect(use(r)).toEqual({ compiled: 1, reused: 1 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:3.0");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("compiles an entry again when a link on the way to a module, or to the entry, names another file (adversarial finding: the link was no dependency)", () => {
    const img = (tag: string) => `export const IMAGE = "busybox:${tag}";\n`;
    const cwd = tempProject({ "lib/a.ts": img("1.0"), "lib/b.ts": img("2.0"), "v1/img.ts": img("v1"), "v2/img.ts": img("v2"), "envs/prod/p.ts": own("env", "prod:1"), "envs/dev/p.ts": own("env", "dev:1"), "pipelines/gamma.ts": own("gamma") });
    fs.symlinkSync("a.ts", path.join(cwd, "lib/img.ts"));
    fs.symlinkSync("v1", path.join(cwd, "linked"));
    fs.symlinkSync("../envs/prod/p.ts", path.join(cwd, "pipelines/env.ts"));
    fs.writeFileSync(path.join(cwd, "pipelines/alpha.ts"), `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/img";\nexport default pipeline("alpha", {}, (p) => { p.task("t", { image: IMAGE }); });\n`);
    fs.writeFileSync(path.join(cwd, "pipelines/beta.ts"), `import { pipeline } from "gantry";\nimport { IMAGE } from "../linked/img";\nexport default pipeline("beta", {}, (p) => { p.task("t", { image: IMAGE }); });\n`);
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 4, reused: 0 });
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 4 });
    const retarget = (link: string, target: string) => {
      fs.rmSync(path.join(cwd, link));
      fs.symlinkSync(target, path.join(cwd, link));
    };
    retarget("lib/img.ts", "b.ts");
    retarget("linked", "v2");
    retarget("pipelines/env.ts", "../envs/dev/p.ts");
    const r = cached(cwd);
    expect(use(r)).toEqual({ compiled: 3, reused: 1 });
    const out = snapshotDir(path.join(cwd, "manifests"));
    expect([out["alpha.yaml"], out["beta.yaml"], out["env.yaml"]].map((y) => /image: (\S+)/.exec(y!)?.[1])).toEqual(["busybox:2.0", "busybox:v2", "dev:1"]);
    expect(out["env.yaml"]).toContain("Generated by gantry from envs/dev/p.ts");
    expect(out).toEqual(uncached(cwd));
  });

  it("compiles an entry again when a link on the way leads to a file of the same text elsewhere: its relative imports and the source annotation follow the real path (adversarial finding: the text was all a record compared)", () => {
    const cwd = tempProject({
      "v1/img.ts": 'export { IMAGE } from "./tag";\n',
      "v1/tag.ts": 'export const IMAGE = "busybox:v1";\n',
      "v2/img.ts": 'export { IMAGE } from "./tag";\n',
      "v2/tag.ts": 'export const IMAGE = "busybox:v2";\n',
      "envs/prod/p.ts": own("env", "same:1"),
      "envs/dev/p.ts": own("env", "same:1"),
    });
    fs.symlinkSync("v1", path.join(cwd, "lib"));
    fs.symlinkSync("envs/prod", path.join(cwd, "pipelines"));
    fs.writeFileSync(path.join(cwd, "a.ts"), `import { pipeline } from "gantry";\nimport { IMAGE } from "./lib/img";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`);
    age(cwd);
    const compile = () => cached(cwd, "a.ts", "pipelines");
    expect(use(compile())).toEqual({ compiled: 2, reused: 0 });
    expect(use(compile())).toEqual({ compiled: 0, reused: 2 });
    for (const [link, target] of [["lib", "v2"], ["pipelines", "envs/dev"]] as const) {
      fs.rmSync(path.join(cwd, link));
      fs.symlinkSync(target, path.join(cwd, link));
    }
    const r = compile();
    expect(use(r)).toEqual({ compiled: 2, reused: 0 });
    const out = snapshotDir(path.join(cwd, "manifests"));
    expect(/image: (\S+)/.exec(out["a.yaml"]!)?.[1]).toBe("busybox:v2");
    expect(out["env.yaml"]).toContain("Generated by gantry from envs/dev/p.ts");
    const fresh = fs.mkdtempSync(path.join(cwd, ".fresh-"));
    expect(gantry(["compile", "--out", fresh, "a.ts", "pipelines"], cwd).code).toBe(0);
    expect(out).toEqual(snapshotDir(fresh));
    // And a record of paths without links is unchanged by this: still reused where nothing moved.
    expect(use(compile())).toEqual({ compiled: 0, reused: 2 });
  });

  it("compiles an entry again when the file a tsconfig target names with its .js extension appears beside the .ts it used (adversarial finding)", () => {
    const cwd = tempProject({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*.js"] } } }),
      "lib/img.ts": `export const IMAGE = "busybox:from-ts";\n`,
      "pipelines/alpha.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/img";\nexport default pipeline("alpha", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
      "pipelines/gamma.ts": own("gamma"),
    });
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 2, reused: 0 });
    fs.writeFileSync(path.join(cwd, "lib/img.js"), `export const IMAGE = "busybox:from-js";\n`);
    const r = cached(cwd);
    expect(use(r)).toEqual({ compiled: 1, reused: 1 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("busybox:from-js");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("compiles an entry again when the tsconfig its alias came from maps it elsewhere", () => {
    const tsconfig = (target: string) => JSON.stringify({ compilerOptions: { paths: { "#steps": [target] } } });
    const cwd = tempProject({
      "tsconfig.json": tsconfig("./lib/steps.ts"),
      "lib/steps.ts": STEPS,
      "lib/steps-next.ts": STEPS.replace("etl:1.0", "etl:4.0"),
      "pipelines/alpha.ts": uses("alpha", "#steps"),
      "pipelines/gamma.ts": own("gamma"),
    });
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 2, reused: 0 });
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 2 });
    fs.writeFileSync(path.join(cwd, "tsconfig.json"), tsconfig("./lib/steps-next.ts"));
    const r = cached(cwd);
    expect(use(r)).toEqual({ compiled: 1, reused: 1 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:4.0");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("compiles an entry again when the package.json of a folder it imports names another module", () => {
    const cwd = tempProject({
      "lib/steps/package.json": JSON.stringify({ main: "one.ts" }),
      "lib/steps/one.ts": STEPS,
      "lib/steps/two.ts": STEPS.replace("etl:1.0", "etl:2.0"),
      "lib/steps/index.ts": STEPS.replace("etl:1.0", "etl:0.0"),
      "pipelines/alpha.ts": uses("alpha", "../lib/steps"),
    });
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 0 });
    fs.writeFileSync(path.join(cwd, "lib/steps/package.json"), JSON.stringify({ main: "two.ts" }));
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:2.0");
    fs.rmSync(path.join(cwd, "lib/steps/package.json"));
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:0.0");
  });

  it("compiles an entry again when the JSON document a #subpath import looked for appears", () => {
    const cwd = tempProject({
      "package.json": JSON.stringify({ imports: { "#data/*": "./data/*" } }),
      "pipelines/alpha.ts": `import { pipeline } from "gantry";\nimport tag from "#data/tag.json";\nexport default pipeline("alpha", {}, (p) => { p.task("t", { image: \`busybox:\${tag.version}\` }); });\n`,
    });
    age(cwd);
    const missing = cached(cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("GANTRY1111");
    fs.mkdirSync(path.join(cwd, "data"));
    fs.writeFileSync(path.join(cwd, "data/tag.json"), JSON.stringify({ version: "1.36" }));
    age(cwd);
    const found = cached(cwd);
    expect(found.code, found.stderr).toBe(0);
    expect(use(found)).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("busybox:1.36");
  });

  it("compiles an entry again when the package a tsconfig extends points at another config", () => {
    const config = (dir: string) => JSON.stringify({ compilerOptions: { paths: { "#steps": [`../../../lib/${dir}/steps.ts`] } } });
    const cwd = tempProject({
      "tsconfig.json": JSON.stringify({ extends: "@acme/tsconfig" }),
      "node_modules/@acme/tsconfig/package.json": JSON.stringify({ name: "@acme/tsconfig", version: "1.0.0", tsconfig: "./a.json" }),
      "node_modules/@acme/tsconfig/a.json": config("one"),
      "node_modules/@acme/tsconfig/b.json": config("two"),
      "lib/one/steps.ts": STEPS,
      "lib/two/steps.ts": STEPS.replace("etl:1.0", "etl:2.0"),
      "pipelines/alpha.ts": uses("alpha", "#steps"),
    });
    age(cwd);
    const first = cached(cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:1.0");
    fs.writeFileSync(path.join(cwd, "node_modules/@acme/tsconfig/package.json"), JSON.stringify({ name: "@acme/tsconfig", version: "1.0.0", tsconfig: "./b.json" }));
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))["alpha.yaml"]).toContain("etl:2.0");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("never reads what is not a file: a FIFO where an import looked in vain is a change, not a hang", () => {
    const cwd = tempProject({ "lib/steps/index.ts": STEPS, "pipelines/alpha.ts": uses("alpha", "../lib/steps") });
    expect(cached(cwd).code).toBe(0);
    const fifo = spawnSync("mkfifo", [path.join(cwd, "lib/steps.ts")]);
    if (fifo.status !== 0) return; // no mkfifo here
    const r = cached(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(use(r)).toEqual({ compiled: 1, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
  });

  it("compiles an entry again when a module its import graph leads to moves, though nothing loaded it: a cycle through it is still found (from review)", () => {
    // c.ts imports d but reads nothing of it, so d is never loaded for c; the cycle c -> d -> c counts all the same.
    const cwd = tempProject({
      "lib/d.ts": `import { c } from "../pipelines/c.js";\nexport const dval = 1;\nexport const both = () => c + dval;\n`,
      "pipelines/c.ts": `import { dval } from "../lib/d";\nexport const c = 2;\n`,
      "pipelines/e.ts": `import { pipeline } from "gantry";\nimport { dval } from "../lib/d";\nexport default pipeline("e", {}, (p) => { p.task("t", { image: \`busybox:\${dval}\` }); });\n`,
    });
    const first = cached(cwd);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("GANTRY1110");
    fs.mkdirSync(path.join(cwd, "lib/d"));
    fs.renameSync(path.join(cwd, "lib/d.ts"), path.join(cwd, "lib/d/index.ts"));
    fs.writeFileSync(path.join(cwd, "lib/d/index.ts"), fs.readFileSync(path.join(cwd, "lib/d/index.ts"), "utf8").replace("../pipelines/c.js", "../../pipelines/c.js"));
    const moved = cached(cwd);
    expect(use(moved)).toEqual({ compiled: 2, reused: 0 });
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain("error GANTRY1110: import cycle: lib/d/index.ts -> pipelines/c.ts -> lib/d/index.ts");
  });

  it("warns that what reads a file dated in the future cannot be recorded, and compiles it every time (from review)", () => {
    const cwd = tempProject({ "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "#steps": ["./lib/steps.ts"] } } }), "lib/steps.ts": STEPS, "pipelines/alpha.ts": uses("alpha", "#steps"), "pipelines/gamma.ts": own("gamma") });
    age(cwd);
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(cwd, "tsconfig.json"), later, later);
    for (let run = 0; run < 2; run++) {
      const r = cached(cwd);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("warning GANTRY5005: cannot record in the compile cache what reads tsconfig.json: modified in the future");
      expect(use(r)).toEqual(run === 0 ? { compiled: 2, reused: 0 } : { compiled: 1, reused: 1 });
    }
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 1 });
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 2 });
  });

  const asOtherUser = gantryAsOtherUser();
  it.skipIf(asOtherUser === undefined)("reads a cache it cannot write (restored read-only)", () => {
    const cwd = project();
    expect(cached(cwd).code).toBe(0);
    spawnSync("chmod", ["-R", "a+rX,a-w", path.join(cwd, "node_modules")]);
    spawnSync("chmod", ["-R", "a+rX", cwd]);
    const r = asOtherUser!(["compile", "--cache", "--check"], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("manifests is up to date (4 files). 0 of 3 source files compiled, 3 reused from the cache.");
  });

  it("does not record a compile that read a file changed moments before (its time may be too coarse to tell a change during the compile)", () => {
    const cwd = tempProject({ "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "#steps": ["./lib/steps.ts"] } } }), "lib/steps.ts": STEPS, "pipelines/alpha.ts": uses("alpha", "#steps"), "pipelines/gamma.ts": own("gamma") });
    age(cwd);
    // Touched just before each compile that must see it as changed moments before: a compile
    // started over 2 s later (a loaded CI machine) rightly records it.
    const touch = () => {
      const now = new Date();
      fs.utimesSync(path.join(cwd, "tsconfig.json"), now, now);
    };
    touch();
    expect(use(cached(cwd))).toEqual({ compiled: 2, reused: 0 });
    // alpha read the just-changed tsconfig: not recorded. gamma read no tsconfig: recorded.
    touch();
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 1 });
    age(cwd);
    expect(use(cached(cwd))).toEqual({ compiled: 1, reused: 1 });
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 2 });
  });

  it("compiles an importer again once a module it could not parse is fixed", () => {
    const deep = `export const depth = ${"[".repeat(50_000)}${"]".repeat(50_000)}.length;\n`;
    const cwd = tempProject({ "lib/deep.ts": deep, "pipelines/alpha.ts": `import { pipeline } from "gantry";\nimport { depth } from "../lib/deep.js";\nexport default pipeline("alpha", {}, (p) => { p.task("t", { image: "x", args: [String(depth)] }); });\n` });
    const broken = cached(cwd);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("cannot read lib/deep.ts: it is nested too deeply to parse");
    expect(printed(cached(cwd))).toBe(printed(broken));
    fs.writeFileSync(path.join(cwd, "lib/deep.ts"), `export const depth = 1;\n`);
    const fixed = cached(cwd);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(use(fixed)).toEqual({ compiled: 1, reused: 0 });
  });

  it("reports a reused file's diagnostics as its compile did: warnings with code frames, errors with exit 1 and nothing written", () => {
    const cwd = project();
    // A warning: a setup nothing tears down...
    fs.writeFileSync(path.join(cwd, "pipelines/gamma.ts"), `import { pipeline } from "gantry";\nexport default pipeline("gamma", {}, (p) => {\n  const make = p.setup("make", { image: "busybox:1.36" });\n  p.task("only", { image: "busybox:1.36", after: [make] });\n});\n`);
    const warned = twice(cwd, 3);
    expect(warned.map((r) => r.code)).toEqual([0, 0]);
    expect(warned[0].stderr).toContain("warning GANTRY2021");
    expect(warned[0].stderr).toContain("> 3 |");
    // ...and an error.
    fs.writeFileSync(path.join(cwd, "pipelines/beta.ts"), uses("beta").replace(`p.task("extract"`, `p.task("Extract!"`));
    const before = snapshotDir(path.join(cwd, "manifests"));
    const failed = twice(cwd, 3);
    expect(failed.map((r) => r.code)).toEqual([1, 1]);
    expect(failed[0].stderr).toContain("error GANTRY2005");
    expect(failed[0].stderr).toContain("> 3 |");
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(before);
  });

  it("checks pipeline names and import cycles across files on every compile, reused or not", () => {
    const cwd = tempProject({
      "pipelines/one.ts": own("same"),
      "pipelines/two.ts": own("same", "busybox:1.37"),
      "pipelines/a.ts": `import { b } from "./b.js";\nexport const a = 1;\nexport const both = () => a + b;\n`,
      "pipelines/b.ts": `import { a } from "./a.js";\nexport const b = 2;\nexport const both = () => a + b;\n`,
    });
    const runs = twice(cwd, 4);
    expect(runs.map((r) => r.code)).toEqual([1, 1]);
    expect(runs[0].stderr).toContain("GANTRY2009");
    expect(runs[0].stderr).toMatch(/import cycle/i);
    // One of the two recompiled, the other reused: still a clash.
    fs.writeFileSync(path.join(cwd, "pipelines/two.ts"), own("same", "busybox:1.38"));
    const again = cached(cwd);
    expect(use(again)).toEqual({ compiled: 1, reused: 3 });
    expect(printed(again)).toBe(printed(runs[0]).replace("busybox:1.37", "busybox:1.38"));
  });

  it("keeps a generation per set of options, and per Gantry build", () => {
    const cwd = project();
    expect(use(cached(cwd))).toEqual({ compiled: 3, reused: 0 });
    expect(use(cached(cwd, "--no-metrics"))).toEqual({ compiled: 3, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd, "--no-metrics"));
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 3 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
    // The same version of Gantry with one module changed is another build: nothing of the old one is read.
    const copy = path.join(repoRoot, ".vitest-tmp", `dist-${process.pid}`);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(path.dirname(path.dirname(gantryBin)), copy, { recursive: true });
    try {
      fs.appendFileSync(path.join(copy, "output/yaml.js"), "\n// rebuilt\n");
      const r = spawnSync(process.execPath, [path.join(copy, "cli/main.js"), "compile", "--cache"], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect(r.status, r.stderr).toBe(0);
      expect(use({ code: r.status, stdout: r.stdout, stderr: r.stderr })).toEqual({ compiled: 3, reused: 0 });
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it("treats a damaged record as missing, and writes it again", () => {
    const cwd = project();
    cached(cwd);
    const dir = path.join(cwd, "node_modules/.cache/gantry");
    const records = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".json.gz"));
    expect(records).toHaveLength(3);
    const [a, b, c] = records.map((f) => path.join(dir, f));
    fs.writeFileSync(a!, "not gzip");
    fs.truncateSync(b!, 20); // gzip's check of its length and CRC fails
    fs.writeFileSync(c!, zlib.gzipSync(`{"entry":"pipelines/gamma.ts","deps":"none"}`)); // gzip, but not a record
    const r = cached(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(use(r)).toEqual({ compiled: 3, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 3 });
  });

  it("removes the temporary files a killed compile left, but not one another compile may still be writing", () => {
    const cwd = project();
    cached(cwd);
    const dir = path.join(cwd, "node_modules/.cache/gantry");
    const [generation] = fs.readdirSync(dir).filter((f) => f.startsWith("gen-"));
    const folder = path.join(dir, generation!);
    const record = fs.readdirSync(folder).find((f) => f.endsWith(".json.gz"))!;
    const abandoned = path.join(folder, `${record}.4242.0.tmp`);
    const inFlight = path.join(folder, `${record}.4243.0.tmp`);
    fs.writeFileSync(abandoned, "half a rec");
    fs.writeFileSync(inFlight, "half a rec");
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    fs.utimesSync(abandoned, hourAgo, hourAgo);
    const r = cached(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(use(r)).toEqual({ compiled: 0, reused: 3 });
    expect(fs.existsSync(abandoned)).toBe(false);
    expect(fs.existsSync(inFlight)).toBe(true);
  });

  it("warns (GANTRY5005) and compiles without it where the cache cannot be written", () => {
    const cwd = project();
    fs.writeFileSync(path.join(cwd, "in-the-way"), "a file, not a folder\n");
    const r = cached(cwd, "--cache-location", "in-the-way");
    expect(r.code, r.stderr).toBe(0);
    // Not even with --warnings-as-errors: a broken cache never fails a compile (adversarial finding).
    const strict = cached(cwd, "--cache-location", "in-the-way", "--warnings-as-errors");
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stderr).toContain("warning GANTRY5005");
    expect(r.stderr).toContain("warning GANTRY5005: cannot use the compile cache at in-the-way: a file is in the way; compiled without it");
    expect(use(r)).toEqual({ compiled: 3, reused: 0 });
    expect(snapshotDir(path.join(cwd, "manifests"))).toEqual(uncached(cwd));
    expect(fs.readFileSync(path.join(cwd, "in-the-way"), "utf8")).toBe("a file, not a folder\n");

    // A record that cannot be written (a folder where it goes): one warning, the compile complete.
    const ok = cached(cwd, "--cache-location", ".cache");
    expect(use(ok)).toEqual({ compiled: 3, reused: 0 });
    const generation = fs.readdirSync(path.join(cwd, ".cache")).find((f) => f.startsWith("gen-"))!;
    const record = fs.readdirSync(path.join(cwd, ".cache", generation)).find((f) => f.endsWith(".json.gz"))!;
    fs.rmSync(path.join(cwd, ".cache", generation, record));
    fs.mkdirSync(path.join(cwd, ".cache", generation, record, "x"), { recursive: true });
    const blocked = cached(cwd, "--cache-location", ".cache");
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(blocked.stderr.match(/GANTRY5005/g)).toHaveLength(1);
    // Said without Node's message, which names the temporary file by its absolute path.
    expect(blocked.stderr).toContain("warning GANTRY5005: cannot write to the compile cache at .cache: a folder is in the way; the files not recorded will be compiled again next time");
    expect(use(blocked)).toEqual({ compiled: 1, reused: 2 });
    // A folder Gantry did not make is not tagged for backup tools to skip.
    expect(fs.existsSync(path.join(cwd, ".cache", "CACHEDIR.TAG"))).toBe(true);
    expect(cached(cwd, "--cache-location", ".").code).toBe(0);
    expect(fs.existsSync(path.join(cwd, "CACHEDIR.TAG"))).toBe(false);
  });

  it("is relocatable: a project moved with its cache reuses every file", () => {
    const cwd = project();
    // One pipeline reached from two entries: the two must agree that it is one, whichever was reused.
    fs.writeFileSync(path.join(cwd, "pipelines/again.ts"), `export { default } from "./gamma.js";\n`);
    expect(cached(cwd).code).toBe(0);
    const moved = `${cwd}-moved`;
    fs.cpSync(cwd, moved, { recursive: true });
    const r = cached(moved);
    expect(use(r)).toEqual({ compiled: 0, reused: 4 });
    expect(snapshotDir(path.join(moved, "manifests"))).toEqual(uncached(moved));
    fs.appendFileSync(path.join(moved, "pipelines/again.ts"), "// the same pipeline\n");
    const one = cached(moved);
    expect(one.code, one.stderr).toBe(0);
    expect(use(one)).toEqual({ compiled: 1, reused: 3 });
    const records = fs.readdirSync(path.join(moved, "node_modules/.cache/gantry"), { recursive: true }).map(String).filter((f) => f.endsWith(".json.gz"));
    for (const f of records) {
      const text = zlib.gunzipSync(fs.readFileSync(path.join(moved, "node_modules/.cache/gantry", f))).toString("utf8");
      expect(text).toContain('"entry":"pipelines/');
      expect(text).not.toContain(cwd);
    }
  });

  it("holds a record that read files outside the working directory only where the project was", () => {
    // What lies outside cwd (here a module; or the folders above it searched for a tsconfig.json)
    // depends on where the project is: a moved copy compiles such an entry again.
    const top = tempProject({ "shared/steps.ts": STEPS, "app/pipelines/alpha.ts": uses("alpha", "../../shared/steps.js"), "app/pipelines/gamma.ts": own("gamma") });
    const cwd = path.join(top, "app");
    expect(use(cached(cwd))).toEqual({ compiled: 2, reused: 0 });
    expect(use(cached(cwd))).toEqual({ compiled: 0, reused: 2 });
    const moved = `${top}-moved`;
    fs.cpSync(top, moved, { recursive: true });
    fs.writeFileSync(path.join(moved, "shared/steps.ts"), STEPS.replace("etl:1.0", "etl:5.0"));
    const r = cached(path.join(moved, "app"));
    expect(use(r)).toEqual({ compiled: 1, reused: 1 });
    expect(snapshotDir(path.join(moved, "app/manifests"))["alpha.yaml"]).toContain("etl:5.0");
    expect(snapshotDir(path.join(moved, "app/manifests"))).toEqual(uncached(path.join(moved, "app")));
  });

  it("reuses --graph and --metadata output too", () => {
    const cwd = project();
    cached(cwd, "--graph", "--metadata");
    const r = cached(cwd, "--graph", "--metadata");
    expect(use(r)).toEqual({ compiled: 0, reused: 3 });
    const files = snapshotDir(path.join(cwd, "manifests"));
    expect(Object.keys(files).filter((f) => f.endsWith(".md") || f.endsWith(".metadata.json"))).toHaveLength(6);
    expect(files).toEqual(uncached(cwd, "--graph", "--metadata"));
  });

  it("works with --check and --stdout, and with the configuration's cache settings", () => {
    const cwd = project();
    expect(cached(cwd).code).toBe(0);
    const check = cached(cwd, "--check");
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain("manifests is up to date (4 files). 0 of 3 source files compiled, 3 reused from the cache.");
    const stdout = cached(cwd, "--stdout");
    expect(stdout.stdout).toBe(gantry(["compile", "--stdout"], cwd).stdout);

    fs.writeFileSync(path.join(cwd, "gantry.config.json"), JSON.stringify({ cache: true, cacheLocation: "build/gantry-cache" }));
    const configured = gantry(["compile"], cwd);
    expect(use(configured)).toEqual({ compiled: 3, reused: 0 });
    expect(fs.existsSync(path.join(cwd, "build/gantry-cache/CACHEDIR.TAG"))).toBe(true);
    expect(use(gantry(["compile"], cwd))).toEqual({ compiled: 0, reused: 3 });
    const off = gantry(["compile", "--no-cache"], cwd);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).not.toContain("from the cache");
  });

  it("refuses --cache-location without --cache (exit 2)", () => {
    const cwd = project();
    const r = gantry(["compile", "--cache-location", "x"], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--cache-location needs --cache");
    expect(fs.existsSync(path.join(cwd, "x"))).toBe(false);
  });
});

describe("the cache folder's upkeep (store.ts)", () => {
  const gen = (n: number) => `gen-${n.toString(16).padStart(24, "0")}`;
  const dated = (file: string, msAgo: number) => {
    const t = new Date(Date.now() - msAgo);
    fs.utimesSync(file, t, t);
  };

  it("keeps the four most recently used other generations, and every one used in the last ten minutes (cache review finding: concurrent compiles removed each other's)", async () => {
    const { CacheStore } = await import("../src/cache/store.js");
    const dir = tempProject();
    for (let i = 1; i <= 8; i++) fs.mkdirSync(path.join(dir, gen(i)));
    for (let i = 1; i <= 6; i++) dated(path.join(dir, gen(i)), 60_000 * i); // busy: used minutes ago
    dated(path.join(dir, gen(7)), 3_600_000); // idle for an hour
    dated(path.join(dir, gen(8)), 7_200_000);
    fs.writeFileSync(path.join(dir, "notes.txt"), "not Gantry's");
    expect(CacheStore.open(dir, gen(99))).toBeInstanceOf(CacheStore);
    expect(fs.readdirSync(dir).sort()).toEqual([...[1, 2, 3, 4, 5, 6].map(gen), gen(99), "notes.txt"].sort());
  });

  it("removes records not used for 30 days when their generation is opened: an entry renamed or deleted leaves none behind for good (cache review finding)", async () => {
    const { CacheStore } = await import("../src/cache/store.js");
    const dir = tempProject({ [`${gen(1)}/old.json.gz`]: "x", [`${gen(1)}/recent.json.gz`]: "y" });
    dated(path.join(dir, gen(1), "old.json.gz"), 31 * 24 * 3_600_000);
    dated(path.join(dir, gen(1), "recent.json.gz"), 29 * 24 * 3_600_000);
    expect(CacheStore.open(dir, gen(1))).toBeInstanceOf(CacheStore);
    expect(fs.readdirSync(path.join(dir, gen(1)))).toEqual(["recent.json.gz"]);
  });
});

describe("what a compile records", () => {
  it("a record a compile reuses counts as used: its time is refreshed, so it does not go stale while in use", () => {
    const cwd = project();
    expect(use(cached(cwd, "--cache-location", ".c"))).toEqual({ compiled: 3, reused: 0 });
    const generation = path.join(cwd, ".c", fs.readdirSync(path.join(cwd, ".c")).find((f) => f.startsWith("gen-"))!);
    const records = () => fs.readdirSync(generation).map((f) => path.join(generation, f));
    const then = new Date(Date.now() - 29 * 24 * 3_600_000);
    for (const f of records()) fs.utimesSync(f, then, then);
    expect(use(cached(cwd, "--cache-location", ".c"))).toEqual({ compiled: 0, reused: 3 });
    expect(records().map((f) => fs.statSync(f).mtimeMs > Date.now() - 600_000)).toEqual([true, true, true]);
  });

  it("a file other than a module is recorded as the compile read it, not as it was when the compile began (from review: a race)", async () => {
    // a.ts is reused and its check reads data.json first; data.json then changes while b.ts
    // compiles (long enough before c.ts starts that its modified time gives nothing away); c.ts
    // reads the new text and must be recorded with it.
    const entry = (name: string, suffix = "") => `import { pipeline } from "gantry";\nimport data from "../lib/data.json";\nexport default pipeline("${name}", {}, (p) => { p.task("t", { image: data.image }); });\n${suffix}`;
    const cwd = tempProject({ "lib/data.json": JSON.stringify({ image: "busybox:1" }), "pipelines/a.ts": entry("a"), "pipelines/b.ts": own("b"), "pipelines/c.ts": entry("c") });
    age(cwd);
    const options: CompileOptions = { cwd, paths: ["pipelines"], target: "argo", kind: "auto", cache: ".cache" };
    expect((await compile(options)).cache).toEqual({ reused: 0, compiled: 3 });
    fs.writeFileSync(path.join(cwd, "pipelines/b.ts"), own("b", "busybox:2"));
    fs.writeFileSync(path.join(cwd, "pipelines/c.ts"), entry("c", "// changed\n"));
    age(cwd);

    const setData = (image: string) => {
      const file = path.join(cwd, "lib/data.json");
      fs.writeFileSync(file, JSON.stringify({ image }));
      const then = new Date(Date.now() - 60_000);
      fs.utimesSync(file, then, then);
    };
    const base = createSourceProgram(cwd);
    const program: SourceProgram = {
      ...base,
      file(p) {
        if (p.endsWith("b.ts")) setData("busybox:2");
        return base.file(p);
      },
    };
    const entries = ["a", "b", "c"].map((n) => path.join(cwd, `pipelines/${n}.ts`));
    const run = cachedBatches(entries, { ...options, cache: ".cache" }, await loadBackend(options), program);
    expect(run.use).toEqual({ reused: 1, compiled: 2 });
    expect(run.batches[2]!.claims[0]!.pipeline!.yaml).toContain("busybox:2");

    setData("busybox:1");
    const after = await compile(options);
    expect(after.cache).toEqual({ reused: 2, compiled: 1 });
    expect(after.pipelines.find((p) => p.name === "c")!.yaml).toContain("busybox:1");
  });
});

describe("what a compile records, when a file changes under it", () => {
  // Cache review finding: a JSON file (here a tsconfig's alias, and a JSON module) replaced while
  // the compile ran by one with an old modified time (`cp -p`, `tar -x`) was recorded under its new
  // text, so the next compile reused output made from the old one.
  it.each([
    ["tsconfig.json", { compilerOptions: { paths: { "@img": ["./lib1/img.ts"] } } }, { compilerOptions: { paths: { "@img": ["./lib2/img.ts"] } } }, `import { IMG } from "@img";`, "IMG"],
    ["lib/data.json", { image: "from-lib1" }, { image: "from-lib2" }, `import data from "../lib/data.json";`, "data.image"],
  ])("%s replaced by an older-dated one mid-compile is not recorded under its new text", async (file, before, after, imports, image) => {
    const cwd = tempProject({
      [file]: JSON.stringify(before),
      "lib1/img.ts": `export const IMG = "from-lib1";\n`,
      "lib2/img.ts": `export const IMG = "from-lib2";\n`,
      "lib/late.ts": `export const TAG = "x";\n`,
      "pipelines/c.ts": `import { pipeline } from "gantry";\n${imports}\nimport { TAG } from "../lib/late.js";\nexport default pipeline("c", {}, (p) => { p.task("t", { image: ${image}, args: [TAG] }); });\n`,
    });
    age(cwd);
    const options: CompileOptions = { cwd, paths: ["pipelines"], target: "argo", kind: "auto", cache: ".cache" };
    // The file is replaced once the compile has read it, before it reads lib/late.ts, with a modified time a minute back.
    const base = createSourceProgram(cwd);
    let swapped = false;
    const program: SourceProgram = {
      ...base,
      file(p) {
        if (p.endsWith("late.ts") && !swapped) {
          swapped = true;
          const target = path.join(cwd, file);
          fs.writeFileSync(target, JSON.stringify(after));
          const then = new Date(Date.now() - 60_000);
          fs.utimesSync(target, then, then);
        }
        return base.file(p);
      },
    };
    const run = cachedBatches([path.join(cwd, "pipelines/c.ts")], { ...options, cache: ".cache" }, await loadBackend(options), program);
    expect(swapped).toBe(true);
    expect(run.batches[0]!.claims[0]!.pipeline!.yaml).toContain("from-lib1"); // what it read
    // The next compile sees the file as it is now, and must not reuse that output.
    const next = await compile(options);
    expect(next.pipelines[0]!.yaml).toContain("from-lib2");
    expect(next.cache).toEqual({ reused: 0, compiled: 1 });
  });
});

describe("compile({ cache }) equals compile() without it", () => {
  const summary = (r: CompileResult) => ({
    pipelines: r.pipelines.map((p) => [p.name, p.source, p.file, p.yaml, p.metadata]),
    diagnostics: r.diagnostics.map((d) => `${where(d)} ${d.severity} ${d.code} ${d.message} ${d.hint ?? ""} ${(d.calledFrom ?? []).map((s) => `${s.file}:${s.line}:${s.column}`).join(",")}`),
    sources: [...r.sources].sort(),
    ok: r.ok,
  });

  it.each([
    ["the bundled examples", path.join(repoRoot, "examples")],
    ["the static-analysis test pipelines (with their diagnostics)", path.join(repoRoot, "test", "fixtures", "static")],
  ])("%s, cold and warm", async (_, dir) => {
    const cacheDir = fs.mkdtempSync(path.join(repoRoot, ".vitest-tmp", "cache-"));
    try {
      const options: CompileOptions = { cwd: dir, paths: ["."], target: "argo", kind: "auto", metadata: true };
      const plain = await compile(options);
      expect(plain.pipelines.length).toBeGreaterThan(3);
      const cold = await compile({ ...options, cache: cacheDir });
      const warm = await compile({ ...options, cache: cacheDir });
      expect(cold.cache).toEqual({ reused: 0, compiled: expect.any(Number) });
      expect(warm.cache).toEqual({ reused: cold.cache!.compiled, compiled: 0 });
      expect(summary(cold)).toEqual(summary(plain));
      expect(summary(warm)).toEqual(summary(plain));
      // The IR (kept by default) and the objects come back as they were.
      expect(warm.pipelines.map((p) => p.ir)).toEqual(plain.pipelines.map((p) => p.ir));
      expect(warm.pipelines.map((p) => p.objects)).toEqual(plain.pipelines.map((p) => p.objects));
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  // Cache review findings: a batch of one entry reads a shared module anew, so what it finds there
  // (the work its initialisers do, a failure to load its imports) must not depend on who read it first.
  it.each([
    [
      "a shared module's work counts against its own budget, not the budget of each entry that reads it",
      {
        "lib/table.ts": `const cols = Array.from({ length: 2000 }, (_, k) => k);\nexport const count = (rows: number) => { const c = { n: 0 }; for (const i of Array.from({ length: rows }, (_, k) => k)) for (const j of cols) c.n = c.n + 1; return c.n; };\nexport const SIZE = count(300);\n`,
        "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { SIZE } from "../lib/table.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox:1.36", args: [String(SIZE)] }); });\n`,
        "pipelines/b.ts": `import { pipeline } from "gantry";\nimport { SIZE, count } from "../lib/table.js";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "busybox:1.36", args: [String(SIZE), String(count(250))] }); });\n`,
      },
      true,
    ],
    [
      "a shared module's missing import is one finding, wherever it was read from",
      {
        "lib/helper.ts": `export * from "./inner";\n`,
        ...Object.fromEntries(["a", "b", "c"].map((n) => [`pipelines/${n}.ts`, `import { pipeline } from "gantry";\nimport { IMG } from "../lib/helper.js";\nexport default pipeline("${n}", {}, (p) => { p.task("t", { image: IMG }); });\n`])),
      },
      false,
    ],
  ] as const)("%s", async (_, files, ok) => {
    const cwd = tempProject(files);
    const cacheDir = fs.mkdtempSync(path.join(repoRoot, ".vitest-tmp", "cache-"));
    try {
      const options: CompileOptions = { cwd, paths: ["pipelines"], target: "argo", kind: "auto" };
      const plain = await compile(options);
      expect(plain.ok).toBe(ok);
      if (!ok) expect(plain.diagnostics.map((d) => `${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.code}`)).toEqual(["lib/helper.ts:1:15 GANTRY1111"]);
      const cold = await compile({ ...options, cache: cacheDir });
      expect(summary(cold)).toEqual(summary(plain));
      expect(summary(await compile({ ...options, cache: cacheDir }))).toEqual(summary(plain));
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("the generation changes with every option that shapes the output, and only with those", () => {
    const base: CompileOptions = { cwd: "/a", paths: ["x"], target: "argo", kind: "auto" };
    const g = cacheGeneration(base);
    expect(g).toMatch(/^gen-[0-9a-f]{24}$/);
    expect(cacheGeneration({ ...base, cwd: "/b", paths: ["y"], typecheck: true, cache: "elsewhere" })).toBe(g);
    expect(cacheGeneration({ ...base, metrics: true, keepIr: true, hardenArgoExecutor: true })).toBe(g);
    // Argo only: the jobs target has no executor to harden.
    expect(cacheGeneration({ ...base, target: "jobs", hardenArgoExecutor: false })).toBe(cacheGeneration({ ...base, target: "jobs" }));
    const variants: Partial<CompileOptions>[] = [
      { target: "jobs" },
      { kind: "workflow" },
      { namespace: "data" },
      { labelPrefix: "acme.io" },
      { hardenArgoExecutor: false },
      { metrics: false },
      { metadata: true },
      { keepIr: false },
    ];
    const all = variants.map((v) => cacheGeneration({ ...base, ...v }));
    expect(new Set([g, ...all]).size).toBe(variants.length + 1);
    const jobs: CompileOptions = { ...base, target: "jobs" };
    expect(new Set([cacheGeneration(jobs), cacheGeneration({ ...jobs, jobs: { runId: "r1" } }), cacheGeneration({ ...jobs, jobs: { gitops: "argocd" } }), cacheGeneration({ ...jobs, jobs: { runtimeImage: "node:20" } }), cacheGeneration({ ...jobs, jobs: { idleTimeoutSeconds: 7200 } })]).size).toBe(5);
  });
});
