/**
 * Entry files compiled in batches and merged into one result. A batch analyses, validates, lowers
 * and emits its entries with one module cache; `compile` runs one batch over every entry, a
 * --watch session and the compile cache one batch per entry. Merging checks what spans batches:
 * pipeline names, import cycles, diagnostics found by several.
 */
import { parseAllDocuments } from "yaml";
import type { CompiledPipeline, CompileOptions } from "./compile.js";
import { findingKey, firstTime, hasErrors, type Diagnostic, type Span } from "./diagnostics/index.js";
import type * as IR from "./ir/index.js";
import { pipelineMetadata } from "./output/metadata.js";
import { notEnforced } from "./backends/jobs/enforcement.js";
import { objectSizeDiagnostics } from "./output/object-size.js";
import { headerFor, objectKey, toYaml, UnwritableString } from "./output/yaml.js";
import { createSourceProgram, type SourceProgram } from "./phases/1-parse/index.js";
import { Analyzer, cycleDiagnostics, type ImportGraph } from "./phases/2-analyze/index.js";
import { duplicateName, placeFields, validate, withoutFields } from "./phases/3-validate/index.js";
import { lower, type Plan } from "./phases/4-lower/index.js";

/**
 * One validated pipeline of a batch of entries. Names are checked across batches (`mergeBatches`;
 * a --watch session compiles each entry as its own batch), so a batch carries what that needs:
 * where the pipeline was made, and its manifests and their diagnostics, kept only if the name is its own.
 */
export interface Claim {
  name: string;
  /** Where its definition was made (ModuleLoader.idOf): one pipeline reached from two batches has one id. */
  id?: string;
  /** `file:line` of the pipeline, for GANTRY2009's message. */
  where: string;
  /** Span of its name, where GANTRY2009 points. */
  span?: Span;
  /** Its manifests; none when lowering or the backend failed. */
  pipeline?: CompiledPipeline;
  /** `Kind namespace/name` of each object in them: two pipelines must not emit the same object (GANTRY4022). */
  objects?: string[];
  /** Diagnostics of lowering and the backend. */
  diagnostics: Diagnostic[];
}

export interface Batch {
  claims: Claim[];
  /**
   * Diagnostics of validating each pipeline that has any, valid or not, with where it was made: a
   * pipeline's own, so listed once per pipeline (not merged with another's equal one, as a shared
   * module's evaluation diagnostics are) and once however many batches reach it.
   */
  validations: { id?: string; diagnostics: Diagnostic[] }[];
  /** Diagnostics of analysis. */
  diagnostics: Diagnostic[];
  /** Text of every module read, by relative path (for code frames). */
  sources: Map<string, string>;
  /**
   * Absolute paths of every file the batch read or looked for in vain: modules, JSON, tsconfig and
   * package.json files, paths probed (its dependencies, which --watch watches and --cache records).
   */
  loadedFiles: string[];
  /** The texts of the JSON files among them (package.json, tsconfig, JSON modules) as the batch first read them; modules' are in the program. */
  readTexts?: ReadonlyMap<string, string>;
  /** Their import graph: cycles are looked for once batches are merged (one may span entries). */
  imports: ImportGraph;
}

/**
 * Analyse, validate, lower and emit entry files one at a time, with one module cache, so shared
 * helpers are read once; each entry's syntax tree and values are let go of once its pipelines are
 * validated (`release`; a --watch session keeps its trees, passing its own program).
 *
 * Entries are evaluated without recording where each property was written (a sixth of the
 * compile), until a pipeline has a finding, error or warning, that must point at the value the
 * author wrote (any of validation's; lowering's and the backend's about a field). Then an Analyzer that records everything replays the entries
 * before it (their results are already taken; only its module cache must come to the same state,
 * since a shared module's initialisers, failures and closures depend on which entry reads it
 * first), evaluates the entry again, and carries on in the fast one's place. Recording changes no
 * value, so the result equals a compile that recorded from the start.
 */
