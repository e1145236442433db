/**
 * Random programs in the static subset (docs/dsl.md, "What you can write"), for the differential fuzz
 * test of the static evaluator. A program is a prelude of top-level constants and helpers, statements
 * in the pipeline body, and an array-of-strings expression for task "t"'s args; every value it computes
 * is also computed by running the module, and the two must agree.
 *
 * Everything is drawn from a seeded rng, so a failure reproduces from its seed. Generation is
 * typed loosely (n: number, s: string, b: boolean, as/an/au: arrays of strings/numbers/anything,
 * o: object, u: anything) so most programs evaluate without throwing; the ones that throw in
 * JavaScript must be rejected statically, which the harness checks too.
 *
 * It also draws, now and then, the constructs of the evaluator bugs it found (FOUND_BUGS, fixed in
 * src/phases/2-analyze), so they stay fixed.
 */
import type { Program } from "./differential.js";

type T = "n" | "s" | "b" | "as" | "an" | "au" | "o" | "u";

/** The constructs of the bugs this fuzzer found, one per bug; `foundBugString` generates them. */
export const FOUND_BUGS = [
  "`__proto__: v` as a non-computed key in an object literal (sets the prototype in JavaScript)",
  "spreading an array with holes into an array literal, and `...rest` of array destructuring over holes",
  "`.name` of a method or property function with a computed, numeric or quoted key",
  "`.name` of a function bound through parentheses, `as` or `satisfies`: `const f = (() => 1)`",
  "TypeScript `this` parameters",
  "`var` declarations",
  "built-in methods read off their receiver (`const f = s.toUpperCase; f()`; `s.at === s.at`; `s.at.name`)",
  "`Number.length`, `typeof Object`, `typeof Array`, enumerating `Math`/`JSON`/`Object`/`Number`",
  "object-to-primitive TypeErrors and RangeErrors thrown outside a call (top-level `export const`)",
  "an own `__proto__` key (`{ [\"__proto__\"]: v }`) copied by object rest destructuring `const { ...rest } = o`",
  "a top-level declaration nothing reads that pushes into a module-level array (`const added = xs.push(v)`)",
] as const;

const NUMS = [
  "0", "-0", "1", "-1", "2", "3", "7", "10", "0.1", "0.2", "(0.1 + 0.2)", "1.5", "-2.5", "2.5", "1e21", "1e-7", "123.456",
  "NaN", "Infinity", "-Infinity", "2 ** 53", "0x1F", "1_000", "5e-324", "1.7976931348623157e308", ".5", "255", "-7", "100",
  "0.000001", "1e300", "12345678901234567890", "0b101", "0o17", "4.35", "1.005", "-1e-7", "9007199254740993",
];
const STRS = [
  `""`, `"a"`, `"abc"`, `" x "`, `"10"`, `"9"`, `"-0"`, `"1e3"`, `"0x10"`, `"A-b_c"`, `"constructor"`, `"h\\u00e9llo"`, `"ß"`,
  `"İ"`, `"a,b,,c"`, `"$&"`, `"$1"`, `"$$"`, `"$'"`, "\"\\ud83d\\ude00x\"", `"NaN"`, `"null"`, `" 12px"`, `"true"`, `"toString"`,
  `"length"`, `"\\t\\n "`, `"a-b-c"`, `"0"`, `"1"`, `"-1"`, `"Infinity"`, `"e\\u0301"`, `'q"uote'`, `"b"`, `"B"`, `"z"`, `"  "`,
  `"1.50"`, `"0.1"`, `"__proto__"`, `"ab ab"`, `"x.y.z"`, `"%"`, `"a b&c=d"`,
];
const TEMPLATE_TEXT = ["", "-", " ", "\\n", "\\u{1F600}", "$", "\\`", "\\${", "a\\tb", "=", "{", "}", "x"];
const KEYS = ["a", "b", "c", `"b-c"`, "1", "0", `"10"`, "2", "z", "constructor", "length", `"toString"`, "1.5", "0x10", "1_0", "1e3"];

export function randomProgram(r: () => number): Program {
  return new Generator(r).program();
}

interface Fn {
  name: string;
  params: T[];
  /** Parameters with defaults may be passed `undefined` (or `null`, which keeps null). */
  optional: boolean[];
  result: T;
}

class Generator {
  private counter = 0;
  /** Variables visible now, innermost last. */
  private vars: { name: string; type: T }[] = [];
  private fns: Fn[] = [];
  /** Statement nesting depth: bounds helpers, loops and blocks. */
  private level = 0;

  constructor(private readonly r: () => number) {}

  private int = (n: number) => Math.floor(this.r() * n);
  private chance = (p: number) => this.r() < p;
  private pick = <X>(xs: readonly X[]): X => xs[this.int(xs.length)]!;
  private fresh = (prefix: string) => `${prefix}${this.counter++}`;
  /** String literals ("__proto__" among them, which object rest destructuring once lost). */
  private readonly strs: readonly string[] = STRS;

