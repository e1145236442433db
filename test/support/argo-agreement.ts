/**
 * Shared by the `when` and fan-out tests: an emitted workflow, run by the simulated Argo controller with given
 * parameter values, outcomes and output values, against the reference evaluator of DESIGN §5.
 */
import type * as IR from "../../src/ir/index.js";
import { evaluate, itemsOf, listValue, outputValues, type Evaluation, type Outcome } from "../../src/phases/4-lower/index.js";
import { simulate } from "./argo-sim.js";

const SIM = { succeeds: "Succeeded", fails: "Failed", errors: "Error" } as const;
/** The Argo phase of each reference state: a task that did not run is Omitted. */
const PHASE = { skipped: "Skipped", "not-run": "Omitted", succeeded: "Succeeded", failed: "Failed", errored: "Error" } as const;

/** What each task writes to its outputs when it succeeds, by task and output name. */
export type Written = Record<string, Record<string, string>>;

/**
 * The items of each fan-out task's list as the evaluator saw it: the parameter's value, or the
 * output its producer wrote when it succeeded, else the output's default. None for a list that is
 * no JSON list (or a fan-out that never got as far as its list).
 */
function fanOutItems(pipeline: IR.Pipeline, values: ReadonlyMap<string, string>, written: Written, expected: Evaluation): Map<string, string[]> {
  const outputs = outputValues(pipeline, expected.states, written);
  return new Map(pipeline.tasks.filter((t) => t.forEach).map((t) => [t.name, itemsOf(listValue(t.forEach!, values, outputs) ?? "") ?? []]));
}

/**
 * The simulator's outcome of each pod: the task's. A fan-out task (`forEach`) that fails or errors
 * does so in its last copy only, the others succeed, so that one copy fails alone.
 */
function podOutcomes(items: ReadonlyMap<string, string[]>, outcomes: Record<string, Outcome>) {
  const last = new Map([...items].map(([name, list]) => [name, list.length - 1]));
  return (inv: { key: string; name: string }) => {
    const n = last.get(inv.name);
    return n === undefined || inv.key.startsWith(`${inv.name}(${n}:`) ? SIM[outcomes[inv.name] ?? "succeeds"] : "Succeeded";
  };
}

/** Why the simulated run of `workflow` disagrees with the evaluator; undefined when they agree. */
export function argoAgrees(pipeline: IR.Pipeline, values: ReadonlyMap<string, string>, outcomes: Record<string, Outcome>, workflow: Record<string, any>, written: Written = {}): string | undefined {
  const wf = structuredClone(workflow);
  for (const p of wf.spec.arguments.parameters) p.value = values.get(p.name);
  const expected = evaluate(pipeline, outcomes, undefined, values, written);
  const items = fanOutItems(pipeline, values, written, expected);
  const sim = simulate(wf, podOutcomes(items, outcomes), { outputs: written });
  const context = `${pipeline.name} with ${JSON.stringify([...values])} ${JSON.stringify(outcomes)} ${JSON.stringify(written)}: reference ${expected.result} ${JSON.stringify(expected.states)}, Argo ${sim.phase}`;
  for (const t of pipeline.tasks) {
    const node = sim.nodes[t.role === "finally" ? `onExit.${t.name}` : t.name];
    const phase = node?.phase ?? "Omitted";
    if (phase !== PHASE[expected.states[t.name]!]) return `${context}: ${t.name} is ${phase}${node?.message ? ` (${node.message})` : ""}`;
    // A fan-out that ran ran every item, once: its copies are `NAME(i:item)`.
    if (t.forEach && expected.ran.includes(t.name)) {
      const copies = items.get(t.name)!.map((item, i) => sim.nodes[`${t.name}(${i}:${item})`]?.ran);
      if (!copies.every(Boolean)) return `${context}: not every copy of ${t.name} ran`;
    }
  }
  if ((sim.phase === "Succeeded") !== (expected.result === "succeeded")) return `${context}: run ${sim.phase}`;
  return undefined;
}