export function compileBatch(entries: readonly string[], options: CompileOptions, backend: Backend, program = createSourceProgram(options.cwd), release = true): Batch {
  let analyzer = new Analyzer(program, { properties: false });
  let recording = false;
  // What every analyser of the batch read, the first reading of a file kept: a recording one reads again.
  const readTexts = new Map<string, string>();
  const keepTexts = () => {
    for (const [file, text] of analyzer.readTexts()) if (!readTexts.has(file)) readTexts.set(file, text);
  };
  const diagnostics: Diagnostic[] = [];
  const validations: Batch["validations"] = [];
  const claims: Claim[] = [];
  entries.forEach((entry, index) => {
    let pass = compileEntry(analyzer, entry, options, backend, recording);
    if (!recording && pass.needsPlaces) {
      keepTexts();
      analyzer = replay(program, entries.slice(0, index), release);
      recording = true;
      pass = compileEntry(analyzer, entry, options, backend, recording);
    }
    diagnostics.push(...pass.diagnostics);
    validations.push(...pass.validations);
    claims.push(...pass.claims);
    if (release) analyzer.release(entry);
  });
  // The graph first: drawing it resolves imports nothing loaded, and where they lead are dependencies too.
  const imports = analyzer.importGraph();
  const loadedFiles = analyzer.loadedFiles();
  keepTexts();
  return { claims, validations, diagnostics, sources: textsOf(program, loadedFiles), loadedFiles, readTexts, imports };
}

/**
 * One entry analysed, validated and emitted. `needsPlaces`: a finding must point at a value the
 * author wrote (a validation finding, or one of lowering or the backend about a field), which an
 * Analyzer that records no property origins cannot answer.
 */
function compileEntry(analyzer: Analyzer, entry: string, options: CompileOptions, backend: Backend, recording: boolean): Pick<Batch, "claims" | "validations" | "diagnostics"> & { needsPlaces: boolean } {
  const analysis = analyzer.entry(entry);
  const validations: Batch["validations"] = [];
  const claims: Claim[] = [];
  let needsPlaces = false;
  for (const unit of analysis.units) {
    const validation = validate([unit]);
    if (validation.diagnostics.length > 0) {
      // This pass is thrown away for a recording one: emitting it would be wasted work.
      if (!recording) return { claims: [], validations: [], diagnostics: [], needsPlaces: true };
      needsPlaces = true;
      validations.push({ diagnostics: validation.diagnostics, ...(unit.id !== undefined && { id: unit.id }) });
    }
    const ir = validation.pipelines[0];
    const span = unit.locator.pipeline(unit.definition);
    if (!ir) {
      // One with errors still claims its name: a second pipeline of that name is GANTRY2009 now, not once these are fixed.
      const name = unit.definition.name;
      if (typeof name === "string") claims.push({ name, where: `${unit.file}:${span?.line ?? 0}`, diagnostics: [], ...(unit.id !== undefined && { id: unit.id }), ...(span && { span }) });
      continue;
    }
    const found: Diagnostic[] = [];
    const emitted = emitPipeline(ir, options, found, backend);
    if (found.some((d) => d.field)) needsPlaces = true;
    const claim: Claim = { name: ir.name, where: `${unit.file}:${ir.source.line}`, diagnostics: placeFields(found, unit), ...(unit.id !== undefined && { id: unit.id }), ...(span && { span }) };
    claims.push(emitted ? { ...claim, ...emitted } : claim);
  }
  return { claims, validations, diagnostics: analysis.diagnostics, needsPlaces };
}

/** The texts of the modules among `files`, by relative path: a batch's own, not every file its program holds. */
function textsOf(program: SourceProgram, files: readonly string[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = program.text(file);
    if (text !== undefined) texts.set(program.relative(file), text);
  }
  return texts;
}

/** An Analyzer that records every origin, brought to the state of one that has read `entries` (their results dropped). */
function replay(program: SourceProgram, entries: readonly string[], release: boolean): Analyzer {
  const analyzer = new Analyzer(program);
  for (const entry of entries) {
    analyzer.entry(entry);
    if (release) analyzer.release(entry);
  }
  return analyzer;
}

/**
 * Batches (in entry order) into one result: the first pipeline of a name keeps it, a later one is
 * GANTRY2009 unless it is the same pipeline reached again. A pipeline's own diagnostics (validation,
 * lowering) are reported once per pipeline, and once in all when several pipelines find the same one. A diagnostic of analysis that several batches find (a
 * shared module's) is reported as often as the batch that found it most often did, so merging one
 * batch changes nothing. Import cycles are looked for in the batches' import graphs together: under
 * --watch, the two files of a cycle may only ever be read by different entries.
 */
