/**
 * `when` on another task's output (docs/dsl.md, "Run-time conditions"): its checks, with
 * positions; on Argo, the simulated controller running the emitted `when` agrees with the
 * reference evaluator for every outcome and every value the producers write; on the jobs target,
 * the simulated run of the emitted Jobs, with the real shim deciding, agrees too.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { toArgo } from "../src/backends/argo/index.js";
import { toJobs } from "../src/backends/jobs/index.js";
import type * as IR from "../src/ir/index.js";
import { computeScopes, evaluate, lower, type Outcome } from "../src/phases/4-lower/index.js";
import { waitsFor } from "../src/ir/scopes.js";
import { argoAgrees, type Written } from "./support/argo-agreement.js";
import { simulateJobs } from "./support/jobs-sim.js";
import { rng } from "./support/rng.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { assignments, OUTPUT_VALUES, PARAMETER_VALUES, validRandomPipelines } from "./support/random-pipelines.js";

const source = (body: string, options = `{ parameters: { env: { default: "dev", enum: ["dev", "prod"] } } }`) =>
  `import { pipeline } from "gantry";\nexport default pipeline("gate", ${options}, (p) => {\n${body}\n});\n`;

const COUNT = `  const count = p.task("count-rows", { image: "x", command: ["sh", "-c", "echo 3 > /tmp/rows"], outputs: { rows: "/tmp/rows" } });`;

describe("checks", () => {
  it("the IR holds one vocabulary: `output` is the task and output named, equals is `in` one value, notEquals its `not`", async () => {
    const r = await compileFiles({ "main.ts": source(`${COUNT}\n  p.task("publish", { image: "x", after: [count], when: { any: [{ output: count.output("rows"), notEquals: 0 }, { param: p.params.env, equals: "prod" }] } });`) });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines[0]!.ir.tasks[1]!.when).toEqual({ any: [{ not: { output: { task: "count-rows", name: "rows" }, in: ["0"] } }, { param: "env", in: ["prod"] }] });
  });

  it("`output` must be one output placeholder (GANTRY2041 at it), an output in `param` is pointed to `output`, compared values are constants", async () => {
    const src = source(
      [
        COUNT,
        '  p.task("a", { image: "x", after: [count], when: { output: "rows", equals: "1" } });',
        "  p.task(\"b\", { image: \"x\", after: [count], when: { output: `n=${count.output(\"rows\")}`, equals: \"1\" } });",
        '  p.task("c", { image: "x", after: [count], when: { param: count.output("rows"), equals: "1" } });',
        '  p.task("d", { image: "x", after: [count], when: { output: count.output("rows"), in: ["1", p.params.env] } });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY2041 ${loc("main.ts", src, '"rows", equals')}`,
      `GANTRY2041 ${loc("main.ts", src, "`n=")}`,
      `GANTRY2041 ${loc("main.ts", src, 'count.output("rows"), equals')}`,
      `GANTRY2041 ${loc("main.ts", src, "p.params.env] }")}`,
    ]);
    const [a, , c, d] = r.diagnostics;
    expect(a!.message).toContain('task "a": when.output must be an output of another task, written handle.output("name"), not "rows"');
    expect(c!.hint).toContain("test it with `output` in place of `param`");
    expect(d!.message).toContain("is not a constant; `when` compares an output with constants");
  });

  it("malformed conditions with `output` say what is missing or extra", async () => {
    const cases: [string, string][] = [
      [`{ output: count.output("rows") }`, "`output` needs `equals`, `notEquals` or `in`: what to compare the output's value with"],
      [`{ output: count.output("rows"), param: p.params.env, equals: "1" }`, "give one of `param` and `output`"],
      [`{ equals: "1" }`, "`equals` needs `param` or `output`"],
      [`{ not: { output: count.output("rows"), equals: "1" }, output: count.output("rows") }`, "`not` stands alone in its object"],
    ];
    for (const [when, expected] of cases) {
      const r = await compileFiles({ "main.ts": source(`${COUNT}\n  p.task("t", { image: "x", after: [count], when: ${when} } as never);`) });
      expect(r.ok, when).toBe(false);
      expect(r.diagnostics.map((d) => `${d.code} ${d.message} ${d.hint ?? ""}`).join("\n"), when).toContain(expected);
    }
  });

  it("a tested output is held to the rules of any read, at the `output` key: GANTRY2044 (undeclared, not upstream, a finally task's), GANTRY2045 (no default where the producer may not have succeeded)", async () => {
    const src = source(
      [
        COUNT,
        '  const loose = p.task("loose", { image: "x", outputs: { v: "/tmp/v" } });',
        '  p.task("typo", { image: "x", after: [count], when: { output: count.output("row" as never), equals: "1" } });',
        '  p.task("unordered", { image: "x", when: { output: loose.output("v"), equals: "1" } });',
        '  p.task("anyway", { image: "x", after: [count], trigger: "allDone", when: { not: { output: count.output("rows"), equals: "0" } } });',
        '  p.finally("late", { image: "x", when: { output: count.output("rows"), equals: "0" } as never });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message.split(",")[0]}`)).toEqual([
      `GANTRY2044 ${loc("main.ts", src, 'count.output("row" as never)')} task "typo": when.output reads output "row" of task "count-rows"`,
      `GANTRY2044 ${loc("main.ts", src, 'loose.output("v")')} task "unordered": when.output reads output "v" of task "loose"`,
      `GANTRY2045 ${loc("main.ts", src, 'count.output("rows"), equals: "0" } }')} task "anyway": when.not.output reads output "rows" of task "count-rows"`,
      `GANTRY2044 ${loc("main.ts", src, 'count.output("rows"), equals: "0" } as never')} task "late": when.output reads output "rows" of task "count-rows"; a finally task runs in Argo's exit handler`,
    ]);
    expect(r.diagnostics[0]!.hint).toBe('Did you mean "rows"?');
  });
});

describe("the jobs target decides what the defaults decide", () => {
  it("a test of the output of a task the defaults skip is decided when compiling, from the output's default, and may skip more", async () => {
    const r = await compileFiles({
      "main.ts": source(
        [
          '  const probe = p.task("probe", { image: "x", outputs: { v: { path: "/tmp/v", default: "off" } }, when: { param: p.params.env, equals: "prod" } });',
          '  const gate = p.task("gate", { image: "x", after: [probe], trigger: "allDone", when: { output: probe.output("v"), equals: "on" } });',
          '  p.task("after-gate", { image: "x", after: [gate], trigger: "allDone" });',
          '  p.task("if-off", { image: "x", after: [probe], trigger: "allDone", when: { output: probe.output("v"), equals: "off" } });',
        ].join("\n"),
      ),
    });
    expect(r.diagnostics).toEqual([]);
    const { plan } = lower(r.pipelines[0]!.ir, { decideWhen: true });
    expect(plan.skipped).toEqual(["probe", "gate"]);
    // The test that holds for the default is gone: the task runs with nothing left to test.
    expect(plan.pipeline.tasks.map((t) => [t.name, t.when])).toEqual([["after-gate", undefined], ["if-off", undefined]]);
    const prod = lower({ ...r.pipelines[0]!.ir, parameters: [{ name: "env", default: "prod", enum: ["dev", "prod"] }] } as IR.Pipeline, { decideWhen: true }).plan;
    expect(prod.skipped).toEqual([]);
    expect(prod.pipeline.tasks.filter(testsOutput).map((t) => t.name)).toEqual(["gate", "if-off"]);
  });
});

/** A random value for each task's output `v`, what it writes when it succeeds. */
function randomWritten(pipeline: IR.Pipeline, r: () => number): Written {
  return Object.fromEntries(pipeline.tasks.filter((t) => t.outputs).map((t) => [t.name, { v: OUTPUT_VALUES[Math.floor(r() * OUTPUT_VALUES.length)]! }]));
}