  program(): Program {
    const prelude: string[] = [];
    const nHelpers = this.int(4);
    for (let i = 0; i < nHelpers; i++) prelude.push(this.topLevel());
    // FOUND_BUGS: an unread declaration that changes a constant the pipeline reads (a run pushes).
    const arrays = this.vars.filter((v) => v.type === "as" || v.type === "an" || v.type === "au");
    if (arrays.length && this.chance(0.15)) {
      const target = this.pick(arrays).name;
      prelude.push(this.chance(0.5) ? `const ${this.fresh("pushed")} = ${target}.push(${this.expr("u", 1)} as never);` : `const ${this.fresh("pushed")} = [${this.expr("u", 1)}].forEach((x) => ${target}.push(x as never));`);
    }
    // Gantry evaluates only the constants something reads, a run all of them (docs/dsl.md): read them all.
    const constants = this.vars.map((v) => v.name);
    const body: string[] = constants.length ? [`  const all = [${constants.join(", ")}];`] : [];
    const nStatements = this.int(4);
    for (let i = 0; i < nStatements; i++) body.push(this.statement("  "));
    const items: string[] = [];
    const nItems = 1 + this.int(5);
    for (let i = 0; i < nItems; i++) items.push(this.stringItem(3));
    return { prelude: prelude.join("\n"), body: body.join("\n"), args: `[${items.join(", ")}]` };
  }

  /** A top-level declaration: a constant or a helper function. */
  private topLevel(): string {
    const k = this.int(10);
    if (k < 3) {
      const type = this.anyType();
      const name = this.fresh("c");
      // An exported constant is evaluated outside any call, where host TypeErrors crash the compiler (a known bug).
      const decl = `${this.pick(["const", "let", "export const"])} ${name} = ${this.expr(type, 3)};`;
      this.vars.push({ name, type });
      return decl;
    }
    return this.helper();
  }

  private anyType(): T {
    return this.pick<T>(["n", "s", "s", "b", "as", "an", "au", "o", "u"]);
  }

  /** A helper: arrow, function declaration (block body with if/for...of), closure factory, recursion, or object with methods. */
  private helper(): string {
    const kind = this.int(6);
    const name = this.fresh("h");
    const nParams = 1 + this.int(2);
    const params: T[] = [];
    const optional: boolean[] = [];
    for (let i = 0; i < nParams; i++) params.push(this.pick<T>(["n", "s", "s", "as", "an", "o", "u"]));
    const result = this.pick<T>(["n", "s", "s", "b", "as", "au"]);
    const propertyValue = this.expr("s", 1);
    const saved = this.vars;
    this.vars = [...saved];
    const paramText = params.map((type, i) => {
      const p = `${name}p${i}`;
      this.vars.push({ name: p, type });
      const hasDefault = this.chance(0.3);
      optional.push(hasDefault);
      return hasDefault ? `${p}: any = ${this.expr(type, 1)}` : `${p}: any`;
    });
    let text: string;
    if (kind === 0 || kind === 1) {
      text = `const ${name} = (${paramText.join(", ")}) => ${this.wrapObject(this.expr(result, 3))};`;
    } else if (kind === 2) {
      this.level++;
      const lines = [];
      const n = 1 + this.int(3);
      for (let i = 0; i < n; i++) lines.push(this.statement("  "));
      lines.push(`  if (${this.expr("b", 2)}) return ${this.expr(result, 2)};`);
      lines.push(`  return ${this.expr(result, 3)};`);
      this.level--;
      text = `function ${name}(${paramText.join(", ")}) {\n${lines.join("\n")}\n}`;
    } else if (kind === 3) {
      // Bounded recursion over a counter parameter: n counts down to 0.
      const acc = `${name}acc`;
      this.vars.push({ name: acc, type: result });
      const step = this.expr(result, 2);
      text = `function ${name}(n: number, ${acc}: any): any { if (n <= 0) return ${acc}; return ${name}(n - 1, ${step}); }`;
      this.vars = saved;
      const fn: Fn = { name: `((a: any) => ${name}(${this.int(6)}, a))`, params: [result], optional: [false], result };
      this.fns.push(fn);
      return text;
    } else if (kind === 4) {
      // A closure factory: the outer parameters are captured by the inner function.
      const inner = this.fresh("q");
      this.vars.push({ name: inner, type: "s" });
      text = `const ${name} = (${paramText.join(", ")}) => (${inner}: any) => ${this.wrapObject(this.expr(result, 3))};`;
      this.vars = saved;
      const outerArgs = params.map((t) => this.expr(t, 1)).join(", ");
      this.fns.push({ name: `${name}(${outerArgs})`, params: ["s"], optional: [false], result });
      return text;
    } else {
      // An object with a method and a function-valued property.
      text = `const ${name} = { m(${paramText.join(", ")}) { return ${this.expr(result, 3)}; }, v: ${propertyValue} };`;
      this.vars = saved;
      this.vars.push({ name: `${name}.v`, type: "s" });
      this.fns.push({ name: `${name}.m`, params, optional, result });
      return text;
    }
    this.vars = saved;
    this.fns.push({ name, params, optional, result });
    return text;
  }

  /** An object literal as an arrow's expression body needs parentheses. */
  private wrapObject(e: string): string {
    return e.startsWith("{") ? `(${e})` : e;
  }

