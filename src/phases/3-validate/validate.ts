/**
 * The model phase: declarations in, validated IR out. Schema checks and value rules run on what the
 * author wrote (so positions are exact); then defaults are merged, handles resolved, and the task
 * graph checked. Nothing here knows how the declaration was obtained.
 */
import { DiagnosticBag, firstTime, type Diagnostic, type Span } from "../../diagnostics/index.js";
import type { TaskHandle } from "../../dsl/handle.js";
import type * as IR from "../../ir/index.js";
import { setOwn } from "../../util/own-property.js";
import type { z } from "zod";
import { checkCycles } from "./checks/graph.js";
import { checkRetryCombination } from "./checks/retry.js";
import { reportSchemaIssues } from "./checks/schema-issues.js";
import { checkDefaultVolumes, checkImage, checkParameterRefs, checkPipelineValues, checkRunbookUrl, checkTaskValues } from "./checks/values.js";
import { checkDefaultResources, checkTaskResources } from "./checks/resources.js";
import { below, type Where } from "./checks/where.js";
import { reportRuntimeParameter } from "./checks/runtime-parameters.js";
import { checkWhen, whenReads } from "./checks/when.js";
import { checkOutputDeclarations, checkOutputReads } from "./checks/outputs.js";
import { checkForEach, checkForEachDefaults, checkItemInOptions, forEachReads } from "./checks/for-each.js";
import { invalidFields, validPart, without } from "./checks/valid-part.js";
import {
  noArgsWithScript,
  noArgsWithScriptError,
  pipelineOptionsSchema,
  taskPartSchema,
  taskSpecSchema,
  teardownPartSchema,
  teardownSpecSchema,
  type PipelineOptionsInput,
  type TaskPartInput,
  type TaskSpecInput,
} from "./input-schema.js";
import type { DeclarationUnit } from "./locator.js";
import { mergeDefaults, normalizeOwnership, normalizeParameters, normalizeSchedule, normalizeTask, stripUndefined } from "./normalize.js";
import * as rules from "./rules/index.js";

const NONE: ReadonlySet<PropertyKey> = new Set();

/** Names used by templates Gantry generates. */
const RESERVED = /^(main|gantry-.*)$/;

export interface ValidationResult {
  pipelines: IR.Pipeline[];
  diagnostics: Diagnostic[];
}

export function validate(units: readonly DeclarationUnit[]): ValidationResult {
  const bag = new DiagnosticBag();
  const pipelines: IR.Pipeline[] = [];
  const seen = new Map<string, string>();
  const found = new Set<string>();
  for (const unit of units) {
    const start = bag.items.length;
    const ir = validateOne(unit, bag);
    // Pipelines that share a spec (a helper's, a factory's) share its findings: once is enough, as mergeBatches reports them.
    const fresh = bag.items.splice(start).filter((d) => firstTime(found, d));
    bag.items.push(...fresh);
    // A pipeline with errors still claims its name: a second pipeline of that name is reported now, not once the first is fixed.
    const name = unit.definition.name;
    if (typeof name !== "string") continue;
    const span = unit.locator.pipeline(unit.definition);
    const first = seen.get(name);
    if (first !== undefined) {
      bag.report(duplicateName(name, first, span));
      continue;
    }
    seen.set(name, `${unit.file}:${ir?.source.line ?? span?.line ?? 0}`);
    if (ir) pipelines.push(ir);
  }
  return { pipelines, diagnostics: bag.items };
}

/**
 * A name as messages show it. Names come from the author's code and may be any value: converting an
 * object could call its own `toString`, throw, or print a whole nested array, so only primitives are shown as text.
 */
function display(name: unknown): string {
  if (typeof name === "string") return name;
  if (name === null || (typeof name !== "object" && typeof name !== "function")) return String(name);
  return Array.isArray(name) ? "(an array)" : typeof name === "function" ? "(a function)" : "(an object)";
}

/** `madeIn` of a pipeline's source: the file of its id (`<file>#<statement>.<declarator>#<n>`, ModuleLoader.idOf) when another than where `pipeline()` is. */
function madeIn(id: string | undefined, file: string): { madeIn?: string } {
  if (id === undefined) return {};
  const site = id.lastIndexOf("#", id.lastIndexOf("#") - 1);
  const maker = site > 0 ? id.slice(0, site) : undefined;
  return maker !== undefined && maker !== file ? { madeIn: maker } : {};
}

/** GANTRY2009 at a pipeline's name; `first` is where the pipeline that has the name is (`file:line`). */
export function duplicateName(name: string, first: string, span: Span | undefined): Diagnostic {
  return { code: "GANTRY2009", severity: "error", message: `pipeline name "${name}" is already used by the pipeline at ${first}`, ...(span && { span }), hint: "Rename one of them; each pipeline becomes its own file and Kubernetes object." };
}

