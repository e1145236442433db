/**
 * Run-time fan-out (`forEach` over a list parameter, `p.item`; docs/dsl.md): its checks, with
 * positions; on Argo, the simulated controller running the emitted `withParam` agrees with the
 * reference evaluator for every parameter value, list and outcome, a copy failing alone included;
 * on the jobs target, one Job per item of the default, whose simulated run agrees with the
 * evaluator too; and the real CLI on both targets.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { toArgo } from "../src/backends/argo/index.js";
import { toJobs } from "../src/backends/jobs/index.js";
import type * as IR from "../src/ir/index.js";
import { evaluate, lower, type Outcome } from "../src/phases/4-lower/index.js";
import { argoAgrees } from "./support/argo-agreement.js";
import { simulateJobs } from "./support/jobs-sim.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { assignments, FAN_OUT_VALUES, PARAMETER_VALUES, validRandomPipelines } from "./support/random-pipelines.js";
import { validateAll } from "./support/validate-manifests.js";

const source = (options: string, body: string) => `import { pipeline } from "gantry";\nexport default pipeline("fan", ${options}, (p) => {\n${body}\n});\n`;
const PARAMS = `{ parameters: { tables: { default: ["orders", "users"] }, env: { default: "prod" }, one: { default: "x" } } }`;

describe("checks", () => {
  it("forEach must be one list parameter: a constant, a scalar parameter, text around a placeholder are GANTRY2046 at the value; an unknown one GANTRY2010", async () => {
    const src = source(
      PARAMS,
      [
        '  p.task("a", { image: "x", forEach: "orders" });',
        '  p.task("b", { image: "x", forEach: p.params.one });',
        '  p.task("c", { image: "x", forEach: `${p.params.tables},` });',
        '  p.task("d", { image: "x", forEach: "{{params.nope}}" });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [`GANTRY2046 ${loc("main.ts", src, '"orders"', 2)}`, `GANTRY2046 ${loc("main.ts", src, "p.params.one")}`, `GANTRY2046 ${loc("main.ts", src, "`${p.params.tables},`")}`, `GANTRY2010 ${loc("main.ts", src, '"{{params.nope}}"')}`].sort(),
    );
    const byCode = r.diagnostics.filter((d) => d.code === "GANTRY2046").map((d) => d.message);
    expect(byCode).toContain('task "a": forEach must be a list parameter, written p.params.NAME, or another task\'s output, written handle.output("name"), not "orders"');
    expect(byCode).toContain('task "b": forEach runs over parameter "one", whose default "x" is not a list');
    expect(r.diagnostics.find((d) => d.message.includes('task "a"'))!.hint).toContain("loop or `.map`");
  });

  it("a setup, a finally task, a teardown and a fan-out with outputs are refused at the field; a list parameter with an enum is GANTRY2016", async () => {
    const src = source(
      `{ parameters: { tables: { default: ["a"] }, picked: { default: ["a"], enum: ["a"] } } }`,
      [
        '  const s = p.setup("s", { image: "x", forEach: p.params.tables });',
        '  p.teardown("t", { image: "x", setups: [s], forEach: p.params.tables } as never);',
        '  p.finally("f", { image: "x", forEach: p.params.tables } as never);',
        '  p.task("w", { image: "x", forEach: p.params.tables, outputs: { n: "/tmp/n" } });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [
        `GANTRY2046 ${loc("main.ts", src, "forEach", 1)}`,
        `GANTRY2001 ${loc("main.ts", src, "p.params.tables", 2)}`,
        `GANTRY2046 ${loc("main.ts", src, "forEach", 3)}`,
        `GANTRY2046 ${loc("main.ts", src, "outputs")}`,
        `GANTRY2016 ${loc("main.ts", src, "enum")}`,
      ].sort(),
    );
    expect(r.diagnostics.find((d) => d.code === "GANTRY2001")!.message).toContain("a teardown runs once for its setups: it has no `forEach`");
    expect(r.diagnostics.find((d) => d.code === "GANTRY2016")!.message).toBe('parameter "picked": a list parameter (its default is a list) has no enum');
  });

  it("p.item outside a fan-out task, or outside its command, args, source and env values, is GANTRY2047 at the value", async () => {
    const src = source(
      PARAMS,
      [
        '  p.task("plain", { image: "x", args: [p.item] });',
        '  p.task("fan", { image: `x:${p.item}`, forEach: p.params.tables, args: ["--t", p.item], env: { T: p.item }, labels: { t: p.item } });',
        '  p.task("cond", { image: "x", forEach: p.params.tables, source: `echo ${p.item}`, when: { param: p.params.env, equals: p.item } });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [
        `GANTRY2047 ${loc("main.ts", src, "p.item")}`,
        `GANTRY2047 ${loc("main.ts", src, "`x:${p.item}`")}`,
        `GANTRY2047 ${loc("main.ts", src, "p.item", 5)}`,
        `GANTRY2041 ${loc("main.ts", src, "p.item", 7)}`,
      ].sort(),
    );
    expect(r.diagnostics.map((d) => d.message)).toContain('task "plain": args.0 uses p.item, but the task has no forEach');
    expect(r.diagnostics.map((d) => d.message)).toContain('task "fan": image uses p.item, which is known only once a copy of the task runs; image must be fixed when the task is compiled');
  });

  it("a list default's items are checked as any parameter value would be (GANTRY2016), and a default that is not a list of scalars is refused", async () => {
    const src = source(`{ parameters: { tables: { default: ["ok", "bell\\u0007"] } } }`, '  p.task("w", { image: "x", forEach: p.params.tables, args: [p.item] });');
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2016 ${loc("main.ts", src, '"bell')}`]);
    expect(r.diagnostics[0]!.message).toContain('its item "bell\\u0007" holds the character');
    const nested = source(`{ parameters: { tables: { default: [["a"]] as never } } }`, '  p.task("w", { image: "x" });');
    const n = await compileFiles({ "main.ts": nested });
    expect(n.diagnostics.map((d) => d.code)).toEqual(["GANTRY2001"]);
    expect(n.diagnostics[0]!.message).toBe('pipeline "fan": parameters.tables.default: a parameter\'s default is a string, a number, a boolean, or a list of them');
  });
});

describe("semantics: a fan-out is one task of the rules, skipped when its list is empty", () => {
  it("the evaluator: an empty list skips the task and what needed it; a list of items runs it", async () => {
    const r = await compileFiles({ "main.ts": source(PARAMS, ['  const l = p.task("load", { image: "x", forEach: p.params.tables, args: [p.item] });', '  p.task("report", { image: "x", after: [l] });', '  p.task("always", { image: "x", after: [l], trigger: "allDone" });'].join("\n")) });
    expect(r.diagnostics).toEqual([]);
    const ir = r.pipelines[0]!.ir;
    const run = (tables: string) => evaluate(ir, {}, undefined, new Map([["tables", tables]]));
    expect(run("[]").states).toEqual({ load: "skipped", report: "skipped", always: "succeeded" });
    expect(run("[]").result).toBe("succeeded");
    expect(run('["a"]').states).toEqual({ load: "succeeded", report: "succeeded", always: "succeeded" });
    expect(evaluate(ir, { load: "fails" }).states).toEqual({ load: "failed", report: "not-run", always: "succeeded" });
  });
});

describe("argo: the simulated controller agrees with the evaluator", () => {
  it("80 random pipelines with fan-outs, every parameter value and list (empty, one item, three; also null and no list), outcomes with one copy failing", () => {
    // A run may also give `null` (no items, to Argo's JSON reader) or a value that is no JSON list
    // (the task errors); fewer outcomes are sampled for those.
    const odd = PARAMETER_VALUES.flatMap((v) => ["null", "x,y"].map((items) => new Map([...v, ["items", items]])));
    const counts = { errored: 0, skipped: 0 };
    let runs = 0;
    let fanOuts = 0;
    const states = new Set<string>();
    for (const pipeline of validRandomPipelines(80, 1312, "fanOut")) {
      const fans = pipeline.tasks.filter((t) => t.forEach);
      fanOuts += fans.length;
      const out = toArgo(lower(pipeline).plan, { kind: "workflow" });
      expect(validateAll(out.objects)).toEqual([]);
      const workflow = JSON.parse(JSON.stringify(out.objects[0]));
      for (const values of [...FAN_OUT_VALUES, ...odd]) {
        const few = (odd as readonly ReadonlyMap<string, string>[]).includes(values);
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], few ? 0 : 3 ** 5, few ? 10 : 60, runs + 1)) {
          expect(argoAgrees(pipeline, values, outcomes, workflow)).toBeUndefined();
          for (const t of fans) {
            const state = evaluate(pipeline, outcomes, undefined, values).states[t.name]!;
            states.add(state);
            if (few && (state === "errored" || state === "skipped")) counts[state]++;
          }
          runs++;
        }
      }
    }
    expect(fanOuts).toBeGreaterThan(40);
    // `null` skipped fan-outs and "x,y" errored them, whatever their own outcomes.
    expect(counts.errored).toBeGreaterThan(100);
    expect(counts.skipped).toBeGreaterThan(100);
    expect([...states].sort()).toEqual(["errored", "failed", "not-run", "skipped", "succeeded"]);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);

  it("the list is the run's parameter, the guard rides in it, and each copy gets its item as an input", async () => {
    const r = await compileFiles({
      "main.ts": source(PARAMS, ['  const l = p.task("load", { image: "x", forEach: p.params.tables, args: ["--table", p.item], env: { T: p.item } });', '  p.task("gated", { image: "x", forEach: p.params.tables, args: [p.item], after: [l], when: { param: p.params.env, equals: "prod" } });'].join("\n")),
    });
    expect(r.diagnostics).toEqual([]);
    const wf = toArgo(lower(r.pipelines[0]!.ir).plan, { kind: "template" }).objects[0] as any;
    const [load, gated] = wf.spec.templates[0].dag.tasks;
    expect(load).toEqual({ name: "load", template: "load", arguments: { parameters: [{ name: "item", value: "{{item}}" }] }, withParam: "{{workflow.parameters.tables}}" });
    expect(gated.when).toBeUndefined();
    expect(gated.withParam).toBe('{{=(!(tasks["load"].status == "Skipped") and workflow.parameters["env"] == "prod") ? workflow.parameters["tables"] : "[]"}}');
    const template = wf.spec.templates.find((t: any) => t.name === "load");
    expect(template.metadata.labels["gantry.dev/fan-out"]).toBe("load");
    expect(template.inputs).toEqual({ parameters: [{ name: "item" }] });
    expect(template.container.args).toEqual(["--table", "{{inputs.parameters.item}}"]);
    expect(template.container.env).toEqual([{ name: "T", value: "{{inputs.parameters.item}}" }]);
    expect(wf.spec.arguments.parameters[0]).toEqual({ name: "tables", value: '["orders","users"]' });
  });
});

/** The reference state a fan-out's copies stand for together: failed if one failed, else as one. */
function together(states: readonly string[]): string {
  if (states.includes("failed")) return "failed";
  return states.every((s) => s === states[0]) ? states[0]! : `mixed ${states.join(",")}`;
}

