/**
 * Which file an import names: relative paths, and the `paths` and `baseUrl` of ./tsconfig.json.
 * TypeScript's own resolver (`ts.resolveModuleName`) is the oracle for which file each specifier
 * names; the static-analysis corpus rewritten to alias imports must compile to the same manifests.
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { ModuleResolver } from "../src/phases/2-analyze/resolve.js";
import { spawnSync } from "node:child_process";
import { gantry, gantryAsOtherUser, repoRoot, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";

const main = (imports: string, image = "IMAGE") =>
  `import { pipeline } from "gantry";\n${imports}\nexport default pipeline("p", {}, (p) => { p.task("t", { image: ${image} }); });\n`;
const images = `export const IMAGE = "busybox:1.36";\n`;

describe("JavaScript helper modules", () => {
  it("an ES module in .js or .mjs is read like a TypeScript one; `./x.js` is x.ts when both exist, as TypeScript resolves it", async () => {
    const files = {
      "lib/names.js": `export const PREFIX = "js";\n`,
      "lib/names.ts": `export const PREFIX = "ts";\n`,
      "lib/only.js": `import { PREFIX } from "./names.js";\nexport const tag = (x) => \`\${PREFIX}-\${x}\`;\n`,
      "lib/more.mjs": `export default { image: "busybox:1.36" };\n`,
      "main.ts": main(`import { tag } from "./lib/only.js";\nimport more from "./lib/more.mjs";`, "`${more.image}-${tag(\"a\")}`"),
    };
    const cwd = tempProject(files);
    const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, allowJs: true };
    for (const [from, specifier, expected] of [["lib/only.js", "./names.js", "lib/names.ts"], ["main.ts", "./lib/only.js", "lib/only.js"], ["main.ts", "./lib/more.mjs", "lib/more.mjs"]] as const) {
      const byTs = ts.resolveModuleName(specifier, path.join(cwd, from), options, ts.sys).resolvedModule?.resolvedFileName;
      expect(byTs && path.relative(cwd, byTs)).toBe(expected);
      expect(new ModuleResolver(cwd).moduleFile(path.join(cwd, from), specifier)).toBe(path.join(cwd, expected));
    }
    const r = await compile({ cwd, paths: ["main.ts"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox:1.36-ts-a");
  });

  it("syntax TypeScript accepts in a .js file but Node does not parse is GANTRY1002 with V8's message (from review)", async () => {
    const js = `export const a = () => <b>hi</b>;\n@dec class A {}\nclass B { accessor y = 1; }\nexport function f() { using r = null; }\nfunction dec() {}\n`;
    const r = await compileFiles({ "lib/x.js": js, "main.ts": main(`import { a } from "./lib/x.js";\nexport const b = a;`, '"x"') }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1002 ${loc("lib/x.js", js, "<b>")} Unexpected token '<'`,
      `GANTRY1002 ${loc("lib/x.js", js, "@dec")} Invalid or unexpected token`,
      `GANTRY1002 ${loc("lib/x.js", js, "y = 1")} Unexpected identifier 'y'`,
      `GANTRY1002 ${loc("lib/x.js", js, "r = null")} Unexpected identifier 'r'`,
    ]);
    // Node agrees that the module does not load.
    const cwd = tempProject({ "x.mjs": js });
    expect(spawnSync(process.execPath, ["--check", path.join(cwd, "x.mjs")], { encoding: "utf8" }).status).toBe(1);
  });

  it("TypeScript syntax in a .js module is GANTRY1002, as Node refuses it; a CommonJS .cjs module is not read (GANTRY1111)", async () => {
    const typed = `export const X: string = "a";\n`;
    const source = main(`import { X } from "./lib/typed.js";\nimport { A } from "./lib/old.cjs";\nexport const a = A;`, "X");
    const r = await compileFiles({ "lib/typed.js": typed, "lib/old.cjs": `module.exports = { A: 1 };\n`, "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1002 ${loc("lib/typed.js", typed, "string")} Type annotations can only be used in TypeScript files.`,
      `GANTRY1111 ${loc("main.ts", source, '"./lib/old.cjs"')} cannot resolve "./lib/old.cjs" to a TypeScript or JavaScript module`,
    ]);
    expect(r.diagnostics[1]!.hint).toContain("CommonJS .cjs modules are not read");
  });
});

describe("tsconfig paths and baseUrl", () => {
  /** [name, tsconfig files, specifier in main.ts, the file it must name] */
  const cases: [string, Record<string, string>, string, string][] = [
    ["a `*` pattern with baseUrl", { "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@lib/*": ["lib/*"] } } }) }, "@lib/images", "lib/images.ts"],
    ["a `*` pattern without baseUrl (from the config's folder)", { "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }) }, "@lib/images.js", "lib/images.ts"],
    ["an exact pattern", { "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { images: ["./lib/images.ts"] } } }) }, "images", "lib/images.ts"],
    ["a folder with index.ts", { "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "#shared": ["./lib/shared"] } } }), "lib/shared/index.ts": images }, "#shared", "lib/shared/index.ts"],
    ["the second target when the first has no file", { "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./generated/*", "./lib/*"] } } }) }, "@lib/images", "lib/images.ts"],
    [
      "the longest prefix wins",
      { "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@/*": ["./nowhere/*"], "@/lib/*": ["./lib/*"] } } }) },
      "@/lib/images",
      "lib/images.ts",
    ],
    [
      "paths of an extended config, from that config's folder",
      { "config/base.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["../lib/*"] } } }), "tsconfig.json": JSON.stringify({ extends: "./config/base.json" }) },
      "@lib/images",
      "lib/images.ts",
    ],
    ["baseUrl alone", { "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: "." } }) }, "lib/images", "lib/images.ts"],
    ["baseUrl in a sub-folder", { "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: "./lib" } }) }, "images", "lib/images.ts"],
    ["a tsconfig with comments and trailing commas", { "tsconfig.json": `{\n  // aliases\n  "compilerOptions": { "paths": { "@lib/*": ["./lib/*"], }, },\n}\n` }, "@lib/images", "lib/images.ts"],
  ];

  it.each(cases)("%s: names the file TypeScript names, and compiles as the relative import does", async (_name, config, specifier, expected) => {
    const files = { ...config, "lib/images.ts": images, "main.ts": main(`import { IMAGE } from "${specifier}";`) };
    const cwd = tempProject(files);
    // The oracle: TypeScript's resolver with the same tsconfig.
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(cwd, "tsconfig.json"), { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const byTs = ts.resolveModuleName(specifier, path.join(cwd, "main.ts"), parsed.options, ts.sys).resolvedModule?.resolvedFileName;
    expect(byTs && path.relative(cwd, byTs)).toBe(expected);
    expect(new ModuleResolver(cwd).moduleFile(path.join(cwd, "main.ts"), specifier)).toBe(path.join(cwd, expected));

    const viaAlias = await compile({ cwd, paths: ["main.ts"], target: "argo", kind: "auto" });
    expect(viaAlias.diagnostics).toEqual([]);
    const relative = await compileFiles({ ...files, "tsconfig.json": "{}", "main.ts": main(`import { IMAGE } from "./${expected}";`) }, ["main.ts"]);
    expect(viaAlias.pipelines.map((p) => p.yaml)).toEqual(relative.pipelines.map((p) => p.yaml));
  });

  /** [name, files, importing file, specifier, the file it must name] */
  const folders: [string, Record<string, string>, string, string, string][] = [
    ["`.` is the folder's index, not a file beside it", { "lib/index.ts": images, "lib.ts": images, "lib/main.ts": "" }, "lib/main.ts", ".", "lib/index.ts"],
    ["`..` likewise", { "lib/index.ts": images, "lib.ts": images, "lib/sub/main.ts": "" }, "lib/sub/main.ts", "..", "lib/index.ts"],
    ["a trailing slash names the folder", { "lib/dir/index.ts": images, "lib/dir.ts": images, "main.ts": "" }, "main.ts", "./lib/dir/", "lib/dir/index.ts"],
    ["a folder's package.json main", { "packages/foo/package.json": JSON.stringify({ name: "@org/foo", main: "./src/index.ts" }), "packages/foo/src/index.ts": images, "packages/foo/index.ts": "", "main.ts": "" }, "main.ts", "./packages/foo", "packages/foo/src/index.ts"],
    [
      "a monorepo alias to package folders (types before main, a declaration file skipped)",
      {
        "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@org/*": ["./packages/*"] } } }),
        "packages/foo/package.json": JSON.stringify({ name: "@org/foo", types: "./src/index.ts", main: "./dist/index.js" }),
        "packages/foo/src/index.ts": images,
        "main.ts": "",
      },
      "main.ts",
      "@org/foo",
      "packages/foo/src/index.ts",
    ],
    [
      "package.json imports: a pattern, with conditions",
      { "package.json": JSON.stringify({ name: "app", type: "module", imports: { "#lib/*": { types: "./types/*", import: "./lib/*", default: "./nope/*" }, "#images": "./lib/images.js" } }), "lib/images.ts": images, "lib/sub/a.ts": images, "pipelines/main.ts": "" },
      "pipelines/main.ts",
      "#lib/sub/a.js",
      "lib/sub/a.ts",
    ],
    ["a package.json main naming a folder means its index", { "src/d2/package.json": JSON.stringify({ main: "./lib" }), "src/d2/lib/index.ts": images, "src/d2/index.ts": images, "main.ts": "" }, "main.ts", "./src/d2", "src/d2/lib/index.ts"],
    ["no .mjs is added to a name without an extension", { "y.mjs": images, "y/index.ts": images, "main.ts": "" }, "main.ts", "./y", "y/index.ts"],
    [
      "package.json imports: the longest key wins among equal prefixes",
      { "package.json": JSON.stringify({ name: "app", type: "module", imports: { "#p/*": "./lib/p-*.js", "#p/*.js": "./lib/q-*.js" } }), "lib/q-x.ts": images, "lib/p-x.js.ts": images, "main.ts": "" },
      "main.ts",
      "#p/x.js",
      "lib/q-x.ts",
    ],
    [
      "package.json imports: a condition that gives nothing falls through, an array skips what is no target",
      { "package.json": JSON.stringify({ name: "app", type: "module", imports: { "#c": { node: { require: "./lib/r.js" }, default: ["../outside.js", "./lib/images.js"] } } }), "lib/images.ts": images, "lib/r.ts": images, "main.ts": "" },
      "main.ts",
      "#c",
      "lib/images.ts",
    ],
    ["package.json imports: an exact key", { "package.json": JSON.stringify({ name: "app", type: "module", imports: { "#images": "./lib/images.js" } }), "lib/images.ts": images, "pipelines/main.ts": "" }, "pipelines/main.ts", "#images", "lib/images.ts"],
  ];

  it.each(folders)("%s, as TypeScript resolves it", (_name, files, from, specifier, expected) => {
    const cwd = tempProject(files);
    const config = path.join(cwd, "tsconfig.json");
    const options = fs.existsSync(config) ? ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!.options : {};
    const byTs = ts.resolveModuleName(specifier, path.join(cwd, from), { ...options, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }, ts.sys).resolvedModule?.resolvedFileName;
    expect(byTs && path.relative(cwd, byTs)).toBe(expected);
    expect(new ModuleResolver(cwd).moduleFile(path.join(cwd, from), specifier)).toBe(path.join(cwd, expected));
  });

  /** [name, tsconfig compilerOptions, files, specifier from main.ts, the file TypeScript names (none: a package)] */
  const edges: [string, object, Record<string, string>, string, string | undefined][] = [
    ["a pattern that matched but led to no file is a package, never tried under baseUrl (from review)", { baseUrl: ".", paths: { "@lib/*": ["./src/lib/*"] } }, { "@lib/images.ts": images }, "@lib/images", undefined],
    ["baseUrl when no pattern matches", { baseUrl: ".", paths: { "@lib/*": ["./src/lib/*"] } }, { "other/images.ts": images }, "other/images", "other/images.ts"],
    ["an empty capture is not substituted (from review)", { paths: { "@l/*": ["./lib/*"] } }, { "lib/index.ts": images }, "@l/", undefined],
    ["a target with an extension names that file first: x.js itself beside x.ts (from review)", { paths: { both: ["./lib/both.js"] } }, { "lib/both.ts": images, "lib/both.js": images }, "both", "lib/both.js"],
    ["a .js target without its file is the .ts beside it", { paths: { only: ["./lib/only.js"] } }, { "lib/only.ts": images }, "only", "lib/only.ts"],
  ];

  it.each(edges)("%s", (_name, compilerOptions, files, specifier, expected) => {
    const cwd = tempProject({ ...files, "tsconfig.json": JSON.stringify({ compilerOptions }), "main.ts": "" });
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(cwd, "tsconfig.json"), { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, allowJs: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const byTs = ts.resolveModuleName(specifier, path.join(cwd, "main.ts"), parsed.options, ts.sys).resolvedModule?.resolvedFileName;
    expect(byTs && path.relative(cwd, byTs)).toBe(expected);
    const resolution = new ModuleResolver(cwd).resolve(path.join(cwd, "main.ts"), specifier);
    expect(resolution.kind === "module" ? path.relative(cwd, resolution.file!) : resolution.kind).toBe(expected ?? "package");
  });

  it("an alias to a JSON document reads it as a JSON module", async () => {
    const r = await compileFiles({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@data/*": ["./data/*"] } } }),
      "data/images.json": JSON.stringify({ image: "busybox:1.36" }),
      "main.ts": main(`import data from "@data/images.json";`, "data.image"),
    }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox:1.36");
  });

  it("GANTRY1103 when a pattern matches but leads to no file: the hint names the pattern and where it looked", async () => {
    const source = main(`import { IMAGE } from "@lib/imagez";`);
    const r = await compileFiles({ "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*", "./vendor/*"] } } }), "lib/images.ts": images, "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", source, '"@lib/imagez"')}`]);
    expect(r.diagnostics[0]!.hint).toBe(
      'The `paths` pattern "@lib/*" of ./tsconfig.json maps it to "lib/imagez", "vendor/imagez", where there is no module of the project (a .ts or .js file, or a folder with one, outside node_modules); so it names a package, and Gantry never loads packages while compiling.',
    );
  });

  it("a catch-all pattern does not make packages local; an alias into node_modules is still a package", async () => {
    const source = main(`import _ from "lodash";\nimport { IMAGE } from "vendored/images";\nexport const a = _;\nexport const b = IMAGE;`, '"x"');
    const r = await compileFiles({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "*": ["./types/*"], "vendored/*": ["./node_modules/vendored/*"] } } }),
      "node_modules/vendored/images.ts": images,
      "main.ts": source,
    }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", source, '"lodash"')}`, `GANTRY1103 ${loc("main.ts", source, '"vendored/images"')}`]);
    expect(r.diagnostics[0]!.hint).toContain('"*" of ./tsconfig.json maps it to "types/lodash"');
  });

  it("a #name whose nearest package.json is not valid JSON is GANTRY1111 naming the file, as Node refuses it; an outer package.json is not used instead (review finding)", async () => {
    const source = main(`import { IMAGE } from "#images";`);
    const r = await compileFiles({
      "package.json": JSON.stringify({ name: "outer", imports: { "#images": "./outer.ts" } }),
      "outer.ts": `export const IMAGE = "outer:1";\n`,
      "sub/package.json": `{ "name": "inner", "imports": { "#images": "./images.ts" }, }`,
      "sub/images.ts": images,
      "sub/main.ts": source,
    }, ["sub/main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1111 ${loc("sub/main.ts", source, '"#images"')}`]);
    expect(r.diagnostics[0]!.message).toMatch(/^cannot resolve "#images": sub\/package\.json, whose "imports" decide it, is not valid JSON \(.+\)$/);
    expect(r.pipelines).toEqual([]);
  });

  it("a module reached through a symlinked folder is its real file: its imports resolve from there, and a link back to the importer is a cycle (review finding)", async () => {
    const cwd = tempProject({
      "shared/lib/b.ts": `import { W } from "../w.js";\nexport const B = W;\n`,
      "shared/w.ts": `export const W = "shared-w";\n`,
      "proj/w.ts": `export const W = "proj-w";\n`,
      "proj/a.ts": main(`import { B } from "./lib/b.js";`, "`busybox:${B}`"),
      "loop/a.ts": main(`import { IMAGE } from "./again/a.js";`),
    });
    fs.symlinkSync("../shared/lib", path.join(cwd, "proj/lib"));
    fs.symlinkSync(".", path.join(cwd, "loop/again"));
    const r = await compile({ cwd, paths: ["proj/a.ts"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    // As Node runs it: lib/b.ts is shared/lib/b.ts, whose "../w.js" is shared/w.ts.
    expect(r.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox:shared-w");
    const loop = await compile({ cwd, paths: ["loop/a.ts"], target: "argo", kind: "auto" });
    // Once, not loaded again through each level of the link (loop/again/again/...).
    expect(loop.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['GANTRY1111 module loop/a.ts has no export "IMAGE"', "GANTRY1110 import cycle: loop/a.ts -> loop/a.ts"]);
  });

  it("a folder compile over a symlinked folder: a file both an entry (through the link) and imported is one module, known by its real path (review findings)", async () => {
    const helper = `import { pipeline } from "gantry";\nexport const shared = pipeline("shared-one", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    const main = `import { shared } from "./shared/helper.js";\nexport default [shared];\n`;
    // The link's target inside the project: known by its real path there.
    const inside = tempProject({ "common/helper.ts": helper, "pipelines/main.ts": main });
    fs.symlinkSync("../common", path.join(inside, "pipelines/shared"));
    const r = await compile({ cwd: inside, paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => [p.name, p.source])).toEqual([["shared-one", "common/helper.ts"]]);
    // Outside it: by its real path too (two links may reach it; the first to do so depends on what is compiled).
    const outside = tempProject({ "lib/helper.ts": helper, "proj/pipelines/main.ts": main });
    fs.symlinkSync("../../lib", path.join(outside, "proj/pipelines/shared"));
    const r2 = await compile({ cwd: path.join(outside, "proj"), paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(r2.diagnostics).toEqual([]);
    expect(r2.pipelines.map((p) => [p.name, p.source])).toEqual([["shared-one", "../lib/helper.ts"]]);
    expect(r2.pipelines[0]!.yaml).toContain("gantry.dev/source: ../lib/helper.ts:2");
    // A second link to it changes nothing, whichever entry a compile reads first.
    fs.symlinkSync("../../lib", path.join(outside, "proj/pipelines/again"));
    fs.writeFileSync(path.join(outside, "proj/pipelines/b.ts"), `import { shared } from "./again/helper.js";\nexport const b = [shared];\n`);
    for (const paths of [["pipelines"], ["pipelines/b.ts"]]) {
      const r3 = await compile({ cwd: path.join(outside, "proj"), paths, target: "argo", kind: "auto" });
      expect(r3.pipelines.map((p) => p.source), paths.join()).toEqual(["../lib/helper.ts"]);
    }
  });

  it("a project reached through a symlinked working directory keeps its own paths, also for a folder whose name starts with two dots (review: `..x` counted as outside)", async () => {
    const helper = `import { pipeline } from "gantry";\nexport const shared = pipeline("shared-one", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    const real = tempProject({ "..common/helper.ts": helper, "pipelines/main.ts": `import { shared } from "../..common/helper.js";\nexport default [shared];\n` });
    const link = path.join(tempProject({}), "linked");
    fs.symlinkSync(real, link);
    const r = await compile({ cwd: link, paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => [p.name, p.source])).toEqual([["shared-one", "..common/helper.ts"]]);
  });

  it("a paths alias through a symlinked folder names the real file too: one module, whichever way it is imported (module review finding)", async () => {
    const helper = `import { pipeline } from "gantry";\nexport const shared = pipeline("shared", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    const cwd = tempProject({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }),
      "shared/mk.ts": helper,
      "pipelines/a.ts": `export { shared } from "@lib/mk.js";\n`,
      "pipelines/b.ts": `export { shared } from "../shared/mk.js";\n`,
    });
    fs.symlinkSync("shared", path.join(cwd, "lib"));
    for (const paths of [["pipelines/a.ts", "pipelines/b.ts"], ["pipelines/a.ts"], ["pipelines/b.ts"]]) {
      const r = await compile({ cwd, paths, target: "argo", kind: "auto" });
      expect(r.diagnostics, paths.join()).toEqual([]);
      expect(r.pipelines.map((p) => p.source), paths.join()).toEqual(["shared/mk.ts"]);
    }
  });

  it("a package.json that is not a regular file (a FIFO) is as if missing, not a read that never ends (module review finding)", async () => {
    const cwd = tempProject({ "lib/dir/index.ts": images, "main.ts": main(`import { IMAGE } from "./lib/dir";`) });
    spawnSync("mkfifo", [path.join(cwd, "lib/dir/package.json")]);
    expect(fs.statSync(path.join(cwd, "lib/dir/package.json")).isFIFO()).toBe(true);
    const r = await compile({ cwd, paths: ["main.ts"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox:1.36");
  }, 20_000);

  it("a project whose own folder is reached through a symlink keeps its paths in diagnostics and headers", async () => {
    const real = tempProject({ "lib/images.ts": `export const IMAGE = "busybox:1.36";\nexport const BAD = process.env.X;\n`, "pipelines/a.ts": main(`import { IMAGE, BAD } from "../lib/images.js";`, "BAD ?? IMAGE") });
    const link = `${real}-link`;
    fs.symlinkSync(real, link);
    try {
      const r = await compile({ cwd: link, paths: ["pipelines"], target: "argo", kind: "auto" });
      expect(r.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["GANTRY1105 lib/images.ts:2"]);
    } finally {
      fs.rmSync(link);
    }
  });

  it("a solution config (files: [] with references): a file's aliases are those of the referenced project that includes it, as in an editor (Vite's layout)", async () => {
    const solution = {
      "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./tsconfig.node.json" }, { path: "./tsconfig.app.json" }] }),
      // the first project maps the alias elsewhere, but does not include the pipelines
      "tsconfig.node.json": JSON.stringify({ compilerOptions: { composite: true, paths: { "@lib/*": ["./tools/*"] } }, include: ["vite.config.ts", "tools"] }),
      "tsconfig.app.json": JSON.stringify({ compilerOptions: { composite: true, paths: { "@lib/*": ["./lib/*"] } }, include: ["pipelines", "lib"], exclude: ["pipelines/skipped.ts"] }),
      "lib/img.ts": images,
      "tools/img.ts": `export const IMAGE = "wrong:1";\n`,
      "pipelines/p.ts": main(`import { IMAGE } from "@lib/img.js";`),
    };
    const r = await compileFiles(solution, ["pipelines/p.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.yaml).toContain("image: busybox:1.36");
    // the referenced project's config is a dependency: --cache (and --watch) see it change
    const cached = { cwd: r.cwd, paths: ["pipelines/p.ts"], target: "argo", kind: "auto", cache: ".cache" } as const;
    expect((await compile(cached)).pipelines[0]!.yaml).toContain("image: busybox:1.36");
    fs.writeFileSync(path.join(r.cwd, "tsconfig.app.json"), JSON.stringify({ compilerOptions: { composite: true, paths: { "@lib/*": ["./tools/*"] } }, include: ["pipelines", "lib", "tools"] }));
    const changed = await compile(cached);
    expect(changed.cache).toMatchObject({ compiled: 1 });
    expect(changed.pipelines[0]!.yaml).toContain("image: wrong:1");
    // a `#` alias (no package.json imports), an include glob and a deeper folder: the same project's mapping (from review)
    const hashes = await compileFiles({
      ...solution,
      "tsconfig.app.json": JSON.stringify({ compilerOptions: { composite: true, paths: { "#lib/*": ["./lib/*"], "@lib/*": ["./lib/*"] } }, include: ["pipelines/**/*.ts", "lib"] }),
      "pipelines/deep/q.ts": main(`import { IMAGE } from "#lib/img.js";`).replace('"p"', '"q"'),
    }, ["pipelines"]);
    expect(hashes.diagnostics).toEqual([]);
    expect(hashes.pipelines.map((p) => p.name).sort()).toEqual(["p", "q"]);
    // nested: a referenced solution config is looked through too
    const nested = await compileFiles({ ...solution, "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./configs" }] }), "configs/tsconfig.json": JSON.stringify({ files: [], references: [{ path: "../tsconfig.node.json" }, { path: "../tsconfig.app.json" }] }) }, ["pipelines/p.ts"]);
    expect(nested.diagnostics).toEqual([]);
    // A file no referenced project includes: no project's aliases; the hint says why and what to do.
    const r2 = await compileFiles({ ...solution, "pipelines/skipped.ts": main(`import { IMAGE } from "@lib/img.js";`) }, ["pipelines/skipped.ts"]);
    expect(r2.diagnostics.map((d) => d.code)).toEqual(["GANTRY1103"]);
    expect(r2.diagnostics[0]!.hint).toContain("./tsconfig.json is a solution config (`files: []` with `references`), and none of the projects it references includes this file, so no project's `paths` apply to it");
    // A config that lists files of its own is no solution config, references or not.
    const own = await compileFiles({ "tsconfig.json": JSON.stringify({ include: ["pipelines"], references: [{ path: "./x" }] }), "pipelines/p.ts": main(`import { IMAGE } from "@lib/img.js";`) }, ["pipelines"]);
    expect(own.diagnostics[0]!.hint).not.toContain("solution config");
  });

  it("the DSL is recognised by what an import resolves to: a #name or a paths alias for gantry, a path to its package; another package's file is a package (review finding)", async () => {
    const pipelineVia = (specifier: string, name: string) => `import { pipeline as define } from "${specifier}";\nexport default define("${name}", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    const r = await compileFiles({
      "package.json": JSON.stringify({ name: "app", type: "module", imports: { "#dsl": "gantry" } }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@dsl": ["./node_modules/gantry"] } } }),
      "a.ts": pipelineVia("#dsl", "via-imports"),
      "b.ts": pipelineVia("@dsl", "via-paths"),
      "c.ts": pipelineVia("./node_modules/gantry/dist/index.js", "via-path"),
    }, ["a.ts", "b.ts", "c.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => [p.name, p.ir.tasks.map((t) => t.name)])).toEqual([["via-imports", ["t"]], ["via-path", ["t"]], ["via-paths", ["t"]]]);
    const other = main(`import { IMAGE } from "./node_modules/vendored/index.js";`);
    const r2 = await compileFiles({ "node_modules/vendored/index.js": `export const IMAGE = "busybox:1.36";\n`, "main.ts": other }, ["main.ts"]);
    expect(r2.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", other, '"./node_modules/vendored/index.js"')}`]);
  });

  it("a tsconfig TypeScript cannot read fully is named in the hint of a package import", async () => {
    const source = main(`import { IMAGE } from "@lib/images";`);
    const r = await compileFiles({ "tsconfig.json": `{ "extends": "./missing.json" }`, "lib/images.ts": images, "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", source, '"@lib/images"')}`]);
    expect(r.diagnostics[0]!.hint).toMatch(/\(\.\/tsconfig\.json has a problem, TS\d+: .*missing\.json/);
  });

  const asOtherUser = gantryAsOtherUser();
  it.skipIf(asOtherUser === undefined)("an unreadable tsconfig is named in the hint, not a crash", () => {
    const cwd = tempProject({ "tsconfig.json": "{}", "pipelines/a.ts": main(`import { IMAGE } from "lodash";`) });
    fs.chmodSync(path.join(cwd, "tsconfig.json"), 0o000);
    fs.chmodSync(cwd, 0o777);
    const r = asOtherUser!(["compile", "pipelines", "--stdout", "--format", "json"], cwd);
    expect(r.code).toBe(1);
    const [d] = JSON.parse(r.stderr) as { code: string; hint: string }[];
    expect(d!.code).toBe("GANTRY1103");
    expect(d!.hint).toContain("(./tsconfig.json has a problem, it cannot be read)");
  });

  it("alias imports take part in linking, the unread checks and the cycle check as relative ones do", async () => {
    const tsconfig = JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } });
    const files = (fromLib: (name: string) => string, fromMain: (name: string) => string) => ({
      "tsconfig.json": tsconfig,
      // imported for its effects only: its failing check must be reported
      "lib/register.ts": `import { TABLES } from "${fromLib("tables")}";\nif (TABLES.length > 1) throw new Error("too many tables");\n`,
      "lib/tables.ts": `export const TABLES = ["a", "b"];\n`,
      // an unread declaration that changes an imported value
      "lib/extra.ts": `import { TABLES } from "${fromLib("tables")}";\nconst added = TABLES.push("c");\n`,
      "lib/ping.ts": `import { PONG } from "${fromLib("pong")}";\nexport const PING = "ping";\nexport const both = () => PING + PONG;\n`,
      "lib/pong.ts": `import { PING } from "${fromLib("ping")}";\nexport const PONG = "pong";\nexport const again = () => PING;\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport "${fromMain("register")}";\nimport "${fromMain("extra")}";\nimport { TABLES } from "${fromMain("tables")}";\nimport { both } from "${fromMain("ping")}";\nexport default pipeline("p", {}, (p) => { for (const t of TABLES) p.task(t, { image: both() }); });\n`,
    });
    const alias = (name: string) => `@lib/${name}`;
    const viaAlias = await compileFiles(files(alias, alias), ["main.ts"]);
    const relative = await compileFiles(files((name) => `./${name}.js`, (name) => `./lib/${name}.js`), ["main.ts"]);
    // Columns after a specifier move with its length, and messages may quote it.
    const summary = (r: typeof viaAlias) =>
      r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span?.file}:${d.span?.line} ${d.message.replace(/"(?:@lib\/|\.\/lib\/|\.\/)(\w+)(?:\.js)?"/g, '"<$1>"')}`);
    expect(summary(viaAlias)).toEqual(summary(relative));
    expect(viaAlias.diagnostics.map((d) => d.code).sort()).toEqual(["GANTRY1104", "GANTRY1110", "GANTRY1113"]);
  });

  it("the static-analysis corpus with every lib/ import written as an alias compiles to the same manifests", async () => {
    const fixtures = path.join(repoRoot, "test/fixtures/static");
    // The same relative place as in the repository, so that source annotations are equal too.
    const cwd = tempProject({ "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./test/fixtures/static/lib/*"] } } }) });
    const copy = path.join(cwd, "test/fixtures/static");
    fs.cpSync(fixtures, copy, { recursive: true });
    let rewritten = 0;
    for (const entry of fs.readdirSync(copy, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(m|c)?ts$/.test(entry.name)) continue;
      const file = path.join(entry.parentPath, entry.name);
      const text = fs.readFileSync(file, "utf8").replace(/(from |import )"(\.{1,2}\/[^"]+)"/g, (whole, lead: string, spec: string) => {
        const target = path.relative(path.join(copy, "lib"), path.resolve(path.dirname(file), spec));
        if (target.startsWith("..")) return whole;
        rewritten++;
        return `${lead}"@lib/${target.split(path.sep).join("/")}"`;
      });
      fs.writeFileSync(file, text);
    }
    expect(rewritten).toBeGreaterThan(40);
    const viaAlias = await compile({ cwd, paths: ["test/fixtures/static"], target: "argo", kind: "auto" });
    const original = await compile({ cwd: repoRoot, paths: ["test/fixtures/static"], target: "argo", kind: "auto" });
    expect(viaAlias.diagnostics).toEqual([]);
    expect(viaAlias.pipelines.map((p) => [p.name, p.yaml])).toEqual(original.pipelines.map((p) => [p.name, p.yaml]));
  });

  it("gantry compile applies the aliases (the CLI, as a subprocess)", () => {
    const cwd = tempProject({
      "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@lib/*": ["lib/*"] } } }),
      "lib/images.ts": images,
      "pipelines/a.ts": main(`import { IMAGE } from "@lib/images";`),
    });
    const r = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(r.stderr).toBe("compiled 1 pipeline into out: 2 written, 0 unchanged.\n");
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(cwd, "out/p.yaml"), "utf8")).toContain("image: busybox:1.36");
  });
});

