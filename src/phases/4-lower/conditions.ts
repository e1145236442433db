/**
 * When each task starts, and when the run has succeeded, as target-neutral conditions over other
 * tasks' final states (DESIGN §5 rules 3-5). Backends render them (Argo: `depends` expressions);
 * they never decide semantics themselves.
 */
import type * as IR from "../../ir/index.js";
import type { Scopes } from "../../ir/scopes.js";
import { whenOf } from "./skips.js";

/**
 * A task's final state as a target observes it: `succeeded`; `ran` (succeeded, failed or errored);
 * `settled` (any final state, including never running); `skipped` (its `when`, or a skip it
 * inherited, kept it from running: not a failure). `succeededOrSkipped` and `ranOrSkipped` stand
 * for `succeeded` and `ran` where a task may be skipped, and only there, so a pipeline without
 * `when` is rendered as before.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { task: string; is: Leaf };

export type Leaf = "succeeded" | "ran" | "settled" | "succeededOrNotRun" | "succeededOrSkipped" | "ranOrSkipped" | "skipped";

const is = (task: string, what: Leaf): Condition => ({ task, is: what });

/**
 * A run-time test a started task makes before it runs; false: the task is skipped. Parameters,
 * outputs of other tasks, the run's result (finally tasks) and other tasks' final states.
 */
export type Guard =
  | { all: Guard[] }
  | { any: Guard[] }
  | { not: Guard }
  | { param: string; in: string[] }
  | { items: IR.ListSource }
  | { output: IR.OutputRef; in: string[] }
  | { runStatus: "Succeeded" | "Failed" }
  | { task: string; was: "skipped" | "succeeded" };

const NONE: ReadonlySet<string> = new Set();

/**
 * Rule 3 (setup/work), rule 4 (teardown). Finally tasks have no condition: they run after everything.
 * `mayBeSkipped`: tasks that may be skipped at run time (skips.ts); a skipped one lets the task
 * start, and its guard then skips it.
 */
export function startCondition(task: IR.Task, byName: ReadonlyMap<string, IR.Task>, scopes: Scopes, mayBeSkipped: ReadonlySet<string> = NONE): Condition | undefined {
  if (task.role === "finally") return undefined;
  const orSkipped = (n: string, what: "succeeded" | "ran") => is(n, mayBeSkipped.has(n) ? (what === "ran" ? "ranOrSkipped" : "succeededOrSkipped") : what);
  if (task.role === "teardown") {
    // With one setup, "it succeeded" already waits for it; with several, every one must settle.
    const setupsToWait = task.setups.length > 1 ? task.setups : [];
    const waited = [...new Set([...setupsToWait, ...task.dependencies, ...(scopes.ofTeardown.get(task.name) ?? [])])];
    const anySucceeded: Condition[] = task.setups.map((s) => is(s, "succeeded"));
    // Setups that were all skipped let it start too, to be skipped (rather than not run) by its guard.
    const allSkipped: Condition[] = task.setups.every((s) => mayBeSkipped.has(s)) ? [{ all: task.setups.map((s) => is(s, "skipped")) }] : [];
    return { all: [{ any: [...anySucceeded, ...allSkipped] }, ...waited.map((n) => is(n, "settled"))] };
  }
  const deps = task.dependencies.map((d) =>
    task.trigger === "allDone" ? is(d, "settled") : orSkipped(d, byName.get(d)?.allowFailure ? "ran" : "succeeded"),
  );
  // Enclosing setups that are not already required to succeed by a dependency.
  const setups = (scopes.enclosing.get(task.name) ?? []).filter((s) => task.trigger === "allDone" || !task.dependencies.includes(s)).map((s) => orSkipped(s, "succeeded"));
  const all = [...deps, ...setups];
  return all.length > 0 ? { all } : undefined;
}

/**
 * The test a task makes once it may start (see `Guard`): its own `when`, and that none of the
 * tasks it needed (skips.ts `needed`) was skipped; for a teardown whose setups may all be skipped,
 * that one of them succeeded. Undefined: the task is never skipped.
 */
export function guardOf(task: IR.Task, needs: readonly string[], mayBeSkipped: ReadonlySet<string>): Guard | undefined {
  if (task.role === "teardown") {
    return task.setups.every((s) => mayBeSkipped.has(s)) ? anyOf(task.setups.map((s) => ({ task: s, was: "succeeded" }))) : undefined;
  }
  const when = whenOf(task);
  const parts: Guard[] = [...needs.filter((n) => mayBeSkipped.has(n)).map((n): Guard => ({ not: { task: n, was: "skipped" } })), ...(when ? [when] : [])];
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { all: parts };
}

const anyOf = (parts: Guard[]): Guard => (parts.length === 1 ? parts[0]! : { any: parts });

/**
 * Rule 5, negated: the run succeeds iff every setup/work task without allowFailure succeeded (or
 * was skipped), every one with allowFailure ran (or was skipped), and no teardown with failsRun
 * failed. Every other task must have settled, so the condition also waits for all of them.
 */
export function successCondition(tasks: readonly IR.Task[], mayBeSkipped: ReadonlySet<string> = NONE): Condition {
  return {
    all: tasks.map((t) => {
      if (t.role === "teardown") return is(t.name, t.failsRun ? "succeededOrNotRun" : "settled");
      const skippable = mayBeSkipped.has(t.name);
      return is(t.name, t.allowFailure ? (skippable ? "ranOrSkipped" : "ran") : skippable ? "succeededOrSkipped" : "succeeded");
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
