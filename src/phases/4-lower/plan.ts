/**
 * Phase 4: target-neutral semantics. Turns the IR into a plan that says, per task, what must have
 * happened before it starts and what metadata it carries. Backends translate the plan; they do not
 * decide semantics. (Setup/teardown scopes will be wired here, in one place, for every target.)
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { setOwn } from "../../util/own-property.js";
import { sortedKeys } from "../../util/sorted-keys.js";
import { checkScopes } from "./scope-checks.js";
import { expandFanOut, type CopyOf, type Expanded } from "./fan-out.js";
import { guardOf, startCondition, successCondition, type Condition, type Guard } from "./conditions.js";
import { declaredDefaults, defaultValues, holds, isConditional, needed, parametersOf, residual, skipClosure, skippedOutputs, whenOf, withoutSkipped } from "./skips.js";
import { RUN_STATUS_PLACEHOLDER } from "../../ir/placeholders.js";
import { checkAnnotationSizes, checkReservedLabels } from "./metadata-checks.js";
import { metadataKeys, ownershipAnnotations, pipelineHash, PIPELINE_COMPONENT, reservedLabelKeys, retryAnnotation, scopeChains, taskJson, withoutReserved, type MetadataKeys } from "./metadata.js";
import { runMetrics, taskMetrics, type MetricSpec } from "./metrics.js";
import { computeScopes, type Scopes } from "../../ir/scopes.js";

export { GANTRY_PREFIX, metadataKeys, type MetadataKeys } from "./metadata.js";

export interface LowerOptions {
  /** Prefix of Gantry's own labels and annotations. Default "gantry.dev". */
  labelPrefix?: string;
  /** false: no metrics for any pipeline (`--no-metrics`); otherwise as the pipeline says. */
  metrics?: boolean;
  /**
   * The target has no run-time parameters (jobs): each `when` is decided now, from the parameters'
   * defaults, and the plan holds only the tasks that are not skipped.
   */
  decideWhen?: boolean;
}

export interface PlannedTask {
  task: IR.Task;
  /** When the task starts; once it can no longer hold, the task does not run. None: at once (or, for finally tasks, after everything). */
  startsWhen?: Condition;
  /** Tested once it may start: false, and the task is skipped. None: never skipped. */
  runsIf?: Guard;
  /** Labels and annotations of the task's pod: the author's, then Gantry's (docs/monitoring.md). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The setups whose scope holds the task, outermost first (annotation `scopes`). */
  scopes: string[];
  /** The one of them in the `scope` label (docs/monitoring.md). */
  scope?: string;
  /** Metrics emitted when each attempt of the task ends; empty when metrics are off. */
  metrics: MetricSpec[];
  /** With `decideWhen`, a copy of a fan-out task: which, and its item (labels `fan-out`, annotation `item`). */
  copyOf?: CopyOf;
}

export interface Plan {
  /** The pipeline the plan runs; with `decideWhen`, without its skipped tasks. */
  pipeline: IR.Pipeline;
  /** With `decideWhen`: the tasks left out as skipped, in declaration order. */
  skipped: string[];
  /** The pipeline as declared, skipped tasks included: what those were (their outputs' defaults, on the jobs target). */
  declared: IR.Pipeline;
  /** Setup/teardown scopes (DESIGN §5 rule 2). */
  scopes: Scopes;
  tasks: PlannedTask[];
  /** When the run (all tasks but finally ones) has succeeded: DESIGN §5 rule 5. */
  succeedsWhen: Condition;
  /** When the finally tasks have succeeded (they fail the run too, unless allowFailure). */
  finallySucceedsWhen?: Condition;
  /** Labels and annotations of the top-level objects. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The keys of Gantry's labels and annotations, under the configured prefix. */
  keys: MetadataKeys;
  /** Content hash of the IR (annotation `pipeline-hash`): stable across compiles. */
  hash: string;
  /** Metrics emitted when the run ends; empty when metrics are off. */
  runMetrics: MetricSpec[];
}

export interface Lowered {
  plan: Plan;
  /** Setup/teardown wiring problems; with an error the plan must not be emitted. */
  diagnostics: Diagnostic[];
}

