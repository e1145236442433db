/**
 * Token-level mutation of TypeScript sources, for the crash fuzz test (test/crash-fuzz.test.ts).
 * Tokens come from TypeScript's own scanner; every mutation splices text between token boundaries,
 * so most mutants still parse and reach the evaluator, the validator and the backends.
 */
import { ts } from "ts-morph";

export interface Token {
  kind: ts.SyntaxKind;
  start: number;
  end: number;
  text: string;
}

/** The tokens of `text` (trivia skipped), template literals rescanned as the parser would. */
export function tokenize(text: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const tokens: Token[] = [];
  // Brace depth at which each open template substitution started.
  const templates: number[] = [];
  let depth = 0;
  for (let guard = 0; guard < 200_000; guard++) {
    let kind = scanner.scan();
    if (kind === ts.SyntaxKind.EndOfFileToken) break;
    if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
    else if (kind === ts.SyntaxKind.CloseBraceToken) {
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === ts.SyntaxKind.TemplateTail) templates.pop();
      } else depth--;
    } else if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) {
      // A regular expression only where an operand may start.
      const prev = tokens[tokens.length - 1];
      if (!prev || isPunctuation(prev.kind)) kind = scanner.reScanSlashToken();
    }
    if (kind === ts.SyntaxKind.TemplateHead) templates.push(depth);
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();
    tokens.push({ kind, start, end, text: text.slice(start, end) });
  }
  return tokens;
}

const isPunctuation = (k: ts.SyntaxKind) =>
  k >= ts.SyntaxKind.FirstPunctuation && k <= ts.SyntaxKind.LastPunctuation && k !== ts.SyntaxKind.CloseParenToken && k !== ts.SyntaxKind.CloseBracketToken && k !== ts.SyntaxKind.CloseBraceToken;

export const isIdentifier = (t: Token) => t.kind === ts.SyntaxKind.Identifier;
export const isLiteral = (t: Token) =>
  t.kind === ts.SyntaxKind.StringLiteral ||
  t.kind === ts.SyntaxKind.NumericLiteral ||
  t.kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
  t.kind === ts.SyntaxKind.TrueKeyword ||
  t.kind === ts.SyntaxKind.FalseKeyword ||
  t.kind === ts.SyntaxKind.NullKeyword ||
  t.kind === ts.SyntaxKind.BigIntLiteral;
const isOperator = (t: Token) => t.kind >= ts.SyntaxKind.FirstBinaryOperator && t.kind <= ts.SyntaxKind.LastBinaryOperator;
const isKeyword = (t: Token) => t.kind >= ts.SyntaxKind.FirstKeyword && t.kind <= ts.SyntaxKind.LastKeyword;