/** Tasks whose `when` tests an output. */
const testsOutput = (t: IR.Task): boolean => JSON.stringify(t.when ?? {}).includes('"output"');

describe("Argo: the simulated controller agrees with the evaluator", () => {
  it("80 random pipelines whose `when`s test outputs, every parameter value, outcomes and written values", () => {
    let runs = 0;
    let tests = 0;
    const states = new Set<string>();
    const r = rng(99);
    for (const pipeline of validRandomPipelines(80, 2027, "outputs")) {
      tests += pipeline.tasks.filter(testsOutput).length;
      const workflow = JSON.parse(JSON.stringify(toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0]));
      for (const values of PARAMETER_VALUES) {
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 5, 150, runs + 1)) {
          const written = randomWritten(pipeline, r);
          expect(argoAgrees(pipeline, values, outcomes, workflow, written)).toBeUndefined();
          for (const t of pipeline.tasks.filter(testsOutput)) states.add(evaluate(pipeline, outcomes, undefined, values, written).states[t.name]!);
          runs++;
        }
      }
    }
    expect(tests).toBeGreaterThan(30);
    // Output tests that hold, that do not, and readers that never got to test.
    expect([...states].sort()).toEqual(["errored", "failed", "not-run", "skipped", "succeeded"]);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);
});

