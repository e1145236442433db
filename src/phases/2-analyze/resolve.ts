/**
 * Which file an import names. Relative and absolute specifiers name local modules; bare ones are
 * packages unless the `paths` (or `baseUrl`) of the importing file's nearest tsconfig.json map
 * them to a local file, as TypeScript (an editor, `tsc -p` in that folder) and runners that honour
 * tsconfig (tsx, ts-node, bundlers' tsconfig-paths plugins) do. Nearest, so that a monorepo whose
 * packages each have their own tsconfig compiles from its root. The loader asks this module only,
 * so "local" means the same thing when loading, linking, peeking and drawing the import graph.
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { withoutBom } from "../../util/bom.js";
import { isDeclarationFile } from "../1-parse/index.js";
import { isDslSpecifier } from "./builtins.js";
import { isWithin } from "../../util/within.js";

export type Resolution =
  | { kind: "dsl" }
  /** A local TypeScript module; `file` undefined when nothing matched (GANTRY1111). */
  | { kind: "module"; file: string | undefined }
  /** A JSON document, by the path written (whether it exists is the JSON loader's question). */
  | { kind: "json"; file: string }
  /**
   * A package: never loaded. `config` is the tsconfig.json that was asked (none found: undefined);
   * `alias` when one of its `paths` patterns matched but led to no file.
   */
  | { kind: "package"; config?: ConfigSummary; alias?: { pattern: string; tried: string[] } }
  /** The nearest package.json, which decides a `#name`, is not valid JSON: Node refuses the import (ERR_INVALID_PACKAGE_CONFIG). */
  | { kind: "invalid-package-json"; file: string; problem: string };

/** The tsconfig.json a bare specifier was resolved with, for hints: its path from the working directory, and its first problem. */
export interface ConfigSummary {
  file: string;
  problem: string | undefined;
  /** A "solution" config (`files: []` and `references`) none of whose projects includes the importing file. */
  solution?: boolean;
}

/** `paths` and `baseUrl` of one tsconfig.json (its `extends` chain applied), with absolute bases. */
interface PathMapping {
  /** Patterns in their declared order: exact ones have no `*`. */
  patterns: { pattern: string; prefix: string; suffix: string; star: boolean; targets: string[] }[];
  /** Where `paths` targets are resolved from: `baseUrl`, else the folder of the file declaring `paths`. */
  pathsBase: string;
  baseUrl: string | undefined;
  /** The config files read (for --watch), and the first problem TypeScript found in them. */
  files: string[];
  problem: string | undefined;
  /** `files: []` and `references`: a solution config, whose projects an editor looks through for the one that includes a file. */
  solution: boolean;
  /** The tsconfig files its `references` name (absolute). */
  references: string[];
  /** What its `files` and `include` take into its program (`takesFile`), as TypeScript asked for it while reading the config. */
  takes: { files: string[]; walks: Walk[] };
  /**
   * Every other path TypeScript read or looked for while reading the config: an `extends`
   * package's package.json, and where it looked for one in vain (a package not installed yet).
   */
  consulted: string[];
}

/** No tsconfig.json in the importing file's folder or any above it: bare specifiers name packages. */
const NO_MAPPING: PathMapping = { patterns: [], pathsBase: "", baseUrl: undefined, files: [], problem: undefined, solution: false, references: [], takes: { files: [], walks: [] }, consulted: [] };

/** One `readDirectory` TypeScript asks of its host to expand `include`: the folder, the extensions and the patterns. */
interface Walk {
  root: string;
  extensions: readonly string[];
  excludes: readonly string[] | undefined;
  includes: readonly string[];
  depth: number | undefined;
}

/**
 * What TypeScript adds to a name without an extension, TypeScript first (`.mts`, `.mjs` and the
 * like are only ever named in full). `./x.js` is `x.ts` when there is one, as TypeScript resolves it.
 */
const EXTENSIONS = [".ts", ".tsx", ".js"];
/** Files Gantry reads as modules: TypeScript, and JavaScript written as ES modules (not `.cjs`). */
const MODULE_FILE = /\.((m|c)?tsx?|m?js)$/;
/** Extensions with which TypeScript takes a `paths` target as a file name first (its `tryGetExtensionFromPath`). */
const TARGET_EXTENSION = /\.(d\.[mc]?ts|[mc]?tsx?|[mc]?jsx?|json)$/;

