/**
 * The static evaluator (src/phases/2-analyze): every construct of the static subset, read from a small
 * pipeline in a temporary project and checked in the IR; then every diagnostic the front end emits,
 * with its exact position. Where a construct is supported, the same module is also executed and must
 * build the same task, so "supported" means "evaluated as JavaScript would".
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import type { Diagnostic } from "../src/diagnostics/index.js";
import { createSourceProgram } from "../src/phases/1-parse/index.js";
import { boundNames } from "../src/phases/2-analyze/syntax.js";
import { PipelineDefinition } from "../src/dsl/pipeline.js";
import type * as IR from "../src/ir/index.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where, type Files } from "./support/positions.js";





const task = (ir: IR.Pipeline, name: string): IR.Task => {
  const t = ir.tasks.find((x) => x.name === name);
  if (!t) throw new Error(`no task ${name} in ${ir.tasks.map((x) => x.name).join(", ")}`);
  return t;
};

/** Compiles files that must compile cleanly, and returns the one pipeline's IR. */
async function onePipeline(files: Files): Promise<IR.Pipeline> {
  const r = await compileFiles(files);
  expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  expect(r.pipelines).toHaveLength(1);
  return r.pipelines[0]!.ir;
}

/** Imports a module of a temporary project for real and returns the args of its tasks, by name. */
async function executedArgs(file: string): Promise<Record<string, unknown>> {
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  const definition = Object.values(mod).flat().find((v) => v instanceof PipelineDefinition) as PipelineDefinition;
  return Object.fromEntries(definition.tasks.map((t) => [t.handle.name, (t.spec as { args?: unknown }).args]));
}

describe("constructs of the static subset", () => {
  /**
   * Each row: a top-level prelude, statements at the start of the pipeline body, the expression for
   * task "t"'s args, and the args expected in the IR. The same module executed must agree.
   */
  const rows: [name: string, prelude: string, body: string, args: string, expected: string[]][] = [
    ["string, number and boolean literals", "", "", `["a", 'b', \`c\`, String(1_000), String(0x10), String(1.5e3), String(true), String(false), String(null), String(undefined)]`, ["a", "b", "c", "1000", "16", "1500", "true", "false", "null", "undefined"]],
    ["template literals", `const who = "world"; const n = 2;`, "", "[`hello ${who}`, `${n * 21}!`, `${[1, 2]}`, `${null}|${undefined}`]", ["hello world", "42!", "1,2", "null|undefined"]],
    ["array literals with spreads, holes and strings", `const xs = ["b", "c"] as const;`, "", `[...["a"], ...xs, "d", ..."ef", String([1, , 3].length)]`, ["a", "b", "c", "d", "e", "f", "3"]],
    ["object literals with spreads, computed, quoted and numeric keys", `const base = { a: "1", b: "2" }; const k = "c";`, "const o = { ...base, b: \"B\", [k + \"d\"]: \"3\", \"e-f\": \"4\", 7: \"5\", ...undefined, ...null };", "Object.entries(o).map(([key, v]) => `${key}=${v}`)", ["7=5", "a=1", "b=B", "cd=3", "e-f=4"]],
    ["shorthand properties and object methods", "", `const x = "X"; const o = { x, twice(s: string) { return s + s; } };`, "[o.x, o.twice(\"ab\")]", ["X", "abab"]],
    ["__proto__ as a key is an ordinary property", "", `const o = { ["__proto__"]: "p" };`, "Object.keys(o)", ["__proto__"]],
    ["as const, satisfies, <T>x, x! and parentheses", `const c = { tag: "v1" } as const; const s = { n: "1" } satisfies Record<string, string>; const maybe: string | undefined = "m";`, "", "[c.tag, s.n, (<string>\"cast\"), maybe!, ((\"paren\"))]", ["v1", "1", "cast", "m", "paren"]],
    ["const, and let that is never reassigned", `let top = "top";`, `let inner = "inner"; const both = top + inner;`, "[top, inner, both]", ["top", "inner", "topinner"]],
    ["object destructuring with renames, defaults, nesting and rest", `const src = { a: "1", b: { c: "2" }, d: "3", e: "4" };`, "const { a, b: { c: renamed }, z = \"dz\", ...rest } = src as { a: string; b: { c: string }; z?: string; d: string; e: string };", "[a, renamed, z, Object.keys(rest).join()]", ["1", "2", "dz", "d,e"]],
    ["array destructuring with holes, defaults and rest", "", `const [first, , third = "d3", ...others] = ["1", "skip", undefined, "4", "5"];`, "[first, third, others.join(\"+\")]", ["1", "d3", "4+5"]],
    ["destructuring parameters with defaults and rest", `function f({ a, b = "B", ...more }: { a: string; b?: string; [k: string]: string | undefined }, [x, , y = "Y", ...ys]: string[] = ["x0"]) { return [a, b, Object.keys(more).join(), x, y, ys.length]; }`, "", "f({ a: \"A\", m: \"1\", n: \"2\" }).map(String).concat(f({ a: \"a\", b: \"b\" }, [\"p\", \"q\", \"r\", \"s\", \"t\"]).map(String))", ["A", "B", "m,n", "x0", "Y", "0", "a", "b", "", "p", "r", "2"]],
    ["default parameters that read earlier parameters", `const tag = (name: string, full = \`\${name}:latest\`) => full;`, "", "[tag(\"a\"), tag(\"b\", \"b:1\")]", ["a:latest", "b:1"]],
    ["rest parameters and spread arguments", `const join = (sep: string, ...parts: string[]) => parts.join(sep);`, "", "[join(\"-\", \"a\", \"b\"), join(\"+\", ...[\"c\", \"d\"])]", ["a-b", "c+d"]],
    ["arrow and function helpers, hoisted function declarations", `const arrow = (s: string) => s.toUpperCase(); function decl(s: string) { return s + "!"; }`, "const early = inner(\"x\"); function inner(s: string) { return s + s; }", "[arrow(\"a\"), decl(\"b\"), early, (function (s: string) { return s + \"?\"; })(\"c\")]", ["A", "b!", "xx", "c?"]],
    ["closures over parameters and loop variables", "const prefixer = (pre: string) => (s: string) => `${pre}-${s}`;", "const fns: ((s: string) => string)[] = []; for (const pre of [\"a\", \"b\"]) fns.push(prefixer(pre));", "fns.map((f) => f(\"x\"))", ["a-x", "b-x"]],
    ["bounded recursion", "function fact(n: number): number { return n <= 1 ? 1 : n * fact(n - 1); } const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));", "", "[String(fact(10)), String(fib(15))]", ["3628800", "610"]],
    ["if / else if / else and return", "function size(n: number) { if (n > 100) { return \"big\"; } else if (n > 10) return \"medium\"; else { return \"small\"; } }", "", "[size(1000), size(50), size(1)]", ["big", "medium", "small"]],
    ["for...of with break and continue", "function pick(xs: number[]) { const out: string[] = []; for (const x of xs) { if (x === 2) continue; if (x === 5) break; out.push(String(x)); } return out; }", "", "pick([1, 2, 3, 4, 5, 6])", ["1", "3", "4"]],
    ["for...of returning from a helper, over strings and with destructuring", "function find(xs: string[], c: string) { for (const x of xs) { if (x.startsWith(c)) return x; } return \"none\"; }", "const pairs: string[] = []; for (const [k, v] of Object.entries({ a: 1, b: 2 })) pairs.push(k + v); for (const ch of \"xy\") pairs.push(ch);", "[find([\"apple\", \"banana\"], \"b\"), find([\"a\"], \"z\"), ...pairs]", ["banana", "none", "a1", "b2", "x", "y"]],
    ["counted for loops: steps, commas, continue and break, nested, no condition", "function shards(n: number) { const out: string[] = []; for (let i = 0; i < n; i++) out.push(`s${i}`); return out; }", "const pairs: string[] = []; for (let i = 0, j = 10; i < j; i += 3, j--) { if (i === 3) continue; pairs.push(`${i}:${j}`); } for (let a = 1; a <= 2; a++) for (let b = a; b <= 2; b = b * 2) pairs.push(`${a}${b}`); for (let k = 0; ; ++k) { if (k > 2) break; pairs.push(`k${k}`); }", "[...shards(3), ...pairs]", ["s0", "s1", "s2", "0:10", "6:8", "11", "12", "22", "k0", "k1", "k2"]],
    ["counted for loops give each pass its own variables, as closures see them", "", "const fns: (() => string)[] = []; for (let i = 0; i < 3; i++) fns.push(() => `f${i}`); for (let n = 5, s = `${n}`; n > 3; n--) fns.push(() => s + n);", "fns.map((f) => f())", ["f0", "f1", "f2", "55", "54"]],
    ["a function assigned in a counted loop's update is named after its variable", "", "const names: string[] = []; for (let i = 0, f: any = 0; i < 2; i++, f = function () {}) names.push(String(f && f.name)); for (let j = 0, g: any = 0; j < 2; j++, g = () => 1) names.push(String(g && g.name));", "names", ["0", "f", "0", "g"]],
    ["for...of sees items pushed while it runs, as JavaScript does", "", "const queue = [\"a\"]; const seen: string[] = []; for (const q of queue) { seen.push(q); if (q.length < 3) queue.push(q + \"a\"); }", "seen", ["a", "aa", "aaa"]],
    ["map, filter, flatMap, forEach, join, concat, includes, push", "", "const seen: string[] = []; [1, 2, 3].forEach((n) => { seen.push(`s${n}`); });", "[[1, 2, 3, 4].map((n) => n * 2).filter((n) => n > 2).join(\"|\"), ...[\"a\", \"b\"].flatMap((s) => [s, s.toUpperCase()]), ...[\"c\"].concat([\"d\"], \"e\"), String([1, 2].includes(2)), String([1, 2].includes(3)), ...seen]", ["4|6|8", "a", "A", "b", "B", "c", "d", "e", "true", "false", "s1", "s2", "s3"]],
    ["other array methods: some, every, find, reduce, slice, indexOf, at, flat, toSorted", "", "const xs = [3, 1, 2];", "[String(xs.some((x) => x > 2)), String(xs.every((x) => x > 2)), String(xs.find((x) => x < 3)), String(xs.reduce((a, b) => a + b, 0)), xs.slice(1).join(), String(xs.indexOf(2)), String(xs.at(-1)), [[1], [2, [3]]].flat().join(), xs.toSorted().join(), xs.join()]", ["true", "false", "1", "6", "1,2", "2", "2", "1,2,3", "1,2,3", "3,1,2"]],
    ["Object.entries, keys, values, fromEntries", "const m = { b: \"2\", a: \"1\" };", "const inverted = Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));", "[...Object.keys(m), ...Object.values(m), Object.entries(inverted).flat().join()]", ["b", "a", "2", "1", "1,a,2,b"]],
    ["string methods", "const s = \"  Hello, World  \";", "", "[s.trim(), s.trim().toLowerCase(), s.trim().toUpperCase(), s.trim().split(\", \").join(\"|\"), \"a-b-c\".replace(\"-\", \"+\"), \"a-b-c\".replaceAll(\"-\", \"+\"), String(\"abc\".startsWith(\"ab\")), String(\"abc\".endsWith(\"bc\")), String(\"abc\".includes(\"d\")), \"7\".padStart(3, \"0\"), \"ab\".repeat(2), \"abcdef\".slice(1, 3), \"abcdef\".substring(4), \"x\".concat(\"y\"), String(\"abc\".indexOf(\"c\")), \"abc\".charAt(1), \"abc\".at(-1)!]", ["Hello, World", "hello, world", "HELLO, WORLD", "Hello|World", "a+b-c", "a+b+c", "true", "true", "false", "007", "abab", "bc", "ef", "xy", "2", "b", "c"]],
    ["Math.sqrt (correctly rounded everywhere, unlike log or cbrt) and Object.is", "", "", "[String(Math.sqrt(2)), String(Math.sqrt(-1)), String(Object.is(NaN, 0 / 0)), String(Object.is(0, -0)), String(Object.is(\"a\", \"a\"))]", ["1.4142135623730951", "NaN", "true", "false", "true"]],
    ["more locale-free methods: toPrecision, toExponential, charCodeAt, codePointAt, array toString, toSpliced, with", "const xs = [1, [2, 3]] as const;", "", "[(123.456).toPrecision(4), (0.000123).toExponential(1), String(\"A\".charCodeAt(0)), String(\"😀\".codePointAt(0)), xs.toString(), [1, 2, 3].toSpliced(1, 1, 9).join(), [1, 2, 3].with(-1, 0).join(), String(xs)]", ["123.5", "1.2e-4", "65", "128512", "1,2,3", "1,9,3", "1,2,0", "1,2,3"]],
    ["number methods and conversions", "", "", "[(3.14159).toFixed(2), (255).toString(16), String(Number(\"5\") + 1), String(Number()), String(Number.isInteger(2.5)), String(parseInt(\"42px\", 10)), String(Boolean(\"\")), encodeURIComponent(\"a b\"), String(Math.max(1, 5, 3)), String(Math.round(2.5)), JSON.stringify({ a: [1] }), String(Array.isArray([]))]", ["3.14", "ff", "6", "0", "false", "42", "false", "a%20b", "5", "3", "{\"a\":[1]}", "true"]],
    ["isNaN, isFinite and the URI functions", "", "", "[String(isNaN(\"x\")), String(isNaN(\"1\")), String(isFinite(\"1e3\")), String(isFinite(1 / 0)), decodeURIComponent(\"a%20b%2Fc\"), encodeURI(\"a b/c?d=é\"), decodeURI(\"a%20b%2F\")]", ["true", "false", "true", "false", "a b/c", "a%20b/c?d=%C3%A9", "a b%2F"]],
    ["sort and reverse of arrays built in the pipeline, in place", `const base = ["b", "c", "a"];`, `const sorted = [...base].sort(); const byLength = ["ccc", "a", "bb"].sort((x, y) => x.length - y.length); const nums = [10, 9, 1].sort(); const rev = [...base].reverse(); const same = rev.reverse() === rev;`, "[...sorted, ...byLength, nums.join(), ...rev, String(same)]", ["a", "b", "c", "a", "bb", "ccc", "1,10,9", "b", "c", "a", "true"]],
    ["entries, keys and values of an array: for...of, spreads, Object.fromEntries and Array.from", `const regions = ["eu", "us"];`, "const tagged: string[] = []; for (const [i, r] of regions.entries()) tagged.push(`${i}:${r}`); const grown = [\"a\"]; for (const [i] of grown.entries()) if (i < 2) grown.push(`g${i}`);", "[...tagged, ...[...regions.keys()].map(String), ...regions.values(), Object.entries(Object.fromEntries(regions.entries())).join(\";\"), String(Array.from(regions.keys()).length), grown.join()]", ["0:eu", "1:us", "0", "1", "eu", "us", "0,eu;1,us", "2", "a,g0,g1"]],
    ["switch: fall-through, default before a later case, break, continue in a loop, one block scope", `function size(env: string): string { switch (env) { case "prod": case "staging": { const s = "l"; return s; } default: return "s"; case "dev": return "m"; } }`, `const out: string[] = []; for (const e of ["prod", "dev", "qa", "staging", "none"]) { switch (e) { case "qa": continue; case "none": break; case "dev": out.push("d"); case "prod": const tag = "p"; out.push(tag); break; default: out.push("x"); } out.push("."); }`, "[size(\"prod\"), size(\"dev\"), size(\"qa\"), size(\"staging\"), out.join(\"\")]", ["l", "m", "s", "l", "p.dp.x.."]],
    ["switch compares with ===, and evaluates case labels only until one matches", `const label = (n: unknown) => { switch (n) { case "1": return "string"; case 1: return "number"; case NaN: return "nan"; default: return "none"; } };`, "", "[label(1), label(\"1\"), label(NaN), label(true), label(-0 as unknown as number)]", ["number", "string", "none", "none", "none"]],
    ["enums: numeric with reverse mapping, string, const, members read by name and through the enum, and one in a function", `enum Size { S, M = 4, L, XL = M * 4, Twice = Size.L * 2 }\nconst enum Env { Dev = "dev", Prod = "prod" }\nexport enum Tier { Gold = "gold", "with-dash" = "dash" }`, `enum Local { A = "a", B = A + "b" }`, "[String(Size.S), String(Size.L), Size[5]!, String(Size.XL), String(Size.Twice), Env.Prod, Local.B, Tier.Gold, Tier[\"with-dash\"], Object.keys(Size).join(), Object.keys(Tier).join()]", ["0", "5", "L", "16", "10", "prod", "ab", "gold", "dash", "0,4,5,10,16,S,M,L,XL,Twice", "Gold,with-dash"]],
    ["pop, shift, unshift, splice, fill and reduceRight on arrays built in the pipeline", "", `const xs = ["a", "b", "c", "d"]; const last = xs.pop(); const first = xs.shift(); const n = xs.unshift("z", "y"); const cut = xs.splice(1, 2, "m"); const filled = [1, 2, 3].fill(0, 1); const r = ["x", "y", "z"].reduceRight((acc, s) => acc + s, "");`, "[String(last), String(first), String(n), cut.join(), xs.join(), filled.join(), r]", ["d", "a", "4", "y,b", "z,m,c", "1,0,0", "zyx"]],
    ["conditional expressions", "const prod = true; const n = 0;", "", "[prod ? \"p\" : \"d\", n ? \"truthy\" : \"falsy\", prod ? (n ? \"a\" : \"b\") : \"c\"]", ["p", "falsy", "b"]],
    ["??, || and && with JavaScript's truthiness", "const none: string | undefined = undefined; const empty = \"\"; const zero = 0;", "", "[none ?? \"d1\", empty ?? \"d2\", empty || \"d3\", String(zero || 7), String(zero && 7), String(\"x\" && \"y\"), String(null ?? zero)]", ["d1", "", "d3", "7", "0", "y", "0"]],
    ["short-circuiting never evaluates the other side", "const flag = true;", "", "[String(flag || Date.now()), String(!flag && Math.random()), String(\"set\" ?? process.env.HOME), flag ? \"yes\" : new Date().toISOString()]", ["true", "false", "set", "yes"]],
    ["arithmetic, unary operators, typeof and comparisons", "", "", "[String(1 + 2 * 3 - 4 / 2), String(7 % 3), String(2 ** 10), String(-(-3)), String(+\"4\"), String(!0), typeof \"s\", String(1 < 2), String(2 <= 1), String(3 > 2), String(3 >= 4), String(\"a\" === \"a\"), String(1 !== 1), String(1 == 1), String(null != undefined), \"n\" + 1, String((1, 2))]", ["5", "1", "1024", "3", "4", "true", "string", "true", "false", "true", "false", "true", "false", "true", "false", "n1", "2"]],
    ["optional chaining, including a short-circuited chain a?.b.c", "type T = { b: { c: string } } | undefined; const absent: T = undefined as T; const present: T = { b: { c: \"C\" } }; const f: ((s: string) => string) | undefined = undefined; const o = { inner: undefined as undefined | { z: string } };", "", "[String(absent?.b.c), String(absent?.b.c.length), present?.b.c ?? \"-\", String(f?.(\"x\")), String(absent?.[\"b\"]), String(o.inner?.z), String(absent?.b!.c), String(present?.b.c.length)]", ["undefined", "undefined", "C", "undefined", "undefined", "undefined", "undefined", "1"]],
    ["length and index access on strings and arrays", "const xs = [\"a\", \"b\"]; const s = \"xyz\";", "", "[String(xs.length), xs[1]!, s[0]!, String(s.length), String(xs[5]), xs[xs.length - 1]!]", ["2", "b", "x", "3", "undefined", "b"]],
    ["Object.freeze of a value keeps it readable", "const FROZEN = Object.freeze({ k: \"v\" });", "", "[FROZEN.k]", ["v"]],
    ["array holes are skipped as in JavaScript", "const xs = [\"a\", , \"b\"];", "", "[...xs.filter(() => true), String(Object.keys(xs).length), String(xs.length)]", ["a", "b", "2", "3"]],
    ["function names are inferred from bindings, length counts required parameters", "const extract = () => 1; function two(a: number, b: number) { return a + b; } const obj = { m: () => 2 };", "", "[extract.name, String(two.length), obj.m.name, String(((a: number, b = 1) => a + b).length), two.name]", ["extract", "2", "m", "1", "two"]],
    ["spreading false, \"\", 0 or a string into an object, as in JavaScript", "const flag = false; const label = \"\";", "", "Object.keys({ ...(flag && { a: 1 }), ...(label && { b: 1 }), ...(0 && {}), ...\"xy\" })", ["0", "1"]],
    ["type-only declarations do nothing", "type Env = \"dev\" | \"prod\"; interface Opts { env: Env }; declare const ambient: string;", "type Local = string; const o: Opts = { env: \"prod\" };", "[o.env]", ["prod"]],
    // Found by an adversarial review (static against executed): each used to give a different value than JavaScript.
    ["a switch's case labels are evaluated in its block: they call the block's hoisted function, not an outer one of the same name", "function f() { return 1; } function g(v: number) { switch (v) { case f(): return \"outer\"; case 2: function f() { return 2; } return \"x\"; default: return \"none\"; } }", "", "[g(1), g(2)]", ["none", "outer"]],
    ["array destructuring steps as an iterator: once the array has run out it stays done, though a default pushes to it; for an array's values() too", "", "const arr: number[] = [1]; const [a, b = (arr.push(5, 6), 7), c, ...more] = arr; const two: number[] = [1]; const [x, y = (two.push(9), 8), z] = two.values(); const three: number[] = [1]; const [h, , ...tail] = three;", "[String(a), String(b), String(c), String(more.length), String(arr.length), String(x), String(y), String(z), String(two.length), String(h), String(tail.length)]", ["1", "7", "undefined", "0", "3", "1", "8", "undefined", "2", "1", "0"]],
    // Found by test/evaluator-fuzz.test.ts: each used to give a different value than JavaScript.
    ["object rest keeps an own __proto__ key; spreads and array rest read holes as undefined", `const src = { ["__proto__"]: "p", a: "1" } as Record<string, string>; const holey = [1, , 3];`, "const { ...rest } = src; const [, ...tail] = holey;", "[Object.keys(rest).join(), String([...holey].length), String([...holey].indexOf(undefined)), String(tail.length), String(tail.indexOf(undefined))]", ["__proto__,a", "3", "1", "2", "0"]],
    ["function names from computed, numeric and quoted keys, through parentheses and `as`", `const k = "dyn"; const o = { [k + "A"]: () => 1, [k + "B"]() { return 2; }, 1.50: () => 3, "a-b": () => 4 }; const f = (() => 1); const g = (() => 2) as () => number; const h = ((function () { return 3; }) satisfies () => number);`, "", `[o.dynA.name, o.dynB.name, o[1.5]!.name, o["a-b"].name, f.name, g.name, h.name]`, ["dynA", "dynB", "1.5", "a-b", "f", "g", "h"]],
    ["a `this: T` declaration is a type, not a parameter", "function withThis(this: void, a: number, b = 2) { return a + b; }", "", "[String(withThis.length), String(withThis(5))]", ["1", "7"]],
    ["built-in methods are read unbound and called with their object", "const s = \"abc\";", "", `[String(s.at === "xyz".at), s.slice.name, String([1, 2].map.length), ["x", "y"].map((c) => c.toUpperCase()).join(), (s.toUpperCase)(), s.toUpperCase!()]`, ["true", "slice", "1", "X,Y", "ABC", "ABC"]],
    ["built-in namespaces look as JavaScript's do", "", "", "[typeof Object, typeof Math, typeof JSON, typeof Number, JSON.stringify(Math), String(Object.keys(JSON).length), String(Object.keys(Number).length), String(Number.length), String(JSON.stringify(Object)), `${Math}`, `${JSON}`, `${Object}`, Object.name, Array.name]", ["function", "object", "object", "function", "{}", "0", "0", "1", "undefined", "[object Math]", "[object JSON]", "function Object() { [native code] }", "Object", "Array"]],
    ["Object.assign onto a new object, as a spread; strings spread their characters, and it returns its target", `const base = { a: "1" };`, `const t: Record<string, string> = {}; const o = Object.assign({}, base, { b: "2" }, null, undefined, "xy", 5, true); const same = Object.assign(t, { c: "3" }, { c: "4", d: "5" }) === t; const list = Object.assign(["a", "b"], ["z"]);`, "[...Object.entries(o).map(([k, v]) => `${k}=${v}`), String(same), Object.entries(t).join(), list.join()]", ["0=x", "1=y", "a=1", "b=2", "true", "c,4,d,5", "z,b"]],
    ["`in` and Object.hasOwn: `in` sees the prototype chain, hasOwn only own properties", `const m: Record<string, string> = { eu: "x" }; const xs = ["a"]; const frozen = Object.freeze({ k: 1 });`, "", `[String("eu" in m), String("us" in m), String("toString" in m), String(0 in xs), String(1 in xs), String("length" in xs), String("map" in xs), String("k" in frozen), String(Object.hasOwn(m, "eu")), String(Object.hasOwn(m, "toString")), String(Object.hasOwn(xs, 0)), String(Object.hasOwn(xs, "length")), String(Object.hasOwn("ab", 1))]`, ["true", "false", "true", "true", "false", "true", "true", "true", "true", "false", "true", "true", "true"]],
    ["Number's constants, isNaN and isSafeInteger", "", "", "[String(Number.MAX_SAFE_INTEGER), String(Number.MIN_SAFE_INTEGER), String(Number.EPSILON === 2 ** -52), String(Number.isNaN(\"x\")), String(Number.isNaN(NaN)), String(Number.isSafeInteger(2 ** 53)), String(Number.isSafeInteger(7))]", ["9007199254740991", "-9007199254740991", "true", "false", "true", "false", "true"]],
    ["assignment to properties of objects and arrays built in the code: =, compound and logical operators, ++ and --", "", `const out: Record<string, number> = {}; for (const [i, t] of ["a", "b"].entries()) out[t] = i; const counts: Record<string, number> = {}; for (const w of ["x", "y", "x"]) counts[w] = (counts[w] ?? 0) + 1; const c2: Record<string, number> = {}; for (const w of ["x", "y", "x"]) { c2[w] ??= 0; c2[w]++; } const o: { a?: string; n: number; s: string } = { n: 1, s: "a" }; o.a = "A"; o.n += 2; o.n *= 3; o.n **= 2; o.n %= 50; o.n /= 2; o.n -= 1; o.s += "b"; const pre = ++o.n; const post = o.n--; const arr = ["a"]; arr[2] = "c"; const chain = (o.a = "Z"); const kept = (o.s ||= "unused"); const and = (o.s &&= "and"); arr.length = 2; const nested = { a: { b: [1] } as Record<string, unknown> & { b: number[] } }; nested.a.b[0]! += 10; nested["a"]["c"] = "new";`, "[JSON.stringify(out), JSON.stringify(counts), JSON.stringify(c2), JSON.stringify(o), String(pre), String(post), String(arr.length), String(1 in arr), chain, kept, and, JSON.stringify(nested)]", ['{"a":0,"b":1}', '{"x":2,"y":1}', '{"x":2,"y":1}', '{"n":14.5,"s":"and","a":"Z"}', "15.5", "15.5", "2", "false", "Z", "ab", "and", '{"a":{"b":[11],"c":"new"}}']],
    ["`this`: the receiver of a method call, lexical in arrows, undefined in a plain call, a built-in's thisArg", `const env = { name: "prod", bucket() { return \`s3://\${this.name}-data\`; }, viaArrow: function () { return [1].map(() => this.name)[0]; }, nested() { return { name: "inner", get() { return this.name; } }.get(); }, self() { return this; } }; function plain(this: unknown) { return String(this); }`, `const made = { tag: "m", describe(this: { tag: string }, suffix = this.tag) { return this.tag + suffix; } };`, "[env.bucket(), String(env.viaArrow()), env.nested(), String(env.self() === env), plain(), [1].map(function (this: unknown) { return String(this); }, \"ctx\")[0]!, made.describe(), (env[\"bucket\"])()]", ["s3://prod-data", "prod", "inner", "true", "undefined", "ctx", "mm", "s3://prod-data"]],
    ["own properties set on an array are read before its methods; Array(...) with items lists them", "", `const a: any = ["a", "b"]; a.join = () => "mine"; a.tag = "t"; Object.assign(a, { map: () => ["assigned"] }); const grown: unknown[] = []; grown.length = "3" as unknown as number; (grown as any)[4294967295] = "not an index";`, "[a.join(\"-\"), a.tag, ...a.map((x: string) => x.toUpperCase()), String(Array(2, 3)), String(Array(\"a\")), String(Array().length), String(grown.length), String([1].map(Array)[0])]", ["mine", "t", "assigned", "2,3", "a", "0", "3", "1,0,1"]],
    ["for...in: own keys in JavaScript's order, array indices (not holes), a string's, none for null; break and continue", `const m: Record<string, number> = { b: 1, a: 2, 10: 3, 2: 4 };`, `const out: string[] = []; for (const k in m) out.push(k); for (const i in ["x", , "z"]) out.push(\`i\${i}\`); for (const c in "ab") out.push(\`c\${c}\`); for (const n in null as unknown as object) out.push("never"); for (const k in m) { if (k === "10") continue; if (k === "a") break; out.push(\`s\${k}\`); } const grow: Record<string, number> = { x: 1 }; for (const k in grow) grow[k + "!"] = 1; const shrink = ["p", "q", "r"]; for (const k in shrink) { out.push(\`d\${k}\`); shrink.pop(); }`, "[...out, Object.keys(grow).join()]", ["2", "10", "b", "a", "i0", "i2", "c0", "c1", "s2", "sb", "d0", "d1", "x,x!"]],
    ["keys that are not strings or numbers are converted as JavaScript converts them", "const o: Record<string, string> = { true: \"t\", null: \"n\", undefined: \"u\" };", "", "[o[true as unknown as string]!, o[null as unknown as string]!, o[undefined as unknown as string]!, Object.keys({ [false as unknown as string]: 1 }).join()]", ["t", "n", "u", "false"]],
  ];

  it.each(rows)("%s", async (_name, prelude, body, args, expected) => {
    const source = `import { pipeline } from "gantry";\n${prelude}\nexport default pipeline("construct", {}, (p) => {\n  ${body}\n  p.task("t", { image: "busybox", args: ${args} });\n});\n`;
    const cwd = tempProject({ "main.ts": source });
    const r = await compile({ cwd, paths: ["."], target: "argo", kind: "auto" });
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
    expect(task(r.pipelines[0]!.ir, "t").args).toEqual(expected);
    expect((await executedArgs(path.join(cwd, "main.ts"))).t).toEqual(expected);
  });

  it("let and const inside the body, env from secretEnv/configMapEnv and parameters", async () => {
    const ir = await onePipeline({
      "main.ts": `import { configMapEnv, pipeline, secretEnv } from "gantry";
export default pipeline("env", { parameters: { date: { default: "today" } } }, (p) => {
  const date = p.params.date;
  p.task("t", {
    image: "busybox",
    args: [\`--date=\${date}\`],
    env: { PW: secretEnv("db", "password"), MODE: configMapEnv("cfg", "mode", { optional: true }), N: 3, ON: true },
  });
});
`,
    });
    const t = task(ir, "t");
    expect(t.args).toEqual(["--date={{params.date}}"]);
    expect(t.env).toEqual([
      { name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode", optional: true } } },
      { name: "N", value: "3" },
      { name: "ON", value: "true" },
    ]);
  });

  it("fan-out with a loop and with .map, then fan-in through after", async () => {
    const ir = await onePipeline({
      "main.ts": `import { pipeline } from "gantry";
const REGIONS = ["eu", "us"] as const;
export default pipeline("fan", {}, (p) => {
  const extract = p.task("extract", { image: "etl" });
  const loaded = [];
  for (const region of REGIONS) {
    loaded.push(p.task(\`load-\${region}\`, { image: "etl", args: [region], after: [extract] }));
  }
  const checks = REGIONS.map((region, i) => p.task(\`check-\${i}\`, { image: "dq", args: [region], after: [loaded[i]!] }));
  p.task("report", { image: "bi", after: [...loaded, ...checks] });
});
`,
    });
    expect(ir.tasks.map((t) => [t.name, t.dependencies])).toEqual([
      ["extract", []],
      ["load-eu", ["extract"]],
      ["load-us", ["extract"]],
      ["check-0", ["load-eu"]],
      ["check-1", ["load-us"]],
      ["report", ["load-eu", "load-us", "check-0", "check-1"]],
    ]);
    expect(task(ir, "check-1").args).toEqual(["us"]);
  });

  it("handles flow through helpers and objects; `after` is de-duplicated", async () => {
    const ir = await onePipeline({
      "main.ts": `import { pipeline, type TaskHandle } from "gantry";
const step = (p: { task: (n: string, s: object) => TaskHandle }, name: string, after: TaskHandle[] = []) => p.task(name, { image: "x", after });
export default pipeline("handles", {}, (p) => {
  const a = step(p as never, "a");
  const byName = { a };
  const b = step(p as never, "b", [byName.a, a]);
  p.task("c", { image: "x", after: [b, a] });
});
`,
    });
    expect(ir.tasks.map((t) => [t.name, t.dependencies])).toEqual([["a", []], ["b", ["a"]], ["c", ["b", "a"]]]);
  });
});

describe("modules", () => {
  const lib = {
    "lib/consts.ts": `export const IMAGE = "registry/app:1.0";\nexport const TAG = "t";\nexport default { fromDefault: "D" };\n`,
    "lib/helpers.ts": `import { IMAGE } from "./consts";\nexport function container(name: string) { return { image: IMAGE, args: [name] }; }\nexport const shout = (s: string) => s.toUpperCase();\nexport default function defaultHelper() { return "default-fn"; }\n`,
    "lib/index.ts": `export * from "./consts.js";\nexport * from "./helpers";\nexport { TAG as RENAMED } from "./consts";\nexport { default as defaults } from "./consts.js";\nconst local = "local";\nexport { local as alias };\n`,
  };

  it("relative imports with and without .js, index files, export *, export { x as y } and default exports", async () => {
    const ir = await onePipeline({
      ...lib,
      "pipelines/main.ts": `import { pipeline } from "gantry";
import { IMAGE, RENAMED, alias, defaults, shout } from "../lib";
import defaultHelper, { container } from "../lib/helpers.js";
import consts from "../lib/consts";
import * as H from "../lib/index.js";
export default pipeline("modules", {}, (p) => {
  p.task("t", { ...container("x"), args: [IMAGE, RENAMED, alias, defaults.fromDefault, consts.fromDefault, defaultHelper(), shout("hi"), H.TAG, H.container("y").args[0]!] });
});
`,
    });
    expect(task(ir, "t").image).toBe("registry/app:1.0");
    expect(task(ir, "t").args).toEqual(["registry/app:1.0", "t", "local", "D", "D", "default-fn", "HI", "t", "y"]);
  });

  it("a namespace import spreads and lists its exports, sorted, like an ES module namespace", async () => {
    const files = {
      "lib.ts": `export const B = "b";\nexport const A = "a";\nexport * from "./more";\nexport default "D";\n`,
      "more.ts": `export const C = "c";\nexport default "not re-exported";\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport * as lib from "./lib";\nconst copy = { ...lib };\nexport default pipeline("ns", {}, (p) => { p.task("t", { image: "x", args: [...Object.keys(lib), ...Object.values(copy)] }); });\n`,
    };
    const ir = await onePipeline(files);
    expect(task(ir, "t").args).toEqual(["A", "B", "C", "default", "a", "b", "c", "D"]);
  });

  it("a namespace has no key for an export that is only a type, also passed on by a re-export, as tsc's emit runs", async () => {
    // tsc drops a re-export, or an exported import, of a type; esbuild-style transpilers keep it and
    // the run fails to link. Either way no run's namespace has the name: the reference is tsc's output run by Node.
    const files: Files = {
      "types.ts": `export interface Cfg { a: string }\nexport type Alias = string;\nexport const real = 1;\n`,
      "only-types.ts": `export interface Only { a: string }\nexport type OnlyAlias = number;\n`,
      "local.ts": `interface L { a: string }\ntype LA = string;\nexport { L, LA };\nexport const v = 1;\n`,
      "mod.ts": `export { Cfg, real } from "./types.js";\nexport * from "./only-types.js";\nimport { Alias } from "./types.js";\nexport { Alias };\nimport type { Cfg as C2 } from "./types.js";\nexport { C2 };\nexport * from "./local.js";\nexport * as sub from "./only-types.js";\nexport const own = "o";\n`,
    };
    const probe = `const forIn: string[] = [];\n  for (const k in ns) forIn.push(k);\n  const seen = [Object.keys(ns).join(), Object.keys({ ...ns }).join(), Object.entries(ns).map(([k]) => k).join(), String(Object.values(ns).length), forIn.join(), String("Cfg" in ns), String("Alias" in ns)];`;
    const r = await compileFiles({ ...files, "main.ts": `import { pipeline } from "gantry";\nimport * as ns from "./mod.js";\nexport default pipeline("ns", {}, (p) => {\n  ${probe}\n  p.task("t", { image: "x", args: seen });\n});\n` }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
    const run = tempProject({ ...files, "main.ts": `import * as ns from "./mod.js";\n${probe}\nconsole.log(JSON.stringify(seen));\n` });
    const program = ts.createProgram(Object.keys(files).concat("main.ts").map((f) => path.join(run, f)), { noLib: true, types: [], module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, outDir: path.join(run, "out") });
    expect(program.emit().emitSkipped).toBe(false);
    fs.writeFileSync(path.join(run, "out/package.json"), `{ "type": "module" }\n`);
    const node = spawnSync(process.execPath, [path.join(run, "out/main.js")], { encoding: "utf8" });
    expect(node.stderr).toBe("");
    const executed = JSON.parse(node.stdout) as string[];
    expect(executed).toEqual(["own,real,sub,v", "own,real,sub,v", "own,real,sub,v", "4", "own,real,sub,v", "false", "false"]);
    expect(r.pipelines[0]!.ir.tasks[0]!.args).toEqual(executed);
  });

  it("export * through several levels, and a named re-export of what a module gets through export * (two levels used to be GANTRY1111)", async () => {
    const ir = await onePipeline({
      "lib/a.ts": `export * from "./b";\n`,
      "lib/b.ts": `export * from "./c";\n`,
      "lib/c.ts": `export const x = "x";\nexport { y } from "./d";\n`,
      "lib/d.ts": `export * from "./e";\n`,
      "lib/e.ts": `export const y = "y";\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport { x, y } from "./lib/a";\nimport * as all from "./lib/a";\nexport default pipeline("deep", {}, (p) => { p.task("t", { image: "x", args: [x, y, ...Object.keys(all)] }); });\n`,
    });
    expect(task(ir, "t").args).toEqual(["x", "y", "x", "y"]);
  });

  it("one namespace object per module: two `import * as` of a file, and one re-exported, are the same object", async () => {
    const ir = await onePipeline({
      "x.ts": `export const v = 1;\n`,
      "y.ts": `import * as x from "./x";\nexport const viaY = x;\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport * as x from "./x";\nimport * as x2 from "./x";\nimport { viaY } from "./y";\nexport default pipeline("ns", {}, (p) => { p.task("t", { image: "x", args: [String(x === x2), String(viaY === x)] }); });\n`,
    });
    expect(task(ir, "t").args).toEqual(["true", "true"]);
  });

  it("`in` asks a namespace import for its exports only: a real module namespace has no prototype", async () => {
    const files = {
      "lib.ts": `export const A = "a";\nexport * from "./more";\n`,
      "more.ts": `export const C = "c";\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport * as lib from "./lib";\nexport default pipeline("ns", {}, (p) => { p.task("t", { image: "x", args: ["A", "C", "B", "toString", "read", "constructor"].map((k) => \`\${k}:\${k in lib}:\${Object.hasOwn(lib, k)}\`) }); });\n`,
    };
    const ir = await onePipeline(files);
    expect(task(ir, "t").args).toEqual(["A:true:true", "C:true:true", "B:false:false", "toString:false:false", "read:false:false", "constructor:false:false"]);
  });

  it('import { pipeline as define } from "gantry" and import * as g from "gantry"', async () => {
    const r = await compileFiles({
      "main.ts": `import { pipeline as define, secretEnv as secret } from "gantry";
import * as g from "gantry";
export const one = define("one", {}, (p) => { p.task("t", { image: "x", env: { S: secret("s", "k") } }); });
export const two = g.pipeline("two", {}, (p) => { p.task("t", { image: "x", env: { C: g.configMapEnv("c", "k") } }); });
`,
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => [p.name, p.ir.tasks[0]!.env])).toEqual([
      ["one", [{ name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }]],
      ["two", [{ name: "C", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }]],
    ]);
  });

  it("several pipelines per file, exported arrays of pipelines, default and renamed exports", async () => {
    const r = await compileFiles({
      "a.ts": `import { pipeline } from "gantry";
const mk = (name: string) => pipeline(name, {}, (p) => { p.task("t", { image: "x", args: [name] }); });
export const first = mk("first");
export const all = [mk("in-array-1"), mk("in-array-2")];
const viaDefault = mk("via-default");
export default viaDefault;
const renamed = mk("renamed");
export { renamed as other };
export const alsoFirst = first;
`,
      "b.ts": `export { first as again } from "./a";\n`,
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => [p.name, p.source, p.ir.tasks[0]!.args])).toEqual([
      ["first", "a.ts", ["first"]],
      ["in-array-1", "a.ts", ["in-array-1"]],
      ["in-array-2", "a.ts", ["in-array-2"]],
      ["renamed", "a.ts", ["renamed"]],
      ["via-default", "a.ts", ["via-default"]],
    ]);
  });

  it("a pipeline declared but not exported is warning GANTRY1120 at its name, and nothing else", async () => {
    const source = `import { pipeline } from "gantry";
const hidden = pipeline("hidden", {}, (p) => { p.task("t", { image: "x" }); });
pipeline("bare", {}, (p) => { p.task("t", { image: "x" }); });
const usedOnly = pipeline("used-only", {}, (p) => { p.task("t", { image: "x" }); });
export const name = usedOnly.name;
const viaDefault = pipeline("via-default", {}, (p) => { p.task("t", { image: "x" }); });
const inArray = pipeline("in-array", {}, (p) => { p.task("t", { image: "x" }); });
const renamed = pipeline("renamed", {}, (p) => { p.task("t", { image: "x" }); });
export default viaDefault;
export const all = [inArray];
export { renamed as other };
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1120 ${loc("main.ts", source, '"hidden"')}`,
      `GANTRY1120 ${loc("main.ts", source, '"bare"')}`,
      `GANTRY1120 ${loc("main.ts", source, '"used-only"')}`,
    ]);
    expect(r.diagnostics.every((d) => d.severity === "warning" && d.hint)).toBe(true);
    expect(r.ok).toBe(true);
    expect(r.pipelines.map((p) => p.name)).toEqual(["in-array", "renamed", "via-default"]);
  });

  it("a bare pipeline(...) statement runs its body when the module loads: a body that changes a module value or throws is an error, as for a bound one (review finding)", async () => {
    const source = `import { pipeline } from "gantry";
const CFG = { image: "busybox:1.0" };
const registry = ["a"];
function reg() { registry.push("b"); }
pipeline("side", {}, (p) => { CFG.image = "evil:latest"; p.task("x", { image: "a" }); });
pipeline("side2", {}, () => { reg(); });
pipeline("side3", {}, () => { throw new Error("boom"); });
export default pipeline("c", {}, (p) => { p.task("t", { image: "busybox", args: [CFG.image, ...registry] }); });
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.severity === "error").map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, "registry.push")}`,
      `GANTRY1104 ${loc("main.ts", source, "CFG.image =")}`,
      `GANTRY1113 ${loc("main.ts", source, "throw new")}`,
    ]);
  });

  it("pipelines held inside an exported object or nested arrays are warning GANTRY1120 at the export, naming where; one also exported directly is not (from dogfooding)", async () => {
    const source = `import { pipeline } from "gantry";
const make = (r: string) => pipeline(\`sync-\${r}\`, {}, (p) => { p.task("t", { image: "x", args: [r] }); });
const eu = make("eu");
export const byRegion = { eu, us: make("us"), "ap-south": make("ap") };
export { eu };
export const groups = [[make("g1"), make("g2")], make("g3")];
export default { nested: { deep: [make("d")] }, label: "x" };
export const config = { retries: 2, regions: ["eu"] };
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message}`)).toEqual([
      `warning GANTRY1120 ${loc("main.ts", source, "byRegion =")} export "byRegion" holds pipelines inside an object (byRegion.us, byRegion["ap-south"]), which are not compiled: only an exported pipeline, or an array of them, is`,
      `warning GANTRY1120 ${loc("main.ts", source, "groups =")} export "groups" holds pipelines inside nested arrays (groups[0][0], groups[0][1]), which are not compiled: only an exported pipeline, or an array of them, is`,
      `warning GANTRY1120 ${loc("main.ts", source, "export default {")} export "default" holds pipelines inside an object (default.nested.deep[0]), which are not compiled: only an exported pipeline, or an array of them, is`,
    ]);
    expect(r.ok).toBe(true);
    expect(r.pipelines.map((p) => p.name).sort()).toEqual(["sync-eu", "sync-g3"]);
  });
});

