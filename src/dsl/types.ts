/**
 * The types of the Gantry DSL: everything a pipeline author writes.
 * These doc comments are the first documentation users see (in their editor), so keep them precise.
 */
import type { TaskHandle } from "./handle.js";

/** A Kubernetes quantity: `"500m"`, `"2"`, `"512Mi"`, `"1.5Gi"`, or a plain number of units. */
export type Quantity = string | number;

/** Compute resources of a task's container, as in Kubernetes. */
export interface Resources {
  /** What the scheduler reserves, e.g. `{ cpu: "500m", memory: "512Mi" }`. */
  requests?: Readonly<Record<string, Quantity>>;
  /** Hard caps, e.g. `{ memory: "1Gi" }`. A container over its memory limit is killed. */
  limits?: Readonly<Record<string, Quantity>>;
}

/** The value of an environment variable taken from a Secret key. Build it with `secretEnv(name, key)`. */
export interface SecretKeyRef {
  secretKeyRef: { name: string; key: string; optional?: boolean };
}

/** The value of an environment variable taken from a ConfigMap key. Build it with `configMapEnv(name, key)`. */
export interface ConfigMapKeyRef {
  configMapKeyRef: { name: string; key: string; optional?: boolean };
}

/** The value of an environment variable taken from the pod itself, e.g. `{ fieldRef: { fieldPath: "metadata.name" } }`. */
export interface FieldRef {
  fieldRef: { fieldPath: string };
}

/** An environment variable's value: a literal (numbers and booleans are written as strings) or a reference. */
export type EnvValue = string | number | boolean | SecretKeyRef | ConfigMapKeyRef | FieldRef;

/** Import every key of a Secret or ConfigMap as environment variables. */
export type EnvFromSource =
  | { /** Secret name. */ secret: string; /** Prefix added to every variable name. */ prefix?: string; optional?: boolean }
  | { /** ConfigMap name. */ configMap: string; /** Prefix added to every variable name. */ prefix?: string; optional?: boolean };

/** Where and how a volume is mounted into the task's container. */
export interface VolumeMountOptions {
  /** Volume name, unique within the task (a DNS label such as `"data"`). */
  name: string;
  /** Absolute path inside the container. */
  mountPath: string;
  /** Mount read-only. */
  readOnly?: boolean;
  /** Mount only this path inside the volume. */
  subPath?: string;
}

/** Items of a ConfigMap or Secret projected into files. */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/**
 * A volume mounted into the task's container: exactly one source among `configMap`, `secret`,
 * `emptyDir` and `persistentVolumeClaim`. Only volume types allowed by the Pod Security Standards
 * `restricted` profile are offered.
 */
export type VolumeSpec = VolumeMountOptions &
  (
    | { /** A ConfigMap by name, or with options. */ configMap: string | { name: string; items?: readonly KeyToPath[]; defaultMode?: number; optional?: boolean } }
    | { /** A Secret by name, or with options. */ secret: string | { name: string; items?: readonly KeyToPath[]; defaultMode?: number; optional?: boolean } }
    | { /** Scratch space that lives as long as the pod. `{}` for disk, `{ medium: "Memory" }` for tmpfs. */ emptyDir: { medium?: "" | "Memory"; sizeLimit?: Quantity } }
    | { /** An existing PersistentVolumeClaim by name, or with options. */ persistentVolumeClaim: string | { claimName: string; readOnly?: boolean } }
  );

/** A Kubernetes toleration, letting the task's pod run on tainted nodes. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

/** A Kubernetes affinity (nodeAffinity, podAffinity, podAntiAffinity), passed through as written. */
export interface Affinity {
  nodeAffinity?: Readonly<Record<string, unknown>>;
  podAffinity?: Readonly<Record<string, unknown>>;
  podAntiAffinity?: Readonly<Record<string, unknown>>;
}

/**
 * Security settings of the task's pod and container. Gantry's defaults meet the Pod Security Standards
 * `restricted` profile: non-root (uid and gid 65532), no privilege escalation, all capabilities dropped,
 * the RuntimeDefault seccomp profile. Override the user or group for images that need a specific one.
 */
