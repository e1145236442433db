/**
 * `gantry/testing`: compile a pipeline in-process, for snapshot tests of your own pipelines.
 *
 * The compile is the one `gantry compile` runs (same reader, checks, backend and YAML), it writes
 * nothing, and it throws a {@link GantryCompileError} that lists every diagnostic, with code
 * frames, when the pipeline does not compile. With vitest:
 *
 * ```ts
 * // pipelines/nightly.test.ts (run vitest from the repository root)
 * import { expect, it } from "vitest";
 * import { compilePipeline } from "gantry/testing";
 *
 * it("nightly compiles to the committed manifest", async () => {
 *   const m = await compilePipeline("pipelines/nightly.ts");
 *   await expect(m.yaml).toMatchFileSnapshot("__snapshots__/nightly.yaml");
 *   expect(m.warnings).toEqual([]);
 * });
 * ```
 *
 * `toMatchFileSnapshot` resolves its path against the test file's folder; `vitest -u` rewrites the
 * snapshot after an intended change. See docs/testing.md.
 */
import fs from "node:fs";
import path from "node:path";
import { isDynamicPattern } from "tinyglobby";
import type { ArgoKind } from "./backends/argo/index.js";
import { compile, type CompileResult, type Target } from "./compile.js";
import { jobsOptions } from "./config/jobs-settings.js";
import { configuredCompileOptions, formatConfigDiagnostics, loadConfig } from "./config/load.js";
import { formatDiagnostics, summarize, withoutIgnored, type Diagnostic } from "./diagnostics/index.js";
import { isWithin } from "./util/within.js";
import type * as IR from "./ir/index.js";

export type { Diagnostic } from "./diagnostics/index.js";

export interface CompilePipelinesOptions {
  /**
   * Directory the file path is resolved against, and that the source paths written into the
   * output (the YAML header and `gantry.dev/source` annotations) are relative to. Use the directory
   * you run `gantry compile` from, so snapshots match the committed manifests. Default:
   * `process.cwd()`.
   */
  cwd?: string;
  /** Same as `gantry compile --target`: `"argo"` (default) or `"jobs"`. */
  target?: Target;
  /** Same as `gantry compile --kind` (Argo target). Default `"auto"`. */
  kind?: ArgoKind;
  /** Same as `gantry compile --run-id` (jobs target): fixed Job names for tests. Default: a hash of the pipeline. */
  runId?: string;
  /** `false` is `gantry compile --no-metrics`: no default Prometheus metrics (Argo). Default: as each pipeline says. */
  metrics?: boolean;
  /** Same as `gantry compile --typecheck`: also run the TypeScript type checker. Default `false`. */
  typecheck?: boolean;
  /**
   * Read the project configuration (`gantry.config.json` in `cwd`, else the `"gantry"` key of its
   * package.json) as `gantry compile` does, so a snapshot equals what it writes: `target`, `kind`,
   * `namespace`, `labelPrefix`, `hardenArgoExecutor`, `metrics`, `typecheck`, `gitops`, `runtimeImage`,
   * `idleTimeout`, `ignoreWarnings`, `warningsAsErrors`.
   * The options above win over it. Default `true`.
   */
  config?: boolean;
  /**
   * Same as `gantry compile --warnings-as-errors`: a warning throws a {@link GantryCompileError},
   * as that compile writes nothing. Default: the configuration's `warningsAsErrors`, else `false`.
   */
  warningsAsErrors?: boolean;
}

export interface CompilePipelineOptions extends CompilePipelinesOptions {
  /** Which pipeline to return when the file exports several (the pipeline's name, not the export's). */
  name?: string;
}

/** One compiled pipeline: what `gantry compile` would write for it, and what that was made from. */
export interface CompiledManifests {
  /** The pipeline's name; `gantry compile` writes `<name>.yaml`. */
  name: string;
  /** The source file, relative to `cwd`, POSIX separators. */
  source: string;
  /** The file `gantry compile` would write, byte for byte (header comment included). */
  yaml: string;
  /** The Kubernetes objects in that file (Argo: one Workflow, WorkflowTemplate or CronWorkflow; jobs: the Jobs, their RBAC and ConfigMaps). */
  objects: Record<string, unknown>[];
  /** The validated intermediate representation the objects were generated from. */
  ir: IR.Pipeline;
  /**
   * Warnings of the compile (of the file and the modules it imports; not only of this pipeline).
   * They do not make the compile fail; assert `expect(m.warnings).toEqual([])` if they should.
   */
  warnings: Diagnostic[];
}