export function mergeBatches(batches: readonly Batch[], relative: (file: string) => string): { pipelines: CompiledPipeline[]; diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const diagnostics: Diagnostic[] = [];
  const reported = new Map<string, number>();
  const pipelines: CompiledPipeline[] = [];
  const names = new Map<string, Claim>();
  const objects = new Map<string, Claim>();
  const validated = new Set<string>();
  const sources = new Map<string, string>();
  const imports = new Map<string, ReadonlyMap<string, Span>>();
  const ofPipelines = new Set<string>();
  // Pipelines one factory makes, or that spread one helper's spec, share its findings (same place,
  // same words): once is enough.
  const once = (d: Diagnostic) => {
    if (firstTime(ofPipelines, d)) diagnostics.push(d);
  };
  for (const batch of batches) {
    const found = new Map<string, number>();
    const report = (d: Diagnostic) => {
      // Without where it was called from, as the Evaluator reports each finding once: a batch of one
      // entry (--cache, --watch) finds a shared module's failure from its own entry.
      const key = findingKey(d);
      const n = (found.get(key) ?? 0) + 1;
      found.set(key, n);
      if (n > (reported.get(key) ?? 0)) (reported.set(key, n), diagnostics.push(d));
    };
    batch.diagnostics.forEach(report);
    for (const { id, diagnostics: own } of batch.validations) {
      if (id !== undefined && validated.has(id)) continue;
      if (id !== undefined) validated.add(id);
      own.forEach(once);
    }
    for (const claim of batch.claims) {
      const first = names.get(claim.name);
      if (first && claim.id !== undefined && claim.id === first.id) continue;
      if (first) {
        report(duplicateName(claim.name, first.where, claim.span));
        continue;
      }
      names.set(claim.name, claim);
      claim.diagnostics.forEach(once);
      if (claim.pipeline) pipelines.push(claim.pipeline);
      for (const object of claim.objects ?? []) {
        const owner = objects.get(object);
        if (owner) diagnostics.push(sameObject(object, claim, owner));
        else objects.set(object, claim);
      }
    }
    for (const [file, text] of batch.sources) sources.set(file, text);
    // A file's imports are the same whichever entry read it.
    for (const [file, edges] of batch.imports) if (!imports.has(file)) imports.set(file, edges);
  }
  diagnostics.push(...cycleDiagnostics(imports, relative));
  return { pipelines: sortByName(pipelines), diagnostics, sources };
}

/** Two pipelines whose names differ can still emit one object: `foo` with two crons and `foo-1`, say. */
function sameObject(object: string, claim: Claim, owner: Claim): Diagnostic {
  return {
    code: "GANTRY4022",
    severity: "error",
    message: `pipeline "${claim.name}" would emit ${object}, which pipeline "${owner.name}" (${owner.where}) emits too; applying both, one would replace the other`,
    ...(claim.span && { span: claim.span }),
    hint: "Rename one of the pipelines (or put them in different namespaces).",
  };
}

const sortByName = (pipelines: CompiledPipeline[]) => pipelines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** A target's backend: a plan in, Kubernetes objects and diagnostics out. */
export type Backend = (plan: Plan) => { objects: Record<string, unknown>[]; diagnostics: Diagnostic[] };

/** The back half: validated IR to manifests (lowering, backend, YAML), sorted by pipeline name. */
export function emitPipelines(irs: readonly IR.Pipeline[], options: CompileOptions, diagnostics: Diagnostic[], backend: Backend): CompiledPipeline[] {
  const found: Diagnostic[] = [];
  const pipelines = sortByName(irs.flatMap((ir) => emitPipeline(ir, options, found, backend)?.pipeline ?? []));
  diagnostics.push(...withoutFields(found));
  return pipelines;
}

