/**
 * Deterministic YAML. Key order is the order objects were built in (backends build them in a fixed
 * order and sort free-form maps); undefined fields are dropped; long strings are never folded.
 *
 * The block structure (maps, sequences, indentation) is written here because the `yaml` library's
 * document model dominated compile time (DESIGN §6: compiling should cost about a parse). Every
 * scalar and key is still rendered by `yaml` itself, so quoting and block scalars follow the
 * library exactly (a test checks the whole output against `yaml.stringify` byte for byte), except
 * strings with characters the library leaves raw that YAML 1.1 readers refuse (`escapedString`).
 *
 * The output is YAML 1.2, but much of the tooling that reads manifests is YAML 1.1: Kubernetes'
 * sigs.k8s.io/yaml is go-yaml v2, which reads plain `yes`, `on`, `y`, `1_000`, `0b101` or `0x1F`
 * as booleans and numbers, and PyYAML and `yaml`'s own 1.1 mode add base 60 (`1:20`) and dates. So
 * the library is also told (its `compat` option) to quote every string that such a reader would
 * not read back as that string; it quotes them the way it quotes `"true"` or `"123"`.
 */
import { Schema, stringify, type ScalarTag } from "yaml";
import { memoize } from "../util/memo.js";

const GO_YAML_V2_WORDS = new Set([
  ...["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE"],
  ...["on", "On", "ON", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN"],
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<", "="],
]);
const GO_DOT_FLOAT = /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/;
const GO_NUMBER = /^(?:[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)|0b[-+][01]+)$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

/**
 * Whether go-yaml v2 reads the plain scalar `s` as something other than the string `s`: its
 * `resolve` for an untagged scalar (resolve.go of v2.4.0, the version sigs.k8s.io/yaml forks), which
 * picks a rule by the first character:
 *   - its table of words: the booleans y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|
 *     FALSE|on|On|ON|off|Off|OFF, the nulls ~|null|Null|NULL and the empty string, .nan and .inf
 *     in three casings, +-.inf, and `<<` (the merge key);
 *   - `.` first: whatever Go's ParseFloat takes (`.5`, `.5e3`, `_` between digits);
 *   - a digit, `+` or `-` first: with every `_` removed, whatever Go's ParseInt/ParseUint take in
 *     base 0 (decimal, leading-0 octal, `0x`/`0o`/`0b` in either case, a sign first), or what its
 *     yamlStyleFloat regex matches, or `0b` and a signed binary number; and dates (`2006-1-2`,
 *     optionally with a time), which go-yaml v2 only hands to interface{} as strings but PyYAML and
 *     `yaml` in 1.1 mode read as dates: matched here by the union of go-yaml's formats and the YAML
 *     1.1 timestamp regex.
 * Plus `=`, YAML 1.1's value key, on which PyYAML fails (it has no constructor for !!value). Numbers
 * too large for Go, which go-yaml leaves as strings, match too: that only adds quotes.
 * test/yaml.test.ts checks this against what go-yaml v2.4.0 itself decodes.
 */
export function yaml11NonString(s: string): boolean {
  if (GO_YAML_V2_WORDS.has(s)) return true;
  const c = s.charCodeAt(0);
  if (c === 46) return GO_DOT_FLOAT.test(s);
  if (c !== 43 && c !== 45 && !(c >= 48 && c <= 57)) return false;
  return GO_NUMBER.test(s.includes("_") ? s.replaceAll("_", "") : s) || TIMESTAMP.test(s);
}

/** A tag's `test` that runs a function: `yaml` only ever calls `test()` on it. */
class Predicate extends RegExp {
  constructor(private readonly matches: (s: string) => boolean) {
    super("(?!)");
  }
  override test(s: string): boolean {
    return this.matches(s);
  }
}

/**
 * `yaml`'s own YAML 1.1 schema, as the regexes by which its scalar tags claim a plain string:
 * booleans, nulls, numbers with `_`, base 60 such as `1:20`, dates, `<<`, and its loose floats `.`,
 * `-.` and `e5`. (Given to the library as one tag rather than as its 1.1 schema: the library sets up
 * a `compat` list on every call, which for ~15 tags cost more than the tests themselves.)
 */
const YAML_LIB_1_1 = new Schema({ schema: "yaml-1.1" }).tags.flatMap((t) => (t.default && t.test ? [t.test] : []));

/**
 * Besides its own (YAML 1.2 core) schema, `yaml` checks a string against its `compat` tags before
 * writing it plain, and quotes it if one claims it: here one tag for every YAML 1.1 reading above.
 */
const YAML_1_1_READERS: ScalarTag[] = [
  {
    tag: "!yaml-1.1-non-string",
    default: true,
    test: new Predicate((s) => yaml11NonString(s) || YAML_LIB_1_1.some((re) => re.test(s))),
    resolve: (s) => s,
  },
];

/** The options of every `yaml` call here; tests compare the writer against `stringify` with them. */
export const YAML_OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false, compat: YAML_1_1_READERS } as const;
const renderScalar = memoize((value: string | number | boolean | null) => stringify({ k: value }, YAML_OPTIONS).slice(3, -1), 100_000);
// Rendered nested: at column 0 a key such as `...` would need quotes that it does not need indented.
const renderNestedKey = memoize((k: string) => stringify({ k: { [k]: 0 } }, YAML_OPTIONS).slice(5, -4), 100_000);

