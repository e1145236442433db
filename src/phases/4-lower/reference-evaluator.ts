/**
 * The reference evaluator of DESIGN §5: for a pipeline and an outcome per task (what the task would
 * do if it ran), which tasks run and whether the run fails. Both backends are tested against it;
 * it is the executable statement of Gantry's setup/teardown semantics.
 */
import type * as IR from "../../ir/index.js";
import { computeScopes, waitsFor, type Scopes } from "./scopes.js";

/** What a task does if it runs: succeed, fail for good (retries spent), or hit an infrastructure error. */
export type Outcome = "succeeds" | "fails" | "errors";

export type TaskState = "succeeded" | "failed" | "errored" | "not-run";

export interface Evaluation {
  states: Record<string, TaskState>;
  /** Tasks that ran, in an order they could run in. */
  ran: string[];
  result: "succeeded" | "failed";
  /** Why the run failed, one line per reason (rule 5), for test messages. */
  reasons: string[];
}

export function evaluate(pipeline: IR.Pipeline, outcomes: Readonly<Record<string, Outcome>>, scopes: Scopes = computeScopes(pipeline)): Evaluation {
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const states: Record<string, TaskState> = {};
  const ran: string[] = [];
  const succeeded = (n: string) => states[n] === "succeeded";
  const finished = (n: string) => states[n] === "failed" || states[n] === "errored";

  for (const name of topologicalOrder(waitsFor(pipeline, scopes))) {
    const task = byName.get(name)!;
    let runs: boolean;
    if (task.role === "teardown") {
      // Rule 4: after its scope has finished (guaranteed by the order), if one of its setups succeeded.
      runs = task.setups.some(succeeded);
    } else if (task.role === "finally") {
      runs = true; // Rule 6.
    } else {
      // Rule 3: dependencies as the trigger requires, and every enclosing setup succeeded.
      const depsOk = task.trigger === "allDone" || task.dependencies.every((d) => succeeded(d) || (finished(d) && byName.get(d)!.allowFailure));
      runs = depsOk && (scopes.enclosing.get(name) ?? []).every(succeeded);
    }
    if (!runs) {
      states[name] = "not-run";
      continue;
    }
    ran.push(name);
    const outcome = outcomes[name] ?? "succeeds";
    states[name] = outcome === "succeeds" ? "succeeded" : outcome === "fails" ? "failed" : "errored";
  }

  // Rule 5.
  const reasons: string[] = [];
  for (const t of pipeline.tasks) {
    const state = states[t.name]!;
    if (t.role === "teardown") {
      if (t.failsRun && (state === "failed" || state === "errored")) reasons.push(`teardown ${t.name} (failsRun) ${state}`);
    } else if ((state === "failed" || state === "errored") && !t.allowFailure) {
      reasons.push(`${t.role} ${t.name} ${state}`);
    } else if (state === "not-run") {
      reasons.push(`${t.role} ${t.name} did not run`);
    }
  }
  return { states, ran, result: reasons.length > 0 ? "failed" : "succeeded", reasons };
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