const JOB_STATE = { succeeded: "succeeded", failed: "failed", errored: "failed", "not-run": "not-run", skipped: "skipped" } as const;

describe("jobs: one Job per item of the default, whose simulated run agrees with the evaluator", () => {
  it("80 random pipelines with fan-outs, every default, outcomes with one copy failing", () => {
    let runs = 0;
    let copies = 0;
    for (const pipeline of validRandomPipelines(80, 1312, "fanOut")) {
      for (const values of FAN_OUT_VALUES) {
        const declared: IR.Pipeline = { ...pipeline, parameters: pipeline.parameters.map((p) => ({ ...p, default: values.get(p.name) })) };
        const lowered = lower(declared, { decideWhen: true });
        expect(lowered.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const out = toJobs(lowered.plan, { runId: "r1" });
        expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const objects = JSON.parse(JSON.stringify(out.objects));
        const copiesOf = new Map(declared.tasks.filter((t) => t.forEach && !lowered.plan.skipped.includes(t.name)).map((t) => [t.name, lowered.plan.pipeline.tasks.filter((c) => c.name.startsWith(`${t.name}-`)).map((c) => c.name)]));
        for (const c of copiesOf.values()) copies += c.length;
        for (const outcomes of assignments(declared.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 3 ** 5, 60, runs + 3)) {
          // The last copy of a failing fan-out fails; the others succeed.
          const perJob: Record<string, Outcome> = { ...outcomes };
          for (const [name, names] of copiesOf) {
            delete perJob[name];
            names.forEach((c, i) => (perJob[c] = i === names.length - 1 ? outcomes[name] ?? "succeeds" : "succeeds"));
          }
          const expected = evaluate(declared, outcomes);
          const run = simulateJobs(objects, perJob, 7);
          const context = `${declared.name} ${JSON.stringify([...values])} ${JSON.stringify(outcomes)}: reference ${JSON.stringify(expected.states)}, jobs ${run.status} ${JSON.stringify(run.states)}`;
          for (const t of declared.tasks) {
            const want = expected.states[t.name]!;
            if (lowered.plan.skipped.includes(t.name)) {
              expect(["skipped", "not-run"], context).toContain(want);
              continue;
            }
            const got = copiesOf.has(t.name) ? together(copiesOf.get(t.name)!.map((c) => run.states[c]!)) : run.states[t.name];
            expect(got, `${context}: ${t.name}`).toBe(JOB_STATE[want]);
          }
          expect(run.status, context).toBe(expected.result === "succeeded" ? "Complete" : "Failed");
          runs++;
        }
      }
    }
    expect(copies).toBeGreaterThan(100);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);

  it("copies are named NAME-i with their item written in; a copy's name that another task has is GANTRY4036; a list without a default is GANTRY4011", async () => {
    const ok = await compileFiles({ "main.ts": source(PARAMS, ['  const l = p.task("load", { image: "x", forEach: p.params.tables, command: ["sh", "-c", `load ${p.item}`], env: { T: p.item } });', '  p.task("report", { image: "x", after: [l] });'].join("\n")) });
    const { plan, diagnostics } = lower(ok.pipelines[0]!.ir, { decideWhen: true });
    expect(diagnostics).toEqual([]);
    expect(plan.pipeline.tasks.map((t) => [t.name, t.command?.[2], t.env[0]?.value, t.dependencies])).toEqual([
      ["load-0", "load orders", "orders", []],
      ["load-1", "load users", "users", []],
      ["report", undefined, undefined, ["load-0", "load-1"]],
    ]);
    // Each copy says which fan-out it belongs to (a label, to select them all) and its item.
    expect(plan.tasks.map((t) => [t.task.name, t.labels["gantry.dev/fan-out"], t.annotations["gantry.dev/item"], t.copyOf])).toEqual([
      ["load-0", "load", "orders", { task: "load", item: "orders" }],
      ["load-1", "load", "users", { task: "load", item: "users" }],
      ["report", undefined, undefined, undefined],
    ]);
    const clash = await compileFiles({ "main.ts": source(PARAMS, ['  p.task("load", { image: "x", forEach: p.params.tables });', '  p.task("load-1", { image: "x" });'].join("\n")) });
    expect(clash.diagnostics).toEqual([]);
    const clashed = lower(clash.pipelines[0]!.ir, { decideWhen: true }).diagnostics;
    expect(clashed.map((d) => d.code)).toEqual(["GANTRY4036"]);
    expect(clashed[0]!.message).toBe('task "load": the jobs target names its copies after it and their index, and its copy "load-1" would have the name of task "load-1"');
    const none = await compileFiles({ "main.ts": source(`{ parameters: { tables: {} } }`, '  p.task("load", { image: "x", forEach: p.params.tables });') });
    expect(none.diagnostics).toEqual([]);
    const noDefault = lower(none.pipelines[0]!.ir, { decideWhen: true }).diagnostics;
    expect(noDefault.map((d) => d.code)).toEqual(["GANTRY4011"]);
    expect(noDefault[0]!.message).toContain('its `forEach` runs over parameter "tables", which has no default');
  });
});

describe("labels", () => {
  it("gantry.dev/fan-out is Gantry's: a task's own value is GANTRY2028 and not used, on either target; a task without forEach has none", async () => {
    const src = source(PARAMS, ['  p.task("load", { image: "x", forEach: p.params.tables, labels: { "gantry.dev/fan-out": "mine" } });', '  p.task("plain", { image: "x", labels: { "gantry.dev/fan-out": "mine" } });'].join("\n"));
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2028 ${loc("main.ts", src, '"gantry.dev/fan-out"')}`]);
    for (const decideWhen of [false, true]) {
      const { plan, diagnostics } = lower(r.pipelines[0]!.ir, { decideWhen });
      // One finding for the two tasks (and the copies) that set it.
      expect(diagnostics.map((d) => d.code)).toEqual(["GANTRY2028"]);
      expect(diagnostics.map((d) => d.message).join("\n")).toContain('label "gantry.dev/fan-out" is Gantry\'s own, so its value "mine" is not used');
      expect(plan.tasks.map((t) => [t.task.name, t.labels["gantry.dev/fan-out"]])).toEqual(decideWhen ? [["load-0", "load"], ["load-1", "load"], ["plain", undefined]] : [["load", "load"], ["plain", undefined]]);
    }
  });
});

describe("the CLI", () => {
  it("compiles a fan-out for both targets, and explains its codes", () => {
    const cwd = tempProject({
      "pipelines/fan.ts": source(PARAMS, ['  const l = p.task("load", { image: "alpine:3", forEach: p.params.tables, command: ["sh", "-c", "load \\"$T\\""], env: { T: p.item } });', '  p.task("report", { image: "alpine:3", after: [l] });'].join("\n")),
    });
    const argo = gantry(["compile", "pipelines", "--out", "argo"], cwd);
    expect(argo.code, argo.stderr).toBe(0);
    const wf = parse(fs.readFileSync(path.join(cwd, "argo", "fan.yaml"), "utf8"));
    expect(wf.spec.templates[0].dag.tasks[0].withParam).toBe("{{workflow.parameters.tables}}");
    const jobs = gantry(["compile", "pipelines", "--target", "jobs", "--out", "jobs"], cwd);
    expect(jobs.code, jobs.stderr).toBe(0);
    const text = fs.readFileSync(path.join(cwd, "jobs", "fan.yaml"), "utf8");
    expect(text).toMatch(/\n  name: fan-[0-9a-f]+-load-0\n/);
    expect(text).toMatch(/\n  name: fan-[0-9a-f]+-load-1\n/);
    expect(text).toContain("value: users");
    // The copies' Jobs carry the fan-out's label and their item, and the metadata file says so too.
    const load1 = parseAllDocuments(text).map((d) => d.toJS()).find((o) => o?.kind === "Job" && o.metadata.name.endsWith("-load-1"));
    expect(load1.metadata.labels["gantry.dev/fan-out"]).toBe("load");
    expect(load1.metadata.annotations["gantry.dev/item"]).toBe("users");
    expect(load1.spec.template.metadata.labels["gantry.dev/fan-out"]).toBe("load");
    const withMetadata = gantry(["compile", "pipelines", "--target", "jobs", "--out", "jobs-meta", "--metadata"], cwd);
    expect(withMetadata.code, withMetadata.stderr).toBe(0);
    const metadata = JSON.parse(fs.readFileSync(path.join(cwd, "jobs-meta", "fan.metadata.json"), "utf8"));
    expect(metadata.tasks.map((t: any) => [t.name, t.copyOf])).toEqual([
      ["load-0", { task: "load", item: "orders" }],
      ["load-1", { task: "load", item: "users" }],
      ["report", undefined],
    ]);
    for (const code of ["GANTRY2046", "GANTRY2047", "GANTRY4036"]) {
      const explained = gantry(["explain", code], cwd);
      expect(explained.code).toBe(0);
      expect(explained.stdout).toContain(code);
    }
    const bad = tempProject({ "pipelines/bad.ts": source(PARAMS, '  p.task("x", { image: "alpine:3", args: [p.item] });') });
    fs.mkdirSync(path.join(bad, "out"));
    fs.writeFileSync(path.join(bad, "out", "keep.yaml"), "kept\n");
    const failed = gantry(["compile", "pipelines", "--out", "out"], bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("pipelines/bad.ts:3:43: error GANTRY2047");
    expect(fs.readdirSync(path.join(bad, "out"))).toEqual(["keep.yaml"]);
  });
});