export interface SecurityOptions {
  /** User id the container runs as. Default 65532. Must not be 0 under the restricted profile. */
  runAsUser?: number;
  /** Group id the container runs as. Default 65532. */
  runAsGroup?: number;
  /** Group that owns mounted volumes. */
  fsGroup?: number;
  /** Mount the container's root filesystem read-only. */
  readOnlyRootFilesystem?: boolean;
}

/**
 * How a task's failed attempts are retried. An attempt that ended is retried when attempts remain
 * (`limit`), it matches `on`, and, if it failed with an exit code, the code passes `onExitCodes` and
 * `exceptExitCodes`. A task's `retry` is merged over `defaults.retry` field by field (`backoff` and
 * each exit code list as a whole), so a task can change one field of the pipeline's policy.
 */
export interface RetrySpec {
  /**
   * Retries after the first attempt: a task with `limit: 2` runs at most 3 times; `0` turns retries
   * off. Required where `retry` is written, unless the pipeline's `defaults.retry` gives one.
   */
  limit?: number;
  /**
   * Which ended attempts are retried: `"failure"` (default) when the task's container failed (a
   * non-zero exit, killed at its `timeout`, out of memory); `"error"` when Kubernetes or the
   * workflow engine failed around it (pod deleted, by a drain or preemption among others, node
   * lost; on Argo a pod the kubelet evicts under node pressure is a failure); `"transient"`
   * when either happened for a reason the target knows to be temporary (Argo: its list of transient
   * errors, extended by the controller's `TRANSIENT_ERROR_PATTERN`); `"any"` for both failures and errors.
   */
  on?: "failure" | "error" | "transient" | "any";
  /**
   * Wait between attempts: `duration` before the first retry, multiplied by `factor` before each
   * further one, at most `cap`. Needs a `limit` (without attempts to space out it means nothing).
   */
  backoff?: {
    /** First wait, e.g. `"10s"`. */
    duration: string;
    /** Multiplier applied to the wait after each retry, at least 1 (default 1: a constant wait). Argo needs an integer. */
    factor?: number;
    /** Longest single wait, e.g. `"5m"`; not shorter than `duration`. */
    cap?: string;
    /**
     * Stop retrying once this long has passed since the first attempt started: no retry starts
     * later, nor one whose wait would end later, e.g. `"1h"`. On Argo an attempt still running then
     * is also stopped (warning GANTRY4031); use `totalTimeout` for a deadline that means that everywhere.
     */
    maxDuration?: string;
  };
  /**
   * Retry a failure only when the task exited with one of these codes (1-255), e.g. `[137, 143]`
   * for out-of-memory kills and SIGTERM. Attempts that ended in an error (no exit code of the task)
   * are governed by `on` alone.
   */
  onExitCodes?: readonly number[];
  /**
   * Never retry a failure with one of these exit codes (1-255), e.g. `[2]` for "bad input, retrying
   * will not help". Must not overlap `onExitCodes`.
   */
  exceptExitCodes?: readonly number[];
  /**
   * Deadline of all attempts together, counted from the start of the first, waits included, e.g.
   * `"2h"`: the attempt running then is stopped, no other starts, and the task fails. The task's
   * `timeout` bounds each attempt; this bounds the whole task.
   */
  totalTimeout?: string;
}

