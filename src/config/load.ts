/**
 * Finds and validates the configuration: `gantry.config.json` in the working directory, else the
 * `"gantry"` key of its package.json, else none. Problems are diagnostics (GANTRY5004) at the exact
 * line and column of the offending value; JSON is read with the `yaml` parser, which keeps positions.
 */
import fs from "node:fs";
import path from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { Diagnostic, Span } from "../diagnostics/index.js";
import { configSchema, type GantryConfig } from "./schema.js";

export const CONFIG_FILE = "gantry.config.json";

export interface LoadedConfig {
  config: GantryConfig;
  /** The file it came from, relative to cwd, if any. */
  file?: string;
  diagnostics: Diagnostic[];
}

export function loadConfig(cwd: string): LoadedConfig {
  const own = path.join(cwd, CONFIG_FILE);
  if (fs.existsSync(own)) return fromFile(own, CONFIG_FILE, []);
  const pkg = path.join(cwd, "package.json");
  if (fs.existsSync(pkg)) {
    const loaded = fromFile(pkg, "package.json", ["gantry"]);
    if (loaded.diagnostics.length > 0 || loaded.file) return loaded;
  }
  return { config: {}, diagnostics: [] };
}

function fromFile(absolute: string, file: string, base: readonly string[]): LoadedConfig {
  const text = fs.readFileSync(absolute, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | undefined | null): Span => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  // Strict JSON first (YAML would accept trailing commas and comments); YAML only for positions.
  try {
    JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const offset = Number(/position (\d+)/.exec(message)?.[1] ?? doc.errors[0]?.pos[0] ?? 0);
    const pos = lines.linePos(offset);
    return { config: {}, diagnostics: [problem(`${file} is not valid JSON: ${message}`, { file, line: pos.line, column: pos.col })] };
  }
  const whole = doc.toJS() as unknown;
  const value = base.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), whole);
  if (value === undefined) return { config: {}, diagnostics: [] }; // package.json without a "gantry" key
  const result = configSchema.safeParse(value);
  if (result.success) return { config: result.data, file, diagnostics: [] };
  const diagnostics = result.error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => {
      const keyPath = [...base, ...issue.path.map(String), ...(key === undefined ? [] : [key])];
      const where = at(nodeAt(doc.contents as Node, keyPath, key !== undefined));
      const field = keyPath.slice(base.length).join(".") || "(root)";
      return problem(key !== undefined ? `${file}: unknown setting "${field}"` : `${file}: ${field}: ${issue.message}`, where);
    });
  });
  return { config: {}, file, diagnostics };
}

/** The node at `keys` (or, for an unknown key, the key itself); the nearest existing ancestor otherwise. */
function nodeAt(root: Node | null, keys: readonly string[], wantKey: boolean): Node | undefined {
  let current: Node | null | undefined = root;
  let found: Node | undefined = root ?? undefined;
  keys.forEach((k, i) => {
    if (isMap(current)) {
      const pair = current.items.find((p) => (p.key as { value?: unknown } | null)?.value === k);
      if (!pair) return;
      const isLast = i === keys.length - 1;
      current = (isLast && wantKey ? pair.key : pair.value) as Node | null;
    } else if (isSeq(current)) current = current.items[Number(k)] as Node | null;
    else return;
    if (current) found = current;
  });
  return found;
}

const problem = (message: string, span: Span): Diagnostic => ({
  code: "GANTRY5004",
  severity: "error",
  message,
  span,
  hint: "See docs/configuration.md; gantry.config.schema.json gives completion in editors.",
});