export class ModuleResolver {
  /** Probes of this compile, by absolute base path: files do not change mid-compile. */
  private readonly probes = new Map<string, string | undefined>();
  /** Resolutions by importing folder and specifier (bare specifiers resolve the same from anywhere). */
  private readonly byDir = new Map<string, Map<string, Resolution>>();
  /** Bare specifiers resolve the same for every file that shares a tsconfig. */
  private readonly bare = new Map<PathMapping, Map<string, Resolution>>();
  /** The nearest tsconfig of each folder asked about, read once per compile. */
  private readonly mappings = new Map<string, PathMapping>();
  /** Projects a solution config references, by tsconfig file. */
  private readonly projects = new Map<string, PathMapping>();
  /**
   * Paths a resolution looked at besides the module it found: ones where it found no file
   * (creating one could change what an import names: `./x` gains `x.ts`, a nearer tsconfig.json
   * appears), and files it read to decide (a folder's package.json, an `extends` package's
   * manifest). `--watch` watches them; the compile cache compares them.
   */
  readonly lookups = new Set<string>();

  /**
   * The text of each JSON file this compile read (package.json, tsconfig.json and the configs it
   * extends, a JSON module), as first read: the compile cache records what the compile used, and
   * refuses to record one that changed while it ran (cache review finding: a file replaced by one
   * with an old modified time was recorded under its new text).
   */
  readonly texts = new Map<string, string>();
  readonly noteRead = (file: string, text: string): void => {
    if (!this.texts.has(file)) this.texts.set(file, text);
  };

  /** Real paths by path asked about (`real`). */
  private readonly reals = new Map<string, string>();
  private realCwd: string | undefined;

  constructor(private readonly cwd: string) {}

  resolve(fromFile: string, specifier: string): Resolution {
    if (isDslSpecifier(specifier)) return { kind: "dsl" };
    // As Node resolves a module's imports: from where its file really is, not from the link that led to it.
    const dir = path.dirname(this.real(fromFile));
    // `#name` is a subpath import of the nearest package.json, so it depends on where it is written.
    if (!isPathSpecifier(specifier) && !specifier.startsWith("#")) {
      const mapping = this.mappingOf(this.real(fromFile), dir);
      let bySpecifier = this.bare.get(mapping);
      if (!bySpecifier) this.bare.set(mapping, (bySpecifier = new Map()));
      let known = bySpecifier.get(specifier);
      if (!known) bySpecifier.set(specifier, (known = this.known(this.resolveBare(mapping, specifier))));
      return known;
    }
    // A `#name` no package.json maps falls to `paths`, whose mapping may be the file's own project's.
    const byFile = specifier.startsWith("#") && this.mappingFor(dir).solution;
    let bySpecifier = byFile ? undefined : this.byDir.get(dir);
    if (!bySpecifier && !byFile) this.byDir.set(dir, (bySpecifier = new Map()));
    let known = bySpecifier?.get(specifier);
    if (!known) {
      const base = path.resolve(dir, specifier);
      known = specifier.startsWith("#")
        ? (this.subpathImport(dir, specifier) ?? this.resolveBare(this.mappingOf(this.real(fromFile), dir), specifier))
        : this.inNodeModules(base)
          ? this.packageAt(base) // `../node_modules/x/index.js`: a package's file, whatever path led there
          : this.local(base, /(^|\/)\.{0,2}$|\/$/.test(specifier));
      known = this.known(known);
      bySpecifier?.set(specifier, known);
    }
    return known;
  }

  /** A local file found (relative path, `#` import or `paths` alias) under the path it is known by (`canonical`). */
  private known(found: Resolution): Resolution {
    return (found.kind === "module" || found.kind === "json") && found.file !== undefined ? { ...found, file: this.canonical(found.file) } : found;
  }

  /**
   * The path a module is known by, one per real file (Node's identity of a module: one reached
   * through a symlinked folder is the file it links to, loaded once): its real path, written under
   * the working directory when it is inside it (so a project under a symlinked folder keeps its own
   * paths). Not the path that reached it: two links can reach one file, and which came first
   * depends on what else is compiled, so headers would change between a whole and a partial compile.
   * A path that does not exist is kept as it is.
   */
  canonical(file: string): string {
    const real = this.real(file);
    this.realCwd ??= this.real(this.cwd);
    const inside = path.relative(this.realCwd, real);
    const known = isWithin(inside) ? path.join(this.cwd, inside) : real;
    // Reached through a link: the link is a dependency too, since retargeted it names another file
    // while the file it named is unchanged. States are read through links, so the link's changes.
    if (known !== file) this.lookups.add(file);
    return known;
  }