export function lower(declared: IR.Pipeline, options: LowerOptions = {}): Lowered {
  // With an error here (a parameter without a default) the plan is still made, but not emitted.
  const decided = options.decideWhen ? decideWhen(declared) : { pipeline: declared, skipped: [], diagnostics: [] };
  // Without run-time parameters, a fan-out's list is its default's (or that of the output of a task
  // skipped now): one task per item, now.
  const expanded: Expanded = options.decideWhen ? expandFanOut(decided.pipeline, skippedOutputs(declaredDefaults(declared.tasks), new Set(decided.skipped))) : { pipeline: decided.pipeline, copies: new Map(), diagnostics: [] };
  const { pipeline } = expanded;
  const { skipped } = decided;
  const scopes = computeScopes(pipeline);
  const metrics = options.metrics !== false && pipeline.metrics;
  // Every task written out once, for the content hash and for finding `p.runStatus` (or `p.runId`) in a task.
  const tasksJson = pipeline.tasks.map(taskJson);
  const readsRunStatus = new Set(pipeline.tasks.filter((_, i) => tasksJson[i]!.includes(RUN_STATUS_PLACEHOLDER)).map((t) => t.name));
  const keys = metadataKeys(options.labelPrefix);
  const plan: Plan = { ...buildPlan(pipeline, scopes, keys, metrics, pipelineHash(pipeline, tasksJson), skipped, expanded.copies), declared };
  return {
    plan,
    diagnostics: [...decided.diagnostics, ...expanded.diagnostics, ...wiringProblems(declared, pipeline, scopes, readsRunStatus, tasksJson), ...checkReservedLabels(pipeline, reservedLabelKeys(keys)), ...checkAnnotationSizes(plan)],
  };
}

/**
 * Setup/teardown wiring problems (scope-checks.ts) of the pipeline as declared: whether it compiles
 * must not hang on the parameters' defaults, and the edges `withoutSkipped` rewires (a task after a
 * skipped one waits for what that one waited for, a setup say) are not the user's.
 */
function wiringProblems(declared: IR.Pipeline, planned: IR.Pipeline, scopes: Scopes, readsRunStatus: ReadonlySet<string>, tasksJson: readonly string[]): Diagnostic[] {
  if (declared === planned) return checkScopes(planned, scopes, readsRunStatus, tasksJson);
  const json = declared.tasks.map(taskJson);
  const reads = new Set(declared.tasks.filter((_, i) => json[i]!.includes(RUN_STATUS_PLACEHOLDER)).map((t) => t.name));
  return checkScopes(declared, computeScopes(declared), reads, json);
}

/**
 * `when` decided from the parameters' defaults (LowerOptions.decideWhen): the pipeline without the
 * tasks that are skipped. A parameter a `when` names must then have a default (GANTRY4011). What
 * stays to decide at run time is a test of another task's output, and a finally task's test of the
 * run's result, `{ runStatus }`.
 */
function decideWhen(pipeline: IR.Pipeline): { pipeline: IR.Pipeline; skipped: string[]; diagnostics: Diagnostic[] } {
  const conditional = pipeline.tasks.filter(isConditional);
  if (conditional.length === 0) return { pipeline, skipped: [], diagnostics: [] };
  const values = defaultValues(pipeline);
  const named = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const t of conditional) {
    for (const name of parametersOf(whenOf(t)!)) {
      named.add(name);
      if (values.has(name)) continue;
      const fanOut = t.forEach !== undefined && "param" in t.forEach && name === t.forEach.param;
      diagnostics.push({
        code: "GANTRY4011",
        severity: "error",
        message: fanOut
          ? `task "${t.name}": its \`forEach\` runs over parameter "${name}", which has no default; the jobs target has no run-time parameters, so it writes one Job per item of the default`
          : `task "${t.name}": its \`when\` reads parameter "${name}", which has no default; the jobs target has no run-time parameters, so it decides \`when\` from the defaults`,
        span: { file: t.source.file, line: t.source.line, column: t.source.column },
        hint: fanOut
          ? `Give the parameter a list default in the pipeline options (parameters: { ${name}: { default: ["a", "b"] } }), or compile for --target argo, where each run gives its list.`
          : `Give the parameter a default in the pipeline options (parameters: { ${name}: { default: "..." } }), or compile for --target argo, where \`when\` is tested as each run starts the task.`,
      });
    }
  }
  // What only the run knows stays: a test of another task's output (setup and work tasks), and a
  // finally task's test of the run's result, which is skipped now if it holds for neither result,
  // and keeps what is left of it (one result) otherwise. With every other task skipped the result
  // is known now: a run of skips succeeds.
  // An output of a task skipped now is its default: a test of it is decided now too, which may skip
  // more tasks (skips only grow, so this ends).
  const ifResult = new Map(conditional.filter((t) => t.role === "finally").map((t) => [t.name, { succeeded: holds(t.when!, values, "Succeeded"), failed: holds(t.when!, values, "Failed") }]));
  const scopes = computeScopes(pipeline);
  const defaults = declaredDefaults(pipeline.tasks);
  let skippedBody = new Set<string>();
  let left: Map<string, boolean | IR.When>;
  for (;;) {
    const known = skippedBody;
    left = new Map(conditional.filter((t) => t.role !== "finally").map((t) => [t.name, residual(whenOf(t)!, values, undefined, skippedOutputs(defaults, known))]));
    skippedBody = skipClosure(pipeline, scopes, (t) => left.get(t.name) === false);
    if (skippedBody.size === known.size) break;
  }
  const known = pipeline.tasks.every((t) => t.role === "finally" || skippedBody.has(t.name));
  const skipped = skipClosure(pipeline, scopes, (t) => {
    if (t.role !== "finally") return left.get(t.name) === false;
    const r = ifResult.get(t.name)!;
    return known ? !r.succeeded : !r.succeeded && !r.failed;
  });
  const kept = new Map<string, IR.When>();
  for (const [name, r] of left) if (typeof r !== "boolean") kept.set(name, r);
  for (const [name, r] of ifResult) if (!known && r.succeeded !== r.failed) kept.set(name, { runStatus: r.succeeded ? "Succeeded" : "Failed" });
  if (diagnostics.length === 0 && skipped.size === pipeline.tasks.length) {
    const given = [...named].map((n) => `${n}=${JSON.stringify(values.get(n))}`);
    diagnostics.push({
      code: "GANTRY4032",
      severity: "warning",
      message: `pipeline "${pipeline.name}": with the parameters' defaults (${given.join(", ")}) every task is skipped, so on the jobs target a run does nothing`,
      span: { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column },
      hint: "The jobs target has no run-time parameters: it decides each `when` from the defaults when compiling. Change a default, or compile for --target argo to decide when each run starts.",
    });
  }
  const decided = withoutSkipped(pipeline, skipped);
  const tasks = kept.size === 0 ? decided.tasks : decided.tasks.map((t) => (kept.has(t.name) ? { ...t, when: kept.get(t.name)! } : t));
  return { pipeline: { ...decided, tasks }, skipped: pipeline.tasks.filter((t) => skipped.has(t.name)).map((t) => t.name), diagnostics };
}