function validateOne({ definition, file, locator, id }: DeclarationUnit, outer: DiagnosticBag): IR.Pipeline | undefined {
  const bag = new DiagnosticBag();
  const pipelineSpan = locator.pipeline(definition);
  const sourceOf = (span: Span | undefined): IR.SourceRef => ({ file, line: span?.line ?? 0, column: span?.column ?? 0 });

  if (typeof definition.name !== "string") {
    bag.error("GANTRY2001", "pipeline name must be a string", pipelineSpan);
  }
  const rawOptions: unknown = definition.options ?? {};
  const options = pipelineOptionsSchema.safeParse(rawOptions);
  const inOptions: Where = {
    value: (path) => locator.valueAt(definition.options, path) ?? pipelineSpan,
    key: (path) => locator.keyAt(definition.options, path) ?? pipelineSpan,
  };
  const pipelineName = display(definition.name);
  // The options that validated: all of them, or after a schema error the fields no issue is about,
  // whose own checks still run (checks/valid-part.ts).
  let checked: PipelineOptionsInput | undefined;
  // Whether the retry policy and timeout of `defaults` are known, which the rules between a task's
  // retry and the defaults' need: a rule run without them would report what a fix of the defaults undoes.
  let defaultsRetryKnown = true;
  // Likewise the requests and limits of `defaults`, which a task's are compared with.
  let defaultsResourcesKnown = true;
  if (options.success) checked = options.data;
  else {
    reportSchemaIssues(bag, options.error, `pipeline "${pipelineName}"`, inOptions, rawOptions, pipelineOptionsSchema);
    const part = validOptions(rawOptions, options.error.issues);
    checked = part?.options;
    defaultsRetryKnown = part?.defaultsRetryKnown ?? false;
    defaultsResourcesKnown = part?.defaultsResourcesKnown ?? false;
  }
  const defaults = checked?.defaults;
  if (checked) {
    checkPipelineValues(bag, typeof definition.name === "string" ? definition.name : undefined, checked, inOptions, pipelineSpan);
    checkItemInOptions(bag, checked, inOptions);
    if (defaults) {
      checkTaskValues(bag, defaults, "pipeline defaults", below(inOptions, ["defaults"]));
      checkRetryCombination(bag, defaults, undefined, "pipeline defaults", below(inOptions, ["defaults"]));
      checkDefaultResources(bag, defaults, definition.tasks, below(inOptions, ["defaults"]));
    }
  }
  // Undefined when the parameters are not known (the options are not an object): then references are not checked.
  const declaredParams = declaredParameters(rawOptions, checked);
  if (declaredParams) checkParameterRefs(bag, defaults, declaredParams, "pipeline defaults", below(inOptions, ["defaults"]));
  const enums = new Map(Object.entries(checked?.parameters ?? {}).flatMap(([name, p]) => (p.enum ? [[name, p.enum] as const] : [])));

  if (definition.tasks.length === 0) bag.error("GANTRY2013", `pipeline "${pipelineName}" declares no tasks`, pipelineSpan);
  // Finally tasks follow the run's work; Argo refuses the empty DAG a run without work would be.
  else if (definition.tasks.every((t) => t.handle.role === "finally")) {
    bag.error("GANTRY2013", `pipeline "${pipelineName}" declares only finally tasks, which run after the pipeline's work: it has none`, pipelineSpan, "Declare the work with `p.task(...)`; a finally task is for what must happen after it (a report, a notification).");
  }

  // Per task: schema, values, name.
  const ownHandles = new Set<TaskHandle>(definition.tasks.map((t) => t.handle));
  const firstByName = new Map<string, TaskHandle>();
  const parsed: { handle: TaskHandle; spec: TaskSpecInput; span: Span | undefined; where: Where }[] = [];
  // What each task waits for, from the part of its spec that validated: cycles are found even when
  // other checks fail (a task's bad timeout does not hide a cycle elsewhere).
  const waits: { handle: TaskHandle; after: readonly TaskHandle[]; span: Span | undefined }[] = [];
  for (const { handle, spec } of definition.tasks) {
    const span = locator.task(handle);
    const taskName = display(handle.name);
    const subject = `task "${taskName}"`;
    const inSpec: Where = {
      value: (path) => locator.valueAt(spec, path) ?? span,
      key: (path) => locator.keyAt(spec, path) ?? span,
    };
    const nameReason = typeof handle.name === "string" ? rules.dns1123Label(handle.name) ?? rules.argoTaskName(handle.name) : "must be a string";
    if (nameReason) {
      if (!(typeof handle.name === "string" && reportRuntimeParameter(bag, handle.name, `task name "${taskName}"`, "a task name", span))) {
        bag.error("GANTRY2005", `task name "${taskName}" ${nameReason}`, span, "Task names are lowercase letters, digits and '-', starting with a letter, at most 63 characters.");
      }
    } else if (RESERVED.test(handle.name)) bag.error("GANTRY2011", `task name "${taskName}" is reserved`, span, "Gantry names its generated templates `main` and `gantry-*`; choose another name.");
    const previous = firstByName.get(handle.name);
    if (previous) {
      const first = locator.task(previous);
      bag.error("GANTRY2002", `duplicate task name "${taskName}"${first ? ` (first declared at ${first.file}:${first.line}:${first.column})` : ""}`, span);
    } else firstByName.set(handle.name, handle);

    const teardown = handle.role === "teardown";
    const result = (teardown ? teardownSpecSchema : taskSpecSchema).safeParse(spec);
    // What of the spec validated, and the fields a schema issue left out of it.
    let data: TaskPartInput;
    let invalid: ReadonlySet<PropertyKey> = NONE;
    if (result.success) data = result.data;
    else {
      reportSchemaIssues(bag, result.error, subject, inSpec, spec, teardown ? teardownSpecSchema : taskSpecSchema);
      const part = validPart<TaskPartInput>(spec, result.error.issues, teardown ? teardownPartSchema : taskPartSchema);
      if (!part) continue;
      ({ data, invalid } = part);
      // Zod checks this rule only when every field validated; when it did, `args` was left out above.
      if (!noArgsWithScript(data)) bag.error("GANTRY2001", `${subject}: args: ${noArgsWithScriptError.error}`, inSpec.value(noArgsWithScriptError.path));
    }
    // Fields the types forbid in these places, which a compile without --typecheck must refuse too.
    if (handle.role === "finally" && data.trigger !== undefined) {
      bag.error("GANTRY2001", `${subject}: trigger: a finally task's trigger is fixed: it runs after everything else, whatever happened`, inSpec.key(["trigger"]), "Remove `trigger`.");
    }
    if (teardown && data.failsRun === true && data.allowFailure === true) {
      bag.error("GANTRY2001", `${subject}: failsRun and allowFailure contradict: the first makes its failure fail the run, the second says it does not`, inSpec.key(["allowFailure"]), "Keep one: `failsRun: true` if a failed cleanup must fail the run; `allowFailure: true` if the tasks after it should run even when it fails.");
    }
    checkTaskValues(bag, data, subject, inSpec);
    checkImage(bag, data.image, subject, inSpec);
    if (!invalid.has("resources")) checkTaskResources(bag, defaults, data, subject, inSpec, checked !== undefined && defaultsResourcesKnown);
    if (checked) {
      checkDefaultVolumes(bag, defaults, data, subject, inSpec);
      if (defaultsRetryKnown && !invalid.has("retry") && !invalid.has("timeout")) checkRetryCombination(bag, defaults, data, subject, inSpec);
    }
    if (declaredParams) checkParameterRefs(bag, data, declaredParams, subject, inSpec);
    checkWhen(bag, data.when, enums, handle.role === "finally", subject, inSpec);
    checkOutputDeclarations(bag, data.outputs, handle.role, subject, inSpec);
    checkForEach(bag, data, handle.role, checked?.parameters, subject, inSpec);
    checkRunbookUrl(bag, data.runbookUrl, subject, inSpec);
    (data.after ?? []).forEach((dep, i) => {
      if (!ownHandles.has(dep)) bag.error("GANTRY2003", `${subject} depends on "${display(dep.name)}", which is not a task of pipeline "${pipelineName}"`, inSpec.value(["after", i]), "Use a handle returned by this pipeline's `p.task(...)`.");
    });
    // A valid teardown always has `setups`; a teardown whose `setups` the schema rejected has none here, and that issue is its report.
    const setups = data.setups ?? [];
    if (teardown && data.setups !== undefined && setups.length === 0) {
      bag.error("GANTRY2020", `${subject}: a teardown needs at least one setup`, inSpec.value(["setups"]), "List the setups whose resources it removes: `setups: [createCluster]`.");
    }
    setups.forEach((s, i) => {
      if (!ownHandles.has(s)) bag.error("GANTRY2003", `${subject} tears down "${display(s.name)}", which is not a task of pipeline "${pipelineName}"`, inSpec.value(["setups", i]), "Use a handle returned by this pipeline's `p.setup(...)`.");
      else if (s.role !== "setup") bag.error("GANTRY2020", `${subject} lists "${display(s.name)}" in \`setups\`, but it is a ${s.role} task`, inSpec.value(["setups", i]), "Declare it with `p.setup(...)` to make it a setup.");
    });
    if (result.success) parsed.push({ handle, spec: result.data, span, where: inSpec });
    waits.push({ handle, after: (data.after ?? []).filter((d) => ownHandles.has(d)), span });
  }
  // Names identify the graph's nodes: with a name repeated or not a string (reported above) it is
  // not one graph. (Never converted: a name may be any value, whose conversion could run code or throw.)
  if (definition.tasks.every((t) => typeof t.handle.name === "string") && firstByName.size === definition.tasks.length) {
    checkCycles(bag, waits.map((w) => ({ name: w.handle.name as string, dependencies: [...new Set(w.after.map((d) => d.name as string))], span: w.span })));
  }

  if (bag.hasErrors) {
    outer.items.push(...bag.items);
    return undefined;
  }
  // No error so far: the options validated whole.
  const opts = options.data!;
  const ownership = normalizeOwnership(opts);
  const tasks = parsed.map(({ handle, spec, span }) => {
    const dependencies = [...new Set((spec.after ?? []).map((h) => h.name))];
    return normalizeTask(handle.name, handle.role, mergeDefaults(opts.defaults, spec), dependencies, sourceOf(span), ownership);
  });
  // Reads of outputs need the whole graph, with `defaults` merged in (a default env value may hold one).
  const whereOf = new Map(parsed.map((p, i) => [tasks[i]!, p.where]));
  // Its `when`'s tests and its `forEach`'s list are reads of outputs too, held to the same rules.
  const testsOf = new Map(parsed.map((p, i) => [tasks[i]!, [...whenReads(p.spec.when), ...forEachReads(p.spec.forEach)]]));
  checkOutputReads(bag, tasks, (t) => whereOf.get(t)!, (t) => testsOf.get(t)!);
  checkForEachDefaults(bag, tasks, (t) => whereOf.get(t)!);
  outer.items.push(...bag.items);
  if (bag.hasErrors) return undefined;

  const ir: IR.Pipeline = stripUndefined({
    name: definition.name,
    description: opts.description,
    namespace: opts.namespace,
    serviceAccountName: opts.serviceAccountName,
    labels: { ...opts.labels },
    annotations: { ...opts.annotations },
    parameters: normalizeParameters(opts.parameters),
    schedule: opts.schedule && normalizeSchedule(opts.schedule),
    tasks,
    ownership,
    partOf: opts.partOf ?? definition.name,
    metrics: opts.metrics ?? true,
    source: { ...sourceOf(pipelineSpan), ...madeIn(id, file) },
  });
  // Typed as the IR; test/ir-contract.test.ts checks real output against the IR schema at run time,
  // which here, on every compile, cost a sixth of validation.
  return ir;
}