/** Thrown when the compile reports at least one error. The message is the diagnostics as `gantry compile` prints them. */
export class GantryCompileError extends Error {
  override readonly name = "GantryCompileError";
  /** Every diagnostic of the compile, errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];

  constructor(message: string, diagnostics: readonly Diagnostic[]) {
    super(message);
    this.diagnostics = diagnostics;
  }
}

/**
 * Compiles the pipeline that `file` exports and returns its manifests. `file` is resolved against
 * `options.cwd` (default `process.cwd()`). When the file exports several pipelines, `options.name`
 * selects one; without it that is an error that lists their names.
 *
 * @throws {GantryCompileError} when any diagnostic is an error; its message lists them all.
 * @throws {Error} when the file exports no pipeline, several without `name`, or none called `name`.
 *
 * @example
 * ```ts
 * const m = await compilePipeline("pipelines/nightly.ts");
 * await expect(m.yaml).toMatchFileSnapshot("__snapshots__/nightly.yaml");
 * ```
 */
export async function compilePipeline(file: string, options: CompilePipelineOptions = {}): Promise<CompiledManifests> {
  const { name, ...rest } = options;
  const shown = shownPath(rest.cwd, file);
  if (name !== undefined) {
    // Every pipeline of the file is compiled as `gantry compile` compiles it, so a sibling's error
    // (of any phase) throws and the warnings are the file's. An explicit `kind` applies to the chosen
    // pipeline alone (`kind: "cron"` beside unscheduled siblings): the file is then checked with
    // "auto", which fits every pipeline (a configured kind could refuse the chosen one, which the
    // caller overrides), and the chosen pipeline emitted again with the kind asked for.
    const all = await compileFile(file, rest.kind === undefined ? rest : { ...rest, kind: "auto" });
    const chosen = all.find((m) => m.name === name);
    if (!chosen) throw new Error(`gantry: ${shown} exports no pipeline named "${name}"; it exports ${listNames(all)}`);
    if (rest.kind === undefined) return chosen;
    const [emitted] = await compileFile(file, rest, name);
    return { ...emitted!, warnings: mergeWarnings(chosen.warnings, emitted!.warnings) };
  }
  const all = await compilePipelines(file, rest);
  if (all.length > 1) {
    throw new Error(`gantry: ${shown} exports ${all.length} pipelines (${listNames(all)}); pass { name } to choose one, or use compilePipelines()`);
  }
  return all[0]!;
}

/**
 * Compiles every pipeline that `file` exports (sorted by name), like {@link compilePipeline}.
 * `file` may also be a directory, which is read the way `gantry compile <dir>` reads it.
 *
 * @throws {GantryCompileError} when any diagnostic is an error.
 * @throws {Error} when no pipeline is exported: a snapshot test that checks nothing is a mistake.
 *
 * @example
 * ```ts
 * for (const m of await compilePipelines("pipelines/regional.ts")) {
 *   await expect(m.yaml).toMatchFileSnapshot(`__snapshots__/${m.name}.yaml`);
 * }
 * ```
 */
export async function compilePipelines(file: string, options: CompilePipelinesOptions = {}): Promise<CompiledManifests[]> {
  const all = await compileFile(file, options);
  if (all.length === 0) {
    throw new Error(`gantry: ${shownPath(options.cwd, file)} exports no pipeline (export the value of pipeline(...), or an array of them)`);
  }
  return all;
}

/** The manifests of every pipeline `file` exports, or with `only` of that one; none is not an error here. */
async function compileFile(file: string, options: CompilePipelinesOptions, only?: string): Promise<CompiledManifests[]> {
  // What `gantry compile` refuses as a usage error (exit 2): an empty path would compile the whole folder.
  if (file === "") throw new Error("gantry: the file to compile must not be empty");
  const cwd = path.resolve(options.cwd ?? process.cwd());
  for (const [key, allowed] of [["target", TARGETS], ["kind", KINDS]] as const) {
    const value = options[key];
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) throw new Error(`gantry: options.${key} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, not ${JSON.stringify(value)}`);
  }
  const loaded = options.config === false ? { config: {}, diagnostics: [] } : loadConfig(cwd);
  if (loaded.diagnostics.length > 0) {
    const text = formatConfigDiagnostics(loaded, "text", { color: false });
    // Named relative to cwd, as its diagnostics are: an error snapshot is the same on any machine.
    throw new GantryCompileError(`gantry: the configuration (${loaded.file ?? "gantry.config.json"}) is invalid (${summarize(loaded.diagnostics)}):\n\n${text.trimEnd()}`, loaded.diagnostics);
  }
  const c = loaded.config;
  const target = options.target ?? c.target ?? "argo";
  // What `gantry compile` refuses as a usage error (exit 2): an option for the other target only.
  if (target !== "jobs" && options.runId !== undefined) throw new Error(`gantry: options.runId applies to target "jobs" only (the target here is "${target}")`);
  if (target === "jobs" && options.kind !== undefined) throw new Error('gantry: options.kind applies to target "argo" only (the jobs target emits a CronJob for a scheduled pipeline, else Jobs)');
  const metrics = options.metrics ?? c.metrics;
  const result = await compile({
    cwd,
    paths: [inputPath(cwd, file)],
    target,
    kind: options.kind ?? c.kind ?? "auto",
    jobs: jobsOptions({ ...c, runId: options.runId }),
    ...(metrics !== undefined && { metrics }),
    ...configuredCompileOptions(c),
    typecheck: options.typecheck ?? c.typecheck ?? false,
    ...(only !== undefined && { only }),
  });
  // As `gantry compile` prints them: without the warnings the configuration's ignoreWarnings silences.
  const reported = withoutIgnored(result.diagnostics, c.ignoreWarnings);
  const shown = shownPath(cwd, file);
  if (!result.ok) throw new GantryCompileError(errorMessage(`${shown} does not compile`, reported, result.sources), reported);
  const warnings = reported.filter((d) => d.severity === "warning");
  // As `gantry compile --warnings-as-errors` (the option, else the configuration), but for the cache's GANTRY5005, which no compile here reports.
  if ((options.warningsAsErrors ?? c.warningsAsErrors) && warnings.length > 0) {
    throw new GantryCompileError(errorMessage(`${shown} compiles with warnings, and warnings fail the compile (warningsAsErrors)`, reported, result.sources), reported);
  }
  return result.pipelines.map((p) => ({
    name: p.name,
    source: p.source,
    yaml: p.yaml,
    objects: p.objects,
    ir: p.ir,
    warnings: [...warnings],
  }));
}