/**
 * A scalar as `yaml` writes it as a map value: rendered in the context `k: <value>` so that a
 * block scalar's indentation indicator is relative, then re-indented for where it goes.
 */
function scalar(value: string | number | boolean | null, indent: string): string {
  if (typeof value === "string") {
    if (isPlainValue(value)) return value;
    if (NOT_YAML_PRINTABLE.test(value)) return escapedString(value);
  }
  const text = renderScalar(value);
  return text.includes("\n") ? text.replace(/\n(?=.)/g, `\n${indent}`) : text;
}

function key(k: string, indent: string): string {
  const text = isPlainKey(k) ? k : NOT_YAML_PRINTABLE.test(k) ? escapedString(k) : indent === "" ? topLevelKey(k) : renderNestedKey(k);
  // Longer keys are written as explicit `? key` entries, which only the library lays out.
  if (text.length > MAX_IMPLICIT_KEY) throw new LongKey();
  return text;
}

/**
 * Characters `yaml` writes raw (even inside double quotes) that YAML 1.1 readers refuse or misread:
 * libyaml and go-yaml (kubectl, kustomize, Argo CD) allow only printable characters in a stream
 * (not DEL, the C1 controls, U+FFFE or U+FFFF), read NEL, U+2028 and U+2029 as line breaks, and a
 * U+FEFF as a byte order mark; and a lone UTF-16 surrogate, which no UTF-8 file can hold.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_YAML_PRINTABLE = new RegExp(`[\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ufffe\\uffff]|${LONE_SURROGATE.source}`);
const ESCAPES: Record<string, string> = { "\0": "\\0", "\x07": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P" };

/** A string holding a lone surrogate: it cannot be written as UTF-8, so the compile reports it (batch.ts). */
export class UnwritableString extends Error {
  constructor(readonly value: string) {
    super("a string holds a lone UTF-16 surrogate");
  }
}

/** `s` as one double-quoted line in which everything outside printable ASCII and Unicode is escaped. */
function escapedString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new UnwritableString(s);
  // A pair of surrogates is one printable character, written as it is.
  return `"${s.replace(/[\x00-\x1f"\\\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => ESCAPES[c] ?? `\\${c.charCodeAt(0) < 0x100 ? "x" : "u"}${c.charCodeAt(0).toString(16).toUpperCase().padStart(c.charCodeAt(0) < 0x100 ? 2 : 4, "0")}`)}"`;
}

/** YAML's limit for an implicit key (`yaml` switches to an explicit `? key` past it). */
const MAX_IMPLICIT_KEY = 1024;
class LongKey extends Error {}

function topLevelKey(k: string): string {
  return stringify({ [k]: 0 }, YAML_OPTIONS).slice(0, -4);
}

/**
 * Keys `yaml` always writes as they are, without asking it: a letter or `_` first, then letters,
 * digits, `_`, `-`, `.` and `/`; not a word YAML 1.1 or 1.2 reads as a boolean or null, nor an
 * exponent such as `e5` (a float to `yaml` in 1.1 mode). A letter or `_` first rules out every
 * other YAML 1.1 or 1.2 reading (see YAML_1_1_READERS). Everything else goes through the library.
 * test/yaml.test.ts checks this class against `yaml`.
 */
const CORE_WORDS = /^(true|false|null|y|n|yes|no|on|off)$/i;
export function isPlainKey(s: string): boolean {
  // /^[A-Za-z_][A-Za-z0-9_./-]*$/ by character code: this runs for every key written.
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!isWordStart(c) && (i === 0 || !((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 47))) return false;
  }
  return n > 0 && (n > 5 || !CORE_WORDS.test(s)) && !exponentAt(s, 0); // the longest core word is "false"
}