/** One pipeline's manifests, and the objects they hold (`Claim.objects`); undefined when lowering or the backend failed. */
function emitPipeline(declared: IR.Pipeline, options: CompileOptions, diagnostics: Diagnostic[], backend: Backend): { pipeline: CompiledPipeline; objects: string[] } | undefined {
  if (options.only !== undefined && declared.name !== options.only) return undefined;
  const ir = declared.namespace === undefined && options.namespace !== undefined ? { ...declared, namespace: options.namespace } : declared;
  const lowered = lower(ir, { labelPrefix: options.labelPrefix, metrics: options.metrics, decideWhen: options.target === "jobs" });
  diagnostics.push(...lowered.diagnostics);
  if (hasErrors(lowered.diagnostics)) return undefined;
  const emitted = backend(lowered.plan);
  diagnostics.push(...emitted.diagnostics);
  if (emitted.objects.length === 0) return undefined;
  const metadata = options.metadata ? { metadata: pipelineMetadata(lowered.plan, options.target, options.target === "argo", options.target === "jobs" ? notEnforced(lowered.plan) : undefined) } : {};
  const yaml = manifestYaml(emitted.objects, ir, diagnostics);
  if (yaml === undefined) return undefined;
  // A size only matters for objects that are written: not after the backend's own errors.
  if (!hasErrors(emitted.diagnostics)) diagnostics.push(...objectSizeDiagnostics(emitted.objects, yaml, ir));
  const compiled = { name: ir.name, source: ir.source.file, line: ir.source.line, file: `${ir.name}.yaml`, yaml, ...metadata };
  return { pipeline: compiledPipeline(compiled, ir, options), objects: emitted.objects.flatMap(objectId) };
}

/** `Kind namespace/name`; none for an object named by the server (`generateName`). */
function objectId(o: Record<string, unknown>): string[] {
  const m = o["metadata"] as { name?: string; namespace?: string } | undefined;
  return m?.name === undefined ? [] : [objectKey(String(o["kind"]), m.namespace, m.name)];
}

/** The manifest's text, or undefined (with GANTRY2001) when a string in it cannot be written. */
function manifestYaml(objects: readonly Record<string, unknown>[], ir: IR.Pipeline, diagnostics: Diagnostic[]): string | undefined {
  try {
    return toYaml(objects, headerFor(ir.source.file, ir.source.madeIn));
  } catch (e) {
    if (!(e instanceof UnwritableString)) throw e;
    diagnostics.push({
      code: "GANTRY2001",
      severity: "error",
      message: `pipeline "${ir.name}": the string ${JSON.stringify(e.value.length > 80 ? `${e.value.slice(0, 80)}...` : e.value)} holds a lone UTF-16 surrogate (half of a character), which a UTF-8 manifest cannot hold`,
      span: { file: ir.source.file, line: ir.source.line, column: ir.source.column },
      hint: "Check how the string was built: slicing a string in the middle of an emoji or other character outside the Basic Multilingual Plane leaves half of it.",
    });
    return undefined;
  }
}

/** What a caller gets for an emitted pipeline, or one the compile cache kept (`ir` only when the options keep it). */
export function compiledPipeline(emitted: Omit<CompiledPipeline, "objects" | "ir">, ir: IR.Pipeline | undefined, options: Pick<CompileOptions, "keepIr">): CompiledPipeline {
  return withLazyObjects(options.keepIr === false || ir === undefined ? withoutIr(emitted) : { ...emitted, ir });
}

/** `ir` for a compile that does not keep it: reading it is a mistake in the caller, said plainly. */
function withoutIr(p: Omit<CompiledPipeline, "objects" | "ir">): Omit<CompiledPipeline, "objects"> {
  return Object.defineProperty(p as Omit<CompiledPipeline, "objects">, "ir", {
    enumerable: false,
    get: () => {
      throw new Error(`the IR of pipeline "${p.name}" was not kept: compile with keepIr (the default) to read CompiledPipeline.ir`);
    },
  });
}

/**
 * The objects are read back from the YAML when first asked for, not kept: a large compile holds
 * only its text (about 50 MB less peak RSS at 1,000 x 20), and what a caller reads is what was written.
 */
function withLazyObjects(p: Omit<CompiledPipeline, "objects">): CompiledPipeline {
  let objects: Record<string, unknown>[] | undefined;
  return Object.defineProperty(p as CompiledPipeline, "objects", {
    enumerable: true,
    get: () => (objects ??= parseAllDocuments(p.yaml).map((d) => d.toJS() as Record<string, unknown>)),
  });
}
