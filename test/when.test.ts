/**
 * `when`: run-time conditions on a task (docs/dsl.md). Its checks, with positions; its semantics in
 * the reference evaluator; on Argo, the simulated controller running the emitted `when` and
 * `depends` agrees with the evaluator for every parameter value and outcome; on the jobs target,
 * leaving out the tasks that the defaults skip changes nothing else.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { toArgo } from "../src/backends/argo/index.js";
import { toJobs } from "../src/backends/jobs/index.js";
import { waitsForOthers } from "../src/backends/jobs/enforcement.js";
import { compile } from "../src/compile.js";
import type * as IR from "../src/ir/index.js";
import { computeScopes, evaluate, holds, lower, skipClosure, withoutSkipped, type Outcome } from "../src/phases/4-lower/index.js";
import { argoAgrees } from "./support/argo-agreement.js";
import { simulateJobs } from "./support/jobs-sim.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { assignments, PARAMETER_VALUES, validRandomPipelines } from "./support/random-pipelines.js";

const source = (options: string, body: string) => `import { pipeline } from "gantry";\nexport default pipeline("cond", ${options}, (p) => {\n${body}\n});\n`;

const PARAMS = `{ parameters: { env: { default: "dev", enum: ["dev", "prod"] }, refresh: { default: false } } }`;

describe("checks", () => {
  it("a plain string as `param` is GANTRY2041 at that string, with the fix", async () => {
    const src = source(PARAMS, `  p.task("t", { image: "x", when: { param: "env", equals: "prod" } });`);
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2041 ${loc("main.ts", src, '"env"')}`]);
    expect(r.diagnostics[0]!.message).toContain('when.param must be a pipeline parameter, written p.params.NAME, not "env"');
    expect(r.diagnostics[0]!.hint).toContain("p.params.env");
  });

  it("a placeholder among other text, and a compared value that holds one, are GANTRY2041; an unknown parameter is GANTRY2010", async () => {
    const src = source(
      PARAMS,
      [
        "  p.task(\"a\", { image: \"x\", when: { param: `x-${p.params.env}`, equals: \"prod\" } });",
        "  p.task(\"b\", { image: \"x\", when: { param: p.params.env, equals: p.params.refresh } });",
        "  p.task(\"c\", { image: \"x\", when: { all: [{ param: p.params.env, equals: \"dev\" }, { param: \"{{params.nope}}\", equals: 1 }] } });",
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [`GANTRY2041 ${loc("main.ts", src, "`x-")}`, `GANTRY2041 ${loc("main.ts", src, "p.params.refresh")}`, `GANTRY2010 ${loc("main.ts", src, '"{{params.nope}}"')}`].sort(),
    );
  });

  it("a value outside the parameter's enum is warning GANTRY2042, and the pipeline still compiles", async () => {
    const src = source(PARAMS, `  p.task("t", { image: "x", when: { param: p.params.env, in: ["dev", "prd"] } });`);
    const r = await compileFiles({ "main.ts": src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2042 ${loc("main.ts", src, '"prd"')}`]);
    expect(r.diagnostics[0]!.message).toContain('parameter "env" can only be "dev", "prod" (its enum), never "prd"');
  });

  it("malformed conditions say what is missing or extra; a misspelt key is named with its likely meaning", async () => {
    const cases: [string, string][] = [
      [`{ param: p.params.env }`, "`param` needs `equals`, `notEquals` or `in`"],
      [`{ equals: "prod" }`, "`equals` needs `param`"],
      [`{ param: p.params.env, equals: "a", in: ["b"] }`, "give one of `equals`, `notEquals` and `in`, not `equals` and `in`"],
      [`{ all: [], }`, "`all` needs at least one condition"],
      [`{ not: { param: p.params.env, equals: "dev" }, param: p.params.env }`, "`not` stands alone in its object"],
      [`{}`, "an empty condition"],
      [`{ param: p.params.env, equal: "dev" }`, "Did you mean `equals`?"],
    ];
    for (const [when, expected] of cases) {
      const r = await compileFiles({ "main.ts": source(PARAMS, `  p.task("t", { image: "x", when: ${when} });`) });
      expect(r.ok, when).toBe(false);
      expect(r.diagnostics.map((d) => `${d.code} ${d.message} ${d.hint ?? ""}`).join("\n"), when).toContain(expected);
    }
  });

  it("a condition nested deeper than 16 levels is refused without recursing into it", async () => {
    const r = await compileFiles({
      "main.ts": source(PARAMS, `  const nest = (n: number, w: any): any => (n === 0 ? w : nest(n - 1, { not: w }));\n  p.task("t", { image: "x", when: nest(40, { param: p.params.env, equals: "dev" }) });`),
    });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.message).join("\n")).toContain("nest more than 16 levels deep");
  });

  it("a teardown takes no `when` (GANTRY2001): skipping it could leave a setup's resource behind", async () => {
    const src = source(PARAMS, `  const s = p.setup("s", { image: "x" });\n  p.teardown("t", { image: "x", setups: [s], when: { param: p.params.env, equals: "prod" } } as any);`);
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([expect.stringMatching(/^GANTRY2001 .*a teardown has no `when`/)]);
  });

  it("the IR holds one vocabulary: equals is `in` one value, notEquals its `not`, values as strings", async () => {
    const r = await compileFiles({
      "main.ts": source(PARAMS, `  p.task("t", { image: "x", when: { any: [{ param: p.params.refresh, equals: true }, { param: p.params.env, notEquals: "dev" }] } });`),
    });
    expect(r.pipelines[0]!.ir.tasks[0]!.when).toEqual({ any: [{ param: "refresh", in: ["true"] }, { not: { param: "env", in: ["dev"] } }] });
  });
});

/** A pipeline made directly as IR, for the evaluator. */
function ir(tasks: Partial<IR.Task>[], parameters: IR.Parameter[] = [{ name: "env", default: "dev" }]): IR.Pipeline {
  const base = { dependencies: [], setups: [], failsRun: false, allowFailure: false, trigger: "allSucceeded", role: "work" } as const;
  return { name: "p", parameters, tasks: tasks.map((t) => ({ ...base, ...t })) } as unknown as IR.Pipeline;
}

