/**
 * The reference evaluator of DESIGN §5: for a pipeline and an outcome per task (what the task would
 * do if it ran), which tasks run and whether the run fails. Both backends are tested against it;
 * it is the executable statement of Gantry's setup/teardown semantics.
 */
import type * as IR from "../../ir/index.js";
import { computeScopes, waitsFor, type Scopes } from "../../ir/scopes.js";
import { declaredDefaults, defaultValues, holds, itemsOf, listValue, needed, whenOf, type OutputValues, type ParameterValues, type RunStatus } from "./skips.js";

/** What a task does if it runs: succeed, fail for good (retries spent), or hit an infrastructure error. */
export type Outcome = "succeeds" | "fails" | "errors";

/** `skipped`: its `when` did not hold, or a task it needed was skipped (skips.ts); not a failure. `not-run`: something it needed did not succeed. */
export type TaskState = "succeeded" | "failed" | "errored" | "not-run" | "skipped";

export interface Evaluation {
  states: Record<string, TaskState>;
  /** Tasks that ran, in an order they could run in. */
  ran: string[];
  result: "succeeded" | "failed";
  /** Why the run failed, one line per reason (rule 5), for test messages. */
  reasons: string[];
}

/**
 * `parameters`: the run's parameter values, for `when`; by default the parameters' defaults.
 * `written`: what each task writes to its outputs when it succeeds, by task and output name, for a
 * `when` that tests one or a fan-out over one; a task that did not succeed leaves each output's
 * default (or no value).
 */
export function evaluate(
  pipeline: IR.Pipeline,
  outcomes: Readonly<Record<string, Outcome>>,
  scopes: Scopes = computeScopes(pipeline),
  parameters: ParameterValues = defaultValues(pipeline),
  written: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Evaluation {
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const states: Record<string, TaskState> = {};
  const ran: string[] = [];
  const succeeded = (n: string) => states[n] === "succeeded";
  const finished = (n: string) => states[n] === "failed" || states[n] === "errored";
  const skipped = (n: string) => states[n] === "skipped";
  /** The result of every task but the finally ones, once the first finally task is reached. */
  let bodyResult: RunStatus | undefined;
  const outputs = outputValues(pipeline, states, written);

  for (const name of topologicalOrder(waitsFor(pipeline, scopes))) {
    const task = byName.get(name)!;
    let state: "runs" | "not-run" | "skipped";
    if (task.role === "teardown") {
      // Rule 4: after its scope has finished (guaranteed by the order), if one of its setups succeeded.
      state = task.setups.some(succeeded) ? "runs" : task.setups.every(skipped) ? "skipped" : "not-run";
    } else if (task.role === "finally") {
      state = "runs"; // Rule 6.
    } else {
      // Rule 3: dependencies as the trigger requires, and every enclosing setup succeeded; a failure
      // wins over a skip.
      const depsOk = task.trigger === "allDone" || task.dependencies.every((d) => succeeded(d) || skipped(d) || (finished(d) && byName.get(d)!.allowFailure));
      const blocked = !depsOk || (scopes.enclosing.get(name) ?? []).some((s) => !succeeded(s) && !skipped(s));
      state = blocked ? "not-run" : needed(task, scopes).some(skipped) ? "skipped" : "runs";
    }
    // A finally task's `when` may test the run's result: that of every other task, all settled by now.
    if (task.role === "finally") bodyResult ??= failures(pipeline.tasks.filter((t) => t.role !== "finally"), states).length > 0 ? "Failed" : "Succeeded";
    // A fan-out task (`forEach`) is one task here: its outcome is that of all its copies (it failed if
    // one failed), and an empty list skips it (`whenOf`). A value that is no JSON list errors it
    // before any copy runs, as Argo does.
    const when = whenOf(task);
    if (state === "runs" && when && !holds(when, parameters, task.role === "finally" ? bodyResult : undefined, outputs)) state = "skipped";
    if (state !== "runs") {
      states[name] = state;
      continue;
    }
    if (task.forEach && itemsOf(listValue(task.forEach, parameters, outputs) ?? "") === undefined) {
      states[name] = "errored";
      continue;
    }
    ran.push(name);
    const outcome = outcomes[name] ?? "succeeds";
    states[name] = outcome === "succeeds" ? "succeeded" : outcome === "fails" ? "failed" : "errored";
  }

  const reasons = failures(pipeline.tasks, states);
  return { states, ran, result: reasons.length > 0 ? "failed" : "succeeded", reasons };
}

/**
 * The outputs as tasks in these states leave them (`states` may still be filling): what a task that
 * succeeded wrote, else the output's default.
 */
export function outputValues(pipeline: IR.Pipeline, states: Readonly<Record<string, TaskState>>, written: Readonly<Record<string, Readonly<Record<string, string>>>>): OutputValues {
  const defaults = declaredDefaults(pipeline.tasks);
  return (ref) => (states[ref.task] === "succeeded" ? written[ref.task]?.[ref.name] : defaults(ref));
}

/** Rule 5: why these tasks, in these states, fail the run, one line per reason; none: they do not. */
function failures(tasks: readonly IR.Task[], states: Readonly<Record<string, TaskState>>): string[] {
  const reasons: string[] = [];
  for (const t of tasks) {
    const state = states[t.name]!;
    if (t.role === "teardown") {
      if (t.failsRun && (state === "failed" || state === "errored")) reasons.push(`teardown ${t.name} (failsRun) ${state}`);
    } else if ((state === "failed" || state === "errored") && !t.allowFailure) {
      reasons.push(`${t.role} ${t.name} ${state}`);
    } else if (state === "not-run") {
      reasons.push(`${t.role} ${t.name} did not run`);
    }
  }
  return reasons;
}

/** Kahn's algorithm, ties broken by declaration order (the map's order) so results are stable. */
export function topologicalOrder(waits: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map([...waits].map(([n, deps]) => [n, new Set(deps.filter((d) => waits.has(d)))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].find(([, deps]) => deps.size === 0);
    if (!ready) throw new Error(`cycle among ${[...remaining.keys()].join(", ")}`);
    const [name] = ready;
    order.push(name);
    remaining.delete(name);
    for (const deps of remaining.values()) deps.delete(name);
  }
  return order;
}
