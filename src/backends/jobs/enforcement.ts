/**
 * What of a task's declared limits the jobs target cannot enforce, each with the warning that
 * says so when compiling: a backoff curve (the Job controller has its own, GANTRY4013), a total
 * timeout over the attempts of a task whose Job exists while it waits (GANTRY4017), and the
 * per-attempt timeout of a waiting task that runs as the user's ServiceAccount (GANTRY4019). The
 * metadata file lists them per task (`notEnforced`), so it never presents a limit as effective
 * that nothing applies. Kept apart from the backend (no cdk8s), like idle-timeout.ts.
 */
import { outputReads, testedOutputs } from "../../ir/output-reads.js";
import type * as IR from "../../ir/index.js";
import type { Plan, PlannedTask } from "../../phases/4-lower/index.js";

export type Unenforced = "retry.backoff" | "retry.totalTimeout" | "timeout";

/**
 * Whether a task's pod waits for other tasks before its work: one with a start condition, every
 * finally task (with no other task left, once decideWhen skipped them all, it still learns the
 * run's result from its await-deps: a run of skips succeeds), and every task that reads an output
 * or tests one (its await-deps writes the files, even when all its producers were skipped when compiling).
 */
export function waitsForOthers({ task, startsWhen }: PlannedTask): boolean {
  return task.role === "finally" || startsWhen !== undefined || outputReads(task).length > 0 || testedOutputs(task).length > 0;
}

/** The retry fields of `task` the Job controller cannot apply (GANTRY4013, GANTRY4017). */
export function unenforcedRetry(task: IR.Task, waits: boolean): Unenforced[] {
  const retry = task.retry;
  if (!retry) return [];
  return [...(retry.backoff && retry.limit > 0 ? (["retry.backoff"] as const) : []), ...(retry.totalTimeoutSeconds !== undefined && waits ? (["retry.totalTimeout"] as const) : [])];
}

/**
 * Whether a waiting task's timeout goes unenforced (GANTRY4019): the shim sets it with `patch pods`,
 * which Gantry grants only to its own ServiceAccount, never to one the task's code runs as.
 */
export const timeoutUnenforced = (task: IR.Task, waits: boolean, userAccount: string | undefined): boolean => waits && task.timeoutSeconds !== undefined && userAccount !== undefined;

/** Per task name, the fields the jobs target does not enforce (none listed for a task it enforces fully). */
export function notEnforced(plan: Plan): Map<string, Unenforced[]> {
  const out = new Map<string, Unenforced[]>();
  for (const p of plan.tasks) {
    const waits = waitsForOthers(p);
    const fields = [...unenforcedRetry(p.task, waits), ...(timeoutUnenforced(p.task, waits, p.task.pod.serviceAccountName ?? plan.pipeline.serviceAccountName) ? (["timeout"] as const) : [])];
    if (fields.length > 0) out.set(p.task.name, fields);
  }
  return out;
}