  /** A statement of the pipeline body or a helper; declares variables visible to what follows. */
  private statement(indent: string): string {
    const k = this.int(10);
    if (k < 4) {
      const type = this.anyType();
      const name = this.fresh("v");
      const s = `${indent}${this.pick(["const", "let"])} ${name} = ${this.expr(type, 3)};`;
      this.vars.push({ name, type });
      return s;
    }
    if (k < 6) return this.chance(0.7) ? this.destructuring(indent) : this.extraStatement(indent);
    if (k < 8 && this.level < 2) return this.loop(indent);
    if (k < 9 && this.level < 2 && this.chance(0.4)) return this.switchStatement(indent);
    if (k < 9 && this.level < 2) {
      // if/else that pushes into a fresh array.
      const name = this.fresh("v");
      const out = `${indent}const ${name}: any[] = [];\n${indent}if (${this.expr("b", 2)}) ${name}.push(${this.expr("s", 2)});\n${indent}else if (${this.expr("b", 2)}) { ${name}.push(${this.expr("n", 2)}); } else ${name}.push(${this.expr("u", 1)});`;
      this.vars.push({ name, type: "au" });
      return out;
    }
    const name = this.fresh("v");
    const s = `${indent}const ${name} = ${this.expr("as", 3)};`;
    this.vars.push({ name, type: "as" });
    return s;
  }

  /** switch over a value of any type: cases of several types, fall-through, `default` anywhere, break. */
  private switchStatement(indent: string): string {
    const name = this.fresh("v");
    const subject = this.expr(this.pick<T>(["s", "n", "u", "b"]), 2);
    const clauses: string[] = [];
    const n = 1 + this.int(4);
    const defaultAt = this.chance(0.6) ? this.int(n + 1) : -1;
    for (let i = 0; i <= n; i++) {
      const label = i === defaultAt ? "default:" : `case ${this.pick([this.pick(this.strs), this.pick(NUMS), "undefined", "null", "true", this.expr(this.pick<T>(["s", "n"]), 1)])}:`;
      const body = this.chance(0.25) ? "" : ` ${name}.push(${this.expr(this.pick<T>(["s", "n", "u"]), 1)});${this.chance(0.6) ? " break;" : ""}`;
      clauses.push(`${indent}  ${label}${body}`);
    }
    this.vars.push({ name, type: "au" });
    return `${indent}const ${name}: any[] = [];\n${indent}switch (${subject}) {\n${clauses.join("\n")}\n${indent}}`;
  }

