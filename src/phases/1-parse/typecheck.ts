/**
 * Opt-in type checking (`gantry compile --typecheck`): builds TypeScript programs over the pipeline
 * files and reports their errors as GANTRY1130. Only here is a Program built; a plain compile parses
 * files one by one and never pays for type checking.
 *
 * Every file is checked by the program of the tsconfig.json that owns it, as an editor picks a
 * file's project: the nearest one that names it in its `files`/`include`. Entries are the roots of
 * their owner's program (an entry no config names: of its nearest config's); a module a program
 * reaches that another config owns is handed to that config's program, so it is checked with its
 * own options, and one no config names is checked where it was reached, as `tsc -p` would.
 * Programs are built, checked and dropped one at a time, so memory does not grow with the number of
 * configs. Aliases follow the nearest tsconfig in the analysis (resolve.ts), named or not.
 */
import fs from "node:fs";
import path from "node:path";
import { Project, ts } from "ts-morph";
import { editorPosition } from "../../util/editor-lines.js";
import type { Diagnostic, Span } from "../../diagnostics/index.js";
import { isDeclarationFile } from "./parse.js";

export interface TypecheckResult {
  diagnostics: Diagnostic[];
  /** Every file the verdict depends on (modules checked, type-only imports, tsconfig files and what they extend): --watch watches them. */
  files: string[];
}

const TYPESCRIPT = /\.[mc]?tsx?$/;
const MODULE = /\.[mc]?[tj]sx?$/;
/** Errors about how `tsc -p` would lay out its output (`rootDir`, the file list of a `composite` project), which name the file. */
const LAYOUT = new Set([6059, 6307]);

/** What a program is built from: its tsconfig (none: strict `NodeNext` defaults) as TypeScript reads it. */
interface Config {
  /** The tsconfig.json, or "" for files with none in their folder or above it. */
  file: string;
  options: ts.CompilerOptions;
  /** The files its `files`/`include` name (a module it does not name is not handed to it). */
  includes: Set<string>;
  /** Problems TypeScript found reading it; `fatal` when it could not read it at all (its files are then not checked). */
  problems: ts.Diagnostic[];
  fatal: boolean;
  /** Config files read: it, and what it extends. */
  read: string[];
  /** The tsconfig files of the projects its `references` name. */
  references: Set<string>;
}

const DEFAULTS: Config = {
  file: "",
  options: {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    allowJs: true, // JavaScript helpers a pipeline imports resolve, typed by inference (not checked)
  },
  includes: new Set(),
  problems: [],
  fatal: false,
  read: [],
  references: new Set(),
};

export function typecheck(entries: readonly string[], relative: (p: string) => string): TypecheckResult {
  const configs = new ConfigReader();
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (d: Diagnostic) => {
    const key = `${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  const files = new Set<string>();

  // Roots waiting for their config's program; files already checked under each config.
  const pending = new Map<Config, Set<string>>();
  const checked = new Map<Config, Set<string>>();
  const give = (file: string, config: Config) => {
    if (!checked.get(config)?.has(file)) pending.set(config, (pending.get(config) ?? new Set()).add(file));
  };
  for (const f of entries) {
    const config = configs.owner(f) ?? configs.nearest(f);
    // A config without allowJs refuses a JavaScript root; with it, TypeScript checks what checkJs or `// @ts-check` asks.
    if (TYPESCRIPT.test(f) || config.options.allowJs) give(f, config);
  }

  while (pending.size > 0) {
    const [config, roots] = pending.entries().next().value!;
    pending.delete(config);
    for (const f of config.read) files.add(f);
    if (!checked.has(config)) for (const problem of config.problems) report(fromConfigProblem(problem, config, relative));
    const done = checked.get(config) ?? new Set<string>();
    checked.set(config, done);
    if (config.fatal) continue;
    for (const [f, owner] of check(config, [...roots], configs, relative, report)) {
      files.add(f);
      if (owner) give(f, owner);
      else done.add(f);
    }
  }
  return { diagnostics: out, files: [...files].sort() };
}

/**
 * The config whose program checks `file`, reached by `config`'s program, if it is another: the
 * nearest config that names the file (JavaScript only to one that allows it; declaration files and
 * JSON stay with every program that reads them). A module no config names stays with its importer.
 */
function handedTo(file: string, config: Config, configs: ConfigReader): Config | undefined {
  if (!MODULE.test(file) || isDeclarationFile(file)) return undefined;
  const owner = configs.owner(file);
  if (!owner || owner === config || (!TYPESCRIPT.test(file) && !owner.options.allowJs)) return undefined;
  return owner;
}

/**
 * One program of `config` over `roots` and the declaration files the config names (its ambient
 * globals); reports the errors of the files that are its to check, and returns every file of the
 * project it reached (not in node_modules), with the config each one is handed to (none: its own).
 */
