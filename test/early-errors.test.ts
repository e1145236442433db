/**
 * JavaScript's early errors, which TypeScript's parser leaves to its checker: a module with one
 * does not load, so Gantry must refuse it too (GANTRY1002) rather than read the last declaration or
 * let a callback's `break` end the callback. Real Node is the oracle: each case is emitted by
 * TypeScript as JavaScript and checked with `node --check`, and Gantry must report GANTRY1002
 * exactly when Node reports a SyntaxError, with V8's message.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { gantry, snapshotDir, tempProject } from "./support/cli.js";

/** Each case is a whole module; `./lib.js` exports `x` (a value) and `T` (a type). */
const CASES: Record<string, string> = {
  "const declared twice": `const a = 1; const a = 2;`,
  "function declared twice at module level": `function f() {} function f() {}`,
  "var and let of one name": `var v = 1; let v = 2;`,
  "a var in a block clashing with a let": `let v = 1; { var v = 2; }`,
  "two functions of one name in a block": `{ function h() {} function h() {} }`,
  "a parameter redeclared with let": `function f(a: number) { let a = 1; return a; } export { f };`,
  "var and let in one function": `function f() { var a; let a; } export { f };`,
  "a catch parameter redeclared": `try {} catch (e) { let e; }`,
  "a for...of head declaring a name twice": `for (const [a, a] of []) {}`,
  "const in two cases of one switch": `function f(x: number) { switch (x) { case 1: const y = 1; break; case 2: const y = 2; } } export { f };`,
  "an enum and a const of one name": `enum E { A } const E = 1;`,
  "default exported twice": `export default 1; export default 2;`,
  "a name exported twice": `export const a = 1; const b = 2; export { b as a };`,
  "export * as and a const of one name": `export * as a from "./lib.js"; export const a = 1;`,
  "a name re-exported twice": `export { x } from "./lib.js"; export { x } from "./lib.js";`,
  "an export of an undeclared name": `export { nope };`,
  "duplicate parameters": `function f(x, x) { return x; } export { f };`,
  "duplicate arrow parameters in a pattern": `const f = (x, [x]) => x; export { f };`,
  "const without a value": `const X;`,
  "break in a callback": `[1].forEach((t) => { if (t) break; });`,
  "break in a function inside a loop": `for (const x of [1]) { const f = () => { break; }; }`,
  "continue in a switch": `function f(x: number) { switch (x) { case 1: continue; } } export { f };`,
  "an undefined label": `for (const x of [1]) { break L; }`,
  "continue to a block's label": `L: { for (const y of [2]) { continue L; } }`,
  "package as a name": `const package = 1; export { package as pkg };`,
  "public as a parameter": `const f = (public: boolean) => public; export { f };`,
  "let as a name": `const let = 1;`,
  "yield as a name": `const yield = 1;`,
  "eval as a name": `const eval = 1;`,
  "arguments as a parameter": `function g(arguments: number) { return arguments; } export { g };`,
  "return at top level": `return;`,
  "return in a static block": `class A { static { return; } }`,
  "a with statement": `with (Math) {}`,
  "an export of a declared-only const": `declare const x: number; export { x };`,
  "a function declared as an if's body": `const c = 1; if (c) function f() {}`,
  "a let and a function of one name in a function": `function outer() { let q = 1; function q() {} return q; } export { outer };`,
  "a label inside the same label": `L: L: for (const x of [1]) {}`,
  "a label reused in a nested statement": `L: for (const x of [1]) { L: for (const y of [2]) {} }`,
  "await as a name": `const await = 1;`,
  "await as a parameter": `function f(await: number) { return 1; } export { f };`,
  "__proto__ set twice in an object": `const o = { __proto__: null, "__proto__": null }; export { o };`,
  "delete of a variable": `let q = 1; delete q;`,
  "delete of a parenthesised variable": `let q = 1; delete (q);`,
  "a var of a destructured catch parameter's name": `try {} catch ({ m }) { var m = 1; }`,
  "delete of a variable through x!": `let q = 1; delete q!;`,
  "delete of a variable through as": `let q = 1; delete (q as any);`,
  "an unterminated group in a regular expression": `const r = /(a/;`,
  "repeated regular expression flags": `const r = /a/gg;`,
  "an unknown Unicode property in a regular expression": `function f() { return /\\p{Foo}/u; } export { f };`,
  "a shorthand property with an initializer in an object value": `const a = "A"; const o: any = { a = 1 }; export { o };`,
  "a for...of variable with an initializer": `for (let x = 1 of [7, 8]) {}`,
  "a for...in variable with an initializer": `for (const k = "z" in { a: 1 }) {}`,
  "use strict in an arrow with a default parameter": `const f = (a = 1) => { "use strict"; return a; }; export { f };`,
  "use strict in a function with a rest parameter": `function f(...xs: number[]) { "use strict"; return xs; } export { f };`,
  "use strict after another directive, with a destructured parameter": `function f({ a }: { a: number }) { "a"; "use strict"; return a; } export { f };`,
  "an assignment to an optional property": `const o: any = {}; o?.x = 1;`,
  "an assignment to a literal through as": `(1 as any) = 2;`,
  "an assignment to arguments": `function f() { arguments = 1 as any; } export { f };`,
  "a compound assignment to an optional chain's member": `const o: any = {}; o?.a.b += 1;`,
  "a decrement of eval": `--(eval as any);`,
  "two constructors in a class": `class A { constructor() {} constructor(x?: number) {} } export { A };`,
  "a static member named prototype": `class A { static prototype() { return 1; } } export { A };`,
  "an accessor named constructor": `class A { get constructor() { return 1; } } export { A };`,
  "a getter with a parameter": `class A { get x(this: A, y?: number) { return y; } } export { A };`,
  "a setter with a rest parameter": `class A { set x(...v: number[]) {} } export { A };`,
  "a setter with two parameters": `const o = { set x(a: number, b?: number) {} }; class A { set y(a: number, b?: number) {} } export { o, A };`,
  "a private name declared twice": `class A { #a = 1; #a = 2; } export { A };`,
  "a private getter and a static private setter of one name": `class A { get #a() { return 1; } static set #a(v: number) {} } export { A };`,
  "a private name outside any class": `const o: any = {}; export const f = () => o.#x;`,
  "a private name another class declares": `class A { #a = 1; } class B { m(o: any) { return #a in o; } } export { A, B };`,
  "super.x in a plain function": `export function f() { return super.x; }`,
  "super() in a method": `class A { m() { super(); } } export { A };`,
  "super() in a constructor of a class without extends": `class A { constructor() { super(); } } export { A };`,
  "new.target at top level, in an arrow": `export const t = () => new.target;`,
  "for await in a plain function": `export function f() { for await (const x of []) {} }`,
  // Fine in a run: these must stay silent.
  "private names in their class and nested ones, super and new.target where they belong, for await where allowed": `class P { p() { return 1; } } class A extends P { #a = 1; static #s = 2; x = super.p(); constructor() { const g = () => super(); g(); new.target; } m(o: any) { const f = () => super.p() + this.#a; class B { n(q: any) { return #a in q; } } return [f, B, #s in o]; } static { super.toString(); } } const o = { m() { return super.toString(); } }; function h() { return new.target; } async function j() { for await (const x of []) {} } for await (const y of []) {} export { A, o, h, j };`,
  "overloaded constructors and methods, abstract and declared members, a private getter and setter pair": `abstract class B { abstract m(): void; declare d: number; } class A extends B { constructor(); constructor(x?: number) { super(); } m(): void; m(x?: number) {} get #p() { return 1; } set #p(v: number) {} static get q() { return 1; } static set q(v: number) {} constructor2 = 1; static proto = 1; } export { A };`,
  "shorthand defaults in destructuring assignments and patterns": `let a = 0; ({ a = 1 } = {} as any); for ({ a = 2 } of [{}] as any[]); const { b = 3 } = {} as any; const f = ({ c = 4 } = {}) => c; export { a, b, f };`,
  "use strict with simple parameters, and a non-directive string": `function f(a: number) { "use strict"; return a; } function g(a = 1) { const s = "use strict"; return s + a; } export { f, g };`,
  "assignments to names, members and through TypeScript's wrappers": `let n = 0; const o: any = {}; o.a = 1; o["b"] = 2; (n as number) = 3; n! += 1; (o as any).c++; --o!.d; [o.e, n] = [1, 2]; export { n, o };`,
  "a for...of with a plain variable": `let x = 0; for (x of [1]) {} for (const y of [2]) {} export { x };`,
  "an increment of a call, refused only when it runs": `function g(): any { return 1; } export const h = () => g()++;`,
  "__proto__ twice in a destructuring assignment": `let a: unknown, b: unknown; ({ __proto__: a, __proto__: b } = {} as any); for ({ __proto__: a, __proto__: b } of [] as any[]); export { a, b };`,
  "__proto__ once in nested objects": `const o = { __proto__: null, inner: { __proto__: null } }; export { o };`,
  "valid regular expressions": `const r = [/a(b)c/giu, /\\p{L}+/u, /[a-z]{2,}/y, /x/v, /(?<name>z)/d]; export { r };`,
  "a label reused after its statement": `L: for (const x of [1]) {} L: for (const y of [2]) {}`,
  "a label reused inside a function": `L: for (const x of [1]) { const f = () => { L: for (const y of [2]) {} }; }`,
  "__proto__ once, and computed or shorthand ones": `const __proto__ = null; const o = { __proto__: null, ["__proto__"]: 1 }; const p = { __proto__, __proto__: null }; export { o, p };`,
  "delete of a property": `const o: { a?: number } = { a: 1 }; delete o.a;`,
  "a var of a plain catch parameter's name": `try {} catch (m) { var m = 1; }`,
  "a type-only import and a const of one name": `import type { T } from "./lib.js"; const T = 1; export { T };`,
  "{ type x } and a const of one name": `import { type x } from "./lib.js"; const x = 1; export { x };`,
  "a declared const": `declare const X: number; export {};`,
  "break in a loop": `for (const t of [1]) { if (t) break; } export {};`,
  "break in a switch": `function f(x: number) { switch (x) { case 1: break; } } export { f };`,
  "continue in a switch in a loop": `for (const x of [1]) { switch (x) { case 1: continue; } }`,
  "continue to a loop's label": `L: for (const x of [1]) { for (const y of [2]) { continue L; } }`,
  "continue in do...while": `do { continue; } while (false);`,
  "return in a function": `function f() { return 1; } export { f };`,
  "an interface exported": `interface T { a: 1 } export { T };`,
  "a type alias exported as a type": `type T = 1; export type { T }; export {};`,
  "var declared twice": `var v = 1; var v = 2; export { v };`,
  "two functions of one name in a function": `function f() { function g() {} function g() {} return g; } export { f };`,
  "a name shadowed in a for...of body": `for (const a of [1]) { const a = 2; }`,
  "a name shadowed in a function": `const a = 1; function f() { const a = 2; return a; } export { f, a };`,
  "overload signatures": `export function f(a: string): string; export function f(a: number): number; export function f(a: any) { return a; }`,
  "an interface and a class of one name": `interface Foo { a: number } class Foo {} export { Foo };`,
  "an enum in two declarations": `enum E { A } enum E { B = 2 } export { E };`,
  "a const enum and its use": `const enum E { A } const x = E.A; export { x };`,
  "a function and a namespace of one name": `function N() {} namespace N { export const a = 1; } export { N };`,
  "duplicate parameters in a function type": `type F = (a: number, a: string) => void; export const x = 1;`,
  "a declared function and a const of one name": `declare function f(): void; const f = 1; export { f };`,
  "public as an object key and a method name": `export const o = { public: 1, package() { return 2; } };`,
  "an export of a var declared in a block": `const c = true; if (c) { var legacy = 1; } for (var i = 0; i < 1; i++) {} export { legacy, i };`,
  "an export of an import-equals alias": `namespace Regions { export const EU = "eu-west-1"; } import EU = Regions.EU; export { EU };`,
  "an exported enum in two declarations": `export enum Tier { Gold } export enum Tier { Silver = 1 }`,
  "an enum in a block shadowing a const": `const E = 1;\n{ enum E { A } }\nexport const x = E;`,
  "an enum in two declarations in a block": `{ enum E { A } enum E { B = 1 } }`,
  "an enum in a block clashing with a let": `{ let E = 1; enum E { A } }`,
};