const LITERALS = [
  '""', '"x"', '"busybox:1.36"', '"1Gi"', '"a-b"', '"UPPER_case"', '"{{params.x}}"', '"{{run.status}}"', '"-1"', '"\\u0000"', '"🚀"', '"x".repeat(300)',
  "0", "1", "-1", "1.5", "NaN", "Infinity", "-0", "1e309", "2 ** 53", "0x10", "10n", "Number.MAX_SAFE_INTEGER",
  "null", "undefined", "true", "false", "[]", "{}", "[[]]", "[undefined]", "[null]", "{ a: 1 }", "{ __proto__: null }", '{ ["__proto__"]: 1 }',
  "`t${1}`", "``", "void 0", "/x/", "{ toString: 1 }", "{ valueOf: null, toString: null }", "{ toString: () => 1 }", "JSON.parse(\"[\".repeat(20000) + \"]\".repeat(20000))", "JSON.parse('{\"__proto__\": 1}')", "Symbol.iterator", "globalThis", "this", "arguments", "Object", "Array", "JSON",
];
const OPERATORS = ["+", "-", "*", "/", "%", "**", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "&&", "||", "??", "&", "|", "^", "<<", ">>", ">>>", "in", "instanceof", ",", "=", "+=", "??=", "||=", "&&="];
const KEYWORDS = ["const", "let", "var", "export", "default", "function", "return", "if", "else", "for", "of", "in", "new", "await", "async", "yield", "typeof", "void", "delete", "class", "import", "as", "type", "this", "super", "while", "do", "switch", "case", "break", "continue", "throw", "try", "catch", "finally", "static", "enum", "declare", "namespace", "satisfies", "keyof", "readonly", "get", "set"];
const PREFIXES = ["await ", "new ", "...", "?.", "!", "typeof ", "-", "+", "~", "void ", "delete ", "yield ", "async ", "<any>", "@x ", "#", "..."];
const SUFFIXES = ["!", "?.", "?.x", "?.[0]", "?.()", "()", "[0]", ".length", ".map((x) => x)", " as any", " satisfies {}", "++", "--", "[\"__proto__\"]", ".constructor", ".toString()", ".prototype", "[Symbol.iterator]", ".then(() => 1)"];
const WRAPS: ((x: string) => string)[] = [
  (x) => `(() => ${x})()`,
  (x) => `((y) => y)(${x})`,
  (x) => `[${x}]`,
  (x) => `[...${x}]`,
  (x) => `{ ...${x} }`,
  (x) => `({ k: ${x} })`,
  (x) => `(${x})`,
  (x) => `(0, ${x})`,
  (x) => `(${x} ?? ${x})`,
  (x) => `(${x} || ${x})`,
  (x) => `(true ? ${x} : ${x})`,
  (x) => `\`\${${x}}\``,
  (x) => `[${x}].flat()`,
  (x) => `Object.keys(${x})`,
  (x) => `Object.entries(${x})`,
  (x) => `Object.fromEntries(${x})`,
  (x) => `JSON.stringify(${x})`,
  (x) => `String(${x})`,
  (x) => `Number(${x})`,
  (x) => `Array.from(${x})`,
  (x) => `[${x}].map((v) => v)[0]`,
  (x) => `[${x}].find(Boolean)`,
  (x) => `((...a) => a)(${x})`,
  (x) => `(function () { return ${x}; })()`,
  (x) => `(async () => ${x})()`,
  (x) => `{ get k() { return ${x}; } }`,
  (x) => `${x}.concat(${x})`,
  (x) => `${x}[${x}]`,
  (x) => `(${x} as const)`,
  (x) => `<T,>(t: T) => ${x}`,
];
/** Statements inserted at statement boundaries. */
const STATEMENTS = [
  "export const extra = 1;",
  "export const extra = [];",
  "export default 1;",
  "export { };",
  "export * from \"./lib/index.js\";",
  "export * from \"gantry\";",
  "export * as ns from \"./lib/naming.js\";",
  "export { pipeline } from \"gantry\";",
  "import * as gg from \"gantry\";",
  "import def from \"gantry\";",
  "import type { Nope } from \"./nope.js\";",
  "import \"./lib/index.js\";",
  "import x = require(\"gantry\");",
  "for (const x of [1, 2]) {}",
  "for (;;) {}",
  "while (true) {}",
  "if (x) {} else {}",
  "label: { break label; }",
  "class A { static x = 1; }",
  "enum E { A, B = A }",
  "namespace N { export const x = 1; }",
  "declare const d: any;",
  "function f(a = f()) { return f(a); }",
  "function* g() { yield 1; }",
  "async function h() { await 1; }",
  "const [a, ...b] = [1, 2, 3];",
  "const { a: { b } = {} } = {};",
  "let z; z = 1;",
  "throw new Error(\"boom\");",
  "try { x(); } catch (e) { e; } finally {}",
  "switch (1) { case 1: break; default: }",
  "debugger;",
  "export const p2 = pipeline(\"p2\", {}, (p) => { p.task(\"t\", { image: \"busybox\" }); });",
  "export const arr = [pipeline, pipeline];",
  "export const self = self;",
  "export const rec = () => rec();",
  "export const obj = { get x() { return obj.x; } };",
  "Object.defineProperty(globalThis, \"x\", { get() { throw 1; } });",
  "export const big = Array.from({ length: 100000 }, (_, i) => i);",
  "export const str = \"x\".repeat(1e7);",
  "export const arr2 = new Array(1e9);",
  "export const s2 = [1, 2].sort((a, b) => { throw a; });",
  "export const d2 = Object.freeze({}).x.y;",
  "export const pr = Object.prototype;",
  "export const t = typeof undefinedThing;",
];