/** The reference state each simulated Job state stands for (errored pods fail a Job too). */
const JOB_STATE = { succeeded: "succeeded", failed: "failed", errored: "failed", "not-run": "not-run", skipped: "skipped" } as const;

/** The pipeline with these parameter values as its defaults: the jobs target decides `when` from them. */
const withDefaults = (pipeline: IR.Pipeline, values: ReadonlyMap<string, string>): IR.Pipeline => ({ ...pipeline, parameters: pipeline.parameters.map((p) => ({ ...p, default: values.get(p.name) })) });

/** The emitted Jobs, run by the simulated Job controller and the real shim's decisions, against the evaluator. */
function jobsAgree(declared: IR.Pipeline, decided: IR.Pipeline, outcomes: Record<string, Outcome>, written: Written, objects: Record<string, any>[], skipped: readonly string[]): string | undefined {
  const expected = evaluate(declared, outcomes, undefined, undefined, written);
  const run = simulateJobs(objects, outcomes, 7, Object.fromEntries(Object.entries(written).map(([t, o]) => [t, `${o["v"]}\n`])));
  const context = `${declared.name} ${JSON.stringify(declared.parameters.map((p) => p.default))} ${JSON.stringify(outcomes)} ${JSON.stringify(written)}: reference ${expected.result} ${JSON.stringify(expected.states)}, jobs ${run.status} ${JSON.stringify(run.states)}`;
  for (const t of declared.tasks) {
    const want = expected.states[t.name]!;
    // A task the defaults skip has no Job; it was skipped, or did not run (a failure won).
    if (skipped.includes(t.name)) {
      if (want !== "skipped" && want !== "not-run") return `${context}: ${t.name} has no Job, but is ${want}`;
      continue;
    }
    if (run.states[t.name] !== JOB_STATE[want]) return `${context}: ${t.name} is ${run.states[t.name]}`;
  }
  if (run.status !== (expected.result === "succeeded" ? "Complete" : "Failed")) return `${context}: status Job ${run.status}`;
  // What each task waits for once the defaults decided (a teardown of a skipped setup no longer waits for its scope: withoutSkipped).
  const waits = waitsFor(decided, computeScopes(decided));
  for (const t of run.started) {
    const early = (waits.get(t) ?? []).filter((w) => !run.finishedBefore[t]!.includes(w));
    if (early.length > 0) return `${context}: ${t} started before ${early.join(", ")} finished`;
  }
  return undefined;
}