/** Fields shared by container and script tasks. */
export interface TaskCommon {
  /** Container image, e.g. `"python:3.12-slim"`. Pin a tag or digest for reproducible runs. */
  image: string;
  /** Environment variables by name: literal values or references built with `secretEnv` / `configMapEnv`. */
  env?: Readonly<Record<string, EnvValue>>;
  /** Import whole Secrets or ConfigMaps as environment variables. */
  envFrom?: readonly EnvFromSource[];
  /** CPU and memory requests and limits. */
  resources?: Resources;
  /** Volumes to mount. */
  volumes?: readonly VolumeSpec[];
  /** Working directory of the command. */
  workingDir?: string;
  /** When to pull the image. */
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** ServiceAccount the task's pod runs as (overrides the pipeline's). */
  serviceAccountName?: string;
  /** Only schedule on nodes with these labels. */
  nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations for tainted nodes. */
  tolerations?: readonly Toleration[];
  /** Node and pod affinity rules. */
  affinity?: Affinity;
  /**
   * Names of Secrets used to pull the image from a private registry. On Argo these apply to every
   * pod of the run, because Argo sets image pull secrets per workflow, not per template.
   */
  imagePullSecrets?: readonly string[];
  /** Labels on the task's pod. */
  labels?: Readonly<Record<string, string>>;
  /** Annotations on the task's pod. */
  annotations?: Readonly<Record<string, string>>;
  /** Pod and container security settings (see `SecurityOptions` for the defaults). */
  securityContext?: SecurityOptions;
  /** Tasks that must succeed before this one starts. Use the handles returned by `p.task(...)`. */
  after?: readonly TaskHandle[];
  /**
   * Values this task leaves for the tasks after it, by name: each is read from a file the task
   * writes (`{ rows: "/tmp/rows" }`), or given a default for when the task did not write it or did
   * not run (`{ rows: { path: "/tmp/rows", default: "0" } }`). A later task reads one with
   * `handle.output("rows")` in its command, args, env values or script. On the jobs target a task
   * has one output, written in place (not renamed onto), under 4 KiB, and read in a shell script.
   */
  outputs?: Readonly<Record<string, OutputSpec>>;
  /** How failed attempts are retried (merged over `defaults.retry`), see `RetrySpec`. */
  retry?: RetrySpec;
  /** Fail the attempt when it runs longer than this, e.g. `"30m"`. Per attempt; `retry.totalTimeout` bounds all of them. */
  timeout?: string;
  /**
   * The run does not fail when this task fails (its failure stays visible), and tasks after it
   * still run. For checks whose failure should not halt the pipeline.
   */
  allowFailure?: boolean;
  /** Who answers for this task, e.g. `"@data-oncall"` or an email; overrides the pipeline's `owner`. Annotation `gantry.dev/owner`. */
  owner?: string;
  /** The team that owns this task; overrides the pipeline's `team`. Annotation `gantry.dev/team`. */
  team?: string;
  /** An `http(s)://` URL of what to do when this task fails; overrides the pipeline's. Annotation `gantry.dev/runbook-url`. */
  runbookUrl?: string;
  /**
   * When the task may start: `"allSucceeded"` (default) once every task in `after` succeeded (or
   * failed with `allowFailure`); `"allDone"` once every one of them finished, in any state, or will
   * never run. Not for teardowns, whose rule is fixed.
   */
  trigger?: "allSucceeded" | "allDone";
  /**
   * A condition on the run's parameters, tested when the task is about to start: when it does not
   * hold, the task is skipped. A skipped task is not a failure: the tasks after it (with the default
   * trigger) and the tasks in a skipped setup's scope are skipped too, an `"allDone"` task still
   * runs, and a teardown whose setups were all skipped is skipped. On the jobs target, which has no
   * run-time parameters, it is decided at compile time from the parameters' defaults; a test of
   * another task's output is decided by the run on both targets.
   * E.g. `when: { param: p.params.env, equals: "prod" }`, or
   * `when: { output: count.output("rows"), notEquals: "0" }`. A finally task may also test the run's
   * result: `when: { runStatus: "Failed" }` (a notification only when the run did not succeed).
   * Not for teardowns.
   */
  when?: WhenCondition;
  /**
   * Run-time fan-out (work tasks only): one copy of the task per item of a list parameter, all
   * running at once, e.g. `forEach: p.params.tables` with `parameters: { tables: { default:
   * ["orders", "users"] } }`; each copy reads its item as `p.item`. The task succeeds when every
   * copy did, fails when one failed, and is skipped when the list is empty. On Argo the list is the
   * run's (`withParam`); the jobs target writes one Job per item of the default. On Argo only, the
   * list may be another task's output, a JSON list it writes: `forEach: list.output("partitions")`.
   */
  forEach?: string;
}

