/** Argo backend diagnostics: a schedule a kind cannot carry, and Argo's template limit. */
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { objectSizeDiagnostics } from "../src/output/object-size.js";
import { tempProject } from "./support/cli.js";

const scheduled = `import { pipeline } from "gantry";
export default pipeline("nightly", { schedule: { cron: "@daily" } }, (p) => {
  p.task("t", { image: "busybox:1.36" });
});
`;

describe("Argo backend diagnostics", () => {
  it("GANTRY4002: a schedule is dropped, with a warning, for --kind template and workflow", async () => {
    for (const kind of ["template", "workflow"] as const) {
      const r = await compile({ cwd: tempProject({ "p.ts": scheduled }), paths: ["p.ts"], target: "argo", kind });
      expect(r.ok).toBe(true);
      expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["warning GANTRY4002 p.ts:2"]);
      expect(r.pipelines[0]!.objects[0]!.kind).toBe(kind === "template" ? "WorkflowTemplate" : "Workflow");
      expect(r.pipelines[0]!.yaml).not.toContain("schedules");
    }
  });

  it("GANTRY4005: one warning per pipeline, at its first teardown, naming every teardown", async () => {
    const withTeardowns = (n: number) => `import { pipeline } from "gantry";
export default pipeline("infra", {}, (p) => {
  const s = p.setup("create", { image: "busybox:1.36" });
  p.task("work", { image: "busybox:1.36", after: [s] });
  for (const i of Array.from({ length: ${n} }, (_, k) => k)) p.teardown(\`drop-\${i}\`, { image: "busybox:1.36", setups: [s] });
});
`;
    const warnings = async (n: number) => (await compile({ cwd: tempProject({ "p.ts": withTeardowns(n) }), paths: ["p.ts"], target: "argo", kind: "auto" })).diagnostics.filter((d) => d.code === "GANTRY4005");
    const one = await warnings(1);
    expect(one.map((d) => [d.span?.line, d.message.replace(/.*\(/, "(")])).toEqual([[5, '(teardown "drop-0")']]);
    // not only teardowns not started: Argo stops running pods too (review: the message said only the first)
    expect(one[0]!.message).toContain("teardowns that have not started do not run, and running ones are stopped");
    const three = await warnings(3);
    expect(three.map((d) => [d.span?.line, d.message.replace(/.*\(/, "(")])).toEqual([[5, '(teardowns "drop-0", "drop-1" and "drop-2")']]);
  });

  it("GANTRY4006: a task volume named or mounted like the executor's own (var-run-argo, tmp-dir-argo, /var/run/argo; for a script task argo-staging, /argo/staging) is an error on Argo, not on the jobs target (review finding)", async () => {
    const withVolume = (volume: string, kind = 'command: ["true"]') => `import { pipeline } from "gantry";
export default pipeline("vols", {}, (p) => {
  p.task("ok", { image: "busybox:1.36", volumes: [{ name: "argo-data", mountPath: "/var/run/argonaut", emptyDir: {} }] });
  p.task("bad", { image: "busybox:1.36", ${kind}, volumes: [${volume}] });
});
`;
    const run = async (volume: string, target: "argo" | "jobs" = "argo", kind?: string) => (await compile({ cwd: tempProject({ "p.ts": withVolume(volume, kind) }), paths: ["p.ts"], target, kind: "auto", jobs: { runId: "r" } })).diagnostics.map((d) => `${d.code} ${d.span?.line}`);
    // argo-staging is added to a script task's pod only.
    const script = 'source: "echo hi"';
    expect(await run('{ name: "argo-staging", mountPath: "/data", emptyDir: {} }', "argo", script)).toEqual(["GANTRY4006 4"]);
    expect(await run('{ name: "x", mountPath: "/argo/staging/inner", emptyDir: {} }', "argo", script)).toEqual(["GANTRY4006 4"]);
    expect(await run('{ name: "argo-staging", mountPath: "/argo/staging", emptyDir: {} }')).toEqual([]);
    for (const volume of [
      '{ name: "var-run-argo", mountPath: "/data", emptyDir: {} }',
      '{ name: "tmp-dir-argo", mountPath: "/data", emptyDir: {} }',
      '{ name: "x", mountPath: "/var/run/argo", emptyDir: {} }',
      '{ name: "x", mountPath: "/var/run/argo/", emptyDir: {} }',
      '{ name: "x", mountPath: "/var/run/argo/inner", emptyDir: {} }',
    ]) {
      expect(await run(volume), volume).toEqual(["GANTRY4006 4"]);
    }
    const [message] = (await compile({ cwd: tempProject({ "p.ts": withVolume('{ name: "var-run-argo", mountPath: "/data", emptyDir: {} }') }), paths: ["p.ts"], target: "argo", kind: "auto" })).diagnostics.map((d) => d.message);
    expect(message).toBe('volume "var-run-argo" of task "bad" (at /data) takes a name or path Argo\'s executor uses for its own volumes, so Argo could not create the task\'s pod');
    expect(await run('{ name: "x", mountPath: "/var/run/argo", emptyDir: {} }', "jobs")).toEqual([]);
    expect(await run('{ name: "y", mountPath: "/argo/stagingarea", emptyDir: {} }')).toEqual([]);
  });

  it("GANTRY4007: a task named like an expr function that a depends names is a warning, on Argo only; a leaf or a hyphenated name is not (review finding)", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("names", {}, (p) => {
  const split = p.task("split", { image: "busybox:1.36" });
  const filterStep = p.task("filter-step", { image: "busybox:1.36", after: [split] });
  p.task("map", { image: "busybox:1.36", after: [filterStep] });
});
`;
    const run = async (target: "argo" | "jobs") => (await compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target, kind: "auto", jobs: { runId: "r" } })).diagnostics;
    const argo = await run("argo");
    expect(argo.map((d) => `${d.severity} ${d.code} ${d.span?.line}`)).toEqual(["warning GANTRY4007 3"]);
    expect(argo[0]!.message).toMatch(/^task "split" is named like a function of the expression language Argo evaluates "depends" with/);
    expect(await run("jobs")).toEqual([]);
  });

  it("CronWorkflow schedules write month and weekday names as numbers, which every Argo CRD accepts; the CronJob keeps them (dogfooding finding)", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("named", { schedule: { cron: ["5 * * * MON-FRI", "30 */4 * * sat,Sun", "0 0 1 JAN,jul-SEP *", "@daily", "0 12 * * 1"] } }, (p) => {
  p.task("t", { image: "busybox:1.36" });
});
`;
    const argo = await compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target: "argo", kind: "auto" });
    const schedules = (argo.pipelines[0]!.objects[0] as { spec: { schedules: string[] } }).spec.schedules;
    expect(schedules).toEqual(["5 * * * 1-5", "30 */4 * * 6,0", "0 0 1 1,7-9 *", "@daily", "0 12 * * 1"]);
    // The pattern of Argo 4.0's CRD before argo-workflows#16245 (no letters in fields).
    for (const s of schedules) expect(s).toMatch(/^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([0-9*,/?-]+\s+){4}[0-9*,/?-]+)$/);
    const jobs = await compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target: "jobs", kind: "auto", jobs: { runId: "r" } });
    expect(jobs.pipelines[0]!.objects.filter((o) => o.kind === "CronJob").map((o) => (o as { spec: { schedule: string } }).spec.schedule)).toContain("5 * * * MON-FRI");
  });

  it("a finding of a factory that makes several pipelines is reported once, not once per pipeline (dogfooding finding)", async () => {
    const factory = `import { pipeline } from "gantry";
export const make = (name: string) => pipeline(name, {}, (p) => {
  const s = p.setup("create", { image: "busybox:1.36" });
  p.task("work", { image: "busybox:1.36", after: [s] });
  p.teardown("drop", { image: "busybox:1.36", setups: [s] });
});
`;
    const r = await compile({ cwd: tempProject({ "lib/mk.ts": factory, "a.ts": 'import { make } from "./lib/mk.js";\nexport const a = make("a");\nexport const b = make("b");\n', "c.ts": 'import { make } from "./lib/mk.js";\nexport default make("c");\n' }), paths: ["a.ts", "c.ts"], target: "argo", kind: "auto" });
    expect(r.pipelines.map((p) => p.name)).toEqual(["a", "b", "c"]);
    expect(r.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["GANTRY4005 lib/mk.ts:5"]);
  });

  it("a validation finding in a spec several pipelines share is reported once, not once per pipeline (diagnostics review)", async () => {
    const spec = `export const spec = { image: "busybox:1.36", resources: { limits: { memory: "1GB" } } };\n`;
    const entry = (name: string) => `import { pipeline } from "gantry";\nimport { spec } from "../lib/spec.js";\nexport default pipeline("${name}", {}, (p) => { p.task("t", spec); });\n`;
    const cwd = tempProject({ "lib/spec.ts": spec, "pipelines/alpha.ts": entry("alpha"), "pipelines/zeta.ts": entry("zeta") });
    const r = await compile({ cwd, paths: ["pipelines"], target: "argo", kind: "auto" });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}:${d.span?.column}`)).toEqual(["GANTRY2006 lib/spec.ts:1:77"]);
  });

  it("GANTRY4008 on Argo for an Argo variable a Gantry task has not (its inputs, a step's outputs); other tags (Helm, Go templates) pass through; GANTRY4025 on the jobs target for Argo variables left as text (review findings)", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("tags", { parameters: { env: { default: "prod" } } }, (p) => {
  p.task("helm", { image: "alpine/helm:3", args: ["template", "--set", "image={{ .Values.image }}"], command: ["sh", "-c", "kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'"] });
  p.task("argo-var", { image: "busybox:1.36", args: ["{{workflow.name}}", "{{=sprig.upper('x')}}", "{{pod.name}}", "{{workflow.parameters.env}}", "{{workflow.creationTimestamp.Y}}"] });
  p.task("ours-only", { image: "busybox:1.36", args: [\`\${p.params.env}-\${p.runId}\`], env: { RUN: p.runId } });
  p.task("inputs", { image: "busybox:1.36", env: { X: "{{inputs.parameters.x}}" } });
  p.task("outputs", { image: "busybox:1.36", args: ["{{ steps.a.outputs.result }}", "{{item}}"] });
});
`;
    const run = async (target: "argo" | "jobs") => (await compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target, kind: "auto", jobs: { runId: "r" } })).diagnostics.map((d) => `${d.code} ${d.span?.line} ${d.message}`);
    expect(await run("argo")).toEqual([
      'GANTRY4008 6 task "inputs": env.X holds "{{inputs.parameters.x}}", an Argo variable that a Gantry task\'s template does not have, so Argo refuses the workflow',
      'GANTRY4008 7 task "outputs": args[0] holds "{{ steps.a.outputs.result }}", an Argo variable that a Gantry task\'s template does not have, so Argo refuses the workflow',
    ]);
    expect(await run("jobs")).toEqual([
      'GANTRY4025 4 task "argo-var": args[0] holds "{{workflow.name}}", an Argo variable, which the jobs target leaves as text',
      'GANTRY4025 6 task "inputs": env.X holds "{{inputs.parameters.x}}", an Argo variable, which the jobs target leaves as text',
      'GANTRY4025 7 task "outputs": args[0] holds "{{ steps.a.outputs.result }}", an Argo variable, which the jobs target leaves as text',
    ]);
  });

  it("GANTRY4008 for {{workflow.priority}} (no priority is set) and for {{workflow.failures}} outside a finally task, which Argo puts in scope only in the exit handler (adversarial finding)", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("globals", {}, (p) => {
  p.task("work", { image: "busybox:1.36", args: ["{{workflow.failures}}"] });
  p.task("prio", { image: "busybox:1.36", args: ["{{workflow.priority}}"] });
  p.finally("report", { image: "busybox:1.36", args: ["{{workflow.failures}}", "{{workflow.duration}}"] });
});
`;
    const r = await compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target: "argo", kind: "auto" });
    expect(r.diagnostics.map((d) => `${d.code} ${d.span?.line} ${d.message.split(",")[0]}`)).toEqual([
      'GANTRY4008 3 task "work": args[0] holds "{{workflow.failures}}"',
      'GANTRY4008 4 task "prio": args[0] holds "{{workflow.priority}}"',
    ]);
  });

  it("GANTRY4003: 199 tasks fit Argo's 200 templates (the DAG is one), 200 do not", async () => {
    const withTasks = (n: number) => `import { pipeline } from "gantry";
export default pipeline("wide", {}, (p) => {
  for (const i of Array.from({ length: ${n} }, (_, k) => k)) p.task(\`t\${i}\`, { image: "busybox:1.36" });
});
`;
    const ok = await compile({ cwd: tempProject({ "p.ts": withTasks(199) }), paths: ["p.ts"], target: "argo", kind: "auto" });
    // As large as that, it is too large for client-side kubectl apply (GANTRY4026), but Argo takes it.
    expect(ok.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning GANTRY4026"]);
    const tooMany = await compile({ cwd: tempProject({ "p.ts": withTasks(200) }), paths: ["p.ts"], target: "argo", kind: "auto" });
    expect(tooMany.ok).toBe(false);
    expect(tooMany.diagnostics.map((d) => d.code)).toEqual(["GANTRY4003"]);
    expect(tooMany.diagnostics[0]!.message).toBe('pipeline "wide" has 200 tasks; with Gantry\'s "main" that is 201 templates, and Argo accepts at most 200 per workflow, so at most 199 tasks here');
  });

  it("GANTRY4026: an object past 256 KiB as JSON, which client-side kubectl apply cannot record (adversarial finding); none below", async () => {
    const wide = (n: number, prefix: string) => `import { pipeline } from "gantry";
export default pipeline("wide", {}, (p) => {
  const s = p.setup("create", { image: "busybox:1.36" });
  for (const i of Array.from({ length: ${n} }, (_, k) => k)) p.task(\`${prefix}-\${i}\`, { image: "busybox:1.36", after: [s] });
  p.teardown("drop", { image: "busybox:1.36", setups: [s] });
});
`;
    const run = (n: number, prefix: string) => compile({ cwd: tempProject({ "p.ts": wide(n, prefix) }), paths: ["p.ts"], target: "argo", kind: "auto" });
    const small = await run(100, "t");
    expect(small.diagnostics.filter((d) => d.code !== "GANTRY4005")).toEqual([]);
    const large = await run(150, "a-rather-long-task-name-that-says-what-the-step-does");
    expect(large.ok).toBe(true);
    const found = large.diagnostics.filter((d) => d.code === "GANTRY4026");
    expect(found.map((d) => `${d.severity} ${d.span?.file}:${d.span?.line}`)).toEqual(["warning p.ts:2"]);
    const bytes = Buffer.byteLength(JSON.stringify(large.pipelines[0]!.objects[0]));
    expect(bytes).toBeGreaterThan(256 * 1024);
    const m = /^pipeline "wide": its WorkflowTemplate wide would need (\d+) KiB of annotations once client-side `kubectl apply` \(and Argo CD by default\) records it as JSON in its last-applied-configuration annotation, more than the 256 KiB the API server accepts, so applying it that way fails$/.exec(found[0]!.message);
    expect(m, found[0]!.message).not.toBeNull();
    // The JSON, its key and the object's own annotations (which the limit counts too).
    expect(Number(m![1])).toBeGreaterThan(Math.ceil(bytes / 1024));
    expect(found[0]!.hint).toMatch(/--server-side/);
  });

  it("GANTRY4026 counts what the API server counts: Go's six-byte escapes of &, < and >, the annotation's key and the object's own annotations (review finding)", () => {
    const ir = { name: "p", source: { file: "p.ts", line: 1, column: 1 } } as unknown as Parameters<typeof objectSizeDiagnostics>[2];
    const yaml = "x".repeat(200 * 1024); // past the cheap pre-check
    const object = (text: string, annotations: Record<string, string> = {}) => ({ kind: "ConfigMap", metadata: { name: "c", annotations }, data: { text } });
    const plain = object("a".repeat(250 * 1024));
    expect(objectSizeDiagnostics([plain], yaml, ir)).toEqual([]);
    // The same JSON length, a fiftieth of it ampersands: 5 KiB more once escaped.
    const amps = object("a&".repeat(2 * 1024) + "a".repeat(246 * 1024));
    expect(JSON.stringify(amps).length).toBe(JSON.stringify(plain).length);
    expect(objectSizeDiagnostics([amps], yaml, ir).map((d) => d.code)).toEqual(["GANTRY4026"]);
    // Its own annotations count besides the recorded JSON, which holds them too.
    const annotated = object("a".repeat(240 * 1024), { note: "b".repeat(8 * 1024) });
    expect(objectSizeDiagnostics([annotated], yaml, ir).map((d) => d.code)).toEqual(["GANTRY4026"]);
  });

  it("GANTRY4003 counts gantry-finally and the gate's gantry-noop too (docs audit: 198 tasks and a finally task made 201 templates)", async () => {
    const wide = (n: number, extra: string) => `import { pipeline } from "gantry";
export default pipeline("wide", {}, (p) => {
${extra}
  for (const i of Array.from({ length: ${n} }, (_, k) => k)) p.task(\`t\${i}\`, { image: "busybox:1.36" });
});
`;
    const compileWide = (n: number, extra: string) => compile({ cwd: tempProject({ "p.ts": wide(n, extra) }), paths: ["p.ts"], target: "argo", kind: "auto" });
    const finallyTask = '  p.finally("notify", { image: "busybox:1.36" });';
    const scoped = '  const s = p.setup("create", { image: "busybox:1.36" });\n  p.teardown("drop", { image: "busybox:1.36", setups: [s] });';
    for (const [extra, fits, own] of [[finallyTask, 197, '"main" and "gantry-finally"'], [scoped, 196, '"main" and "gantry-noop"'], [`${finallyTask}\n${scoped}`, 194, '"main", "gantry-finally" and "gantry-noop"']] as const) {
      const ok = await compileWide(fits, extra);
      expect(ok.diagnostics.filter((d) => d.severity === "error"), extra).toEqual([]);
      const templates = (ok.pipelines[0]!.objects[0] as { spec: { templates: unknown[] } }).spec.templates;
      expect(templates.length, extra).toBe(200);
      const over = await compileWide(fits + 1, extra);
      expect(over.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), extra).toEqual(["GANTRY4003"]);
      expect(over.diagnostics.find((d) => d.code === "GANTRY4003")!.message, extra).toContain(`with Gantry's ${own} that is 201 templates`);
    }
  });
});