/** The file's warnings, and those of emitting the chosen pipeline with another kind that they lack. */
function mergeWarnings(file: readonly Diagnostic[], emitted: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set(file.map((d) => JSON.stringify(d)));
  return [...file, ...emitted.filter((d) => !seen.has(JSON.stringify(d)))];
}

/** A file as messages name it: relative to cwd with `/` separators (`../x.ts` outside it), as the CLI names files, the same on every machine. */
function shownPath(cwd: string | undefined, file: string): string {
  return relativeTo(path.resolve(cwd ?? process.cwd()), file) || ".";
}

/** `file` relative to `cwd`, with `/` separators. */
const relativeTo = (cwd: string, file: string): string => path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join("/");

/** The diagnostics as `gantry compile` prints them without colour, with code frames, under a one-line summary. */
function errorMessage(what: string, diagnostics: readonly Diagnostic[], sources: CompileResult["sources"]): string {
  const text = formatDiagnostics(diagnostics, "text", { color: false, readSource: (f) => sources.get(f) });
  return `gantry: ${what} (${summarize(diagnostics)}):\n\n${text.trimEnd()}`;
}

/**
 * The file as compile() is given it: relative to cwd when inside it, so messages name it as the CLI
 * does, not by an absolute path that differs between machines (an error snapshot would); absolute
 * when outside, or when its name reads like a glob and it exists (compile() takes an existing path
 * as that path; a relative one would be matched as a pattern). One that does not exist stays
 * relative, and is reported as the CLI reports it.
 */
function inputPath(cwd: string, file: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = relativeTo(cwd, file);
  const inside = relative !== "" && isWithin(relative);
  return inside && !(isDynamicPattern(relative) && fs.existsSync(absolute)) ? relative : absolute;
}

const TARGETS = ["argo", "jobs"] as const;
const KINDS = ["auto", "template", "workflow", "cron"] as const;

const listNames = (all: readonly CompiledManifests[]): string => all.map((m) => `"${m.name}"`).join(", ") || "none";