describe("diagnostics of the front end", () => {
  /** Compiles one file `main.ts` and returns its diagnostics. */
  async function diagnose(source: string, extra: Files = {}): Promise<Diagnostic[]> {
    const r = await compileFiles({ "main.ts": source, ...extra }, ["main.ts"]);
    expect(r.ok).toBe(false);
    return r.diagnostics;
  }
  const body = (statements: string, prelude = "") =>
    `import { pipeline } from "gantry";\n${prelude}export default pipeline("diag", {}, (p) => {\n${statements}\n  p.task("t", { image: "x" });\n});\n`;

  it("GANTRY1002: a syntax error, with the parser's message", async () => {
    const source = `import { pipeline } from "gantry";\nexport default pipeline("s", {}, (p) => {\n  p.task("t", { image: "x", args: ["a" "b"] });\n});\n`;
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1002 ${loc("main.ts", source, '"b"')}`]);
    expect(ds[0]!.message).toBe("',' expected.");
  });

  it.each([
    ["a while loop", "  let i = 0;\n  while (i < 3) {}", "while"],
    ["a do loop", "  do {} while (false);", "do"],
    ["a regex literal", '  const r = /ab+c/.test("abc");', "/ab+c/"],
    ["a getter", "  const o = { get x() { return 1; } };", "get x"],
    ["a setter", "  const o = { set x(v: number) {} };", "set x"],
    ["`this` outside any function (it depends on the module system)", "  const t = (() => this)();", "this"],
    ["a labelled statement", '  outer: for (const x of [1]) { break outer; }', "outer:"],
    ["try/catch", "  try {} catch {}", "try {"],
    ["a tagged template", "  const tag = (s: TemplateStringsArray) => s[0]; const t = tag`x`;", "tag`x`"],
    ["`delete`", "  const o = { a: 1 }; const d = delete o.a;", "delete"],
    ["a dynamic import()", '  const m = import("./x");', 'import("./x")'],
    ["a bitwise operator", "  const b = 5 & 3;", "&"],
  ])("GANTRY1100: %s", async (_name, statements, needle) => {
    const source = body(statements);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1100 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it.each([
    ["declared again with a value", 'var mode = "dev";\nvar mode = "prod";\n', 'mode = "prod"'],
    ["declared again without one (JavaScript keeps the value)", 'var mode = "dev";\nvar mode: string;\n', "mode: string"],
    ["two declarators of one name", 'var mode = "dev", mode: string;\n', "mode: string"],
    ["declared in a top-level block that assigns it", 'var mode = "dev";\nif (mode === "dev") { var mode = "prod"; }\n', 'mode = "prod"'],
    ["declared in a top-level loop's head", 'var mode: any = "x";\nfor (var mode = 0; mode < 2; mode++) {}\n', "mode = 0"],
    ["declared in a top-level for...in", 'var mode = "init";\nfor (var mode in { z: 1 }) {}\n', "mode in"],
    ["declared only in a top-level switch", "switch (1) { case 1: var mode = \"b\"; }\n", 'mode = "b"'],
  ])("GANTRY1100: a module variable %s is not read as one of its declarations (review finding: it was, silently)", async (_name, prelude, needle) => {
    const source = body('  p.task("v", { image: "x", args: [String(mode)] });', prelude);
    const ds = (await diagnose(source)).filter((d) => d.severity === "error");
    expect(ds.map(where)).toEqual([`GANTRY1100 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.message).toBe('module variable "mode" is declared with `var` more than once, or inside a loop, block or switch; JavaScript makes those one variable, which is not evaluated at compile time');
  });

  it("a `var` declared once at module level is still evaluated", async () => {
    const ok = await compileFiles({ "main.ts": body('  p.task("v", { image: "x", args: [mode] });', 'var mode = "dev";\n') }, ["main.ts"]);
    expect(ok.diagnostics).toEqual([]);
    expect((ok.pipelines[0]!.ir.tasks[0]!.args as string[])[0]).toBe("dev");
  });

  it("a read in the dead zone fails as in JavaScript: a switch label reading the block's own const, a for...of or for...in walking its own loop variable (review finding: each read the outer binding)", async () => {
    for (const [statements, needle] of [
      ['  const x = 1;\n  const g = (v: number) => { switch (v) { case x: return "matched"; default: const x = 5; return "d"; } };\n  p.task("v", { image: "x", args: [g(1)] });', "x: return"],
      ['  const x = [1, 2];\n  const g = () => { const out: number[] = []; for (const x of x) out.push(x); return out; };\n  p.task("v", { image: "x", args: g().map(String) });', "x) out"],
      ['  const x = { a: 1 };\n  const g = () => { const out: string[] = []; for (const x in x) out.push(x); return out; };\n  p.task("v", { image: "x", args: g() });', "x) out"],
    ] as const) {
      const source = body(statements);
      const ds = await diagnose(source);
      expect(ds.map((d) => `${where(d)} ${d.message}`), statements).toEqual([`GANTRY1109 ${loc("main.ts", source, needle)} "x" is used before its declaration runs`]);
    }
  });

  it("GANTRY1102: Array.from of an array-like whose length is an object, whose valueOf would run twice (review finding)", async () => {
    const source = body('  const c = { n: 0 };\n  const r = Array.from({ length: { valueOf() { c.n = c.n + 1; return c.n; } } } as any);\n  p.task("v", { image: "x", args: [String(r.length)] });');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, "Array.from(")}`]);
  });

  it("GANTRY1100: `import x = require()` and namespace aliases, at the declaration and with a rewrite in the hint (was: cannot find name)", async () => {
    const lib = { "lib.ts": 'export const image = "busybox:1.36";\n' };
    const required = body('  p.task("r", { image: lib.image });', 'import lib = require("./lib");\n');
    const r = await diagnose(required, lib);
    expect(r.map(where)).toEqual([`GANTRY1100 ${loc("main.ts", required, "import lib =")}`]);
    expect(r[0]!.message).toMatch(/CommonJS/);
    expect(r[0]!.hint).toBe('Write `import * as lib from "./lib"` (or import the names you use).');
    const aliased = body('  p.task("n", { image: img });', 'namespace Images { export const base = "busybox:1.36"; }\nimport img = Images.base;\n');
    const n = await diagnose(aliased);
    expect(n.map(where)).toEqual([`GANTRY1100 ${loc("main.ts", aliased, "import img =")}`]);
    expect(n[0]!.hint).toBe("Write `const img = Images.base`.");
  });

  it("GANTRY1100: statements at module top level that change a module value (Gantry runs them to find out; one that only reads, like the empty if, is silent)", async () => {
    const source = `import { pipeline } from "gantry";
export const xs = ["a"];
xs.push("b");
if (xs.length) {}
if (xs.length) xs.pop();
export default pipeline("top", {}, (p) => { p.task("t", { image: "x", args: xs }); });
`;
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1100 ${loc("main.ts", source, "xs.push")}`, `GANTRY1100 ${loc("main.ts", source, "xs.pop()")}`]); // the use that changes it, not the first use
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("top-level statements: changing local values is an error, anything else a warning that it is not run", async () => {
    // register() is run (as the module would) and changes nothing, so it is silent; record() pushes into a module value.
    const source = `import { pipeline } from "gantry";
const config = { image: "x" };
const NAME = "n";
const seen: string[] = [];
function register() { return 1; }
function record(x: string) { if (x) seen.push(x); }
Object.assign(config, { image: "y" });
register();
record(NAME);
console.log(NAME);
process.exitCode = 1;
(Math as any).max = () => 0;
export default pipeline("top2", {}, (p) => { p.task("t", { image: config.image }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `error GANTRY1100 ${loc("main.ts", source, "config, {")}`,
      `error GANTRY1100 ${loc("main.ts", source, "record(NAME)")}`,
      `warning GANTRY1122 ${loc("main.ts", source, "console.log")}`,
      `warning GANTRY1121 ${loc("main.ts", source, "process.exitCode")}`,
      `error GANTRY1104 ${loc("main.ts", source, "(Math as any).max")}`,
    ]);
  });

  it("top-level statements that throw when the module loads are errors, a built-in's failure or a throw in a callback or IIFE included; ones that run fine stay warnings (review finding)", async () => {
    const source = `import { pipeline } from "gantry";
JSON.parse('{bad');
[1, 2].map((x) => { if (x > 1) throw new Error("two"); return x; });
(() => { throw new Error("iife"); })();
(1).toFixed(101);
[1, 2].map((x) => x * 2);
console.log("hello");
export default pipeline("top3", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `error GANTRY1109 ${loc("main.ts", source, "JSON.parse")}`,
      `error GANTRY1113 ${loc("main.ts", source, 'throw new Error("two")')}`,
      `error GANTRY1113 ${loc("main.ts", source, 'throw new Error("iife")')}`,
      `error GANTRY1109 ${loc("main.ts", source, "(1).toFixed")}`,
      `warning GANTRY1121 ${loc("main.ts", source, "[1, 2].map((x) => x * 2)")}`,
      `warning GANTRY1122 ${loc("main.ts", source, "console.log")}`,
    ]);
  });

  it("top-level statements: a module variable assigned anywhere in one (a branch, a loop, a block, a pattern) is an error naming it (from review: a wrong image, with only a warning)", async () => {
    const source = `import { pipeline } from "gantry";
const MIRROR = true;
const REGIONS = ["eu", "us"];
const out: string[] = [];
let registry = "ghcr.io/acme";
let shards = 1;
if (MIRROR) registry = "mirror.example/acme";
if (!MIRROR) registry = "never.example/acme";
while (shards < 4) shards++;
for (let i = 0; i < 3; i++) shards += i;
{ shards = 4; }
try { ({ shards } = { shards: 5 }); } catch {}
for (const r of REGIONS) out.push(r);
function bump() { shards = 6; }
bump();
for (let shards = 0; shards < 3; shards++) {}
export default pipeline("lets", {}, (p) => { p.task("t", { image: \`\${registry}/etl:\${shards}\`, args: out }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message.split(",")[0]}`)).toEqual([
      `error GANTRY1100 ${loc("main.ts", source, "registry = \"mirror")} this top-level statement assigns "registry"`,
      `error GANTRY1100 ${loc("main.ts", source, "shards++")} this top-level statement assigns "shards"`,
      `error GANTRY1100 ${loc("main.ts", source, "shards += i")} this top-level statement assigns "shards"`,
      `error GANTRY1100 ${loc("main.ts", source, "shards = 4")} this top-level statement assigns "shards"`,
      `error GANTRY1100 ${loc("main.ts", source, "shards } = { shards: 5")} this top-level statement assigns "shards"`,
      `error GANTRY1100 ${loc("main.ts", source, "out.push")} this top-level statement changes "out"`,
      `error GANTRY1100 ${loc("main.ts", source, "bump();")} this top-level statement calls "bump"`,
      // The loop's own \`shards\` shadows the module's: it changes nothing Gantry reads.
      `warning GANTRY1121 ${loc("main.ts", source, "for (let shards")} this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines`,
    ]);
  });

  it("top-level statements: an assignment in a callback run on the spot counts, one in a function run after loading (timers, process events, promises) does not (from review)", async () => {
    const source = `import { pipeline } from "gantry";
let done = false;
let shards = 1;
const handlers: (() => void)[] = [];
process.on("exit", () => { done = true; });
setTimeout(() => { shards = 2; });
Promise.resolve().then(() => { shards = 3; });
if (handlers) { handlers.push(() => { shards++; }); }
[1, 2].forEach(() => { shards++; });
export default pipeline("m", {}, (p) => { p.task("t", { image: \`busybox:\${shards}\${done}\` }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message.split(", but")[0]}`)).toEqual([
      `warning GANTRY1121 ${loc("main.ts", source, "process.on")} this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines`,
      `warning GANTRY1121 ${loc("main.ts", source, "setTimeout")} this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines`,
      `warning GANTRY1121 ${loc("main.ts", source, "Promise.resolve")} this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines`,
      // The push is the change; the callback it stores is never called here.
      `error GANTRY1100 ${loc("main.ts", source, "handlers.push")} this top-level statement changes "handlers"`,
      `error GANTRY1100 ${loc("main.ts", source, "shards++; });\nexport")} this top-level statement assigns "shards" in a function it passes to a call`,
    ]);
  });

  it("decorators that name the module's own values are GANTRY1100 wherever a class defines them; package decorators are not (from review: a registering decorator was ignored)", async () => {
    const source = `import { pipeline } from "gantry";
import { Injectable, Inject } from "some-di-package";
const registry: string[] = [];
function register(target: any, _ctx?: any) { registry.push("from-decorator"); return target; }
function track(xs: string[]) { return (t: any) => t; }
@register
class StepA {}
@Injectable()
class Service {
  constructor(@Inject("db") db: unknown, @track(registry) other: unknown) {}
  @track(registry) method() {}
}
const Anonymous = @register class {};
function later() { @register class Inner {} return 1; }
export default pipeline("registry", {}, (p) => {
  for (const r of ["base", ...registry]) p.task(\`t-\${r}\`, { image: "busybox:1.36" });
});
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message.split(" runs")[0]}`)).toEqual([
      `error GANTRY1100 ${loc("main.ts", source, "@register\nclass StepA")} decorator @register`,
      `error GANTRY1100 ${loc("main.ts", source, "@track(registry) other")} decorator @track`,
      `error GANTRY1100 ${loc("main.ts", source, "@track(registry) method")} decorator @track`,
      `error GANTRY1100 ${loc("main.ts", source, "@register class {}")} decorator @register`,
    ]);
  });

  describe("GANTRY1112: a parameter placeholder used as a static value", () => {
    const opts = '{ parameters: { env: { default: "dev" }, n: { default: 3 } } }';
    it.each([
      ["a comparison", 'p.params.env === "prod" ? "a" : "b"', 'p.params.env === "prod"'],
      ["an if", '(() => { if (p.params.env) return "a"; return "b"; })()', "p.params.env)"],
      ["a default with ||", 'p.params.env || "dev"', 'p.params.env || "dev"'],
      ["arithmetic", "String(p.params.n * 2)", "p.params.n * 2"],
      ["a number conversion", "String(Number(p.params.n))", "p.params.n))"],
      ["isNaN", "String(isNaN(p.params.n))", "p.params.n))"],
      ["URI escaping", "encodeURIComponent(p.params.env)", "p.params.env)"],
      ["a string method", "p.params.env.toUpperCase()", "p.params.env.toUpperCase"],
      ["an index", '({ dev: "a" } as Record<string, string>)[p.params.env]', "p.params.env]"],
    ])("%s", async (_name, expr, needle) => {
      const source = `import { pipeline } from "gantry";\nexport default pipeline("pp", ${opts}, (p) => {\n  p.task("t", { image: "x", args: [${expr}] });\n});\n`;
      const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
      expect(r.diagnostics.map(where)).toEqual([`GANTRY1112 ${loc("main.ts", source, needle)}`]);
      expect(r.diagnostics[0]!.message).toMatch(/only known when a run starts/);
      expect(r.diagnostics[0]!.hint).toBeTruthy();
    });

    it("embedding a parameter in strings is fine", async () => {
      const source = `import { pipeline } from "gantry";\nexport default pipeline("pp", ${opts}, (p) => {\n  p.task("t", { image: "x", args: [\`--env=\${p.params.env}\`, "--n=" + p.params.n, ["a", p.params.env].join(","), "x".concat(p.params.env)] });\n});\n`;
      const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
      expect(r.diagnostics).toEqual([]);
      expect(r.pipelines[0]!.ir.tasks[0]!.args).toEqual(["--env={{params.env}}", "--n={{params.n}}", "a,{{params.env}}", "x{{params.env}}"]);
    });
  });

  it("GANTRY1104: a helper pushing into a module-level array (output would depend on compile order)", async () => {
    const lib = `export const seen: string[] = [];\nexport const track = (n: string) => { seen.push(n); return n; };\n`;
    const source = body("  const name = track(\"one\");", 'import { track } from "./lib";\n');
    const ds = await diagnose(source, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([`GANTRY1104 ${loc("lib.ts", lib, "seen.push")}`]);
    expect(ds[0]!.message).toMatch(/fixed once made \(one declared at module level/);
  });

  it("GANTRY1104/1109: a pipeline's tasks are fixed once it is made: no pushing into them, no `p` kept past its body", async () => {
    // Another entry may already have compiled the pipeline: adding to it would depend on compile order.
    const lib = `import { pipeline } from "gantry";\nexport const shared = pipeline("shared", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const source = body('  const h = p.task("u", { image: "y" });\n  (shared.tasks as unknown as unknown[]).push({ handle: h, spec: { image: "evil" } });', 'import { shared } from "./lib";\n');
    const ds = await diagnose(source, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([`GANTRY1104 ${loc("main.ts", source, "(shared.tasks")}`]);
    expect(ds[0]!.message).toMatch(/a pipeline's tasks/);
    const late = `import { pipeline } from "gantry";\nexport const both = (() => {\n  const kept: { task: (n: string, s: { image: string }) => unknown }[] = [];\n  const c = pipeline("c", {}, (p) => { kept.push(p); p.task("v", { image: "y" }); });\n  const d = pipeline("d", {}, (p) => { p.task("w", { image: "y" }); kept[0]!.task("late", { image: "z" }); });\n  return [c, d];\n})();\n`;
    const r = await compileFiles({ "main.ts": late }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1109 ${loc("main.ts", late, 'kept[0]!.task("late"')} \`kept[0]!.task\` failed: task "late" is declared after its pipeline's body returned; declare every task inside the body`,
    ]);
  });

  it("String(fn) is GANTRY1102: its text at run time is transpiled JavaScript, never the compiler's", async () => {
    const source = `import { pipeline } from "gantry";\nconst f = (x: number) => x + 1;\nexport default pipeline("src", {}, (p) => { p.task("t", { image: "x", args: [String(f)] }); });\n`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, "(x: number) =>")}`]);
  });

  it("export { type T, x } exports x", async () => {
    const source = `import { pipeline } from "gantry";\ntype T = string;\nconst x = pipeline("typed-export", {}, (p) => { p.task("t", { image: "x" }); });\nexport { type T, x };\n`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => p.name)).toEqual(["typed-export"]);
  });

  it("a top-level statement logging a value that cannot be evaluated reports that value's error", async () => {
    const source = `import { pipeline } from "gantry";\nconst stamp = new Date().toISOString();\nconsole.log(stamp);\nexport default pipeline("log", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1105 ${loc("main.ts", source, "new Date()")}`]);
  });

  it("GANTRY1101: an unknown name", async () => {
    const source = body("  const image = IMAGE_NAME;");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1101 ${loc("main.ts", source, "IMAGE_NAME")}`]);
    expect(ds[0]!.message).toBe('cannot find name "IMAGE_NAME"');
    expect(ds[0]!.hint).toBeTruthy();
  });

  it.each([
    ["console as a value", "  const log = console.log;", "console"],
    ["calling a string", '  const s = "x" as unknown as () => string;\n  const v = s();', "s()"],
    ["calling a missing method", "  const xs = [3, 1];\n  const v = (xs as any).sortt();", "(xs as any).sortt"],
    ["an array method outside the allowed set", "  const xs = [3, 1];\n  const v = xs.copyWithin(0, 1);", "xs.copyWithin"],
    ["an Object member outside the allowed set", "  const o = Object.getOwnPropertyNames({ a: 1 });", "Object.getOwnPropertyNames"],
  ])("GANTRY1102: %s", async (_name, statements, needle) => {
    const source = body(statements);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it.each([
    ["hasOwnProperty", "  const o = { a: 1 };\n  const h = o.hasOwnProperty(\"a\");", "o.hasOwnProperty", /Object\.hasOwn\(obj, key\)/],
    ["a boolean's toString", "  const flag = true;\n  const s = flag.toString();", "flag.toString", /String\(flag\)/],
  ])("GANTRY1102: %s, with what works instead as the hint (from dogfooding)", async (_name, statements, needle, hint) => {
    const source = body(statements);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.hint).toMatch(hint);
  });

  it.each([
    ["structuredClone", "  const o = structuredClone({ a: 1 });", "structuredClone", /spreads/],
    ["a Map used as a value", "  const M = Map;", "Map", /plain objects/],
    ["Symbol", '  const k = Symbol("k");', "Symbol", /string keys/],
    ["BigInt", "  const n = BigInt(1);", "BigInt", /numbers/],
    ["RegExp", '  const r = RegExp("a+");', "RegExp", /replaceAll/],
    ["Intl", "  const f = Intl.NumberFormat;", "Intl", /locale/],
    ["URL", '  const u = URL.canParse("x");', "URL", /encodeURIComponent/],
    ["btoa", '  const b = btoa("x");', "btoa", /string constant/],
  ])("GANTRY1102: %s is a built-in Gantry does not evaluate (not an unknown name), with what to write instead", async (name, statements, needle, hint) => {
    const source = body(statements);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.message).toBe(`\`${needle}\` is a JavaScript built-in Gantry does not evaluate at compile time`);
    expect(ds[0]!.hint).toMatch(hint);
    void name;
  });

  it("GANTRY1103: a package other than gantry, used in a task", async () => {
    const source = body('  p.task("u", { image: _.trim(" x ") });', 'import _ from "lodash";\n');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1103 ${loc("main.ts", source, '"lodash"')}`]);
    expect(ds[0]!.message).toBe('cannot import "lodash" at compile time');
    expect(ds[0]!.hint).toBeTruthy();
  });

  it.each([
    ["an assignment", "  let n = 1;\n  n = 2;", "n = 2"],
    ["a compound assignment", "  let n = 1;\n  n += 2;", "n += 2"],
    ["i++", "  let i = 0;\n  i++;", "i++"],
    ["--i", "  let i = 0;\n  --i;", "--i"],
    ["a property assignment to a module-level object", "  O.a = 2;", "O.a"],
    ["a property increment on a module-level object", "  O.a++;", "O.a"],
  ])("GANTRY1104: %s", async (_name, statements, needle) => {
    const source = body(statements, "const O = { a: 1 };\n");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1104 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY1104: a top-level let reassigned at top level", async () => {
    const source = `import { pipeline } from "gantry";\nlet tag = "v1";\ntag = "v2";\nexport default pipeline("l", {}, (p) => { p.task("t", { image: \`app:\${tag}\` }); });\n`;
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1104 ${loc("main.ts", source, 'tag = "v2"')}`]);
  });

  it("GANTRY1104: a declaration nothing reads that changes a module-level array (it used to be skipped silently)", async () => {
    // Run, `names` is ["a", "b"] and `REGIONS` ["eu", "us"] by the time the pipeline reads them;
    // Gantry read ["a"] and ["eu"] and compiled that, without a word. Found from the syntax alone.
    const main = `import { pipeline } from "gantry";
import { REGIONS } from "./regions";
const names = ["a"];
const added = names.push("b");
const copy = [...names].sort();
const shadowed = [["x"]].map((names) => names.push("y"));
export default pipeline("unread", {}, (p) => {
  for (const n of [...names, ...REGIONS]) p.task(\`t-\${n}\`, { image: "x" });
});
`;
    const regions = `export const REGIONS = ["eu"];\nconst extra = ["us"].forEach((r) => REGIONS.push(r));\nexport const DEFAULTS = { cpu: "1" };\nconst patched = Object.assign(DEFAULTS, { cpu: "2" });\nconst fresh = Object.assign({}, DEFAULTS, { cpu: "3" });\nconst bumped = [1].map(() => DEFAULTS.cpu += "!");\nconst local = (() => { const o = { n: 0 }; o.n++; return o; })();\n`;
    const r = await compileFiles({ "main.ts": main, "regions.ts": regions });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", main, 'names.push("b")')}`,
      `GANTRY1104 ${loc("regions.ts", regions, "REGIONS.push")}`,
      `GANTRY1104 ${loc("regions.ts", regions, "Object.assign(DEFAULTS")}`,
      `GANTRY1104 ${loc("regions.ts", regions, "DEFAULTS.cpu +=")}`,
    ]);
    expect(r.diagnostics[0]!.message).toMatch(/^names\.push changes a module-level array when the module runs/);
    expect(r.diagnostics[2]!.message).toMatch(/^Object\.assign changes a module-level value when the module runs/);
  });

  it("GANTRY1104 for an unread declaration only where a run changes the value: a change in a branch the run does not take is silent, one it takes is reported", async () => {
    const main = (extra: boolean) => `import { pipeline } from "gantry";
const EXTRA = ${extra};
export const LIST: string[] = ["a"];
const viaConditional = EXTRA ? LIST.push("b") : 0;
const viaAnd = EXTRA && LIST.push("c");
const viaIf = (() => { if (EXTRA) LIST.push("d"); return 1; })();
const viaCallback = [1].filter(() => EXTRA).forEach(() => LIST.push("e"));
enum ViaEnum { A = EXTRA ? LIST.push("f") : 0 }
export default pipeline("branches", {}, (p) => { p.task("t", { image: "x", args: LIST }); });
`;
    // The syntax sees a push in each; a run with EXTRA false takes none, and LIST stays ["a"].
    const quiet = await compileFiles({ "main.ts": main(false) }, ["main.ts"]);
    expect(quiet.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
    expect(quiet.pipelines[0]!.ir.tasks[0]!.args).toEqual(["a"]);
    expect((await executedArgs(path.join(quiet.cwd, "main.ts"))).t).toEqual(["a"]);
    // With EXTRA true a run pushes in every one, and each is reported where it pushes.
    const source = main(true);
    const changed = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(changed.diagnostics.map(where)).toEqual([1, 2, 3, 4, 5].map((nth) => `GANTRY1104 ${loc("main.ts", source, "LIST.push", nth)}`));
    expect((await executedArgs(path.join(changed.cwd, "main.ts"))).t).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("GANTRY1113: a thrown value that cannot be shown still fails where it is thrown, and ends its function", async () => {
    const source = body("  const v = cyclic();", "function cyclic(): string {\n  const a: unknown[] = [];\n  a.push(a);\n  throw a;\n  const u: any = undefined;\n  return u.k;\n}\n");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1113 ${loc("main.ts", source, "a;\n  const u")}`]);
    expect(ds[0]!.message).toBe("the code throws here when the module runs (a value that cannot be shown)");
  });

  it("top-level checks that throw are decided statically: a reached throw is GANTRY1113, a passing check is silent", async () => {
    const passing = `import { pipeline } from "gantry";\nconst REGIONS = ["eu"];\nif (!REGIONS.length) throw new Error("no regions");\nif (REGIONS.includes("mars")) { throw new Error("unknown region"); }\nexport default pipeline("checks", {}, (p) => { p.task("t", { image: "x", args: REGIONS }); });\n`;
    const ok = await compileFiles({ "main.ts": passing }, ["main.ts"]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks[0]!.args).toEqual(["eu"]);
    const failing = passing.replace('const REGIONS = ["eu"]', "const REGIONS: string[] = []") + 'throw new Error("always");\nif (process.env.CI) throw new Error("env");\n';
    const ds = await diagnose(failing);
    // The run-time condition has no static value: the statement is only not run (warning), as before.
    expect(ds.map(where)).toEqual([
      `GANTRY1113 ${loc("main.ts", failing, 'throw new Error("no regions")')}`,
      `GANTRY1113 ${loc("main.ts", failing, 'throw new Error("always")')}`,
      `GANTRY1121 ${loc("main.ts", failing, "if (process.env.CI)")}`,
    ]);
    expect(ds[0]!.message).toBe("the code throws here when the module runs: Error: no regions");
  });

  it("validation calls a run makes when the module loads are run: at top level or in a declaration nothing reads, a check that fails is GANTRY1113, one that passes is silent (from dogfooding)", async () => {
    const lib = `export function assertUnique(xs: readonly string[]) {\n  const dup = xs.find((x, i) => xs.indexOf(x) !== i);\n  if (dup !== undefined) throw new Error(\`duplicate: \${dup}\`);\n  return xs;\n}\n`;
    const main = (tables: string) => `import { pipeline } from "gantry";
import { assertUnique } from "./lib";
const TABLES = ${tables};
const CFG = { retries: 2 };
assertUnique(TABLES);
Object.freeze(CFG);
const _checked = assertUnique([...TABLES, "extra"]);
export default pipeline("checked", {}, (p) => { p.task("load", { image: "x", args: TABLES, retry: { limit: CFG.retries } }); });
`;
    const ok = await compileFiles({ "main.ts": main('["a", "b"]'), "lib.ts": lib }, ["main.ts"]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks[0]!.args).toEqual(["a", "b"]);
    const dup = main('["a", "b", "a"]');
    const bad = await compileFiles({ "main.ts": dup, "lib.ts": lib }, ["main.ts"]);
    // Both the statement and the unread declaration throw when the module loads: one error each, at the throw, once.
    expect(bad.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1113 ${loc("lib.ts", lib, "throw new Error")} the code throws here when the module runs: Error: duplicate: a`]);
    const extraDup = await compileFiles({ "main.ts": main('["a", "extra"]'), "lib.ts": lib }, ["main.ts"]);
    expect(extraDup.diagnostics.map((d) => d.message)).toEqual(["the code throws here when the module runs: Error: duplicate: extra"]);
  });

  it("declarations nothing reads are run to see what a run changes: values handed inside others, rest parameters, callbacks, a condition that holds; a later declaration read too early is GANTRY1109; what Gantry cannot evaluate there stays silent", async () => {
    const source = `import { pipeline } from "gantry";
const names = ["a"];
const addTo = (o: { list: string[] }, x: string) => o.list.push(x);
const addAll = (...lists: string[][]) => { for (const l of lists) l.push("r"); return 0; };
const apply = (xs: string[], f: (xs: string[]) => unknown) => f(xs);
const maybe = (x: string, track: boolean) => { if (track) names.push(x); return x; };
const a = addTo({ list: names }, "b");
const b = addAll([], names);
const c = apply(names, (xs) => xs.push("c"));
const d = maybe("d", true);
const quiet = maybe("q", false);
const early = LATER + 1;
const LATER = 1;
const home = process.env.HOME;
const slug = "A b".replace(/ /g, "-");
export default pipeline("unread", {}, (p) => { p.task("t", { image: "x", args: names }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    const changed = (needle: string, change: string) => `GANTRY1104 ${loc("main.ts", source, needle)} this declaration changes a value fixed once made when the module runs (\`${change}\` in main.ts:${loc("main.ts", source, change).split(":")[1]})`;
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message.replace(/, but nothing reads it.*/, "")}`)).toEqual([
      changed('addTo({ list', "o.list.push"),
      changed("addAll([], names)", "l.push"),
      changed("apply(names", "xs.push"),
      changed('maybe("d", true)', "names.push"),
      `GANTRY1109 ${loc("main.ts", source, "LATER + 1")} "LATER" is used before its declaration runs`,
    ]);
  });

  it("what running an unread declaration computes is never kept: a pipeline it made is compiled afresh by the entry that exports it, as when compiled alone", async () => {
    const lib = `import { pipeline } from "gantry";\nexport const IMAGE = "busybox:1.36";\nexport const extra = pipeline("extra", {}, (p) => { p.task("t", { image: IMAGE, args: ["x"] }); });\n`;
    const a = `import { pipeline } from "gantry";\nimport { IMAGE } from "./lib";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: IMAGE }); });\n`;
    const b = `export { extra as default } from "./lib";\n`;
    const both = await compileFiles({ "lib.ts": lib, "a.ts": a, "b.ts": b }, ["a.ts", "b.ts"]);
    const alone = await compileFiles({ "lib.ts": lib, "b.ts": b }, ["b.ts"]);
    expect(both.diagnostics).toEqual([]);
    expect(both.pipelines.map((p) => p.name)).toEqual(["a", "extra"]);
    const extra = both.pipelines.find((p) => p.name === "extra")!;
    expect(extra.ir).toEqual(alone.pipelines[0]!.ir);
    expect(extra.yaml).toBe(alone.pipelines[0]!.yaml);
  });

  it("speculation leaves one copy of every module value: a module first loaded while a top-level statement is run has its checks after, so what an entry compiles does not depend on the others (from a review)", async () => {
    const files = {
      "K.ts": `export const Y = { name: "y" };\n`,
      "N.ts": `import { Y } from "./K";\nexport const W = { ref: Y };\nObject.freeze(W);\nexport function validate(x: unknown) { return x !== undefined; }\n`,
      "M.ts": `import { Y } from "./K";\nimport { validate } from "./N";\nfunction check() { const y = Y; validate(y); }\ncheck();\nexport const V = 1;\n`,
      "E.ts": `import { pipeline } from "gantry";\nimport { V } from "./M";\nimport { Y } from "./K";\nimport { W } from "./N";\nconst v = V;\nexport default pipeline("e", {}, (p) => { p.task(\`t\${v}-same-\${Y === W.ref}\`, { image: "busybox" }); });\n`,
      "A.ts": `import { pipeline } from "gantry";\nimport { W } from "./N";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "busybox", args: [W.ref.name] }); });\n`,
    };
    const alone = await compileFiles(files, ["E.ts"]);
    const both = await compileFiles(files, ["A.ts", "E.ts"]);
    expect(alone.diagnostics).toEqual([]);
    expect(alone.pipelines[0]!.ir.tasks.map((t) => t.name)).toEqual(["t1-same-true"]); // as Node runs it
    expect(both.pipelines.find((p) => p.name === "e")!.yaml).toBe(alone.pipelines[0]!.yaml);
  });

  it("speculation: a pipeline it made is made again, with its failure reported, when read; nested modules' own errors stay theirs (from a review)", async () => {
    const failing = {
      "K.ts": `import { pipeline } from "gantry";\nexport const Y = pipeline("y", {}, (p) => {\n  p.task("b", { image: process.env.IMG ?? "busybox" });\n});\n`,
      "N.ts": `import { Y } from "./K";\nexport const W = [Y];\nexport function validate(x: unknown) { return x !== undefined; }\n`,
      "M.ts": `import { Y } from "./K";\nimport { validate } from "./N";\nfunction check() { validate(Y); }\ncheck();\nexport const V = 1;\n`,
      "E.ts": `import { V } from "./M";\nimport { W } from "./N";\nconst v = V;\nexport const all = v ? W : [];\n`,
    };
    const r = await compileFiles(failing, ["E.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1105 ${loc("K.ts", failing["K.ts"], "process")}`, `GANTRY1100 ${loc("M.ts", failing["M.ts"], "check();")}`]);
    const nested = {
      "util.ts": `export const LIST = ["a"];\nLIST.push("b");\nexport function verify(xs: readonly string[]) { return xs.length > 0; }\n`,
      "lib.ts": `import { verify } from "./util";\nexport const T = ["x", "y"];\nfunction check() { verify(T); }\ncheck();\nexport const V = 1;\n`,
      "a.ts": `import { pipeline } from "gantry";\nimport { V } from "./lib";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "x", args: [String(V)] }); });\n`,
      "b.ts": `import { pipeline } from "gantry";\nimport { LIST } from "./util";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "x", args: LIST }); });\n`,
    };
    const utilOnly = [`GANTRY1100 ${loc("util.ts", nested["util.ts"], "LIST.push")}`];
    expect((await compileFiles(nested, ["a.ts"])).diagnostics.map(where)).toEqual(utilOnly);
    expect((await compileFiles(nested, ["b.ts"])).diagnostics.map(where)).toEqual(utilOnly);
  });

  it("unread declarations a run loads fine stay silent: a var or an enum read early (a run reads undefined), Gantry's own refusals; one change is reported once, not by each declaration reading it (from a review)", async () => {
    const source = `import { pipeline } from "gantry";
const fallback = region ?? "eu-west-1";
var region = "us-east-1";
const kind = typeof Tier;
enum Tier { Gold }
const fn = () => 1;
const spread = { ...fn };
const LIST = ["a"];
const added = LIST.push("b");
const n = added + 1;
const m = n * 2;
const TABLE = Array.from({ length: 20000 }, (_, i) => i);
${Array.from({ length: 60 }, (_, i) => `const c${i} = TABLE.length + ${i};`).join("\n")}
export default pipeline("quiet", {}, (p) => { p.task("t", { image: "x" }); });
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1104 ${loc("main.ts", source, "LIST.push")}`]);
  });

  it("what an entry compiles does not depend on another entry compiled with it, whatever speculation computed for that one: values referring into others, destructuring, budgets, call depth (from a second review)", async () => {
    const cases: { name: string; files: Record<string, string>; entry: string; expect: string[] | RegExp }[] = [
      {
        name: "a value that refers into a large or closure-held one",
        files: {
          "lib.ts": `export const ROWS = Array.from({ length: 12000 }, (_, i) => ({ id: i }));\nexport const FIRST = ROWS[0];\nexport const K = "k";\nconst reg = (() => { const s = { n: 1 }; return { get: () => s }; })();\nexport const STORE = reg.get();\nexport const current = () => reg.get();\n`,
          "x.ts": `import { pipeline } from "gantry";\nimport { ROWS, FIRST, STORE, current } from "./lib";\nexport default pipeline("x", {}, (p) => { p.task(ROWS.includes(FIRST) && STORE === current() ? "found" : "missing", { image: "x" }); });\n`,
        },
        entry: "x.ts",
        expect: ["found"],
      },
      {
        name: "a destructuring whose second name fails",
        files: {
          "lib.ts": `const CFG: { a: string; b?: string } = { a: "1" };\nexport const { a, b = process.env.B ?? "x" } = CFG;\nexport const K = "k";\n`,
          "x.ts": `import { pipeline } from "gantry";\nimport { b } from "./lib";\nexport default pipeline("x", {}, (p) => { p.task("t", { image: b }); });\n`,
        },
        entry: "x.ts",
        expect: /GANTRY1105 lib.ts:2:23/,
      },
      {
        name: "a work budget spent on a value another entry's check made",
        files: {
          "lib.ts": `export const COUNT = Array.from({ length: 600000 }, () => 1).map((x) => x).length;\nexport const K = "k";\n`,
          "x.ts": `import { pipeline } from "gantry";\nimport { COUNT } from "./lib";\nconst more = Array.from({ length: 500000 }, () => 1).map((x) => x).length;\nexport default pipeline("x", {}, (p) => { p.task(\`t-\${COUNT + more}\`, { image: "x" }); });\n`,
        },
        entry: "x.ts",
        expect: /GANTRY1108/,
      },
      {
        name: "a module's check first run deep inside another entry's recursion",
        files: {
          "lib.ts": `export const TABLES = ["a"];\nfunction check(xs: readonly string[], n = 30): number { return n === 0 ? xs.length : check(xs, n - 1); }\ncheck(TABLES);\nexport const K = "k";\n`,
          "x.ts": `import { pipeline } from "gantry";\nimport { TABLES } from "./lib";\nconst deep = (n: number): number => (n === 0 ? TABLES.length : deep(n - 1));\nexport default pipeline("x", {}, (p) => { p.task(\`t-\${deep(180)}\`, { image: "x" }); });\n`,
        },
        entry: "x.ts",
        expect: ["t-1"],
      },
    ];
    for (const c of cases) {
      const other = { "a.ts": `import { pipeline } from "gantry";\nimport { K } from "./lib";\nexport default pipeline("a", {}, (p) => { p.task("t", { image: K }); });\n` };
      const alone = await compileFiles(c.files, [c.entry]);
      const both = await compileFiles({ ...c.files, ...other }, ["a.ts", c.entry]);
      const summary = (r: typeof alone) => ({
        diagnostics: r.diagnostics.filter((d) => d.span?.file !== "a.ts").map((d) => `${where(d)} ${d.message}`),
        yaml: r.pipelines.find((p) => p.name === "x")?.yaml,
      });
      expect(summary(both), c.name).toEqual(summary(alone));
      if (Array.isArray(c.expect)) expect(alone.pipelines[0]!.ir.tasks.map((t) => t.name), c.name).toEqual(c.expect);
      else expect(alone.diagnostics.map((d) => `${where(d)} ${d.message}`).join("\n"), c.name).toMatch(c.expect);
    }
  });

  it("declarators of one statement run in order, a top-level statement reads in its place, one change is reported once, and a pipeline helper that fails is not poisoned by the not-exported check (from a second review)", async () => {
    const source = `import { pipeline } from "gantry";
const IMAGE = "busybox", TAG = "1.36", REF = \`\${IMAGE}:\${TAG}\`;
console.log(\`building \${NAME}\`);
const NAME = "x";
const LIST = ["a"];
const add = (x: string) => LIST.push(x);
const a = add("b");
const b = a + 1;
export default pipeline("order", {}, (p) => { p.task("t", { image: IMAGE }); });
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "NAME}")}`, `GANTRY1104 ${loc("main.ts", source, 'add("b")')}`]);
    const files = {
      "a.ts": `import { pipeline } from "gantry";\nconst build = ((img: string) => (n: string) => pipeline(n, {}, (p) => { p.task("t", { image: img }); }))(process.env.IMG ?? "busybox");\nconst unused = build("u");\nexport function getBuild() { return build; }\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "x" }); });\n`,
      "b.ts": `import { getBuild } from "./a";\nexport default getBuild()("b");\n`,
      "0.ts": `import a from "./a";\nexport default a;\n`,
    };
    const all = await compileFiles(files, ["0.ts", "a.ts", "b.ts"]);
    expect(all.diagnostics.map(where)).toContain(`GANTRY1105 ${loc("a.ts", files["a.ts"], "process")}`);
  });

  it("unread declarations: only code a run executes counts, and only the module's own names", async () => {
    const source = body(
      "  const v = names.length;",
      `const names = ["a", "b"];
const cfg = { n: 1 };
const f = (names: string[]) => names.push("x");
const g = ({ names }: { names: string[] }) => names.sort();
const h = () => { try { return 1; } catch (names) { return (names as any).pop(); } };
const k = () => { for (const names of [[1]]) names.push(2); return 0; };
const add = (x: string) => names.push(x);
const o = { m() { return names.push("m"); } };
const viaIndex = names["push"]("i");
const viaSatisfies = (names satisfies string[]).reverse();
const viaIife = (() => names.splice(0, 1))();
const viaAssignment = (cfg.n = 5);
const viaElementAccess = Object["assign"](cfg, { m: 1 });
class Unread { static { cfg.n = 6; } static field = names.push("f"); method() { cfg.n = 7; } }
enum UnreadEnum { A = (cfg.n = 8) }
`,
    );
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, 'names["push"]')}`,
      `GANTRY1104 ${loc("main.ts", source, "(names satisfies string[]).reverse")}`,
      `GANTRY1104 ${loc("main.ts", source, "names.splice")}`,
      `GANTRY1104 ${loc("main.ts", source, "cfg.n = 5")}`,
      `GANTRY1104 ${loc("main.ts", source, 'Object["assign"]')}`,
      `GANTRY1104 ${loc("main.ts", source, "cfg.n = 6")}`,
      `GANTRY1104 ${loc("main.ts", source, "cfg.n = 8")}`,
    ]);
    expect(ds[3]!.message).toMatch(/^cfg\.n = 5 changes a module-level value when the module runs/);
  });

  it("GANTRY1104: an unread declaration calling a helper that changes a module-level value (a registry), found through imports without loading them", async () => {
    // A run registers "extract" and "load" (and lib's names); Gantry, never running the
    // declarations, used to compile a pipeline without those tasks, silently.
    const lib = `export const registered: string[] = [];
export function register(name: string) { registered.push(name); return name; }
export const registry = { add(n: string) { registered.push(n); return n; }, pure: (n: string) => n.toUpperCase() };
export default function addAll(...xs: string[]) { for (const x of xs) registered.push(x); return xs.length; }
const local = (n: string) => { const mine: string[] = []; mine.push(n); return mine; };
export { local as ownLocals };
export const store = { items: [] as string[], add(x: string) { this.items.push(x); return x; }, push(x: string) { return [x]; } };
export const api = { register, renamed: register };
export function maybe(x: string, track = false) { if (track) registered.push(x); return x; }
export const Klass = class { inst = registered.push("never at load"); };
`;
    const reexports = `export { register as reg2 } from "./lib";\n`;
    const main = `import { pipeline } from "gantry";
import addAll, { register, registry, ownLocals, store, api, maybe } from "./lib";
import * as lib from "./lib";
declare const ambient: string[];
import { reg2 } from "./re";
const tasks: string[] = [];
const add = (t: string) => { tasks.push(t); return t; };
const a = add("extract");
const b = register("x");
const c = registry.add("y");
const d = addAll("q");
const e = reg2("r");
const f = registry.pure("z");
const g = ownLocals("w");
const h = ((n: string) => add(n))("nested");
const i = store.add("s");
const j = lib.register("n");
const k = api.register("sh");
const l = api["renamed"]("el");
const m = ["cb"].map(register);
const n = maybe("quiet");
const o = store.push("own push method");
const q = (globalThis as any).ambient ? ambient.push("h") : 0;
export default pipeline("reg", {}, (p) => { for (const t of [...tasks, "t"]) p.task(t, { image: "x" }); });
`;
    const other = `import { pipeline } from "gantry";\nimport { registered } from "./lib";\nexport default pipeline("other", {}, (p) => { p.task("t", { image: "x", args: registered }); });\n`;
    const alone = await compileFiles({ "main.ts": main, "lib.ts": lib, "re.ts": reexports }, ["main.ts"]);
    expect(alone.diagnostics.map((d) => `${where(d)} ${d.message.replace(/ when the module runs.*/, "")}`)).toEqual([
      `GANTRY1104 ${loc("main.ts", main, 'add("extract")')} add(...) changes a module-level array (tasks.push in main.ts:7)`,
      `GANTRY1104 ${loc("main.ts", main, 'register("x")')} register(...) changes a module-level array (registered.push in lib.ts:2)`,
      `GANTRY1104 ${loc("main.ts", main, "registry.add")} registry.add(...) changes a module-level array (registered.push in lib.ts:3)`,
      // In a loop, so not seen in the syntax; found by running the declaration as the module would.
      `GANTRY1104 ${loc("main.ts", main, 'addAll("q")')} this declaration changes a value fixed once made`,
      `GANTRY1104 ${loc("main.ts", main, 'reg2("r")')} reg2(...) changes a module-level array (registered.push in lib.ts:2)`,
      `GANTRY1104 ${loc("main.ts", main, 'add(n))("nested")')} add(...) changes a module-level array (tasks.push in main.ts:7)`,
      `GANTRY1104 ${loc("main.ts", main, 'store.add("s")')} store.add(...) changes a module-level array (this.items.push in lib.ts:7)`,
      `GANTRY1104 ${loc("main.ts", main, 'lib.register("n")')} lib.register(...) changes a module-level array (registered.push in lib.ts:2)`,
      `GANTRY1104 ${loc("main.ts", main, 'api.register("sh")')} api.register(...) changes a module-level array (registered.push in lib.ts:2)`,
      `GANTRY1104 ${loc("main.ts", main, 'api["renamed"]')} api["renamed"](...) changes a module-level array (registered.push in lib.ts:2)`,
      `GANTRY1104 ${loc("main.ts", main, '["cb"].map')} ["cb"].map(...) changes a module-level array (registered.push in lib.ts:2)`,
    ]);
    // The same whether or not another entry loads lib.ts: what the declarations compute is never kept.
    const together = await compileFiles({ "main.ts": main, "lib.ts": lib, "re.ts": reexports, "other.ts": other }, ["other.ts", "main.ts"]);
    expect(together.diagnostics.map(where)).toEqual(alone.diagnostics.map(where));
  });

  it("GANTRY1104: an unread declaration handing a module-level value to a helper that changes it, or calling Object.assign by another name", async () => {
    // Run, \`names\` gains "b", "c", "d" and CFG gains a, z, y, x before the pipeline reads them;
    // Gantry, never running the declarations, used to compile without them, silently.
    const lib = `export function put(o: Record<string, string>, k: string, v: string) { o[k] = v; return o; }\n`;
    const main = `import { pipeline } from "gantry";
import { put } from "./lib";
const names: string[] = ["a"];
const CFG: Record<string, string> & { list: string[] } = { list: [] };
function addTo(list: string[], x: string) { list.push(x); return list.length; }
function addVia(xs: string[], x: string) { return addTo(xs, x); }
const { assign } = Object;
const { assign: merge } = Object;
const assign2 = Object.assign;
const added = addTo(names, "b");
const via = addVia(names, "c");
const intoPart = addTo(CFG.list, "d");
const across = put(CFG, "a", "1");
const aliased = assign(CFG, { z: "1" });
const renamed = merge(CFG, { y: "1" });
const copied = assign2(CFG, { x: "1" });
function count(list: string[]) { return list.length; }
function maybeAdd(list: string[], x: string, track: boolean) { if (track) list.push(x); return x; }
function shadow(list: string[]) { { const list: string[] = []; list.push("s"); } return 0; }
function fresh(list: string[]) { list = [...list]; list.push("f"); return list; }
const ownAssign = (a: object, b: object) => ({ ...a, ...b });
const n1 = count(names);
const n2 = addTo([...names], "e");
const n3 = maybeAdd(names, "g", false);
const n4 = shadow(names);
const n5 = fresh(names);
const n6 = assign({}, CFG);
const n7 = ownAssign(CFG, { w: "1" });
const n8 = addTo(["local"], names[0]!);
function fill(this: void, out: string[], from: string[]) { out.push(...from); return out; }
function addThis(this: void, out: string[], x: string) { out.push(x); return 1; }
function tail(a: string, list: string[]) { list.push(a); return 0; }
function swapped(list: string[]) { [list] = [[...list]]; list.push("b"); return list; }
function picked(list: string[]) { ({ list } = { list: [...list] }); list.push("b"); return list; }
function looped(list: string[]) { for (list of [[...list]]) list.push("b"); return list; }
function shadowedCopy(list: string[], x: string) { const fresh = (list: string[]) => { list = [...list]; return list; }; list.push(x); return fresh(list).length; }
const n9 = fill([], names);
const n10 = tail(...(["a", []] as [string, string[]]), names);
const n11 = swapped(names);
const n12 = picked(names);
const n13 = looped(names);
const viaThisParam = addThis(names, "t");
const viaShadowedCopy = shadowedCopy(names, "s");
export default pipeline("handed", {}, (p) => { for (const n of names) p.task(\`t-\${n}\`, { image: "x", env: { KEYS: Object.keys(CFG).join(), LIST: CFG.list.join() } }); });
`;
    const r = await compileFiles({ "main.ts": main, "lib.ts": lib }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message.replace(/ when the module runs.*/, "")}`)).toEqual([
      `GANTRY1104 ${loc("main.ts", main, 'addTo(names, "b")')} addTo(...) changes a module-level array (list.push in main.ts:5)`,
      `GANTRY1104 ${loc("main.ts", main, 'addVia(names, "c")')} addVia(...) changes a module-level array (list.push in main.ts:5)`,
      `GANTRY1104 ${loc("main.ts", main, 'addTo(CFG.list, "d")')} addTo(...) changes a module-level array (list.push in main.ts:5)`,
      `GANTRY1104 ${loc("main.ts", main, 'put(CFG, "a", "1")')} put(...) changes a module-level value (o[k] = v in lib.ts:1)`,
      `GANTRY1104 ${loc("main.ts", main, 'assign(CFG, { z')} assign changes a module-level value`,
      `GANTRY1104 ${loc("main.ts", main, "merge(CFG")} merge changes a module-level value`,
      `GANTRY1104 ${loc("main.ts", main, "assign2(CFG")} assign2 changes a module-level value`,
      `GANTRY1104 ${loc("main.ts", main, 'addThis(names, "t")')} addThis(...) changes a module-level array (out.push in main.ts:31)`,
      `GANTRY1104 ${loc("main.ts", main, 'shadowedCopy(names, "s")')} shadowedCopy(...) changes a module-level array (list.push in main.ts:36)`,
    ]);
    // Without the declarations that change them, the compile is what a run gives: the others change nothing.
    const kept = main.split("\n").filter((line) => !/^const (added|via|intoPart|across|aliased|renamed|copied|viaThisParam|viaShadowedCopy) /.test(line)).join("\n");
    const dir = tempProject({ "main.ts": kept, "lib.ts": lib });
    const ok = await compile({ cwd: dir, paths: ["main.ts"], target: "argo", kind: "auto" });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks.map((t) => [t.name, t.env])).toEqual([["t-a", [{ name: "KEYS", value: "list" }, { name: "LIST", value: "" }]]]);
  });

  it("GANTRY1104: a changing helper reached through export * (nested), not through a default or a name the star's module only declares", async () => {
    const impl = `export const registered: string[] = [];\nexport function register(n: string) { registered.push(n); return n; }\nexport default function addDefault(n: string) { registered.push(n); return n; }\n`;
    const mid = `export * from "./impl";\n`;
    const index = `export * from "./mid";\nexport { default as viaDefault } from "./impl";\n`;
    const main = `import { pipeline } from "gantry";
import { register, registered } from "./index";
const a = register("x");
export default pipeline("star", {}, (p) => { for (const n of ["t", ...registered]) p.task(n, { image: "x" }); });
`;
    const r = await compileFiles({ "main.ts": main, "index.ts": index, "mid.ts": mid, "impl.ts": impl }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message.replace(/ when the module runs.*/, "")}`)).toEqual([
      `GANTRY1104 ${loc("main.ts", main, 'register("x")')} register(...) changes a module-level array (registered.push in impl.ts:2)`,
    ]);
    // A star never re-exports `default`, and a name the target declares without exporting is not its export.
    const quiet = `export * from "./helpers";\n`;
    const helpers = `export const registered: string[] = [];\nfunction hidden(n: string) { registered.push(n); return n; }\nexport const shown = (n: string) => hidden(n).toUpperCase();\n`;
    const main2 = `import { pipeline } from "gantry";\nimport { registered } from "./quiet";\nimport * as q from "./quiet";\nconst b = (q as any).hidden?.("y");\nexport default pipeline("star2", {}, (p) => { p.task("t", { image: "x", args: registered }); });\n`;
    const r2 = await compileFiles({ "main.ts": main2, "quiet.ts": quiet, "helpers.ts": helpers }, ["main.ts"]);
    expect(r2.diagnostics).toEqual([]);
  });

  it("declarations nothing reads are run as loading the module would, their results never kept: run-time values stay silent, a change to a registry another entry reads is GANTRY1104", async () => {
    // A shared module with run-time code and a registry in a closure; entries import only what they use.
    const lib = `export const regions = ["eu", "us"];
function buildInfo() { return { at: new Date().toISOString() }; }
export const info = buildInfo();
export const sorted = [...regions].sort((a, b) => a.localeCompare(b));
function makeRegistry() { const items: string[] = []; return { add: (x: string) => { items.push(x); return items.length; }, all: () => items.slice() }; }
export const reg = makeRegistry();
`;
    const a = `import { pipeline } from "gantry";\nimport { reg } from "./lib";\nconst registered = reg.add("from-a");\nexport default pipeline("a", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const b = `import { pipeline } from "gantry";\nimport { reg, regions } from "./lib";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "x", args: [...regions, ...reg.all()] }); });\n`;
    const both = await compileFiles({ "lib.ts": lib, "a.ts": a, "b.ts": b }, ["a.ts", "b.ts"]);
    // A run of a changes the registry b reads (a closure's array); Gantry holds it fixed, so says so.
    expect(both.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1104 ${loc("a.ts", a, 'reg.add("from-a")')} this declaration changes a value fixed once made when the module runs (\`items.push\` in lib.ts:5), but nothing reads it (so Gantry never keeps what it computes, and reads the value unchanged)`,
    ]);
    const alone = await compileFiles({ "lib.ts": lib, "b.ts": b }, ["b.ts"]);
    expect(alone.diagnostics).toEqual([]);
    // As a run of b gives, whether or not a was compiled too: what a's declaration computed was not kept.
    expect(both.pipelines.find((p) => p.name === "b")!.ir.tasks[0]!.args).toEqual(["eu", "us"]);
    expect(alone.pipelines[0]!.ir.tasks[0]!.args).toEqual(["eu", "us"]);
  });

  it.each([
    ["Date.now()", "  const t = Date.now();", "Date"],
    ["new Date()", "  const t = new Date();", "new Date()"],
    ["Math.random()", "  const r = Math.random();", "Math.random"],
    ["process.env.X", "  const v = process.env.HOME;", "process"],
    ["globalThis", "  const g = globalThis;", "globalThis"],
    ["__dirname", "  const d = __dirname;", "__dirname"],
    ["__filename", "  const f = `${__filename}`;", "__filename"],
  ])("GANTRY1105: %s", async (_name, statements, needle) => {
    const source = body(statements);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1105 ${loc("main.ts", source, needle)}`]);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("a fixed date is refused as not evaluated, not as a run-time value; a namespace and a declare-only name say what they are", async () => {
    const source = body(
      '  const a = new Date("2024-01-01T00:00:00Z");\n  const b = Date.UTC(2024, 0, 1);\n  const c = Date["parse"]("2024-01-01");\n  const d = Cfg.image;\n  const e = BUILD_TAG;\n  const f = Date.now();',
      'namespace Cfg { export const image = "busybox"; }\ndeclare const BUILD_TAG: string;\n',
    );
    const ds = await diagnose(source);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1106 ${loc("main.ts", source, "new Date(")} \`new Date(...)\` is not evaluated at compile time, even of a fixed date`,
      `GANTRY1102 ${loc("main.ts", source, "Date.UTC")} \`Date.UTC\` is not evaluated at compile time`,
      `GANTRY1102 ${loc("main.ts", source, 'Date["parse"]')} \`Date.parse\` is not evaluated at compile time`,
      `GANTRY1100 ${loc("main.ts", source, "Cfg.image")} \`Cfg\` is a TypeScript namespace, which Gantry does not evaluate at compile time`,
      `GANTRY1101 ${loc("main.ts", source, "BUILD_TAG;")} \`BUILD_TAG\` is only declared (\`declare\`): a run takes its value from elsewhere, so it has none at compile time`,
      `GANTRY1105 ${loc("main.ts", source, "Date.now")} \`Date\` has no value at compile time: the current date and time differ on every run`,
    ]);
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("a namespace whose code could change a module value or throw is GANTRY1100; one of constants is not; `using` in a loop's head is refused (from review)", async () => {
    const source = body(
      '  for (using r = { [Symbol.dispose]() {} } as any; false; ) {}',
      'const REGIONS = ["eu"];\nnamespace Setup { REGIONS.push("us"); }\nnamespace Fails { throw new Error("no"); }\nnamespace Consts { export const v = 1; export function f() { throw new Error("later"); } }\nnamespace Types { export interface T { a: number } }\n',
    );
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1100 ${loc("main.ts", source, "Setup")}`,
      `GANTRY1100 ${loc("main.ts", source, "Fails")}`,
      `GANTRY1100 ${loc("main.ts", source, "using r")}`,
    ]);
  });

  it("every import of a JavaScript helper is linked, used or not: nothing transpiles it, so a run loads them all (from review)", async () => {
    const files = {
      "regions.js": `export const REGIONS = ["eu"];\n`,
      "extra.js": `import { REGIONS } from "./regions.js";\nREGIONS.push("us");\nexport const loaded = true;\n`,
      "lib.js": `import { loaded } from "./extra.js";\nimport { missing } from "./regions.js";\nexport { REGIONS } from "./regions.js";\n`,
      "main.ts": `import { pipeline } from "gantry";\nimport { REGIONS } from "./lib.js";\nexport default pipeline("js", {}, (p) => { for (const r of REGIONS) p.task(\`sync-\${r}\`, { image: "x" }); });\n`,
    };
    const r = await compileFiles(files, ["main.ts"]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.code} ${d.span?.file}`)).toEqual(["GANTRY1100 extra.js", "GANTRY1111 lib.js"]);
  });

  it("a top-level loop that reaches a throw fails as the module's load would, though it touches no module value; one that does not is a warning (from review)", async () => {
    const source = `import { pipeline } from "gantry";\nfor (let i = 0; i < 5; i++) { if (i === 3) throw new Error(\`bad \${i}\`); }\nfor (const x of ["a"]) { if (x === "b") throw new Error("never"); }\nexport default pipeline("l", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message}`)).toEqual([
      `error GANTRY1113 ${loc("main.ts", source, "throw new Error(`bad")} the code throws here when the module runs: Error: bad 3`,
      `warning GANTRY1121 ${loc("main.ts", source, 'for (const x of ["a"])')} this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines`,
    ]);
  });

  it("counted for loops: the body may not change the loop's variables, the update may change nothing else, and the loop is bounded", async () => {
    const source = body(
      '  for (let i = 0; i < 3; i++) { i = 5; }\n  const o = { n: 0 };\n  for (let i = 0; i < 3; o.n++) {}\n  for (i = 0; i < 3; i++) {}\n  for (var v = 0; v < 3; v++) {}\n  for (const c = 0; c < 3; c++) {}\n  for (let r = 0; r < 1e9; r++) {}\n  for (let q = 0; q < p.params.n; q++) {}\n  for (let t = j, j = 0; t < 1; t++) {}',
    ).replace('pipeline("diag", {}', 'pipeline("diag", { parameters: { n: { default: "3" } } }');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, "i = 5")}`,
      `GANTRY1100 ${loc("main.ts", source, "o.n++")}`,
      `GANTRY1100 ${loc("main.ts", source, "i = 0; i < 3; i++) {}")}`,
      `GANTRY1100 ${loc("main.ts", source, "var v")}`,
      `GANTRY1100 ${loc("main.ts", source, "c++")}`,
      `GANTRY1108 ${loc("main.ts", source, "for (let r")}`,
      `GANTRY1112 ${loc("main.ts", source, "p.params.n")}`,
      `GANTRY1109 ${loc("main.ts", source, "j, j = 0")}`,
    ]);
    expect(ds.find((d) => d.code === "GANTRY1108")!.message).toBe("loop ran more than 10000 times");
  });

  it("GANTRY1106: new Foo(), a built-in class, and a class used as a value", async () => {
    const source = body("  const a = new Foo();\n  const m = new Map();\n  const b = Foo;", "class Foo {}\n");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1106 ${loc("main.ts", source, "class Foo")}`,
      `GANTRY1106 ${loc("main.ts", source, "new Foo()")}`,
      `GANTRY1106 ${loc("main.ts", source, "new Map()")}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual(["classes are not evaluated at compile time", "`new Foo(...)` is not evaluated at compile time", "`new Map(...)` is not evaluated at compile time"]);
    expect(ds.map((d) => d.hint)).toEqual(["Use a plain object (`as const`) instead.", "Use plain objects and functions instead of classes.", "Use plain objects (`Record<string, T>`) and arrays."]);
  });

  it("Array(n) and new Array(n) (empty slots, which map skips) are refused with the Array.from form that works", async () => {
    const source = body("  const a = Array(3).fill(0);\n  const b = [...new Array(2).keys()];\n  const c = Array.from({ length: 2 }, (_, i) => i);");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, "Array(3)")}`, `GANTRY1106 ${loc("main.ts", source, "new Array(2)")}`]);
    expect(ds[0]!.message).toBe("`Array` with one number makes an array of empty slots, which Gantry does not evaluate (`map` and `forEach` skip them)");
    expect(ds.map((d) => d.hint)).toEqual([expect.stringContaining("Array.from({ length: n }, (_, i) => i)"), expect.stringContaining("Array.from({ length: n }, (_, i) => i)")]);
  });

  it("Object.assign onto a module-level object is GANTRY1104, as push is; onto a built-in, or copying a __proto__ key, is refused", async () => {
    const source = body(
      '  const a = Object.assign(CFG, { b: "2" });\n  const b = Object.assign(CFG, {}, null);\n  const c = Object.assign(Math, { x: 1 });\n  const d = Object.assign({}, JSON.parse(\'{"__proto__": {"x": 1}}\'));\n  const e = Object.assign(p.params, { y: "1" });',
      'const CFG = { a: "1" };\n',
    );
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, 'Object.assign(CFG, { b')}`,
      `GANTRY1102 ${loc("main.ts", source, "Object.assign(Math")}`,
      `GANTRY1100 ${loc("main.ts", source, "Object.assign({}, JSON")}`,
      `GANTRY1104 ${loc("main.ts", source, "Object.assign(p.params")}`,
    ]);
    expect(ds[0]!.message).toBe("`Object.assign` changes an object that is fixed once made (one declared at module level, or kept by a module-level function)");
    expect(ds[0]!.hint).toMatch(/\{ \.\.\.target, \.\.\.changes \}/);
    expect(ds[2]!.message).toMatch(/would set its target's prototype/);
  });

  it("assignment: a variable is never reassigned (GANTRY1104); a fixed object, a DSL object, __proto__, a huge index and bitwise operators are refused where they are written", async () => {
    const source = body(
      [
        "  let n = 1;",
        "  n = 2;",
        "  n++;",
        "  const [a, b] = [1, 2];",
        "  [a, b] = [b, a];",
        '  CFG.image = "y";',
        '  const h = p.task("u", { image: "x" });',
        '  (h as any).name = "v";',
        '  (p.params as any).x = "1";',
        "  (p as any).extra = 1;",
        "  const o: any = {};",
        "  o.__proto__ = {};",
        "  const xs: number[] = [];",
        "  xs[2_000_000] = 1;",
        "  o.k |= 1;",
        "  (undefined as any).x = 1;",
        '  ("abc" as any).x = 1;',
        '  CFG.n ??= "kept, no write";',
        "  CFG.n ||= 1;",
      ].join("\n"),
      'const CFG = { image: "x", n: 0 };\n',
    );
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, "n = 2")}`,
      `GANTRY1104 ${loc("main.ts", source, "n++")}`,
      `GANTRY1104 ${loc("main.ts", source, "[a, b] = [b")}`,
      `GANTRY1104 ${loc("main.ts", source, "CFG.image")}`,
      `GANTRY1104 ${loc("main.ts", source, "(h as any).name")}`,
      `GANTRY1104 ${loc("main.ts", source, "(p.params as any).x")}`,
      `GANTRY1102 ${loc("main.ts", source, "(p as any).extra")}`,
      `GANTRY1100 ${loc("main.ts", source, "o.__proto__")}`,
      `GANTRY1108 ${loc("main.ts", source, "xs[2_000_000]")}`,
      `GANTRY1100 ${loc("main.ts", source, "|=")}`,
      `GANTRY1109 ${loc("main.ts", source, "(undefined as any).x")}`,
      `GANTRY1109 ${loc("main.ts", source, '("abc" as any).x')}`,
      `GANTRY1104 ${loc("main.ts", source, "CFG.n ||")}`,
    ]);
    expect(ds.map((d) => d.message).slice(0, 4)).toEqual([
      '"n" is assigned again: a variable has one value at compile time',
      "increments and decrements of a variable are not evaluated at compile time",
      "destructuring assignments are not evaluated: a variable has one value at compile time",
      "CFG.image changes an object that is fixed once made (one declared at module level or kept by a module-level function, a pipeline's tasks or parameters, a task handle, or one frozen with Object.freeze)",
    ]);
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("state a module-level function keeps in its closure is fixed too: a registry or counter would make one file's output depend on the others compiled with it", async () => {
    const lib = `function makeRegistry() {
  const names: string[] = [];
  const counts: Record<string, number> = {};
  return { add(n: string) { names.push(n); return names.length; }, count(n: string) { counts[n] = (counts[n] ?? 0) + 1; return counts[n]; }, peek: () => names.join() };
}
export const registry = makeRegistry();
export const tag = ((base: Record<string, string>) => (extra: Record<string, string>) => ({ ...base, ...extra }))({ team: "data" });
export const next = (() => { const i = [1, 2].values(); return () => i.next().value; })();
export function fresh() { const seen: string[] = []; seen.push("local"); const o: Record<string, number> = {}; o.n = 1; return [...seen, String(o.n)]; }
`;
    const main = (body: string) => `import { pipeline } from "gantry";\nimport { registry, tag, next, fresh } from "./lib";\nexport default pipeline("m", {}, (p) => {\n${body}\n});\n`;
    // What the closures only read, and state made per call, are fine.
    const fine = main('  p.task("t", { image: "x", labels: tag({ x: "1" }), args: [registry.peek(), ...fresh()] });');
    const ok = await compileFiles({ "main.ts": fine, "lib.ts": lib }, ["main.ts"]);
    expect(ok.diagnostics.map(where)).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks[0]!.args).toEqual(["", "local", "1"]);
    const changing = main('  p.task("u", { image: "x", args: [String(registry.add("a"))] });\n  p.task("v", { image: "x", args: [String(registry.count("a"))] });\n  p.task("w", { image: "x", args: [String(next())] });');
    const r = await compileFiles({ "main.ts": changing, "lib.ts": lib }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1104 ${loc("lib.ts", lib, "names.push")}`,
      `GANTRY1104 ${loc("lib.ts", lib, "counts[n] =")}`,
      `GANTRY1104 ${loc("lib.ts", lib, "next = ")}`,
    ]);
  });

  it("a parameter's default cannot read a later parameter (its dead zone, as in a run), nor the same name from around the function", async () => {
    const prelude = `const region = "eu";\nfunction f(a = region, region = "us") { return a + region; }\nfunction g({ x = y }: { x?: string }, y = "y") { return x + y; }\n`;
    const source = body("  const ok = [f(\"a\"), g({ x: \"x\" })];\n  const late = f();\n  const alsoLate = g({});", prelude);
    const ds = await diagnose(source);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1109 ${loc("main.ts", source, "region, region")} "region" is used before its declaration runs`,
      `GANTRY1109 ${loc("main.ts", source, "y }")} "y" is used before its declaration runs`,
    ]);
    const fine = `import { pipeline } from "gantry";\nconst region = "eu";\nfunction f(a = region, b = a + "!") { return a + b; }\nexport default pipeline("fine", {}, (p) => { p.task("t", { image: "x", args: [f(), f("a")] }); });\n`;
    const r = await compileFiles({ "main.ts": fine }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.args).toEqual(["eueu!", "aa!"]);
  });

  it("`this` in a method called without its object is undefined, so reading from it fails as in a run", async () => {
    const source = body("  const o = { n: 1, get() { return this.n; } };\n  const detached = o.get;\n  const v = detached();");
    const ds = await diagnose(source);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1109 ${loc("main.ts", source, "this.n")} cannot read "n" of undefined`]);
  });

  it("state behind frozen containers is frozen too: a pipeline's task list, an author's shallow Object.freeze, a frozen object holding a closure (from a review)", async () => {
    const lib = `import { pipeline } from "gantry";
const build = () => pipeline("hidden", {}, (p) => { p.task("t", { image: "x", args: ["base"] }); });
export const hiddenTasks = build().tasks;
export const counter = Object.freeze({ next: (() => { const s = { n: 0 }; return () => ++s.n; })() });
export const all = Object.freeze([pipeline("base", { labels: { team: "x" } }, (p) => { p.task("t", { image: "x" }); })]);
export const shallow = Object.freeze({ list: ["a"] });
`;
    const main = `import { pipeline } from "gantry";
import { hiddenTasks, counter, all, shallow } from "./lib";
export default pipeline("m", {}, (p) => {
  (hiddenTasks[0]!.spec.args as string[]).push("from-m");
  const n = counter.next();
  (all[0]!.options.labels as Record<string, string>).team = "changed";
  shallow.list.push("b");
  p.task("t", { image: "x" });
});
`;
    const r = await compileFiles({ "main.ts": main, "lib.ts": lib }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1104 ${loc("lib.ts", lib, "s.n; }")}`,
      `GANTRY1104 ${loc("main.ts", main, "(hiddenTasks[0]!.spec.args as string[]).push")}`,
      `GANTRY1104 ${loc("main.ts", main, "(all[0]!.options.labels as Record<string, string>).team")}`,
      `GANTRY1104 ${loc("main.ts", main, "shallow.list.push")}`,
    ]);
  });

  it("a chain of 5,000 pipelines nested in each other's options is frozen without running out of stack (from a review)", async () => {
    const source = `import { pipeline } from "gantry";\nexport const chain = Array.from({ length: 5000 }, (_, i) => i).reduce<any>((acc) => pipeline("n", { labels: { prev: acc } as any }, (p) => { p.task("t", { image: "x" }); }), null);\n`;
    const ds = await diagnose(source);
    expect(ds.map((d) => d.code)).toEqual(["GANTRY2001"]);
    expect(ds[0]!.message).toMatch(/labels\.prev: Invalid input: expected string, received PipelineDefinition/);
  });

  it("assignment edge cases from a review: an optional chain target, a failed value poisons its object, Object.assign past the array limit, module namespaces of gantry and JSON", async () => {
    const source = body(
      [
        "  const o: any = {};",
        "  o.k = process.env.X;",
        "  const n = o.k.length;",
        "  const big = Object.assign([], { length: 5e6 });",
        '  p.task("u", { image: "x", args: [String("toString" in g), String("valueOf" in doc), String(Object.hasOwn(doc, "default"))] });',
      ].join("\n"),
      'import * as g from "gantry";\nimport * as doc from "./doc.json";\n',
    );
    const r = await compileFiles({ "main.ts": source, "doc.json": '{ "a": 1 }' }, ["main.ts"]);
    // An optional chain as an assignment target is a syntax error of the module (test/early-errors.test.ts).
    const chained = body("  const z: any = undefined;\n  z?.x.y = 1;");
    expect((await compileFiles({ "main.ts": chained })).diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1002 ${loc("main.ts", chained, "z?.x.y")} Invalid left-hand side in assignment`]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1105 ${loc("main.ts", source, "process")} \`process\` has no value at compile time: the environment and arguments of the compiling machine must not leak into manifests`,
      `GANTRY1108 ${loc("main.ts", source, "Object.assign([]")} \`Object.assign\`: would make an array of 5,000,000 items, over the limit of 1,000,000`,
    ]);
    const fine = await compileFiles({ "main.ts": source.split("\n").filter((l) => !/o\.k|big/.test(l)).join("\n"), "doc.json": '{ "a": 1 }' }, ["main.ts"]);
    expect(fine.diagnostics).toEqual([]);
    expect(fine.pipelines[0]!.ir.tasks.find((t) => t.name === "u")!.args).toEqual(["false", "false", "true"]);
  });

  it("second review: an iterator held by a module value and a pipeline's options is still GANTRY1104; for...in over a placeholder or a huge string, Object.assign of a huge string", async () => {
    const lib = `import { pipeline } from "gantry";\nexport const cfg = (() => { const it = ["a", "b"].values(); return { it, hidden: pipeline("hidden", { labels: { x: "y" }, meta: it } as any, (p) => { p.task("t", { image: "x" }); }) }; })();\n`;
    const main = body(
      ["  for (const x of cfg.it) p.task(x, { image: \"x\" });", "  for (const i in p.params.d) {}", '  for (const i in "y".repeat(20_000_000)) {}', '  const big = Object.assign([], "y".repeat(3_000_000));'].join("\n"),
      'import { cfg } from "./lib";\n',
    ).replace('"diag", {}', '"diag", { parameters: { d: { default: "x" } } }');
    const r = await compileFiles({ "main.ts": main, "lib.ts": lib }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1104 ${loc("lib.ts", lib, "cfg = ")}`,
      `GANTRY1112 ${loc("main.ts", main, "p.params.d")}`,
      `GANTRY1108 ${loc("main.ts", main, 'for (const i in "y"')}`,
      `GANTRY1108 ${loc("main.ts", main, "Object.assign([]")}`,
    ]);
  });

  it("`in` and Object.hasOwn on a built-in or a function are refused (their stand-ins lack members); `in` on a string fails as in a run", async () => {
    const source = body('  const a = "random" in Math;\n  const b = Object.hasOwn(Math, "max");\n  const c = "name" in ((x: number) => x);\n  const d = "a" in ("abc" as unknown as object);\n  const e = p.params.x in {};', "");
    const ds = await diagnose(source.replace('"diag", {}', '"diag", { parameters: { x: { default: "1" } } }'));
    const src = source.replace('"diag", {}', '"diag", { parameters: { x: { default: "1" } } }');
    expect(ds.map(where)).toEqual([
      `GANTRY1102 ${loc("main.ts", src, '"random" in Math')}`,
      `GANTRY1102 ${loc("main.ts", src, "Object.hasOwn(Math")}`,
      `GANTRY1102 ${loc("main.ts", src, '"name" in')}`,
      `GANTRY1109 ${loc("main.ts", src, '"a" in')}`,
      `GANTRY1112 ${loc("main.ts", src, "p.params.x in")}`,
    ]);
    expect(ds[3]!.message).toMatch(/Cannot use 'in' operator/);
  });

  it("GANTRY1107: await, an async helper, and an async function declaration, when called", async () => {
    const source = body("  const v = await 1;\n  const load = async () => 1;\n  async function later() {}\n  load();\n  later();", "");
    const ds = await diagnose(source.replace("(p) =>", "async (p) =>"));
    const shifted = source.replace("(p) =>", "async (p) =>");
    expect(ds.map(where)).toEqual([
      `GANTRY1107 ${loc("main.ts", shifted, "async (p)")}`,
    ]);
    // A synchronous body: each construct is reported where it is written.
    const ds2 = await diagnose(source);
    expect(ds2.map(where)).toEqual([
      `GANTRY1107 ${loc("main.ts", source, "await 1")}`,
      `GANTRY1107 ${loc("main.ts", source, "async () => 1")}`,
      `GANTRY1107 ${loc("main.ts", source, "async function later")}`,
    ]);
    expect(ds2.every((d) => d.hint)).toBe(true);
  });

  it("a byte-order mark is not a column: positions on line 1 are TypeScript's, and code frames do not show it (from review)", async () => {
    const source = `import { pipeline } from "gantry"; const x = Math.random();\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "x" + x }); });\n`;
    const r = await compileFiles({ "main.ts": "\ufeff" + source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1105 ${loc("main.ts", source, "Math.random")}`]);
    expect(r.sources.get("main.ts")).toBe(source);
  });

  it.each([
    ["arguments.length", "GANTRY1102", "rest parameter"],
    ['require("os")', "GANTRY1105", "static `import"],
    ['eval("1")', "GANTRY1105", "code built from strings"],
    ["setTimeout(() => 1)", "GANTRY1105", "Remove the timer"],
    ["globalThis.x", "GANTRY1105", "local module"],
  ])("%s gets %s with a hint that fits it, not the pipeline-parameter one (from review)", async (expression, code, hint) => {
    const source = `import { pipeline } from "gantry";\nexport default pipeline("x", {}, (p) => { const v = ${expression}; p.task("t", { image: "busybox", args: [String(v)] }); });\n`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([`${code} ${loc("main.ts", source, expression.slice(0, 4))}`]);
    expect(r.diagnostics[0]!.hint).toContain(hint);
    expect(r.diagnostics[0]!.hint).not.toContain("pipeline parameter");
  });

  it("GANTRY1123: a number added to a parameter joins as text, a warning (from review); text joined to one is silent", async () => {
    const source = `import { pipeline } from "gantry";
export default pipeline("pp", { parameters: { n: { default: 3 }, env: { default: "dev" } } }, (p) => {
  p.task("t", { image: "busybox", args: [p.params.n + 1, 2 + p.params.n, p.params.env + "-x", "--n=" + p.params.n, \`\${p.params.n}1\`] });
  for (let i = 0; i < 3; i++) p.task(\`u\${i}\`, { image: "busybox", args: [p.params.n + i] });
});
`;
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `warning GANTRY1123 ${loc("main.ts", source, "p.params.n + 1")}`,
      `warning GANTRY1123 ${loc("main.ts", source, "2 + p.params.n")}`,
      `warning GANTRY1123 ${loc("main.ts", source, "p.params.n + i")}`, // once, not once per pass
    ]);
    expect(r.diagnostics[0]!.message).toBe('`p.params.n + 1` joins a number to parameter "n" as text rather than adding it, since the parameter\'s value is only known when a run starts');
    expect(r.ok).toBe(true);
    expect(r.pipelines[0]!.yaml).toContain("- \"{{workflow.parameters.n}}1\"");
  });

  it("GANTRY1107 only when an async or generator function is called: declaring or exporting one computes nothing (from review)", async () => {
    const source = `import { pipeline } from "gantry";
export default pipeline("asyncexp", {}, (p) => {
  const poll = async () => 1;
  p.task("x", { image: "busybox" });
});
export async function waitForCompletion(name: string) { return name; }
export function* names() { yield "a"; }
export const later = async () => 1;
`;
    const r = await compileFiles({ "main.ts": source, "lib/util.ts": "export async function unused() {}\nexport function* gen() {}\n" }, ["."]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => p.name)).toEqual(["asyncexp"]);
  });

  it("GANTRY1108: unbounded recursion, linear and branching, is reported once and quickly", async () => {
    const prelude = "function down(n: number): number { return down(n + 1); }\nfunction tree(n: number): void { tree(n + 1); tree(n + 2); }\n";
    const source = body("  const a = down(0);\n  tree(0);\n  const after = 1;", prelude);
    const started = Date.now();
    const ds = await diagnose(source);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ds.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", source, "function down")}`, `GANTRY1108 ${loc("main.ts", source, "function tree")}`]);
    expect(ds[0]!.message).toBe("call depth exceeded 200 (unbounded recursion?)");
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("GANTRY1108: a loop over more than 10,000 items (10,000 is fine)", async () => {
    const source = body('  for (const x of "y".repeat(10000).split("")) {}\n  for (const x of "y".repeat(10001).split("")) {}');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", source, "for (const x", 2)}`]);
    expect(ds[0]!.message).toBe("loop over 10001 items exceeds the limit of 10000");
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY1108: a loop that keeps growing the array it walks", async () => {
    const source = body("  const xs = [1];\n  for (const x of xs) xs.push(x + 1);");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", source, "for (const x")}`]);
    expect(ds[0]!.message).toBe("loop grew past the limit of 10000 items");
  });

  it("GANTRY1108: total work is bounded, not just depth and loop length", async () => {
    // 1000 x 1000 x 2 iterations, each loop within its limit: the budget stops it.
    const source = body('  const xs = "y".repeat(1000).split("");\n  for (const a of xs) { for (const b of xs) { for (const c of [1, 2]) {} } }');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", source, "for (const c")}`]);
  });

  it("GANTRY1108: expressions nested too deep for the evaluator's stack, not an internal error", async () => {
    // A 30,000-term chain used to exhaust the JavaScript stack (RangeError, printed as an internal error).
    const chain = (n: number) => Array.from({ length: n }, () => "1").join(" + ");
    const source = body("  const small = short;\n  const big = long;", `const short = ${chain(1_900)};\nconst long = ${chain(30_000)};\n`);
    const ds = await diagnose(source);
    // At the chain's innermost `+`, which starts where the chain does.
    const start = loc("main.ts", source, "const long = ").replace(/\d+$/, (c) => String(Number(c) + "const long = ".length));
    expect(ds.map(where)).toEqual([`GANTRY1108 ${start}`]);
    expect(ds[0]!.message).toBe("expressions nested more than 2,000 deep (calls included)");
    expect(ds[0]!.hint).toContain("join");
    // Recursion within the call depth, with a few nested expressions per call, stays below the bound.
    const deep = `const f = (n: number): Record<string, unknown> => (n === 0 ? { leaf: "x" } : { a: [f(n - 1)].map((x) => ({ ...x }))[0]! });\n`;
    const ok = await compileFiles({ "main.ts": body("  const d = f(195);", deep) }, ["main.ts"]);
    expect(ok.diagnostics.map(where)).toEqual([]);
  });

  it("GANTRY1108: a built-in that walks a value nested deeper than the stack, at the expression; such a module value is fine unwalked", async () => {
    // `reduce` wrapping its accumulator nests one level per step: 20,000 levels, far past the JavaScript stack.
    const prelude = "const deep = Array.from({ length: 20000 }, (_, i) => i).reduce((acc: unknown[]) => [acc], [] as unknown[]);\n";
    const source = body("  const a = `${deep}`;\n  const b = String(deep);\n  const c = deep.join(\"-\");\n  const n = deep.length;", prelude);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1108 ${loc("main.ts", source, "deep}`")}`, // the value the template converts
      `GANTRY1108 ${loc("main.ts", source, "String(deep)")}`,
      `GANTRY1108 ${loc("main.ts", source, "deep.join")}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      "this expression runs out of JavaScript's stack",
      "`String` runs out of JavaScript's stack",
      "`deep.join` runs out of JavaScript's stack",
    ]);
    expect(ds.every((d) => d.hint?.includes("reduce"))).toBe(true);
    // Reading the module constant freezes it (module values are fixed), which used to recurse and
    // fail as "`pipeline` failed: Maximum call stack size exceeded".
    const ok = await compileFiles({ "main.ts": body('  p.task("n", { image: "x", args: [String(deep.length)] });', prelude) }, ["main.ts"]);
    expect(ok.diagnostics.map(where)).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks.find((t) => t.name === "n")!.args).toEqual(["1"]);
  });

  it("GANTRY2001: an affinity term nested past 32 levels is reported at the value, not walked until the stack runs out", async () => {
    const affinity = (n: number) =>
      body(`  const term = Array.from({ length: ${n} }, (_, i) => i).reduce((acc: unknown) => ({ a: acc }), {} as unknown);\n  p.task("aff", { image: "x", affinity: { nodeAffinity: term as Record<string, unknown> } });`);
    const source = affinity(9000);
    const ds = await diagnose(source);
    // At the `acc` of the property the path ends in: the value that nests one level too many.
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", source, "acc })")}`]);
    expect(ds[0]!.message).toBe(`task "aff": affinity.nodeAffinity${".a".repeat(32)}: nested more than 32 levels deep`);
    // 31 levels below nodeAffinity is accepted (Kubernetes' own terms go about eight deep).
    const ok = await compileFiles({ "main.ts": affinity(31) }, ["main.ts"]);
    expect(ok.diagnostics.map(where)).toEqual([]);
  });

  it("GANTRY2001: a function, NaN or an iterator inside an affinity term is reported, not handed to YAML (found by the crash fuzzer)", async () => {
    const source = body(
      '  const term = (v: unknown) => ({ nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "In", values: [v] }] }] }) as any;\n  p.task("f", { image: "x", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term({ toString: () => "z" }) } } });\n  p.task("n", { image: "x", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term(NaN) } } });\n  p.task("i", { image: "x", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term(["a"].values()) } } });',
    );
    const ds = await diagnose(source);
    const at = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]";
    expect(ds.map((d) => d.message).sort()).toEqual([
      `task "f": ${at}.toString: must be plain data (strings, numbers, booleans, null, arrays and objects), not a function`,
      `task "i": ${at}: must be plain data (strings, numbers, booleans, null, arrays and objects), not Array Iterator`,
      `task "n": ${at}: must be plain data (strings, numbers, booleans, null, arrays and objects), not NaN`,
    ]);
    expect(ds.every((d) => d.code === "GANTRY2001" && d.span !== undefined)).toBe(true);
  });

  // The next three were found by test/evaluator-fuzz.test.ts: each compiled to a value JavaScript
  // would not give, or crashed the compiler.
  it("GANTRY1100: `__proto__: value` (which sets the prototype) and `var` in a function or loop (scoped to the function)", async () => {
    const prelude = 'function scoped(flag: boolean) { if (flag) { var v = "inner"; } return "x"; }\n';
    const source = body('  const o = { __proto__: { x: 1 } };\n  const s = scoped(true);\n  for (var i of [1]) {}\n  const ok = { ["__proto__"]: 1 };', prelude);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1100 ${loc("main.ts", source, "var v")}`,
      `GANTRY1100 ${loc("main.ts", source, "__proto__:")}`,
      `GANTRY1100 ${loc("main.ts", source, "var i")}`,
    ]);
    expect(ds[1]!.message).toBe("`__proto__: value` sets the object's prototype, which is not evaluated at compile time");
    expect(ds[1]!.hint).toContain('["__proto__"]');
    expect(ds[0]!.message).toBe("`var` inside a function or block is not evaluated at compile time");
    // At module level `var` scopes as `let` does, and is evaluated.
    const ok = await compileFiles({ "main.ts": body('  p.task("v", { image: "x", args: [top] });', 'var top = "t";\n') }, ["main.ts"]);
    expect(ok.diagnostics.map(where)).toEqual([]);
  });

  it("GANTRY1109/1108: a detached built-in method, a conversion JavaScript rejects, a string past its limit and a huge spread fail as when run, not as a crash", async () => {
    const prelude = 'const up = "abc".toUpperCase;\nexport const tpl = `<${{ toString: 1 }}>`;\nexport const spread = ([] as number[]).concat(...Array.from({ length: 300000 }, () => [] as number[]));\n';
    const source = body('  const u = up();\n  const t = tpl;\n  const plus = ({ valueOf: 1, toString: 1 } as unknown as number) + 1;\n  const s = "x".repeat(1e8);\n  const long = s + s + s + s + s + s;\n  const n = spread.length;', prelude);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1109 ${loc("main.ts", source, "{ toString: 1 }}")}`,
      `GANTRY1108 ${loc("main.ts", source, "([] as number[]).concat")}`,
      `GANTRY1109 ${loc("main.ts", source, "up()")}`,
      `GANTRY1109 ${loc("main.ts", source, "({ valueOf: 1")}`,
      `GANTRY1109 ${loc("main.ts", source, "s + s + s")}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      "this expression fails as it would when the module runs: Cannot convert object to primitive value",
      "`([] as number[]).concat` runs out of JavaScript's stack",
      "`up` failed: String.prototype.toUpperCase called on null or undefined",
      "this expression fails as it would when the module runs: Cannot convert object to primitive value",
      "this expression fails as it would when the module runs: Invalid string length",
    ]);
  });

  // Found by test/crash-fuzz.test.ts: each crashed the compiler, exhausted its memory, or put
  // Gantry's own source code into a manifest.
  it("GANTRY1108: built-ins that build natively are bounded: Array.from, repeat, and a pipeline's task count", async () => {
    const prelude = 'export const big = Array.from({ length: 1e9 }).length;\nexport const wide = "ab".repeat(1e8);\nexport const fine = "x".repeat(1e8).length + Array.from({ length: 1e6 }).length;\n';
    const source = body('  const n = big;\n  const w = wide;\n  Array.from({ length: 10001 }, (_, i) => i).map((i) => p.task(`t${i}`, { image: "x" }));', prelude);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1108 ${loc("main.ts", source, "Array.from({ length: 1e9 })")}`,
      `GANTRY1108 ${loc("main.ts", source, '"ab".repeat')}`,
      `GANTRY1108 ${loc("main.ts", source, "p.task(`t${i}`")}`,
      `GANTRY1108 ${loc("main.ts", source, 'p.task("t"')}`, // the body's own last task is one too many as well
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      "`Array.from`: would build 1,000,000,000 items, over the limit of 1,000,000",
      '`"ab".repeat`: would build a string of 200,000,000 characters, over the limit of 100,000,000',
      "`p.task`: a pipeline declares at most 10,000 tasks",
      "`p.task`: a pipeline declares at most 10,000 tasks",
    ]);
  });

  it("GANTRY1102: the source text of Gantry's own functions is never a value (it used to be copied into the manifest)", async () => {
    const source = body('  const a = "" + pipeline;\n  const b = String(p.task);\n  const c = [secretEnv].join();\n  const d = `${pipeline.name}/${p.task.name}/${pipeline.length}`;\n  p.task("names", { image: "x", args: [d] });').replace('import { pipeline } from "gantry";', 'import { pipeline, secretEnv } from "gantry";');
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1102 ${loc("main.ts", source, '"" + pipeline')}`,
      `GANTRY1102 ${loc("main.ts", source, "String(p.task)")}`,
      `GANTRY1102 ${loc("main.ts", source, "[secretEnv].join()")}`,
    ]);
    expect(r.diagnostics[0]!.message).toBe("a function's source text is not evaluated at compile time");
  });

  it("names that are not strings are reported without converting them (an object's toString is never called)", async () => {
    const source = 'import { pipeline } from "gantry";\nexport default pipeline({ toString: 1 } as unknown as string, {}, (p) => {\n  p.task({ toString: 1 } as unknown as string, { image: "x" });\n  p.task([[1]] as unknown as string, { image: "x" });\n});\n';
    const ds = await diagnose(source);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY2001 ${loc("main.ts", source, "{ toString")} pipeline name must be a string`,
      `GANTRY2005 ${loc("main.ts", source, "{ toString", 2)} task name "(an object)" must be a string`,
      `GANTRY2005 ${loc("main.ts", source, "[[1]]")} task name "(an array)" must be a string`,
    ]);
  });

  it("holes a review found in those fixes: namespace machinery, string lengths, module namespaces", async () => {
    const lib = 'export const up = "abc".toUpperCase;\nexport const n = 1;\n';
    const source = body(
      [
        "  const a = String(Object.toString);", // the stand-in's string form is not a member
        '  const b = Array.from({ length: "2e6" } as unknown as ArrayLike<number>).length;', // converted, as JavaScript does
        "  const c = lib.up();", // called on the namespace, whose string form throws when run
        "  const d = `${lib}`;",
      ].join("\n"),
      'import * as lib from "./lib.js";\n',
    );
    const r = await compileFiles({ "main.ts": source, "lib.ts": lib }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1102 ${loc("main.ts", source, "Object.toString")} \`Object.toString\` is not available at compile time: only a fixed set of built-in members can be used`,
      `GANTRY1108 ${loc("main.ts", source, 'Array.from({ length: "2e6"')} \`Array.from\`: would build 2,000,000 items, over the limit of 1,000,000`,
      `GANTRY1109 ${loc("main.ts", source, "lib.up()")} \`lib.up\` failed: Cannot convert object to primitive value`,
      `GANTRY1109 ${loc("main.ts", source, "lib}`")} this expression fails as it would when the module runs: Cannot convert object to primitive value`,
    ]);
  });

  it("names that are not strings stay unconverted in every message (duplicates, setups), even nested past the stack", async () => {
    const prelude = 'const deep = Array.from({ length: 100000 }).reduce((acc: unknown) => [acc], [] as unknown) as string;\nconst sneaky = { toString: () => { throw new Error("ran"); } } as unknown as string;\n';
    const source = body(['  const w = p.task(deep, { image: "x" });', '  p.task(deep, { image: "x" });', '  p.task(sneaky, { image: "x" });', '  p.teardown("td", { image: "x", setups: [w] });'].join("\n"), prelude);
    const r = await compileFiles({ "main.ts": source }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY2005 ${loc("main.ts", source, "deep, {")} task name "(an array)" must be a string`,
      `GANTRY2002 ${loc("main.ts", source, "deep, {", 2)} duplicate task name "(an array)" (first declared at ${loc("main.ts", source, "deep, {")})`,
      `GANTRY2005 ${loc("main.ts", source, "deep, {", 2)} task name "(an array)" must be a string`, // same place: sorted by code
      `GANTRY2005 ${loc("main.ts", source, "sneaky, {")} task name "(an object)" must be a string`,
      `GANTRY2020 ${loc("main.ts", source, "w] }")} task "td" lists "(an array)" in \`setups\`, but it is a work task`,
    ]);
  });

  it("binding patterns nested deeper than the stack are walked without recursion", () => {
    let pattern: ts.BindingName = ts.factory.createIdentifier("x");
    for (let i = 0; i < 50_000; i++) pattern = ts.factory.createArrayBindingPattern([ts.factory.createBindingElement(undefined, undefined, pattern), ts.factory.createBindingElement(undefined, undefined, `y${i}`)]);
    const names = boundNames(pattern);
    expect(names).toHaveLength(50_001);
    expect(names.slice(0, 3)).toEqual(["x", "y0", "y1"]);
    expect(names.at(-1)).toBe("y49999");
  });

  it("GANTRY1109: a builder method taken off `p` fails as it does when the module runs, saying why", async () => {
    const source = body('  const { task } = p;\n  task("x", { image: "x" });');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, 'task("x"')}`]);
    const why = "task() must be called on the pipeline's builder, as p.task(...): a method taken off p has no pipeline to add to";
    expect(ds[0]!.message).toBe(`\`task\` failed: ${why}`);
    // Run, the module throws the same TypeError (not one about Gantry's internals).
    const dir = tempProject({ "main.ts": source });
    await expect(import(/* @vite-ignore */ path.join(dir, "main.ts"))).rejects.toThrow(new TypeError(why));
  });

  it("GANTRY1002: `??` mixed with `||` or `&&` without parentheses, which TypeScript parses but JavaScript does not", async () => {
    const source = body('  const a = true && "x" ?? "y";\n  const b = null ?? "x" || "y";\n  const fine = (true && "x") ?? ("y" || "z");');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1002 ${loc("main.ts", source, 'true && "x" ??')}`, `GANTRY1002 ${loc("main.ts", source, 'null ?? "x"')}`]);
    expect(ds.map((d) => d.message)).toEqual(["'&&' and '??' operations cannot be mixed without parentheses.", "'??' and '||' operations cannot be mixed without parentheses."]);
  });

  it("GANTRY1109: spreading a function (a forgotten call) into an object", async () => {
    const source = body('  const defaults = () => ({ image: "x" });\n  const a = { ...defaults };\n  const b = { ...defaults() };');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "...defaults }")}`]);
    expect(ds[0]!.message).toBe("spreading a function into an object copies nothing");
    expect(ds[0]!.hint).toMatch(/Call it/);
  });

  it("GANTRY1104: sort, reverse, splice and the other mutating methods of a module-level array, as push", async () => {
    const source = body("  const a = LIST.sort();\n  const b = LIST.reverse();\n  const c = [...LIST].sort();\n  const d = LIST.splice(0, 1);\n  const e = LIST.pop();", 'const LIST = ["b", "a"];\n');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1104 ${loc("main.ts", source, "LIST.sort")}`,
      `GANTRY1104 ${loc("main.ts", source, "LIST.reverse")}`,
      `GANTRY1104 ${loc("main.ts", source, "LIST.splice")}`,
      `GANTRY1104 ${loc("main.ts", source, "LIST.pop")}`,
    ]);
  });

  it("GANTRY1102: localeCompare depends on the machine's locale, and says how to compare instead", async () => {
    const source = body('  const xs = ["b", "a"].sort((x, y) => x.localeCompare(y));');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, "x.localeCompare")}`]);
    expect(ds[0]!.message).toMatch(/depends on the compiling machine's locale/);
    expect(ds[0]!.hint).toMatch(/a < b \? -1/);
  });

  it("array iterators: destructuring steps one per element and leaves the rest; one held at module level is GANTRY1104 (it would be shared)", async () => {
    const source = body('  const it = ["a", "b", "c"].values();\n  const [first] = it;\n  const [, second] = ["x", "y", "z"].values();\n  p.task("u", { image: "x", args: [first!, second!, ...it] });', "export const shared = [1, 2].values();\n");
    const r = await compileFiles({ "main.ts": source.replace("export const shared", "const shared") }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks.find((t) => t.name === "u")!.args).toEqual(["a", "y", "b", "c"]);
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1104 ${loc("main.ts", source, "shared = ")}`]);
  });

  it("an array's iterator is only walked: its members are GANTRY1102, and a loop that grows the array under it is bounded", async () => {
    const source = body("  const it = [1].entries();\n  const n = (it as any).next();\n  const xs = [1];\n  for (const [i] of xs.entries()) xs.push(i);");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1102 ${loc("main.ts", source, "(it as any).next")}`, `GANTRY1108 ${loc("main.ts", source, "for (const [i]")}`]);
    expect(ds[1]!.message).toBe("loop over more than 10000 items exceeds the limit");
  });

  it("after sort, a value's diagnostic points where the array is used, not at the literal that was at its index", async () => {
    const source = body('  const cmd = ["z", 5 as unknown as string].sort();\n  p.task("u", { image: "x", command: cmd });');
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", source, "cmd }")}`]);
    expect(r.diagnostics[0]!.message).toMatch(/command\[0\]: .*expected string, received number/);
  });

  it("GANTRY1113: a throw that is reached fails the compile with its message; the helper's callers add nothing", async () => {
    // One throw per pipeline: a run stops at the first one, and so does the compile of that pipeline.
    const pipelines = ['p.task("u", { image: region("ap") });\n  p.task("v", { image: region("eu") });', 'const s = pick("x");', 'const o = pick("o");', 'const e = [1].map(() => pick("e"));', "checkAll();\n  const after: any = undefined;\n  const unreached = after.k;"]
      .map((statements, i) => `export const p${i} = pipeline("t${i}", {}, (p) => {\n  ${statements}\n  p.task("t", { image: "x" });\n});\n`)
      .join("");
    const source = 'import { pipeline } from "gantry";\n' + (
      
      'const lookup: Record<string, { name: string }> = { eu: { name: "Europe" }, us: { name: "US" } };\nfunction region(r: string): string {\n  if (!Object.keys(lookup).includes(r)) throw new Error(`unknown region ${r}`);\n  return lookup[r]!.name.toLowerCase();\n}\nfunction pick(k: string): string {\n  switch (k) {\n    case "x": throw "no x";\n    case "e": { throw Error("plain"); }\n    default: throw { code: 7 };\n  }\n}\nfunction checkAll(): void {\n  [1].forEach(() => check(false));\n  const u: any = undefined;\n  const never = u.k;\n}\nfunction check(ok: boolean): void { if (!ok) throw new Error("not ok"); }\n'
    ) + pipelines;
    const ds = await diagnose(source);
    // The throw ends its function and its callers, as the exception would: `lookup[r]!.name` after it,
    // `u.k` in checkAll after the callback that threw, and `after.k` in the body, are never read.
    expect(ds.map(where)).toEqual([
      `GANTRY1113 ${loc("main.ts", source, "throw new Error")}`,
      `GANTRY1113 ${loc("main.ts", source, 'throw "no x"')}`,
      `GANTRY1113 ${loc("main.ts", source, 'throw Error("plain")')}`,
      `GANTRY1113 ${loc("main.ts", source, "throw { code")}`,
      `GANTRY1113 ${loc("main.ts", source, 'throw new Error("not ok")')}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      "the code throws here when the module runs: Error: unknown region ap",
      "the code throws here when the module runs: no x",
      "the code throws here when the module runs: Error: plain",
      'the code throws here when the module runs: {"code":7}',
      "the code throws here when the module runs: Error: not ok",
    ]);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("a failure in a helper of another file says where it was called from; one per message, so each failing argument is reported", async () => {
    const checks = `export function region(r: string): string {\n  if (r !== "eu" && r !== "us") throw new Error(\`unknown region \${r}\`);\n  return r;\n}\nexport function noop(): void {\n  console.log("checked");\n}\n`;
    const tasks = `import { region } from "./checks.js";\nexport function regional(r: string) {\n  return { image: \`etl-\${region(r)}:1\` };\n}\n`;
    const a = `import { pipeline } from "gantry";\nimport { regional } from "./lib/tasks.js";\nimport { noop } from "./lib/checks.js";\nexport default pipeline("a", {}, (p) => {\n  noop();\n  p.task("t", regional("ap"));\n  p.task("u", regional("ap"));\n});\n`;
    const b = `import { pipeline } from "gantry";\nimport { region } from "./lib/checks.js";\nexport default pipeline("b", {}, (p) => {\n  p.task("t", { image: region("sa") });\n  p.task("u", { image: region("ap") });\n});\n`;
    const c = `import { pipeline } from "gantry";\nconst own = (x: string): string => { throw new Error(x); };\nexport default pipeline("c", {}, (p) => {\n  p.task("t", { image: own("local") });\n});\n`;
    const r = await compileFiles({ "lib/checks.ts": checks, "lib/tasks.ts": tasks, "a.ts": a, "b.ts": b, "c.ts": c }, ["a.ts", "b.ts", "c.ts"]);
    const shown = r.diagnostics.map((d) => [where(d), d.message.replace("the code throws here when the module runs: ", ""), (d.calledFrom ?? []).map((s) => `${s.file}:${s.line}:${s.column}`)]);
    expect(shown).toEqual([
      // In the pipeline's own file: the frame says all.
      [`GANTRY1113 ${loc("c.ts", c, "throw")}`, "Error: local", []],
      // Through a helper of a third file: both calls, innermost first; "ap" again in a.ts and b.ts adds nothing.
      [`GANTRY1113 ${loc("lib/checks.ts", checks, "throw")}`, "Error: unknown region ap", [loc("lib/tasks.ts", tasks, "region(r)"), loc("a.ts", a, 'regional("ap")')]],
      // Another argument, another message: reported too, at its own call.
      [`GANTRY1113 ${loc("lib/checks.ts", checks, "throw")}`, "Error: unknown region sa", [loc("b.ts", b, 'region("sa")')]],
      // A warning too, once (pipeline a's call), with its caller.
      [`GANTRY1122 ${loc("lib/checks.ts", checks, "console.log")}`, expect.any(String), [loc("a.ts", a, "noop()")]],
    ]);
  });

  it("a failure in a module's top-level code has no caller: the module's load is not the doing of the pipeline that read it first", async () => {
    const checks = `export function region(r: string): string {\n  if (r !== "eu") throw new Error(\`unknown region \${r}\`);\n  return r;\n}\n`;
    const config = `import { region } from "./checks.js";\nexport const REGION = region("ap");\n`;
    const a = `import { pipeline } from "gantry";\nimport { REGION } from "./lib/config.js";\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: REGION });\n});\n`;
    // Failing in the module's own code, read directly or through a helper (from review): no caller either.
    const env = `export const TAG = process.env.TAG;\nexport const helper = () => TAG;\nexport const cfg = { get image() { return "x"; } };\n`;
    const b = `import { pipeline } from "gantry";\nimport { TAG, helper, cfg } from "./lib/env.js";\nexport const b1 = pipeline("b1", {}, (p) => {\n  p.task("t", { image: String(TAG) });\n});\nexport const b2 = pipeline("b2", {}, (p) => {\n  p.task("t", { image: helper() });\n  p.task("u", { image: cfg.image });\n});\n`;
    const r = await compileFiles({ "lib/checks.ts": checks, "lib/config.ts": config, "lib/env.ts": env, "a.ts": a, "b.ts": b }, ["a.ts", "b.ts"]);
    expect(r.diagnostics.map((d) => [where(d), (d.calledFrom ?? []).map((s) => `${s.file}:${s.line}:${s.column}`)])).toEqual([
      [`GANTRY1113 ${loc("lib/checks.ts", checks, "throw")}`, [loc("lib/config.ts", config, 'region("ap")')]],
      [`GANTRY1105 ${loc("lib/env.ts", env, "process")}`, []],
      [`GANTRY1100 ${loc("lib/env.ts", env, "get image")}`, []],
    ]);
  });

  it("a recursion through two files lists each call once", async () => {
    const lib = `export function down(n: number, back: (n: number) => string): string {\n  if (n === 0) throw new Error("bottom");\n  return back(n - 1);\n}\n`;
    const a = `import { pipeline } from "gantry";\nimport { down } from "./lib.js";\nconst up = (n: number): string => down(n, up);\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: up(20) });\n});\n`;
    const r = await compileFiles({ "lib.ts": lib, "a.ts": a }, ["a.ts"]);
    expect(r.diagnostics.map((d) => [where(d), (d.calledFrom ?? []).map((s) => `${s.file}:${s.line}:${s.column}`)])).toEqual([
      [`GANTRY1113 ${loc("lib.ts", lib, "throw")}`, [loc("a.ts", a, "down(n, up)"), loc("lib.ts", lib, "back(n - 1)"), loc("a.ts", a, "up(20)")]],
    ]);
  });

  it("enum edge cases fail where a run would: read before the declaration, a member read before it runs, __proto__, merged with a namespace", async () => {
    const source = body(
      '  const a = Early.A;\n  const b = Fwd.A;\n  const c = Proto.X;\n  const d = WithNs.A;\n  const e = local();',
      'const B = 5;\nconst Late = Early.A;\nenum Early { A = 3 }\nenum Fwd { A = B, B = 1 }\nenum Proto { __proto__ = 1, X = 2 }\nenum WithNs { A = 3 }\nnamespace WithNs { export const extra = "ns"; }\nenum Outer { A = 1 }\nfunction local(): string { const v = String(Outer.A); enum Outer { A = 2 } return v; }\nexport const late = Late;\n',
    );
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1109 ${loc("main.ts", source, "Early.A;\nenum")}`,
      `GANTRY1109 ${loc("main.ts", source, "B, B = 1")}`,
      `GANTRY1100 ${loc("main.ts", source, "__proto__ = 1")}`,
      `GANTRY1100 ${loc("main.ts", source, "WithNs { A")}`,
      `GANTRY1109 ${loc("main.ts", source, "Outer.A); enum")}`,
    ]);
  });

  it("switch and enum diagnostics: a parameter as the value, a case reading another case's const, merged and non-numeric enums", async () => {
    const source = body(
      '  switch (p.params.env) { default: }\n  switch (1) { case 0: const a = "a"; break; case 1: const b = a; }\n  const m = Merged.A;\n  const w = Wrong.A;',
      'enum Merged { A }\nenum Merged { B = 1 }\nenum Wrong { A = true as unknown as number }\n',
    ).replace('pipeline("diag", {}', 'pipeline("diag", { parameters: { env: { default: "dev" } } }');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([
      `GANTRY1100 ${loc("main.ts", source, "Merged { B")}`,
      `GANTRY1109 ${loc("main.ts", source, "true as unknown")}`,
      `GANTRY1112 ${loc("main.ts", source, "p.params.env)")}`,
      `GANTRY1109 ${loc("main.ts", source, "a; }")}`,
    ]);
    expect(ds[3]!.message).toBe('"a" is used before its declaration runs');
  });

  it("JSON modules: the default export only, frozen like module values; a missing file, a named import and invalid JSON are diagnostics", async () => {
    const main = `import { pipeline } from "gantry";
import cfg from "./cfg.json" with { type: "json" };
import * as ns from "./cfg.json";
import { image } from "./cfg.json";
import bad from "./bad.json";
import missing from "./missing.json";
export default pipeline("json", {}, (p) => {
  p.task("t", { image: cfg.image, args: [...cfg.args, Object.keys(ns).join(), String(ns.default === cfg)] });
  const a = cfg.args.push("more");
  const b = image;
  const c = bad;
  const d = missing;
});
`;
    const files = { "main.ts": main, "cfg.json": '\ufeff{ "image": "busybox:1.36", "args": ["a", "b"] }', "bad.json": '{\n  "a": [1, 2 3]\n}\n' };
    const r = await compileFiles(files, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual([
      "GANTRY1002 bad.json:2:14",
      `GANTRY1111 ${loc("main.ts", main, "image }")}`,
      `GANTRY1111 ${loc("main.ts", main, '"./missing.json"')}`,
      `GANTRY1104 ${loc("main.ts", main, "cfg.args.push")}`,
    ]);
    expect(r.diagnostics.find((d) => d.code === "GANTRY1002")!.message).toMatch(/^invalid JSON: /);
    // Only a regular file is a JSON module (a FIFO would block the read): a folder named *.json is not.
    const folder = 'import { pipeline } from "gantry";\nimport d from "./dir.json";\nexport default pipeline("f", {}, (p) => { p.task("t", { image: String(d) }); });\n';
    const notFile = await compileFiles({ "main.ts": folder, "dir.json/x.txt": "" }, ["main.ts"]);
    expect(notFile.diagnostics.map(where)).toEqual([`GANTRY1111 ${loc("main.ts", folder, '"./dir.json"')}`]);
    // Without the failing lines, the document's values compile (its BOM skipped, as Node does).
    const fine = main.split("\n").filter((l) => !/push|image;|bad|missing|\{ image \}/.test(l)).join("\n");
    const ok = await compileFiles({ ...files, "main.ts": fine }, ["main.ts"]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox:1.36");
    expect(ok.pipelines[0]!.ir.tasks[0]!.args).toEqual(["a", "b", "default", "true"]);
  });

  it("invalid JSON nested deeper than TypeScript's parser can go is GANTRY1002 at the start of the document, not a crash (from the crash fuzzer)", async () => {
    const main = `import { pipeline } from "gantry";\nimport deep from "./deep.json";\nexport default pipeline("json", {}, (p) => { p.task("t", { image: String(deep) }); });\n`;
    const r = await compileFiles({ "main.ts": main, "deep.json": "[".repeat(200_000) }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual(["GANTRY1002 deep.json:1:1"]);
    expect(r.diagnostics[0]!.message).toMatch(/^invalid JSON: /);
  });

  it("invalid JSON that TypeScript's parser accepts (a trailing comma, a comment) is placed where it stops being JSON, with a readable message and a code frame (adversarial finding: 1:1, a mangled message)", async () => {
    const main = `import { pipeline } from "gantry";\nimport t from "./tables.json" with { type: "json" };\nimport c from "./commented.json" with { type: "json" };\nexport default pipeline("json", {}, (p) => { p.task("t", { image: String(t) + String(c) }); });\n`;
    const files = { "main.ts": main, "tables.json": '{\n  "tables": ["orders", "users",]\n}\n', "commented.json": '{\n  // the image\n  "image": "x"\n}\n' };
    const r = await compileFiles(files, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual(["GANTRY1002 commented.json:2:3", "GANTRY1002 tables.json:2:32"]);
    expect(r.diagnostics[0]!.message).toMatch(/^invalid JSON: Expected property name or '\}'/);
    expect(r.diagnostics[1]!.message).toBe("invalid JSON: Unexpected token ']'");
    const cwd = tempProject(files);
    const cli = gantry(["compile", "main.ts", "--stdout"], cwd);
    expect(cli.stderr).toContain('> 2 |   "tables": ["orders", "users",]\n    |                                ^');
  });

  it("GANTRY1109: a URI function given a malformed escape fails as it does when the module runs", async () => {
    const source = body('  const v = decodeURIComponent("%E0%A4%A");');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "decodeURIComponent(")}`]);
    expect(ds[0]!.message).toBe("`decodeURIComponent` failed: URI malformed");
  });

  it("GANTRY1109: reading a property of undefined, and a const read before its declaration", async () => {
    const source = body('  const cfg: { image?: { name: string } } = {};\n  const n = cfg.image.name;\n  const early = late;\n  const late = "x";', 'const late = "outer";\n');
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "cfg.image.name")}`, `GANTRY1109 ${loc("main.ts", source, "late;")}`]);
    expect(ds[0]!.message).toBe('cannot read "name" of undefined');
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY1109: an initialisation cycle fails where running the module would (b read before its declaration)", async () => {
    const source = body("  const v = a;", "const a: string = b;\nconst b: string = a;\n");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "b;\n")}`]);
    expect(ds[0]!.message).toBe('"b" is used before its declaration runs');
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY1109: a module constant read by the pipeline body before its declaration", async () => {
    const source = `import { pipeline } from "gantry";
export default pipeline("early", {}, (p) => { p.task("t", { image: IMAGE }); });
const IMAGE = "busybox";
`;
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "IMAGE }")}`]);
  });

  it("a later constant read through a function called after it is declared is fine, as at run time", async () => {
    const source = `import { pipeline } from "gantry";