function check(config: Config, roots: readonly string[], configs: ConfigReader, relative: (p: string) => string, report: (d: Diagnostic) => void): Map<string, Config | undefined> {
  const declarations = [...config.includes].filter((f) => isDeclarationFile(f));
  let project: Project;
  try {
    project = open(config, [...roots, ...declarations]);
    // A `composite` project must list every file it reaches (TS6307), as its include does under `tsc -p`:
    // the ones the config names are given as roots of a program built again (ts-morph's roots are the files added before).
    if (config.options.composite) {
      const named = project.getSourceFiles().map((sf) => sf.getFilePath() as string).filter((f) => config.includes.has(f));
      project = open(config, [...new Set([...roots, ...declarations, ...named])]);
    }
  } catch (e) {
    // A module TypeScript cannot read (the analysis reports it too, GANTRY1001).
    const message = `TypeScript cannot read a module: ${e instanceof Error ? e.message : String(e)}`;
    report({ code: "GANTRY1130", severity: "error", message, ...(config.file && { span: configSpan(config.file, relative) }) });
    return new Map();
  }
  const reached = new Map<string, Config | undefined>();
  for (const sf of project.getSourceFiles()) if (!sf.isInNodeModules()) reached.set(sf.getFilePath(), handedTo(sf.getFilePath(), config, configs));
  for (const d of project.getPreEmitDiagnostics()) {
    const sf = d.getSourceFile();
    // Errors inside dependencies are theirs (skipLibCheck, but for .ts in node_modules); another program checks another config's files.
    if (sf && (!reached.has(sf.getFilePath()) || reached.get(sf.getFilePath()))) continue;
    const category = d.getCategory();
    if (category !== ts.DiagnosticCategory.Error && category !== ts.DiagnosticCategory.Warning) continue;
    // A module of a project this config references is in this program only because Gantry does not give programs their
    // references: `tsc -b` would take it from that project's build, so where `tsc -p` would lay it out is not a problem.
    if (LAYOUT.has(d.getCode()) && isReferenced(d, config, configs)) continue;
    // The compiler's own text: ts-morph wraps a message chain in a class of its own that TypeScript cannot flatten.
    const message = `TS${d.getCode()}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n")}`;
    const start = d.getStart();
    // Lines as every other span counts them (ts-morph's own count knows only "\n").
    const pos = sf && start !== undefined ? editorPosition(sf.compilerNode, start) : undefined;
    // A problem of the options has no file here (ts-morph drops the config's syntax tree): it is the tsconfig's.
    const span = sf && pos ? { file: relative(sf.getFilePath()), line: pos.line, column: pos.column } : config.file ? configSpan(config.file, relative) : undefined;
    report({ code: "GANTRY1130", severity: category === ts.DiagnosticCategory.Error ? "error" : "warning", message, ...(span && { span }) });
  }
  return reached;
}

/** Whether a layout error names a file that a project `config` references checks. */
function isReferenced(d: { compilerObject: ts.Diagnostic }, config: Config, configs: ConfigReader): boolean {
  const named = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n"))?.[1];
  const owner = named === undefined ? undefined : handedTo(path.resolve(named), config, configs);
  return owner !== undefined && config.references.has(owner.file);
}

/** A project of `config`'s options with `roots` and the modules they import. */
function open(config: Config, roots: readonly string[]): Project {
  const project = new Project({ compilerOptions: config.options });
  for (const f of roots) project.addSourceFileAtPath(f);
  project.resolveSourceFileDependencies();
  return project;
}

/** Each tsconfig.json read once, and each folder's nearest one found once (`ts.findConfigFile`). */
class ConfigReader {
  private readonly byFile = new Map<string, Config>();
  private readonly byDir = new Map<string, Config>();

  nearest(file: string): Config {
    return this.nearestFrom(path.dirname(file));
  }

  /**
   * The nearest config that names `file` in its `files`/`include`, as an editor picks a file's
   * project: a config that does not is looked through to the projects its `references` name
   * (depth-first, in their order: a solution config's `files: []` names none itself); undefined if none does.
   */
  owner(file: string): Config | undefined {
    // A config TypeScript cannot read might have named it: the file goes to it, and stays unchecked, its problem reported.
    for (let config = this.nearest(file); config !== DEFAULTS; config = this.above(config)) {
      if (config.fatal || config.includes.has(file)) return config;
      const referenced = this.referencedOwner(file, config, new Set([config.file]));
      if (referenced) return referenced;
    }
    return undefined;
  }

  /** A config TypeScript cannot read claims the file only when no other referenced project names it, so it cannot hide one that does. */
  private referencedOwner(file: string, config: Config, visited: Set<string>): Config | undefined {
    let unreadable: Config | undefined;
    for (const reference of config.references) {
      if (visited.has(reference)) continue;
      visited.add(reference);
      if (!fs.existsSync(reference)) continue;
      const project = this.read(reference);
      if (project.fatal) {
        unreadable ??= project;
        continue;
      }
      if (project.includes.has(file)) return project;
      const deeper = this.referencedOwner(file, project, visited);
      if (deeper && !deeper.fatal) return deeper;
      unreadable ??= deeper;
    }
    return unreadable;
  }

