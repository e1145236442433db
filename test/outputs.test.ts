/**
 * Task outputs (`outputs`, `handle.output("name")`): the checks of declarations and reads, with
 * positions; the Argo output (producer `outputs`, reader `inputs`, DAG `arguments`), valid by
 * Argo's schema and rules; the jobs target's refusal; and, for random pipelines, that a read the
 * checks accept is sound: whenever the reading task runs in the simulated controller, the
 * producer has succeeded (or the output has a default), and the producer is among the reader's
 * ancestors, as Argo requires for `{{tasks.X...}}`.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { toArgo } from "../src/backends/argo/index.js";
import { compile } from "../src/compile.js";
import { DiagnosticBag } from "../src/diagnostics/index.js";
import type * as IR from "../src/ir/index.js";
import { outputPlaceholder } from "../src/ir/placeholders.js";
import { checkOutputReads } from "../src/phases/3-validate/checks/outputs.js";
import { waitsForOthers } from "../src/backends/jobs/enforcement.js";
import { lower, type Outcome } from "../src/phases/4-lower/index.js";
import { simulate } from "./support/argo-sim.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { assignments, PARAMETER_VALUES, validRandomPipelines } from "./support/random-pipelines.js";
import { rng } from "./support/rng.js";
import { argoRuleProblems, dependsTaskNames, validateAll } from "./support/validate-manifests.js";

const source = (body: string, options = `{ namespace: "data" }`) => `import { pipeline } from "gantry";\nexport default pipeline("outs", ${options}, (p) => {\n${body}\n});\n`;

const COUNT = `  const count = p.task("tally", { image: "pg", command: ["sh", "-c", "echo 3 > /tmp/rows"], outputs: { rows: "/tmp/rows" } });`;

describe("checks", () => {
  it("bad declarations are GANTRY2043 at the name, the path or the default", async () => {
    const src = source(
      [
        `  p.task("a", { image: "x", outputs: { "row-count": "/tmp/a", ok: "tmp/rows", dir: "/tmp/out/", p: \`/tmp/\${p.params.d}\`, d: { path: "/tmp/d", default: p.params.d } } });`,
        `  p.finally("f", { image: "x", outputs: { rows: "/tmp/rows" } } as never);`,
      ].join("\n"),
      `{ namespace: "data", parameters: { d: { default: "x" } } }`,
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY2043 ${loc("main.ts", src, '"row-count"')}`,
      `GANTRY2043 ${loc("main.ts", src, '"tmp/rows"')}`,
      `GANTRY2043 ${loc("main.ts", src, '"/tmp/out/"')}`,
      `GANTRY2043 ${loc("main.ts", src, "`/tmp/")}`,
      `GANTRY2043 ${loc("main.ts", src, "p.params.d }")}`,
      `GANTRY2043 ${loc("main.ts", src, "outputs", 2)}`,
    ]);
    const messages = r.diagnostics.map((d) => d.message);
    expect(messages[0]).toContain('output name "row-count" must be letters, digits and \'_\'');
    expect(messages[1]).toContain('path "tmp/rows" is not absolute');
    expect(messages[2]).toContain("names a folder");
    expect(messages[3]).toContain("holds a placeholder");
    expect(messages[5]).toContain("a finally task runs after every other task, so no task could read its outputs");
  });

  it("reads that cannot work are GANTRY2044 at the read: an undeclared output (with the likely name), a task not upstream, its own output, a finally reader, another pipeline's task, a field other than command, args, env or script", async () => {
    const src = source(
      [
        COUNT,
        `  p.task("typo", { image: "x", args: [count.output("rowz" as never)], after: [count] });`,
        `  p.task("loose", { image: "x", args: [\`--rows=\${count.output("rows")}\`] });`,
        `  const self = p.task("self", { image: "x", command: ["sh", "-c", "echo 1 > /tmp/n"], outputs: { n: "/tmp/n" }, env: { N: "{{tasks.self.outputs.n}}" } });`,
        `  p.finally("report", { image: "x", args: [count.output("rows")] });`,
        `  p.task("alien", { image: "x", args: ["{{tasks.elsewhere.outputs.rows}}"], after: [count] });`,
        `  p.task("in-image", { image: \`x:\${count.output("rows")}\`, workingDir: count.output("rows"), after: [count, self] });`,
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [
        `GANTRY2044 ${loc("main.ts", src, 'count.output("rowz"')}`,
        `GANTRY2044 ${loc("main.ts", src, "`--rows=")}`,
        `GANTRY2044 ${loc("main.ts", src, '"{{tasks.self')}`,
        `GANTRY2044 ${loc("main.ts", src, 'count.output("rows")] }')}`,
        `GANTRY2044 ${loc("main.ts", src, '"{{tasks.elsewhere')}`,
        `GANTRY2044 ${loc("main.ts", src, "`x:")}`,
        `GANTRY2044 ${loc("main.ts", src, 'count.output("rows"), after: [count, self]')}`,
      ].sort(),
    );
    const byTask = (name: string) => r.diagnostics.filter((d) => d.message.startsWith(`task "${name}"`));
    expect(byTask("typo")[0]!.message).toContain('which declares only "rows"');
    expect(byTask("typo")[0]!.hint).toBe('Did you mean "rows"?');
    expect(byTask("loose")[0]!.message).toContain('which is not upstream of it: nothing makes "tally" finish before "loose" starts');
    expect(byTask("loose")[0]!.hint).toBe("Add it to `after`: `after: [tally]`.");
    expect(byTask("self")[0]!.message).toContain("its own output");
    expect(byTask("report")[0]!.message).toContain("a finally task runs in Argo's exit handler");
    expect(byTask("alien")[0]!.message).toContain('output "rows" of task "elsewhere", which is not a task of this pipeline');
    expect(byTask("in-image").map((d) => d.message.split(" reads")[0])).toEqual(['task "in-image": image', 'task "in-image": workingDir']);
  });

  it("a read whose producer may not have succeeded is GANTRY2045 unless the output has a default: allDone, allowFailure on the way, a teardown of two setups; a task in the producer's scope is sure, allDone or not", async () => {
    const src = source(
      [
        `  const a = p.setup("a", { image: "x", outputs: { id: "/tmp/id", safe: { path: "/tmp/s", default: "none" } } });`,
        `  const b = p.setup("b", { image: "x" });`,
        `  const flaky = p.task("flaky", { image: "x", outputs: { v: "/tmp/v" }, allowFailure: true, after: [a] });`,
        `  const mid = p.task("mid", { image: "x", after: [flaky], allowFailure: true });`,
        `  const w = p.task("w", { image: "x", outputs: { id: "/tmp/id", safe: { path: "/tmp/s", default: "none" } } });`,
        `  p.task("all-done", { image: "x", args: [w.output("id"), w.output("safe")], after: [w], trigger: "allDone" });`,
        `  p.task("in-scope", { image: "x", args: [a.output("id")], after: [flaky], trigger: "allDone" });`,
        `  p.task("after-flaky", { image: "x", args: [flaky.output("v")], after: [flaky] });`,
        `  p.task("after-mid", { image: "x", args: [a.output("id"), flaky.output("v")], after: [mid] });`,
        `  p.teardown("both", { image: "x", args: [a.output("id")], setups: [a, b] });`,
        `  p.teardown("only-a", { image: "x", args: [a.output("id")], setups: [a] });`,
      ].join("\n"),
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where).sort()).toEqual(
      [
        `GANTRY2045 ${loc("main.ts", src, 'w.output("id"), w.output("safe")')}`,
        `GANTRY2045 ${loc("main.ts", src, 'flaky.output("v")], after: [flaky]')}`,
        `GANTRY2045 ${loc("main.ts", src, 'flaky.output("v")], after: [mid]')}`,
        `GANTRY2045 ${loc("main.ts", src, 'a.output("id")], setups: [a, b]')}`,
      ].sort(),
    );
    const messages = r.diagnostics.map((d) => d.message).join("\n");
    expect(messages).toContain('"all-done" has trigger "allDone"');
    expect(messages).toContain('"flaky" has allowFailure');
    expect(messages).toContain("a teardown runs once any one of its setups succeeded");
    // in-scope runs only once a, whose scope holds it, succeeded (rule 3), whatever its trigger.
    expect(r.diagnostics.filter((d) => d.message.startsWith('task "in-scope"'))).toEqual([]);
    // after-mid reads a's output safely (mid ran, so flaky ran, so a succeeded); only flaky's is unsure.
    expect(r.diagnostics.filter((d) => d.message.startsWith('task "after-mid"'))).toHaveLength(1);
    expect(r.diagnostics.find((d) => d.message.startsWith('task "after-flaky"'))!.hint).toContain('outputs: { v: { path: "/tmp/v", default: "" } }');
  });

  it("output() refuses what could not be a read: a name that is no output name, and a handle of another pipeline (GANTRY1109); a hand-written tag with spaces is Argo's, not a read (GANTRY4008)", async () => {
    const src = [
      `import { pipeline } from "gantry";`,
      `export const pa = pipeline("pa", { namespace: "data" }, (p) => {`,
      `  p.task("tally", { image: "pg", outputs: { v: "/tmp/v" } });`,
      `});`,
      `export const pb = pipeline("pb", { namespace: "data" }, (p) => {`,
      `  const tally = p.task("tally", { image: "pg", outputs: { v: "/tmp/v" } });`,
      `  p.task("dotted", { image: "x", args: [tally.output("a.b" as never)], after: [tally] });`,
      `  p.task("foreign", { image: "x", args: [pa.tasks[0]!.handle.output("v")], after: [tally] });`,
      `});`,
      `export const pc = pipeline("pc", { namespace: "data" }, (p) => {`,
      `  const tally = p.task("tally", { image: "pg", outputs: { v: "/tmp/v" } });`,
      `  p.task("spaced", { image: "x", args: ["{{ tasks.tally.outputs.v }}"], after: [tally] });`,
      `});`,
    ].join("\n");
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY1109 ${loc("main.ts", src, 'tally.output("a.b"')} \`tally.output\` failed: output() takes an output's name, letters, digits and '_' starting with a letter or '_', not "a.b"`,
      `GANTRY1109 ${loc("main.ts", src, "pa.tasks[0]")} \`pa.tasks[0]!.handle.output\` failed: output() reads task "tally" of another pipeline, or outside a pipeline's body: read outputs of this pipeline's tasks, inside its body`,
      `GANTRY4008 ${loc("main.ts", src, 'p.task("spaced"').replace(/:(\d+)$/, (_, c) => `:${Number(c) + 7}`)} task "spaced": args[0] holds "{{ tasks.tally.outputs.v }}", an Argo variable that a Gantry task's template does not have, so Argo refuses the workflow`,
    ]);
    // pc compiled: the spaced tag was left as written, no input or argument made for it.
    expect(r.pipelines.map((p) => p.name)).toEqual(["pa", "pc"]);
    expect(r.pipelines[1]!.yaml).not.toContain("inputs.parameters");
  });

  it("every read of the same output in one task is one finding; a default env value that reads one is checked in each task", async () => {
    const src = source(
      [
        `  const a = p.task("a", { image: "x", outputs: { v: "/tmp/v" } });`,
        `  p.task("b", { image: "x", command: [a.output("v")], args: [a.output("v")], after: [a], trigger: "allDone" });`,
      ].join("\n"),
      `{ namespace: "data", defaults: { env: { V: "{{tasks.a.outputs.v}}" } } }`,
    );
    const r = await compileFiles({ "main.ts": src });
    // b: command[0] first; a reads its own output through the default env value.
    expect(r.diagnostics.map((d) => `${d.code} ${d.message.split(":")[0]}`)).toEqual(['GANTRY2044 task "a"', 'GANTRY2045 task "b"']);
  });
});

describe("Argo output", () => {
  const src = source(
    [
      COUNT,
      `  const table = p.task("table", { image: "pg", outputs: { name: { path: "/tmp/name", default: "t_default" } } });`,
      `  p.task("report", { image: "r", args: [\`--rows=\${count.output("rows")}\`, count.output("rows")], env: { TABLE: table.output("name") }, after: [count, table] });`,
      `  p.task("shell", { image: "alpine", source: \`echo \${count.output("rows")} rows in \${table.output("name")}\`, after: [count, table] });`,
    ].join("\n"),
  );

  it("the producer declares outputs.parameters with valueFrom.path (and default); the reader gets inputs and its DAG task the arguments; every object validates", async () => {
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics).toEqual([]);
    const yaml = r.pipelines[0]!.yaml;
    const docs = parseAllDocuments(yaml).map((d) => d.toJS());
    expect(validateAll(docs)).toEqual([]);
    expect(argoRuleProblems(docs[0])).toEqual([]);
    const templates = new Map<string, Record<string, any>>(docs[0].spec.templates.map((t: { name: string }) => [t.name, t]));
    expect(templates.get("tally")!.outputs).toEqual({ parameters: [{ name: "rows", valueFrom: { path: "/tmp/rows" } }] });
    expect(templates.get("table")!.outputs).toEqual({ parameters: [{ name: "name", valueFrom: { path: "/tmp/name", default: "t_default" } }] });
    const report = templates.get("report")!;
    expect(report.inputs).toEqual({ parameters: [{ name: "tally-rows" }, { name: "table-name" }] });
    expect(report.container.args).toEqual(["--rows={{inputs.parameters.tally-rows}}", "{{inputs.parameters.tally-rows}}"]);
    expect(report.container.env).toContainEqual({ name: "TABLE", value: "{{inputs.parameters.table-name}}" });
    expect(templates.get("shell")!.script.source).toBe("echo {{inputs.parameters.tally-rows}} rows in {{inputs.parameters.table-name}}");
    const dag = new Map<string, Record<string, any>>(templates.get("main")!.dag.tasks.map((t: { name: string }) => [t.name, t]));
    expect(dag.get("report")!.arguments).toEqual({
      parameters: [
        { name: "tally-rows", value: "{{tasks.tally.outputs.parameters.rows}}" },
        { name: "table-name", value: "{{tasks.table.outputs.parameters.name}}" },
      ],
    });
    expect(dag.get("tally")!.arguments).toBeUndefined();
    expect(templates.get("tally")!.inputs).toBeUndefined();
    // The DAG task lists its arguments between its template and its depends, as Argo's examples do.
    expect(Object.keys(dag.get("report")!)).toEqual(["name", "template", "arguments", "depends"]);
  });

  it("a read that relies on its default, as GANTRY2045 asks, is warning GANTRY4035 on Argo (the versions that apply it), once per pipeline naming the reads; none for a read after the producer's success, none on the jobs target", async () => {
    const text = source(
      [
        `  const a = p.task("a", { image: "x", command: ["sh", "-c", "echo 1 > /tmp/v"], outputs: { v: { path: "/tmp/v", default: "0" } } });`,
        `  p.task("safe", { image: "x", source: \`echo \${a.output("v")}\`, after: [a] });`,
        `  p.task("summary", { image: "x", source: \`echo \${a.output("v")}\`, after: [a], trigger: "allDone" });`,
        `  const flaky = p.task("flaky", { image: "x", command: ["sh", "-c", "echo 1 > /tmp/w"], outputs: { w: { path: "/tmp/w", default: "" } }, allowFailure: true });`,
        `  p.task("after-flaky", { image: "x", source: \`echo \${flaky.output("w")}\`, after: [flaky] });`,
      ].join("\n"),
    );
    const argo = await compileFiles({ "main.ts": text });
    expect(argo.diagnostics.map(where)).toEqual([`GANTRY4035 ${loc("main.ts", text, 'p.task("summary"', 1).replace(/:(\d+)$/, (_, c) => `:${Number(c) + 7}`)}`]);
    expect(argo.diagnostics[0]!.message).toContain('rely on the output\'s default: "summary" reads "v" of "a" and "after-flaky" reads "w" of "flaky"');
    const jobs = await compile({ cwd: tempProject({ "p.ts": text }), paths: ["p.ts"], target: "jobs", kind: "auto", jobs: { runId: "r1" } });
    expect(jobs.diagnostics).toEqual([]);
  });

  it("a pipeline without outputs gets no inputs, outputs or arguments, and its IR no `outputs` key (so its hash is what it was: the snapshots hold it)", async () => {
    const plain = source(`  const a = p.task("a", { image: "x" });\n  p.task("b", { image: "x", args: ["--x"], after: [a] });`);
    const r = await compileFiles({ "main.ts": plain });
    const wf = parse(r.pipelines[0]!.yaml.split("\n---\n")[1]!);
    const text = JSON.stringify(wf);
    expect(text).not.toContain('"inputs"');
    expect(text).not.toContain('"outputs"');
    expect(text).not.toContain('"arguments":{"parameters":[{"name":"a-');
    expect(r.pipelines[0]!.ir?.tasks.every((t) => !("outputs" in t))).toBe(true);
  });

  it("the real CLI writes it for Argo; for the jobs target, reads outside a shell script are GANTRY4034, exit 1, and nothing is written", () => {
    const cwd = tempProject({ "pipelines/outs.ts": src });
    const argo = gantry(["compile", "pipelines", "--out", "manifests"], cwd);
    expect(argo.code).toBe(0);
    expect(fs.readFileSync(path.join(cwd, "manifests/outs.yaml"), "utf8")).toContain("{{tasks.tally.outputs.parameters.rows}}");
    const jobs = gantry(["compile", "pipelines", "--target", "jobs", "--out", "jobs-out"], cwd);
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toContain('error GANTRY4034: task "report" reads {{tasks.tally.outputs.rows}} outside its shell script');
    expect(fs.existsSync(path.join(cwd, "jobs-out"))).toBe(false);
    expect(gantry(["explain", "GANTRY4034"]).stdout).toContain("Task output read outside a shell on the jobs target");
  });
});

describe("jobs target", () => {
  const jobsSource = source(
    [
      `  const tally = p.task("tally", { image: "pg", command: ["sh", "-c", "echo 3 > /tmp/rows"], outputs: { rows: "/tmp/rows" } });`,
      `  const probe = p.task("probe", { image: "pg", outputs: { v: { path: "/tmp/v", default: "none" } }, when: { param: p.params.mode, equals: "delta" } });`,
      `  p.task("report", { image: "alpine", source: \`echo "rows: \${tally.output("rows")} v=\${probe.output("v")}"\`, after: [tally, probe], trigger: "allDone" } as never);`,
      `  p.task("shell", { image: "alpine", command: ["sh", "-c"], args: [\`exec tool --rows="\${tally.output("rows")}"\`], after: [tally] });`,
      `  p.task("plain", { image: "alpine", after: [tally] });`,
    ].join("\n"),
    `{ namespace: "data", parameters: { mode: { default: "full" } } }`,
  );
  const compileJobs = async (text: string) => compile({ cwd: tempProject({ "p.ts": text }), paths: ["p.ts"], target: "jobs", kind: "auto", jobs: { runId: "r1" }, keepIr: true });
  type Obj = { kind: string; metadata: { name: string }; [k: string]: any };

  it("the producer's main container keeps its output as termination message; a reader's await-deps copies it into a file its shell script reads; a producer the defaults skip gives its default; only Gantry's account may list pods; every object validates", async () => {
    const r = await compileJobs(jobsSource.replace('outputs: { rows: "/tmp/rows" }', 'outputs: { rows: { path: "/tmp/rows", default: "0" } }'));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const objects = r.pipelines[0]!.objects as Obj[];
    expect(validateAll(objects)).toEqual([]);
    const job = (task: string) => objects.find((o) => o.kind === "Job" && o.metadata.name === `outs-r1-${task}`)!;
    const spec = (task: string) => job(task).spec.template.spec;
    const main = (task: string) => spec(task).containers[0];
    expect(main("tally").terminationMessagePath).toBe("/tmp/rows");
    expect(main("report").terminationMessagePath).toBeUndefined();
    // Inside double quotes as written; the skipped producer's read is a file too, its default the await-deps' to write.
    expect(main("report").command.at(-1)).toBe('echo "rows: $(cat /var/run/gantry-outputs/tally-rows) v=$(cat /var/run/gantry-outputs/probe-v)"');
    expect(main("shell").args).toEqual(['exec tool --rows="$(cat /var/run/gantry-outputs/tally-rows)"']);
    expect(job("probe")).toBeUndefined();
    const config = (task: string) => JSON.parse(spec(task).initContainers[0].env.find((e: { name: string }) => e.name === "GANTRY_AWAIT").value);
    expect(config("report").outputs).toEqual([
      { task: "tally", file: "/var/run/gantry-outputs/tally-rows", default: "0" },
      { task: "probe", file: "/var/run/gantry-outputs/probe-v", value: "none" },
    ]);
    expect(config("report").jobs).toEqual({ tally: "outs-r1-tally" });
    expect(config("report").when).toEqual({ all: [{ all: [{ task: "tally", is: "settled" }] }, { all: [{ task: "tally", is: "settled" }] }] });
    expect(config("shell").outputs).toEqual([{ task: "tally", file: "/var/run/gantry-outputs/tally-rows", default: "0" }]);
    expect(config("plain").outputs).toBeUndefined();
    expect(spec("report").volumes).toContainEqual({ name: "gantry-outputs", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    expect(spec("report").initContainers[0].volumeMounts).toContainEqual({ name: "gantry-outputs", mountPath: "/var/run/gantry-outputs" });
    expect(main("report").volumeMounts).toContainEqual({ name: "gantry-outputs", mountPath: "/var/run/gantry-outputs", readOnly: true });
    expect(JSON.stringify(spec("plain"))).not.toContain("gantry-outputs");
    const role = objects.find((o) => o.kind === "Role" && o.metadata.name.endsWith("-await-outputs"))!;
    expect(role.rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }]);
    const binding = objects.find((o) => o.kind === "RoleBinding" && o.roleRef.name === role.metadata.name)!;
    expect(binding.subjects.map((s: { name: string }) => s.name)).toEqual([spec("report").serviceAccountName]);
  });

  it("a reader whose only producer the defaults skip still gets an await-deps, which writes the default at once (the metadata file's view agrees)", async () => {
    const text = source(
      [
        `  const probe = p.task("probe", { image: "pg", outputs: { v: { path: "/tmp/v", default: "none" } }, when: { param: p.params.mode, equals: "delta" } });`,
        `  p.task("report", { image: "alpine", source: \`echo "\${probe.output("v")}"\`, after: [probe], trigger: "allDone" });`,
      ].join("\n"),
      `{ namespace: "data", parameters: { mode: { default: "full" } } }`,
    );
    const r = await compileJobs(text);
    expect(r.diagnostics).toEqual([]);
    const report = (r.pipelines[0]!.objects as Obj[]).find((o) => o.kind === "Job" && o.metadata.name === "outs-r1-report")!.spec.template.spec;
    const config = JSON.parse(report.initContainers[0].env.find((e: { name: string }) => e.name === "GANTRY_AWAIT").value);
    expect(config.when).toEqual({ all: [] });
    expect(config.outputs).toEqual([{ task: "probe", file: "/var/run/gantry-outputs/probe-v", value: "none" }]);
    expect(config.jobs).toEqual({});
    const { plan } = lower(r.pipelines[0]!.ir, { decideWhen: true });
    expect(waitsForOthers(plan.tasks.find((t) => t.task.name === "report")!)).toBe(true);
  });

  it("the emitted scripts, run by a real sh over the files an await-deps writes, see each value whole: blanks, quotes, `$`, `*` and newlines intact, unquoted or in double quotes", async () => {
    const text = source(
      [
        `  const a = p.task("a", { image: "x", command: ["sh", "-c", "printf %s v > /tmp/v"], outputs: { v: "/tmp/v" } });`,
        `  p.task("bare", { image: "x", source: \`printf '[%s]\\n' \${a.output("v")}\`, after: [a] });`,
        `  p.task("quoted", { image: "x", source: \`printf '[%s]\\n' "<\${a.output("v")}>"\`, after: [a] });`,
        `  p.task("heredoc", { image: "x", source: \`cat <<EOF\\n<\${a.output("v")}>\\nEOF\`, after: [a] });`,
      ].join("\n"),
    );
    const r = await compileJobs(text);
    expect(r.diagnostics).toEqual([]);
    const objects = r.pipelines[0]!.objects as Obj[];
    const script = (task: string) => objects.find((o) => o.kind === "Job" && o.metadata.name === `outs-r1-${task}`)!.spec.template.spec.containers[0].command.at(-1) as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-outputs-"));
    const value = "two  words 'q' \"dq\" $HOME * \\ end";
    fs.writeFileSync(path.join(dir, "a-v"), value);
    const run = (task: string) => execFileSync("sh", ["-c", script(task).replaceAll("/var/run/gantry-outputs", dir)], { cwd: dir, encoding: "utf8" });
    expect(run("bare")).toBe(`[${value}]\n`);
    expect(run("quoted")).toBe(`[<${value}>]\n`);
    expect(run("heredoc")).toBe(`<${value}>\n`);
  });

  it("without outputs nothing of it appears: no await-outputs Role, no termination message path", async () => {
    const r = await compileJobs(source(`  const a = p.task("a", { image: "x" });\n  p.task("b", { image: "x", source: "echo hi", after: [a] });`));
    const text = JSON.stringify(r.pipelines[0]!.objects);
    expect(text).not.toContain("await-outputs");
    expect(text).not.toContain("terminationMessagePath");
    expect(text).not.toContain("gantry-outputs");
  });

  it("GANTRY4033: two outputs on a task, and a reader that runs as its own ServiceAccount; GANTRY4034: a read outside the shell script or where the shell does not expand it", async () => {
    const text = source(
      [
        `  const two = p.task("two", { image: "pg", outputs: { a: "/tmp/a", b: "/tmp/b" } });`,
        `  p.task("use-two", { image: "x", source: \`echo \${two.output("a")}\`, after: [two] });`,
      ].join("\n"),
    );
    const r1 = await compileJobs(text);
    expect(r1.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['GANTRY4033 task "two" declares 2 outputs ("a", "b"); on the jobs target a task passes one, through its container\'s termination message']);
    const r2 = await compileJobs(
      source(
        [
          `  const one = p.task("one", { image: "pg", outputs: { a: "/tmp/a" } });`,
          `  p.task("own-account", { image: "x", source: \`echo \${one.output("a")}\`, after: [one], serviceAccountName: "reader" });`,
          `  p.task("in-args", { image: "x", args: [one.output("a")], after: [one] });`,
          `  p.task("in-env", { image: "x", source: "echo $A", env: { A: one.output("a") }, after: [one] });`,
          `  p.task("quoted", { image: "x", source: \`echo '\${one.output("a")}'\`, after: [one] });`,
          `  p.task("own-tester", { image: "x", after: [one], when: { output: one.output("a"), equals: "1" }, serviceAccountName: "reader" });`,
        ].join("\n"),
      ),
    );
    expect(r2.diagnostics.map((d) => `${d.code} ${d.message.split(";")[0]}`).sort()).toEqual(
      [
        'GANTRY4033 task "own-account" reads (or its `when` tests) another task\'s output and runs as the ServiceAccount "reader"',
        'GANTRY4033 task "own-tester" reads (or its `when` tests) another task\'s output and runs as the ServiceAccount "reader"',
        'GANTRY4034 task "in-args" reads {{tasks.one.outputs.a}} outside its shell script',
        'GANTRY4034 task "in-env" reads {{tasks.one.outputs.a}} outside its shell script',
        'GANTRY4034 task "quoted" reads {{tasks.one.outputs.a}} inside single quotes of its shell script, where the shell does not expand it',
      ].sort(),
    );
    expect(r2.diagnostics.find((d) => d.code === "GANTRY4034")!.hint).toContain('command: ["sh", "-c"');
  });

  it("whether a pipeline compiles does not hang on the defaults: two outputs on a task the defaults skip, a misplaced read of its output, are still refused; GANTRY4034 names the read that is misplaced; an output in Gantry's folders is GANTRY4018", async () => {
    const skipped = source(
      [
        `  const two = p.task("two", { image: "pg", outputs: { a: { path: "/tmp/a", default: "" }, b: "/tmp/b" }, when: { param: p.params.mode, equals: "delta" } });`,
        `  p.task("r", { image: "x", source: \`echo \${two.output("a")}\`, after: [two], trigger: "allDone" });`,
      ].join("\n"),
      `{ namespace: "data", parameters: { mode: { default: "full" } } }`,
    );
    expect((await compileJobs(skipped)).diagnostics.map((d) => d.code)).toEqual(["GANTRY4033"]);
    const misplaced = source(
      [
        `  const one = p.task("one", { image: "pg", outputs: { a: "/tmp/a" } });`,
        `  const off = p.task("off", { image: "pg", outputs: { b: { path: "/tmp/b", default: "" } }, when: { param: p.params.mode, equals: "delta" } });`,
        `  p.task("r", { image: "x", source: \`echo \${one.output("a")} '\${off.output("b")}'\`, after: [one, off], trigger: "allDone" });`,
      ].join("\n"),
      `{ namespace: "data", parameters: { mode: { default: "full" } } }`,
    );
    const m = await compileJobs(misplaced.replace('outputs: { a: "/tmp/a" }', 'outputs: { a: { path: "/tmp/a", default: "" } }'));
    expect(m.diagnostics.map((d) => `${d.code} ${d.message.split(" of its")[0]}`)).toEqual(['GANTRY4034 task "r" reads {{tasks.off.outputs.b}} inside single quotes']);
    const reserved = await compileJobs(source(`  const o = p.task("o", { image: "pg", outputs: { a: "/var/run/gantry-outputs/a" } });\n  p.task("r", { image: "x", source: \`echo \${o.output("a")}\`, after: [o] });`));
    expect(reserved.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['GANTRY4018 output "a" of task "o" (at /var/run/gantry-outputs/a) is in a folder the jobs target uses for its own volumes']);
  });
});

/** A random pipeline with outputs on some tasks and reads of them in later tasks' args, some with defaults. */
function withRandomReads(ir: IR.Pipeline, r: () => number): IR.Pipeline {
  const tasks = ir.tasks.map((t) => ({ ...t }));
  const upstream = new Map<string, Set<string>>();
  const ups = (name: string): Set<string> => {
    const known = upstream.get(name);
    if (known) return known;
    const t = tasks.find((x) => x.name === name)!;
    const out = new Set<string>();
    for (const d of [...t.dependencies, ...t.setups]) for (const u of [d, ...ups(d)]) out.add(u);
    upstream.set(name, out);
    return out;
  };
  for (const reader of tasks) {
    if (reader.role === "finally") continue;
    const args: string[] = [];
    for (const p of ups(reader.name)) {
      if (r() < 0.5) continue;
      const producer = tasks.find((t) => t.name === p)!;
      const name = `o${producer.name}`;
      if (!producer.outputs) producer.outputs = [r() < 0.3 ? { name, path: `/tmp/${name}`, default: "d" } : { name, path: `/tmp/${name}` }];
      args.push(outputPlaceholder(p, name));
    }
    if (args.length > 0) reader.args = args;
  }
  return { ...ir, tasks };
}

