/**
 * Deterministic YAML. Key order is the order objects were built in (backends build them in a fixed
 * order and sort free-form maps); undefined fields are dropped; long strings are never folded.
 *
 * The block structure (maps, sequences, indentation) is written here because the `yaml` library's
 * document model dominated compile time (DESIGN §6: compiling should cost about a parse). Every
 * scalar and key is still rendered by `yaml` itself, so quoting and block scalars follow the
 * library exactly; a test checks the whole output against `yaml.stringify` byte for byte.
 */
import { stringify } from "yaml";

const OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false } as const;
const scalarCache = new Map<unknown, string>();
const keyCache = new Map<string, string>();

/**
 * A scalar as `yaml` writes it as a map value: rendered in the context `k: <value>` so that a
 * block scalar's indentation indicator is relative, then re-indented for where it goes.
 */
function scalar(value: string | number | boolean | null, indent: string): string {
  if (typeof value === "string" && isPlainSafe(value)) return value;
  let text = scalarCache.get(value);
  if (text === undefined) {
    text = stringify({ k: value }, OPTIONS).slice(3, -1);
    if (scalarCache.size < 100_000) scalarCache.set(value, text);
  }
  return text.includes("\n") ? text.replace(/\n(?=.)/g, `\n${indent}`) : text;
}

function key(k: string, indent: string): string {
  if (isPlainSafe(k)) return k;
  if (indent === "") return topLevelKey(k);
  let text = keyCache.get(k);
  if (text === undefined) {
    // Rendered nested: at column 0 a key such as `...` would need quotes that it does not need indented.
    text = stringify({ k: { [k]: 0 } }, OPTIONS).slice(5, -4);
    if (keyCache.size < 100_000) keyCache.set(k, text);
  }
  return text;
}

function topLevelKey(k: string): string {
  return stringify({ [k]: 0 }, OPTIONS).slice(0, -4);
}

/**
 * Strings `yaml` always writes as they are, without asking it: a letter or `_` first, then letters,
 * digits, `_`, `-`, `.` and `/`, and not a word the YAML core schema reads as a boolean or null.
 * Everything else goes through the library. test/yaml.test.ts checks this class against `yaml`.
 */
const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const CORE_WORDS = /^(true|false|null|y|n|yes|no|on|off)$/i;
export const isPlainSafe = (s: string): boolean => PLAIN_SAFE.test(s) && !CORE_WORDS.test(s);

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
 * Appends `value` (a non-empty map or sequence) at `depth`. With `inline`, its first line continues
 * the current line (after a sequence dash) instead of starting a new one.
 */
function block(value: Record<string, unknown> | unknown[], depth: number, out: string[], inline: boolean): void {
  const indent = indentOf(depth);
  let first = inline;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === undefined) continue;
      out.push(first ? "- " : indent + "- ");
      first = false;
      if (nonEmptyCollection(item)) block(item, depth + 1, out, true);
      else out.push(emptyCollection(item) ?? scalar(item as string | number | boolean | null, indent), "\n");
    }
    return;
  }
  for (const k in value) {
    const v = value[k];
    if (v === undefined) continue;
    out.push(first ? "" : indent, key(k, indent), ":");
    first = false;
    if (nonEmptyCollection(v)) {
      out.push("\n");
      block(v, depth + 1, out, false);
    } else {
      // Rendered as `k: <value>`, a block scalar is already indented two spaces past its key.
      out.push(" ", emptyCollection(v) ?? scalar(v as string | number | boolean | null, indent), "\n");
    }
  }
}

/** One YAML document for a map, as `yaml.stringify(value, OPTIONS)` would write it. */
export function documentYaml(value: Record<string, unknown>): string {
  if (!nonEmptyCollection(value)) return "{}\n";
  const out: string[] = [];
  block(value, 0, out, false);
  return out.join("");
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

/** First line of every file Gantry generates; also how Gantry recognises its own files. */
export const GENERATED_MARKER = "Generated by gantry";

export const headerFor = (sourceFile: string): string =>
  `${GENERATED_MARKER} from ${sourceFile}. Do not edit: change the source and run \`gantry compile\`.`;
