/**
 * Types of the runtime shim's exports (gantry-shim.mjs is plain JavaScript, shipped as-is in a
 * ConfigMap). The protocol is described in README.md next to this file.
 */

export declare const EXIT: Readonly<{
  OK: 0;
  RUN_FAILED: 1;
  USAGE: 2;
  INTERNAL: 70;
  UPSTREAM_FAILED: 90;
  UPSTREAM_MISSING: 91;
  WAIT_TIMEOUT: 92;
  API_UNUSABLE: 93;
  SKIPPED: 94;
}>;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type Predicate = "succeeded" | "ran" | "settled" | "succeededOrNotRun" | "succeededOrSkipped" | "ranOrSkipped" | "skipped";
export declare const PREDICATES: readonly Predicate[];

/** The compiler's target-neutral start condition (src/phases/4-lower/conditions.ts), as JSON. */
export type Condition = { all: Condition[] } | { any: Condition[] } | { task: string; is: Predicate };

export type TaskState = "pending" | "succeeded" | "failed" | "not-run" | "missing" | "skipped";

/** The parts of a batch/v1 Job the shim reads. */
export interface JobLike {
  metadata?: { name?: string; [key: string]: unknown };
  status?: {
    conditions?: ReadonlyArray<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }>;
    startTime?: string;
    completionTime?: string;
    active?: number;
    /** Pods with the Ready condition (Kubernetes 1.24+, on by default). */
    ready?: number;
    succeeded?: number;
    failed?: number;
    [key: string]: unknown;
  };
}

/** The parts of a Pod the `status` command reads. */
export interface PodLike {
  metadata?: { name?: string; creationTimestamp?: string; labels?: Record<string, string>; [key: string]: unknown };
  status?: {
    phase?: string;
    reason?: string;
    initContainerStatuses?: ReadonlyArray<{ name: string; state?: ContainerStateLike }>;
    containerStatuses?: ReadonlyArray<{ name: string; state?: ContainerStateLike }>;
    [key: string]: unknown;
  };
}
export interface ContainerStateLike {
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string };
  waiting?: { reason?: string };
}

/**
 * `Complete` → succeeded; `Failed` → skipped when the task's own await-deps failed the Job through
 * the pod failure policy with exit code 94, not-run with another code, else failed; anything else → pending. Only terminal conditions with
 * status "True" count: FailureTarget and SuccessCriteriaMet are ignored, so nothing downstream
 * (a teardown especially) starts while the Job's pods are still terminating.
 */
export declare function classifyJob(job: JobLike | null | undefined): Exclude<TaskState, "missing">;

/** Kleene three-valued logic: undefined while some task it depends on is pending. */
export declare function evaluate(condition: Condition, states: Readonly<Record<string, TaskState>>): boolean | undefined;

/** Every task named in a condition, once, in order of appearance. */
export declare function tasksIn(condition: Condition): string[];

/** A condition as one readable line, e.g. `extract succeeded and (a ran or b settled)`. */
export declare function describeCondition(condition: Condition): string;

/**
 * A task whose Job is absent is "missing" once it has been absent for missingGraceSeconds, else
 * "pending": `absentSeconds` for every Job, or per Job name (`absenceClock().absent`).
 */
export declare function taskStates(
  jobsByTask: Readonly<Record<string, string>>,
  jobsByName: ReadonlyMap<string, JobLike>,
  absentSeconds: number | ((jobName: string) => number),
  missingGraceSeconds: number,
): Record<string, TaskState>;

/**
 * How long each Job has been absent: since the clock started for one never seen, since it was
 * first seen gone for one that was there (a deleted Job's pod may still run).
 */
export declare function absenceClock(now?: () => number): {
  /** Call after every change of the view of the run's Jobs. */
  observe(jobsByName: ReadonlyMap<string, JobLike>): void;
  absent(jobName: string): number;
  /** Milliseconds until an absent Job among `jobNames` reaches `graceSeconds`; undefined if none will. */
  nextChange(jobNames: Iterable<string>, jobsByName: ReadonlyMap<string, JobLike>, graceSeconds: number): number | undefined;
};

export interface Decision {
  action: "proceed" | "skip" | "wait";
  /** 0 for proceed; 91 for skip when a task named in `when` is missing, else 90; absent for wait. */
  exitCode?: number;
}
export declare function decide(when: Condition, states: Readonly<Record<string, TaskState>>): Decision;

/** The leaves that make a false condition false (empty unless the condition is false). */
export declare function falseLeaves(
  condition: Condition,
  states: Readonly<Record<string, TaskState>>,
): Array<{ task: string; is: Predicate; state: TaskState | undefined }>;

/**
 * Each Job's conditions (those with status True) and pod counts (active, ready, succeeded, failed), as one string that
 * changes whenever the run moves: the idle clock of every wait starts again then.
 */
export declare function progressKey(jobsByName: ReadonlyMap<string, JobLike>): string;

/** Whether a Job that `counts` (by name) has a Ready pod (`status.ready` > 0): work in progress. */
export declare function hasReadyPod(jobsByName: ReadonlyMap<string, JobLike>, counts: (jobName: string) => boolean): boolean;

