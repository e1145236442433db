/**
 * Fan-out over another task's output (`forEach: handle.output("name")`, Argo only; docs/dsl.md):
 * its checks, with positions; the evaluator (an empty list skips, a value that is no JSON list
 * errors); on Argo, the simulated controller running the emitted `withParam` agrees with the
 * reference evaluator for random pipelines, parameter values, outcomes and written lists; the
 * emitted shape; on the jobs target, GANTRY4037 through the real CLI, and nothing written.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toArgo } from "../src/backends/argo/index.js";
import type * as IR from "../src/ir/index.js";
import { evaluate, lower } from "../src/phases/4-lower/index.js";
import { argoAgrees, type Written } from "./support/argo-agreement.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { assignments, LIST_OUTPUT_VALUES, PARAMETER_VALUES, validRandomPipelines } from "./support/random-pipelines.js";
import { rng } from "./support/rng.js";
import { validateAll } from "./support/validate-manifests.js";

const source = (body: string, options = `{ parameters: { env: { default: "prod" } } }`) => `import { pipeline } from "gantry";\nexport default pipeline("fan", ${options}, (p) => {\n${body}\n});\n`;
const LIST = '  const list = p.task("list", { image: "x", outputs: { parts: "/tmp/parts", maybe: { path: "/tmp/maybe", default: "[]" }, n: { path: "/tmp/n", default: "0" } } });';

describe("checks: the list is a read of an output, held to the rules of any read", () => {
  it("a producer not upstream, a reader that may run without its success, an undeclared output are GANTRY2044/2045 at forEach; a default that is no JSON list is GANTRY2046", async () => {
    const src = source(
      [
        LIST,
        '  const other = p.task("other", { image: "x" });',
        '  p.task("a", { image: "x", forEach: list.output("parts"), after: [other] });',
        '  p.task("b", { image: "x", forEach: list.output("parts"), after: [list], trigger: "allDone" });',
        '  p.task("c", { image: "x", forEach: list.output("n"), after: [list] });',
        '  p.task("d", { image: "x", forEach: list.output("nope" as never), after: [list] });',
        '  p.task("e", { image: "x", forEach: list.output("maybe"), after: [list], trigger: "allDone" });',
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [
        `GANTRY2044 ${loc("main.ts", src, 'list.output("parts")', 1)}`,
        `GANTRY2045 ${loc("main.ts", src, 'list.output("parts")', 2)}`,
        `GANTRY2046 ${loc("main.ts", src, 'list.output("n")')}`,
        `GANTRY2044 ${loc("main.ts", src, 'list.output("nope" as never)')}`,
      ].sort(),
    );
    const message = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => d.message);
    expect(message("GANTRY2044")).toContain('task "a": forEach reads output "parts" of task "list", which is not upstream of it: nothing makes "list" finish before "a" starts');
    expect(message("GANTRY2046")).toEqual(['task "c": forEach runs over output "n" of task "list", whose default "0" is not a JSON list; the task would fail whenever "list" did not succeed']);
    // The hint offers a list default, which an empty list skips.
    expect(r.diagnostics.find((d) => d.code === "GANTRY2045")!.hint).toContain('outputs: { parts: { path: "/tmp/parts", default: "[]" } }');
  });

  it("text around an output placeholder is GANTRY2046, naming both forms; a fan-out's own outputs stay refused", async () => {
    const src = source([LIST, '  p.task("a", { image: "x", forEach: `${list.output("parts")},`, after: [list] });', '  p.task("b", { image: "x", forEach: list.output("parts"), after: [list], outputs: { o: "/tmp/o" } });'].join("\n"));
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual([`GANTRY2046 ${loc("main.ts", src, '`${list.output("parts")},`')}`, `GANTRY2046 ${loc("main.ts", src, "outputs", 2)}`].sort());
    expect(r.diagnostics.map((d) => d.message)).toContain('task "a": forEach must be a list parameter, written p.params.NAME, or another task\'s output, written handle.output("name"), not "{{tasks.list.outputs.parts},"'.replace("parts},", "parts}},"));
  });

  it("the producer's handle, or a list written out, in forEach is GANTRY2001 at the value, saying what to write", async () => {
    const src = source([LIST, '  p.task("a", { image: "x", forEach: list as never, after: [list] });', '  p.task("b", { image: "x", forEach: ["x", "y"] as never });'].join("\n"));
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual([`GANTRY2001 ${loc("main.ts", src, "list as never")}`, `GANTRY2001 ${loc("main.ts", src, '["x", "y"] as never')}`].sort());
    expect(r.diagnostics.map((d) => d.message).sort()).toEqual([
      'task "a": forEach: takes an output of task "list", written handle.output("name"), not the task\'s handle',
      'task "b": forEach: takes a list each run gives: a list parameter (p.params.NAME) or a task\'s output (handle.output("name")); a list written in the pipeline needs no forEach: declare one task per item with a loop or `.map`',
    ]);
  });
});

describe("semantics: the list is the output once its task succeeded, else its default", () => {
  it("a list runs the fan-out; an empty one skips it and what needed it; a value that is no list errors it and fails the run; a producer that failed gives the default", async () => {
    const r = await compileFiles({
      "main.ts": source([LIST, '  const l = p.task("load", { image: "x", forEach: list.output("parts"), args: [p.item], after: [list] });', '  p.task("report", { image: "x", after: [l] });', '  p.task("late", { image: "x", forEach: list.output("maybe"), after: [list], trigger: "allDone" });'].join("\n")),
    });
    expect(r.diagnostics).toEqual([]);
    const ir = r.pipelines[0]!.ir;
    const run = (parts: string, outcomes = {}) => evaluate(ir, outcomes, undefined, undefined, { list: { parts, maybe: '["m"]' } });
    expect(run('["a","b"]').states).toEqual({ list: "succeeded", load: "succeeded", report: "succeeded", late: "succeeded" });
    expect(run("[]").states).toEqual({ list: "succeeded", load: "skipped", report: "skipped", late: "succeeded" });
    expect(run("[]").result).toBe("succeeded");
    const notAList = run("a,b");
    expect(notAList.states).toMatchObject({ load: "errored", report: "not-run" });
    expect(notAList.ran).not.toContain("load");
    expect(notAList.result).toBe("failed");
    // `list` failed: `late` (allDone) runs over the default, an empty list, so it is skipped.
    expect(run('["a"]', { list: "fails" }).states).toEqual({ list: "failed", load: "not-run", report: "not-run", late: "skipped" });
  });
});

/** A random list (or a value that is no list) for each task's output `v`, what it writes when it succeeds. */
function randomLists(pipeline: IR.Pipeline, r: () => number): Written {
  return Object.fromEntries(pipeline.tasks.filter((t) => t.outputs).map((t) => [t.name, { v: LIST_OUTPUT_VALUES[Math.floor(r() * LIST_OUTPUT_VALUES.length)]! }]));
}