describe("the nearest tsconfig of each file", () => {
  /** A monorepo compiled from its root: each package's own tsconfig maps `@lib/*` to its own lib. */
  const monorepo = {
    // solution-style root config: no paths of its own
    "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./packages/a" }, { path: "./packages/b" }] }),
    "tsconfig.base.json": JSON.stringify({ compilerOptions: { strict: true, paths: { "@shared/*": ["./shared/*"], "@b/*": ["./packages/b/lib/*"] } } }),
    "shared/tags.ts": `export const TAG = "1.36";\n`,
    "packages/a/tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }),
    "packages/a/lib/images.ts": `import { TAG } from "../../../shared/tags.js";\nexport const IMAGE = "busybox:" + TAG;\n`,
    "packages/a/pipelines/a.ts": main(`import { IMAGE } from "@lib/images";`),
    // paths from an extended config resolve from that config's folder; the package's own lib imports through them too
    "packages/b/tsconfig.json": JSON.stringify({ extends: "../../tsconfig.base.json" }),
    "packages/b/lib/images.ts": `import { TAG } from "@shared/tags";\nexport const IMAGE = "alpine:" + TAG;\n`,
    "packages/b/pipelines/b.ts": main(`import { IMAGE } from "@b/images";`).replace('"p"', '"q"'),
  };

  it("names the file TypeScript names with the config it finds for that file (ts.findConfigFile)", () => {
    const cwd = tempProject(monorepo);
    const resolver = new ModuleResolver(cwd);
    for (const [from, specifier, expected] of [
      ["packages/a/pipelines/a.ts", "@lib/images", "packages/a/lib/images.ts"],
      ["packages/b/pipelines/b.ts", "@b/images", "packages/b/lib/images.ts"],
      ["packages/b/lib/images.ts", "@shared/tags", "shared/tags.ts"],
      // the root config has no paths, and package a's are not b's
      ["packages/b/pipelines/b.ts", "@lib/images", undefined],
    ] as const) {
      const configFile = ts.findConfigFile(path.join(cwd, path.dirname(from)), ts.sys.fileExists)!;
      const parsed = ts.getParsedCommandLineOfConfigFile(configFile, { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
      const byTs = ts.resolveModuleName(specifier, path.join(cwd, from), parsed.options, ts.sys).resolvedModule?.resolvedFileName;
      expect(byTs && path.relative(cwd, byTs), `${from} ${specifier}`).toBe(expected);
      expect(resolver.moduleFile(path.join(cwd, from), specifier), `${from} ${specifier}`).toBe(expected && path.join(cwd, expected));
    }
  });

  it("gantry compile from a monorepo's root applies each package's aliases (the CLI, as a subprocess)", () => {
    const cwd = tempProject(monorepo);
    const r = gantry(["compile", "packages", "--out", "out"], cwd);
    expect(r.stderr).toBe("compiled 2 pipelines into out: 3 written, 0 unchanged.\n");
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(cwd, "out/p.yaml"), "utf8")).toContain("image: busybox:1.36\n");
    expect(fs.readFileSync(path.join(cwd, "out/q.yaml"), "utf8")).toContain("image: alpine:1.36\n");
  });

  it("a nearer tsconfig without the alias hides the one above, as in TypeScript; the hint names the config asked", async () => {
    const source = main(`import { IMAGE } from "@lib/images";`);
    const r = await compileFiles({
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }),
      "lib/images.ts": images,
      "teams/x/tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@x/*": ["./x/*"] } } }),
      "teams/x/main.ts": source,
      "teams/y/tsconfig.json": `{ "extends": "./missing.json" }`,
      "teams/y/main.ts": source.replace('"p"', '"q"'),
      "main.ts": source.replace('"p"', '"r"'),
    }, ["main.ts", "teams"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("teams/x/main.ts", source, '"@lib/images"')}`, `GANTRY1103 ${loc("teams/y/main.ts", source, '"@lib/images"')}`]);
    expect(r.diagnostics[0]!.hint).toBe('Pipelines may import local modules (by relative path or a `paths` alias of ./teams/x/tsconfig.json) and "gantry" only; Gantry never loads other packages while compiling.');
    expect(r.diagnostics[1]!.hint).toMatch(/\(\.\/teams\/y\/tsconfig\.json has a problem, TS\d+: .*missing\.json/);
    // main.ts at the root still uses the root's alias
    expect(r.pipelines.map((p) => p.name)).toEqual(["r"]);
  });

  it("with no tsconfig in the file's folder or above it, a bare import names a package", async () => {
    const source = main(`import { IMAGE } from "lib/images";`);
    const r = await compileFiles({ "lib/images.ts": images, "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", source, '"lib/images"')}`]);
    expect(r.diagnostics[0]!.hint).toBe('Pipelines may import local modules (by relative path or a `paths` alias of the nearest tsconfig.json) and "gantry" only; Gantry never loads other packages while compiling.');
  });
});