export interface Mutation {
  name: string;
  text: string;
}

/** Picks from a seeded random source. */
export class Picker {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
}

const splice = (text: string, start: number, end: number, insert: string) => text.slice(0, start) + insert + text.slice(end);

/** A token the mutation applies to, or undefined when the file has none of that kind. */
function pickToken(g: Picker, tokens: readonly Token[], filter: (t: Token) => boolean = () => true): Token | undefined {
  const candidates = tokens.filter(filter);
  return candidates.length > 0 ? g.pick(candidates) : undefined;
}

/** Deep nesting around an expression: parens, arrays, arrows, objects, calls, ternaries, templates. */
function nest(g: Picker, x: string): string {
  const depth = g.pick([10, 50, 200, 600, 1500, 2500, 5000]);
  const shape = g.int(9);
  switch (shape) {
    case 0:
      return "(".repeat(depth) + x + ")".repeat(depth);
    case 1:
      return "[".repeat(depth) + x + "]".repeat(depth) + "[0]".repeat(g.chance(0.5) ? depth : 0);
    case 2:
      return "(() => ".repeat(depth) + x + ")()".repeat(depth);
    case 3:
      return "{ a: ".repeat(depth) + x + " }".repeat(depth);
    case 4:
      return "((v) => v)(".repeat(depth) + x + ")".repeat(depth);
    case 5:
      return "true ? ".repeat(depth) + x + " : 0".repeat(depth);
    case 6:
      return Array.from({ length: depth }, () => x).join(" + ");
    case 7:
      return "`${".repeat(depth) + x + "}`".repeat(depth);
    default:
      return "!".repeat(depth) + x;
  }
}

/** An expression-like token: the operand a prefix, suffix, wrap or nest applies to. */
const isOperand = (t: Token) => isIdentifier(t) || isLiteral(t) || t.kind === ts.SyntaxKind.CloseParenToken || t.kind === ts.SyntaxKind.CloseBracketToken;