/**
 * The pipeline options that validated when the schema rejected some (checks/valid-part.ts). Within
 * `defaults`, only its rejected fields are left out: a task's checks against the defaults need the
 * rest. `defaultsRetryKnown`: neither `defaults` as a whole nor its `retry` or `timeout` was left out;
 * `defaultsResourcesKnown`: likewise its `resources`.
 */
function validOptions(raw: unknown, issues: readonly z.core.$ZodIssue[]): { options: PipelineOptionsInput; defaultsRetryKnown: boolean; defaultsResourcesKnown: boolean } | undefined {
  const invalid = invalidFields(issues);
  const kept = invalid && without(raw, invalid);
  if (!invalid || !kept) return undefined;
  let defaultsRetryKnown = true;
  let defaultsResourcesKnown = true;
  if (invalid.has("defaults")) {
    const inDefaults = invalidFields(issues, ["defaults"]);
    const defaults = inDefaults && without((raw as Record<string, unknown>)["defaults"], inDefaults);
    if (defaults) setOwn(kept, "defaults", defaults);
    defaultsRetryKnown = defaults !== undefined && !inDefaults!.has("retry") && !inDefaults!.has("timeout");
    defaultsResourcesKnown = defaults !== undefined && !inDefaults!.has("resources");
  }
  const parsed = pipelineOptionsSchema.safeParse(kept);
  return parsed.success ? { options: parsed.data, defaultsRetryKnown, defaultsResourcesKnown } : undefined;
}

/**
 * The names of the declared parameters, for `{{params.X}}` references. A parameter whose spec the
 * schema rejected is still declared. `undefined` when they are not known: no options validated,
 * or `parameters` is not an object.
 */
function declaredParameters(raw: unknown, checked: PipelineOptionsInput | undefined): ReadonlySet<string> | undefined {
  if (checked === undefined) return undefined;
  if (checked.parameters) return new Set(Object.keys(checked.parameters));
  const params = (raw as Record<string, unknown>)["parameters"];
  if (params === undefined) return new Set();
  return params !== null && typeof params === "object" && !Array.isArray(params) ? new Set(Object.keys(params)) : undefined;
}
