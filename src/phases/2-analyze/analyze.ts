/**
 * Phase 2: find every exported pipeline in the entry files and compute its declaration statically.
 * The DSL's own `pipeline()` builds the declaration, called with statically evaluated arguments, so
 * a module read here and the same module executed produce the same `PipelineDefinition`.
 */
import { ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";
import { pipeline as dslPipeline, PipelineDefinition } from "../../dsl/pipeline.js";
import type { SourceProgram } from "../1-parse/index.js";
import type { DeclarationUnit } from "../3-validate/index.js";
import { Evaluator } from "./evaluator.js";
import { ModuleLoader, boundNames, type ModuleRecord } from "./modules.js";
import { Origins } from "./origins.js";

export interface AnalysisResult {
  units: DeclarationUnit[];
  diagnostics: Diagnostic[];
  /** Absolute paths of the files the analysis read: the entries and every module they import. */
  loadedFiles: string[];
}

export function analyze(program: SourceProgram, entryFiles: readonly string[]): AnalysisResult {
  const origins = new Origins(program.relative);
  const loader = new ModuleLoader(program);
  const ev = new Evaluator(origins, loader);
  loader.evaluator = ev;
  const diagnostics: Diagnostic[] = [];
  const found = new Map<PipelineDefinition, DeclarationUnit>();
  /** Every pipeline an export leads to, compiled or not (failed evaluations included). */
  const reached = new Set<unknown>();

  for (const file of entryFiles) {
    const record = loader.module(file);
    if (!record) {
      diagnostics.push({ code: "GANTRY1001", severity: "error", message: `cannot read ${program.relative(file)}` });
      continue;
    }
    if (record.hasSyntaxErrors) continue;

    for (const name of record.exportNames) {
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
      // A pipeline whose evaluation failed anywhere is incomplete: validating it would only add noise.
      if (ev.failures > before) continue;
      for (const definition of Array.isArray(value) ? value : [value]) {
        if (!(definition instanceof PipelineDefinition) || found.has(definition)) continue;
        const node = origins.nodeOf(definition);
        found.set(definition, { definition, file: program.relative(node?.getSourceFile().fileName ?? file), locator: origins });
      }
    }
    diagnostics.push(...unexportedPipelines(record, ev, reached));
  }
  for (const cycle of loader.importCycles()) {
    diagnostics.push({
      code: "GANTRY1110",
      severity: "error",
      message: `import cycle: ${cycle.path.join(" -> ")}`,
      span: origins.span(cycle.at),
      hint: "Move the values both modules need into a module that both import; in a cycle, which module initialises first depends on the entry point.",
    });
  }
  diagnostics.push(...loader.syntaxDiagnostics, ...ev.diagnostics);
  return { units: [...found.values()], diagnostics, loadedFiles: loader.loadedFiles() };
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
      let callee: unknown;
      try {
        callee = ev.evaluate(call.expression, record.scope);
      } catch {
        continue; // Not resolvable: not ours to judge here.
      }
      if (callee !== dslPipeline) continue;
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
