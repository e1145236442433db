/**
 * An incremental compile for `gantry compile --watch`. Each entry file is analysed on its own, so
 * the session knows which files it depends on (the modules its analysis loaded); syntax trees are
 * cached across compiles. After a change, only entries that depend on a changed file (or are new)
 * are analysed, validated and emitted again; everything else is reused. With `typecheck`, every
 * entry is type-checked again after each change, as a one-shot compile would.
 */
import path from "node:path";
import { compileBatch, expandPaths, loadBackend, mergeBatches, withoutFolderHelpers, type Backend, type Batch, type CompileOptions, type CompileResult } from "./compile.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics/index.js";
import { createSourceProgram, typecheck, type SourceProgram } from "./phases/1-parse/index.js";

interface EntryState {
  /** Absolute paths this entry's analysis read, and those it looked for in vain (a file created there could change it). */
  deps: Set<string>;
  batch: Batch;
}

export interface UpdateResult extends CompileResult {
  /** Entry files analysed again (relative to cwd), in order. */
  recompiled: string[];
}

export class CompileSession {
  private readonly program: SourceProgram;
  private readonly entries = new Map<string, EntryState>();
  private backend: Backend | undefined;
  /** With `typecheck`: every file the last type check read (modules, type-only imports, tsconfig files). */
  private typeDependencies = new Set<string>();
  /** The files the paths name as such (not through a folder or a glob), as of the last update. */
  private readonly named = new Set<string>();

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
    // A folder created or removed touches every path under it (`mkdir lib` before `lib/x.ts`).
    const affects = (dep: string) => touched.has(dep) || [...touched].some((t) => dep.startsWith(t + path.sep));
    for (const f of touched) this.program.invalidate(f);
    for (const dep of this.dependencies()) if (affects(dep)) this.program.invalidate(dep);
    const sessionDiagnostics: Diagnostic[] = [];
    this.named.clear();
    const current = await expandPaths(this.options, sessionDiagnostics, this.named);
    for (const gone of [...this.entries.keys()].filter((e) => !current.includes(e))) this.entries.delete(gone);

    const recompiled: string[] = [];
    for (const entry of current) {
      const state = this.entries.get(entry);
      if (state && ![...state.deps].some(affects)) continue;
      this.entries.set(entry, this.compileEntry(entry));
      recompiled.push(this.program.relative(entry));
    }
    // Type errors can follow any change to what the checker read (a type-only import, a tsconfig), so every entry is checked again.
    if (this.options.typecheck && current.length > 0) {
      const checked = typecheck(current, this.program.relative);
      sessionDiagnostics.push(...checked.diagnostics);
      this.typeDependencies = new Set(checked.files);
    }
    return { ...this.assemble(sessionDiagnostics), recompiled };
  }

  /** Every path some entry depends on (see `EntryState.deps`), and what the last type check read: what `--watch` must watch besides its inputs. */
  dependencies(): Set<string> {
    const all = new Set<string>(this.typeDependencies);
    for (const state of this.entries.values()) for (const d of state.deps) all.add(d);
    return all;
  }

  private compileEntry(entry: string): EntryState {
    // Its own batch, with the session's program: trees are kept for the next change, not released.
    const batch = compileBatch([entry], this.options, this.backend!, this.program, false);
    return { deps: new Set(batch.loadedFiles), batch };
  }

  /** Every entry's batch merged in entry order, as one compile would: names checked across entries. */
  private assemble(sessionDiagnostics: Diagnostic[]): CompileResult {
    const sortedEntries = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const merged = mergeBatches(sortedEntries.map(([, state]) => state.batch), this.program.relative);
    const sorted = sortDiagnostics([...sessionDiagnostics, ...withoutFolderHelpers(merged.diagnostics, this.named, this.program.relative)]);
    return { pipelines: merged.pipelines, diagnostics: sorted, sources: this.program.texts(), ok: !hasErrors(sorted), entries: sortedEntries.map(([entry]) => entry) };
  }
}
