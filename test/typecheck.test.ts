/**
 * `--typecheck` reports TypeScript's type errors as GANTRY1130; without it no Program or type
 * checker is ever built (parsing alone is the cost of a compile).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Project } from "ts-morph";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compile } from "../src/compile.js";
import { gantry, gantryAsOtherUser, repoRoot, tempProject } from "./support/cli.js";

const SOURCE = `import { pipeline } from "gantry";
const retries: number = "three";
export default pipeline("typed", {}, (p) => {
  p.task("t", { image: "busybox" });
});
`;

/** A user project where "gantry" resolves to this checkout, as after `npm install gantry`. */
function userProject(): string {
  const dir = tempProject({ "pipelines/typed.ts": SOURCE });
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
  return dir;
}

describe("gantry compile --typecheck", () => {
  it("reports a type error only the checker sees, at file:line:col with the TS code", () => {
    const dir = userProject();
    const r = gantry(["compile", "--typecheck"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pipelines/typed.ts:2:7: error GANTRY1130: TS2322: Type 'string' is not assignable to type 'number'.");
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
  });

  it("a message TypeScript builds as a chain is reported whole (a deprecated option, a nested type error), never as `undefined`", () => {
    const dir = userProject();
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { baseUrl: ".", strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [] } }));
    fs.writeFileSync(path.join(dir, "pipelines/typed.ts"), SOURCE.replace('const retries: number = "three";', 'const spec: { a: { b: number } } = { a: { b: "x" } };'));
    const r = gantry(["compile", "--typecheck", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const messages = (JSON.parse(r.stderr) as { message: string }[]).map((d) => d.message);
    expect(messages.some((m) => m.startsWith("TS5101: Option 'baseUrl' is deprecated"))).toBe(true);
    expect(messages.some((m) => m.startsWith("TS2322: Type 'string' is not assignable to type 'number'."))).toBe(true);
    expect(messages.join("\n")).not.toContain("undefined");
  });

  it("without --typecheck the same project compiles", () => {
    const dir = userProject();
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
  });

  it("the configuration's typecheck applies, and --no-typecheck turns it off for one run (module review finding: no way to)", () => {
    const dir = userProject();
    fs.writeFileSync(path.join(dir, "gantry.config.json"), JSON.stringify({ typecheck: true }));
    const on = gantry(["compile", "--stdout"], dir);
    expect(on.code).toBe(1);
    expect(on.stderr).toContain("error GANTRY1130: TS2322");
    const off = gantry(["compile", "--stdout", "--no-typecheck"], dir);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toBe("");
  });

  it("checks each file with its nearest tsconfig (a monorepo from its root); an error in a module both programs share is reported once", () => {
    const typed = (name: string) => `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/images";\nexport const loose = (x) => x;\nexport default pipeline("${name}", {}, (p) => {\n  p.task("t", { image: IMAGE });\n});\n`;
    const options = (strict: boolean) => JSON.stringify({ compilerOptions: { strict, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [], paths: { "@lib/*": ["./lib/*"] } } });
    const dir = tempProject({
      "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./packages/a" }, { path: "./packages/b" }] }),
      "shared/count.ts": `export const COUNT: number = "2";\n`,
      "packages/a/tsconfig.json": options(false),
      "packages/a/lib/images.ts": `import { COUNT } from "../../../shared/count.js";\nexport const IMAGE = "busybox:1." + COUNT;\n`,
      "packages/a/pipelines/a.ts": typed("a"),
      "packages/b/tsconfig.json": options(true),
      "packages/b/lib/images.ts": `import { COUNT } from "../../../shared/count.js";\nexport const IMAGE = "alpine:3." + COUNT;\n`,
      "packages/b/pipelines/b.ts": typed("b"),
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const r = gantry(["compile", "packages", "--typecheck", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const found = (JSON.parse(r.stderr) as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message}`);
    // the aliases resolve (no TS2307), only strict b has an implicit any, the shared error comes once
    expect(found).toEqual([
      "packages/b/pipelines/b.ts:3 TS7006: Parameter 'x' implicitly has an 'any' type.",
      "shared/count.ts:1 TS2322: Type 'string' is not assignable to type 'number'.",
    ]);
  });

  it("a solution config (Vite's layout): a file is checked with the referenced project that includes it, its aliases and strictness", () => {
    const project = (strict: boolean, lib: string, include: string[]) => JSON.stringify({ compilerOptions: { composite: true, strict, module: "NodeNext", moduleResolution: "NodeNext", types: [], skipLibCheck: true, noEmit: true, paths: { "@lib/*": [lib] } }, include });
    const dir = tempProject({
      "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./tsconfig.node.json" }, { path: "./tsconfig.app.json" }] }),
      "tsconfig.node.json": project(false, "./tools/*", ["tools"]),
      "tsconfig.app.json": project(true, "./lib/*", ["pipelines", "lib"]),
      "lib/img.ts": `export const IMAGE = "busybox:1.36";\n`,
      "pipelines/p.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "@lib/img.js";\nexport const loose = (x) => x;\nexport default pipeline("p", {}, (p) => {\n  p.task("t", { image: IMAGE });\n});\n`,
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const r = gantry(["compile", "pipelines", "--typecheck", "--format", "json"], dir);
    const found = (JSON.parse(r.stderr) as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message}`);
    // the alias resolves (no TS2307) and the app project's strictness applies
    expect(found).toEqual(["pipelines/p.ts:3 TS7006: Parameter 'x' implicitly has an 'any' type."]);
    // a referenced config TypeScript cannot read, listed first, does not take the file from the one that names it (from review)
    fs.writeFileSync(path.join(dir, "tsconfig.node.json"), "{ not json");
    const again = gantry(["compile", "pipelines", "--typecheck", "--format", "json"], dir);
    expect((JSON.parse(again.stderr) as { message: string }[]).map((d) => d.message)).toContain("TS7006: Parameter 'x' implicitly has an 'any' type.");
  });

  it("a module is checked with its own nearest tsconfig, not its importer's: package b's aliases and strictness for b's files (from review)", () => {
    const options = (strict: boolean, alias: string) => JSON.stringify({ compilerOptions: { strict, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [], paths: { [alias]: ["./lib/*"] } } });
    const dir = tempProject({
      "packages/a/tsconfig.json": options(false, "@a/*"),
      "packages/a/lib/loose.ts": `export const loose = (x) => x;\n`,
      "packages/a/pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../../b/lib/images.js";\nimport { loose } from "@a/loose.js";\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: loose(IMAGE) });\n});\n`,
      "packages/b/tsconfig.json": options(true, "@b/*"),
      "packages/b/lib/tag.ts": `export const TAG = "1.36";\nexport const strictly = (x) => x;\n`,
      "packages/b/lib/images.ts": `import { TAG } from "@b/tag.js";\nexport const IMAGE = "busybox:" + TAG;\n`,
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const r = gantry(["compile", "packages/a/pipelines", "--typecheck", "--format", "json"], dir);
    const found = (JSON.parse(r.stderr || "[]") as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message}`);
    // "@b/tag.js" resolves (b's paths), a's implicit any is allowed (a is not strict), b's is not
    expect(found).toEqual(["packages/b/lib/tag.ts:2 TS7006: Parameter 'x' implicitly has an 'any' type."]);
    expect(r.code).toBe(1);
  });

  it("a JavaScript helper of another package is read where it is imported, not handed to a program that does not allow JavaScript", () => {
    const dir = tempProject({
      "packages/a/tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, allowJs: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [] } }),
      "packages/a/pipelines/a.ts": `import { pipeline } from "gantry";\nimport { IMAGE } from "../../b/lib/images.js";\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: IMAGE });\n});\n`,
      "packages/b/tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [] } }),
      "packages/b/package.json": JSON.stringify({ type: "module" }),
      "packages/b/lib/images.js": `export const IMAGE = "busybox:1.36";\n`,
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    const r = gantry(["compile", "packages/a/pipelines", "--typecheck", "--stdout"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  /** A project of the given files where "gantry" resolves to this checkout. */
  const linked = (files: Record<string, string>) => {
    const dir = tempProject(files);
    fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    return dir;
  };
  const plain = (extra: object = {}) => JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, types: [], ...extra } });
  const importing = (specifier: string, name = "IMAGE") => `import { pipeline } from "gantry";\nimport { ${name} } from "${specifier}";\nexport default pipeline("p", {}, (p) => {\n  p.task("t", { image: ${name} });\n});\n`;

  it("what tsc -p reads is read as tsc reads it (from review): a module its nearest config does not include stays with its importer; the config's .d.ts globals; composite roots", () => {
    const dir = linked({
      // b names only src/ under rootDir: scripts/x.ts is not b's (tsc -p b would not see it), so a's program checks it
      "b/tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", types: [], rootDir: "src", outDir: "dist", declaration: true }, include: ["src"] }),
      "b/scripts/x.ts": `export const IMAGE = "busybox:1.36";\n`,
      "b/src/index.ts": `export const B = 1;\n`,
      "a/tsconfig.json": plain(),
      "a/p.ts": importing("../b/scripts/x.js"),
      // c's ambient declaration file declares a global type its module uses
      "c/tsconfig.json": plain(),
      "c/env.d.ts": `type ImageRef = \`\${string}:\${string}\`;\n`,
      "c/lib.ts": `export const IMAGE: ImageRef = "busybox:1.36";\n`,
      "c/p.ts": importing("./lib.js").replace('"p"', '"c"'),
      // a composite project lists every file it reaches: its helpers are roots, as under tsc -p
      "d/tsconfig.json": plain({ composite: true }),
      "d/helper.ts": `export const IMAGE = "alpine:3";\n`,
      "d/p.ts": importing("./helper.js").replace('"p"', '"d"'),
    });
    for (const project of ["a", "b", "c", "d"]) expect(spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", project, "--noEmit"], { cwd: dir, encoding: "utf8" }).stdout).toBe("");
    const r = gantry(["compile", "a/p.ts", "c/p.ts", "d/p.ts", "--typecheck", "--stdout"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("project references: a composite package importing a referenced one has no layout errors that tsc -b would not give (from review)", () => {
    const composite = (refs: string[]) => JSON.stringify({ compilerOptions: { composite: true, strict: true, module: "NodeNext", moduleResolution: "NodeNext", types: [], skipLibCheck: true, outDir: "out" }, include: ["*.ts"], references: refs.map((path) => ({ path })) });
    const dir = linked({
      "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./a" }, { path: "./b" }] }),
      "a/tsconfig.json": composite(["../b"]),
      "a/p.ts": importing("../b/lib.js"),
      "b/tsconfig.json": composite([]),
      "b/lib.ts": `export const IMAGE: string = "busybox";\nexport const n: number = "x";\n`,
    });
    const tscBuild = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-b"], { cwd: dir, encoding: "utf8" });
    // tsc -b finds b's own error and nothing in a
    expect(tscBuild.stdout).toMatch(/^b\/lib\.ts\(2,14\): error TS2322/);
    expect(tscBuild.stdout).not.toContain("a/p.ts");
    const r = gantry(["compile", "a/p.ts", "--typecheck", "--stdout", "--format", "json"], dir);
    const found = (JSON.parse(r.stderr) as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message}`);
    expect(found).toEqual(["b/lib.ts:2 TS2322: Type 'string' is not assignable to type 'number'."]);

    // Without the reference, tsc -p a reports both layout errors, and so does Gantry (from the fourth review).
    fs.writeFileSync(path.join(dir, "a/tsconfig.json"), composite([]));
    const unreferenced = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "a", "--noEmit"], { cwd: dir, encoding: "utf8" });
    const byTsc = [...unreferenced.stdout.matchAll(/^a\/p\.ts\((\d+),\d+\): error (TS6059|TS6307)/gm)].map((m) => `a/p.ts:${m[1]} ${m[2]}`).sort();
    expect(byTsc).toEqual(["a/p.ts:2 TS6059", "a/p.ts:2 TS6307"]);
    const again = gantry(["compile", "a/p.ts", "--typecheck", "--stdout", "--format", "json"], dir);
    const layout = (JSON.parse(again.stderr) as { message: string; span: { file: string; line: number } }[]).filter((d) => /^TS(6059|6307)/.test(d.message)).map((d) => `${d.span.file}:${d.span.line} ${d.message.slice(0, 6)}`).sort();
    expect(layout).toEqual(byTsc);
  });

  it("a broken tsconfig nearer than one that names the file is reported, and its files are not checked (from the fourth review)", () => {
    const dir = linked({
      "tsconfig.json": plain({ noEmit: true }),
      "pkg/tsconfig.json": `{ "compilerOptions": {\n`,
      "pkg/p.ts": `import { pipeline } from "gantry";\nexport const n: number = "x";\nexport default pipeline("p", {}, (p) => { p.task("t", { image: "busybox" }); });\n`,
    });
    const r = gantry(["compile", "pkg/p.ts", "--typecheck", "--stdout", "--format", "json"], dir);
    expect((JSON.parse(r.stderr) as { message: string; span: { file: string } }[]).map((d) => `${d.span.file} ${d.message}`)).toEqual(["pkg/tsconfig.json TS1005: '}' expected."]);
  });

  it("a file is checked by the nearest tsconfig that names it, whether it is given as an entry or imported (from review)", () => {
    const dir = linked({
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: false, module: "NodeNext", moduleResolution: "NodeNext", types: [], noEmit: true } }),
      "pkg/tsconfig.json": plain({ noEmit: true }).replace("}}", '}, "exclude": ["gen.ts"]}'),
      "pkg/gen.ts": `export function f(x) { return x; }\n`,
      "pkg/strict.ts": `export function g(y) { return y; }\n`,
      "q.ts": `import { pipeline } from "gantry";\nimport { f } from "./pkg/gen.js";\nimport { g } from "./pkg/strict.js";\nexport const z = f(1) + g(2);\nexport default pipeline("q", {}, (p) => { p.task("t", { image: "busybox" }); });\n`,
    });
    // Type errors only: the helpers named here export no pipeline (GANTRY1124).
    const found = (args: string[]) => (JSON.parse(gantry(["compile", ...args, "--typecheck", "--stdout", "--format", "json"], dir).stderr || "[]") as { code: string; message: string; span: { file: string } }[]).filter((d) => d.code === "GANTRY1130").map((d) => `${d.span.file} ${d.message}`);
    // pkg's strict config excludes gen.ts, so the root's (not strict) checks it; strict.ts is pkg's
    const expected = ["pkg/strict.ts TS7006: Parameter 'y' implicitly has an 'any' type."];
    expect(found(["q.ts"])).toEqual(expected);
    expect(found(["q.ts", "pkg/gen.ts", "pkg/strict.ts"])).toEqual(expected);
  });

  it("declaration files, named by the config or only imported, are checked as tsc -p checks them without skipLibCheck (from review)", () => {
    const dir = linked({
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", types: [], noEmit: true, skipLibCheck: false }, include: ["src", "types/globals.d.ts"] }),
      "types/globals.d.ts": `type GlobalTag = string;\ndeclare const bad1: Missing1;\n`,
      "types/img.d.ts": `export type Img = Missing2;\n`,
      "other/o.d.ts": `export type O = Missing3;\n`,
      "src/p.ts": `import { pipeline } from "gantry";\nimport type { Img } from "../types/img.js";\nimport type { O } from "../other/o.js";\nexport const t: GlobalTag = "x";\nexport type Both = [Img, O];\nexport default pipeline("p", {}, (p) => { p.task("t", { image: "busybox" }); });\n`,
    });
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, encoding: "utf8" });
    const byTsc = tsc.stdout.trim().split("\n").map((l) => l.replace(/^(\S+)\((\d+),\d+\): error (TS\d+):.*$/, "$1:$2 $3")).sort();
    expect(byTsc).toHaveLength(3);
    const r = gantry(["compile", "src", "--typecheck", "--stdout", "--format", "json"], dir);
    const found = (JSON.parse(r.stderr) as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message.split(":")[0]}`).sort();
    expect(found).toEqual(byTsc);
  });

  // Module review finding: Gantry's TypeScript is 6.0, whose new defaults and deprecations failed
  // projects that their own TypeScript 5 passes (a baseUrl alias, no strict, @types globals).
  it("a project on TypeScript 5 (its node_modules/typescript) is checked as its own tsc checks it; on 6, as 6 does", () => {
    const dir = linked({
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, baseUrl: ".", paths: { "@lib/*": ["lib/*"] } }, include: ["src", "lib"] }),
      "node_modules/@types/acme/index.d.ts": "type AcmeImage = string;\n",
      "lib/img.ts": 'export const IMG: AcmeImage = "busybox:1.36";\n',
      "src/p.ts": `import { pipeline } from "gantry";\nimport { IMG } from "@lib/img.js";\nfunction loose(x) { return x; }\nconst s: string = null;\nexport default pipeline("p", {}, (p) => { p.task("t", { image: loose(IMG) + s }); });\n`,
    });
    const version = (v: string) => {
      fs.mkdirSync(path.join(dir, "node_modules/typescript"), { recursive: true });
      fs.writeFileSync(path.join(dir, "node_modules/typescript/package.json"), JSON.stringify({ name: "typescript", version: v }));
    };
    const codes = () => {
      const r = gantry(["compile", "src", "--typecheck", "--stdout", "--format", "json"], dir);
      return (JSON.parse(r.stderr) as { message: string }[]).map((d) => d.message.split(":")[0]).sort();
    };
    // This repository's TypeScript 5 passes the project...
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, encoding: "utf8" });
    expect(JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules/typescript/package.json"), "utf8")).version).toMatch(/^5\./);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    // ...and so does --typecheck where the project has TypeScript 5 (the manifest is read, never run).
    version("5.9.3");
    expect(codes()).toEqual([]);
    // With 6, or none installed, TypeScript 6's rules: baseUrl deprecated, strict on, no @types unless listed.
    version("6.0.2");
    const six = codes();
    expect(six).toEqual(expect.arrayContaining(["TS5101", "TS7006", "TS2322", "TS2304"]));
    fs.rmSync(path.join(dir, "node_modules/typescript"), { recursive: true });
    expect(codes()).toEqual(six);
  });

  it("with checkJs (or // @ts-check), a JavaScript entry is checked as tsc checks it (from review)", () => {
    const dir = linked({
      "package.json": JSON.stringify({ type: "module" }),
      "tsconfig.json": plain({ allowJs: true, checkJs: true, noEmit: true }),
      "q.mjs": `import { pipeline } from "gantry";\n/** @type {number} */\nexport const z = "bad";\nexport default pipeline("j", {}, (p) => { p.task("t", { image: "busybox" }); });\n`,
    });
    const r = gantry(["compile", "q.mjs", "--typecheck", "--stdout", "--format", "json"], dir);
    expect((JSON.parse(r.stderr) as { message: string; span: { file: string; line: number } }[]).map((d) => `${d.span.file}:${d.span.line} ${d.message}`)).toEqual(["q.mjs:3 TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it("a JavaScript entry of a config without allowJs is compiled but not type-checked (that config would refuse it) (from review)", () => {
    const dir = linked({ "package.json": JSON.stringify({ type: "module" }), "tsconfig.json": plain(), "p.mjs": `import { pipeline } from "gantry";\nexport default pipeline("j", {}, (p) => { p.task("t", { image: "busybox" }); });\n` });
    const r = gantry(["compile", "p.mjs", "--typecheck", "--stdout"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  const asOtherUser = gantryAsOtherUser();
  it.skipIf(asOtherUser === undefined)("a module TypeScript cannot read is a diagnostic, not a crash (from review)", () => {
    const dir = linked({ "tsconfig.json": plain(), "lib.ts": `export const IMAGE = "busybox";\n`, "p.ts": importing("./lib.js") });
    fs.chmodSync(path.join(dir, "lib.ts"), 0o000);
    fs.chmodSync(dir, 0o777);
    const r = asOtherUser!(["compile", "p.ts", "--typecheck", "--stdout", "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(1);
    const found = (JSON.parse(r.stderr) as { code: string; message: string }[]).map((d) => `${d.code} ${d.message}`);
    expect(found).toEqual([expect.stringMatching(/^GANTRY1001 /), expect.stringMatching(/^GANTRY1130 TypeScript cannot read a module: .*EACCES.*lib\.ts/)]);
  });

  it("a tsconfig TypeScript cannot read is a diagnostic at the place it fails, not a crash; its problems of options name it (from review)", () => {
    const dir = userProject();
    fs.writeFileSync(path.join(dir, "pipelines/tsconfig.json"), `{\n  "compilerOptions": { "strict": true },,\n}\n`);
    fs.mkdirSync(path.join(dir, "other"));
    fs.writeFileSync(path.join(dir, "other/ok.ts"), SOURCE.replace('"typed"', '"other"').replace('const retries: number = "three";\n', ""));
    fs.writeFileSync(path.join(dir, "other/tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", types: [], paths: { "@lib/*": "./lib/*" } } }));
    const r = gantry(["compile", "pipelines", "other", "--typecheck", "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(1);
    const found = (JSON.parse(r.stderr) as { code: string; message: string; span: { file: string; line: number; column: number } }[]).map((d) => `${d.code} ${d.span.file}:${d.span.line}:${d.span.column} ${d.message.split("\n")[0]}`);
    expect(found).toEqual([
      "GANTRY1130 other/tsconfig.json:1:1 TS5063: Substitutions for pattern '@lib/*' should be an array.",
      "GANTRY1130 pipelines/tsconfig.json:2:41 TS1136: Property assignment expected.",
    ]);
    fs.writeFileSync(path.join(dir, "pipelines/tsconfig.json"), "[1]\n");
    const array = gantry(["compile", "pipelines", "--typecheck", "--format", "json"], dir);
    expect(array.code, array.stderr).toBe(1);
    expect((JSON.parse(array.stderr) as { message: string; span: { file: string } }[]).map((d) => `${d.span.file} ${d.message}`)).toEqual(["pipelines/tsconfig.json TS5092: The root value of a 'tsconfig.json' file must be an object."]);
  });

  it("the bundled examples type-check clean (with this repository's tsconfig)", () => {
    const r = gantry(["compile", "examples", "--typecheck", "--stdout"]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("no type checker unless asked", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a plain compile never builds a Program or a type checker; --typecheck does", async () => {
    const getProgram = vi.spyOn(Project.prototype, "getProgram");
    const getTypeChecker = vi.spyOn(Project.prototype, "getTypeChecker");
    const getPreEmit = vi.spyOn(Project.prototype, "getPreEmitDiagnostics");
    const dir = userProject();
    const plain = await compile({ cwd: dir, paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(plain.ok).toBe(true);
    expect(getProgram).not.toHaveBeenCalled();
    expect(getTypeChecker).not.toHaveBeenCalled();
    expect(getPreEmit).not.toHaveBeenCalled();

    const checked = await compile({ cwd: dir, paths: ["pipelines"], target: "argo", kind: "auto", typecheck: true });
    expect(checked.ok).toBe(false);
    expect(getPreEmit).toHaveBeenCalled();
    expect(checked.diagnostics.map((d) => d.code)).toEqual(["GANTRY1130"]);
  });
});
