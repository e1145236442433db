/**
 * Opt-in type checking (`gantry compile --typecheck`): builds TypeScript programs over the pipeline
 * files and reports their errors as GANTRY1130. Only here is a Program built; a plain compile parses
 * files one by one and never pays for type checking.
 *
 * Every file is checked with the compiler options of its own nearest tsconfig.json, as an editor
 * checks it and as the analysis resolves its aliases: one program per tsconfig, whose roots are the
 * entries nearest to it and the local modules of other programs nearest to it. A program reports
 * only the files that are its own, so a module of package b that package a's pipeline imports is
 * checked with b's options (a's program, resolving b's aliases with a's `paths`, would be wrong).
 */
import path from "node:path";
import { Project, ts, type Diagnostic as TsDiagnostic } from "ts-morph";
import type { Diagnostic, Span } from "../../diagnostics/index.js";

const TYPESCRIPT = /\.[mc]?tsx?$/;

/** Entry files with no tsconfig.json in their folder or above it. */
const NO_CONFIG = "";

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  allowJs: true, // JavaScript helpers a pipeline imports resolve, typed by inference (not checked)
};

export function typecheck(files: readonly string[], relative: (p: string) => string): Diagnostic[] {
  const nearest = nearestConfigs();
  const out: Diagnostic[] = [];
  // Programs by config, and the roots each has been given.
  const programs = new Map<string, { project: Project; roots: Set<string> }>();
  const unreadable = new Set<string>();
  const pending = new Map<string, Set<string>>();
  const give = (file: string) => {
    const config = nearest(file);
    if (unreadable.has(config) || programs.get(config)?.roots.has(file)) return;
    pending.set(config, (pending.get(config) ?? new Set()).add(file));
  };
  files.forEach(give);
  // Until every local module is a root of its own program: each round adds roots, never removes one.
  while (pending.size > 0) {
    const [config, roots] = pending.entries().next().value!;
    pending.delete(config);
    let program = programs.get(config);
    if (!program) {
      const project = open(config, relative, out);
      if (!project) {
        unreadable.add(config); // reported once; the files it is nearest to stay unchecked
        continue;
      }
      programs.set(config, (program = { project, roots: new Set() }));
    }
    for (const f of roots) {
      if (program.roots.has(f)) continue;
      program.roots.add(f);
      program.project.addSourceFileAtPath(f);
    }
    program.project.resolveSourceFileDependencies();
    // JavaScript and JSON modules are not checked (no checkJs), only read for their types: they stay where they were found.
    for (const f of ownFiles(program.project)) if (TYPESCRIPT.test(f) && nearest(f) !== config) give(f);
  }

  // A diagnostic reported twice (a config problem every program sees) is kept once.
  const seen = new Set<string>();
  for (const [config, { project }] of programs) {
    const own = new Set(ownFiles(project).filter((f) => !TYPESCRIPT.test(f) || nearest(f) === config));
    for (const d of project.getPreEmitDiagnostics()) {
      const diagnostic = fromTypeScript(d, own, config, relative);
      if (!diagnostic) continue;
      const key = `${diagnostic.span?.file}:${diagnostic.span?.line}:${diagnostic.span?.column} ${diagnostic.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(diagnostic);
    }
  }
  return out;
}

/** The nearest tsconfig.json of a file's folder (`NO_CONFIG` if none), as TypeScript finds it; each folder asked once. */
function nearestConfigs(): (file: string) => string {
  const byDir = new Map<string, string>();
  return (file) => {
    const dir = path.dirname(file);
    let config = byDir.get(dir);
    if (config === undefined) byDir.set(dir, (config = ts.findConfigFile(dir, ts.sys.fileExists) ?? NO_CONFIG));
    return config;
  };
}

/** A project with a config's compiler options (not its file list); undefined, with the problem reported, if TypeScript cannot read it. */
function open(config: string, relative: (p: string) => string, out: Diagnostic[]): Project | undefined {
  if (config === NO_CONFIG) return new Project({ compilerOptions: DEFAULT_OPTIONS });
  try {
    return new Project({ tsConfigFilePath: config, skipAddingFilesFromTsConfig: true });
  } catch (e) {
    // ts-morph throws on a config that is not JSON (or not an object); TypeScript's reader says where.
    const { error } = ts.readConfigFile(config, ts.sys.readFile);
    const message = error ? `TS${error.code}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}` : `TypeScript cannot read this tsconfig.json: ${e instanceof Error ? e.message : String(e)}`;
    const span = error?.file && error.start !== undefined ? at(error.file, error.start, relative) : configSpan(config, relative);
    out.push({ code: "GANTRY1130", severity: "error", message, span, hint: "The files this tsconfig.json is nearest to are not type-checked until TypeScript can read it." });
    return undefined;
  }
}

/** Files of a project that are the author's: not in node_modules, not declaration files. */
const ownFiles = (project: Project): string[] =>
  project.getSourceFiles().filter((sf) => !sf.isInNodeModules() && !sf.isDeclarationFile()).map((sf) => sf.getFilePath() as string);

function fromTypeScript(d: TsDiagnostic, own: Set<string>, config: string, relative: (p: string) => string): Diagnostic | undefined {
  const sf = d.getSourceFile();
  // Errors inside dependencies are theirs (skipLibCheck, but for .ts in node_modules); another program checks another config's files.
  if (sf && !own.has(sf.getFilePath())) return undefined;
  const category = d.getCategory();
  if (category !== ts.DiagnosticCategory.Error && category !== ts.DiagnosticCategory.Warning) return undefined;
  // The compiler's own text: ts-morph wraps a message chain in a class of its own that TypeScript cannot flatten.
  const message = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
  const start = d.getStart();
  const pos = sf && start !== undefined ? sf.getLineAndColumnAtPos(start) : undefined;
  // A problem of the options has no file: it is the tsconfig's, which one program per config can name.
  const span: Span | undefined = sf && pos ? { file: relative(sf.getFilePath()), line: pos.line, column: pos.column } : config === NO_CONFIG ? undefined : configSpan(config, relative);
  return { code: "GANTRY1130", severity: category === ts.DiagnosticCategory.Error ? "error" : "warning", message: `TS${d.getCode()}: ${message}`, ...(span && { span }) };
}

const configSpan = (config: string, relative: (p: string) => string): Span => ({ file: relative(config), line: 1, column: 1 });

function at(file: ts.SourceFile, start: number, relative: (p: string) => string): Span {
  const { line, character } = file.getLineAndCharacterOfPosition(start);
  return { file: relative(file.fileName), line: line + 1, column: character + 1 };
}
