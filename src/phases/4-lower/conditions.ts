/**
 * When each task starts, and when the run has succeeded, as target-neutral conditions over other
 * tasks' final states (DESIGN §5 rules 3-5). Backends render them (Argo: `depends` expressions);
 * they never decide semantics themselves.
 */
import type * as IR from "../../ir/index.js";
import type { Scopes } from "./scopes.js";

/**
 * A task's final state as a target observes it: `succeeded`; `ran` (succeeded, failed or errored);
 * `settled` (any final state, including never running).
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { task: string; is: "succeeded" | "ran" | "settled" | "succeededOrNotRun" };

const is = (task: string, what: "succeeded" | "ran" | "settled" | "succeededOrNotRun"): Condition => ({ task, is: what });

/** Rule 3 (setup/work), rule 4 (teardown). Finally tasks have no condition: they run after everything. */
export function startCondition(task: IR.Task, byName: ReadonlyMap<string, IR.Task>, scopes: Scopes): Condition | undefined {
  if (task.role === "finally") return undefined;
  if (task.role === "teardown") {
    // With one setup, "it succeeded" already waits for it; with several, every one must settle.
    const setupsToWait = task.setups.length > 1 ? task.setups : [];
    const waited = [...new Set([...setupsToWait, ...task.dependencies, ...(scopes.ofTeardown.get(task.name) ?? [])])];
    return { all: [{ any: task.setups.map((s) => is(s, "succeeded")) }, ...waited.map((n) => is(n, "settled"))] };
  }
  const deps = task.dependencies.map((d) =>
    task.trigger === "allDone" ? is(d, "settled") : byName.get(d)?.allowFailure ? is(d, "ran") : is(d, "succeeded"),
  );
  // Enclosing setups that are not already required to succeed by a dependency.
  const setups = (scopes.enclosing.get(task.name) ?? []).filter((s) => task.trigger === "allDone" || !task.dependencies.includes(s)).map((s) => is(s, "succeeded"));
  const all = [...deps, ...setups];
  return all.length > 0 ? { all } : undefined;
}

/**
 * Rule 5, negated: the run succeeds iff every setup/work task without allowFailure succeeded, every
 * one with allowFailure ran, and no teardown with failsRun failed. Every other task must have
 * settled, so the condition also waits for all of them.
 */
export function successCondition(tasks: readonly IR.Task[]): Condition {
  return {
    all: tasks.map((t) => {
      if (t.role === "teardown") return is(t.name, t.failsRun ? "succeededOrNotRun" : "settled");
      return is(t.name, t.allowFailure ? "ran" : "succeeded");
    }),
  };
}

/** Every task a condition names, in first-mention order. */
export function tasksIn(c: Condition | undefined, out: string[] = []): string[] {
  if (!c) return out;
  if ("task" in c) {
    if (!out.includes(c.task)) out.push(c.task);
  } else for (const x of "all" in c ? c.all : c.any) tasksIn(x, out);
  return out;
}

/** Every one of `tasks` has finished, in any state or by never running. */
export const allSettled = (tasks: readonly string[]): Condition => ({ all: tasks.map((task) => is(task, "settled")) });

/** Both conditions; just `a` when there is no `b`. */
export const both = (a: Condition, b: Condition | undefined): Condition => (b ? { all: [a, b] } : a);
