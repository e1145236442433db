/**
 * Which file an import names. Relative and absolute specifiers name local modules; bare ones are
 * packages unless ./tsconfig.json's `paths` (or `baseUrl`) map them to a local file, as TypeScript
 * and runners that honour tsconfig (tsx, ts-node with tsconfig-paths, bundlers) do. The loader asks
 * this module only, so "local" means the same thing when loading, linking, peeking and drawing
 * the import graph.
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { isDslSpecifier } from "./builtins.js";

export type Resolution =
  | { kind: "dsl" }
  /** A local TypeScript module; `file` undefined when nothing matched (GANTRY1111). */
  | { kind: "module"; file: string | undefined }
  /** A JSON document, by the path written (whether it exists is the JSON loader's question). */
  | { kind: "json"; file: string }
  /** A package: never loaded. `alias` when a `paths` pattern matched but led to no file. */
  | { kind: "package"; alias?: { pattern: string; tried: string[] } };

/** `paths` and `baseUrl` of ./tsconfig.json (its `extends` chain applied), with absolute bases. */
interface PathMapping {
  /** Patterns in their declared order: exact ones have no `*`. */
  patterns: { pattern: string; prefix: string; suffix: string; star: boolean; targets: string[] }[];
  /** Where `paths` targets are resolved from: `baseUrl`, else the folder of the file declaring `paths`. */
  pathsBase: string;
  baseUrl: string | undefined;
  /** The config files read (for --watch), and the first problem TypeScript found in them. */
  files: string[];
  problem: string | undefined;
}

/** TypeScript first, then JavaScript modules (`./x.js` is `x.ts` when there is one, as TypeScript resolves it). */
const EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs"];
/** Files Gantry reads as modules: TypeScript, and JavaScript written as ES modules (not `.cjs`). */
const MODULE_FILE = /\.((m|c)?tsx?|m?js)$/;

export class ModuleResolver {
  /** Probes of this compile, by absolute base path: files do not change mid-compile. */
  private readonly probes = new Map<string, string | undefined>();
  /** Resolutions by importing folder and specifier (bare specifiers resolve the same from anywhere). */
  private readonly byDir = new Map<string, Map<string, Resolution>>();
  private readonly bare = new Map<string, Resolution>();
  private mapping: PathMapping | undefined;
  /**
   * Paths a resolution looked at and found no file: creating one could change what an import
   * names (`./x` gains `x.ts`, or ./tsconfig.json appears). `--watch` watches them.
   */
  readonly lookups = new Set<string>();

  constructor(private readonly cwd: string) {}

  resolve(fromFile: string, specifier: string): Resolution {
    if (isDslSpecifier(specifier)) return { kind: "dsl" };
    if (!isPathSpecifier(specifier)) {
      let known = this.bare.get(specifier);
      if (!known) this.bare.set(specifier, (known = this.resolveBare(specifier)));
      return known;
    }
    const dir = path.dirname(fromFile);
    let bySpecifier = this.byDir.get(dir);
    if (!bySpecifier) this.byDir.set(dir, (bySpecifier = new Map()));
    let known = bySpecifier.get(specifier);
    if (!known) bySpecifier.set(specifier, (known = this.local(path.resolve(dir, specifier))));
    return known;
  }

  /** The file a local import leads to, or undefined (a package, the DSL, JSON, or nothing found). */
  moduleFile(fromFile: string, specifier: string): string | undefined {
    const r = this.resolve(fromFile, specifier);
    return r.kind === "module" ? r.file : undefined;
  }

  /** Whether an import names something Gantry reads (a local module, JSON or the DSL), not a package. */
  isLinked(fromFile: string, specifier: string): boolean {
    return this.resolve(fromFile, specifier).kind !== "package";
  }

  /** Config files read, and the first problem in them, for hints; undefined until a bare specifier was resolved. */
  config(): { files: string[]; problem: string | undefined; patterns: string[] } | undefined {
    const m = this.mapping;
    return m && { files: m.files, problem: m.problem, patterns: m.patterns.map((p) => p.pattern) };
  }

  private local(base: string): Resolution {
    if (base.endsWith(".json")) return { kind: "json", file: base };
    return { kind: "module", file: this.probe(base) };
  }

  /** TypeScript's order: the best `paths` pattern's targets, then `baseUrl`; else the package it names. */
  private resolveBare(specifier: string): Resolution {
    const m = (this.mapping ??= readPathMapping(this.cwd));
    const match = bestMatch(m, specifier);
    const tried: string[] = [];
    if (match) {
      for (const target of match.targets) {
        const base = path.resolve(m.pathsBase, target.replace("*", match.captured));
        tried.push(base);
        const found = this.inProject(base);
        if (found) return found;
      }
    }
    if (m.baseUrl !== undefined) {
      const found = this.inProject(path.resolve(m.baseUrl, specifier));
      if (found) return found;
    }
    return { kind: "package", ...(match && { alias: { pattern: match.pattern, tried: tried.map((t) => path.relative(this.cwd, t).split(path.sep).join("/")) } }) };
  }