describe("the reference evaluator", () => {
  const prod: IR.When = { param: "env", in: ["prod"] };
  const pipeline = ir([
    { name: "cluster", role: "setup", when: prod },
    { name: "load", dependencies: ["cluster"] },
    { name: "report", dependencies: ["load"], trigger: "allDone" },
    { name: "delete", role: "teardown", setups: ["cluster"] },
    { name: "notify", dependencies: ["report"] },
  ]);

  it("a skipped setup skips its scope (allDone tasks too) and its teardown; the run succeeds", () => {
    const e = evaluate(pipeline, {});
    expect(e.states).toEqual({ cluster: "skipped", load: "skipped", report: "skipped", delete: "skipped", notify: "skipped" });
    expect(e.result).toBe("succeeded");
  });

  it("with the parameter given, everything runs", () => {
    expect(evaluate(pipeline, {}, undefined, new Map([["env", "prod"]])).ran).toEqual(["cluster", "load", "report", "notify", "delete"]);
  });

  it("an allDone task counts a skipped dependency as done; a failure wins over a skip", () => {
    const p = ir([
      { name: "a", when: prod },
      { name: "b" },
      { name: "c", dependencies: ["a", "b"] },
      { name: "d", dependencies: ["a", "b"], trigger: "allDone" },
    ]);
    expect(evaluate(p, {}).states).toEqual({ a: "skipped", b: "succeeded", c: "skipped", d: "succeeded" });
    const failed = evaluate(p, { b: "fails" });
    expect(failed.states["c"]).toBe("not-run");
    expect(failed.reasons).toEqual(["work b failed", "work c did not run"]);
  });

  it("holds: in, not, all, any; a parameter without a value equals nothing", () => {
    const values = new Map([["env", "prod"]]);
    expect(holds({ all: [prod, { not: { param: "env", in: ["dev"] } }] }, values)).toBe(true);
    expect(holds({ any: [{ param: "x", in: [""] }, { param: "env", in: ["a", "prod"] }] }, values)).toBe(true);
    expect(holds({ param: "x", in: [""] }, values)).toBe(false);
  });
});