/** Where a task leaves an output (`TaskCommon.outputs`): the file's absolute path, or the path and a default. */
export type OutputSpec =
  | string
  | {
      /** The absolute path of the file the task writes the value to, e.g. `"/tmp/rows"`. Its text is the value, less one trailing newline. */
      path: string;
      /**
       * The value when the task ended without writing the file, or did not run (it was skipped, or
       * something it needed failed). Needed when a task reading the output may run without this
       * task having succeeded.
       */
      default?: string;
    };

/** A value `when` compares a parameter with; numbers and booleans are compared as the strings they are written as. */
export type WhenValue = string | number | boolean;

/**
 * A condition on the run's parameters (`TaskCommon.when`). `param` is a parameter's placeholder,
 * `p.params.NAME`; its value is compared as a string. `output` is an output of a task upstream,
 * `handle.output("name")`, compared the same way once that task has run (its default when it did
 * not succeed). In a finally task, `runStatus` tests the run's result, as `p.runStatus` gives it.
 */
export type WhenCondition =
  | { /** `p.params.NAME` */ param: string; /** Holds when the parameter's value is this one. */ equals: WhenValue }
  | { /** `p.params.NAME` */ param: string; /** Holds when the parameter's value is not this one. */ notEquals: WhenValue }
  | { /** `p.params.NAME` */ param: string; /** Holds when the parameter's value is one of these. */ in: readonly WhenValue[] }
  | { /** `handle.output("name")` of a task upstream */ output: string; /** Holds when the output's value is this one. */ equals: WhenValue }
  | { /** `handle.output("name")` of a task upstream */ output: string; /** Holds when the output's value is not this one. */ notEquals: WhenValue }
  | { /** `handle.output("name")` of a task upstream */ output: string; /** Holds when the output's value is one of these. */ in: readonly WhenValue[] }
  | { /** Holds when every one of these holds. */ all: readonly WhenCondition[] }
  | { /** Holds when at least one of these holds. */ any: readonly WhenCondition[] }
  | { /** Holds when this one does not. */ not: WhenCondition }
  | {
      /**
       * Finally tasks only: holds when the run (every task but the finally ones) ended so.
       * `"Failed"` is every result but success: Argo's `Failed` and `Error` alike.
       */
      runStatus: "Succeeded" | "Failed";
    };

/** A task that runs a container's command. */
export interface ContainerTaskSpec extends TaskCommon {
  /** Entrypoint, replacing the image's ENTRYPOINT. */
  command?: readonly string[];
  /** Arguments, replacing the image's CMD. May contain `p.params.x` placeholders. */
  args?: readonly string[];
  source?: never;
}

/** A task that runs an inline script with an interpreter from its image. */
export interface ScriptTaskSpec extends TaskCommon {
  /** The script's text. */
  source: string;
  /** Interpreter that runs the script, e.g. `["python"]`. Default `["sh"]`. */
  command?: readonly string[];
  args?: never;
}

/** What a task runs: a container command, or an inline script (when `source` is set). */
export type TaskSpec = ContainerTaskSpec | ScriptTaskSpec;

/** Teardown-only fields. */
export interface TeardownOptions {
  /** The setups whose resources this teardown removes (at least one). */
  setups: readonly TaskHandle[];
  /** Fail the run when this teardown fails. Default false: the failure is reported, the run's result stands. */
  failsRun?: boolean;
}

/** A teardown: a task spec with the setups it tears down. Its trigger is fixed by the scope rules. */
export type TeardownSpec = (Omit<ContainerTaskSpec, "trigger" | "when" | "forEach"> | Omit<ScriptTaskSpec, "trigger" | "when" | "forEach">) & TeardownOptions & { trigger?: never; when?: never; forEach?: never };

/** A finally task: it runs after everything else, so it takes no `after` and no trigger. */
export type FinallySpec = (Omit<ContainerTaskSpec, "after" | "trigger" | "outputs" | "forEach"> | Omit<ScriptTaskSpec, "after" | "trigger" | "outputs" | "forEach">) & { after?: never; trigger?: never; outputs?: never; forEach?: never };