  private above(config: Config): Config {
    const dir = path.dirname(config.file);
    return path.dirname(dir) === dir ? DEFAULTS : this.nearestFrom(path.dirname(dir));
  }

  private nearestFrom(dir: string): Config {
    let config = this.byDir.get(dir);
    if (!config) {
      const found = ts.findConfigFile(dir, ts.sys.fileExists);
      this.byDir.set(dir, (config = found ? this.read(found) : DEFAULTS));
    }
    return config;
  }

  private read(file: string): Config {
    let config = this.byFile.get(file);
    if (!config) this.byFile.set(file, (config = readConfig(file)));
    return config;
  }
}

/** A tsconfig.json as `tsc -p` reads it: its options, the files it names, the config files read and its problems. */
function readConfig(file: string): Config {
  const read: string[] = [];
  let unrecoverable: ts.Diagnostic | undefined;
  const host: ts.ParseConfigFileHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    getCurrentDirectory: () => path.dirname(file),
    readDirectory: ts.sys.readDirectory,
    fileExists: ts.sys.fileExists,
    readFile: (f) => {
      read.push(f);
      return ts.sys.readFile(f);
    },
    onUnRecoverableConfigFileDiagnostic: (d) => (unrecoverable = d),
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(file, undefined, host);
  if (!parsed) return { ...DEFAULTS, file, problems: unrecoverable ? [unrecoverable] : [], fatal: true, read: [file] };
  // 18003 "No inputs were found": Gantry checks the files it compiles, not the config's list.
  const problems = ts.getConfigFileParsingDiagnostics(parsed).filter((d) => d.code !== 18003);
  // Not JSON, or not an object: its options would be guesses (ts-morph refuses such a config too).
  const syntax = (parsed.options.configFile as { parseDiagnostics?: ts.Diagnostic[] } | undefined)?.parseDiagnostics ?? [];
  const fatal = syntax.length > 0 || problems.some((d) => d.code === 5092);
  // A config TypeScript cannot read names nothing: its modules stay with their importers.
  const includes = new Set(fatal ? [] : parsed.fileNames.map((f) => path.resolve(f)));
  const references = new Set((parsed.projectReferences ?? []).map((r) => path.resolve(ts.resolveProjectReferencePath(r))));
  return { file, options: asProjectTypeScript(parsed.options, path.dirname(file)), includes, problems, fatal, read: [...new Set(read)], references };
}

/**
 * Gantry checks types with the TypeScript it bundles (ts-morph's, 6.0). A project still on
 * TypeScript 5 (the version in its node_modules/typescript/package.json, read as data, never
 * loaded) keeps 5's behaviour where 6.0 changed it and the config is silent, so `--typecheck`
 * agrees with the project's own `tsc -p` (module review finding): the options 6.0 deprecates
 * (`baseUrl`, `moduleResolution: "node"`, `target: "es5"`) are accepted, which the project itself
 * cannot ask for (5.x refuses `ignoreDeprecations: "6.0"`), and `strict`, `types` and
 * `noUncheckedSideEffectImports` default as in 5. The defaults of `target` and `module` stay 6.0's.
 */
function asProjectTypeScript(options: ts.CompilerOptions, dir: string): ts.CompilerOptions {
  const major = projectTypeScriptMajor(dir);
  if (major === undefined || major >= 6) return options;
  return {
    ...options,
    ignoreDeprecations: "6.0",
    strict: options.strict ?? false,
    types: options.types ?? ["*"],
    noUncheckedSideEffectImports: options.noUncheckedSideEffectImports ?? false,
  };
}

/** The major version of the `typescript` package Node would find from `dir`, if any. */
function projectTypeScriptMajor(dir: string): number | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const manifest = path.join(d, "node_modules", "typescript", "package.json");
    if (ts.sys.fileExists(manifest)) {
      try {
        const version = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: unknown }).version;
        const major = typeof version === "string" ? Number.parseInt(version, 10) : Number.NaN;
        return Number.isInteger(major) ? major : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function fromConfigProblem(d: ts.Diagnostic, config: Config, relative: (p: string) => string): Diagnostic {
  const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  const span = d.file && d.start !== undefined ? at(d.file, d.start, relative) : configSpan(config.file, relative);
  const severity = d.category === ts.DiagnosticCategory.Warning ? "warning" : "error";
  return { code: "GANTRY1130", severity, message, span, ...(config.fatal && { hint: "TypeScript cannot read this tsconfig.json, so the files it is nearest to are not type-checked." }) };
}

const configSpan = (config: string, relative: (p: string) => string): Span => ({ file: relative(config), line: 1, column: 1 });

function at(file: ts.SourceFile, start: number, relative: (p: string) => string): Span {
  const { line, column } = editorPosition(file, start);
  return { file: relative(file.fileName), line, column };
}
