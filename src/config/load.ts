/**
 * Finds and validates the configuration: `gantry.config.json` in the working directory, else the
 * `"gantry"` key of its package.json, else none. Problems are diagnostics (GANTRY5004) at the exact
 * line and column of the offending value; JSON is read with the `yaml` parser, which keeps positions.
 */
import fs from "node:fs";
import path from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { CompileOptions } from "../compile.js";
import { formatDiagnostics, sortDiagnostics, type Diagnostic, type DiagnosticFormat, type FormatOptions, type Span } from "../diagnostics/index.js";
import { withoutBom } from "../util/bom.js";
import { closestName } from "../util/closest-name.js";
import { fsFailure } from "../util/fs-errors.js";
import { jsonParseError } from "../util/json-error.js";
import { schemaKeysAt } from "../util/schema-keys.js";
import { configSchema, type GantryConfig } from "./schema.js";

export const CONFIG_FILE = "gantry.config.json";

export interface LoadedConfig {
  config: GantryConfig;
  /** The file it came from, relative to cwd, if any (set when its text could be read). */
  file?: string;
  /** That file's text as read (a leading byte order mark removed), for code frames: never read twice. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** A configuration's diagnostics as a compile prints them: in file order, with code frames from its text. */
export function formatConfigDiagnostics(loaded: LoadedConfig, format: DiagnosticFormat, options: Omit<FormatOptions, "readSource">): string {
  return formatDiagnostics(sortDiagnostics(loaded.diagnostics), format, { ...options, readSource: (f) => (f === loaded.file ? loaded.text : undefined) });
}

/** The settings every command passes to compile() as they are (compile, graph, gantry/testing). */
export function configuredCompileOptions(c: GantryConfig): Pick<CompileOptions, "namespace" | "labelPrefix" | "hardenArgoExecutor"> {
  return {
    ...(c.namespace !== undefined && { namespace: c.namespace }),
    ...(c.labelPrefix !== undefined && { labelPrefix: c.labelPrefix }),
    ...(c.hardenArgoExecutor === false && { hardenArgoExecutor: false }),
  };
}

export function loadConfig(cwd: string): LoadedConfig {
  const own = path.join(cwd, CONFIG_FILE);
  // A symbolic link that leads nowhere is still a configuration someone meant: reported, not skipped.
  if (present(own)) return fromFile(own, CONFIG_FILE, []);
  const pkg = path.join(cwd, "package.json");
  // package.json is read only for an optional key: one that cannot be found is no configuration.
  if (fs.existsSync(pkg)) {
    const loaded = fromFile(pkg, "package.json", ["gantry"]);
    if (loaded.diagnostics.length > 0 || loaded.file) return loaded;
  }
  return { config: {}, diagnostics: [] };
}

/** Whether there is anything at `p`, a broken symbolic link included (`existsSync` follows links). */
function present(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Why a file could not be read, in words: `is a directory`, `permission denied`, ... */
function readFailure(e: unknown, absolute: string): string {
  if ((e as NodeJS.ErrnoException).code === "ENOENT") {
    try {
      return `it is a symbolic link to ${fs.readlinkSync(absolute)}, which does not exist`;
    } catch {
      // not a link (removed since it was found): as below
    }
  }
  return fsFailure(e, "read", { ENOENT: "it no longer exists" });
}

function fromFile(absolute: string, file: string, base: readonly string[]): LoadedConfig {
  // No span when it cannot be read: there is no text to point into. The message names the file and the reason.
  const unreadable = (reason: string): LoadedConfig => ({ config: {}, diagnostics: [{ ...problem(`${file} cannot be read: ${reason}`), hint: readHint(file) }] });
  let text: string;
  try {
    // A FIFO would block the read for ever, a device never end it.
    const stat = fs.statSync(absolute);
    if (!stat.isFile()) return unreadable(stat.isDirectory() ? "it is a directory" : "it is not a regular file");
    // Editors on Windows may save UTF-8 with a byte order mark; JSON.parse would reject it.
    text = withoutBom(fs.readFileSync(absolute, "utf8"));
  } catch (e) {
    return unreadable(readFailure(e, absolute));
  }
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
    const { message, offset } = jsonParseError(text, e);
    const pos = lines.linePos(offset);
    return { config: {}, file, text, diagnostics: [problem(`${file} is not valid JSON: ${message}`, { file, line: pos.line, column: pos.col })] };
  }
  const whole = doc.toJS() as unknown;
  const value = base.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), whole);
  if (value === undefined) return { config: {}, diagnostics: [] }; // package.json without a "gantry" key
  const result = configSchema.safeParse(value);
  if (result.success) return { config: result.data, file, text, diagnostics: [] };
  const diagnostics = result.error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => {
      const keyPath = [...base, ...issue.path.map(String), ...(key === undefined ? [] : [key])];
      const where = at(nodeAt(doc.contents as Node, keyPath, key !== undefined));
      const field = keyPath.slice(base.length).join(".") || "(root)";
      const meant = key === undefined ? undefined : closestName(key, schemaKeysAt(configSchema, issue.path));
      return problem(key !== undefined ? `${file}: unknown setting "${field}"` : `${file}: ${field}: ${issue.message}`, where, meant && `Did you mean "${meant}"? See docs/configuration.md; gantry.config.schema.json gives completion in editors.`);
    });
  });
  return { config: {}, file, text, diagnostics };
}

const readHint = (file: string): string =>
  file === CONFIG_FILE
    ? `Make ${CONFIG_FILE} a readable JSON file, or remove it to use package.json's "gantry" key or the defaults.`
    : "Make package.json readable: without gantry.config.json, Gantry reads its \"gantry\" key.";

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

const problem = (message: string, span?: Span, hint = "See docs/configuration.md; gantry.config.schema.json gives completion in editors."): Diagnostic => ({
  code: "GANTRY5004",
  severity: "error",
  message,
  ...(span && { span }),
  hint,
});
