/**
 * The validated pipeline: Gantry's intermediate representation. Plain, JSON-printable data with every
 * default applied and every reference resolved to a name. Backends read only this; nothing here knows
 * about TypeScript or ts-morph.
 */
import { z } from "zod";

const StringMap = z.record(z.string(), z.string());

export const SourceRef = z.object({
  /** Source file relative to the compile's working directory, POSIX separators. */
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  /**
   * A pipeline's only: the module whose top-level code made it, when that is not `file` (a factory
   * in `file` called from it). Manifest headers name it, so a compile of part of the project can
   * tell two entries' pipelines apart. Not part of the pipeline hash (nothing under `source` is).
   */
  madeIn: z.string().optional(),
});

export const EnvVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .union([
      z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }) }),
      z.object({ configMapKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }) }),
      z.object({ fieldRef: z.object({ fieldPath: z.string() }) }),
    ])
    .optional(),
});

export const EnvFrom = z.object({
  kind: z.enum(["secret", "configMap"]),
  name: z.string(),
  prefix: z.string().optional(),
  optional: z.boolean().optional(),
});

const KeyToPath = z.object({ key: z.string(), path: z.string(), mode: z.number().int().optional() });

export const VolumeSource = z.discriminatedUnion("type", [
  z.object({ type: z.literal("configMap"), name: z.string(), items: z.array(KeyToPath).optional(), defaultMode: z.number().int().optional(), optional: z.boolean().optional() }),
  z.object({ type: z.literal("secret"), name: z.string(), items: z.array(KeyToPath).optional(), defaultMode: z.number().int().optional(), optional: z.boolean().optional() }),
  z.object({ type: z.literal("emptyDir"), medium: z.string().optional(), sizeLimit: z.string().optional() }),
  z.object({ type: z.literal("persistentVolumeClaim"), claimName: z.string(), readOnly: z.boolean().optional() }),
]);

export const Volume = z.object({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean(),
  subPath: z.string().optional(),
  source: VolumeSource,
});

