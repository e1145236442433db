/**
 * An incremental compile for `gantry compile --watch`. Each entry file is analysed on its own, so
 * the session knows which files it depends on (the modules its analysis loaded); syntax trees are
 * cached across compiles. After a change, only entries that depend on a changed file (or are new)
 * are analysed, validated and emitted again; everything else is reused.
 */
import path from "node:path";
import { emitPipelines, expandPaths, loadBackend, type Backend, type CompiledPipeline, type CompileOptions, type CompileResult } from "./compile.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics/index.js";
import { createSourceProgram, type SourceProgram } from "./phases/1-parse/index.js";
import { analyze } from "./phases/2-analyze/index.js";
import { validate } from "./phases/3-validate/index.js";

interface EntryState {
  /** Absolute paths this entry's analysis read. */
  deps: Set<string>;
  pipelines: CompiledPipeline[];
  diagnostics: Diagnostic[];
}

export interface UpdateResult extends CompileResult {
  /** Entry files analysed again (relative to cwd), in order. */
  recompiled: string[];
}

export class CompileSession {
  private readonly program: SourceProgram;
  private readonly entries = new Map<string, EntryState>();
  private backend: Backend | undefined;

  constructor(private readonly options: CompileOptions) {
    this.program = createSourceProgram(options.cwd);
  }

  /** Compiles everything. */
  async full(): Promise<UpdateResult> {
    this.entries.clear();
    return this.update([]);
  }

  /**
   * Recompiles after `changed` files (absolute or relative to cwd) changed, were added or deleted:
   * the entries that depend on them, and entries that appeared since the last compile.
   */
  async update(changed: readonly string[]): Promise<UpdateResult> {
    this.backend ??= await loadBackend(this.options);
    const touched = new Set(changed.map((f) => path.resolve(this.options.cwd, f)));
    for (const f of touched) this.program.invalidate(f);
    const pathDiagnostics: Diagnostic[] = [];
    const current = await expandPaths(this.options, pathDiagnostics);
    for (const gone of [...this.entries.keys()].filter((e) => !current.includes(e))) this.entries.delete(gone);

    const recompiled: string[] = [];
    for (const entry of current) {
      const state = this.entries.get(entry);
      if (state && ![...state.deps].some((d) => touched.has(d))) continue;
      this.entries.set(entry, this.compileEntry(entry));
      recompiled.push(this.program.relative(entry));
    }
    return { ...this.assemble(pathDiagnostics), recompiled };
  }

  private compileEntry(entry: string): EntryState {
    const diagnostics: Diagnostic[] = [];
    const analysis = analyze(this.program, [entry]);
    diagnostics.push(...analysis.diagnostics);
    const validation = validate(analysis.units);
    diagnostics.push(...validation.diagnostics);
    const pipelines = emitPipelines(validation.pipelines, this.options, diagnostics, this.backend!);
    return { deps: new Set(analysis.loadedFiles), pipelines, diagnostics };
  }

  /** Every entry's results together, with the checks that span entries (duplicate pipeline names). */
  private assemble(pathDiagnostics: Diagnostic[]): CompileResult {
    const diagnostics: Diagnostic[] = [...pathDiagnostics];
    const pipelines: CompiledPipeline[] = [];
    const seen = new Map<string, CompiledPipeline>();
    // A shared module's diagnostics are found by every entry that loads it; report each once.
    const reported = new Set<string>();
    for (const state of this.entries.values()) {
      for (const d of state.diagnostics) {
        const key = `${d.code}|${d.span?.file}:${d.span?.line}:${d.span?.column}|${d.message}`;
        if (!reported.has(key)) (reported.add(key), diagnostics.push(d));
      }
      for (const p of state.pipelines) {
        const first = seen.get(p.name);
        if (first) {
          diagnostics.push({ code: "GANTRY2009", severity: "error", message: `pipeline name "${p.name}" is already used by the pipeline at ${first.source}:${first.ir.source.line}`, span: { file: p.source, line: p.ir.source.line, column: p.ir.source.column }, hint: "Rename one of them; each pipeline becomes its own file and Kubernetes object." });
          continue;
        }
        seen.set(p.name, p);
        pipelines.push(p);
      }
    }
    pipelines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const sorted = sortDiagnostics(diagnostics);
    return { pipelines, diagnostics: sorted, sources: this.program.texts(), ok: !hasErrors(sorted) };
  }
}
