/**
 * The Argo backend: a plan becomes a WorkflowTemplate (default), a Workflow, or a CronWorkflow.
 * One DAG template named `main` runs one leaf template per task.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type { Plan } from "../../phases/4-lower/index.js";
import { annotationSizeProblem, declaredDefaults, sortKeys, tasksIn } from "../../phases/4-lower/index.js";
import * as pod from "../common/pod.js";
import { argoUnknownTags } from "../common/template-tags.js";
import { ITEM_PLACEHOLDER, OUTPUT_MARK, OUTPUT_PATTERN, PARAMETER_PATTERN, RUN_ID_PLACEHOLDER, RUN_STATUS_PLACEHOLDER } from "../../ir/placeholders.js";
import { outputParameterName, outputReads, surelySucceeded, type OutputRead } from "../../ir/output-reads.js";
import type * as IR from "../../ir/index.js";
import type { Condition, PlannedTask } from "../../phases/4-lower/index.js";
import { dependsExpression } from "./depends.js";
import { fanOutList, whenExpression } from "./when.js";
import { prometheusMetrics } from "./metrics.js";
import { cronForArgo } from "./cron-numbers.js";
import { exprFunctionNames } from "./expr-names.js";
import { argoReservedVolumes } from "./reserved-volumes.js";
import { retryDiagnostics } from "./retry.js";
import { ITEM_INPUT, taskTemplate } from "./template.js";
import { andList } from "../../util/and-list.js";

export type ArgoKind = "auto" | "template" | "workflow" | "cron";

export interface ArgoOptions {
  /** `auto`: CronWorkflow when the pipeline has a schedule, else WorkflowTemplate. */
  kind: ArgoKind;
  /** The podSpecPatch hardening Argo's own containers (EXECUTOR_HARDENING); default true. */
  hardenExecutor?: boolean;
}

export interface BackendResult {
  objects: Record<string, unknown>[];
  diagnostics: Diagnostic[];
}

const API_VERSION = "argoproj.io/v1alpha1";
/** Argo's full CRDs accept at most 200 templates per workflow (and 200 tasks per DAG, fewer here). */
const MAX_TEMPLATES = 200;

/** Gantry's own templates beside one per task: the DAG `main`, and `gantry-finally` and `gantry-noop` when used. */
function ownTemplates(plan: Plan): string[] {
  const { finals, bodyGate, finalsGate } = dags(plan);
  return ["main", ...(finals.length > 0 ? [FINALLY] : []), ...(bodyGate || finalsGate ? [NOOP] : [])];
}