/**
 * The states a run's result is judged on: a teardown or finally task that is not-run or missing
 * while its `mustRunWhen` holds (it should have run) counts as failed.
 */
export declare function cleanupOutcomes(
  tasks: ReadonlyArray<{ name: string; mustRunWhen?: Condition }>,
  states: Readonly<Record<string, TaskState>>,
): Record<string, TaskState>;

/** First 8 hex characters of sha256(driver Job name). */
export declare function runIdFor(jobName: string): string;
export declare const RUN_ID_TOKEN: "@RUN_ID@";

/** A finally task's view of the run: the result (`runSucceeded` over `runStatus.when`, with its cleanups' outcomes). */
export declare function runResult(
  runStatus: { when: Condition; cleanups?: ReadonlyArray<{ name: string; mustRunWhen?: Condition }> },
  states: Readonly<Record<string, TaskState>>,
): "Succeeded" | "Failed";

/**
 * A task's `runsIf` (await config): what is left of its `when` once it may start, and the skips it
 * inherits. Outputs are named by their task (one per task on the jobs target).
 */
export type Guard =
  | { all: Guard[] }
  | { any: Guard[] }
  | { not: Guard }
  | { task: string; was: "skipped" | "succeeded" }
  | { runStatus: "Succeeded" | "Failed" }
  | { output: string; in: string[] };

/** Three-valued: undefined while an output it needs is not in `facts.outputs`, or a task it names is pending. */
export declare function evaluateGuard(
  guard: Guard,
  facts: { states: Readonly<Record<string, TaskState>>; runStatus?: "Succeeded" | "Failed"; outputs?: Readonly<Record<string, string>> },
): boolean | undefined;
/** Every task whose output a guard tests, once, in order of appearance. */
export declare function guardOutputs(guard: Guard, into?: string[]): string[];
/** A guard as one readable line, for the logs. */
export declare function describeGuard(guard: Guard, nested?: boolean): string;

/** An entry of the await config's `outputs`: `file` when the task's script reads it. */
export type OutputSource = { task: string; file?: string; default?: string; value?: undefined } | { task: string; file?: string; value: string };
/**
 * The value a task gets for an output, from the producer's state and, when it succeeded, what the
 * kubelet kept of its output file (`message`; undefined: no succeeded pod is left).
 */
export declare function pickOutput(
  output: OutputSource,
  state: TaskState,
  message: string | undefined,
  jobName?: string,
): { value: string; source: string; exitCode?: undefined } | { exitCode: number; why: string; value?: undefined };

/** The driver's objects file: `@RUN_ID@` replaced in the text, each object owned by the driver Job. Throws on invalid input. */
export declare function prepareDriverObjects(
  text: string,
  runId: string,
  owner: { name: string; uid: string },
): Array<Record<string, unknown> & { metadata: { name: string; ownerReferences: OwnerReference[]; [key: string]: unknown } }>;
export interface OwnerReference {
  apiVersion: "batch/v1";
  kind: "Job";
  name: string;
  uid: string;
  blockOwnerDeletion: false;
}

export type TaskRole = "setup" | "work" | "teardown" | "finally";

/** One line of the `status` command's stdout. Fields are null when unknown, never absent. */
export interface AttemptRecord {
  pipeline: string;
  runId: string;
  task: string;
  role: TaskRole | null;
  /** 1..n per pod (oldest first); 0 for a task without pods; null when the pods could not be listed. */
  attempt: number | null;
  pod: string | null;
  phase: string | null;
  start: string | null;
  end: string | null;
  durationSeconds: number | null;
  exitCode: number | null;
  /** The main container's reason; upstream-failed, upstream-missing, wait-timeout, api-unusable or await-deps-failed when await-deps stopped the attempt; else the pod's reason; for a task without pods its state. */
  reason: string | null;
}

export declare function statusRecords(
  run: { pipeline: string; runId: string; tasks: ReadonlyArray<{ name: string; job: string; role?: TaskRole }> },
  states: Readonly<Record<string, TaskState>>,
  pods: readonly PodLike[] | undefined,
  jobsByName?: ReadonlyMap<string, JobLike>,
): AttemptRecord[];

/** The `status` command's summary (last stdout line, and the termination message). */
export interface RunSummary {
  pipeline: string;
  runId: string;
  result: "Succeeded" | "Failed";
  tasks: Record<string, TaskState>;
  failed: string[];
  /** Attempt records with a pod; null when the pods could not be listed. */
  attempts: number | null;
}
/** The termination-message form of a summary: `truncated`, `failedCount` and no `tasks` when it had to be cut. */
export interface TruncatedRunSummary extends Omit<RunSummary, "tasks"> {
  truncated: true;
  failedCount: number;
}

/** JSON of at most `limit` bytes (default 4096): drops `tasks`, then failed names beyond what fits. */
export declare function fitSummary(summary: RunSummary, limit?: number): string;

/** GANTRY_API_URL, else https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (IPv6 in brackets). */
export declare function apiBaseUrl(env: Readonly<Record<string, string | undefined>>): string;

/** Runs one command (`await`, `status`, `drive`) as the CLI does and resolves with its exit code. */
export declare function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number>;