function buildPlan(pipeline: IR.Pipeline, scopes: Scopes, keys: MetadataKeys, metrics: boolean, hash: string, skipped: string[], copies: ReadonlyMap<string, CopyOf>): Omit<Plan, "declared"> {
  // Tasks that may be skipped at run time; none once `when` has been decided (their `when` was dropped).
  const mayBeSkipped = skipClosure(pipeline, scopes, () => true);
  const base = { [keys.name]: pipeline.name, [keys.partOf]: pipeline.partOf, [keys.managedBy]: "gantry", [keys.pipeline]: pipeline.name };
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const finals = pipeline.tasks.filter((t) => t.role === "finally");
  const chains = scopeChains(pipeline, scopes);
  const reserved = reservedLabelKeys(keys);
  return {
    pipeline,
    scopes,
    keys,
    hash,
    skipped,
    runMetrics: metrics ? runMetrics(pipeline) : [],
    labels: sortKeys({ ...withoutReserved(pipeline.labels, reserved), ...base, [keys.component]: PIPELINE_COMPONENT }),
    annotations: sortKeys({
      ...pipeline.annotations,
      [keys.source]: `${pipeline.source.file}:${pipeline.source.line}`,
      [keys.pipelineHash]: hash,
      ...ownershipAnnotations(pipeline.ownership, keys),
    }),
    succeedsWhen: successCondition(pipeline.tasks.filter((t) => t.role !== "finally"), mayBeSkipped),
    ...(finals.length > 0 && { finallySucceedsWhen: successCondition(finals, mayBeSkipped) }),
    tasks: pipeline.tasks.map((task) => {
      const { chain, scope } = chains.get(task.name) ?? { chain: [] };
      const copyOf = copies.get(task.name);
      // The fan-out a pod runs for: the task itself (Argo), or the one a copy was made from (jobs).
      const fanOut = copyOf?.task ?? (task.forEach ? task.name : undefined);
      return {
        task,
        ...(copyOf && { copyOf }),
        ...withCondition(startCondition(task, byName, scopes, mayBeSkipped)),
        ...withGuard(guardOf(task, needed(task, scopes), mayBeSkipped)),
        scopes: chain,
        metrics: metrics ? taskMetrics(pipeline, task) : [],
        ...(scope !== undefined && { scope }),
        labels: sortKeys({
          ...withoutReserved(task.pod.labels, reserved),
          ...base,
          [keys.component]: task.name,
          [keys.task]: task.name,
          [keys.role]: task.role,
          ...(scope !== undefined && { [keys.scope]: scope }),
          ...(fanOut !== undefined && { [keys.fanOut]: fanOut }),
        }),
        annotations: sortKeys({
          ...task.pod.annotations,
          [keys.source]: `${task.source.file}:${task.source.line}`,
          [keys.pipelineHash]: hash,
          [keys.retry]: retryAnnotation(task),
          ...(chain.length > 0 && { [keys.scopes]: chain.join(",") }),
          ...(copyOf && { [keys.item]: copyOf.item }),
          ...ownershipAnnotations(task.ownership, keys),
        }),
      };
    }),
  };
}

/** Maps are emitted with sorted keys so output never depends on declaration or merge order. */
export function sortKeys<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of sortedKeys(m)) setOwn(out, k, m[k]);
  return out;
}

const withCondition = (c: Condition | undefined) => (c ? { startsWhen: c } : {});
const withGuard = (g: Guard | undefined) => (g ? { runsIf: g } : {});