/**
 * String values `yaml` writes as they are (as a map value or sequence item in block style): the
 * plain scalars of image references, paths, flags and `file:line` annotations, which are most
 * strings of a manifest and often unique, so asking the library (and caching its answer) for each
 * would cost more than the rest of the writer. The class, by YAML 1.2's plain-scalar rules as the
 * library applies them (its `plainString`), kept narrow:
 *   - printable ASCII only (control and non-ASCII characters are the library's to escape);
 *   - first a letter or `_`; or `/`; or `-` followed by a letter or a second `-` (a flag, never a
 *     number, and not the `---` document marker; not `-_`, as go-yaml v2 drops `_` from `-_1`
 *     and reads -1); or `./` or `..` (a relative path, never a number like `.5` nor the `...`
 *     document marker);
 *   - no `: ` or ` #` inside (a key or a comment), and not ending with a space or `:`;
 *   - not a word YAML 1.1 or 1.2 reads as a boolean or null, nor an exponent such as `e5` or `-e5`
 *     (floats to `yaml` in 1.1 mode); with the first character, that rules out every other
 *     YAML 1.1 or 1.2 reading (see YAML_1_1_READERS).
 * test/yaml.test.ts checks it against the library on random strings of a wider alphabet.
 */
export function isPlainValue(s: string): boolean {
  const n = s.length;
  if (n === 0 || !startsPlainValue(s)) return false;
  let prev = s.charCodeAt(0);
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || (c === 32 && prev === 58) || (c === 35 && prev === 32)) return false;
    prev = c;
  }
  return prev !== 32 && prev !== 58 && (n > 5 || !CORE_WORDS.test(s));
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isWordStart = (c: number) => isLetter(c) || c === 95;

/**
 * `e` or `E` at `i` followed by a digit or sign: the start of an exponent, which `yaml`'s YAML 1.1
 * schema reads as a float even with no digits before it (`e5`, `E+1`). Also true of words such as
 * `e2e`, which then only take the library's slower, cached path.
 */
function exponentAt(s: string, i: number): boolean {
  if ((s.charCodeAt(i) | 32) !== 101) return false;
  const c = s.charCodeAt(i + 1);
  return (c >= 48 && c <= 57) || c === 43 || c === 45;
}

function startsPlainValue(s: string): boolean {
  const c = s.charCodeAt(0);
  if (isWordStart(c)) return !exponentAt(s, 0);
  if (c === 47) return true;
  const next = s.charCodeAt(1); // NaN past the end
  if (c === 45) return isLetter(next) ? !exponentAt(s, 1) : next === 45 && s.charCodeAt(2) !== 45;
  if (c === 46) return next === 47 || (next === 46 && s.charCodeAt(2) !== 46);
  return false;
}

const INDENTS: string[] = [""];
const indentOf = (depth: number): string => (INDENTS[depth] ??= "  ".repeat(depth));

/** A map or sequence with at least one defined entry (empty ones are written inline as `{}`/`[]`). */
function nonEmptyCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== undefined) return true;
    return false;
  }
  for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return true;
  return false;
}

const emptyCollection = (v: unknown): string | undefined =>
  v !== null && typeof v === "object" ? (Array.isArray(v) ? "[]" : "{}") : undefined;

/**
 * `value` (a non-empty map or sequence) at `depth`. With `inline`, its first line continues the
 * current line (after a sequence dash) instead of starting a new one. Built by concatenation: V8's
 * string ropes make that cheaper than collecting parts in an array.
 */
function block(value: Record<string, unknown> | unknown[], depth: number, inline: boolean): string {
  const indent = indentOf(depth);
  let out = "";
  let first = inline;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) continue;
      out += first ? "- " : indent + "- ";
      first = false;
      if (nonEmptyCollection(item)) out += block(item, depth + 1, true);
      else out += (emptyCollection(item) ?? scalar(item as string | number | boolean | null, indent)) + "\n";
    }
    return out;
  }
  for (const k in value) {
    const v = value[k];
    if (v === undefined) continue;
    out += (first ? "" : indent) + key(k, indent) + ":";
    first = false;
    // Rendered as `k: <value>`, a block scalar is already indented two spaces past its key.
    if (nonEmptyCollection(v)) out += "\n" + block(v, depth + 1, false);
    else out += " " + (emptyCollection(v) ?? scalar(v as string | number | boolean | null, indent)) + "\n";
  }
  return out;
}

