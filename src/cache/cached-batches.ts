/**
 * `compile` with a cache: one batch per entry file (as a --watch session compiles), each reused
 * from the cache when every file its last compile read, or looked for in vain, is as it was then.
 * What spans entries (pipeline names, import cycles) is checked after, on every compile, by
 * `mergeBatches`, so a result from the cache is merged exactly as a fresh one.
 */
import path from "node:path";
import { compileBatch, compiledPipeline, type Backend, type Batch } from "../batch.js";
import type { CompileOptions } from "../compile.js";
import type { Diagnostic } from "../diagnostics/index.js";
import type { SourceProgram } from "../phases/1-parse/index.js";
import { FileStates, hashText, modifiedSince, stateNow, textOf, type FileState } from "./file-states.js";
import { cacheGeneration } from "./generation.js";
import { fromRecord, toRecord, type EntryRecord } from "./record.js";
import { CacheStore } from "./store.js";

/** How a compile used the cache, counted in entry files. */
export interface CacheUse {
  reused: number;
  compiled: number;
}

export function cachedBatches(entries: readonly string[], options: CompileOptions & { cache: string }, backend: Backend, program: SourceProgram): { batches: Batch[]; diagnostics: Diagnostic[]; use: CacheUse } {
  const dir = path.resolve(options.cwd, options.cache);
  const opened = CacheStore.open(dir, cacheGeneration(options));
  if (!(opened instanceof CacheStore)) {
    // Without a cache, exactly a compile without one: all entries in one batch.
    return { batches: [compileBatch(entries, options, backend, program)], diagnostics: [cacheProblem(options.cache, opened.problem)], use: { reused: 0, compiled: entries.length } };
  }
  const store = opened;
  const states = new FileStates();
  const diagnostics: Diagnostic[] = [];
  const batches: Batch[] = [];
  const use: CacheUse = { reused: 0, compiled: 0 };
  let problem: string | undefined;
  /** Dependencies dated in the future: what reads them cannot be recorded (see `modifiedSince`). */
  const future = new Set<string>();
  for (const entry of entries) {
    const name = program.relative(entry);
    const record = store.read(name);
    if (record && holds(record, options, states)) {
      batches.push(fromRecord(record, options.cwd, (file) => states.text(file), (p, kept) => compiledPipeline(p, kept, options)));
      use.reused++;
      continue;
    }
    const started = Date.now();
    const batch = compileBatch([entry], options, backend, program);
    batches.push(batch);
    use.compiled++;
    const deps = dependencyStates(batch, program, started, future);
    // After one write fails, the others are not tried: one report, not one per record.
    if (deps && problem === undefined) problem = store.write(name, toRecord({ entry: name, batch, deps, cwd: options.cwd, relative: program.relative, keepIr: options.keepIr !== false }));
  }
  if (problem !== undefined) diagnostics.push(recordProblem(options.cache, problem));
  if (future.size > 0) diagnostics.push(futureProblem([...future].map(program.relative)));
  return { batches, diagnostics, use };
}

/** Whether a record still holds here and now: where it was made, if that mattered; every dependency as it was; the IR, if kept. */
function holds(record: EntryRecord, options: CompileOptions, states: FileStates): boolean {
  const cwd = path.resolve(options.cwd);
  if (record.root !== undefined && record.root !== cwd) return false;
  if (!record.deps.every(([file, state]) => states.current(path.resolve(cwd, file)) === state)) return false;
  // keepIr is part of the generation, so a record of one that keeps the IR has it; checked all the same.
  return options.keepIr === false || record.claims.every((c) => !c.pipeline || c.pipeline.ir !== undefined);
}

/**
 * The state of each file a compile read, as it read it: the hash of the text it parsed; for other
 * files (tsconfig, JSON, package.json, paths found empty) their state read again now, not the one
 * read before the compile started, and only if it cannot have changed since: not modified since
 * the compile started, and, for a JSON file it read, still the text it read (a file replaced by
 * one with an old modified time, `cp -p`, gives its time away only so). undefined (nothing to
 * record) if a file cannot be read, or may have changed.
 */
function dependencyStates(batch: Batch, program: SourceProgram, started: number, future: Set<string>): [string, FileState][] | undefined {
  const deps: [string, FileState][] = [];
  for (const file of batch.loadedFiles) {
    const parsed = program.text(file);
    const state = parsed !== undefined ? hashText(parsed) : stateNow(file);
    if (state === undefined) return undefined;
    if (parsed === undefined) {
      const read = batch.readTexts?.get(file);
      if (read !== undefined && textOf(state) !== hashText(read)) return undefined;
      const modified = modifiedSince(file, started);
      if (modified === "future") future.add(file);
      if (modified !== "no") return undefined;
    }
    deps.push([program.relative(file), state]);
  }
  return deps;
}

const HINT = "Choose a writable folder with --cache-location, or remove what is in the way.";

/** The cache folder could not be made or read: nothing was reused. */
function cacheProblem(location: string, problem: string): Diagnostic {
  return { code: "GANTRY5005", severity: "warning", message: `cannot use the compile cache at ${location}: ${problem}; compiled without it`, hint: HINT };
}

/** Files dated in the future: what reads them is compiled on every run, and the author should know why. */
function futureProblem(files: string[]): Diagnostic {
  const named = files.length > 3 ? `${files.slice(0, 3).join(", ")} and ${files.length - 3} more` : files.join(", ");
  return {
    code: "GANTRY5005",
    severity: "warning",
    message: `cannot record in the compile cache what reads ${named}: modified in the future, so a change during the compile could not be told apart; those files are compiled on every run`,
    hint: "Check the clock, or give the file a modified time in the past (`touch` it).",
  };
}

/** A record could not be written: the compile is complete, but the next one compiles those files again. */
function recordProblem(location: string, problem: string): Diagnostic {
  return { code: "GANTRY5005", severity: "warning", message: `cannot write to the compile cache at ${location}: ${problem}; the files not recorded will be compiled again next time`, hint: HINT };
}