export function toArgo(plan: Plan, options: ArgoOptions): BackendResult {
  const { pipeline } = plan;
  const diagnostics: Diagnostic[] = [];
  const span = { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column };
  const own = ownTemplates(plan);
  if (pipeline.tasks.length + own.length > MAX_TEMPLATES) {
    const ownNames = andList(own.map((n) => `"${n}"`));
    diagnostics.push({
      code: "GANTRY4003",
      severity: "error",
      message: `pipeline "${pipeline.name}" has ${pipeline.tasks.length} tasks; with Gantry's ${ownNames} that is ${pipeline.tasks.length + own.length} templates, and Argo accepts at most ${MAX_TEMPLATES} per workflow, so at most ${MAX_TEMPLATES - own.length} tasks here`,
      span,
      hint: "Split the pipeline into several, or fan out inside a task.",
    });
  }
  diagnostics.push(...retryDiagnostics(pipeline.tasks), ...pipeline.tasks.flatMap(argoReservedVolumes), ...exprFunctionNames(pipeline.tasks, dependedOn(plan)), ...pipeline.tasks.flatMap(argoUnknownTags));
  // What each task reads, found once for the warning, the DAG's arguments and the templates' inputs.
  const reads: Reads = new Map(pipeline.tasks.map((t) => [t.name, outputReads(t)]));
  const unsure = readsThroughDefaults(pipeline.tasks, reads, plan.scopes.enclosing);
  if (unsure.length > 0) {
    const first = unsure[0]!.reader;
    diagnostics.push({
      code: "GANTRY4035",
      severity: "warning",
      message: `on Argo, these reads of an output whose task may not have succeeded rely on the output's default: ${andList(unsure.map((u) => `"${u.reader.name}" reads "${u.output}" of "${u.producer}"`))}; Argo fills in the default of a skipped or omitted task only from v4.0.7, and of one whose pod was lost (Error) never: an output left unresolved stops the workflow from progressing (argo-workflows#15837, #16793)`,
      span: { file: first.source.file, line: first.source.line, column: first.source.column },
      hint: "Run Argo v4.0.7 or later, and make these reads wait for the producer's success where you can (the default trigger, no allowFailure between them); once the team knows it, list \"GANTRY4035\" in the configuration's ignoreWarnings.",
    });
  }
  const teardowns = pipeline.tasks.filter((t) => t.role === "teardown");
  const teardown = teardowns[0];
  if (teardown) {
    // One warning per pipeline, at its first teardown, naming them all.
    const names = teardowns.map((t) => `"${t.name}"`);
    const named = `${names.length === 1 ? "teardown" : "teardowns"} ${andList(names)}`;
    diagnostics.push({
      code: "GANTRY4005",
      severity: "warning",
      message: `on Argo, when the workflow is stopped (argo stop) or hits its deadline, teardowns that have not started do not run, and running ones are stopped (${named})`,
      span: { file: teardown.source.file, line: teardown.source.line, column: teardown.source.column },
      hint: "finally tasks do run then (they are the workflow's exit handler); make cleanup that must survive a stop idempotent and also run it from p.finally(...).",
    });
  }
  let kind = options.kind;
  if (kind === "auto") kind = pipeline.schedule ? "cron" : "template";
  if (kind === "cron" && !pipeline.schedule) {
    diagnostics.push({ code: "GANTRY4001", severity: "error", message: `--kind cron needs a schedule, and pipeline "${pipeline.name}" has none`, span, hint: "Add `schedule: { cron: \"@daily\" }` to the pipeline options, or choose another --kind." });
    return { objects: [], diagnostics };
  }
  if (kind === "cron") {
    // Nobody submits a scheduled run, so nobody can give a value: Argo fails every run of it.
    for (const p of pipeline.parameters.filter((p) => p.default === undefined)) {
      diagnostics.push({
        code: "GANTRY4011",
        severity: "error",
        message: `parameter "${p.name}" of the scheduled pipeline "${pipeline.name}" has no default; a CronWorkflow's runs are not submitted by anyone who could give one, so Argo would fail each run`,
        span,
        field: { path: ["parameters", p.name] },
        hint: `Give it a default (parameters: { ${p.name}: { default: "..." } }), or emit a WorkflowTemplate (--kind template) that runs are submitted from.`,
      });
    }
  }
  if (kind !== "cron" && pipeline.schedule) {
    diagnostics.push({ code: "GANTRY4002", severity: "warning", message: `pipeline "${pipeline.name}" has a schedule, which a ${kind === "workflow" ? "Workflow" : "WorkflowTemplate"} cannot carry; it is left out`, span, field: { path: ["schedule"] }, hint: "Omit --kind (or use --kind cron) to emit a CronWorkflow." });
  }

  const description = pipeline.description;
  const annotations = sortKeys({ ...plan.annotations, ...(description && { "workflows.argoproj.io/description": description }) });
  const tooLarge = description ? annotationSizeProblem(annotations, `pipeline "${pipeline.name}" (with its description, which Argo reads from an annotation)`, pipeline.source) : undefined;
  if (tooLarge) return { objects: [], diagnostics: [...diagnostics, tooLarge] };
  const metadata = (nameField: "name" | "generateName") => ({
    [nameField]: nameField === "name" ? pipeline.name : `${pipeline.name}-`,
    namespace: pipeline.namespace,
    labels: plan.labels,
    annotations,
  });
  const spec = workflowSpec(plan, reads, options.hardenExecutor !== false, kind === "template" ? runMetadata(plan) : undefined);

  let object: Record<string, unknown>;
  if (kind === "cron") {
    const s = pipeline.schedule!;
    object = {
      apiVersion: API_VERSION,
      kind: "CronWorkflow",
      metadata: metadata("name"),
      spec: {
        schedules: s.crons.map(cronForArgo),
        timezone: s.timezone,
        concurrencyPolicy: s.concurrencyPolicy,
        startingDeadlineSeconds: s.startingDeadlineSeconds,
        suspend: s.suspend || undefined,
        workflowMetadata: runMetadata(plan),
        workflowSpec: spec,
      },
    };
  } else if (kind === "workflow") {
    object = { apiVersion: API_VERSION, kind: "Workflow", metadata: metadata("generateName"), spec };
  } else {
    object = { apiVersion: API_VERSION, kind: "WorkflowTemplate", metadata: metadata("name"), spec };
  }
  return { objects: [rewriteParameters(object) as Record<string, unknown>], diagnostics };
}