/** One random token-level mutation of `text`; `others` are the texts of other seeds (for crossover). */
export function mutate(g: Picker, text: string, others: readonly string[] = []): Mutation {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { name: "insert-statement", text: g.pick(STATEMENTS) + "\n" + text };
  const t = g.pick(tokens);
  const kind = g.int(22);
  switch (kind) {
    case 0:
      return { name: "delete-token", text: splice(text, t.start, t.end, "") };
    case 1:
      return { name: "duplicate-token", text: splice(text, t.start, t.end, `${t.text} ${t.text}`) };
    case 2: {
      const i = tokens.indexOf(t);
      const u = tokens[i + 1];
      if (!u) return { name: "delete-token", text: splice(text, t.start, t.end, "") };
      return { name: "swap-tokens", text: text.slice(0, t.start) + u.text + text.slice(t.end, u.start) + t.text + text.slice(u.end) };
    }
    case 3: {
      const ids = tokens.filter(isIdentifier);
      const a = pickToken(g, tokens, isIdentifier);
      if (!a) break;
      return { name: "replace-identifier", text: splice(text, a.start, a.end, g.pick(ids).text) };
    }
    case 4: {
      const a = pickToken(g, tokens, isLiteral);
      if (!a) break;
      return { name: "replace-literal", text: splice(text, a.start, a.end, g.pick(LITERALS)) };
    }
    case 5: {
      const a = pickToken(g, tokens, (x) => isOperator(x) || x.kind === ts.SyntaxKind.DotToken || x.kind === ts.SyntaxKind.QuestionDotToken || x.kind === ts.SyntaxKind.EqualsGreaterThanToken);
      if (!a) break;
      return { name: "replace-operator", text: splice(text, a.start, a.end, ` ${g.pick(OPERATORS)} `) };
    }
    case 6: {
      const a = pickToken(g, tokens, isOperand);
      if (!a) break;
      return { name: "insert-prefix", text: splice(text, a.start, a.start, g.pick(PREFIXES)) };
    }
    case 7: {
      const a = pickToken(g, tokens, isOperand);
      if (!a) break;
      return { name: "insert-suffix", text: splice(text, a.end, a.end, g.pick(SUFFIXES)) };
    }
    case 8: {
      const a = pickToken(g, tokens, (x) => isIdentifier(x) || isLiteral(x));
      if (!a) break;
      return { name: "wrap", text: splice(text, a.start, a.end, g.pick(WRAPS)(a.text)) };
    }
    case 9:
      return { name: "truncate", text: text.slice(0, t.start) };
    case 10: {
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.StringLiteral && /^["'](\.|gantry)/.test(x.text));
      if (!a) break;
      const paths = ['"./lib/index.js"', '"./lib"', '"./lib/"', '"./lib/index"', '"./lib/index.ts"', '"./lib/index.mjs"', '"./lib/regions.mjs"', '"./lib/regions.mts"', '"./lib/warehouse"', '"./lib/nope.js"', '"../x.js"', '"../../../../etc/passwd"', '"./"', '"."', '""', '"gantry/testing"', '"gantry/"', '"Gantry"', '"node:fs"', '"fs"', '"./index.js"', '"./orders-etl.js"', '"./hello-world.js"', '"/abs/path.js"', '"./lib/index.js?x"', '"./lib/index.d.ts"', '"./lib/warehouse/index.js"', '"./lib/../lib/index.js"', '"./lib/teams.js"', '"./lib/chain.js"', '"./lib/config"'];
      return { name: "change-import-path", text: splice(text, a.start, a.end, g.pick(paths)) };
    }
    case 11: {
      const a = pickToken(g, tokens, (x) => isIdentifier(x) || isLiteral(x));
      if (!a) break;
      return { name: "deep-nesting", text: splice(text, a.start, a.end, nest(g, a.text)) };
    }
    case 12: {
      const a = pickToken(g, tokens, (x) => isKeyword(x) || isIdentifier(x));
      if (!a) break;
      return { name: "replace-keyword", text: splice(text, a.start, a.end, ` ${g.pick(KEYWORDS)} `) };
    }
    case 13: {
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.SemicolonToken || x.kind === ts.SyntaxKind.CloseBraceToken);
      if (!a) break;
      return { name: "insert-statement", text: splice(text, a.end, a.end, `\n${g.pick(STATEMENTS)}\n`) };
    }
    case 14: {
      // Remove `export` (or `default`), or rename an exported name.
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.ExportKeyword || x.kind === ts.SyntaxKind.DefaultKeyword);
      if (!a) break;
      const i = tokens.indexOf(a);
      const next = tokens[i + 1];
      if (g.chance(0.5) || !next) return { name: "delete-export", text: splice(text, a.start, a.end, "") };
      // The first identifier after `export`: the exported name (or a keyword we skip).
      const name = tokens.slice(i + 1, i + 4).find(isIdentifier);
      if (!name) return { name: "delete-export", text: splice(text, a.start, a.end, "") };
      return { name: "rename-export", text: splice(text, name.start, name.end, g.pick([`${name.text}Renamed`, "default", "then", "__proto__", "constructor", "toString", "pipeline"])) };
    }
    case 15: {
      // Crossover: a token range from another seed in place of one of ours.
      if (others.length === 0) break;
      const other = tokenize(g.pick(others));
      if (other.length < 2) break;
      const i = g.int(other.length);
      const j = Math.min(other.length - 1, i + g.int(12));
      const inserted = other.slice(i, j + 1).map((x) => x.text).join(" ");
      const k = tokens.indexOf(t);
      const u = tokens[Math.min(tokens.length - 1, k + g.int(4))]!;
      return { name: "crossover", text: splice(text, t.start, u.end, inserted) };
    }
    case 16: {
      // Delete a balanced-ish range of tokens.
      const k = tokens.indexOf(t);
      const u = tokens[Math.min(tokens.length - 1, k + 1 + g.int(8))]!;
      return { name: "delete-range", text: splice(text, t.start, u.end, "") };
    }
    case 17: {
      // Duplicate a range of tokens (a property, an argument, a statement...).
      const k = tokens.indexOf(t);
      const u = tokens[Math.min(tokens.length - 1, k + 1 + g.int(10))]!;
      return { name: "duplicate-range", text: splice(text, u.end, u.end, " " + text.slice(t.start, u.end)) };
    }
    case 18: {
      // A string literal replaced by an edge-case string of the same kind.
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.StringLiteral || x.kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral);
      if (!a) break;
      const strings = ['""', '" "', '"a".repeat(64)', '"x\\ny"', '"{{params.}}"', '"{{params.nope}}"', '"{{ params.x }}"', '"{{"', '"}}"', '"${x}"', '"-"', '"A"', '"a/b"', '"a.b"', '"1"', '"*/5 * * * *"', '"61 * * * *"', '"@daily"', '"0Gi"', '"-1Gi"', '"1e3"', '"999999999999999999999Gi"', '"Europe/Nowhere"', '"\\ud800"', '"\\u202e"', '"constructor"', '"__proto__"', '"hasOwnProperty"', '"toString"', '"valueOf"'];
      return { name: "edge-string", text: splice(text, a.start, a.end, g.pick(strings)) };
    }
    case 19: {
      // Number literal to an edge-case number.
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.NumericLiteral);
      if (!a) break;
      return { name: "edge-number", text: splice(text, a.start, a.end, g.pick(["0", "-1", "1.5", "1e21", "NaN", "Infinity", "-Infinity", "2147483648", "9007199254740993", "0.1", "-0", "1e-7", "201", "250", "-2"])) };
    }
    case 20: {
      // Character-level noise: an odd character at a token boundary.
      return { name: "insert-char", text: splice(text, t.start, t.start, g.pick(["\u0000", "\uFEFF", "\u2028", "\\", "'", '"', "`", "@", "#", "}", "{", "(", ")", "[", "]", "<", ">", ";", ",", "/*", "//", "\n", "$"])) };
    }
    default: {
      // A pipeline body / spec property, from a pool, inserted after `{` or `,`.
      const a = pickToken(g, tokens, (x) => x.kind === ts.SyntaxKind.OpenBraceToken || x.kind === ts.SyntaxKind.CommaToken);
      if (!a) break;
      const props = ["after: [undefined],", "after: [1],", "after: \"x\",", "retry: { limit: -1 },", "retry: 3,", "retry: { limit: 2, backoff: { duration: \"x\" } },", "timeout: \"0s\",", "timeout: 5,", "env: { A: undefined },", "env: [],", "env: { \"1\": 1 },", "volumes: [{}],", "volumes: [null],", "resources: { limits: { cpu: 0 } },", "labels: { \"\": \"\" },", "schedule: \"* * * * *\",", "schedule: { cron: 1 },", "parameters: { x: {} },", "parameters: [],", "defaults: null,", "setups: [],", "setups: [1],", "trigger: \"x\",", "allowFailure: 1,", "source: 1,", "command: \"sh\",", "image: \"\",", "image: undefined,", "namespace: \"\",", "securityContext: { runAsUser: 0 },", "tolerations: [{}],", "affinity: 1,", "owner: {},", "...null,", "...undefined,", "...1,", "...\"str\",", "...[1, 2],", "[\"__proto__\"]: {},", "__proto__: null,", "get image() { return \"busybox\"; },", "[Symbol.iterator]: 1,", "toString: 1,", "constructor: 1,"];
      return { name: "insert-property", text: splice(text, a.end, a.end, ` ${g.pick(props)} `) };
    }
  }
  // The chosen mutation did not apply to this file: delete a token instead.
  return { name: "delete-token", text: splice(text, t.start, t.end, "") };
}

/** `n` mutations in a row (names joined). */
export function mutateMany(g: Picker, text: string, n: number, others: readonly string[] = []): Mutation {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = mutate(g, text, others);
    names.push(m.name);
    text = m.text;
  }
  return { name: names.join("+"), text };
}
