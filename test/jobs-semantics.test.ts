/**
 * Fault injection on the jobs target (Jobs issue, point 6): the simulated run of the emitted Jobs
 * (Job controller plus the real shim's decisions, test/support/jobs-sim.ts) agrees with the
 * reference evaluator of DESIGN §5 for every outcome assignment: which tasks run, which are
 * skipped, the status Job's verdict, the order (nothing starts before what it waits for), and the
 * run status finally tasks read.
 */
import { describe, expect, it } from "vitest";
import { toJobs } from "../src/backends/jobs/index.js";
import { compile } from "../src/compile.js";
import type * as IR from "../src/ir/index.js";
import { computeScopes, waitsFor } from "../src/ir/scopes.js";
import { evaluate, lower, type Outcome } from "../src/phases/4-lower/index.js";
import { repoRoot } from "./support/cli.js";
import { simulateJobs } from "./support/jobs-sim.js";
import { assignments, checkOutcomeSpace, randomPipelineWithEveryRole, validRandomPipelines } from "./support/random-pipelines.js";

/**
 * The simulated state of each reference state. The runs are those of the tasks left once `when` was
 * decided (`agree`): a task skipped then has no Job; one skipped at run time is a finally task whose
 * `when` tests the run's result, and its Job says so.
 */
const STATE = { succeeded: "succeeded", failed: "failed", errored: "failed", "not-run": "not-run", skipped: "skipped" } as const;

function emitted(ir: IR.Pipeline): Record<string, any>[] {
  const lowered = lower({ ...ir, schedule: undefined });
  expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out = toJobs(lowered.plan, { runId: "r1" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return JSON.parse(JSON.stringify(out.objects));
}

/** Why the simulated run of `objects` disagrees with the reference evaluator under `outcomes`; undefined if it agrees. */
function disagreement(ir: IR.Pipeline, objects: Record<string, any>[], outcomes: Record<string, Outcome>, seed: number): string | undefined {
  const names = ir.tasks.map((t) => t.name);
  const waits = waitsFor(ir, computeScopes(ir));
  const expected = evaluate(ir, outcomes);
  const sim = simulateJobs(objects, outcomes, seed);
  const context = `${ir.name} with ${JSON.stringify(outcomes)}: reference ${expected.result} (${expected.reasons.join("; ")})`;
  for (const n of names) if (sim.states[n] !== STATE[expected.states[n]!]) return `${context}: ${n} is ${sim.states[n]}, expected ${expected.states[n]}`;
  if (sim.status !== (expected.result === "succeeded" ? "Complete" : "Failed")) return `${context}: status Job ${sim.status}`;
  for (const t of sim.started) {
    const early = (waits.get(t) ?? []).filter((w) => !sim.finishedBefore[t]!.includes(w));
    if (early.length > 0) return `${context}: ${t} started before ${early.join(", ")} finished`;
  }
  const bodyFailed = expected.reasons.some((r) => !r.startsWith("finally "));
  for (const [t, status] of Object.entries(sim.runStatus)) if (status !== (bodyFailed ? "Failed" : "Succeeded")) return `${context}: ${t} read run status ${status}`;
  return undefined;
}

function agree(declared: IR.Pipeline, limit: number, sample: number, alphabet: readonly Outcome[] = ["succeeds", "fails", "errors"]): number {
  // The jobs target decides `when` from the defaults: the run is that of the tasks left (test/when.test.ts checks the leaving out).
  const ir = lower(declared, { decideWhen: true }).plan.pipeline;
  const objects = emitted(ir);
  let checked = 0;
  for (const outcomes of assignments(ir.tasks.map((t) => t.name), alphabet, limit, sample, ir.tasks.length * 7919)) {
    expect(disagreement(ir, objects, outcomes, checked + 1)).toBeUndefined();
    checked++;
  }
  return checked;
}

/** Whether some assignment exposes a mutation of the emitted objects. */
function caught(ir: IR.Pipeline, mutate: (objects: Record<string, any>[]) => void): boolean {
  const objects = emitted(ir);
  mutate(objects);
  for (const outcomes of assignments(ir.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 7, 2000, 7)) {
    if (disagreement(ir, objects, outcomes, 1) !== undefined) return true;
  }
  return false;
}

describe("examples: simulated Jobs runs agree with the reference evaluator", async () => {
  const result = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "workflow" });
  for (const p of result.pipelines) {
    it(`${p.name} (${p.ir.tasks.length} tasks)`, () => {
      expect(checkOutcomeSpace(p.ir, agree)).toBeGreaterThan(0);
    });
  }

  it("spark-on-k8s: the finally task reads the run's status, and a failure cascades without spending retries", () => {
    const spark = result.pipelines.find((p) => p.name === "spark-on-k8s")!;
    const objects = emitted(spark.ir);
    const failedCluster = simulateJobs(objects, { "create-cluster": "fails" });
    expect(failedCluster.runStatus).toEqual({ report: "Failed" });
    // aggregate-* have retry: { limit: 1 } but never ran: the cascade failed them at once, in one attempt of await-deps.
    expect(failedCluster.attempts["aggregate-orders"]).toBeUndefined();
    expect(failedCluster.states["aggregate-orders"]).toBe("not-run");
    const ok = simulateJobs(objects, {});
    expect(ok.runStatus).toEqual({ report: "Succeeded" });
    expect(ok.status).toBe("Complete");
    const flaky = simulateJobs(objects, { "aggregate-orders": "fails" });
    expect(flaky.attempts["aggregate-orders"]).toBe(2); // retry limit 1: two attempts
    expect(flaky.states["delete-cluster"]).toBe("succeeded"); // teardown after the failure
  });
});

