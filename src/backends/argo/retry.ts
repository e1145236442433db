/**
 * A task's retry policy as Argo's `retryStrategy`, on its leaf template only (a spec-level strategy
 * would also re-run whole DAGs: shared/reference/argo.md §3.1), and what Argo cannot honour.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { oncePerFinding } from "../../diagnostics/once-per-finding.js";

const RETRY_POLICY = { failure: "OnFailure", error: "OnError", transient: "OnTransientError", any: "Always" } as const;

/** The template's `retryStrategy`, or undefined when the task is not retried. */
export function retryStrategy(retry: IR.Retry | undefined) {
  if (!retry || retry.limit === 0) return undefined;
  const b = retry.backoff;
  const maxDuration = argoMaxDuration(retry);
  return {
    limit: String(retry.limit),
    retryPolicy: RETRY_POLICY[retry.on],
    expression: retryExpression(retry),
    // Argo reads maxDuration only inside backoff, and backoff needs a duration: "0s" adds no wait.
    backoff:
      b || maxDuration !== undefined
        ? {
            duration: goDuration(b?.durationSeconds ?? 0),
            factor: b && b.factor !== 1 ? String(b.factor) : undefined,
            cap: b?.capSeconds !== undefined ? goDuration(b.capSeconds) : undefined,
            maxDuration: maxDuration !== undefined ? goDuration(maxDuration) : undefined,
          }
        : undefined,
  };
}

/**
 * The template `timeout` for `retry.totalTimeout`: Argo measures it per attempt node, from its
 * creation, so it bounds the first attempt (and, for a task that is not retried, its Pending time);
 * `backoff.maxDuration` bounds the later ones. Left out when a shorter per-attempt timeout is set:
 * with a template timeout, Argo's createWorkflowPod replaces the pod's `activeDeadlineSeconds` by
 * the time left to that deadline (its test compares `time.Since` of a future time, always
 * negative), which would lift the per-attempt timeout to the total; the per-attempt deadline
 * already ends the first attempt before the total would.
 */
export function totalTimeout(retry: IR.Retry | undefined, timeoutSeconds: number | undefined): string | undefined {
  const total = retry?.totalTimeoutSeconds;
  if (total === undefined || (timeoutSeconds !== undefined && timeoutSeconds < total)) return undefined;
  return goDuration(total);
}

/**
 * Argo's `backoff.maxDuration` (from the first attempt's start: no retry after it, and the later
 * attempts' deadline) serves both `totalTimeout` and Gantry's `maxDuration`: the earlier of the two.
 */
function argoMaxDuration(retry: IR.Retry): number | undefined {
  const limits = [retry.backoff?.maxDurationSeconds, retry.totalTimeoutSeconds].filter((s): s is number => s !== undefined);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * Exit code filters as an expr-lang `expression`, AND-ed by Argo with the policy. `lastRetry.exitCode`
 * is a string. Errors carry no exit code of the task, so with a policy that retries errors they pass.
 */
export function retryExpression(retry: IR.Retry): string | undefined {
  const inList = (codes: readonly number[]) => `lastRetry.exitCode in [${codes.map((c) => `'${c}'`).join(", ")}]`;
  // The lists are disjoint (GANTRY2032), so with onExitCodes the exceptions are already excluded.
  const filter =
    retry.onExitCodes.length > 0 ? inList(retry.onExitCodes) : retry.exceptExitCodes.length > 0 ? `!(${inList(retry.exceptExitCodes)})` : undefined;
  if (filter === undefined) return undefined;
  return retry.on === "failure" ? filter : `lastRetry.status == 'Error' || ${filter}`;
}

/** GANTRY4030/4031: retry settings Argo cannot honour as the pipeline states them (see oncePerFinding). */
export const retryDiagnostics = (tasks: readonly IR.Task[]): Diagnostic[] => oncePerFinding(tasks, taskRetryDiagnostics);

function taskRetryDiagnostics(task: IR.Task, subject: string): Diagnostic[] {
  const retry = task.retry;
  if (!retry || retry.limit === 0) return [];
  const span = { file: task.source.file, line: task.source.line, column: task.source.column };
  const out: Diagnostic[] = [];
  const factor = retry.backoff?.factor;
  if (factor !== undefined && !Number.isInteger(factor)) {
    out.push({
      code: "GANTRY4030",
      severity: "error",
      message: `${subject}: Argo needs a whole-number retry.backoff.factor, not ${factor}`,
      span,
      field: { task: task.name, path: ["retry", "backoff", "factor"] },
      hint: `Use ${Math.floor(factor)} or ${Math.ceil(factor)}; Argo fails the workflow when it first retries with a fractional factor.`,
    });
  }
  const max = retry.backoff?.maxDurationSeconds;
  if (max !== undefined && (retry.totalTimeoutSeconds === undefined || max < retry.totalTimeoutSeconds)) {
    out.push({
      code: "GANTRY4031",
      severity: "warning",
      message: `${subject}: on Argo, an attempt still running when retry.backoff.maxDuration (${goDuration(max)}) has passed is stopped, not only further retries`,
      span,
      field: { task: task.name, path: ["retry", "backoff", "maxDuration"] },
      hint: "Argo uses maxDuration as the later attempts' deadline too. Write it as retry.totalTimeout if a deadline for all attempts is what you want.",
    });
  }
  return out;
}

/** Seconds as a Go duration string, the way Argo's duration fields read best: 90 -> "1m30s", 0.25 -> "250ms". */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds)) {
    const text = String(seconds);
    if (!text.includes("e")) return `${text}s`; // "0.5s"
    // JavaScript writes tiny numbers with an exponent ("1e-7s"), which Go cannot parse: whole units.
    const nanos = Math.round(seconds * 1e9);
    return nanos % 1e6 === 0 ? `${nanos / 1e6}ms` : nanos % 1e3 === 0 ? `${nanos / 1e3}us` : `${nanos}ns`;
  }
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}
