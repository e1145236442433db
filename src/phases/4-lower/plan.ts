/**
 * Phase 4: target-neutral semantics. Turns the IR into a plan that says, per task, what must have
 * happened before it starts and what metadata it carries. Backends translate the plan; they do not
 * decide semantics. (Setup/teardown scopes will be wired here, in one place, for every target.)
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { checkScopes } from "./scope-checks.js";
import { startCondition, successCondition, type Condition } from "./conditions.js";
import { computeScopes, type Scopes } from "./scopes.js";

/** Label and annotation keys Gantry owns. */
export const GANTRY_PREFIX = "gantry.dev";

/** Gantry's label and annotation keys under a prefix (configurable: `labelPrefix`). */
export function metadataKeys(prefix = GANTRY_PREFIX) {
  return {
    managedBy: "app.kubernetes.io/managed-by",
    pipeline: `${prefix}/pipeline`,
    task: `${prefix}/task`,
    role: `${prefix}/role`,
    source: `${prefix}/source`,
  } as const;
}

export interface LowerOptions {
  /** Prefix of Gantry's own labels and annotations. Default "gantry.dev". */
  labelPrefix?: string;
}

export interface PlannedTask {
  task: IR.Task;
  /** When the task starts; once it can no longer hold, the task does not run. None: at once (or, for finally tasks, after everything). */
  startsWhen?: Condition;
  /** Labels and annotations of the task's pod: the author's, then Gantry's. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Plan {
  pipeline: IR.Pipeline;
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
}

export interface Lowered {
  plan: Plan;
  /** Setup/teardown wiring problems; with an error the plan must not be emitted. */
  diagnostics: Diagnostic[];
}

export function lower(pipeline: IR.Pipeline, options: LowerOptions = {}): Lowered {
  const scopes = computeScopes(pipeline);
  return { plan: buildPlan(pipeline, scopes, metadataKeys(options.labelPrefix)), diagnostics: checkScopes(pipeline, scopes) };
}

function buildPlan(pipeline: IR.Pipeline, scopes: Scopes, keys: ReturnType<typeof metadataKeys>): Plan {
  const base = { [keys.managedBy]: "gantry", [keys.pipeline]: pipeline.name };
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const finals = pipeline.tasks.filter((t) => t.role === "finally");
  return {
    pipeline,
    scopes,
    labels: sortKeys({ ...pipeline.labels, ...base }),
    annotations: sortKeys({ ...pipeline.annotations, [keys.source]: `${pipeline.source.file}:${pipeline.source.line}` }),
    succeedsWhen: successCondition(pipeline.tasks.filter((t) => t.role !== "finally")),
    ...(finals.length > 0 && { finallySucceedsWhen: successCondition(finals) }),
    tasks: pipeline.tasks.map((task) => ({
      task,
      ...withCondition(startCondition(task, byName, scopes)),
      labels: sortKeys({ ...task.pod.labels, ...base, [keys.task]: task.name, [keys.role]: task.role }),
      annotations: sortKeys({ ...task.pod.annotations, [keys.source]: `${task.source.file}:${task.source.line}` }),
    })),
  };
}

/** Maps are emitted with sorted keys so output never depends on declaration or merge order. */
export function sortKeys<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const withCondition = (c: Condition | undefined) => (c ? { startsWhen: c } : {});