/**
 * One YAML document for a map, as `yaml.stringify(value, YAML_OPTIONS)` would write it. A document with
 * a key over YAML's 1,024-character limit for implicit keys (Kubernetes allows none that long) is
 * written by the library as a whole.
 */
export function documentYaml(value: Record<string, unknown>): string {
  if (!nonEmptyCollection(value)) return "{}\n";
  try {
    return flat(block(value, 0, false));
  } catch (e) {
    if (e instanceof LongKey) return stringify(prune(value), YAML_OPTIONS);
    throw e;
  }
}

/**
 * The string as one flat buffer. A string built by `+=` is a tree of its pieces (a rope) that
 * takes several times the memory of its text until something reads a character of it; reading
 * one flattens it in place, so a large compile does not hold its output as ropes.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** Drops undefined values recursively, keeping key order. Empty objects such as `emptyDir: {}` stay. */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = prune(v);
    return out;
  }
  return value;
}

export function toYaml(objects: readonly Record<string, unknown>[], header: string): string {
  const comment = header.split("\n").map((l) => `# ${l}`.trimEnd()).join("\n");
  return `${comment}\n${objects.map((o) => `---\n${documentYaml(o)}`).join("")}`;
}

/** How an object is named in messages and compared across pipelines: `Kind namespace/name`. */
export const objectKey = (kind: string, namespace: string | undefined, name: string): string => `${kind} ${namespace ?? "(default namespace)"}/${name}`;

/**
 * The objects of a manifest Gantry wrote (`objectKey` of each document with a `metadata.name`),
 * read from its layout rather than parsed: every document is `---`, then `kind:` at the top level,
 * then `metadata:` whose `name:` and `namespace:` are two spaces in.
 */
export function manifestObjects(yaml: string): string[] {
  const out: string[] = [];
  for (const doc of yaml.split(/\r?\n---\r?\n/).slice(1)) {
    const kind = /^kind: (.+)$/m.exec(doc)?.[1];
    const metadata = /^metadata:\r?\n((?: {2}.*\r?\n?)*)/m.exec(doc)?.[1] ?? "";
    const name = /^ {2}name: (.+)$/m.exec(metadata)?.[1];
    const namespace = /^ {2}namespace: (.+)$/m.exec(metadata)?.[1];
    if (kind !== undefined && name !== undefined) out.push(objectKey(readScalar(kind), namespace === undefined ? undefined : readScalar(namespace), readScalar(name)));
  }
  return out;
}

/** A one-line scalar as the writer renders it: plain, or quoted (names that read as YAML 1.1 booleans or numbers are). */
function readScalar(text: string): string {
  const t = text.trimEnd();
  if (t.startsWith('"')) return JSON.parse(t) as string;
  if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
  return t;
}

/** First line of every file Gantry generates; also how Gantry recognises its own files. */
export const GENERATED_MARKER = "Generated by gantry";

/**
 * `madeIn`: the module whose top-level code made the pipeline, when `pipeline()` is in another file
 * (a factory in a shared module), so a compile of part of the project can tell whose manifest a
 * file is (`manifestOrigin`).
 */
export const headerFor = (sourceFile: string, madeIn?: string): string =>
  `${GENERATED_MARKER} from ${headerPath(sourceFile)}${madeIn !== undefined && madeIn !== sourceFile ? `${CALLED_FROM}${headerPath(madeIn)})` : ""}. Do not edit: change the source and run \`gantry compile\`.`;

/** A path as a one-line header shows it: a line break or another control character in a file's name escaped (`\n`), so the header stays one comment line. */
export const headerPath = (file: string): string => file.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => JSON.stringify(c).slice(1, -1));

const CALLED_FROM = " (called from ";

/** Where a manifest's header (`headerFor` in a YAML comment) says it comes from: `madeIn` is `source` unless it names another. */
export function manifestOrigin(yaml: string): { source: string; madeIn: string } | undefined {
  const first = yaml.slice(0, yaml.indexOf("\n") >>> 0).replace(/\r$/, "");
  const prefix = `# ${GENERATED_MARKER} from `;
  const suffix = ". Do not edit: change the source and run `gantry compile`.";
  if (!first.startsWith(prefix) || !first.endsWith(suffix)) return undefined;
  const named = first.slice(prefix.length, -suffix.length);
  const at = named.lastIndexOf(CALLED_FROM);
  return at >= 0 && named.endsWith(")") ? { source: named.slice(0, at), madeIn: named.slice(at + CALLED_FROM.length, -1) } : { source: named, madeIn: named };
}
