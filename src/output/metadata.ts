/**
 * `<pipeline>.metadata.json` (`gantry compile --metadata`): what dashboards and alert rules need to
 * know about a pipeline without parsing its manifests: tasks, roles, scopes, dependencies, retry
 * policies, labels, owners and metric names. The zod schema is the single source of the shipped
 * gantry.metadata.schema.json (`npm run schema`). Built from the plan, so it says exactly what the
 * manifests were built from; byte-stable like them.
 */
import { z } from "zod";
import { effectiveRetry, type MetricSpec, type Plan } from "../phases/4-lower/index.js";
import type { Unenforced } from "../backends/jobs/enforcement.js";
import { GENERATED_MARKER, headerPath } from "./yaml.js";

const labels = z.record(z.string(), z.string());

const metric = z
  .object({
    name: z.string().describe("Prometheus name as Gantry declares it; an exporter may add a prefix (Argo: argo_workflows_)."),
    type: z.enum(["gauge", "counter"]),
    help: z.string(),
    labels: labels.describe("Labels with fixed values, e.g. pipeline, task, role."),
    byStatus: z.boolean().describe("Also labelled `status` with how the attempt or run ended (Succeeded, Failed, Error)."),
    byNamespace: z.boolean().describe("Also labelled `workflow_namespace` with the namespace the run is in."),
  })
  .describe("A metric the target emits; see docs/monitoring.md.");

const retry = z
  .object({
    limit: z.number().int().nonnegative(),
    on: z.enum(["failure", "error", "transient", "any"]).optional(),
    backoff: z
      .object({
        durationSeconds: z.number(),
        factor: z.number(),
        capSeconds: z.number().optional(),
        maxDurationSeconds: z.number().optional(),
      })
      .optional(),
    onExitCodes: z.array(z.number().int()).optional(),
    exceptExitCodes: z.array(z.number().int()).optional(),
    totalTimeoutSeconds: z.number().int().optional(),
  })
  .describe("The effective retry policy, as in the gantry.dev/retry annotation: `{ limit: 0 }` (and a total timeout, if any) when the task is not retried.");

const ownership = {
  owner: z.string().optional(),
  team: z.string().optional(),
  runbookUrl: z.string().optional(),
};

const task = z.object({
  name: z.string(),
  role: z.enum(["setup", "work", "teardown", "finally"]),
  scope: z.string().optional().describe("The gantry.dev/scope label: a setup's own name, the scope a teardown closes, else the innermost setup around the task."),
  scopes: z
    .array(z.string())
    .describe("The setups whose scopes the task belongs to, outermost first, as the gantry.dev/scopes annotation: those whose scope holds it; for a setup, itself too; for a teardown, its setups too."),
  dependencies: z.array(z.string()).describe("The tasks in its `after`."),
  setups: z.array(z.string()).describe("For a teardown, the setups it tears down."),
  trigger: z
    .enum(["allSucceeded", "allDone"])
    .optional()
    .describe("When a setup or work task starts. Absent for teardowns and finally tasks, whose rules are fixed (docs/semantics.md): a teardown runs once its scope is done if one of its setups succeeded, a finally task after everything else."),
  allowFailure: z.boolean(),
  failsRun: z.boolean(),
  when: z
    .unknown()
    .optional()
    .describe("The condition the task tests before it runs (docs/dsl.md): `{ param, in }`, `{ output: { task, name }, in }` (another task's output), `{ runStatus }` (finally tasks: the run's result), `{ all }`, `{ any }` or `{ not }`. On the jobs target, which decides the parameters' part when compiling (see `skipped`), only what is left for the run: tests of outputs, and a finally task's `{ runStatus }`."),
  forEach: z
    .union([z.string(), z.object({ output: z.object({ task: z.string(), name: z.string() }) })])
    .optional()
    .describe(
      "What a fan-out task runs over (docs/dsl.md, `forEach`): the name of its list parameter, or `{ output: { task, name } }`, another task's output (Argo only). One copy of the task runs per item of the list. On the jobs target, which writes one task per item of the default when compiling (NAME-0, NAME-1, ...), absent: those copies are listed as tasks, each with `copyOf`.",
    ),
  copyOf: z
    .object({ task: z.string(), item: z.string() })
    .optional()
    .describe("Jobs target: the fan-out task this task is a copy of, and the item it runs for (its Job's label gantry.dev/fan-out and annotation gantry.dev/item)."),
  retry,
  timeoutSeconds: z.number().int().optional().describe("Deadline of one attempt."),
  notEnforced: z
    .array(z.enum(["retry.backoff", "retry.totalTimeout", "timeout"]))
    .describe("The fields of `retry` and `timeoutSeconds` above that the target does not enforce for this task, each reported by a warning when compiling (jobs target: GANTRY4013, GANTRY4017, GANTRY4019). Empty on Argo."),
  ...ownership,
  labels: labels.describe("Labels of the task's pods."),
  metrics: z.array(metric),
  source: z.string().describe("file:line of the task's declaration."),
});

