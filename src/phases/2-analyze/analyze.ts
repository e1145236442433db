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
}

export function analyze(program: SourceProgram, entryFiles: readonly string[]): AnalysisResult {
  const origins = new Origins(program.relative);
  const loader = new ModuleLoader(program);
  const ev = new Evaluator(origins, loader);
  loader.evaluator = ev;
  const diagnostics: Diagnostic[] = [];
  const found = new Map<PipelineDefinition, DeclarationUnit>();

  for (const file of entryFiles) {
    const record = loader.module(file);
    if (!record) {
      diagnostics.push({ code: "GANTRY1001", severity: "error", message: `cannot read ${program.relative(file)}` });
      continue;
    }
    const syntax = program.takeSyntaxDiagnostics();
    diagnostics.push(...syntax);
    if (syntax.length > 0) continue;

    for (const name of record.exportNames) {
      const before = ev.diagnostics.length;
      let value: unknown;
      try {
        value = record.readExport(name, record.file);
      } catch (e) {
        ev.recover(e);
      }
      // A pipeline whose evaluation reported anything is incomplete: validating it would only add noise.
      if (ev.diagnostics.length > before) continue;
      for (const definition of Array.isArray(value) ? value : [value]) {
        if (!(definition instanceof PipelineDefinition) || found.has(definition)) continue;
        const node = origins.nodeOf(definition);
        found.set(definition, { definition, file: program.relative(node?.getSourceFile().fileName ?? file), locator: origins });
      }
    }
    diagnostics.push(...unexportedPipelines(record, ev));
  }
  diagnostics.push(...program.takeSyntaxDiagnostics(), ...ev.diagnostics);
  return { units: [...found.values()], diagnostics };
}

/** Warns about `pipeline(...)` results bound at top level but never exported: they would be silently skipped. */
function unexportedPipelines(record: ModuleRecord, ev: Evaluator): Diagnostic[] {
  const exportedLocals = new Set([...record.exports.values()].flatMap((e) => (e.kind === "local" ? [e.name] : [])));
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
      if (names.some((n) => exportedLocals.has(n))) continue;
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
