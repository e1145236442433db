/**
 * Opt-in type checking (`gantry compile --typecheck`): builds TypeScript programs over the pipeline
 * files and reports their errors as GANTRY1130. Only here is a Program built; a plain compile parses
 * files one by one and never pays for type checking.
 *
 * Every file is checked with the compiler options of its own nearest tsconfig.json, as an editor
 * checks it and as the analysis resolves its aliases. Entries are the roots of their nearest
 * config's program; a module a program reaches whose nearest config is another one that includes
 * it is handed to that config's program (checked with its options and aliases, not the importer's);
 * one that no nearer config includes is checked where it was reached, as `tsc -p` would. Programs
 * are built and checked one at a time, so memory does not grow with the number of configs.
 */
import path from "node:path";
import { Project, ts } from "ts-morph";
import type { Diagnostic, Span } from "../../diagnostics/index.js";

export interface TypecheckResult {
  diagnostics: Diagnostic[];
  /** Every file the verdict depends on (modules checked, type-only imports, tsconfig files and what they extend): --watch watches them. */
  files: string[];
}

const TYPESCRIPT = /\.[mc]?tsx?$/;
const DECLARATION = /\.d\.[mc]?ts$/;

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
  // JavaScript entries are not type-checked (no checkJs); a config without allowJs would refuse them.
  for (const f of entries) if (TYPESCRIPT.test(f)) give(f, configs.nearest(f));

  while (pending.size > 0) {
    const [config, roots] = pending.entries().next().value!;
    pending.delete(config);
    for (const f of config.read) files.add(f);
    if (!checked.has(config)) for (const problem of config.problems) report(fromConfigProblem(problem, config, relative));
    const done = checked.get(config) ?? new Set<string>();
    checked.set(config, done);
    if (config.fatal) continue;
    for (const f of check(config, [...roots], configs, relative, report)) {
      files.add(f);
      const owner = handedTo(f, config, configs);
      if (owner) give(f, owner);
      else done.add(f);
    }
  }
  return { diagnostics: out, files: [...files].sort() };
}

/**
 * The config whose program checks `file`, reached by `config`'s program, if it is another: the
 * file's nearest config, when that config names it (TypeScript modules only: JavaScript and JSON
 * are read for their types, not checked, and declaration files are each config's own).
 */
function handedTo(file: string, config: Config, configs: ConfigReader): Config | undefined {
  if (!TYPESCRIPT.test(file) || DECLARATION.test(file)) return undefined;
  const nearest = configs.nearest(file);
  return nearest !== config && nearest.includes.has(file) ? nearest : undefined;
}

/**
 * One program of `config` over `roots` and the declaration files the config names (its ambient
 * globals); reports the errors of the files that are its to check, and returns every file of the
 * project it reached (not in node_modules).
 */
function check(config: Config, roots: readonly string[], configs: ConfigReader, relative: (p: string) => string, report: (d: Diagnostic) => void): string[] {
  const declarations = [...config.includes].filter((f) => DECLARATION.test(f));
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
    return [];
  }
  const reached = project
    .getSourceFiles()
    .filter((sf) => !sf.isInNodeModules() && (!sf.isDeclarationFile() || config.includes.has(sf.getFilePath())))
    .map((sf) => sf.getFilePath() as string);
  const own = new Set(reached.filter((f) => !handedTo(f, config, configs)));
  for (const d of project.getPreEmitDiagnostics()) {
    const sf = d.getSourceFile();
    // Errors inside dependencies are theirs (skipLibCheck, but for .ts in node_modules); another program checks another config's files.
    if (sf && !own.has(sf.getFilePath())) continue;
    const category = d.getCategory();
    if (category !== ts.DiagnosticCategory.Error && category !== ts.DiagnosticCategory.Warning) continue;
    // The compiler's own text: ts-morph wraps a message chain in a class of its own that TypeScript cannot flatten.
    const message = `TS${d.getCode()}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n")}`;
    const start = d.getStart();
    const pos = sf && start !== undefined ? sf.getLineAndColumnAtPos(start) : undefined;
    // A problem of the options has no file here (ts-morph drops the config's syntax tree): it is the tsconfig's.
    const span = sf && pos ? { file: relative(sf.getFilePath()), line: pos.line, column: pos.column } : config.file ? configSpan(config.file, relative) : undefined;
    report({ code: "GANTRY1130", severity: category === ts.DiagnosticCategory.Error ? "error" : "warning", message, ...(span && { span }) });
  }
  return reached;
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
    const dir = path.dirname(file);
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
  return { file, options: parsed.options, includes: new Set(parsed.fileNames.map((f) => path.resolve(f))), problems, fatal, read: [...new Set(read)] };
}

function fromConfigProblem(d: ts.Diagnostic, config: Config, relative: (p: string) => string): Diagnostic {
  const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  const span = d.file && d.start !== undefined ? at(d.file, d.start, relative) : configSpan(config.file, relative);
  const severity = d.category === ts.DiagnosticCategory.Warning ? "warning" : "error";
  return { code: "GANTRY1130", severity, message, span, ...(config.fatal && { hint: "TypeScript cannot read this tsconfig.json, so the files it is nearest to are not type-checked." }) };
}

const configSpan = (config: string, relative: (p: string) => string): Span => ({ file: relative(config), line: 1, column: 1 });

function at(file: ts.SourceFile, start: number, relative: (p: string) => string): Span {
  const { line, character } = file.getLineAndCharacterOfPosition(start);
  return { file: relative(file.fileName), line: line + 1, column: character + 1 };
}