describe("Argo: the simulated controller agrees with the evaluator", () => {
  it("80 random pipelines with `when`, every parameter value and every outcome assignment (skipped is Skipped, not run is Omitted)", () => {
    let runs = 0;
    let skippedSome = 0;
    for (const pipeline of validRandomPipelines(80, 777, true)) {
      const workflow = JSON.parse(JSON.stringify(toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0]));
      for (const values of PARAMETER_VALUES) {
        if (Object.values(evaluate(pipeline, {}, undefined, values).states).includes("skipped")) skippedSome++;
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 6, 300, runs + 1)) {
          expect(argoAgrees(pipeline, values, outcomes, workflow)).toBeUndefined();
          runs++;
        }
      }
    }
    expect(skippedSome).toBeGreaterThan(100);
    expect(runs).toBeGreaterThan(20_000);
  }, 300_000);

  it("the check catches a `when` left out of the emitted workflow", () => {
    const pipeline = [...validRandomPipelines(80, 777, true)].find((p) => p.tasks.some((t) => t.when && t.role === "work"))!;
    const workflow = JSON.parse(JSON.stringify(toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0]));
    for (const t of workflow.spec.templates[0].dag.tasks) delete t.when;
    const found = PARAMETER_VALUES.some((values) => argoAgrees(pipeline, values, {}, workflow) !== undefined);
    expect(found).toBe(true);
  });
});

