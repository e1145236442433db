/**
 * The Argo backend: a plan becomes a WorkflowTemplate (default), a Workflow, or a CronWorkflow.
 * One DAG template named `main` runs one leaf template per task.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type { Plan } from "../../phases/4-lower/index.js";
import { sortKeys } from "../../phases/4-lower/index.js";
import * as pod from "../common/pod.js";
import { dependsExpression, taskTemplate } from "./template.js";

export type ArgoKind = "auto" | "template" | "workflow" | "cron";

export interface ArgoOptions {
  /** `auto`: CronWorkflow when the pipeline has a schedule, else WorkflowTemplate. */
  kind: ArgoKind;
}

export interface BackendResult {
  objects: Record<string, unknown>[];
  diagnostics: Diagnostic[];
}

const API_VERSION = "argoproj.io/v1alpha1";
/** Argo's full CRDs accept at most 200 templates; the DAG template `main` takes one of them. */
const MAX_TEMPLATES = 200;
const MAX_TASKS = MAX_TEMPLATES - 1;

export function toArgo(plan: Plan, options: ArgoOptions): BackendResult {
  const { pipeline } = plan;
  const diagnostics: Diagnostic[] = [];
  const span = { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column };
  if (pipeline.tasks.length > MAX_TASKS) {
    diagnostics.push({ code: "GANTRY4003", severity: "error", message: `pipeline "${pipeline.name}" has ${pipeline.tasks.length} tasks; Argo accepts at most ${MAX_TEMPLATES} templates per workflow, so at most ${MAX_TASKS} tasks`, span });
  }
  // Setup/teardown/finally need exit-handler wiring that this backend does not emit yet; refusing is
  // better than manifests where a failed setup still runs its scope or a teardown is skipped.
  const unsupported = pipeline.tasks.filter((t) => t.role !== "work" || t.allowFailure || t.trigger !== "allSucceeded");
  if (unsupported.length > 0) {
    const t = unsupported[0]!;
    const what = t.role !== "work" ? `${t.role} tasks` : t.allowFailure ? "allowFailure" : `trigger "${t.trigger}"`;
    diagnostics.push({ code: "GANTRY4004", severity: "error", message: `the Argo target does not support ${what} yet (task "${t.name}")`, span: { file: t.source.file, line: t.source.line, column: t.source.column }, hint: "The setup/teardown semantics are defined and checked (see docs/semantics.md); their Argo lowering is in progress." });
    return { objects: [], diagnostics };
  }
  let kind = options.kind;
  if (kind === "auto") kind = pipeline.schedule ? "cron" : "template";
  if (kind === "cron" && !pipeline.schedule) {
    diagnostics.push({ code: "GANTRY4001", severity: "error", message: `--kind cron needs a schedule, and pipeline "${pipeline.name}" has none`, span, hint: "Add `schedule: { cron: \"@daily\" }` to the pipeline options, or choose another --kind." });
    return { objects: [], diagnostics };
  }
  if (kind !== "cron" && pipeline.schedule) {
    diagnostics.push({ code: "GANTRY4002", severity: "warning", message: `pipeline "${pipeline.name}" has a schedule, which a ${kind === "workflow" ? "Workflow" : "WorkflowTemplate"} cannot carry; it is left out`, span, hint: "Omit --kind (or use --kind cron) to emit a CronWorkflow." });
  }

  const description = pipeline.description;
  const annotations = sortKeys({ ...plan.annotations, ...(description && { "workflows.argoproj.io/description": description }) });
  const metadata = (nameField: "name" | "generateName") => ({
    [nameField]: nameField === "name" ? pipeline.name : `${pipeline.name}-`,
    namespace: pipeline.namespace,
    labels: plan.labels,
    annotations,
  });
  const spec = workflowSpec(plan);

  let object: Record<string, unknown>;
  if (kind === "cron") {
    const s = pipeline.schedule!;
    object = {
      apiVersion: API_VERSION,
      kind: "CronWorkflow",
      metadata: metadata("name"),
      spec: {
        schedules: s.crons,
        timezone: s.timezone,
        concurrencyPolicy: s.concurrencyPolicy,
        startingDeadlineSeconds: s.startingDeadlineSeconds,
        suspend: s.suspend || undefined,
        workflowMetadata: { labels: plan.labels },
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

function workflowSpec(plan: Plan) {
  const { pipeline } = plan;
  const pullSecrets = [...new Set(pipeline.tasks.flatMap((t) => t.pod.imagePullSecrets))].sort();
  return {
    entrypoint: "main",
    serviceAccountName: pipeline.serviceAccountName,
    arguments: pod.nonEmpty(pipeline.parameters)
      ? { parameters: pipeline.parameters.map((p) => ({ name: p.name, value: p.default, enum: p.enum, description: p.description })) }
      : undefined,
    securityContext: pod.podSecurityContext(),
    imagePullSecrets: pod.nonEmpty(pullSecrets.map((name) => ({ name }))),
    templates: [
      {
        name: "main",
        dag: {
          tasks: plan.tasks.map((p) => ({ name: p.task.name, template: p.task.name, depends: dependsExpression(p) })),
        },
      },
      ...plan.tasks.map(taskTemplate),
    ],
  };
}

const PARAM = /\{\{\s*params\.([-\w]+)\s*\}\}/g;

/**
 * `{{params.x}}` (Gantry's neutral placeholder) becomes Argo's `{{workflow.parameters.x}}`.
 * Copy-on-write: containers are copied only on the path to a rewritten string, so the object never
 * aliases a changed IR value and subtrees without placeholders cost no allocation.
 */
function rewriteParameters(value: unknown): unknown {
  if (typeof value === "string") return value.includes("{{") ? value.replace(PARAM, "{{workflow.parameters.$1}}") : value;
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
    const old = (value as Record<string, unknown>)[k];
    const v = rewriteParameters(old);
    if (v !== old) (copy ??= { ...(value as Record<string, unknown>) })[k] = v;
  }
  return copy ?? value;
}