/**
 * Rejected by TypeScript itself (TS2300, TS2440, TS2528), whose emit then silently drops one of the
 * declarations, so the emitted JavaScript loads. Gantry refuses them, as tsc and esbuild do.
 */
const TYPESCRIPT_REJECTS: Record<string, string> = {
  "a const of an imported name": `import { x } from "./lib.js"; const x = 1; export { x };`,
  "a name imported twice": `import { x } from "./lib.js"; import { x } from "./lib.js"; export { x };`,
  "a default function and another default export": `export default function f() {} export { f as default };`,
};

const fileOf = (name: string) => `${name.replace(/[^a-z0-9]+/gi, "-")}.ts`;

/** Node's verdict on TypeScript's JavaScript for a module: its SyntaxError message, or undefined. */
function nodeCheck(dir: string, name: string, source: string): Promise<string | undefined> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = path.join(dir, fileOf(name).replace(/\.ts$/, ".mjs"));
  fs.writeFileSync(file, js);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--check", file]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve(code === 0 ? undefined : (/SyntaxError: (.*)/.exec(stderr)?.[1] ?? stderr)));
  });
}

interface JsonDiagnostic {
  code: string;
  message: string;
  span: { file: string; line: number; column: number };
}

function compileAll(files: Record<string, string>): { dir: string; diagnostics: JsonDiagnostic[]; code: number | null } {
  const dir = tempProject({ "p/lib.ts": "export const x = 1;\nexport type T = number;\n", ...Object.fromEntries(Object.entries(files).map(([n, s]) => [`p/${fileOf(n)}`, s + "\n"])) });
  const r = gantry(["compile", "p", "--out", "out", "--format", "json"], dir);
  return { dir, diagnostics: JSON.parse(r.stderr) as JsonDiagnostic[], code: r.code };
}

