/**
 * Phase 2: find every exported pipeline in the entry files and compute its declaration statically.
 * The DSL's own `pipeline()` builds the declaration, called with statically evaluated arguments, so
 * a module read here and the same module executed produce the same `PipelineDefinition`.
 */
import { ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";
import { PipelineDefinition } from "../../dsl/pipeline.js";
import { dslModule, isPlainData } from "./builtins.js";
import type { SourceProgram } from "../1-parse/index.js";
import type { DeclarationUnit } from "../3-validate/index.js";
import { Evaluator } from "./evaluator.js";
import { cannotRead, importCycles, ModuleLoader, type ImportGraph, type ModuleRecord } from "./modules.js";
import { boundNames } from "./syntax.js";
import { Origins } from "./origins.js";

export interface AnalysisResult {
  units: DeclarationUnit[];
  diagnostics: Diagnostic[];
  /** Absolute paths of the files the analysis read: the entries and every module they import. */
  loadedFiles: string[];
}

/** Every entry at once: `Analyzer` entry by entry, then the checks over the whole import graph. */
export function analyze(program: SourceProgram, entryFiles: readonly string[]): AnalysisResult {
  const analyzer = new Analyzer(program);
  const units: DeclarationUnit[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of entryFiles) {
    const entry = analyzer.entry(file);
    units.push(...entry.units);
    diagnostics.push(...entry.diagnostics);
  }
  diagnostics.push(...analyzer.finish());
  return { units, diagnostics, loadedFiles: analyzer.loadedFiles() };
}

/**
 * Analyses entry files one at a time with one module cache, so shared helpers are read and evaluated
 * once per compile, and an entry's syntax tree and values can be let go of (`release`) once its
 * pipelines are validated: a compile then holds one entry's trees at a time, not the repository's.
 */
export class Analyzer {
  private readonly origins: Origins;
  private readonly loader: ModuleLoader;
  private readonly ev: Evaluator;
  /**
   * Pipelines found so far, by identity and by where they were made: a pipeline reached from two
   * entries is compiled once, also when its module was released and read again in between.
   */
  private readonly found = new WeakSet<PipelineDefinition>();
  private readonly foundIds = new Set<string>();
  private reportedDiagnostics = 0;
  private reportedSyntax = 0;

  /**
   * @param options.properties false: record only where tasks and pipelines were made, not where
   *   each property was written (see Origins); diagnostics of validation then point at the task or pipeline.
   */
  constructor(
    private readonly program: SourceProgram,
    options: { properties?: boolean } = {},
  ) {
    this.origins = new Origins(program.relative, options.properties ?? true);
    this.loader = new ModuleLoader(program);
    this.ev = new Evaluator(this.origins, this.loader);
    this.loader.evaluator = this.ev;
  }

  /** The pipelines an entry file exports, and the diagnostics found while reading it. */
  entry(file: string): { units: DeclarationUnit[]; diagnostics: Diagnostic[] } {
    const { program, origins, loader, ev } = this;
    const units: DeclarationUnit[] = [];
    const diagnostics: Diagnostic[] = [];
    let noPipeline = false;
    let failed = false;
    // By the path its imports would name it by: an entry reached through a symlinked folder that another entry imports is one module.
    const record = loader.module(loader.resolver.canonical(file));
    // At the file's start: the file is where the problem is (CI annotations and SARIF need a place).
    if (!record) diagnostics.push({ code: "GANTRY1001", severity: "error", message: cannotRead(program, file), span: { file: program.relative(file), line: 1, column: 1 } });
    else if (!record.hasSyntaxErrors) {
      /** Every pipeline an export leads to, compiled or not (failed evaluations included). */
      const reached = new Set<unknown>();
      const exported = new Map<string, unknown>();
      // Its own exports in the order a run creates them, then what its `export *` statements pass
      // on (a barrel file, `export * from "./etl"`): a run's namespace holds those too.
      const own = record.exportNames;
      let passedOn: string[] = [];
      try {
        if (record.starExports.length > 0) passedOn = record.allExportNames().filter((n) => !own.includes(n));
      } catch (e) {
        ev.recover(e); // a module a star names that cannot be read: reported (once) as for any import
        failed = true;
      }
      for (const name of [...own, ...passedOn]) {
        if (record.exportsOnlyAType(name)) continue;
        // Failures, not diagnostics: a value that failed before (a shared helper) fails again silently.
        const before = ev.failures;
        ev.resetBudget();
        let value: unknown;
        try {
          value = record.readExport(name, record.file);
        } catch (e) {
          ev.recover(e);
        }
        for (const v of Array.isArray(value) ? value : [value]) reached.add(v);
        exported.set(name, value);
        // A pipeline whose evaluation failed anywhere is incomplete: validating it would only add noise.
        if (ev.failures > before) {
          failed = true; // reported, possibly from an earlier entry that shares the failing module
          continue;
        }
        for (const definition of Array.isArray(value) ? value : [value]) {
          if (!(definition instanceof PipelineDefinition) || this.found.has(definition)) continue;
          this.found.add(definition);
          const id = loader.idOf(definition);
          if (id !== undefined && this.foundIds.has(id)) continue;
          if (id !== undefined) this.foundIds.add(id);
          const node = origins.nodeOf(definition);
          const sourceFile = node?.getSourceFile().fileName ?? file;
          units.push({ definition, file: program.relative(sourceFile), locator: origins, ...(id !== undefined && { id }) });
        }
      }
      // What a run loads that nothing read (`import "./steps"`), then what no export read but a run would execute.
      loader.linkLoaded();
      loader.checkUnreadDeclarations();
      diagnostics.push(...unexportedPipelines(record, ev, reached), ...nestedPipelines(record, ev, exported, reached));
      noPipeline = !failed && ![...reached].some((v) => v instanceof PipelineDefinition);
    }
    diagnostics.push(...loader.syntaxDiagnostics.slice(this.reportedSyntax), ...ev.diagnostics.slice(this.reportedDiagnostics));
    // Only said of a file named on the command line: compile() drops it for the helpers a folder holds.
    if (noPipeline && !diagnostics.some((d) => d.severity === "error" || d.code === "GANTRY1120")) diagnostics.push(exportsNoPipeline(program.relative(file)));
    this.reportedSyntax = loader.syntaxDiagnostics.length;
    this.reportedDiagnostics = ev.diagnostics.length;
    return { units, diagnostics };
  }

  /**
   * Lets go of an entry's syntax tree and values, unless a module read so far imports it. Call it
   * once the entry's pipelines are validated: their diagnostics point into the tree.
   */
  release(file: string): void {
    this.loader.release(file);
    this.origins.forgetLast();
  }

  /** The checks over every module read: import cycles. */
  finish(): Diagnostic[] {
    return cycleDiagnostics(this.importGraph(), this.program.relative);
  }

  /** The import graph of every module read so far (see ModuleLoader.importGraph). */
  importGraph(): ImportGraph {
    return this.loader.importGraph();
  }

  /** Absolute paths of every module read so far. */
  loadedFiles(): string[] {
    return this.loader.loadedFiles();
  }

  /** The texts of the JSON files read so far, as first read (`ModuleResolver.texts`). */
  readTexts(): ReadonlyMap<string, string> {
    return this.loader.resolver.texts;
  }
}

/** GANTRY1124 for an entry whose exports lead to no pipeline (compile() keeps it only for files named explicitly). */
export function exportsNoPipeline(file: string): Diagnostic {
  return {
    code: "GANTRY1124",
    severity: "warning",
    message: `${file} exports no pipeline: nothing was compiled from it`,
    span: { file, line: 1, column: 1 },
    hint: "A module of helpers is compiled through the pipelines that import it: name those, or their folder.",
  };
}

/**
 * Warns about `pipeline(...)` results bound at top level but never exported: they would be silently
 * skipped. A binding counts as exported when its value is a pipeline found through any export
 * (`export default p`, `export const all = [p]`, `export { p as q }`).
 */
function unexportedPipelines(record: ModuleRecord, ev: Evaluator, reached: ReadonlySet<unknown>): Diagnostic[] {
  // Never evaluated means no export needed it; evaluated to something else (a failure) is reported already.
  const reachesExport = (name: string) => {
    const binding = record.scope.lookup(name);
    return binding !== undefined && binding.state !== "pending" && (!(binding.value instanceof PipelineDefinition) || reached.has(binding.value));
  };
  const out: Diagnostic[] = [];
  for (const statement of record.file.statements) {
    const calls: { call: ts.CallExpression; names: string[] }[] = [];
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (d.initializer && ts.isCallExpression(d.initializer)) calls.push({ call: d.initializer, names: boundNames(d.name) });
      }
    } else if (ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression)) {
      calls.push({ call: statement.expression, names: [] });
    }
    for (const { call, names } of calls) {
      if (names.some(reachesExport)) continue;
      // A callee that fails is not ours to judge here.
      if (ev.peek(call.expression, record.scope) !== dslModule.pipeline) continue; // what `import { pipeline } from "gantry"` reads
      out.push({
        code: "GANTRY1120",
        severity: "warning",
        message: "this pipeline is not exported, so it is not compiled",
        span: ev.origins.span(call.arguments[0] ?? call),
        hint: "Export it: `export default pipeline(...)` or `export const name = pipeline(...)`.",
      });
    }
  }
  return out;
}

