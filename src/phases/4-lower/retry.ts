/**
 * What a retry policy means, attempt by attempt, for every target: the reference each backend's
 * mapping is tested against (test/retry.test.ts runs it beside the Argo simulator). Time limits
 * (backoff, maxDuration, totalTimeout) decide when, not whether, and are not modelled here.
 */
import type * as IR from "../../ir/index.js";

/**
 * How an attempt ended: the task's container succeeded, failed with an exit code, or the attempt
 * errored (Kubernetes or the engine failed around it). `transient`: the target recognised the
 * cause as temporary.
 */
export type AttemptEnd =
  | { result: "succeeded" }
  | { result: "failed"; exitCode: number; transient?: boolean }
  | { result: "errored"; transient?: boolean };

/** Whether an attempt that ended so is retried, after `retriesMade` retries of the task. */
export function isRetried(retry: IR.Retry | undefined, end: AttemptEnd, retriesMade: number): boolean {
  if (!retry || end.result === "succeeded" || retriesMade >= retry.limit) return false;
  const matchesOn =
    retry.on === "any" ||
    (retry.on === "failure" && end.result === "failed") ||
    (retry.on === "error" && end.result === "errored") ||
    (retry.on === "transient" && end.transient === true);
  if (!matchesOn || end.result === "errored") return matchesOn;
  if (retry.onExitCodes.length > 0 && !retry.onExitCodes.includes(end.exitCode)) return false;
  return !retry.exceptExitCodes.includes(end.exitCode);
}

/** The policy that takes effect, for metadata: with no retries left, only the deadline remains. */
export function effectiveRetry(retry: IR.Retry | undefined): IR.Retry | { limit: 0; totalTimeoutSeconds?: number } {
  if (!retry || retry.limit === 0) return retry?.totalTimeoutSeconds !== undefined ? { limit: 0, totalTimeoutSeconds: retry.totalTimeoutSeconds } : { limit: 0 };
  return retry;
}