const image = () => IMAGE;
const IMAGE = "busybox";
export default pipeline("late", {}, (p) => { p.task("t", { image: image() }); });
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.image).toBe("busybox");
  });

  it("GANTRY1110: a cross-module import cycle of values", async () => {
    const a = `import { B } from "./b";\nexport const A: string = B + "a";\n`;
    const b = `import { A } from "./a";\nexport const B: string = A + "b";\n`;
    const source = body("  const v = A;", 'import { A } from "./a";\n');
    const ds = await diagnose(source, { "a.ts": a, "b.ts": b });
    // The cycle, and where running it would fail: b.ts runs first and reads A before a.ts declared it.
    expect(ds.map(where)).toEqual([`GANTRY1110 ${loc("a.ts", a, '"./b"')}`, `GANTRY1109 ${loc("b.ts", b, "A }")}`]);
    expect(ds[0]!.message).toBe("import cycle: a.ts -> b.ts -> a.ts");
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY1110: an import cycle is an error even when its values do not loop, reported once per cycle", async () => {
    const a = `import { helper } from "./b";\nexport const A = "a";\nexport const useB = () => helper();\n`;
    const b = `import { A } from "./a";\nexport const helper = () => A + "!";\n`;
    const source = body("  const v = A + helper();", 'import { A } from "./a";\nimport { helper } from "./b";\n');
    const ds = await diagnose(source, { "a.ts": a, "b.ts": b });
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1110 ${loc("a.ts", a, '"./b"')} import cycle: a.ts -> b.ts -> a.ts`]);
  });

  it("GANTRY1110: imports and re-exports of types only are erased, so they close no cycle; one that also names a value does (review finding)", async () => {
    // a.ts reads a value of b.ts; b.ts passes on only a type of a.ts, which TypeScript's emit drops.
    const a = `import { type Spec, B2 } from "./b";\nexport type Base = string;\nexport const A = "a";\nexport const make = (s: Spec) => [s, B2];\n`;
    const typesOnly = `export { type Base } from "./a";\nexport interface Spec { image: string }\nexport const B2 = "b2";\n`;
    const source = body("  const v = make({ image: A });", 'import { A, make } from "./a";\n');
    const clean = await compileFiles({ "main.ts": source, "a.ts": a, "b.ts": typesOnly }, ["main.ts"]);
    expect(clean.diagnostics).toEqual([]);
    expect(clean.ok).toBe(true);
    const ds = await diagnose(source, { "a.ts": a, "b.ts": typesOnly.replace("export { type Base }", "export { type Base, A as B }") });
    expect(ds.map((d) => d.message)).toEqual(["import cycle: a.ts -> b.ts -> a.ts"]);
  });

  // Module review findings: a chain of imports thousands of files long crashed the cycle check
  // (exit 70), and one of `export *` was "no export", hiding JavaScript's stack running out.
  it("a chain of 6,000 modules in a row compiles; a chain of `export *` or named re-exports too deep to follow is GANTRY1108 at the import", async () => {
    const chain = (n: number, link: (i: number) => string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`lib/m${i}.ts`, i < n - 1 ? link(i + 1) : "export const V = 1;\n"]));
    const source = body("  const v = String(V);", 'import { V } from "./lib/m0.js";\n');
    const imports = await compileFiles({ "main.ts": source, ...chain(6000, (i) => `import "./m${i}.js";\nexport const V = 1;\n`) }, ["main.ts"]);
    expect(imports.diagnostics).toEqual([]);
    for (const link of [(i: number) => `export * from "./m${i}.js";\n`, (i: number) => `export { V } from "./m${i}.js";\n`]) {
      const ds = await diagnose(source, chain(6000, link));
      expect(ds.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", source, "V }")}`]);
      expect(ds[0]!.message).toBe('export "V" of lib/m0.ts passes through re-exports (`export *`, `export { } from`) too many modules deep for Gantry to follow');
    }
    // Imported but only read by code that never runs: linking checks the name, and reports the same (second reader: it crashed).
    const unread = body("", 'import { V } from "./lib/m0.js";\nfunction unused() { return V; }\n');
    const linked = await diagnose(unread, chain(6000, (i) => `export * from "./m${i}.js";\n`));
    expect(linked.map(where)).toEqual([`GANTRY1108 ${loc("main.ts", unread, "V }")}`]);
  }, 60_000);

  it("GANTRY1110: an export that re-exports itself (an index file's `from \"./\"`, or two modules through `export *`) is an error, not a loop (found by the crash fuzzer)", async () => {
    const index = `export { credentials } from "./";\n`;
    const a = `export { x } from "./b";\n`;
    const b = `export * from "./a";\n`;
    const source = body("  const v = [credentials, x];", 'import { credentials } from "./lib";\nimport { x } from "./a";\n');
    const ds = await diagnose(source, { "lib/index.ts": index, "a.ts": a, "b.ts": b });
    // The pipeline stops at its first unresolvable import; a.ts is never read, but it is linked
    // (loaded, as a run loads it before anything runs), so its cycle with b.ts is reported too.
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1110 ${loc("a.ts", a, '"./b"')} import cycle: a.ts -> b.ts -> a.ts`,
      `GANTRY1110 ${loc("lib/index.ts", index, "credentials")} export "credentials" resolves to itself: lib/index.ts ("credentials") -> lib/index.ts ("credentials")`,
      `GANTRY1110 ${loc("lib/index.ts", index, '"./"')} import cycle: lib/index.ts -> lib/index.ts`,
    ]);
    const alone = body("  const v = x;", 'import { x } from "./a";\n');
    const ds2 = await diagnose(alone, { "a.ts": a, "b.ts": b });
    expect(ds2.map((d) => d.message)).toEqual(['export "x" resolves to itself: a.ts ("x") -> b.ts ("x") -> a.ts ("x")', "import cycle: a.ts -> b.ts -> a.ts"]);
  });

  it("GANTRY1109: a constant that reads itself", async () => {
    const source = body("  const v = N;", "const N: number = N + 1;\n");
    const ds = await diagnose(source);
    expect(ds.map(where)).toEqual([`GANTRY1109 ${loc("main.ts", source, "N + 1")}`]);
  });

  it("GANTRY1111: a name two export * provide with different values is ambiguous, as a run says; one binding reached twice is not", async () => {
    const files: Files = {
      "a.ts": `export const x = "a";\nexport * from "./c";\nimport { z } from "./c";\nexport { z as zz };\n`,
      "b.ts": `export const x = "b";\nexport * from "./c";\nexport { z as zz } from "./c";\n`,
      "c.ts": `export const y = "c";\nexport const z = "z";\n`,
      "index.ts": `export * from "./a";\nexport * from "./b";\nexport const own = "o";\n`,
    };
    // A run: importing x fails to link; the namespace leaves x out; y and zz are one binding each, reached twice.
    const ok = `import { pipeline } from "gantry";\nimport { y, zz } from "./index";\nimport * as ns from "./index";\nexport default pipeline("amb", {}, (p) => { p.task("t", { image: "x", args: [y, zz, Object.keys(ns).join(), String("x" in ns)] }); });\n`;
    const r = await compileFiles({ ...files, "main.ts": ok }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.args).toEqual(["c", "z", "own,y,z,zz", "false"]);
    const bad = `import { pipeline } from "gantry";\nimport { x } from "./index";\nexport default pipeline("amb2", {}, (p) => { p.task("t", { image: "x", args: [x] }); });\n`;
    const r2 = await compileFiles({ ...files, "main.ts": bad }, ["main.ts"]);
    expect(r2.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1111 ${loc("main.ts", bad, "x }")} export "x" of index.ts is ambiguous: two \`export *\` provide different values (from a.ts and b.ts)`,
    ]);
    // Imported only by code Gantry never runs: the run still fails to link, so linking reports it.
    const unread = bad.replace("args: [x]", "args: []").replace("export default", "const never = [x];\nexport default");
    const r3 = await compileFiles({ ...files, "main.ts": unread }, ["main.ts"]);
    expect(r3.diagnostics.map(where)).toEqual([`GANTRY1111 ${loc("main.ts", unread, "x }")}`]);
  });

  it("GANTRY1111: a missing relative module and a missing export", async () => {
    const source = body("  const v = X;\n  const w = Y;", 'import { X } from "./nope";\nimport { Y } from "./lib";\n');
    const ds = await diagnose(source, { "lib.ts": "export const Z = 1;\n" });
    expect(ds.map(where)).toEqual([`GANTRY1111 ${loc("main.ts", source, '"./nope"')}`, `GANTRY1111 ${loc("main.ts", source, "Y }")}`]);
    expect(ds.map((d) => d.message)).toEqual(['cannot resolve "./nope" to a TypeScript or JavaScript module', 'module lib.ts has no export "Y"']);
    expect(ds.every((d) => d.hint)).toBe(true);
    expect(ds[1]!.hint).toContain("(`export const Y = ...`)");
    // The hint's example is code that could be written (review finding: it suggested `export const default = ...`).
    const other = body("  const v = [D, S, C];", 'import D from "./lib";\nimport { "two words" as S } from "./lib";\nimport { class as C } from "./lib";\n');
    const hints = (await diagnose(other, { "lib.ts": "export const Z = 1;\n" })).map((d) => d.hint);
    expect(hints).toEqual([expect.stringContaining("(`export default ...`)"), expect.stringContaining('(`export { value as "two words" }`)'), expect.stringContaining("(`export { value as class }`)")]);
  });

  it("linking: what a run loads before anything runs is checked, though no value Gantry reads needs it", async () => {
    // A registry filled by modules imported for their effects: a run has base, extract and load;
    // Gantry, loading a module only when it reads a value of it, compiled base alone, silently.
    const registry = `export const steps: string[] = ["base"];\n`;
    const extract = `import { steps } from "../registry";\nsteps.push("extract");\n`;
    const load = `import { steps } from "../registry";\nconst added = steps.push("load");\n`;
    const index = `export * from "./load";\n`;
    const main = `import { pipeline } from "gantry";
import "./steps/extract";
import { steps } from "./registry";
import * as more from "./steps/index";
import * as dropped from "./steps/load";
const kept = more;
export default pipeline("reg", {}, (p) => { for (const s of steps) p.task(s, { image: "x" }); });
`;
    const r = await compileFiles({ "main.ts": main, "registry.ts": registry, "steps/extract.ts": extract, "steps/load.ts": load, "steps/index.ts": index }, ["main.ts"]);
    // steps/load.ts is reached through \`more\` (a value read by unread code) and steps/index.ts's \`export *\`, not through \`dropped\` (never used).
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1100 ${loc("steps/extract.ts", extract, "steps.push")}`, `GANTRY1104 ${loc("steps/load.ts", load, "steps.push")}`]);
    const unused = await compileFiles({ "main.ts": main.replace("const kept = more;\n", ""), "registry.ts": registry, "steps/extract.ts": extract, "steps/load.ts": load, "steps/index.ts": index }, ["main.ts"]);
    expect(unused.diagnostics.map(where)).toEqual([`GANTRY1100 ${loc("steps/extract.ts", extract, "steps.push")}`]);

    // A module that throws when loaded fails a run, imported for effects or not; so does a name
    // that code a run executes imports but the module lacks, or a module that does not exist.
    const lib = `export const A = "a";\nexport interface Shape { a: string }\nif (A.length > 0) throw new Error("lib refuses to load");\n`;
    const main2 = `import { pipeline } from "gantry";
import { A, Missing, Shape, Unused } from "./lib";
import { pipelin } from "gantry";
import "./nope";
import { Only } from "./types";
const unread = [Missing, pipelin];
const typed: Shape = { a: "x" } as Shape;
export default pipeline("r2", {}, (p) => { p.task("t", { image: "x", args: [typed.a] }); });
`;
    const r2 = await compileFiles({ "main.ts": main2, "lib.ts": lib, "types.ts": "export type Only = string;\n" }, ["main.ts"]);
    expect(r2.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1113 ${loc("lib.ts", lib, 'throw new Error("lib refuses to load")')} the code throws here when the module runs: Error: lib refuses to load`,
      `GANTRY1111 ${loc("main.ts", main2, "Missing")} module lib.ts has no export "Missing"`,
      `GANTRY1111 ${loc("main.ts", main2, "pipelin }")} "gantry" has no export "pipelin"`,
      `GANTRY1111 ${loc("main.ts", main2, '"./nope"')} cannot resolve "./nope" to a TypeScript or JavaScript module`,
    ]);
    // \`Shape\`, used only as a type, and \`Unused\` and \`Only\`, not used as values at all, are dropped by a
    // transpiler, so a run never asks lib.ts or types.ts for them: no diagnostic.

    // Also dropped, or not checked since transpilers disagree: a type re-exported, a name only a
    // local of the same name uses. Kept: a namespace a run exports, a class's base class.
    const types = `export interface Cfg { a: number }\nexport interface Other { b: number }\nexport type Alias = string;\nexport namespace NS { export const v = 1; }\n`;
    const base = `import { steps } from "./registry";\nsteps.push("base-class");\nexport class Base {}\n`;
    const main3 = `import { pipeline } from "gantry";
import { Cfg, Other, Alias, NS } from "./types";
import { Base } from "./base";
import "./reexport";
export type { Cfg };
export { type Alias as A2 };
export { Other as O2 };
export { Alias as A3, Cfg as C3 } from "./types";
function shadow() { const Cfg = 1; return Cfg; }
function unusedNs() { return NS.v; }
class Foo extends Base {}
export default pipeline("r3", {}, (p) => { p.task("t", { image: "x" }); });
`;
    const reexport = `import { Other } from "./types";\nexport { Other };\n`;
    const r3 = await compileFiles({ "main.ts": main3, "types.ts": types, "base.ts": base, "registry.ts": registry, "reexport.ts": reexport }, ["main.ts"]);
    expect(r3.diagnostics.map(where)).toEqual([`GANTRY1100 ${loc("base.ts", base, "steps.push")}`]);
    // An entry's exports are all read, except those only passing on another module's type; a name
    // the module has neither as a value nor as a type is still missing.
    const main4 = `import { pipeline } from "gantry";\nexport { Nope } from "./types";\nexport default pipeline("r4", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const r4 = await compileFiles({ "main.ts": main4, "types.ts": types }, ["main.ts"]);
    expect(r4.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1111 ${loc("main.ts", main4, "Nope")} module types.ts has no export "Nope"`]);
  });

  it("an entry's exports that are types only are not read, however they are passed on; a missing name still is GANTRY1111, and a broken module no crash", async () => {
    const files: Files = {
      "b.ts": `export interface T { a: number }\nexport default interface D { d: string }\nexport type Alias = string;\n`,
      "a.ts": `export { T } from "./b";\n`,
      "star.ts": `export * from "./b";\nexport const v = 1;\n`,
      "local.ts": `interface O { o: number }\nexport { O as Renamed };\nimport type { T } from "./b";\nexport { T };\nimport { type Alias } from "./b";\nexport { Alias };\n`,
      "hidden.ts": `interface Job { j: number }\nexport const other = 1;\n`,
      "broken.ts": `export const x = (;\n`,
      "barrel.ts": `export * from "./broken";\nexport const fine = 1;\n`,
    };
    const main = `import { pipeline } from "gantry";
import { T as ViaImport } from "./a";
import D from "./b";
export { T } from "./a";
export { T as ThroughStar } from "./star";
export { Renamed, T as T2, Alias } from "./local";
export { default as Dflt } from "./b";
export { ViaImport, D };
export default pipeline("types", {}, (p) => { p.task("t", { image: "x" }); });
`;
    const r = await compileFiles({ ...files, "main.ts": main }, ["main.ts"]);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => p.name)).toEqual(["types"]);
    // Not exported by hidden.ts (a run's link error), and a name a barrel with a broken member lacks: diagnostics, not a crash.
    const main2 = `import { pipeline } from "gantry";\nexport { Job } from "./hidden";\nexport { Nope } from "./barrel";\nexport default pipeline("types2", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const r2 = await compileFiles({ ...files, "main.ts": main2 }, ["main.ts"]);
    expect(r2.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["GANTRY1002 broken.ts:1", "GANTRY1111 main.ts:2"]);
  });

  it("linking: an export list that re-exports an import keeps it, so a name the module lacks is GANTRY1111 (a type is not)", async () => {
    const lib = `import { missing, T } from "./c";\nexport { missing, T };\nexport const used = "u";\n`;
    const main = `import { pipeline } from "gantry";\nimport { used } from "./lib";\nexport default pipeline("m", {}, (p) => { p.task("t", { image: "x", args: [used] }); });\n`;
    const r = await compileFiles({ "main.ts": main, "lib.ts": lib, "c.ts": `export const present = 1;\nexport interface T { t: number }\n` }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1111 ${loc("lib.ts", lib, "missing")} module c.ts has no export "missing"`]);
  });

  it("Gantry's stand-ins for built-ins read as native functions, never as Gantry's own source", async () => {
    const source = body("  const fns = [Array.from, Array.of, Object.freeze, Object.hasOwn, \"\".repeat, [].entries];", "");
    const dir = tempProject({ "main.ts": source.replace('p.task("t", { image: "x" })', 'p.task("t", { image: "x", args: [String(fns), `${Array.from}`] })') });
    const r = await compile({ cwd: dir, paths: ["main.ts"], target: "argo", kind: "auto" });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[0]!.args).toEqual([
      ["from", "of", "freeze", "hasOwn", "repeat", "entries"].map((n) => `function ${n}() { [native code] }`).join(),
      "function from() { [native code] }",
    ]);
  });

  it("linking: a linked module's checks have a work budget of their own, whatever the entry's exports spent", async () => {
    const fib = "function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n";
    const side = `${fib}const big = fib(26);\nif (big > 0) throw new Error("side refuses to load");\n`;
    // fib(27) makes 635,621 calls and fib(26) 392,835: together over the budget of 1,000,000.
    const main = `import { pipeline } from "gantry";\nimport "./side";\n${fib}const n = fib(27);\nexport default pipeline("b", {}, (p) => { p.task("t", { image: "x", args: [String(n)] }); });\n`;
    const r = await compileFiles({ "main.ts": main, "side.ts": side }, ["main.ts"]);
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY1113 ${loc("side.ts", side, "throw new Error")} the code throws here when the module runs: Error: side refuses to load`]);
  });

  it("statements nested thousands deep: never an internal error, and an unread declaration that changes a module value is never compiled silently (review finding)", () => {
    // Where the stack runs out depends on the frames' sizes, so every depth must end in a coded error:
    // the finding itself (GANTRY1100/1104), the stack (GANTRY1108) or the parser's limit (GANTRY1001).
    const ifs = (n: number) => "if (true) ".repeat(n);
    const shapes = {
      topLevel: (n: number) => `const arr: number[] = [];\n${ifs(n)}arr.push(1);\n`,
      unread: (n: number) => `const arr: string[] = ["a"];\nconst u = () => { ${ifs(n)}arr.push("b"); return 0; };\nconst v = u();\n`,
    };
    const files: Record<string, string> = {};
    for (const [shape, make] of Object.entries(shapes)) {
      for (const n of [1_000, 1_600, 2_500, 3_000, 3_500]) {
        files[`${shape}${n}.ts`] = `import { pipeline } from "gantry";\n${make(n)}export default pipeline("${shape.toLowerCase()}${n}", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
      }
    }
    const cwd = tempProject(files);
    for (const file of Object.keys(files)) {
      const r = gantry(["compile", file, "--stdout"], cwd);
      expect(r.stderr, file).not.toContain("internal error");
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(/error GANTRY(1100|1104|1108|1001):/);
      // The hint names what ran out of stack here: nested statements, not nested values.
      if (r.stderr.includes("GANTRY1108")) expect(r.stderr, file).toContain("hint: Statements nested thousands of levels deep");
    }
  });

  it("GANTRY1001: a file TypeScript cannot parse (too deeply nested) or read, says why", async () => {
    const deep = `export const n = ${"(".repeat(20_000)}1${")".repeat(20_000)};\n`;
    const source = body("  const v = n;", 'import { n } from "./deep.js";\n');
    const r = await compileFiles({ "main.ts": source, "deep.ts": deep });
    const why = "it is nested too deeply to parse (the parser ran out of stack)";
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      // As an entry, at its start (a diagnostic without a place has no annotation in CI); as an import, at the import.
      `GANTRY1001 deep.ts:1:1 cannot read deep.ts: ${why}`,
      `GANTRY1001 ${loc("main.ts", source, '"./deep.js"')} cannot read deep.ts: ${why}`,
    ]);
    // Why a read failed, without the absolute path Node's message has (compile output never holds one).
    const cwd = tempProject({ "dir.ts/x.txt": "" });
    const program = createSourceProgram(cwd);
    expect(program.file(path.join(cwd, "dir.ts"))).toBeUndefined();
    expect(program.failure(path.join(cwd, "dir.ts"))).toBe("it is a directory");
    expect(program.file(path.join(cwd, "gone.ts"))).toBeUndefined();
    expect(program.failure(path.join(cwd, "gone.ts"))).toBe("no such file");
  });

  it("GANTRY1122: console logging is evaluated and prints nothing, a warning once per place, in helpers, the body and at top level; its arguments' errors are still errors", async () => {
    const source = `import { pipeline } from "gantry";
const config = { image: "busybox:1.36" };
console.log(config);
function tag(t: string) { console.debug("tagging", t); return \`load-\${t}\`; }
export default pipeline("logs", {}, (p) => {
  for (const t of ["a", "b"]) p.task(tag(t), { image: config.image });
  console.info(\`\${p.params}\`);
});
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `warning GANTRY1122 ${loc("main.ts", source, "console.log")}`,
      `warning GANTRY1122 ${loc("main.ts", source, "console.debug")}`,
      `warning GANTRY1122 ${loc("main.ts", source, "console.info")}`,
    ]);
    expect(r.diagnostics[0]!.message).toBe("`console.log` prints nothing at compile time: Gantry reads the module without running it");
    expect(r.pipelines[0]!.ir.tasks.map((t) => t.name)).toEqual(["load-a", "load-b"]);
    const bad = body("  console.warn(nope);\n  const shadow = ((console: { log: (x: string) => string }) => console.log(\"x\"))({ log: (x) => x });");
    const rb = await compileFiles({ "main.ts": bad });
    expect(rb.diagnostics.map(where)).toEqual([`GANTRY1101 ${loc("main.ts", bad, "nope")}`]);
  });

  it("reports every independent error of a file in one run (statement-level recovery)", async () => {
    const source = body('  const a = Date.now();\n  const b = nope;\n  let c = 1;\n  c++;\n  p.task("u", { image: a });\n  p.task("v", { image: undefined as any as string });\n  const log = console.log;', "const top = Math.random();\nexport const alsoBad = top;\n");
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1105 ${loc("main.ts", source, "Math.random")}`,
      `GANTRY1105 ${loc("main.ts", source, "Date")}`,
      `GANTRY1101 ${loc("main.ts", source, "nope")}`,
      `GANTRY1104 ${loc("main.ts", source, "c++")}`,
      `GANTRY1102 ${loc("main.ts", source, "console")}`,
    ]);
  });

  it("an error in one file does not hide other files' diagnostics, nor leak into them", async () => {
    const files = {
      "lib.ts": "export const L = [1, 2;\n",
      "a.ts": `import { pipeline } from "gantry";\nimport { L } from "./lib";\nexport default pipeline("uses-broken-lib", {}, (p) => { p.task("t", { image: "x", args: L.map(String) }); });\n`,
      "b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => { p.task("t", { image: nope }); });\n`,
      "c.ts": `import { pipeline } from "gantry";\nexport default pipeline("c", {}, (p) => { p.task("Bad_Name", { image: "x" }); });\n`,
      "d.ts": `import { pipeline } from "gantry";\nexport default pipeline("d", {}, (p) => { p.task("t", { image: "x" });\n`,
      "e.ts": `import { pipeline } from "gantry";\nexport default pipeline("e", {}, (p) => { p.task("t", { image: "x" }); });\n`,
    };
    const r = await compileFiles(files);
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1101 ${loc("b.ts", files["b.ts"], "nope")}`,
      `GANTRY2005 ${loc("c.ts", files["c.ts"], '"Bad_Name"')}`,
      "GANTRY1002 d.ts:3:1",
      `GANTRY1002 ${loc("lib.ts", files["lib.ts"], ";")}`,
    ]);
    // The pipeline that imports the mis-parsed module is not compiled from a guessed value.
    expect(r.pipelines.map((p) => p.name)).toEqual(["e"]);
  });

  it("a value that failed once fails every pipeline that uses it, without further noise", async () => {
    const source = `import { pipeline } from "gantry";
const stamp = Date.now();
const tagged = (s: string) => s + nope;
export const a = pipeline("a", {}, (p) => { p.task("t", { image: String(stamp) }); p.task("u", { image: tagged("x") }); });
export const b = pipeline("b", {}, (p) => { p.task("t", { image: String(stamp) }); p.task("u", { image: tagged("y") }); });
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY1105 ${loc("main.ts", source, "Date")}`, `GANTRY1101 ${loc("main.ts", source, "nope")}`]);
    expect(r.pipelines).toEqual([]);
  });

  it("a helper with a failed statement reports it and every other error in its body, and its callers add none", async () => {
    // Before: the helper went on past its failed statement and returned undefined (or the other branch),
    // so each caller added `cannot read "image" of undefined`.
    const source = `import { pipeline } from "gantry";
function cfg(): { image: string } {
  const c = { image: process.env.IMAGE! };
  const d = new Date();
  return c;
}
function pick(env: string): string[] {
  if (env === Date.now().toString()) return ["eu"];
  return ["us", "eu"];
}
export default pipeline("helpers", {}, (p) => {
  p.task("a", { image: cfg().image });
  const wide = [1, 2].map((i) => cfg().image + i);
  p.task("b", { image: "x", args: wide.map(String) });
  p.task("c", { image: "x", args: pick("x") });
  p.task("d", { image: undefinedName });
});
`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY1105 ${loc("main.ts", source, "process")}`,
      `GANTRY1105 ${loc("main.ts", source, "new Date()")}`,
      `GANTRY1105 ${loc("main.ts", source, "Date.now")}`,
      `GANTRY1101 ${loc("main.ts", source, "undefinedName")}`,
    ]);
    expect(r.pipelines).toEqual([]);
  });
});