describe("JavaScript's early errors are GANTRY1002, as when Node loads the module", () => {
  it("Gantry reports a SyntaxError exactly where Node's check of TypeScript's output does, with V8's message", async () => {
    const { dir, diagnostics } = compileAll(CASES);
    const verdicts = await Promise.all(Object.entries(CASES).map(async ([name, source]) => ({ name, node: await nodeCheck(dir, name, source) })));
    const rows = verdicts.map(({ name, node }) => {
      const ours = diagnostics.filter((d) => d.span.file === `p/${fileOf(name)}` && d.code === "GANTRY1002").map((d) => d.message);
      return { name, node: node ?? null, gantry: ours[0] ?? null };
    });
    // V8 names a second default export ".default"; Gantry says what it is.
    const expected = rows.map((r) => ({ ...r, gantry: r.node === "Identifier '.default' has already been declared" ? "Duplicate export of 'default'" : r.node }));
    expect(rows).toEqual(expected);
    // Both kinds are covered: the cases that must fail, and the ones that must stay silent.
    expect(rows.filter((r) => r.node).length).toBeGreaterThanOrEqual(30);
    expect(rows.filter((r) => !r.node).length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it("declarations TypeScript itself rejects (its emit drops one) are refused too", () => {
    const { dir, diagnostics } = compileAll(TYPESCRIPT_REJECTS);
    const options = { noLib: true, noEmit: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 };
    for (const name of Object.keys(TYPESCRIPT_REJECTS)) {
      const file = path.join(dir, "p", fileOf(name));
      const program = ts.createProgram([file], options);
      const tsCodes = program.getSemanticDiagnostics(program.getSourceFile(file)).map((d) => d.code);
      expect(tsCodes.some((c) => [2300, 2323, 2440, 2528].includes(c)), `${name}: TypeScript's codes ${tsCodes.join(", ")}`).toBe(true);
      expect(diagnostics.filter((d) => d.span.file === `p/${fileOf(name)}`).map((d) => d.code), name).toContain("GANTRY1002");
    }
  });

  it("a pipeline whose callback breaks, or that declares a constant twice, fails to compile at the exact place, and nothing is written", () => {
    const dir = tempProject({
      "pipelines/loads.ts": `import { pipeline } from "gantry";
const TABLES = ["orders", "STOP", "refunds"];
export default pipeline("loads", {}, (p) => {
  TABLES.forEach((t) => {
    if (t === "STOP") break;
    p.task(\`load-\${t}\`, { image: "busybox:1.36" });
  });
});
`,
      "pipelines/images.ts": `import { pipeline } from "gantry";
const IMAGE = "busybox:1.36";
export default pipeline("images", {}, (p) => {
  p.task("a", { image: IMAGE });
});
const IMAGE = "alpine:3.20";
`,
    });
    const before = snapshotDir(path.join(dir, "out"));
    const r = gantry(["compile", "pipelines", "--out", "out"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pipelines/loads.ts:5:23: error GANTRY1002: Illegal break statement");
    expect(r.stderr).toContain("pipelines/images.ts:6:7: error GANTRY1002: Identifier 'IMAGE' has already been declared");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotDir(path.join(dir, "out"))).toEqual(before);
  });
});