  /** `file` with every symlink resolved; itself when it does not exist. */
  private real(file: string): string {
    let known = this.reals.get(file);
    if (known === undefined) {
      try {
        known = fs.realpathSync(file);
      } catch {
        known = file;
      }
      this.reals.set(file, known);
    }
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

  /** Every tsconfig file read so far, extended ones included (for --watch: editing one can change what an import names). */
  configFiles(): string[] {
    const all = [...this.mappings.values(), ...this.projects.values()];
    return [...new Set(all.flatMap((m) => m.files))];
  }

  /**
   * The tsconfig.json in `dir` or the nearest folder above it, as TypeScript finds a file's
   * project; the folders looked at in vain are lookups (a tsconfig made there would be nearer).
   */
  private mappingFor(dir: string): PathMapping {
    let known = this.mappings.get(dir);
    if (known) return known;
    const file = path.join(dir, "tsconfig.json");
    if (isFile(file)) {
      known = readPathMapping(file, this.noteRead);
      for (const consulted of known.consulted) this.lookups.add(consulted);
    } else {
      this.lookups.add(file);
      const parent = path.dirname(dir);
      known = parent === dir ? NO_MAPPING : this.mappingFor(parent);
    }
    this.mappings.set(dir, known);
    return known;
  }

  /**
   * The mapping for imports of `file`: its folder's nearest tsconfig, or, when that is a solution
   * config (`files: []` with `references`, as Vite's templates write one), the mapping of the
   * referenced project whose files include `file`, looked for depth-first in the order listed, as
   * an editor picks a file's project. None including it: the solution config's own (no aliases).
   */
  private mappingOf(file: string, dir: string): PathMapping {
    const nearest = this.mappingFor(dir);
    if (!nearest.solution) return nearest;
    const visited = new Set<string>(nearest.files.slice(0, 1));
    const search = (references: readonly string[]): PathMapping | undefined => {
      for (const config of references) {
        if (visited.has(config)) continue;
        visited.add(config);
        const project = this.project(config);
        if (takesFile(project, file)) return project;
        const deeper = project.solution ? search(project.references) : undefined;
        if (deeper) return deeper;
      }
      return undefined;
    };
    return search(nearest.references) ?? nearest;
  }

  /** A referenced project's mapping, read once per compile. */
  private project(config: string): PathMapping {
    let known = this.projects.get(config);
    if (known) return known;
    this.lookups.add(config);
    known = isFile(config) ? readPathMapping(config, this.noteRead) : { ...NO_MAPPING, files: [config] };
    for (const consulted of known.consulted) this.lookups.add(consulted);
    this.projects.set(config, known);
    return known;
  }

  /** A relative or absolute specifier; one naming a folder (`./lib/`, `.`, `..`) means its index, never a file beside it. */
  private local(base: string, folderOnly: boolean): Resolution {
    if (base.endsWith(".json") && !folderOnly) return { kind: "json", file: base };
    return { kind: "module", file: folderOnly ? this.folder(base) : this.probe(base) };
  }

  /**
   * `#name` through the `imports` of the nearest package.json, as Node resolves it (conditions
   * `node`, `import`, `default`, in the order the file lists them); undefined when that file does
   * not define it (then `paths` may). A target that is not a path of the package names a package.
   */
  private subpathImport(dir: string, specifier: string): Resolution | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
      const file = path.join(d, "package.json");
      this.lookups.add(file);
      const read = readJsonFile(file, this.noteRead);
      if (read && "problem" in read) return { kind: "invalid-package-json", file: this.relative(file), problem: read.problem };
      const json = read?.value;
      if (json !== undefined) {
        const imports = (json as { imports?: unknown }).imports;
        if (!imports || typeof imports !== "object") return undefined;
        const [target, captured] = matchImport(imports as Record<string, unknown>, specifier);
        const chosen = chooseTarget(target);
        if (chosen === undefined) return undefined;
        // A bare target names a package, as written: `"#dsl": "gantry"` is the DSL.
        if (!chosen.startsWith("./")) return isDslSpecifier(chosen.replaceAll("*", captured)) ? { kind: "dsl" } : { kind: "package" };
        // Node takes the target as written (a TypeScript-aware run reads `x.ts` for `x.js`): no extension added, no folder.
        const file = path.resolve(d, chosen.replaceAll("*", captured));
        if (this.inNodeModules(file)) return this.packageAt(file);
        if (file.endsWith(".json")) {
          if (isFile(file)) return { kind: "json", file };
          this.lookups.add(file); // creating it makes the import resolve
          return { kind: "module", file: undefined };
        }
        return { kind: "module", file: this.exact(file) };
      }
      if (path.dirname(d) === d) return undefined;
    }
  }

  /**
   * TypeScript's order: the best `paths` pattern's targets; only when no pattern matches, `baseUrl`
   * (a pattern that matched but led to no file names a package); else the package it names.
   */
  private resolveBare(m: PathMapping, specifier: string): Resolution {
    const match = bestMatch(m, specifier);
    const config = m.files[0] === undefined ? undefined : { file: this.relative(m.files[0]), problem: m.problem, ...(m.solution && { solution: true }) };
    if (match) {
      const tried: string[] = [];
      for (const target of match.targets) {
        // An empty capture is not substituted: TypeScript then looks for the target as written (`*` and all).
        const base = path.resolve(m.pathsBase, match.captured ? target.replace("*", match.captured) : target);
        tried.push(base);
        if (this.isDslPath(base)) return { kind: "dsl" }; // `"@dsl": ["./node_modules/gantry"]`
        // A target with an extension names that very file first (`./x.js` is x.js when it exists), then as any path.
        const found = (TARGET_EXTENSION.test(target) ? this.exactTarget(base) : undefined) ?? this.inProject(base);
        if (found) return found;
      }
      return { kind: "package", ...(config && { config }), alias: { pattern: match.pattern, tried: tried.map((t) => this.relative(t)) } };
    }
    if (m.baseUrl !== undefined) {
      const found = this.inProject(path.resolve(m.baseUrl, specifier));
      if (found) return found;
    }
    return { kind: "package", ...(config && { config }) };
  }

  /** A `paths` target's file as written, if it is one Gantry reads and is not in node_modules. */
  private exactTarget(file: string): Resolution | undefined {
    if (this.inNodeModules(file)) return undefined;
    if (!isFile(file)) {
      // Looked for in vain, and found first once it exists (`tsc` writing img.js beside img.ts).
      this.lookups.add(file);
      return undefined;
    }
    if (file.endsWith(".json")) return { kind: "json", file };
    return MODULE_FILE.test(file) && !isDeclarationFile(file) ? { kind: "module", file } : undefined;
  }

  /** A file or folder in node_modules: the DSL when it is the `gantry` package's, else a package Gantry never loads. */
  private packageAt(file: string): Resolution {
    return this.isDslPath(file) ? { kind: "dsl" } : { kind: "package" };
  }

  /** Whether a path is the `gantry` package in a node_modules folder, or its main module (`dist/index.js`, what `"gantry"` imports). */
  private isDslPath(file: string): boolean {
    const parts = this.relative(file).split("/");
    const at = parts.lastIndexOf("node_modules");
    if (at < 0 || !isDslSpecifier(parts[at + 1] ?? "")) return false;
    const inside = parts.slice(at + 2).join("/");
    return inside === "" || inside === "dist/index.js";
  }

  private relative(file: string): string {
    return path.relative(this.cwd, file).split(path.sep).join("/");
  }

  /** Whether a path is inside the project's node_modules, which holds packages, never modules of the project. */
  private inNodeModules(file: string): boolean {
    return this.relative(file).split("/").includes("node_modules");
  }

  /** A mapped path that leads to a file of the project (not into its node_modules, which holds packages). */
  private inProject(base: string): Resolution | undefined {
    if (this.inNodeModules(base)) return undefined;
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
    const found = this.file(base) ?? this.folder(base);
    this.probes.set(base, found);
    return found;
  }

  /** `base` as a file: itself (`.js` meaning `.ts` first), or with an extension added. */
  private file(base: string): string | undefined {
    return this.exact(base) ?? this.first(EXTENSIONS.map((ext) => base + ext));
  }

  /** `base` as the file it names: `x.js` is `x.ts` when there is one (`.mjs` `.mts`, `.cjs` `.cts`). */
  private exact(base: string): string | undefined {
    const js = /\.(m|c)?js$/.exec(base);
    return this.first(js ? [base.slice(0, -js[0].length) + js[0].replace("js", "ts"), base] : [base]);
  }

  /**
   * `base` as a folder: the module its package.json names (`types`, then `main`, as TypeScript
   * reads a folder; a declaration file is skipped, since it has no values), else its index file.
   */
  private folder(base: string): string | undefined {
    const manifest = path.join(base, "package.json");
    // A dependency whether or not it exists: its `types` or `main` decides what the folder names.
    this.lookups.add(manifest);
    const json = readJson(manifest, this.noteRead) as { types?: unknown; typings?: unknown; main?: unknown } | undefined;
    for (const entry of [json?.types, json?.typings, json?.main]) {
      if (typeof entry !== "string" || isDeclarationFile(entry)) continue;
      const named = path.resolve(base, entry);
      // A file, or a folder's index (`"main": "./lib"`), as TypeScript reads it.
      const found = this.file(named) ?? this.index(named);
      if (found) return found;
    }
    return this.index(base);
  }

  private index(dir: string): string | undefined {
    return this.first(EXTENSIONS.map((ext) => path.join(dir, "index" + ext)));
  }

  /** The first candidate that is a module file; the others looked at are lookups. */
  private first(candidates: readonly string[]): string | undefined {
    for (const c of candidates) {
      if (!MODULE_FILE.test(c)) continue;
      if (isFile(c)) return c;
      this.lookups.add(c);
    }
    return undefined;
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

/** What read a file's text: `ModuleResolver.noteRead`. */
type NoteRead = (file: string, text: string) => void;

/** A JSON file's value; undefined if it is missing or not valid JSON. */
function readJson(file: string, note: NoteRead): unknown {
  const read = readJsonFile(file, note);
  return read && "value" in read ? read.value : undefined;
}

/** A JSON file's value, or why it is not JSON; undefined if it cannot be read (missing, a folder). */
function readJsonFile(file: string, note: NoteRead): { value: unknown } | { problem: string } | undefined {
  // Not a regular file (a FIFO would block the read forever, a device never end): as if missing.
  if (!isFile(file)) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const json = withoutBom(text);
  note(file, json);
  try {
    return { value: JSON.parse(json) as unknown };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/**
 * Node's match of `imports` keys: the exact key, else among `*` keys the longest prefix, then the
 * longest key (PATTERN_KEY_COMPARE); and what `*` stands for.
 */
function matchImport(imports: Record<string, unknown>, specifier: string): [target: unknown, captured: string] {
  if (Object.hasOwn(imports, specifier) && !specifier.includes("*")) return [imports[specifier], ""];
  let best: string | undefined;
  for (const key of Object.keys(imports)) {
    const star = key.indexOf("*");
    if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (specifier.length < key.length || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) continue;
    const bestPrefix = best?.indexOf("*") ?? -1;
    if (!best || star > bestPrefix || (star === bestPrefix && key.length > best.length)) best = key;
  }
  return best === undefined ? [undefined, ""] : [imports[best], specifier.slice(best.indexOf("*"), specifier.length - (best.length - best.indexOf("*") - 1))];
}

/** The conditions a Node 20 run of an ES module matches. */
const CONDITIONS = new Set(["node", "import", "default", "node-addons", "module-sync"]);

/**
 * A conditional target as Node picks it: a string; the first entry of an array that is valid; an
 * object's first matching condition whose value gives a target (one that gives none falls through).
 */
function chooseTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const chosen = chooseTarget(t);
      // A fallback skips what is not a target at all (a path outside the package).
      if (chosen !== undefined && !chosen.startsWith("../") && !chosen.startsWith("/")) return chosen;
    }
    return undefined;
  }
  if (target && typeof target === "object") {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const chosen = chooseTarget(value);
      if (chosen !== undefined) return chosen;
    }
  }
  return undefined;
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
 * A tsconfig.json as TypeScript reads it (extended configs applied). Its file list is never
 * expanded: the folder walks TypeScript asks for are kept (`takes`), for `takesFile` to match one file against.
 */