describe("the host is unreachable", () => {
  it.each([
    ["({}).constructor", "({}).constructor"],
    ['"x".constructor', '"x".constructor'],
    ["[].constructor.constructor(...)()", '[].constructor.constructor("globalThis.__gantryRan = 1; return process")()'],
    ["p.task.call", '(p.task as any).call(p, "sneaky", { image: "x" })'],
    ["Object.getPrototypeOf", "(Object as any).getPrototypeOf({})"],
    ["__proto__", "({} as any).__proto__"],
    ["String.prototype", "(String as any).prototype"],
    ["a DSL function's prototype", "(pipeline as any).prototype"],
    ["a method borrowed from a prototype", '({} as any).hasOwnProperty("a")'],
    ["a bound built-in's call", '"x".toString.call(1)'],
  ])("%s is a diagnostic and runs nothing", async (_name, expression) => {
    const source = `import { pipeline } from "gantry";\nexport default pipeline("proto", {}, (p) => {\n  const v = ${expression};\n  p.task("t", { image: "x" });\n});\n`;
    const r = await compileFiles({ "main.ts": source });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["GANTRY1102"]);
    expect(r.diagnostics[0]!.span).toMatchObject({ file: "main.ts", line: 3 });
    expect(r.diagnostics[0]!.hint).toBeTruthy();
    expect(r.pipelines).toEqual([]);
    expect((globalThis as Record<string, unknown>).__gantryRan).toBeUndefined();
  });

  it("Object.freeze leaves host functions alone", async () => {
    const ir = await onePipeline({
      "main.ts": `import { pipeline } from "gantry";\nconst S = Object.freeze(String);\nexport default pipeline("f", {}, (p) => { p.task("t", { image: "x", args: [S(1)] }); });\n`,
    });
    expect(task(ir, "t").args).toEqual(["1"]);
    expect(Object.isFrozen(String)).toBe(false);
  });
});