describe("argo: the simulated controller agrees with the evaluator", () => {
  it("120 random pipelines fanning out over outputs, every parameter value, sampled outcomes and written lists", () => {
    let runs = 0;
    let fanOuts = 0;
    const states = new Set<string>();
    const r = rng(77);
    for (const pipeline of validRandomPipelines(120, 4711, "fanOutOutputs")) {
      const fans = pipeline.tasks.filter((t) => t.forEach);
      fanOuts += fans.length;
      const out = toArgo(lower(pipeline).plan, { kind: "workflow" });
      expect(validateAll(out.objects)).toEqual([]);
      const workflow = JSON.parse(JSON.stringify(out.objects[0]));
      for (const values of PARAMETER_VALUES) {
        for (const outcomes of assignments(pipeline.tasks.map((t) => t.name), ["succeeds", "fails", "errors"], 0, 40, runs + 1)) {
          const written = randomLists(pipeline, r);
          expect(argoAgrees(pipeline, values, outcomes, workflow, written)).toBeUndefined();
          for (const t of fans) states.add(evaluate(pipeline, outcomes, undefined, values, written).states[t.name]!);
          runs++;
        }
      }
    }
    expect(fanOuts).toBeGreaterThan(50);
    expect([...states].sort()).toEqual(["errored", "failed", "not-run", "skipped", "succeeded"]);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);

  it("withParam is the output's tag; with a guard or a default, one expression tag that looks up the output only when it exists", async () => {
    const r = await compileFiles({
      "main.ts": source(
        [
          LIST,
          '  p.task("load", { image: "x", forEach: list.output("parts"), args: ["--part", p.item], after: [list] });',
          '  p.task("gated", { image: "x", forEach: list.output("parts"), args: [p.item], after: [list], when: { param: p.params.env, equals: "prod" } });',
          '  p.task("late", { image: "x", forEach: list.output("maybe"), args: [p.item], after: [list], trigger: "allDone" });',
        ].join("\n"),
      ),
    });
    expect(r.diagnostics).toEqual([]);
    const wf = toArgo(lower(r.pipelines[0]!.ir).plan, { kind: "template" }).objects[0] as any;
    const byName = Object.fromEntries(wf.spec.templates[0].dag.tasks.map((t: any) => [t.name, t]));
    expect(byName.load).toEqual({ name: "load", template: "load", arguments: { parameters: [{ name: "item", value: "{{item}}" }] }, depends: "list.Succeeded", withParam: "{{tasks.list.outputs.parameters.parts}}" });
    expect(byName.gated.withParam).toBe('{{=workflow.parameters["env"] == "prod" ? tasks["list"].outputs.parameters["parts"] : "[]"}}');
    expect(byName.gated.when).toBeUndefined();
    expect(byName.late.withParam).toBe('{{=(tasks["list"].status == "Succeeded" ? tasks["list"].outputs.parameters["maybe"] : "[]")}}');
    // The list is not an input of the copies' template: only the item is.
    const template = wf.spec.templates.find((t: any) => t.name === "load");
    expect(template.inputs).toEqual({ parameters: [{ name: "item" }] });
    expect(template.container.args).toEqual(["--part", "{{inputs.parameters.item}}"]);
  });
});

describe("the CLI", () => {
  const FILE = source([LIST, '  const l = p.task("load", { image: "alpine:3", forEach: list.output("parts"), command: ["sh", "-c", "load \\"$P\\""], env: { P: p.item }, after: [list] });', '  p.task("report", { image: "alpine:3", after: [l] });'].join("\n"));

  it("compiles for Argo with the fan-out in the metadata and the graph; on the jobs target it is GANTRY4037 at the task, and nothing is written", () => {
    const cwd = tempProject({ "pipelines/fan.ts": FILE });
    const argo = gantry(["compile", "pipelines", "--out", "argo", "--metadata"], cwd);
    expect(argo.code, argo.stderr).toBe(0);
    const wf = parse(fs.readFileSync(path.join(cwd, "argo", "fan.yaml"), "utf8"));
    expect(wf.spec.templates[0].dag.tasks.find((t: any) => t.name === "load").withParam).toBe("{{tasks.list.outputs.parameters.parts}}");
    const metadata = JSON.parse(fs.readFileSync(path.join(cwd, "argo", "fan.metadata.json"), "utf8"));
    expect(metadata.tasks.find((t: any) => t.name === "load").forEach).toEqual({ output: { task: "list", name: "parts" } });
    const graph = gantry(["graph", "pipelines/fan.ts"], cwd);
    expect(graph.stdout).toContain("load<br/>for each of list.parts");

    fs.mkdirSync(path.join(cwd, "jobs"));
    fs.writeFileSync(path.join(cwd, "jobs", "keep.yaml"), "kept\n");
    const jobs = gantry(["compile", "pipelines", "--target", "jobs", "--out", "jobs"], cwd);
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toContain(`pipelines/fan.ts:${loc("main.ts", FILE, '"load"').split(":").slice(1).join(":")}: error GANTRY4037: task "load": its \`forEach\` runs over output "parts" of task "list"`);
    expect(jobs.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(path.join(cwd, "jobs"))).toEqual(["keep.yaml"]);
    const explained = gantry(["explain", "GANTRY4037"], cwd);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain("--target argo");
  });

  it("on the jobs target, a fan-out whose producer the defaults skip runs over the output's default, known now: one Job per item, or skipped when it is empty", async () => {
    const compiled = (fallback: string) =>
      compileFiles({
        "main.ts": source(
          [
            `  const list = p.task("list", { image: "x", outputs: { parts: { path: "/tmp/parts", default: ${JSON.stringify(fallback)} } }, when: { param: p.params.env, equals: "dev" } });`,
            '  const l = p.task("load", { image: "x", forEach: list.output("parts"), args: [p.item], after: [list], trigger: "allDone" });',
            '  p.task("report", { image: "x", after: [l] });',
          ].join("\n"),
        ),
      });
    const empty = await compiled("[]");
    expect(empty.diagnostics).toEqual([]);
    const skipped = lower(empty.pipelines[0]!.ir, { decideWhen: true });
    // Every task skipped: the warning that a run does nothing, and no error.
    expect(skipped.diagnostics.map((d) => [d.code, d.severity])).toEqual([["GANTRY4032", "warning"]]);
    expect(skipped.plan.skipped).toEqual(["list", "load", "report"]);

    const two = await compiled('["a",{"id":2}]');
    expect(two.diagnostics).toEqual([]);
    const expanded = lower(two.pipelines[0]!.ir, { decideWhen: true });
    expect(expanded.diagnostics).toEqual([]);
    expect(expanded.plan.skipped).toEqual(["list"]);
    expect(expanded.plan.pipeline.tasks.map((t) => [t.name, t.args, t.dependencies])).toEqual([
      ["load-0", ["a"], []],
      ["load-1", ['{"id":2}'], []],
      ["report", undefined, ["load-0", "load-1"]],
    ]);
  });
});
