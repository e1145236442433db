/**
 * Shared by the `when` tests: an emitted workflow, run by the simulated Argo controller with given
 * parameter values, outcomes and output values, against the reference evaluator of DESIGN §5.
 */
import type * as IR from "../../src/ir/index.js";
import { evaluate, type Outcome } from "../../src/phases/4-lower/index.js";
import { simulate } from "./argo-sim.js";

const SIM = { succeeds: "Succeeded", fails: "Failed", errors: "Error" } as const;
/** The Argo phase of each reference state: a task that did not run is Omitted. */
const PHASE = { skipped: "Skipped", "not-run": "Omitted", succeeded: "Succeeded", failed: "Failed", errored: "Error" } as const;

/** What each task writes to its outputs when it succeeds, by task and output name. */
export type Written = Record<string, Record<string, string>>;

/** Why the simulated run of `workflow` disagrees with the evaluator; undefined when they agree. */
export function argoAgrees(pipeline: IR.Pipeline, values: ReadonlyMap<string, string>, outcomes: Record<string, Outcome>, workflow: Record<string, any>, written: Written = {}): string | undefined {
  const wf = structuredClone(workflow);
  for (const p of wf.spec.arguments.parameters) p.value = values.get(p.name);
  const sim = simulate(wf, Object.fromEntries(Object.entries(outcomes).map(([n, o]) => [n, SIM[o]])), { outputs: written });
  const expected = evaluate(pipeline, outcomes, undefined, values, written);
  const context = `${pipeline.name} with ${JSON.stringify([...values])} ${JSON.stringify(outcomes)} ${JSON.stringify(written)}: reference ${expected.result} ${JSON.stringify(expected.states)}, Argo ${sim.phase}`;
  for (const t of pipeline.tasks) {
    const node = sim.nodes[t.role === "finally" ? `onExit.${t.name}` : t.name];
    const phase = node?.phase ?? "Omitted";
    if (phase !== PHASE[expected.states[t.name]!]) return `${context}: ${t.name} is ${phase}${node?.message ? ` (${node.message})` : ""}`;
  }
  if ((sim.phase === "Succeeded") !== (expected.result === "succeeded")) return `${context}: run ${sim.phase}`;
  return undefined;
}