export const pipelineMetadataSchema = z
  .strictObject({
    $comment: z.string().describe("Gantry's header: it owns (rewrites and removes) files that start with it."),
    pipeline: z.string(),
    source: z.string().describe("file:line of the pipeline's declaration, relative to the compile's working directory."),
    hash: z.string().describe("The gantry.dev/pipeline-hash annotation: sha256 of the pipeline, stable across compiles."),
    target: z.enum(["argo", "jobs"]),
    namespace: z.string().optional(),
    description: z.string().optional(),
    schedule: z.object({ crons: z.array(z.string()), timezone: z.string() }).optional(),
    partOf: z.string(),
    ...ownership,
    labels: labels.describe("Labels of the pipeline's objects."),
    metrics: z.array(metric).describe("Metrics of the run."),
    tasks: z.array(task).describe("In declaration order."),
    skipped: z
      .array(z.string())
      .optional()
      .describe("Jobs target: the tasks left out because their `when`, or a skip it reached, did not hold with the parameters' defaults. Absent when none is."),
  })
  .describe("Gantry pipeline metadata, written by `gantry compile --metadata` beside the manifest; see docs/monitoring.md.");

export type PipelineMetadata = z.infer<typeof pipelineMetadataSchema>;

/** `<file>` -> `<pipeline>.metadata.json`'s first key, which makes the file Gantry's (ownership.ts). */
export const metadataComment = (sourceFile: string): string => `${GENERATED_MARKER} from ${headerPath(sourceFile)}. Do not edit: change the source and run \`gantry compile --metadata\`.`;

/**
 * The metadata of one lowered pipeline. `emitsMetrics`: whether the target turns the plan's metrics
 * into real ones (Argo does; the Jobs target does not yet), so the file never names a metric that
 * does not exist.
 */
export function pipelineMetadata(plan: Plan, target: "argo" | "jobs", emitsMetrics: boolean, notEnforced: ReadonlyMap<string, readonly Unenforced[]> = new Map()): string {
  const { pipeline: p } = plan;
  const metrics = (ms: readonly MetricSpec[]) =>
    emitsMetrics ? ms.map((m) => ({ name: m.name, type: m.type, help: m.help, labels: Object.fromEntries(m.labels.map((l) => [l.key, l.value])), byStatus: m.byStatus, byNamespace: m.byNamespace })) : [];
  const data: PipelineMetadata = {
    $comment: metadataComment(p.source.file),
    pipeline: p.name,
    source: `${p.source.file}:${p.source.line}`,
    hash: plan.hash,
    target,
    namespace: p.namespace,
    description: p.description,
    schedule: p.schedule && { crons: p.schedule.crons, timezone: p.schedule.timezone },
    partOf: p.partOf,
    ...p.ownership,
    labels: plan.labels,
    metrics: metrics(plan.runMetrics),
    ...(plan.skipped.length > 0 && { skipped: plan.skipped }),
    tasks: plan.tasks.map(({ task: t, scope, scopes, labels, metrics: ms, copyOf }) => ({
      name: t.name,
      role: t.role,
      scope,
      scopes,
      dependencies: t.dependencies,
      setups: t.setups,
      // Set for every task in the IR, but a teardown's or finally task's start does not follow it.
      trigger: t.role === "teardown" || t.role === "finally" ? undefined : t.trigger,
      allowFailure: t.allowFailure,
      when: t.when,
      forEach: t.forEach && ("param" in t.forEach ? t.forEach.param : { output: t.forEach.output }),
      copyOf,
      failsRun: t.failsRun,
      retry: effectiveRetry(t.retry),
      timeoutSeconds: t.timeoutSeconds,
      notEnforced: [...(notEnforced.get(t.name) ?? [])],
      ...t.ownership,
      labels,
      metrics: metrics(ms),
      source: `${t.source.file}:${t.source.line}`,
    })),
  };
  // Key order is the schema's, fixed by the literal above; undefined fields are dropped by JSON.
  return JSON.stringify(data, null, 2) + "\n";
}

/** The JSON Schema of the metadata file, as shipped in gantry.metadata.schema.json. */
export function metadataJsonSchema(): string {
  return JSON.stringify(z.toJSONSchema(pipelineMetadataSchema, { io: "output" }), null, 2) + "\n";
}