/**
 * What every kind of task takes (`p.task`, `p.setup`, `p.teardown`, `p.finally`): a task spec
 * without `after`, `trigger` and `when`. The type for a helper whose spec any of them spreads,
 * `const sql = (query: string): StepSpec => ({ image: "postgres:16", command: ["psql", "-c", query] })`;
 * a helper typed `TaskSpec` cannot be spread into a teardown or finally task, which take no `trigger`.
 */
export type StepSpec = Omit<ContainerTaskSpec, "after" | "trigger" | "when" | "outputs" | "forEach"> | Omit<ScriptTaskSpec, "after" | "trigger" | "when" | "outputs" | "forEach">;

/** Fields of `TaskSpec` that can be given pipeline-wide defaults. Maps (env, labels, annotations, nodeSelector, resources) are merged, task values winning. */
export type TaskDefaults = Partial<Omit<TaskCommon, "after" | "image" | "allowFailure" | "trigger" | "when" | "owner" | "team" | "runbookUrl" | "outputs" | "forEach">>;

/** A pipeline parameter: a value chosen when a run is submitted, with a default. */
export interface ParameterSpec {
  /**
   * Value used when the run does not set one. A list (`["orders", "users"]`) makes a list parameter,
   * passed as JSON text, for a task's `forEach`.
   */
  default?: string | number | boolean | readonly (string | number | boolean)[];
  /** Shown in the Argo UI and in `argo submit --help`-style listings. */
  description?: string;
  /** Allowed values. */
  enum?: readonly string[];
}

/** When a scheduled pipeline runs. */
export interface ScheduleSpec {
  /** Five-field cron expression(s) or descriptor(s) such as `"@daily"` or `"@every 6h"`. */
  cron: string | readonly string[];
  /** IANA time zone the expression is read in, e.g. `"Europe/Berlin"`. Default: UTC. */
  timezone?: string;
  /** What happens when a run is still going at the next tick. Default `"Forbid"`. */
  concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
  /** Seconds after a missed tick within which the run still starts. */
  startingDeadlineSeconds?: number;
  /** Stop scheduling without deleting the pipeline. */
  suspend?: boolean;
}

/** Pipeline-wide options. */
export interface PipelineOptions<P extends Readonly<Record<string, ParameterSpec>> = Readonly<Record<string, ParameterSpec>>> {
  /** Namespace the pipeline's objects are created in. Omit to use the namespace of `kubectl`'s context. */
  namespace?: string;
  /** What the pipeline does, written into an annotation. */
  description?: string;
  /** ServiceAccount every task's pod runs as (tasks may override). */
  serviceAccountName?: string;
  /** Parameters of a run, read in task specs as `p.params.NAME`. */
  parameters?: P;
  /** Defaults merged into every task. */
  defaults?: TaskDefaults;
  /** Labels on the pipeline's objects. */
  labels?: Readonly<Record<string, string>>;
  /** Annotations on the pipeline's objects. */
  annotations?: Readonly<Record<string, string>>;
  /** Run on a schedule (emits an Argo CronWorkflow). */
  schedule?: ScheduleSpec;
  /** Who answers for the pipeline, e.g. `"@data-oncall"` or an email. Annotation `gantry.dev/owner` on its objects and pods (tasks may override). */
  owner?: string;
  /** The team that owns the pipeline. Annotation `gantry.dev/team` (tasks may override). */
  team?: string;
  /** An `http(s)://` URL of the pipeline's runbook. Annotation `gantry.dev/runbook-url` (tasks may override). */
  runbookUrl?: string;
  /**
   * The larger system the pipeline belongs to, e.g. `"billing"`: label `app.kubernetes.io/part-of`
   * (a label value: at most 63 letters, digits, '-', '_', '.'). Default: the pipeline's name.
   */
  partOf?: string;
  /**
   * Emit the default Prometheus metrics (on Argo: per task duration and results, teardown results,
   * the run's duration and result; docs/monitoring.md). Default true. `gantry compile --no-metrics`
   * (or `"metrics": false` in the configuration) turns them off for every pipeline.
   */
  metrics?: boolean;
}