export const Toleration = z.object({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/**
 * A task's retry policy, the same on every target (docs/dsl.md, "Retry and timeout"). An attempt
 * that ended is retried when fewer than `limit` retries were made, it matches `on`, and, if it failed
 * with an exit code, the code passes `onExitCodes` and `exceptExitCodes`.
 */
export const Retry = z.object({
  /** Retries after the first attempt: at most `limit + 1` attempts. 0: none (the other fields then do nothing). */
  limit: z.number().int().nonnegative(),
  /**
   * Which ended attempts are retried: `failure` (the task's container failed: non-zero exit, killed
   * at its deadline, out of memory), `error` (Kubernetes or the engine failed around it: pod deleted,
   * node lost), `transient` (either, for a reason the target knows to be temporary), `any`.
   */
  on: z.enum(["failure", "error", "transient", "any"]),
  /** Wait before retry n (n = 1, 2, ...): min(durationSeconds × factor^(n-1), capSeconds). */
  backoff: z
    .object({
      durationSeconds: z.number().nonnegative(),
      /** At least 1; 1 is a constant wait. */
      factor: z.number().min(1),
      capSeconds: z.number().nonnegative().optional(),
      /** No retry starts (nor one whose wait would end) later than this after the first attempt started. */
      maxDurationSeconds: z.number().positive().optional(),
    })
    .optional(),
  /** A failure is retried only with one of these exit codes (1-255); empty: any code. Sorted, unique. */
  onExitCodes: z.array(z.number().int()),
  /** A failure with one of these exit codes is never retried. Sorted, unique, disjoint from `onExitCodes`. */
  exceptExitCodes: z.array(z.number().int()),
  /** Deadline of all attempts together, from the first attempt's start, waits included; whole seconds. */
  totalTimeoutSeconds: z.number().int().positive().optional(),
});

/** Who answers for a pipeline or a task, for people reading its objects and for alert routing. */
export const Ownership = z.object({
  owner: z.string().optional(),
  team: z.string().optional(),
  /** An absolute http(s) URL. */
  runbookUrl: z.string().optional(),
});

/**
 * A condition on the run (DSL `when`): a parameter's value is one of `in`, an output of a task
 * upstream is (its value once that task succeeded, else its default), or a combination. Values are
 * strings, as a run gives them. `runStatus` (finally tasks only): the run's result, every task but
 * the finally ones; `Failed` is every result but success. `items` is never written by the DSL: the
 * lowering adds it to a fan-out task's condition (skips.ts `whenOf`), true when the list it runs
 * over holds at least one item (or is no list at all, which fails the task instead).
 */
export type When =
  | { param: string; in: string[] }
  | { items: ListSource }
  | { output: OutputRef; in: string[] }
  | { runStatus: "Succeeded" | "Failed" }
  | { all: When[] }
  | { any: When[] }
  | { not: When };

/** One output of one task: `handle.output("name")`. */
export interface OutputRef {
  task: string;
  name: string;
}

/** What a fan-out task runs over: a list parameter, or an output of a task upstream; JSON text either way. */
export type ListSource = { param: string } | { output: OutputRef };

const OutputRefSchema = z.object({ task: z.string(), name: z.string() });
export const ListSource: z.ZodType<ListSource> = z.union([z.object({ param: z.string() }), z.object({ output: OutputRefSchema })]);

export const When: z.ZodType<When> = z.lazy(() =>
  z.union([
    z.object({ param: z.string(), in: z.array(z.string()).min(1) }),
    z.object({ items: ListSource }),
    z.object({ output: OutputRefSchema, in: z.array(z.string()).min(1) }),
    z.object({ runStatus: z.enum(["Succeeded", "Failed"]) }),
    z.object({ all: z.array(When).min(1) }),
    z.object({ any: z.array(When).min(1) }),
    z.object({ not: When }),
  ]),
);

export const Task = z.object({
  name: z.string(),
  role: z.enum(["setup", "work", "teardown", "finally"]),
  /** Names of the tasks in `after`, in declaration order. */
  dependencies: z.array(z.string()),
  /** For teardowns: the setups whose resources it removes. Empty for other roles. */
  setups: z.array(z.string()),
  /** For teardowns: whether its failure fails the run. */
  failsRun: z.boolean(),
  /** Its failure neither fails the run nor stops the tasks after it. */
  allowFailure: z.boolean(),
  /** When it may start relative to its `after` dependencies (DESIGN §5 rule 3). */
  trigger: z.enum(["allSucceeded", "allDone"]),
  /** Run only if this holds when the task is about to start; else the task is skipped (DESIGN §5, docs/dsl.md). */
  when: When.optional(),
  /**
   * Run-time fan-out (work tasks): one copy of the task per item of a list (JSON text), the list
   * parameter `param` or the output of a task upstream, each copy with its item where the task's
   * strings hold `{{forEach.item}}`. The task succeeded when every copy did; with no items it is
   * skipped; a value that is no JSON list fails it.
   */
  forEach: ListSource.optional(),
  /**
   * Values the task leaves for the tasks after it, in declaration order: the file it writes each to,
   * and the value when it did not write it or did not run. Read in other tasks' strings through
   * `{{tasks.TASK.outputs.NAME}}` placeholders. Absent when none are declared.
   */
  outputs: z.array(z.object({ name: z.string(), path: z.string(), default: z.string().optional() })).optional(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  /** Inline script source; when set the task runs `command` (default `sh`) over it. */
  script: z.string().optional(),
  env: z.array(EnvVar),
  envFrom: z.array(EnvFrom),
  resources: z.object({ requests: StringMap, limits: StringMap }),
  volumes: z.array(Volume),
  workingDir: z.string().optional(),
  imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
  pod: z.object({
    serviceAccountName: z.string().optional(),
    nodeSelector: StringMap,
    tolerations: z.array(Toleration),
    affinity: z.record(z.string(), z.unknown()).optional(),
    imagePullSecrets: z.array(z.string()),
    labels: StringMap,
    annotations: StringMap,
  }),
  security: z.object({
    runAsUser: z.number().int(),
    runAsGroup: z.number().int(),
    fsGroup: z.number().int().optional(),
    readOnlyRootFilesystem: z.boolean(),
  }),
  /** Absent: no retries. */
  retry: Retry.optional(),
  /** Deadline of one attempt, in whole seconds. */
  timeoutSeconds: z.number().int().positive().optional(),
  /** The task's own, else the pipeline's, field by field. */
  ownership: Ownership,
  source: SourceRef,
});

export const Parameter = z.object({
  name: z.string(),
  /** As a run gives it: text. A list parameter's is JSON, `["orders","users"]`. */
  default: z.string().optional(),
  description: z.string().optional(),
  enum: z.array(z.string()).optional(),
});

export const Schedule = z.object({
  crons: z.array(z.string()).min(1),
  timezone: z.string(),
  concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"]),
  startingDeadlineSeconds: z.number().int().nonnegative().optional(),
  suspend: z.boolean(),
});

export const Pipeline = z.object({
  name: z.string(),
  description: z.string().optional(),
  namespace: z.string().optional(),
  serviceAccountName: z.string().optional(),
  labels: StringMap,
  annotations: StringMap,
  parameters: z.array(Parameter),
  schedule: Schedule.optional(),
  /** Tasks in declaration order. */
  tasks: z.array(Task).min(1),
  ownership: Ownership,
  /** The larger system the pipeline belongs to (label `app.kubernetes.io/part-of`); default its name. */
  partOf: z.string(),
  /** Whether the pipeline wants the default metrics (the pipeline option; the CLI can still turn them off). */
  metrics: z.boolean(),
  source: SourceRef,
});

export type SourceRef = z.infer<typeof SourceRef>;
export type EnvVar = z.infer<typeof EnvVar>;
export type EnvFrom = z.infer<typeof EnvFrom>;
export type Volume = z.infer<typeof Volume>;
export type VolumeSource = z.infer<typeof VolumeSource>;
export type Toleration = z.infer<typeof Toleration>;
export type Retry = z.infer<typeof Retry>;
export type Ownership = z.infer<typeof Ownership>;
export type Task = z.infer<typeof Task>;

export type Parameter = z.infer<typeof Parameter>;
export type Schedule = z.infer<typeof Schedule>;
export type Pipeline = z.infer<typeof Pipeline>;
