/**
 * A task's retry policy as Job fields (src/phases/4-lower/retry.ts says what it means): the limit
 * is `backoffLimit`; which failures are retried is `podFailurePolicy` rules on the task's container,
 * `main`. Evictions and preemptions (`DisruptionTarget`) are retried without spending the limit on
 * every policy: they are never the task's fault (docs/targets.md). What a Job cannot express is a
 * target-capability diagnostic, never silently dropped.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { oncePerFinding } from "../../diagnostics/once-per-finding.js";
import { SHIM_EXIT } from "./runtime.js";
import { unenforcedRetry } from "./enforcement.js";

export type PolicyRule =
  | { action: "FailJob" | "Ignore" | "Count"; onExitCodes: { containerName: string; operator: "In" | "NotIn"; values: number[] } }
  | { action: "FailJob" | "Ignore" | "Count"; onPodConditions: { type: string; status: "True" }[] };

export const failJobOn = (containerName: string, values: readonly number[], operator: "In" | "NotIn" = "In"): PolicyRule => ({
  action: "FailJob",
  onExitCodes: { containerName, operator, values: [...values] },
});

/** Evictions and preemptions are not the task's fault: retried without spending its retries. */
export const IGNORE_DISRUPTION: PolicyRule = { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] };

/** Exit codes of a failed container are 1-255 (IR: sorted, unique, in range). */
const MAX_EXIT_CODE = 255;

/** The shim's exit codes that mean "this task does not run". */
export const CASCADE_CODES = [SHIM_EXIT.upstreamFailed, SHIM_EXIT.upstreamMissing, SHIM_EXIT.waitTimeout, SHIM_EXIT.apiUnusable, SHIM_EXIT.skipped];

/**
 * A task Job's podFailurePolicy rules, in order (the first match wins): the shim decided the task
 * does not run, so fail the Job now without spending retries; then evictions, before the task's own
 * retry rules, because an evicted pod's container exits 137 or 143, which an exit-code rule would
 * otherwise catch; then the retry policy.
 */
export function taskPolicyRules(waits: boolean, retry: IR.Retry | undefined): PolicyRule[] {
  return [...(waits ? [failJobOn("await-deps", CASCADE_CODES)] : []), IGNORE_DISRUPTION, ...mainContainerRules(retry)];
}

/** Rules for the task's own container, in order after the shim's; none when every failure may be retried. */
export function mainContainerRules(retry: IR.Retry | undefined): PolicyRule[] {
  if (!retry || retry.limit === 0) return [];
  // Failures of the container are not retried at all: any non-zero exit fails the Job.
  if (retry.on === "error" || retry.on === "transient") return [failJobOn("main", [0], "NotIn")];
  return [
    ...(retry.exceptExitCodes.length > 0 ? [failJobOn("main", retry.exceptExitCodes)] : []),
    // Only these codes are retried: every other non-zero code fails the Job (0 never matches a failure).
    // All of 1-255 is no filter, and 256 values would pass the API's limit of 255.
    ...(retry.onExitCodes.length > 0 && retry.onExitCodes.length < MAX_EXIT_CODE ? [failJobOn("main", [0, ...retry.onExitCodes], "NotIn")] : []),
  ];
}

/** What the Job controller cannot do for the tasks' policies (see oncePerFinding); `waits`: whether a task's pod waits for upstream tasks. */
export function retryCapabilities(tasks: readonly IR.Task[], waits: (task: IR.Task) => boolean): Diagnostic[] {
  return oncePerFinding(tasks, (task, subject) => taskRetryCapabilities(task, subject, waits(task)));
}

function taskRetryCapabilities(task: IR.Task, subject: string, waits: boolean): Diagnostic[] {
  const retry = task.retry;
  if (!retry) return [];
  const span = { file: task.source.file, line: task.source.line, column: task.source.column };
  const out: Diagnostic[] = [];
  const unenforced = unenforcedRetry(task, waits);
  if (unenforced.includes("retry.backoff")) {
    out.push({
      code: "GANTRY4013",
      severity: "warning",
      message: `the jobs target cannot honour the retry backoff of ${subject}: the Job controller waits 10 s, 20 s, 40 s ... up to 6 min between attempts`,
      span,
      field: { task: task.name, path: ["retry", "backoff"] },
      hint: "Drop `backoff` for this target, or compile for --target argo where it is honoured.",
    });
  }
  if (unenforced.includes("retry.totalTimeout")) {
    out.push({
      code: "GANTRY4017",
      severity: "warning",
      message: `the jobs target cannot enforce the total timeout of ${subject}: a task's Job exists (and a Job deadline would run) while it waits for its upstream tasks`,
      span,
      field: { task: task.name, path: ["retry", "totalTimeout"] },
      hint: "Each attempt's `timeout` is enforced; the total timeout is enforced only for tasks that wait for nothing.",
    });
  }
  return out;
}
