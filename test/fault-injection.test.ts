/**
 * Fault injection (setup/teardown issue, point 6): for every example and for random pipelines, and
 * for every assignment of outcomes to tasks (all of them up to 10 tasks, a large sample above), the
 * emitted Argo YAML, run by the controller simulator, agrees with the reference evaluator of
 * DESIGN §5 on which tasks run and on the run's result.
 */
import { describe, expect, it } from "vitest";
import { toArgo } from "../src/backends/argo/index.js";
import { compile } from "../src/compile.js";
import type * as IR from "../src/ir/index.js";
import { evaluate, lower, type Outcome } from "../src/phases/4-lower/index.js";
import { simulate } from "./support/argo-sim.js";
import { repoRoot } from "./support/cli.js";
import { assignments, checkOutcomeSpace, randomPipelineWithEveryRole, validRandomPipelines } from "./support/random-pipelines.js";

const SIM: Record<Outcome, "Succeeded" | "Failed" | "Error"> = { succeeds: "Succeeded", fails: "Failed", errors: "Error" };


/** Checks one pipeline under many outcome assignments; returns how many were checked. */
function agree(ir: IR.Pipeline, limit: number, sample: number, alphabet: readonly Outcome[] = ["succeeds", "fails", "errors"]): number {
  const lowered = lower(ir);
  expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const workflow = JSON.parse(JSON.stringify(toArgo(lowered.plan, { kind: "workflow" }).objects[0])) as object;
  const names = ir.tasks.map((t) => t.name);
  const node = (t: IR.Task) => (t.role === "finally" ? `onExit.${t.name}` : t.name);
  // What the tasks with outputs write when they succeed, for a `when` that tests one: "0" (an empty
  // count, say) in one run and "1" in another.
  const writers = ir.tasks.filter((t) => t.outputs);
  const variants = ["0", "1"].map((v) => Object.fromEntries(writers.map((t) => [t.name, Object.fromEntries(t.outputs!.map((o) => [o.name, v]))])));
  let checked = 0;
  for (const outcomes of assignments(names, alphabet, limit, sample, names.length * 7919)) {
    for (const written of writers.length > 0 ? variants : [{}]) {
      const expected = evaluate(ir, outcomes, undefined, undefined, written);
      const sim = simulate(workflow, Object.fromEntries(names.map((n) => [n, SIM[outcomes[n]!]])), { outputs: written });
      // A fan-out's node is a TaskGroup, whose copies (`load(0:orders)`, ...) are what run.
      const ran = ir.tasks.filter((t) => sim.nodes[node(t)]?.ran || (t.forEach && Object.entries(sim.nodes).some(([k, n]) => k.startsWith(`${t.name}(`) && n.ran))).map((t) => t.name).sort();
      const context = `${ir.name} with ${JSON.stringify(outcomes)} ${JSON.stringify(written)}: reference ${expected.result} (${expected.reasons.join("; ")}), Argo ${sim.phase}`;
      expect(ran, context).toEqual([...expected.ran].sort());
      expect(sim.phase === "Succeeded" ? "succeeded" : "failed", context).toBe(expected.result);
    }
    checked++;
  }
  return checked;
}

describe("examples: simulated Argo runs agree with the reference evaluator", async () => {
  const result = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "workflow" });
  for (const p of result.pipelines) {
    it(`${p.name} (${p.ir.tasks.length} tasks)`, () => {
      expect(checkOutcomeSpace(p.ir, agree)).toBeGreaterThan(0);
    });
  }
});

describe("random pipelines: simulated Argo runs agree with the reference evaluator", () => {
  it("120 valid random pipelines of 2-7 tasks, every one of their 3^n outcome assignments", () => {
    let runs = 0;
    let withTeardown = 0;
    for (const ir of validRandomPipelines(120)) {
      if (ir.tasks.some((t) => t.role === "teardown")) withTeardown++;
      runs += agree(ir, 3 ** 7, 0);
    }
    expect(withTeardown).toBeGreaterThan(30);
    expect(runs).toBeGreaterThan(10_000);
  });

  it.each([8, 9, 10])("a random pipeline of %i tasks with setups, teardowns and a finally task: all 3^n outcome assignments", (size) => {
    expect(agree(randomPipelineWithEveryRole(size), 3 ** size, 0)).toBe(3 ** size);
  }, 300_000);
});