/**
 * Warns about exports that hold pipelines deeper than Gantry looks (`export const byRegion = { eu:
 * make("eu") }`, an array of arrays): only an exported pipeline, or an array of them, is compiled,
 * so these would be skipped without a word. Pipelines also exported directly are not mentioned.
 */
function nestedPipelines(record: ModuleRecord, ev: Evaluator, exported: ReadonlyMap<string, unknown>, reached: ReadonlySet<unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, value] of exported) {
    const paths = pipelinePaths(value, name, reached);
    const node = record.exports.get(name)?.node;
    if (paths.length === 0 || !node) continue;
    const shown = paths.length > 3 ? `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more` : paths.join(", ");
    out.push({
      code: "GANTRY1120",
      severity: "warning",
      message: `export "${name}" holds pipelines inside ${Array.isArray(value) ? "nested arrays" : "an object"} (${shown}), which are not compiled: only an exported pipeline, or an array of them, is`,
      span: ev.origins.span(node),
      hint: `Export each one (\`export const x = ${paths[0]}\`), or an array of them (\`export const all = [...]\`, \`Object.values(...)\`).`,
    });
  }
  return out;
}

/** Where `value` holds pipelines below its top (an array's items are its top), through plain objects and arrays, a few levels deep. */
function pipelinePaths(value: unknown, name: string, reached: ReadonlySet<unknown>): string[] {
  const paths: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v instanceof PipelineDefinition) {
      if (depth >= 1 && !reached.has(v)) paths.push(path);
      return;
    }
    if (depth > 4 || paths.length > 20 || v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    else if (isPlainData(v)) for (const [k, item] of Object.entries(v)) walk(item, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, depth + 1);
  };
  if (Array.isArray(value)) value.forEach((item, i) => (item instanceof PipelineDefinition ? undefined : walk(item, `${name}[${i}]`, 1)));
  else walk(value, name, 0);
  return paths;
}

/** GANTRY1110 for each import cycle of `graph` (the graphs of several analyses may be merged first). */
export function cycleDiagnostics(graph: ImportGraph, relative: (file: string) => string): Diagnostic[] {
  return importCycles(graph, relative).map((cycle) => ({
    code: "GANTRY1110" as const,
    severity: "error" as const,
    message: `import cycle: ${cycle.path.join(" -> ")}`,
    span: cycle.span,
    hint: "Move the values both modules need into a module that both import; in a cycle, which module initialises first depends on the entry point.",
  }));
}
