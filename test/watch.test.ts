/**
 * Incremental compiles (CompileSession, behind `gantry compile --watch`): the same result as a full
 * compile, and after a change only the changed files and the pipelines that import them recompile.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile, type CompileOptions } from "../src/compile.js";
import type { CompileFlags } from "../src/cli/compile-command.js";
import { runWatch } from "../src/cli/watch-command.js";
import { watchPlan } from "../src/cli/watch-plan.js";
import { CompileSession } from "../src/session.js";
import { gantryBin, repoRoot, tempProject } from "./support/cli.js";

const options = (cwd: string, paths: string[]): CompileOptions => ({ cwd, paths, target: "argo", kind: "auto" });

/** `gantry compile <args> --watch` in `dir`: its stderr so far, and `until`, which polls a check for up to 10 s. */
function watching(dir: string, args: string[]) {
  const child = spawn(process.execPath, [gantryBin, "compile", ...args, "--watch"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  const w = {
    child,
    stderr: "",
    async until(check: () => boolean, what: string) {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(check(), `${what}\n${w.stderr}`).toBe(true);
    },
  };
  child.stderr.on("data", (d) => (w.stderr += String(d)));
  return w;
}
const summary = (r: { pipelines: { name: string; yaml: string }[]; diagnostics: unknown[] }) => ({
  pipelines: r.pipelines.map((p) => [p.name, p.yaml]),
  diagnostics: r.diagnostics,
});

describe("CompileSession", () => {
  it.each(["examples", "test/fixtures/static"])("a full session compile of %s equals compile()", async (dir) => {
    const session = new CompileSession(options(repoRoot, [dir]));
    expect(summary(await session.full())).toEqual(summary(await compile(options(repoRoot, [dir]))));
  });

  it("recompiles only what depends on a change, and the result still equals a full compile", async () => {
    const dir = tempProject({
      "lib/images.ts": `export const IMAGE = "busybox:1.36";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/images.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "alpine:3" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).recompiled).toEqual(["pipelines/a.ts", "pipelines/b.ts"]);

    fs.writeFileSync(path.join(dir, "pipelines/b.ts"), fs.readFileSync(path.join(dir, "pipelines/b.ts"), "utf8").replace("alpine:3", "alpine:3.20"));
    const afterB = await session.update(["pipelines/b.ts"]);
    expect(afterB.recompiled).toEqual(["pipelines/b.ts"]);
    expect(afterB.pipelines.find((p) => p.name === "b")!.yaml).toContain("alpine:3.20");

    // A shared module: every pipeline importing it recompiles (and only those).
    fs.writeFileSync(path.join(dir, "lib/images.ts"), `export const IMAGE = "busybox:1.37";\n`);
    const afterLib = await session.update([path.join(dir, "lib/images.ts")]);
    expect(afterLib.recompiled).toEqual(["pipelines/a.ts"]);
    expect(afterLib.pipelines.find((p) => p.name === "a")!.yaml).toContain("busybox:1.37");
    expect(summary(afterLib)).toEqual(summary(await compile(options(dir, ["pipelines"]))));

    // Added and deleted files.
    fs.writeFileSync(path.join(dir, "pipelines/c.ts"), `import { pipeline } from "gantry";\nexport default pipeline("c", {}, (p) => { p.task("t", { image: "x" }); });\n`);
    fs.rmSync(path.join(dir, "pipelines/b.ts"));
    const afterAddDelete = await session.update(["pipelines/c.ts", "pipelines/b.ts"]);
    expect(afterAddDelete.recompiled).toEqual(["pipelines/c.ts"]);
    expect(afterAddDelete.pipelines.map((p) => p.name)).toEqual(["a", "c"]);

    // A syntax error, then its fix: diagnostics come and go with the file.
    fs.writeFileSync(path.join(dir, "pipelines/c.ts"), `import { pipeline } from "gantry";\nexport default pipeline("c", {}, (p) => { p.task("t", { image: "x" ; });\n`);
    const broken = await session.update(["pipelines/c.ts"]);
    expect(broken.ok).toBe(false);
    expect(broken.diagnostics.map((d) => d.code)).toContain("GANTRY1002");
    fs.writeFileSync(path.join(dir, "pipelines/c.ts"), `import { pipeline } from "gantry";\nexport default pipeline("c", {}, (p) => { p.task("t", { image: "y" }); });\n`);
    const fixed = await session.update(["pipelines/c.ts"]);
    expect(fixed.ok).toBe(true);
    expect(summary(fixed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("a JSON document a pipeline imports is a dependency: changing it recompiles that pipeline, breaking it reports the file", async () => {
    const dir = tempProject({
      "lib/images.json": `{ "app": "busybox:1.36" }\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport images from "../lib/images.json";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: images.app }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "alpine:3" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).pipelines.find((p) => p.name === "a")!.yaml).toContain("busybox:1.36");
    fs.writeFileSync(path.join(dir, "lib/images.json"), `{ "app": "busybox:1.37" }\n`);
    const changed = await session.update([path.join(dir, "lib/images.json")]);
    expect(changed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(changed.pipelines.find((p) => p.name === "a")!.yaml).toContain("busybox:1.37");
    expect(summary(changed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
    fs.writeFileSync(path.join(dir, "lib/images.json"), `{ "app": "busybox:1.37", }\n`);
    const broken = await session.update([path.join(dir, "lib/images.json")]);
    expect(broken.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}:${d.span?.column}`)).toEqual(["GANTRY1002 lib/images.json:1:26"]);
  });

  it("an unread declaration's helper check follows a change in a file it only peeked at (the helper's callee)", async () => {
    const dir = tempProject({
      "lib/reg.ts": `export const names: string[] = [];\nexport function reg(x: string) { names.push(x); return x; }\n`,
      "lib/wrap.ts": `import { reg } from "./reg.js";\nexport function wrap(x: string) { return reg(x); }\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { wrap } from "../lib/wrap.js";\nconst unread = wrap("b");\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "x" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => d.message.replace(/ when .*/, ""))).toEqual(["wrap(...) changes a module-level array (names.push in lib/reg.ts:2)"]);
    fs.writeFileSync(path.join(dir, "lib/reg.ts"), `export const names: string[] = [];\nexport function reg(x: string) { return x; }\n`);
    const changed = await session.update([path.join(dir, "lib/reg.ts")]);
    expect(changed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(changed.diagnostics).toEqual([]);
    expect(summary(changed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("a module imported only for its effects is a dependency: changing it recompiles its importers", async () => {
    const dir = tempProject({
      "lib/registry.ts": `export const steps: string[] = ["base"];\n`,
      "lib/extra.ts": `export const note = "nothing here changes the registry";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport "../lib/extra.js";\nimport { steps } from "../lib/registry.js";\nexport default pipeline("a", {}, (p) => { for (const s of steps) p.task(s, { image: "x" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics).toEqual([]);
    fs.writeFileSync(path.join(dir, "lib/extra.ts"), `import { steps } from "./registry.js";\nsteps.push("extra");\n`);
    const changed = await session.update([path.join(dir, "lib/extra.ts")]);
    expect(changed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(changed.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["GANTRY1100 lib/extra.ts:2"]);
    expect(summary(changed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("a module an import looked for in vain is a dependency: creating it (or its folder) recompiles the importer", async () => {
    const dir = tempProject({
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/later/images.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "alpine:3" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => d.code)).toEqual(["GANTRY1111"]);
    expect(session.dependencies()).toContain(path.join(dir, "lib/later/images.ts"));
    // Only the folder's event may arrive before the compile runs (`mkdir -p` and a write in one burst).
    fs.mkdirSync(path.join(dir, "lib/later"), { recursive: true });
    fs.writeFileSync(path.join(dir, "lib/later/images.ts"), `export const IMAGE = "busybox:1.36";\n`);
    const created = await session.update([path.join(dir, "lib")]);
    expect(created.recompiled).toEqual(["pipelines/a.ts"]);
    expect(created.ok).toBe(true);
    expect(summary(created)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("a module that could not be parsed is a dependency: fixing it recompiles its importer", async () => {
    const dir = tempProject({
      "lib/deep.ts": `export const depth = ${"[".repeat(50_000)}${"]".repeat(50_000)}.length;\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { depth } from "../lib/deep.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "x", args: [String(depth)] }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "alpine:3" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["GANTRY1001 cannot read lib/deep.ts: it is nested too deeply to parse (the parser ran out of stack)"]);
    expect(session.dependencies()).toContain(path.join(dir, "lib/deep.ts"));
    fs.writeFileSync(path.join(dir, "lib/deep.ts"), `export const depth = 1;\n`);
    const fixed = await session.update([path.join(dir, "lib/deep.ts")]);
    expect(fixed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(fixed.ok).toBe(true);
    expect(summary(fixed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("the package.json of a folder an import names is a dependency even when it reads fine: changing its main recompiles the importer (from review)", async () => {
    const dir = tempProject({
      "lib/images/package.json": JSON.stringify({ main: "one.ts" }),
      "lib/images/one.ts": `export const IMAGE = "busybox:1";\n`,
      "lib/images/two.ts": `export const IMAGE = "busybox:2";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/images";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).pipelines[0]!.yaml).toContain("busybox:1");
    expect(session.dependencies()).toContain(path.join(dir, "lib/images/package.json"));
    fs.writeFileSync(path.join(dir, "lib/images/package.json"), JSON.stringify({ main: "two.ts" }));
    const changed = await session.update([path.join(dir, "lib/images/package.json")]);
    expect(changed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(changed.pipelines[0]!.yaml).toContain("busybox:2");
  });

  it("a module an import names but nothing reads is a dependency: moving it recompiles the importer, whose cycle through it still counts (from review)", async () => {
    const dir = tempProject({
      "lib/d.ts": `import { c } from "../pipelines/c.js";\nexport const dval = 1;\nexport const both = () => c + dval;\n`,
      "pipelines/c.ts": `import { dval } from "../lib/d";\nexport const c = 2;\n`,
      "pipelines/e.ts": `import { pipeline } from "gantry";\nimport { dval } from "../lib/d";\nexport default pipeline("e", {}, (p) => { p.task("t", { image: \`busybox:\${dval}\` }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => d.code)).toEqual(["GANTRY1110"]);
    fs.mkdirSync(path.join(dir, "lib/d"));
    fs.writeFileSync(path.join(dir, "lib/d/index.ts"), fs.readFileSync(path.join(dir, "lib/d.ts"), "utf8").replace("../pipelines/c.js", "../../pipelines/c.js"));
    fs.rmSync(path.join(dir, "lib/d.ts"));
    const moved = await session.update([path.join(dir, "lib/d.ts"), path.join(dir, "lib/d")]);
    expect(moved.recompiled).toEqual(["pipelines/c.ts", "pipelines/e.ts"]);
    expect(summary(moved)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
    expect(moved.diagnostics.map((d) => d.message)).toEqual(["import cycle: lib/d/index.ts -> pipelines/c.ts -> lib/d/index.ts"]);
  });

  it("tsconfig.json is a dependency of a bare import: adding the alias it needs recompiles the importer", async () => {
    const dir = tempProject({
      "lib/images.ts": `export const IMAGE = "busybox:1.36";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/images";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "alpine:3" }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => d.code)).toEqual(["GANTRY1103"]);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }));
    const aliased = await session.update([path.join(dir, "tsconfig.json")]);
    expect(aliased.recompiled).toEqual(["pipelines/a.ts"]);
    expect(aliased.ok).toBe(true);
    expect(summary(aliased)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("a tsconfig.json made nearer to an importer than the one it used recompiles that importer, and only it", async () => {
    const dir = tempProject({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }),
      "lib/images.ts": `export const IMAGE = "busybox:1.36";\n`,
      "teams/x/alt/images.ts": `export const IMAGE = "alpine:3";\n`,
      "teams/x/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/images";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
      "b.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/images";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const session = new CompileSession(options(dir, ["teams", "b.ts"]));
    expect((await session.full()).pipelines.map((p) => p.yaml.match(/image: (.*)/)![1])).toEqual(["busybox:1.36", "busybox:1.36"]);
    fs.writeFileSync(path.join(dir, "teams/x/tsconfig.json"), JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./alt/*"] } } }));
    const nearer = await session.update([path.join(dir, "teams/x/tsconfig.json")]);
    expect(nearer.recompiled).toEqual(["teams/x/a.ts"]);
    expect(nearer.ok).toBe(true);
    expect(summary(nearer)).toEqual(summary(await compile(options(dir, ["teams", "b.ts"]))));
    expect(nearer.pipelines.find((p) => p.name === "a")!.yaml).toContain("image: alpine:3\n");
  });

  it("with typecheck, every update is type-checked as a one-shot compile is (from review: --watch ignored --typecheck)", async () => {
    const typed = `import { pipeline } from "gantry";\nimport { RETRIES } from "./limits.js";\nexport const retries: number = RETRIES;\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox" }); });\n`;
    const dir = tempProject({ "pipelines/a.ts": typed, "pipelines/limits.ts": `export const RETRIES = "2" as unknown as string;\n` });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const checked = { ...options(dir, ["pipelines/a.ts"]), typecheck: true };
    const session = new CompileSession(checked);
    const first = await session.full();
    expect(first.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line} ${d.message}`)).toEqual(["GANTRY1130 pipelines/a.ts:3 TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(first.ok).toBe(false);
    // A change to a module the pipeline imports re-checks it.
    fs.writeFileSync(path.join(dir, "pipelines/limits.ts"), `export const RETRIES = 2;\n`);
    const fixed = await session.update([path.join(dir, "pipelines/limits.ts")]);
    expect(fixed.diagnostics).toEqual([]);
    expect(fixed.ok).toBe(true);
    expect(summary(fixed)).toEqual(summary(await compile(checked)));
  });

  it("with typecheck, what only the checker reads is a dependency: a type-only import outside the inputs, the tsconfig (from review)", async () => {
    const dir = tempProject({
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [] }, include: ["pipelines"] }),
      "types/t.ts": `export type Img = number;\n`,
      // a declaration file no config names, imported for a type only
      "shared/s.d.ts": `export type Tag = string;\n`,
      "pipelines/p.ts": `import { pipeline } from "gantry";\nimport type { Img } from "../types/t.js";\nimport type { Tag } from "../shared/s.js";\nexport const i: Img = "busybox";\nexport const tag: Tag = "1.36";\nexport default pipeline("p", {}, (p) => { p.task("t", { image: "busybox" }); });\n`,
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const session = new CompileSession({ ...options(dir, ["pipelines"]), typecheck: true });
    expect((await session.full()).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["GANTRY1130 TS2322: Type 'string' is not assignable to type 'number'."]);
    expect([...session.dependencies()]).toEqual(expect.arrayContaining([path.join(dir, "types/t.ts"), path.join(dir, "shared/s.d.ts"), path.join(dir, "tsconfig.json")]));
    fs.writeFileSync(path.join(dir, "types/t.ts"), `export type Img = string;\n`);
    const fixed = await session.update([path.join(dir, "types/t.ts")]);
    expect(fixed.recompiled).toEqual([]);
    expect(fixed.ok).toBe(true);
    fs.writeFileSync(path.join(dir, "shared/s.d.ts"), `export type Tag = number;\n`);
    const broken = await session.update([path.join(dir, "shared/s.d.ts")]);
    expect(broken.diagnostics.map((d) => `${d.span?.file}:${d.span?.line} ${d.message}`)).toEqual(["pipelines/p.ts:5 TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it("installing the package a tsconfig extends recompiles the importers of its aliases (from review)", async () => {
    const dir = tempProject({
      "tsconfig.json": JSON.stringify({ extends: "@org/tsconfig/base.json" }),
      "lib/images.ts": `export const IMAGE = "busybox:1.36";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/images";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const session = new CompileSession(options(dir, ["pipelines"]));
    expect((await session.full()).diagnostics.map((d) => d.code)).toEqual(["GANTRY1103"]);
    // `npm install` makes node_modules, the package, its files.
    const pkg = path.join(dir, "node_modules/@org/tsconfig");
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "@org/tsconfig", version: "1.0.0" }));
    fs.writeFileSync(path.join(pkg, "base.json"), JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["../../../lib/*"] } } }));
    const installed = await session.update([path.join(dir, "node_modules")]);
    expect(installed.recompiled).toEqual(["pipelines/a.ts"]);
    expect(installed.ok).toBe(true);
    expect(summary(installed)).toEqual(summary(await compile(options(dir, ["pipelines"]))));
  });

  it("duplicate pipeline names across files are still reported", async () => {
    const dir = tempProject({
      "pipelines/a.ts": `import { pipeline } from "gantry";\nexport default pipeline("same", {}, (p) => { p.task("t", { image: "x" }); });\n`,
      "pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("same", {}, (p) => { p.task("t", { image: "x" }); });\n`,
    });
    const r = await new CompileSession(options(dir, ["pipelines"])).full();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["GANTRY2009"]);
  });
});

describe("watchPlan", () => {
  it("watches every folder under the inputs (a glob by its static part) but node_modules and dot folders, and the nearest existing folder of each dependency outside them", () => {
    const dir = tempProject({ "pipelines/a.ts": "", "pipelines/node_modules/m/index.ts": "", "pipelines/.cache/x.ts": "", "teams/x/flows/b.ts": "", "lib/images.ts": "", "tsconfig.json": "{}" });
    const deps = [path.join(dir, "pipelines/a.ts"), path.join(dir, "lib/images.ts"), path.join(dir, "lib/later/deep/x.ts"), path.join(dir, "tsconfig.json"), path.join(dir, "pipelines/later/y.ts")];
    const plan = watchPlan(dir, ["pipelines", "teams/*/flows/**/*.ts", "missing/input"], deps);
    expect(plan.tree).toEqual(["pipelines", "teams", "teams/x", "teams/x/flows"].map((d) => path.join(dir, d)));
    expect(plan.flat).toEqual([dir, path.join(dir, "lib")]);
    // The folders on the way to a missing file, and a missing input, matter when they appear.
    for (const p of ["lib/later", "lib/later/deep", "lib/later/deep/x.ts", "lib/images.ts", "tsconfig.json", "missing", "missing/input", "pipelines/later"]) expect(plan.relevant).toContain(path.join(dir, p));
  });

  it("an input file is watched through its own folder, not every folder under it (from review: a file at the root watched the whole tree)", () => {
    const dir = tempProject({ "main.ts": "", "pipelines/a.ts": "", "deep/er/x.ts": "" });
    const plan = watchPlan(dir, ["main.ts"], []);
    expect(plan.tree).toEqual([]);
    expect(plan.flat).toEqual([dir]);
    expect(plan.relevant).toContain(path.join(dir, "main.ts"));
  });
});

describe("gantry compile --watch", () => {
  it("follows dependencies outside its inputs: a shared module beside them, a module created after an import failed, and a glob input", async () => {
    const dir = tempProject({
      "lib/images.ts": `export const IMAGE = "busybox:1.36";\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/images.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const child = spawn(process.execPath, [gantryBin, "compile", "pipelines/*.ts", "--out", "out", "--watch"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const waitFor = async (pattern: RegExp, from = 0) => {
      for (let i = 0; i < 200 && !pattern.test(stderr.slice(from)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stderr.slice(from)).toMatch(pattern);
    };
    try {
      await waitFor(/watching pipelines\/\*\.ts/);
      let mark = stderr.length;
      fs.writeFileSync(path.join(dir, "lib/images.ts"), `export const IMAGE = "busybox:1.37";\n`);
      await waitFor(/recompiled 1 file in \d+ ms: pipelines\/a\.ts/, mark);
      expect(fs.readFileSync(path.join(dir, "out/a.yaml"), "utf8")).toContain("busybox:1.37");

      mark = stderr.length;
      fs.writeFileSync(path.join(dir, "pipelines/b.ts"), `import { pipeline } from "gantry";\nimport { X } from "../shared/later/x.js";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: X }); });\n`);
      await waitFor(/GANTRY1111[\s\S]*recompiled 1 file in \d+ ms: pipelines\/b\.ts/, mark);
      mark = stderr.length;
      fs.mkdirSync(path.join(dir, "shared/later"), { recursive: true });
      fs.writeFileSync(path.join(dir, "shared/later/x.ts"), `export const X = "alpine:3";\n`);
      await waitFor(/recompiled 1 file in \d+ ms: pipelines\/b\.ts/, mark);
      expect(fs.readFileSync(path.join(dir, "out/b.yaml"), "utf8")).toContain("image: alpine:3");
    } finally {
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  }, 60_000);


  it("keeps up with folders removed, renamed and made again (inodes reused), inputs included, and many watched folders (from review)", async () => {
    const image = (tag: string) => `export const IMAGE = "busybox:${tag}";\n`;
    const dir = tempProject({
      "lib/x.ts": image("1"),
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/x.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const w = watching(dir, ["pipelines", "--out", "out"]);
    const at = (p: string) => path.join(dir, p);
    const shown = () => /busybox:\d+/.exec(fs.readFileSync(at("out/a.yaml"), "utf8"))?.[0];
    try {
      await w.until(() => w.stderr.includes("watching pipelines"), "started");
      // Removed and made again at once: the new folder (likely with the old inode) is watched.
      fs.rmSync(at("lib"), { recursive: true });
      fs.mkdirSync(at("lib"));
      fs.writeFileSync(at("lib/x.ts"), image("2"));
      await w.until(() => shown() === "busybox:2", "recreated folder");
      for (const tag of ["3", "4"]) {
        fs.writeFileSync(at("lib/x.ts"), image(tag));
        await w.until(() => shown() === `busybox:${tag}`, `edit ${tag} after recreating`);
      }
      // Renamed away: the import breaks; made again: it is found.
      fs.renameSync(at("lib"), at("lib-old"));
      await w.until(() => w.stderr.includes("GANTRY1111"), "renamed away");
      fs.mkdirSync(at("lib"));
      fs.writeFileSync(at("lib/x.ts"), image("5"));
      await w.until(() => shown() === "busybox:5", "made again after a rename");
      // The input folder itself, removed and made again, then edited.
      const pipeline = fs.readFileSync(at("pipelines/a.ts"), "utf8");
      fs.rmSync(at("pipelines"), { recursive: true });
      fs.mkdirSync(at("pipelines"));
      fs.writeFileSync(at("pipelines/a.ts"), pipeline.replace("image: IMAGE", "image: IMAGE + \"-b\""));
      await w.until(() => fs.readFileSync(at("out/a.yaml"), "utf8").includes("busybox:5-b"), "input folder made again");
      fs.writeFileSync(at("pipelines/a.ts"), pipeline.replace("image: IMAGE", "image: IMAGE + \"-c\""));
      await w.until(() => fs.readFileSync(at("out/a.yaml"), "utf8").includes("busybox:5-c"), "input edited after");
      // Twelve more folders watched: no listener warning.
      const imports = Array.from({ length: 12 }, (_, i) => `import { V${i} } from "../s${i}/m.js";\nexport const v${i} = V${i};`);
      for (let i = 0; i < 12; i++) fs.mkdirSync(at(`s${i}`)), fs.writeFileSync(at(`s${i}/m.ts`), `export const V${i} = "x";\n`);
      fs.writeFileSync(at("pipelines/b.ts"), `import { pipeline } from "gantry";\n${imports.join("\n")}\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "x" }); });\n`);
      await w.until(() => fs.existsSync(at("out/b.yaml")), "twelve folders");
      fs.writeFileSync(at("s11/m.ts"), `export const V11 = "y";\nexport const extra = 1;\n`);
      await w.until(() => /recompiled 1 file in \d+ ms: pipelines\/b\.ts\n[\s\S]*recompiled 1 file in \d+ ms: pipelines\/b\.ts/.test(w.stderr), "a change in the twelfth folder");
      expect(w.stderr).not.toContain("MaxListeners");
      const exited = new Promise<number | null>((r) => w.child.on("exit", (code) => r(code)));
      w.child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      w.child.kill("SIGKILL"); // after a failed step (a no-op once it exited)
    }
  }, 90_000);

  it("sees every save made by renaming a temporary file over the source (editors' safe write, sed -i, mv), in a folder made after it started too (from review)", async () => {
    const source = (image: string) => `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "${image}" }); });\n`;
    const dir = tempProject({ "pipelines/a.ts": source("busybox:1") });
    const w = watching(dir, ["pipelines", "--out", "out"]);
    const at = (p: string) => path.join(dir, p);
    const shown = (file: string) => (fs.existsSync(at(file)) ? /busybox:[\w.]+/.exec(fs.readFileSync(at(file), "utf8"))?.[0] : undefined);
    const saveByRename = (file: string, text: string) => {
      fs.writeFileSync(at(`${file}.swp`), text);
      fs.renameSync(at(`${file}.swp`), at(file));
    };
    try {
      await w.until(() => w.stderr.includes("watching pipelines"), "started");
      // Node 20's recursive watch lost a file after its first save by rename; every later save went unseen.
      for (const tag of ["2", "3", "4"]) {
        saveByRename("pipelines/a.ts", source(`busybox:${tag}`));
        await w.until(() => shown("out/a.yaml") === `busybox:${tag}`, `rename-save ${tag}`);
      }
      fs.writeFileSync(at("pipelines/a.ts"), source("busybox:5"));
      await w.until(() => shown("out/a.yaml") === "busybox:5", "in-place save after renames");
      // A folder made after the watch started, its file then saved by rename.
      fs.mkdirSync(at("pipelines/team"));
      fs.writeFileSync(at("pipelines/team/b.ts"), source("busybox:6").replace('"a"', '"b"'));
      await w.until(() => shown("out/b.yaml") === "busybox:6", "file in a new folder");
      saveByRename("pipelines/team/b.ts", source("busybox:7").replace('"a"', '"b"'));
      await w.until(() => shown("out/b.yaml") === "busybox:7", "rename-save in the new folder");
      // The new folder removed: its pipeline goes.
      fs.rmSync(at("pipelines/team"), { recursive: true });
      await w.until(() => !fs.existsSync(at("out/b.yaml")), "new folder removed");
      const exited = new Promise<number | null>((r) => w.child.on("exit", (code) => r(code)));
      w.child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      w.child.kill("SIGKILL");
    }
  }, 90_000);

  it("sees edits to files reached through symbolic links: a linked module and a linked entry, both outside the inputs (from review)", async () => {
    const dir = tempProject({
      "shared/real.ts": `export const IMAGE = "real:1";\n`,
      "elsewhere/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "b:1" }); });\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/link.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const at = (p: string) => path.join(dir, p);
    fs.mkdirSync(at("lib"));
    fs.symlinkSync("../shared/real.ts", at("lib/link.ts"));
    fs.symlinkSync("../elsewhere/b.ts", at("pipelines/b.ts"));
    const plan = watchPlan(dir, ["pipelines"], [at("lib/link.ts"), at("pipelines/b.ts")]);
    expect(plan.aliases).toEqual(new Map([[fs.realpathSync(at("shared/real.ts")), [at("lib/link.ts")]], [fs.realpathSync(at("elsewhere/b.ts")), [at("pipelines/b.ts")]]]));
    expect(plan.flat).toEqual(expect.arrayContaining([fs.realpathSync(at("shared")), fs.realpathSync(at("elsewhere"))]));

    const w = watching(dir, ["pipelines", "--out", "out"]);
    const image = (file: string) => (fs.existsSync(at(file)) ? /image: (\S+)/.exec(fs.readFileSync(at(file), "utf8"))?.[1] : undefined);
    try {
      await w.until(() => w.stderr.includes("watching pipelines"), "started");
      expect([image("out/a.yaml"), image("out/b.yaml")]).toEqual(["real:1", "b:1"]);
      fs.writeFileSync(at("shared/real.ts"), `export const IMAGE = "real:2";\n`);
      await w.until(() => image("out/a.yaml") === "real:2", "the linked module's edit");
      fs.writeFileSync(at("elsewhere/b.ts"), fs.readFileSync(at("elsewhere/b.ts"), "utf8").replace("b:1", "b:2"));
      await w.until(() => image("out/b.yaml") === "b:2", "the linked entry's edit");
    } finally {
      w.child.kill("SIGKILL");
    }
  }, 90_000);

  it("sees a link retargeted: to a module, a linked input folder, a linked entry (adversarial finding: the links were no dependencies)", async () => {
    const own = (name: string, image: string) => `import { pipeline } from "gantry";\nexport default pipeline("${name}", {}, (p) => { p.task("t", { image: "${image}" }); });\n`;
    const dir = tempProject({
      "lib/a.ts": `export const IMAGE = "img:a";\n`,
      "lib/b.ts": `export const IMAGE = "img:b";\n`,
      "envs/prod/p.ts": own("env", "prod:1"),
      "envs/dev/p.ts": own("env", "dev:1"),
      "src/v1.ts": own("entry", "v:1"),
      "src/v2.ts": own("entry", "v:2"),
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../lib/img.js";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`,
    });
    const at = (p: string) => path.join(dir, p);
    fs.symlinkSync("a.ts", at("lib/img.ts"));
    fs.symlinkSync("envs/prod", at("linked"));
    fs.symlinkSync("../src/v1.ts", at("pipelines/entry.ts"));
    const retarget = (link: string, target: string) => {
      // As `ln -sfn` does: a new link renamed over the old one.
      fs.symlinkSync(target, at(`${link}.new`));
      fs.renameSync(at(`${link}.new`), at(link));
    };
    const w = watching(dir, ["pipelines", "linked", "--out", "out"]);
    const image = (file: string) => (fs.existsSync(at(file)) ? /image: (\S+)/.exec(fs.readFileSync(at(file), "utf8"))?.[1] : undefined);
    try {
      await w.until(() => w.stderr.includes("watching pipelines"), "started");
      expect([image("out/a.yaml"), image("out/env.yaml"), image("out/entry.yaml")]).toEqual(["img:a", "prod:1", "v:1"]);
      retarget("lib/img.ts", "b.ts");
      await w.until(() => image("out/a.yaml") === "img:b", "the module link retargeted");
      retarget("linked", "envs/dev");
      await w.until(() => image("out/env.yaml") === "dev:1", "the input folder link retargeted");
      retarget("pipelines/entry.ts", "../src/v2.ts");
      await w.until(() => image("out/entry.yaml") === "v:2", "the entry link retargeted");
    } finally {
      w.child.kill("SIGKILL");
    }
  }, 90_000);

  it("says that an edited configuration is not used until --watch restarts (adversarial finding: it went on quietly with the old settings)", async () => {
    const dir = tempProject({
      "gantry.config.json": JSON.stringify({ namespace: "team-a" }),
      "package.json": JSON.stringify({ name: "p", dependencies: { gantry: "*" } }),
      "pipelines/a.ts": `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`,
    });
    const w = watching(dir, []);
    try {
      await w.until(() => w.stderr.includes("watching pipelines"), "started");
      // A package.json change outside a "gantry" key (npm install) is not news.
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "p", dependencies: { gantry: "*", zod: "*" } }));
      fs.writeFileSync(path.join(dir, "gantry.config.json"), JSON.stringify({ namespace: "team-b" }));
      await w.until(() => w.stderr.includes("warning: gantry.config.json changed; --watch keeps the settings it started with: restart it to use the new ones"), "the warning");
      await new Promise((r) => setTimeout(r, 300));
      expect(w.stderr).not.toContain("package.json changed");
      expect(w.stderr.match(/gantry\.config\.json changed/g)).toHaveLength(1);
    } finally {
      w.child.kill("SIGKILL");
    }
  }, 60_000);

  it("Ctrl-C during a recompile: nothing is watched after it, and the watch ends (CI finding: the recompile watched again and the process never exited)", async () => {
    const source = (image: string) => `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "${image}" }); });\n`;
    const dir = tempProject({ "pipelines/a.ts": source("busybox:1") });
    const flags: CompileFlags = { out: "out", target: "argo", kind: "auto", stdout: false, format: "text", typecheck: false, check: false, kustomization: true, graph: false, metrics: true, metadata: false, watch: true };
    const watches = () => process.getActiveResourcesInfo().filter((r) => r === "FSEventWrap").length;
    const before = watches();
    const stop = new AbortController();
    let stderr = "";
    let started = false;
    const io = {
      cwd: dir,
      stdout: () => undefined,
      color: false,
      stderr: (s: string) => {
        stderr += s;
        if (s.startsWith("watching")) started = true;
        // Ctrl-C as the recompile reports its write: runWatch is still inside that recompile.
        else if (started && s.includes("compiled 1 pipeline")) stop.abort();
      },
    };
    const watching = runWatch(["pipelines"], flags, io, stop.signal);
    for (let i = 0; i < 200 && !started; i++) await new Promise((r) => setTimeout(r, 50));
    expect(started, stderr).toBe(true);
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), source("busybox:2"));
    const ended = await Promise.race([watching.then((code) => ({ code })), new Promise((r) => setTimeout(() => r("still watching after 20 s"), 20_000))]);
    expect(ended, stderr).toEqual({ code: 0 });
    expect(fs.readFileSync(path.join(dir, "out/a.yaml"), "utf8")).toContain("busybox:2");
    // Nothing starts watching again after the end (closed watchers leave the list within a turn or two).
    await new Promise((r) => setTimeout(r, 500));
    expect(watches(), stderr).toBe(before);
  }, 60_000);

  it("writes, then rewrites the manifest when a pipeline changes, and stops on SIGINT", async () => {
    const dir = tempProject({ "pipelines/a.ts": `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n` });
    const child = spawn(process.execPath, [gantryBin, "compile", "--watch"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !pattern.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(pattern);
    };
    await waitFor(/watching pipelines/);
    expect(fs.readFileSync(path.join(dir, "manifests/a.yaml"), "utf8")).toContain("busybox:1.36");
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox:1.37" }); });\n`);
    await waitFor(/recompiled 1 file in \d+ ms: pipelines\/a\.ts/);
    expect(fs.readFileSync(path.join(dir, "manifests/a.yaml"), "utf8")).toContain("busybox:1.37");
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 60_000);
});