const NOWHERE = { value: () => undefined, key: () => undefined };

describe("soundness in the simulated Argo controller (random pipelines)", () => {
  it("a read the checks accept always finds its producer succeeded, or has a default; its producer is an ancestor in `depends`; a rejected read has a run that would lack the value", () => {
    const r = rng(99);
    let accepted = 0;
    let rejected = 0;
    let witnessed = 0;
    let runs = 0;
    for (const base of validRandomPipelines(120, 2024, true)) {
      const ir = withRandomReads(base, r);
      const reads = ir.tasks.flatMap((t) => (t.args ?? []).map((a) => ({ reader: t.name, producer: /tasks\.([^.]+)\./.exec(a)![1]!, name: /outputs\.(.+)\}\}/.exec(a)![1]! })));
      if (reads.length === 0) continue;
      const bag = new DiagnosticBag();
      checkOutputReads(bag, ir.tasks, () => NOWHERE);
      expect(bag.items.filter((d) => d.code !== "GANTRY2045")).toEqual([]); // every read here is upstream and declared
      const unsure = new Set(bag.items.map((d) => /task "([^"]+)": args\[\d+\] reads output "([^"]+)"/.exec(d.message)!.slice(1, 3).join(" ")));
      // Simulate with the reads as written (a rejected one too): the emitted workflow is the same either way.
      const { plan } = lower(ir);
      const workflow = JSON.parse(JSON.stringify(toArgo(plan, { kind: "workflow" }).objects[0]));
      const dag = workflow.spec.templates[0].dag.tasks as { name: string; depends?: string; arguments?: { parameters: { value: string }[] } }[];
      const parents = new Map(dag.map((t) => [t.name, t.depends ? dependsTaskNames(t.depends) : []]));
      const ancestry = (name: string, seen = new Set<string>()): Set<string> => {
        for (const p of parents.get(name) ?? []) if (!seen.has(p)) (seen.add(p), ancestry(p, seen));
        return seen;
      };
      for (const read of reads) {
        expect(ancestry(read.reader).has(read.producer), `${ir.name}: ${read.producer} is not an ancestor of ${read.reader}`).toBe(true);
        expect(dag.find((t) => t.name === read.reader)!.arguments!.parameters.map((p) => p.value)).toContain(`{{tasks.${read.producer}.outputs.parameters.${read.name}}}`);
      }
      const lacking = new Set<string>();
      for (const values of PARAMETER_VALUES) {
        const wf = structuredClone(workflow);
        for (const p of wf.spec.arguments.parameters) p.value = values.get(p.name);
        for (const outcomes of assignments(ir.tasks.map((t) => t.name), ["succeeds", "fails", "errors"] as Outcome[], 3 ** 6, 200, runs + 1)) {
          const sim = simulate(wf, Object.fromEntries(Object.entries(outcomes).map(([k, o]) => [k, o === "succeeds" ? "Succeeded" : o === "fails" ? "Failed" : "Error"])));
          runs++;
          for (const read of reads) {
            const reader = sim.nodes[read.reader];
            const producer = sim.nodes[read.producer];
            const hasDefault = ir.tasks.find((t) => t.name === read.producer)!.outputs!.some((o) => o.name === read.name && o.default !== undefined);
            if (reader?.ran && producer?.phase !== "Succeeded" && !hasDefault) lacking.add(`${read.reader} ${read.name}`);
          }
        }
      }
      for (const key of lacking) expect(unsure.has(key), `${ir.name}: ${key} was accepted but ran without its value`).toBe(true);
      accepted += reads.length - unsure.size;
      rejected += unsure.size;
      witnessed += [...unsure].filter((k) => lacking.has(k)).length;
    }
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(20);
    // Sound but not complete (a task between them may be gated on the value, say); most rejections are real.
    expect(witnessed / rejected).toBeGreaterThan(0.6);
    expect(runs).toBeGreaterThan(10_000);
  }, 300_000);
});