  /** A mapped path that leads to a file of the project (not into node_modules, which holds packages). */
  private inProject(base: string): Resolution | undefined {
    if (base.split(path.sep).includes("node_modules")) return undefined;
    if (base.endsWith(".json")) {
      if (isFile(base)) return { kind: "json", file: base };
      this.lookups.add(base);
      return undefined;
    }
    const file = this.probe(base);
    return file === undefined ? undefined : { kind: "module", file };
  }

  /** Node16-style resolution for TypeScript sources: `./x.js` means `./x.ts` if there is one; folders mean index files. */
  private probe(base: string): string | undefined {
    if (this.probes.has(base)) return this.probes.get(base);
    const candidates = [base];
    const js = /\.(m|c)?js$/.exec(base);
    if (js) candidates.unshift(base.slice(0, -js[0].length) + js[0].replace("js", "ts"));
    for (const ext of EXTENSIONS) candidates.push(base + ext);
    for (const ext of EXTENSIONS) candidates.push(path.join(base, "index" + ext));
    let found: string | undefined;
    for (const c of candidates) {
      if (!MODULE_FILE.test(c)) continue;
      if (isFile(c)) {
        found = c;
        break;
      }
      this.lookups.add(c);
    }
    this.probes.set(base, found);
    return found;
  }
}

const isPathSpecifier = (s: string) => s.startsWith("./") || s.startsWith("../") || s === "." || s === ".." || path.isAbsolute(s);

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** TypeScript's choice: an exact pattern first, else the `*` pattern with the longest prefix (the first of equals). */
function bestMatch(m: PathMapping, specifier: string): { pattern: string; targets: string[]; captured: string } | undefined {
  let best: PathMapping["patterns"][number] | undefined;
  for (const p of m.patterns) {
    if (!p.star) {
      if (p.prefix === specifier) return { pattern: p.pattern, targets: p.targets, captured: "" };
      continue;
    }
    const fits = specifier.length >= p.prefix.length + p.suffix.length && specifier.startsWith(p.prefix) && specifier.endsWith(p.suffix);
    if (fits && (!best || p.prefix.length > best.prefix.length)) best = p;
  }
  return best && { pattern: best.pattern, targets: best.targets, captured: specifier.slice(best.prefix.length, specifier.length - best.suffix.length) };
}

/**
 * `<cwd>/tsconfig.json` as TypeScript reads it (extended configs applied). Its file list is never
 * expanded: only `paths` and `baseUrl` matter here. No file, no mapping.
 */
function readPathMapping(cwd: string): PathMapping {
  const file = path.join(cwd, "tsconfig.json");
  const none: PathMapping = { patterns: [], pathsBase: cwd, baseUrl: undefined, files: [file], problem: undefined };
  if (!isFile(file)) return none;
  const readFile = (f: string) => {
    try {
      return fs.readFileSync(f, "utf8");
    } catch {
      return undefined;
    }
  };
  const text = readFile(file);
  // TypeScript's config parser fails on a file it could not read: say so instead.
  if (text === undefined) return { ...none, problem: "it cannot be read" };
  const json = ts.parseJsonText(file, text) as ts.TsConfigSourceFile;
  const host: ts.ParseConfigHost = { useCaseSensitiveFileNames: true, readDirectory: () => [], fileExists: isFile, readFile };
  const parsed = ts.parseJsonSourceFileConfigFileContent(json, host, cwd, undefined, file);
  // 18003: "No inputs were found", since no folder is read here.
  // A JSON syntax error is only in the parse diagnostics, which TypeScript's typings leave out.
  const syntax = (json as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const problems = [...syntax, ...parsed.errors].filter((d) => d.code !== 18003);
  const problem = problems[0] && `TS${problems[0].code}: ${ts.flattenDiagnosticMessageText(problems[0].messageText, " ")}`;
  const files = [file, ...(json.extendedSourceFiles ?? [])];
  const { paths, baseUrl } = parsed.options;
  // TypeScript resolves `paths` targets from `baseUrl`, else from the config that declared them (an internal option it records).
  const pathsBase = baseUrl ?? (parsed.options as { pathsBasePath?: string }).pathsBasePath ?? cwd;
  const patterns = Object.entries(paths ?? {})
    .filter(([pattern, targets]) => pattern.split("*").length <= 2 && Array.isArray(targets)) // more than one `*` is TypeScript's error 5061
    .map(([pattern, targets]) => {
      const star = pattern.indexOf("*");
      return { pattern, prefix: star < 0 ? pattern : pattern.slice(0, star), suffix: star < 0 ? "" : pattern.slice(star + 1), star: star >= 0, targets: targets.filter((t) => typeof t === "string") };
    });
  return { patterns, pathsBase, baseUrl, files, problem };
}