function readPathMapping(file: string, note: NoteRead): PathMapping {
  const dir = path.dirname(file);
  const none: PathMapping = { ...NO_MAPPING, pathsBase: dir, files: [file] };
  // What TypeScript reads or probes for `extends` besides config files: editing, removing or installing it changes the mapping.
  const consulted: string[] = [];
  const readFile = (f: string) => {
    if (f !== file) consulted.push(f);
    try {
      const text = withoutBom(fs.readFileSync(f, "utf8"));
      note(f, text);
      return text;
    } catch {
      return undefined;
    }
  };
  const text = readFile(file);
  // TypeScript's config parser fails on a file it could not read: say so instead.
  if (text === undefined) return { ...none, problem: "it cannot be read" };
  const json = ts.parseJsonText(file, text) as ts.TsConfigSourceFile;
  const fileExists = (f: string) => {
    consulted.push(f);
    return isFile(f);
  };
  const walks: Walk[] = [];
  const readDirectory = (root: string, extensions: readonly string[], excludes: readonly string[] | undefined, includes: readonly string[], depth?: number) => {
    walks.push({ root, extensions, excludes, includes, depth });
    return [];
  };
  const host: ts.ParseConfigHost = { useCaseSensitiveFileNames: true, readDirectory, fileExists, readFile };
  const parsed = ts.parseJsonSourceFileConfigFileContent(json, host, dir, undefined, file);
  // 18003: "No inputs were found", since no folder is read here.
  // A JSON syntax error is only in the parse diagnostics, which TypeScript's typings leave out.
  const syntax = (json as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const problems = [...syntax, ...parsed.errors].filter((d) => d.code !== 18003);
  const problem = problems[0] && `TS${problems[0].code}: ${ts.flattenDiagnosticMessageText(problems[0].messageText, " ")}`;
  const files = [file, ...(json.extendedSourceFiles ?? [])];
  const { paths, baseUrl } = parsed.options;
  // TypeScript resolves `paths` targets from `baseUrl`, else from the config that declared them (an internal option it records).
  const pathsBase = baseUrl ?? (parsed.options as { pathsBasePath?: string }).pathsBasePath ?? dir;
  const patterns = Object.entries(paths ?? {})
    .filter(([pattern, targets]) => pattern.split("*").length <= 2 && Array.isArray(targets)) // more than one `*` is TypeScript's error 5061
    .map(([pattern, targets]) => {
      const star = pattern.indexOf("*");
      return { pattern, prefix: star < 0 ? pattern : pattern.slice(0, star), suffix: star < 0 ? "" : pattern.slice(star + 1), star: star >= 0, targets: targets.filter((t) => typeof t === "string") };
    });
  const raw = parsed.raw as { files?: unknown; include?: unknown } | undefined;
  const solution = Array.isArray(raw?.files) && raw.files.length === 0 && raw.include === undefined && (parsed.projectReferences?.length ?? 0) > 0;
  const references = (parsed.projectReferences ?? []).map((r) => path.resolve(ts.resolveProjectReferencePath(r)));
  const takes = { files: parsed.fileNames.map((f) => path.resolve(f)), walks };
  return { patterns, pathsBase, baseUrl, files, problem, solution, references, takes, consulted };
}

/** TypeScript's own matcher of `include`/`exclude` patterns (internal to it, present at run time). */
const matchFiles = (ts as unknown as { matchFiles: (path: string, extensions: readonly string[] | undefined, excludes: readonly string[] | undefined, includes: readonly string[] | undefined, useCaseSensitiveFileNames: boolean, currentDirectory: string, depth: number | undefined, entries: (dir: string) => { files: string[]; directories: string[] }, realpath: (p: string) => string) => string[] }).matchFiles;

/**
 * Whether the config of `mapping` takes `file` (absolute) into its program through `files` or
 * `include`, its `exclude` applied: TypeScript's own matcher over the walks it asked for, with a
 * directory listing that holds only the folders on the way to `file`, so no folder is read (a
 * referenced project may hold thousands of files, and `--cache` and `--watch` resolve each entry
 * on its own). The answer depends on the config's text alone, which the mapping records as read.
 */
function takesFile(mapping: PathMapping, file: string): boolean {
  if (mapping.takes.files.includes(file)) return true;
  const target = file.split(path.sep).join("/");
  const entries = (dir: string) => {
    const rest = path.posix.relative(dir.split(path.sep).join("/"), target);
    if (rest === "" || !isWithin(rest)) return { files: [], directories: [] };
    const [first, ...deeper] = rest.split("/");
    return deeper.length === 0 ? { files: [first!], directories: [] } : { files: [], directories: [first!] };
  };
  return mapping.takes.walks.some((w) => matchFiles(w.root, w.extensions, w.excludes, w.includes, true, w.root, w.depth, entries, (p) => p).length > 0);
}