/** Labels and annotations of each run (Workflow) a CronWorkflow or WorkflowTemplate starts. */
function runMetadata(plan: Plan) {
  return { labels: plan.labels, annotations: plan.annotations };
}

/** The outputs each task reads, by task name. */
type Reads = ReadonlyMap<string, readonly OutputRead[]>;

function workflowSpec(plan: Plan, reads: Reads, hardenExecutor: boolean, workflowMetadata?: ReturnType<typeof runMetadata>) {
  const { pipeline } = plan;
  const { body, finals, bodyGate, finalsGate } = dags(plan);
  const pullSecrets = [...new Set(pipeline.tasks.flatMap((t) => t.pod.imagePullSecrets))].sort();
  return {
    entrypoint: "main",
    serviceAccountName: pipeline.serviceAccountName,
    arguments: pod.nonEmpty(pipeline.parameters)
      ? { parameters: pipeline.parameters.map((p) => ({ name: p.name, value: p.default, enum: p.enum, description: p.description })) }
      : undefined,
    securityContext: pod.podSecurityContext(),
    podSpecPatch: hardenExecutor ? EXECUTOR_HARDENING : undefined,
    imagePullSecrets: pod.nonEmpty(pullSecrets.map((name) => ({ name }))),
    onExit: finals.length > 0 ? FINALLY : undefined,
    workflowMetadata,
    metrics: prometheusMetrics(plan.runMetrics, "run"),
    templates: [
      dagTemplate("main", body, bodyGate, reads),
      ...(finals.length > 0 ? [dagTemplate(FINALLY, finals, finalsGate, reads)] : []),
      ...plan.tasks.map((p) => taskTemplate(p, reads.get(p.task.name)!)),
      ...(bodyGate || finalsGate ? [{ name: NOOP, suspend: { duration: "0" } }] : []),
    ],
  };
}

/**
 * Argo adds its own executor containers to every task pod (`init`, always since v3.4, and `wait`),
 * with the security context of the controller's `executor` setting, empty by default: without
 * `allowPrivilegeEscalation: false` and dropped capabilities, a namespace enforcing the `restricted`
 * Pod Security Standard refuses the pod. The patch is applied after those containers are added
 * (createWorkflowPod), merged by container name; the pod-level context covers non-root and seccomp.
 * A workflow's own podSpecPatch replaces one its controller's workflowDefaults set, hence the
 * configuration's `hardenArgoExecutor: false` for installations that rely on such a default.
 */