describe("jobs: the simulated run of the emitted Jobs, the real shim deciding, agrees with the evaluator", () => {
  it("80 random pipelines whose `when`s test outputs, every parameter default, outcomes and written values", () => {
    let runs = 0;
    let residual = 0;
    let decided = 0;
    const r = rng(314);
    for (const pipeline of validRandomPipelines(80, 2027, "outputs")) {
      for (const values of PARAMETER_VALUES) {
        const declared = withDefaults(pipeline, values);
        const lowered = lower(declared, { decideWhen: true });
        expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const left = lowered.plan.pipeline.tasks.filter(testsOutput).length;
        residual += left;
        decided += declared.tasks.filter(testsOutput).length - left;
        const out = toJobs(lowered.plan, { runId: "r1" });
        expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const objects = JSON.parse(JSON.stringify(out.objects));
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 5, 150, runs + 3)) {
          expect(jobsAgree(declared, lowered.plan.pipeline, outcomes, randomWritten(pipeline, r), objects, lowered.plan.skipped)).toBeUndefined();
          runs++;
        }
      }
    }
    // Tests of outputs left for the run, and tests decided when compiling (their producer skipped by the defaults).
    expect(residual).toBeGreaterThan(60);
    expect(decided).toBeGreaterThan(5);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);
});

describe("the CLI", () => {
  const project = (publishWhen: string) =>
    tempProject({
      "pipelines/gate.ts": source(
        [
          COUNT,
          `  p.task("publish", { image: "x", command: ["sh", "-c", "exec publish"], after: [count], when: ${publishWhen} });`,
        ].join("\n"),
      ),
    });

  it("both targets: the DAG task's `when` tests the output by expression; the jobs await-deps tests it (runsIf), with the output in memory only, and may list pods", () => {
    const cwd = project(`{ output: count.output("rows"), notEquals: "0" }`);
    const argo = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(argo.code, argo.stderr).toBe(0);
    const wf = parse(fs.readFileSync(path.join(cwd, "out", "gate.yaml"), "utf8").replace(/^#.*\n---\n/, ""));
    const publish = wf.spec.templates[0].dag.tasks.find((t: { name: string }) => t.name === "publish");
    expect(publish).toMatchObject({ depends: "count-rows.Succeeded", when: '!({{=tasks["count-rows"].status == "Succeeded" and tasks["count-rows"].outputs.parameters["rows"] == "0"}})' });
    expect(publish.arguments).toBeUndefined();

    const jobs = gantry(["compile", "pipelines", "--out", "jobs", "--target", "jobs"], cwd);
    expect(jobs.code, jobs.stderr).toBe(0);
    const docs = parseAllDocuments(fs.readFileSync(path.join(cwd, "jobs", "gate.yaml"), "utf8")).map((d) => d.toJS());
    const job = docs.find((d) => d?.kind === "Job" && d.metadata.labels["gantry.dev/task"] === "publish");
    const init = job.spec.template.spec.initContainers[0];
    const config = JSON.parse(init.env.find((e: { name: string }) => e.name === "GANTRY_AWAIT").value);
    expect(config).toMatchObject({ runsIf: { not: { output: "count-rows", in: ["0"] } }, outputs: [{ task: "count-rows" }] });
    expect(config.outputs[0].file).toBeUndefined();
    expect(job.spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain("gantry-outputs");
    expect(job.spec.podFailurePolicy.rules[0].onExitCodes.values).toContain(94);
    const role = docs.find((d) => d?.kind === "Role" && d.metadata.name.endsWith("await-outputs"));
    expect(role?.rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }]);
  });

  it("a test Gantry cannot promise a value for is exit 1 with GANTRY2045 at the `output` key, and nothing is written", () => {
    const src = source([COUNT, `  p.task("publish", { image: "x", after: [count], trigger: "allDone", when: { output: count.output("rows"), in: ["1", "2"] } });`].join("\n"));
    const cwd = tempProject({ "pipelines/gate.ts": src });
    const r = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${loc("pipelines/gate.ts", src, 'count.output("rows"), in')}: error GANTRY2045: task "publish": when.output reads output "rows" of task "count-rows", but "publish" may run when "count-rows" did not succeed`);
    expect(fs.existsSync(path.join(cwd, "out"))).toBe(false);
  });
});