describe("jobs: deciding `when` at compile time", () => {
  it("the wiring checks read the pipeline as declared: an allDone task that the skip rewires onto a setup is not GANTRY2024 (second reader's finding), as on Argo", async () => {
    const r = await compileFiles({
      "main.ts": source(
        PARAMS,
        [
          '  const s = p.setup("s", { image: "x" });',
          '  const w = p.task("w", { image: "x", after: [s], when: { param: p.params.env, equals: "prod" } });',
          '  const r = p.task("r", { image: "x", after: [w], trigger: "allDone" });',
          '  p.teardown("t", { image: "x", setups: [s], after: [r] });',
        ].join("\n"),
      ),
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const lowered = lower(r.pipelines[0]!.ir, { decideWhen: true });
    expect(lowered.plan.skipped).toEqual(["w"]);
    expect(lowered.plan.pipeline.tasks.find((t) => t.name === "r")!.dependencies).toEqual(["s"]);
    expect(lowered.diagnostics).toEqual([]);
  });

  it("a failure wins over a skip: with the task after a failed teardown left out, the teardown's failure fails the run, as the skipped task's not running would", async () => {
    const r = await compileFiles({
      "main.ts": source(
        PARAMS,
        [
          '  const s = p.setup("s", { image: "x" });',
          '  const t = p.teardown("t", { image: "x", setups: [s] });',
          '  p.task("w", { image: "x", after: [t], when: { param: p.params.env, equals: "prod" } });',
        ].join("\n"),
      ),
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const declared = r.pipelines[0]!.ir;
    expect(evaluate(declared, { t: "fails" })).toMatchObject({ states: { w: "not-run" }, result: "failed" });
    const { plan } = lower(declared, { decideWhen: true });
    expect(plan.skipped).toEqual(["w"]);
    expect(plan.pipeline.tasks.find((t) => t.name === "t")!.failsRun).toBe(true);
    const objects = JSON.parse(JSON.stringify(toJobs(plan, { runId: "r1" }).objects));
    expect(simulateJobs(objects, { t: "fails" }).status).toBe("Failed");
    expect(simulateJobs(objects, {}).status).toBe("Complete");
  });

  it("leaving out the skipped tasks keeps every other task's state, the run's result and the scopes (100 random pipelines, every value, every outcome)", () => {
    let removed = 0;
    for (const pipeline of validRandomPipelines(100, 991, true)) {
      const scopes = computeScopes(pipeline);
      for (const values of PARAMETER_VALUES) {
        const skipped = skipClosure(pipeline, scopes, (t) => !holds(t.when!, values));
        const kept = withoutSkipped(pipeline, skipped);
        removed += skipped.size;
        const keptScopes = computeScopes(kept);
        // Each remaining setup's scope is as before; a teardown's is that of its remaining setups
        // (one that also tore down a skipped setup no longer waits for that setup's scope).
        const kept1 = (names: Iterable<string>) => [...names].filter((n) => !skipped.has(n)).sort();
        for (const t of kept.tasks) {
          const context = `${pipeline.name} ${JSON.stringify([...values])} ${t.name}`;
          expect(keptScopes.enclosing.get(t.name), context).toEqual(kept1(scopes.enclosing.get(t.name) ?? []).sort((a, b) => pipeline.tasks.findIndex((x) => x.name === a) - pipeline.tasks.findIndex((x) => x.name === b)));
          if (t.role === "setup") expect([...keptScopes.ofSetup.get(t.name)!].sort(), context).toEqual(kept1(scopes.ofSetup.get(t.name)!));
          if (t.role === "teardown") expect([...keptScopes.ofTeardown.get(t.name)!].sort(), context).toEqual(kept1(new Set(t.setups.flatMap((s) => [...scopes.ofSetup.get(s)!]))));
        }
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 6, 200, removed + 3)) {
          const full = evaluate(pipeline, outcomes, scopes, values);
          const pruned = evaluate(kept, outcomes);
          const context = `${pipeline.name} ${JSON.stringify([...values])} ${JSON.stringify(outcomes)}`;
          for (const n of skipped) expect(["skipped", "not-run"], context).toContain(full.states[n]);
          for (const t of kept.tasks) expect(pruned.states[t.name], `${context} ${t.name}`).toBe(full.states[t.name]);
          expect(pruned.result, context).toBe(full.result);
        }
      }
    }
    expect(removed).toBeGreaterThan(100);
  }, 300_000);
});

describe("the CLI", () => {
  const project = () =>
    tempProject({
      "pipelines/cond.ts": source(
        PARAMS,
        [
          '  const cluster = p.setup("create-cluster", { image: "alpine:3", when: { param: p.params.env, equals: "prod" } });',
          '  const load = p.task("load", { image: "alpine:3", after: [cluster] });',
          '  p.teardown("delete-cluster", { image: "alpine:3", setups: [cluster] });',
          '  p.task("always", { image: "alpine:3" });',
          '  p.task("report", { image: "alpine:3", after: [load], trigger: "allDone" });',
        ].join("\n"),
      ),
    });

  it("argo: `when` and the widened `depends` land in the DAG, the run's gate counts a skip as success", () => {
    const cwd = project();
    const r = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(r.code, r.stderr).toBe(0);
    const wf = parse(fs.readFileSync(path.join(cwd, "out", "cond.yaml"), "utf8").replace(/^#.*\n---\n/, ""));
    const tasks = Object.fromEntries(wf.spec.templates[0].dag.tasks.map((t: { name: string }) => [t.name, t]));
    expect(tasks["create-cluster"].when).toBe('{{=workflow.parameters["env"] == "prod"}}');
    expect(tasks["load"]).toMatchObject({ depends: "create-cluster.Succeeded || create-cluster.Skipped", when: "!('{{tasks.create-cluster.status}}' == 'Skipped')" });
    expect(tasks["delete-cluster"].when).toBe("'{{tasks.create-cluster.status}}' == 'Succeeded'");
    expect(tasks["always"].when).toBeUndefined();
    expect(tasks["gantry-result"].depends).toContain("(load.Succeeded || load.Skipped)");
  });

  it("jobs: the tasks the defaults skip are left out and listed in the metadata; all skipped is GANTRY4032; a `when` parameter without a default is GANTRY4011", () => {
    const cwd = project();
    const r = gantry(["compile", "pipelines", "--out", "out", "--target", "jobs", "--metadata"], cwd);
    expect(r.code, r.stderr).toBe(0);
    const docs = parseAllDocuments(fs.readFileSync(path.join(cwd, "out", "cond.yaml"), "utf8")).map((d) => d.toJS());
    const taskJobs = docs.filter((d) => d?.kind === "Job" && d.metadata.labels["gantry.dev/task"]).map((d) => d.metadata.labels["gantry.dev/task"]);
    expect(taskJobs.sort()).toEqual(["always"]);
    const metadata = JSON.parse(fs.readFileSync(path.join(cwd, "out", "cond.metadata.json"), "utf8"));
    expect(metadata.skipped).toEqual(["create-cluster", "load", "delete-cluster", "report"]);

    fs.writeFileSync(path.join(cwd, "pipelines", "cond.ts"), source(PARAMS, '  p.task("t", { image: "alpine:3", when: { param: p.params.env, equals: "prod" } });'));
    const all = gantry(["compile", "pipelines", "--out", "out2", "--target", "jobs"], cwd);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toContain('warning GANTRY4032: pipeline "cond": with the parameters\' defaults (env="dev") every task is skipped');

    fs.writeFileSync(path.join(cwd, "pipelines", "cond.ts"), source(`{ parameters: { env: {} } }`, '  p.task("t", { image: "alpine:3", when: { param: p.params.env, equals: "prod" } });\n  p.task("u", { image: "alpine:3" });'));
    const none = gantry(["compile", "pipelines", "--out", "out3", "--target", "jobs"], cwd);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error GANTRY4011: task "t": its `when` reads parameter "env", which has no default');
    expect(fs.existsSync(path.join(cwd, "out3"))).toBe(false);
  });
});

describe("a finally task's `when` on the run's result (`runStatus`)", () => {
  it("checks: outside a finally task it is GANTRY2026 at the key; `param: p.runStatus` is GANTRY2041 pointing to runStatus; only Succeeded or Failed; it stands alone", async () => {
    const src = source(PARAMS, [
      '  const w = p.task("w", { image: "x", when: { runStatus: "Failed" } });',
      '  p.finally("f", { image: "x", when: { param: p.runStatus, equals: "Failed" } });',
    ].join("\n"));
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual([`GANTRY2026 ${loc("main.ts", src, "runStatus:")}`, `GANTRY2041 ${loc("main.ts", src, "p.runStatus")}`].sort());
    const byCode = Object.fromEntries(r.diagnostics.map((d) => [d.code, d]));
    expect(byCode.GANTRY2026!.message).toContain("when.runStatus: the run's result is only known to finally tasks");
    expect(byCode.GANTRY2041!.message).toContain("not p.runStatus");
    expect(byCode.GANTRY2041!.hint).toContain('`{ runStatus: "Failed" }`');
    const cases: [string, string][] = [
      [`{ runStatus: "Error" }`, '`runStatus` is "Succeeded" or "Failed"'],
      [`{ runStatus: "Failed", param: p.params.env, equals: "dev" }`, "`runStatus` stands alone in its object, without `param`"],
      [`{ runStatus: "Failed", any: [{ runStatus: "Succeeded" }] }`, "`runStatus` stands alone in its object, without `any`"],
    ];
    for (const [when, expected] of cases) {
      const bad = await compileFiles({ "main.ts": source(PARAMS, `  p.task("w", { image: "x" });\n  p.finally("f", { image: "x", when: ${when} } as any);`) });
      expect(bad.ok, when).toBe(false);
      expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"), when).toContain(expected);
    }
    const ok = await compileFiles({ "main.ts": source(PARAMS, `  p.task("w", { image: "x" });\n  p.finally("f", { image: "x", when: { not: { runStatus: "Succeeded" } } });`) });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.ir.tasks[1]!.when).toEqual({ not: { runStatus: "Succeeded" } });
  });

  it("the evaluator: a finally task tests the result of every other task; skipped, it fails nothing", () => {
    const pipeline = ir([
      { name: "load" },
      { name: "check", allowFailure: true },
      { name: "alert", role: "finally", when: { runStatus: "Failed" } },
      { name: "celebrate", role: "finally", when: { runStatus: "Succeeded" } },
      { name: "prod-alert", role: "finally", when: { all: [{ runStatus: "Failed" }, { param: "env", in: ["prod"] }] } },
    ]);
    const states = (outcomes: Record<string, Outcome>, env = "dev") => evaluate(pipeline, outcomes, undefined, new Map([["env", env]]));
    expect(states({})).toMatchObject({ result: "succeeded", states: { alert: "skipped", celebrate: "succeeded", "prod-alert": "skipped" } });
    // A failure that does not fail the run (allowFailure) is a success for the finally tasks too.
    expect(states({ check: "fails" })).toMatchObject({ result: "succeeded", states: { alert: "skipped", celebrate: "succeeded" } });
    expect(states({ load: "errors" })).toMatchObject({ result: "failed", states: { alert: "succeeded", celebrate: "skipped", "prod-alert": "skipped" } });
    expect(states({ load: "fails" }, "prod").states["prod-alert"]).toBe("succeeded");
    // The alert's own failure fails the run, as any finally task's does.
    expect(states({ load: "fails", alert: "fails" }).reasons).toEqual(["work load failed", "finally alert failed"]);
    expect(holds({ runStatus: "Failed" }, new Map())).toBe(false);
  });

  it("Argo: the exit handler's DAG tests {{workflow.status}}; the simulated controller agrees with the evaluator for 60 random pipelines, every value and outcome", () => {
    let runs = 0;
    let tested = 0;
    const seen = new Set<string>();
    for (const pipeline of validRandomPipelines(60, 4711, "runStatus")) {
      const workflow = JSON.parse(JSON.stringify(toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0]));
      const exit = workflow.spec.templates.find((t: { name: string }) => t.name === "gantry-finally");
      for (const t of exit?.dag.tasks ?? []) if (String(t.when).includes("{{workflow.status}}")) tested++;
      for (const values of PARAMETER_VALUES) {
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 6, 300, runs + 1)) {
          const finals = evaluate(pipeline, outcomes, undefined, values);
          for (const t of pipeline.tasks) if (t.role === "finally" && t.when) seen.add(`${JSON.stringify(t.when).includes("runStatus")} ${finals.result} ${finals.states[t.name]}`);
          expect(argoAgrees(pipeline, values, outcomes, workflow)).toBeUndefined();
          runs++;
        }
      }
    }
    expect(tested).toBeGreaterThan(20);
    // Finally tasks that test the result both ran and were skipped, after runs that succeeded and failed.
    for (const result of ["succeeded", "failed"]) for (const state of ["succeeded", "skipped"]) expect([...seen]).toContain(`true ${result} ${state}`);
    expect(runs).toBeGreaterThan(10_000);
    // And the check sees the exit handler's `when` left out, or its test turned round.
    const pipeline = [...validRandomPipelines(60, 4711, "runStatus")].find((p) => p.tasks.some((t) => t.role === "finally" && JSON.stringify(t.when ?? {}) === '{"runStatus":"Failed"}'))!;
    const workflow = JSON.parse(JSON.stringify(toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0]));
    const mutated = (change: (task: { when?: string }) => void) => {
      const copy = structuredClone(workflow);
      for (const t of copy.spec.templates.find((x: { name: string }) => x.name === "gantry-finally").dag.tasks) change(t);
      const everything = pipeline.tasks.map((t) => t.name);
      return [{}, Object.fromEntries(everything.filter((n) => pipeline.tasks.find((t) => t.name === n)!.role !== "finally").map((n) => [n, "fails"]))].some((outcomes) => argoAgrees(pipeline, PARAMETER_VALUES[0]!, outcomes as Record<string, Outcome>, copy) !== undefined);
    };
    expect(mutated(() => undefined)).toBe(false);
    expect(mutated((t) => delete t.when)).toBe(true);
    expect(mutated((t) => void (t.when &&= t.when.replace("!=", "==")))).toBe(true);
  }, 300_000);

  /** The IR of a pipeline with task `load` and these finally tasks, compiled from source. */
  const withFinally = async (finals: string, options = PARAMS) => {
    const r = await compileFiles({ "main.ts": source(options, `  p.task("load", { image: "x" });\n${finals}`) });
    expect(r.diagnostics).toEqual([]);
    return r.pipelines[0]!.ir;
  };

  it("Argo: renders Failed as != Succeeded (Argo's Error is a failure too), combined with a parameter test", async () => {
    const pipeline = await withFinally([
      '  p.finally("alert", { image: "x", when: { any: [{ runStatus: "Failed" }, { param: p.params.env, notEquals: "dev" }] } });',
      '  p.finally("ok", { image: "x", when: { runStatus: "Succeeded" } });',
    ].join("\n"));
    const workflow = toArgo(lower(pipeline).plan, { kind: "workflow" }).objects[0] as any;
    const exit = workflow.spec.templates.find((t: { name: string }) => t.name === "gantry-finally");
    // Then the gate, which counts a skipped finally task as no failure.
    expect(exit.dag.tasks.map((t: { name: string; when?: string }) => [t.name, t.when])).toEqual([
      ["alert", `'{{workflow.status}}' != 'Succeeded' || !({{=workflow.parameters["env"] == "dev"}})`],
      ["ok", `'{{workflow.status}}' == 'Succeeded'`],
      ["gantry-result", undefined],
    ]);
    expect(exit.dag.tasks[2].depends).toBe("(alert.Succeeded || alert.Skipped) && (ok.Succeeded || ok.Skipped)");
  });

  it("jobs: the defaults decide the parameter part; what is left is a test of the result alone, or none", async () => {
    const finalWhen = async (when: string, env = "dev") => {
      const pipeline = await withFinally(`  p.finally("f", { image: "x", when: ${when} });`, `{ parameters: { env: { default: "${env}" } } }`);
      const plan = lower(pipeline, { decideWhen: true }).plan;
      return { skipped: plan.skipped, when: plan.pipeline.tasks.find((t) => t.name === "f")?.when, runsIf: plan.tasks.find((t) => t.task.name === "f")?.runsIf };
    };
    const dev = `{ param: p.params.env, equals: "dev" }`;
    expect(await finalWhen(`{ all: [{ runStatus: "Failed" }, ${dev}] }`)).toEqual({ skipped: [], when: { runStatus: "Failed" }, runsIf: { runStatus: "Failed" } });
    expect(await finalWhen(`{ all: [{ runStatus: "Failed" }, ${dev}] }`, "prod")).toEqual({ skipped: ["f"], when: undefined, runsIf: undefined });
    expect(await finalWhen(`{ any: [{ runStatus: "Failed" }, ${dev}] }`)).toEqual({ skipped: [], when: undefined, runsIf: undefined });
    expect(await finalWhen(`{ any: [{ runStatus: "Failed" }, ${dev}] }`, "prod")).toEqual({ skipped: [], when: { runStatus: "Failed" }, runsIf: { runStatus: "Failed" } });
    expect(await finalWhen(`{ not: { runStatus: "Failed" } }`)).toEqual({ skipped: [], when: { runStatus: "Succeeded" }, runsIf: { runStatus: "Succeeded" } });
    expect(await finalWhen(`{ all: [{ runStatus: "Failed" }, { runStatus: "Succeeded" }] }`)).toEqual({ skipped: ["f"], when: undefined, runsIf: undefined });
    // With every other task skipped, the result is known when compiling: a run of skips succeeds.
    const allSkipped = await withFinally(`  p.finally("alert", { image: "x", when: { runStatus: "Failed" } });\n  p.finally("ok", { image: "x", when: { runStatus: "Succeeded" } });`);
    const onlyLoad = { ...allSkipped, tasks: allSkipped.tasks.map((t) => (t.name === "load" ? { ...t, when: { param: "env", in: ["prod"] } } : t)) };
    const plan = lower(onlyLoad, { decideWhen: true }).plan;
    expect([plan.skipped, plan.pipeline.tasks.map((t) => [t.name, t.when])]).toEqual([["load", "alert"], [["ok", undefined]]]);
  });

  it("jobs: what decideWhen leaves behaves as the declared pipeline under the defaults (80 random pipelines whose finally tasks test the result, every outcome)", () => {
    let residues = 0;
    for (const declared of validRandomPipelines(80, 5150, "runStatus")) {
      const { plan } = lower(declared, { decideWhen: true });
      residues += plan.pipeline.tasks.filter((t) => t.when).length;
      for (const outcomes of assignments(declared.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 6, 200, residues + 11)) {
        const full = evaluate(declared, outcomes);
        const decided = evaluate(plan.pipeline, outcomes);
        const context = `${declared.name} ${JSON.stringify(outcomes)}`;
        for (const n of plan.skipped) expect(["skipped", "not-run"], `${context} ${n}`).toContain(full.states[n]);
        for (const t of plan.pipeline.tasks) expect(decided.states[t.name], `${context} ${t.name}`).toBe(full.states[t.name]);
        expect(decided.result, context).toBe(full.result);
      }
    }
    expect(residues).toBeGreaterThan(20);
  }, 120_000);

  it("jobs: with every other task skipped by the defaults, a finally task reading p.runStatus still gets an await-deps that writes it (Succeeded)", async () => {
    const r = await compileFiles({
      "main.ts": source(PARAMS, [
        '  p.task("load", { image: "x", when: { param: p.params.env, equals: "prod" } });',
        '  p.finally("report", { image: "x", command: ["sh", "-c", `echo ${p.runStatus}`] });',
      ].join("\n")),
    });
    expect(r.diagnostics).toEqual([]);
    const { plan } = lower(r.pipelines[0]!.ir, { decideWhen: true });
    expect(plan.skipped).toEqual(["load"]);
    const out = toJobs(plan, { runId: "r1" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const run = simulateJobs(JSON.parse(JSON.stringify(out.objects)), {});
    expect(run).toMatchObject({ status: "Complete", started: ["report"], runStatus: { report: "Succeeded" } });
    // The metadata file's view of which pods wait (notEnforced) is the backend's (review finding: it was not).
    const reportJob = (out.objects as any[]).find((o) => o.kind === "Job" && o.metadata.labels["gantry.dev/task"] === "report");
    expect(reportJob.spec.template.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(["await-deps"]);
    expect(waitsForOthers(plan.tasks.find((t) => t.task.name === "report")!)).toBe(true);
  });

  it("the CLI, both targets: the exit handler's when; on jobs the await-deps config's runsIf, exit code 94 a FailJob, no run-status file unless the task reads it", () => {
    const cwd = tempProject({
      "pipelines/cond.ts": source(PARAMS, [
        '  p.task("load", { image: "alpine:3" });',
        '  p.finally("page-oncall", { image: "alpine:3", when: { runStatus: "Failed" } });',
        '  p.finally("report", { image: "alpine:3", command: ["sh", "-c", `echo ${p.runStatus}`], when: { any: [{ runStatus: "Succeeded" }, { param: p.params.env, equals: "prod" }] } });',
      ].join("\n")),
    });
    const argo = gantry(["compile", "pipelines", "--out", "out"], cwd);
    expect(argo.code, argo.stderr).toBe(0);
    const wf = parse(fs.readFileSync(path.join(cwd, "out", "cond.yaml"), "utf8").replace(/^#.*\n---\n/, ""));
    const exit = wf.spec.templates.find((t: { name: string }) => t.name === "gantry-finally");
    expect(exit.dag.tasks.find((t: { name: string }) => t.name === "page-oncall").when).toBe("'{{workflow.status}}' != 'Succeeded'");

    const jobs = gantry(["compile", "pipelines", "--out", "jobs", "--target", "jobs"], cwd);
    expect(jobs.code, jobs.stderr).toBe(0);
    const docs = parseAllDocuments(fs.readFileSync(path.join(cwd, "jobs", "cond.yaml"), "utf8")).map((d) => d.toJS());
    const job = (task: string) => docs.find((d) => d?.kind === "Job" && d.metadata.labels["gantry.dev/task"] === task);
    const awaitConfig = (task: string) => JSON.parse(job(task).spec.template.spec.initContainers[0].env.find((e: { name: string }) => e.name === "GANTRY_AWAIT").value);
    expect(awaitConfig("page-oncall")).toMatchObject({ runStatus: { when: { all: [{ task: "load", is: "succeeded" }] } }, runsIf: { runStatus: "Failed" } });
    expect(awaitConfig("page-oncall").runStatus.file).toBeUndefined();
    expect(awaitConfig("report")).toMatchObject({ runStatus: { when: { all: [{ task: "load", is: "succeeded" }] }, file: "/var/run/gantry/run-status" }, runsIf: { runStatus: "Succeeded" } });
    expect(job("page-oncall").spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain("gantry-run-status");
    expect(job("page-oncall").spec.podFailurePolicy.rules[0].onExitCodes.values).toContain(94);
    // The status Job counts a skipped finally task as no failure.
    const status = docs.find((d) => d?.kind === "Job" && d.metadata.labels["gantry.dev/role"] === "status");
    const statusConfig = JSON.parse(status.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "GANTRY_STATUS").value);
    expect(statusConfig.when).toEqual({ all: [{ all: [{ task: "load", is: "succeeded" }] }, { all: [{ task: "page-oncall", is: "succeededOrSkipped" }, { task: "report", is: "succeededOrSkipped" }] }] });
  });
});