  private destructuring(indent: string): string {
    if (this.chance(0.5)) {
      const init = this.expr("o", 2);
      const keys = [...new Set([this.pick(["a", "b", "c", "z"]), this.pick(["a", "b", "c", "z"])])];
      const parts = keys.map((k) => {
        const name = this.fresh("d");
        this.vars.push({ name, type: "u" });
        const dflt = this.chance(0.5) ? ` = ${this.expr("s", 1)}` : "";
        return `${k}: ${name}${dflt}`;
      });
      if (this.chance(0.4)) {
        const rest = this.fresh("d");
        parts.push(`...${rest}`);
        this.vars.push({ name: rest, type: "o" });
      }
      return `${indent}const { ${parts.join(", ")} } = ${init} as any;`;
    }
    const init = this.expr(this.pick<T>(["as", "an", "au", "s"]), 2);
    const parts: string[] = [];
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.2)) {
        parts.push("");
        continue;
      }
      const name = this.fresh("d");
      this.vars.push({ name, type: "u" });
      parts.push(this.chance(0.5) ? `${name} = ${this.expr("n", 1)}` : name);
    }
    if (this.chance(0.4)) {
      const rest = this.fresh("d");
      parts.push(`...${rest}`);
      this.vars.push({ name: rest, type: "au" });
    }
    return `${indent}const [${parts.join(", ")}] = ${init} as any;`;
  }

  /** Nested destructuring, closures made in loops, hoisted declarations, shadowing, early returns. */
  private extraStatement(indent: string): string {
    const name = this.fresh("v");
    switch (this.int(6)) {
      case 0: {
        const init = this.expr("o", 2);
        const a = this.fresh("d"), b = this.fresh("d"), c = this.fresh("d");
        this.vars.push({ name: a, type: "u" }, { name: b, type: "u" }, { name: c, type: "u" });
        return `${indent}const { a: ${a} = ${this.expr("s", 1)}, z: { q: ${b} = ${this.expr("n", 1)}, ...${c} } = ${this.pick(["{}", "{ q: null }", "{ q: undefined, r: 1 }", "{ q: 0 }"])} } = ${init} as any;`;
      }
      case 1: {
        const src = this.expr(this.pick<T>(["as", "an"]), 2);
        this.vars.push({ name, type: "au" });
        return `${indent}const ${name}f: any[] = [];\n${indent}for (const x of ${src}) ${name}f.push((y: any = x) => \`\${x}/\${y}\`);\n${indent}const ${name} = ${name}f.map((f: any, i: number) => (i % 2 ? f() : f(${this.pick(["null", "undefined", "0", '"y"'])})));`;
      }
      case 2: {
        const f = this.fresh("g");
        this.vars.push({ name, type: "s" });
        return `${indent}const ${name} = ${f}(${this.expr("s", 1)});\n${indent}function ${f}(x: any): string { for (const c of x) { if (c === ${this.pick(this.strs)}) return "found:" + c; } return x.length > 2 ? ${f}(x.slice(1)) : "end"; }`;
      }
      case 3: {
        const inner = this.vars.length ? this.pick(this.vars).name : "shadow";
        if (inner.includes(".")) return `${indent}const ${name} = 0;`;
        this.vars.push({ name, type: "s" });
        return `${indent}const ${name}a: any[] = [];\n${indent}{ const ${inner} = ${this.expr("s", 1)}; ${name}a.push(${inner}); }\n${indent}const ${name} = ${name}a.join() + String(${inner});`;
      }
      case 4: {
        this.vars.push({ name, type: "s" });
        const params = this.pick(["({ a, b = \"B\", ...r }: any = {})", "([x, y = 1, ...r]: any = [])", "(x?: any, ...r: any[])"]);
        return `${indent}const ${name} = JSON.stringify([(${params} => [${params.includes("{") ? "a, b" : "x"}, r])(${this.pick(["", "undefined", "null as any", this.expr("o", 1), this.expr("as", 1)])})]) ?? "-";`;
      }
      default: {
        this.vars.push({ name, type: "s" });
        const call = this.pick(["Math.max(...XS)", "Math.min(...XS, 0)", "[...XS].length", "String([...XS, ...\"ab\"])", "Array.of(...XS).join(\"/\")"]);
        return `${indent}const ${name} = String(${call.replaceAll("XS", `(${this.expr("an", 2)})`)});`;
      }
    }
  }

  /** for...of with continue/break, pushing into a fresh array. */
  private loop(indent: string): string {
    const acc = this.fresh("v");
    const x = this.fresh("x");
    const elem: T = this.pick<T>(["s", "n", "u"]);
    let source = this.expr(elem === "s" ? this.pick<T>(["as", "s"]) : elem === "n" ? "an" : "au", 2);
    // An array's values() iterator, stepped by the loop (a string has none: only arrays').
    if (elem !== "s" && this.chance(0.2)) source = `(${source}).values()`;
    this.level++;
    const saved = this.vars;
    this.vars = [...saved, { name: x, type: elem }];
    const lines = [`${indent}const ${acc}: any[] = [];`, `${indent}for (const ${x} of ${source}) {`];
    if (this.chance(0.4)) lines.push(`${indent}  if (${this.expr("b", 2)}) continue;`);
    if (this.chance(0.3)) lines.push(`${indent}  if (${this.expr("b", 2)}) break;`);
    if (this.chance(0.3)) lines.push(this.statement(indent + "  "));
    lines.push(`${indent}  ${acc}.push(${this.expr(this.pick<T>(["s", "n", "u"]), 2)});`);
    lines.push(`${indent}}`);
    this.vars = saved;
    this.level--;
    this.vars.push({ name: acc, type: "au" });
    return lines.join("\n");
  }

  /** An expression of type string, for args. */
  private stringItem(depth: number): string {
    const t = this.anyType();
    const e = this.expr(t, depth);
    switch (this.int(6)) {
      case 0: return `String(${e})`;
      case 1: return `\`${this.pick(TEMPLATE_TEXT)}\${${e}}${this.pick(TEMPLATE_TEXT)}\``;
      case 2: return `(JSON.stringify(${e}) ?? "u")`;
      case 3: return `typeof (${this.expr(t, 1)})`;
      case 4: return `"" + (${e})`;
      default: return `String(${this.expr("s", depth)})`;
    }
  }

  private variable(type: T): string | undefined {
    const matching = this.vars.filter((v) => v.type === type || (type === "u" && this.chance(0.3)));
    return matching.length ? this.pick(matching).name : undefined;
  }

  private callOf(type: T, depth: number): string | undefined {
    const fns = this.fns.filter((f) => f.result === type || (type === "u" && f.result !== "b"));
    if (!fns.length) return undefined;
    const f = this.pick(fns);
    const args = f.params.map((t, i) => (f.optional[i] && this.chance(0.4) ? this.pick(["undefined", "null"]) : this.expr(t, depth - 1)));
    // Trailing undefined arguments may be left out.
    while (args.length && args[args.length - 1] === "undefined" && this.chance(0.5)) args.pop();
    return `${f.name}(${args.join(", ")})`;
  }

  expr(type: T, depth: number): string {
    if (depth <= 0 || this.chance(0.15)) return this.leaf(type);
    if (this.chance(0.12)) {
      const v = this.variable(type);
      if (v) return v;
    }
    if (this.chance(0.1)) {
      const c = this.callOf(type, depth);
      if (c) return c;
    }
    if (this.chance(0.06)) return `(${this.expr("b", depth - 1)} ? ${this.expr(type, depth - 1)} : ${this.expr(type, depth - 1)})`;
    if (this.chance(0.06)) {
      // The result has the type asked for whichever side is taken.
      const op = this.pick(["??", "||", "&&"]);
      const left = this.chance(0.5) ? this.expr(type, depth - 1) : this.pick(op === "??" ? ["null", "undefined"] : op === "||" ? ["null", "undefined", "0", "-0", "NaN", '""', "false"] : ["true", "1", '"s"', "[]", "{}"]);
      return `(${left} ${op} ${this.expr(type, depth - 1)})`;
    }
    const d = depth - 1;
    switch (type) {
      case "n": return this.num(d);
      case "s": return this.str(d);
      case "b": return this.bool(d);
      case "as": return this.arrStr(d);
      case "an": return this.arrNum(d);
      case "au": return this.arrAny(d);
      case "o": return this.obj(d);
      case "u": return this.expr(this.pick<T>(["n", "s", "b", "as", "an", "au", "o"]), depth);
    }
  }

  private leaf(type: T): string {
    const v = this.chance(0.4) ? this.variable(type) : undefined;
    if (v) return v;
    switch (type) {
      case "n": return this.pick(NUMS);
      case "s": return this.pick(this.strs);
      case "b": return this.pick(["true", "false"]);
      case "as": return `[${this.list(() => this.pick(this.strs), 3)}]`;
      case "an": return `[${this.list(() => this.pick(NUMS), 3)}]`;
      case "au": return `[${this.list(() => this.leaf(this.pick<T>(["n", "s", "b", "u"])), 3)}]`;
      case "o": {
        // Distinct keys (see obj).
        const keys = [...new Set([this.pick(["a", "b", "c"]), this.pick(["1", "z", `"b-c"`]), this.pick(["0", "constructor", "length"])])].slice(0, this.int(4));
        return `{ ${keys.map((k) => `${k}: ${this.pick(this.strs)}`).join(", ")} }`;
      }
      case "u": return this.pick(["null", "undefined", ...NUMS.slice(0, 6), ...this.strs.slice(0, 6), "true", "[]", "{}", "[null]", "[undefined, 1]", "[[1, 2], [3]]"]);
    }
  }

  private list(f: () => string, max: number): string {
    const n = this.int(max + 1);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out.join(", ");
  }

  private small = () => this.pick(["0", "1", "2", "3", "-1", "-2", "5", "10", "-0", "1.5", "NaN", "Infinity", "-Infinity", "100"]);

  private num(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(22)) {
      case 0: case 1: return `(${e("n")} ${this.pick(["+", "-", "*", "/", "%"])} ${e("n")})`;
      case 2: return `(${e("n")} ** ${this.pick(["0", "1", "2", "3", "-1", "0.5", "-0.5", "NaN"])})`;
      case 3: return `${this.pick(["-", "+"])}${e(this.pick<T>(["n", "s", "b", "u"]))}`;
      case 4: return `${e(this.pick<T>(["s", "as", "an"]))}.length`;
      case 5: return `${e("s")}.${this.pick(["indexOf", "lastIndexOf"])}(${e("s")}${this.chance(0.3) ? `, ${this.small()}` : ""})`;
      case 6: return `${e("an")}.${this.pick(["indexOf", "lastIndexOf"])}(${e("n")})`;
      case 7: return `Math.${this.pick(["floor", "ceil", "round", "abs", "trunc", "sign"])}(${e("n")})`;
      case 8: return `Math.${this.pick(["min", "max"])}(${this.list(() => e("n"), 3)})`;
      case 9: return `Number(${e(this.pick<T>(["s", "b", "u", "as"]))})`;
      case 10: return `parseInt(${e("s")}${this.chance(0.5) ? `, ${this.pick(["10", "16", "2", "36", "0", "1", "37"])}` : ""})`;
      case 11: return `parseFloat(${e("s")})`;
      case 12: return `${e("an")}.reduce((a: any, b: any) => a ${this.pick(["+", "-", "*"])} b${this.chance(0.6) ? `, ${e("n")}` : ""})`;
      case 13: return `${e("an")}.findIndex((x: any) => x ${this.pick(["<", ">", "==="])} ${e("n")})`;
      case 14: return `(${e("an")}.find((x: any) => x ${this.pick(["<", ">", "==="])} ${e("n")}) ?? ${e("n")})`;
      case 15: return `(${e("an")}.at(${this.small()}) ?? ${e("n")})`;
      case 16: return `Math.pow(${e("n")}, ${this.pick(["2", "0.5", "-1", "0"])})`;
      case 17: return `Number.${this.pick(["parseInt", "parseFloat"])}(${e("s")})`;
      case 18: return `(${e("u")}, ${e("n")})`;
      case 19: return `Object.keys(${e(this.pick<T>(["o", "as", "s"]))}).length`;
      case 20: return `Math.PI`;
      default: return `${e("an")}.reduce((a: any, b: any) => Math.max(a, b), -Infinity)`;
    }
  }

  private str(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    const n = () => (this.chance(0.6) ? this.small() : e("n"));
    switch (this.int(40)) {
      case 0: case 1: return `\`${this.pick(TEMPLATE_TEXT)}\${${e(this.anyType())}}${this.pick(TEMPLATE_TEXT)}\${${e(this.anyType())}}\``;
      case 2: return `String(${e(this.anyType())})`;
      case 3: return `(${e("s")} + ${e(this.anyType())})`;
      case 4: return `(${e(this.pick<T>(["n", "b", "u"]))} + ${e("s")})`;
      case 5: return `${e("s")}.slice(${n()}${this.chance(0.5) ? `, ${n()}` : ""})`;
      case 6: return `${e("s")}.substring(${n()}${this.chance(0.5) ? `, ${n()}` : ""})`;
      case 7: return `(${e("s")}.at(${n()}) ?? "none")`;
      case 8: return `${e("s")}.charAt(${n()})`;
      case 9: return `${e("s")}.${this.pick(["padStart", "padEnd"])}(${this.pick(["0", "3", "5", "-1", "NaN"])}${this.chance(0.6) ? `, ${this.pick(this.strs)}` : ""})`;
      case 10: return `${e("s")}.repeat(${this.pick(["0", "1", "2", "3", "1.9"])})`;
      case 11: return `${e("s")}.split(${e("s")}${this.chance(0.4) ? `, ${this.pick(["0", "1", "2", "-1", "NaN", "undefined"])}` : ""}).join(${this.pick(this.strs)})`;
      case 12: return `${e("s")}.${this.pick(["replace", "replaceAll"])}(${e("s")}, ${this.chance(0.2) ? `(m: string, i: number) => m.toUpperCase() + i` : e("s")})`;
      case 13: return `${e("s")}.${this.pick(["toUpperCase", "toLowerCase", "trim", "trimStart", "trimEnd", "toString"])}()`;
      case 14: return `${e("s")}.concat(${this.list(() => e(this.anyType()), 2)})`;
      case 15: return `${e("s")}.normalize(${this.pick([`"NFD"`, `"NFC"`, `"NFKC"`, ""])})`;
      case 16: return `${e("n")}.toString(${this.pick(["", "2", "16", "36", "10"])})`;
      case 17: return `${e("n")}.toFixed(${this.pick(["", "0", "1", "2", "5", "20"])})`;
      case 18: return `${e(this.pick<T>(["as", "an", "au"]))}.join(${this.chance(0.7) ? this.pick(this.strs) : ""})`;
      case 19: return `(JSON.stringify(${e(this.anyType())}) ?? "undef")`;
      case 20: return `typeof ${e(this.anyType())}`;
      case 21: return `${this.pick(["encodeURIComponent", "encodeURI", "decodeURIComponent", "decodeURI"])}(${this.chance(0.3) ? this.pick([`"%"`, `"%E0%A4%A"`, `"a%20b%2F"`, `"\\uD800"`]) : e("s")})`;
      case 22: return `(${e("o")}[${e("s")}] ?? ${e("s")})`;
      case 23: return `String(${e("o")}.${this.pick(["a", "b", "z", "length"])})`;
      case 24: return `(${e("as")}[${n()}] ?? "missing")`;
      case 25: return `(${e("s")}[${n()}] ?? "-")`;
      case 26: return `String(${e("b")} ? ${e("s")} : ${e("n")})`;
      case 27: return `String(${e(this.anyType())} ${this.pick(["==", "!=", "===", "!==", "<", "<=", ">", ">="])} ${e(this.anyType())})`;
      case 28: return `Object.entries(${e("o")}).map(([k, v]: any) => \`\${k}=\${v}\`).join(${this.pick([`"&"`, `","`])})`;
      case 29: return `JSON.stringify(${e("o")})`;
      case 30: return `String(${e("o")}?.${this.pick(["a", "b"])} ?? ${e("u")})`;
      case 31: return this.chance(0.5)
        ? `String((${this.pick(["null", "undefined"])} as any)?.${this.pick(["a", "b"])}${this.pick([".c", "?.c", "[0]", "()", ".length", ".c.d()", "!.c"])})`
        : `String((${e("o")} as any)${this.pick(["?.a?.length", "?.[\"b\"]", ".m?.(1)", "?.a?.(1)", ".z?.q.r", "?.a?.at?.(-1)"])})`;
      case 32: return `[${this.list(() => e("u"), 3)}].join(${this.pick([`"|"`, ""])})`;
      case 33: return `String([${e("u")}, , ${e("u")}].${this.pick(["length", "join()", "indexOf(undefined)", "includes(undefined)"])})`;
      case 34: return this.foundBugString(d);
      case 35: return `String(${e("as")}.${this.pick(["includes", "indexOf", "lastIndexOf"])}(${e("s")}))`;
      case 36: return this.chance(0.5) ? `String([${this.list(() => e("n"), 3)}].includes(NaN))` : `String([${this.list(() => e("n"), 3)}].indexOf(NaN))`;
      case 37: return `String((${this.fnExpr()}).${this.pick(["name", "length"])})`;
      case 38: return `(${e("s")}.${this.pick(["startsWith", "endsWith", "includes"])}(${e("s")}${this.chance(0.3) ? `, ${n()}` : ""}) ? "y" : "n")`;
      default: {
        const compare = this.chance(0.5) ? "" : "(a: any, b: any) => (a < b ? 1 : a > b ? -1 : 0)";
        switch (this.int(13)) {
          case 12: return this.pick([
            () => `${e("n")}.${this.pick(["toPrecision", "toExponential"])}(${this.pick(["", "0", "1", "3", "21", "101", "NaN"])})`,
            () => `String(${e("s")}.${this.pick(["charCodeAt", "codePointAt"])}(${n()}))`,
            () => `${e(this.pick<T>(["as", "an", "au"]))}.toString()`,
            () => `${e(this.pick<T>(["as", "au"]))}.toSpliced(${n()}${this.chance(0.6) ? `, ${n()}` : ""}${this.chance(0.5) ? `, ${e("s")}` : ""}).join()`,
            () => `${e(this.pick<T>(["as", "an"]))}.with(${n()}, ${e("s")}).join()`,
          ])();
          case 11: return `(() => { const out: string[] = []; for (const k in ${e(this.pick<T>(["o", "as", "s"]))}) { if (k === ${e("s")}) continue; out.push(k); } return out.join(); })()`;
          case 10: return this.chance(0.7)
            ? `({ v: ${e(this.anyType())}, m() { return String(this.v) + [1].map(() => typeof this)[0]; } }).m()`
            : `(() => { const o = { v: ${e("s")}, f(this: any) { return typeof this; } }; const g = o.f; return o.f() + g(); })()`;
          case 8: return `(() => { const c: any = { ...${e("o")} }; c[${e(this.pick<T>(["s", "n"]))}] = ${e(this.anyType())}; c.n ??= ${e("n")}; c.n ${this.pick(["+=", "-=", "*=", "/=", "%=", "**="])} ${e(this.pick<T>(["n", "s", "b"]))}; c.k ${this.pick(["||=", "&&=", "??="])} ${e("s")}; c.m = c.m ?? 0; ${this.pick(["c.m++", "++c.m", "c.m--", "--c.m"])}; return JSON.stringify(c); })()`;
          case 9: return `(() => { const a: any[] = [...${e("as")}]; a[${this.small()}] = ${e("s")}; a.length = ${this.pick(["0", "1", "2", "3", "5"])}; return a.join(); })()`;
          case 5: return `String(${e(this.pick<T>(["s", "n"]))} in ${e(this.pick<T>(["o", "as"]))})`;
          case 6: return `String(Object.hasOwn(${e(this.pick<T>(["o", "as", "s"]))}, ${e(this.pick<T>(["s", "n"]))}))`;
          case 7: return `JSON.stringify(Object.assign({}, ${e("o")}, ${e(this.pick<T>(["o", "as", "s", "u"]))}))`;
          case 0: return `[...${e(this.pick<T>(["as", "an", "au"]))}].sort(${compare}).join()`;
          case 1: return `[...${e("as")}].reverse().join()`;
          case 2: return `[...${e(this.pick<T>(["as", "au"]))}.entries()].map(([i, v]: any) => i + ":" + v).join()`;
          case 3: return `Array.from(${e("as")}.${this.pick(["keys", "values"])}()).join()`;
          default: return `${e("as")}.toSorted(${compare}).join()`;
        }
      }
    }
  }

  /** A function value whose name and length JavaScript infers. */
  private fnExpr(): string {
    const known = this.fns.filter((f) => !f.name.includes("("));
    if (known.length && this.chance(0.5)) return this.pick(known).name;
    return this.pick([
      "(a: any, b = 1, ...c: any[]) => a",
      "function named(x: any, y: any) { return x; }",
      "({ f: (a: any) => a }).f",
      "({ m(a: any, b: any) { return a; } }).m",
      "String",
      "Object.keys",
      "Math.max",
      "parseInt",
      "encodeURIComponent",
    ]);
  }

  /** The constructs of the bugs this fuzzer found (FOUND_BUGS). */
  private foundBugString(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(10)) {
      case 9: return `Object.keys((({ ...r }: any) => r)({ ["__proto__"]: ${e("u")}, a: 1 })).join()`;
      case 0: return `Object.keys({ __proto__: ${this.pick(["null", "{ x: 1 }", `"s"`])}, a: ${e("s")} }).join()`;
      case 1: return `String([...[${e("u")}, , ${e("u")}]].length)`;
      case 2: return `({ ["k" + ${e("s")}]: () => 1, 1: () => 2, "q-r": () => 3 })[${this.pick([`"q-r"`, "1"])}].name`;
      case 3: return `((x: any) => x.name)((() => 1) as any)`;
      case 4: return `${e("s")}.${this.pick(["at", "slice", "trim"])}.name`;
      case 5: return `String(Number.length)`;
      case 6: return `typeof ${this.pick(["Object", "Array"])}`;
      case 7: return `JSON.stringify(${this.pick(["Math", "JSON", "Object", "Number"])})`;
      default: return `String((function (this: void, a: any) { return a; })(${e("s")}))`;
    }
  }

  private bool(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(12)) {
      case 0: case 1: return `(${e(this.anyType())} ${this.pick(["==", "!=", "===", "!==", "<", "<=", ">", ">="])} ${e(this.anyType())})`;
      case 2: return `!${e(this.anyType())}`;
      case 3: return `Boolean(${e(this.anyType())})`;
      case 4: return `${e("s")}.${this.pick(["startsWith", "endsWith", "includes"])}(${e("s")})`;
      case 5: return `${e(this.pick<T>(["as", "an", "au"]))}.includes(${e("u")})`;
      case 6: return `${e("an")}.${this.pick(["some", "every"])}((x: any) => x ${this.pick(["<", ">", "===", "!=="])} ${e("n")})`;
      case 7: return `Array.isArray(${e("u")})`;
      case 8: return this.chance(0.5) ? `Number.${this.pick(["isInteger", "isFinite"])}(${e("u")})` : `${this.pick(["isNaN", "isFinite"])}(${e(this.pick<T>(["n", "s", "b", "u"]))} as any)`;
      case 9: return `(${e("b")} ${this.pick(["&&", "||"])} ${e("b")})`;
      case 10: return `(typeof ${e("u")} === ${this.pick([`"string"`, `"number"`, `"object"`, `"undefined"`, `"boolean"`])})`;
      default: return `(${e("u")} ?? ${e("b")}) ${this.pick(["===", "=="])} ${e("u")}`;
    }
  }

  private arrStr(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(16)) {
      case 0: return `[${this.list(() => (this.chance(0.2) ? `...${e("as")}` : e("s")), 4)}]`;
      case 1: return `${e("an")}.map((x: any, i: number) => ${this.pick(["`${x}:${i}`", "String(x * 2)", "x.toFixed(1)", "String(-x)"])})`;
      case 2: return `${e("as")}.filter((x: any) => ${this.pick(["x.length > 1", "x !== \"a\"", "!!x", "x < \"b\""])})`;
      case 3: return `${e("as")}.flatMap((x: any) => ${this.pick(["[x, x]", "x ? [x.toUpperCase()] : []", "[[x]]", "x"])}).map(String)`;
      case 4: return `${e("as")}.slice(${this.small()}${this.chance(0.5) ? `, ${this.small()}` : ""})`;
      case 5: return `${e("as")}.concat(${this.list(() => e(this.pick<T>(["s", "as"])), 2)})`;
      case 6: return `${e("s")}.split(${this.pick([`""`, `","`, `"-"`, `" "`, `"ab"`])}${this.chance(0.3) ? `, ${this.pick(["0", "1", "2", "-1"])}` : ""})`;
      case 7: return `Object.keys(${e(this.pick<T>(["o", "as", "s"]))})`;
      case 8: return `Object.values(${e("o")}).map(String)`;
      case 9: return `Object.entries(${e("o")}).map(([k, v]: any) => k + "=" + v)`;
      case 10: return `Array.from(${e("s")})`;
      case 11: return `${e("as")}.toSorted(${this.chance(0.5) ? "" : "(a: any, b: any) => b.length - a.length"})`;
      case 12: return `${e("as")}.toReversed()`;
      case 13: return `Array.of(${this.list(() => e("s"), 3)})`;
      case 14: return `[${this.list(() => e("as"), 3)}].flat().map(String)`;
      default: return `Array.from({ length: ${this.pick(["0", "1", "3", "2.5"])} }, (_: any, i: number) => ${e("s")} + i)`;
    }
  }

  private arrNum(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(8)) {
      case 0: return `[${this.list(() => (this.chance(0.2) ? `...${e("an")}` : e("n")), 4)}]`;
      case 1: return `${e("an")}.map((x: any) => x ${this.pick(["*", "+", "-", "%", "/"])} ${e("n")})`;
      case 2: return `${e("an")}.filter((x: any) => x ${this.pick(["<", ">", "===", "!=="])} ${e("n")})`;
      case 3: return `${e("as")}.map(Number)`;
      case 4: return `${e("an")}.toSorted(${this.pick(["", "(a: any, b: any) => a - b", "(a: any, b: any) => b - a"])})`;
      case 5: return `${e("as")}.map((s: any) => s.length)`;
      case 6: return `[${this.list(() => e("n"), 2)}].concat(${e("an")})`;
      default: return `${e("as")}.map(parseFloat)`;
    }
  }

  private arrAny(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(7)) {
      case 0: return `[${this.list(() => e("u"), 4)}]`;
      case 1: return `[${this.list(() => e("u"), 3)}].flat(${this.pick(["", "0", "1", "Infinity"])})`;
      case 2: return `Object.entries(${e("o")})`;
      case 3: return `${e("au")}.map((x: any) => x ?? ${e("s")})`;
      case 4: return `${e("au")}.filter((x: any) => ${this.pick(["x", "!x", "x == null", "typeof x === \"string\""])})`;
      case 5: return `[${e("u")}, ${e("u")}].toSorted()`;
      default: return `${e("as")}.map((s: any, i: number, all: any) => all.length - i)`;
    }
  }

  private property(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(8)) {
      case 0: return `...${e(this.pick<T>(["o", "o", "as", "s", "u"]))}`;
      case 1: return `[${e(this.pick<T>(["s", "n"]))}]: ${e("u")}`;
      case 2: return `${this.pick(KEYS)}: ${e("u")}`;
      case 3: return `${this.pick(["a", "b", "z"])}: ${e("s")}`;
      case 4: return `["__proto__"]: ${e("u")}`;
      case 5: return `${this.pick(["a", "b"])}(x: any) { return x; }`;
      default: return `${this.pick(KEYS)}: ${e("s")}`;
    }
  }

  private obj(d: number): string {
    const e = (t: T) => `(${this.expr(t, d)})`;
    switch (this.int(6)) {
      case 0: case 1: case 2: {
        // No literal key twice: TypeScript rejects it (TS1117) and the transpiler that runs the module drops
        // the first one, which moves the key (`{ c: 1, b: 2, a: 3, b: 4 }` runs with keys c, a, b).
        const used = new Set<string>();
        const canonical = (key: string) => (/^[\d.]/.test(key) ? String(Number(key.replace(/_/g, ""))) : key.replace(/^"|"$/g, ""));
        const props = this.list(() => {
          const p = this.property(d);
          const key = /^(\.\.\.|\[)/.test(p) ? undefined : canonical(p.match(/^("[^"]*"|[\w.]+)/)![1]!);
          if (key === undefined) return p;
          if (used.has(key)) return `...${e("o")}`;
          used.add(key);
          return p;
        }, 4);
        return `{ ${props} }`;
      }
      case 3: return `Object.fromEntries(${e("as")}.map((k: any, i: number) => [k, ${this.pick(["i", "k + i", "-i"])}]))`;
      case 4: return `JSON.parse(JSON.stringify(${e("o")}))`;
      default: return `{ ...${e("o")}, ...${e("o")} }`;
    }
  }
}