const EXECUTOR_HARDENING = JSON.stringify({
  initContainers: [{ name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
  containers: [{ name: "wait", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
});

const FINALLY = "gantry-finally";
const GATE = "gantry-result";
const NOOP = "gantry-noop";

/**
 * A DAG of tasks. When plain leaves cannot tell the run's result (a task may fail without failing
 * the run, or run after a failure), a gate task is the DAG's only target: it depends on every task
 * with the run's success condition, so it runs (a zero-length suspend, no pod) exactly when the run
 * succeeded and is otherwise Omitted, inheriting the failure (shared/reference/argo.md §2.2).
 * `failFast: false` keeps scheduling going so teardowns still run after a failure (§2.3).
 */
function dagTemplate(name: string, tasks: readonly PlannedTask[], gate: Condition | undefined, reads: Reads) {
  // A `when` may test an output of another task of this DAG (never of the exit handler's: GANTRY2044).
  const defaultOf = declaredDefaults(tasks.map((p) => p.task));
  const dagTasks = tasks.map(({ task, startsWhen, runsIf }) => {
    const outputs = outputArguments(reads.get(task.name)!);
    const depends = dependsExpression(startsWhen);
    if (!task.forEach) return { name: task.name, template: task.name, arguments: outputs, depends, when: whenExpression(runsIf, defaultOf) };
    // One item per copy, into its template's input (template.ts); the guard goes in the list (fanOutList).
    const item = { name: ITEM_INPUT, value: "{{item}}" };
    return { name: task.name, template: task.name, arguments: { parameters: [item, ...(outputs?.parameters ?? [])] }, depends, withParam: fanOutList(task.forEach, runsIf, defaultOf) };
  });
  if (!gate) return { name, dag: { tasks: dagTasks } };
  return {
    name,
    dag: {
      failFast: false,
      target: GATE,
      tasks: [...dagTasks, { name: GATE, template: NOOP, depends: dependsExpression(gate) }],
    },
  };
}

/** The reads whose producer may not have succeeded when the reader runs: validated to have a default, which Argo may not apply (GANTRY4035). */
function readsThroughDefaults(tasks: readonly IR.Task[], reads: Reads, enclosing: ReadonlyMap<string, readonly string[]>): { reader: IR.Task; producer: string; output: string }[] {
  if ([...reads.values()].every((r) => r.length === 0)) return [];
  const sure = surelySucceeded(new Map(tasks.map((t) => [t.name, t])), enclosing);
  return tasks.flatMap((reader) => reads.get(reader.name)!.filter((r) => !sure(r.task, reader)).map((r) => ({ reader, producer: r.task, output: r.output })));
}

/** The outputs a task reads, passed from the tasks that wrote them to its template's inputs (template.ts). */
function outputArguments(reads: readonly OutputRead[]) {
  if (reads.length === 0) return undefined;
  return { parameters: reads.map((r) => ({ name: outputParameterName(r), value: `{{tasks.${r.task}.outputs.parameters.${r.output}}}` })) };
}

/** The tasks some `depends` expression of the workflow names (see workflowSpec and dagTemplate). */
function dependedOn(plan: Plan): Set<string> {
  const { bodyGate, finalsGate } = dags(plan);
  const conditions = [...plan.tasks.map((p) => p.startsWhen), bodyGate, finalsGate];
  return new Set(conditions.flatMap((c) => tasksIn(c)));
}

/** The workflow's two DAGs, `main` (the run's tasks) and the exit handler (finally tasks), each with its gate's condition when it needs one. */
function dags(plan: Plan) {
  const body = plan.tasks.filter((p) => p.task.role !== "finally");
  const finals = plan.tasks.filter((p) => p.task.role === "finally");
  return { body, finals, bodyGate: needsGate(body) ? plan.succeedsWhen : undefined, finalsGate: needsGate(finals) ? plan.finallySucceedsWhen : undefined };
}

/** Whether leaf-based phase assessment would misjudge the run (see dagTemplate); a task that may be skipped is a Skipped leaf. */
function needsGate(tasks: readonly PlannedTask[]): boolean {
  return tasks.some(({ task: t, runsIf }) => t.role === "teardown" || t.role === "setup" || t.allowFailure || t.trigger === "allDone" || runsIf !== undefined);
}


/**
 * `{{params.x}}` (Gantry's neutral placeholder) becomes Argo's `{{workflow.parameters.x}}`, in
 * keys too (a node selector's key may be a parameter; Argo fills in the template's whole text).
 * Copy-on-write: containers are copied only on the path to a rewritten string, so the object never
 * aliases a changed IR value and subtrees without placeholders cost no allocation.
 */
function rewriteParameters(value: unknown): unknown {
  if (typeof value === "string") return value.includes("{{") ? rewriteString(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = rewriteParameters(value[i]);
      if (v !== value[i]) (copy ??= [...value])[i] = v;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const k in value) {
    if (k.includes("{{")) return Object.fromEntries(Object.entries(value).map(([key, v]) => [rewriteParameters(key), rewriteParameters(v)]));
    const old = (value as Record<string, unknown>)[k];
    const v = rewriteParameters(old);
    if (v !== old) (copy ??= { ...(value as Record<string, unknown>) })[k] = v;
  }
  return copy ?? value;
}

// An output read becomes the reading template's input of that name (outputParameterName); the DAG task's
// `{{tasks.X.outputs.parameters.Y}}` has a segment more, so it is not an output placeholder.
const rewriteString = (s: string): string => {
  const r = s
    .replace(PARAMETER_PATTERN, "{{workflow.parameters.$1}}")
    .replaceAll(RUN_STATUS_PLACEHOLDER, "{{workflow.status}}")
    .replaceAll(RUN_ID_PLACEHOLDER, "{{workflow.uid}}")
    .replaceAll(ITEM_PLACEHOLDER, `{{inputs.parameters.${ITEM_INPUT}}}`);
  // Every metric label holds a `{{...}}`; hardly any string reads an output.
  return r.includes(OUTPUT_MARK) ? r.replace(OUTPUT_PATTERN, "{{inputs.parameters.$1-$2}}") : r;
};