describe("random pipelines: simulated Jobs runs agree with the reference evaluator", () => {
  it("120 valid random pipelines of 2-7 tasks, every one of their 3^n outcome assignments", () => {
    let runs = 0;
    for (const ir of validRandomPipelines(120)) runs += agree(ir, 3 ** 7, 0);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);

  it("a random 9-task pipeline with every role: all 3^9 assignments", () => {
    expect(agree(randomPipelineWithEveryRole(9), 3 ** 9, 0)).toBe(3 ** 9);
  }, 300_000);

  it("80 random pipelines whose finally tasks test the run's result (`when: { runStatus }`), every outcome assignment: skipped by their await-deps, which fails nothing", () => {
    let runs = 0;
    const seen = new Set<string>();
    for (const declared of validRandomPipelines(80, 5150, "runStatus")) {
      runs += agree(declared, 3 ** 7, 0);
      const ir = lower(declared, { decideWhen: true }).plan.pipeline;
      for (const t of ir.tasks) if (t.when) seen.add(JSON.stringify(t.when));
    }
    // What the defaults leave of a finally task's `when` is a test of the result, one way or the other.
    expect([...seen].sort()).toEqual(['{"runStatus":"Failed"}', '{"runStatus":"Succeeded"}']);
    expect(runs).toBeGreaterThan(5_000);
  }, 300_000);
});

describe("the agreement check catches broken Jobs", async () => {
  const result = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "workflow" });
  const spark = result.pipelines.find((p) => p.name === "spark-on-k8s")!.ir;
  const job = (objects: Record<string, any>[], task: string) => objects.find((o) => o.metadata.labels?.["gantry.dev/task"] === task)!;
  /** Replaces a task's start condition in its await-deps configuration. */
  const setWhen = (objects: Record<string, any>[], task: string, is: "settled" | "succeeded") => {
    const e = job(objects, task).spec.template.spec.initContainers[0].env.find((x: { name: string }) => x.name === "GANTRY_AWAIT");
    e.value = JSON.stringify({ ...JSON.parse(e.value), when: { all: [{ task: "aggregate-sessions", is }, { task: "aggregate-orders", is }] } });
  };

  it("the unmutated Jobs agree", () => {
    expect(caught(spark, () => {})).toBe(false);
  });
  it("without the FailJob rule on await-deps, a skipped task counts as failed (and spends retries)", () => {
    expect(caught(spark, (objects) => objects.filter((o) => o.kind === "Job").forEach((o) => (o.spec.podFailurePolicy.rules = o.spec.podFailurePolicy.rules.filter((r: any) => !r.onExitCodes))))).toBe(true);
  });
  it("a teardown that waits only for its after dependencies and ignores its setups", () => {
    expect(caught(spark, (objects) => setWhen(objects, "delete-cluster", "settled"))).toBe(true);
  });
  it("the naive teardown condition: upstream succeeded (it then never runs after a failure)", () => {
    expect(caught(spark, (objects) => setWhen(objects, "delete-cluster", "succeeded"))).toBe(true);
  });
  it("a finally task's await-deps that ignores the test of the run's result (it runs after every run), or a status Job that counts its skip as a failure", async () => {
    const r = await compile({ cwd: repoRoot, paths: ["examples/conditional-backfill.ts"], target: "argo", kind: "workflow" });
    const ir = lower(r.pipelines[0]!.ir, { decideWhen: true }).plan.pipeline;
    const conditional = ir.tasks.find((t) => t.role === "finally" && t.when)!;
    expect(conditional.when).toEqual({ runStatus: "Failed" });
    const config = (o: Record<string, any>) => o.spec.template.spec.initContainers[0].env.find((e: { name: string }) => e.name === "GANTRY_AWAIT");
    expect(caught(ir, () => undefined)).toBe(false);
    expect(
      caught(ir, (objects) => {
        const env = config(job(objects, conditional.name));
        const cfg = JSON.parse(env.value);
        delete cfg.runsIf;
        env.value = JSON.stringify(cfg);
      }),
    ).toBe(true);
    expect(
      caught(ir, (objects) => {
        const status = objects.find((o) => o.metadata.labels?.["gantry.dev/role"] === "status")!.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "GANTRY_STATUS");
        status.value = status.value.replaceAll('"succeededOrSkipped"', '"succeeded"');
      }),
    ).toBe(true);
  });

  it("a status Job that ignores the finally task", () => {
    expect(
      caught(spark, (objects) => {
        const status = objects.find((o) => o.metadata.labels?.["gantry.dev/role"] === "status")!;
        const e = status.spec.template.spec.containers[0].env.find((x: { name: string }) => x.name === "GANTRY_STATUS");
        const c = JSON.parse(e.value);
        c.when = c.when.all[0];
        e.value = JSON.stringify(c);
      }),
    ).toBe(true);
  });
});
