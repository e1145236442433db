/**
 * Monitoring metadata (issue 6, point 2): the labels and annotations on the pipeline's objects and on
 * every pod, computed in the lowering; owner, team and runbook from the DSL (GANTRY2037); the scope
 * label; a content hash that is stable across compiles and does not move with the code.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import type * as IR from "../src/ir/index.js";
import { canonicalJson, lower, pipelineHash } from "../src/phases/4-lower/index.js";
import { repoRoot, tempProject } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { validateObject } from "./support/validate-manifests.js";

const source = (options: string, body: string, name = "meta") =>
  `import { pipeline } from "gantry";\nexport default pipeline("${name}", ${options}, (p) => {\n${body}\n});\n`;

async function plan(src: string, labelPrefix?: string) {
  const r = await compileFiles({ "main.ts": src });
  expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  return lower(r.pipelines[0]!.ir, labelPrefix ? { labelPrefix } : {}).plan;
}

const SCOPED = source(
  '{ owner: "@data-oncall", team: "data", runbookUrl: "https://runbooks.example.com/meta", partOf: "billing", labels: { tier: "batch", "app.kubernetes.io/name": "mine" } }',
  [
    '  const cluster = p.setup("cluster", { image: "x" });',
    '  const table = p.setup("table", { image: "x", after: [cluster] });',
    '  const load = p.task("load", { image: "x", after: [table], owner: "@alice", runbookUrl: "http://wiki.internal/load", labels: { "app.kubernetes.io/component": "mine" } });',
    '  const dropTable = p.teardown("drop-table", { image: "x", setups: [table], after: [load] });',
    '  p.teardown("drop-cluster", { image: "x", setups: [cluster], after: [dropTable] });',
    '  p.task("report", { image: "x" });',
    '  p.finally("notify", { image: "x", retry: { limit: 3, backoff: { duration: "10s" } } });',
  ].join("\n"),
);

describe("labels", () => {
  it("top-level objects: recommended app.kubernetes.io labels and the pipeline; Gantry's keys win over the author's", async () => {
    const p = await plan(SCOPED);
    expect(p.labels).toEqual({
      "app.kubernetes.io/component": "pipeline",
      "app.kubernetes.io/managed-by": "gantry",
      "app.kubernetes.io/name": "meta",
      "app.kubernetes.io/part-of": "billing",
      "gantry.dev/pipeline": "meta",
      tier: "batch",
    });
    expect(Object.keys(p.labels)).toEqual(Object.keys(p.labels).sort());
  });

  it("every pod: component = task, role, task, and scope = the innermost setup (its own for a setup)", async () => {
    const p = await plan(SCOPED);
    const byTask = Object.fromEntries(p.tasks.map((t) => [t.task.name, t.labels]));
    expect(byTask["load"]).toEqual({
      "app.kubernetes.io/component": "load",
      "app.kubernetes.io/managed-by": "gantry",
      "app.kubernetes.io/name": "meta",
      "app.kubernetes.io/part-of": "billing",
      "gantry.dev/pipeline": "meta",
      "gantry.dev/role": "work",
      "gantry.dev/scope": "table",
      "gantry.dev/task": "load",
    });
    const scope = (t: string) => byTask[t]!["gantry.dev/scope"];
    expect(["cluster", "table", "load", "drop-table", "drop-cluster", "report", "notify"].map(scope)).toEqual(["cluster", "table", "table", "table", "cluster", undefined, undefined]);
    expect(Object.fromEntries(p.tasks.map((t) => [t.task.name, t.scopes]))).toEqual({
      cluster: ["cluster"],
      table: ["cluster", "table"],
      load: ["cluster", "table"],
      "drop-table": ["cluster", "table"],
      "drop-cluster": ["cluster"],
      report: [],
      notify: [],
    });
  });

  it("a teardown inside another setup's scope is labelled with the scope it closes", async () => {
    const r = await compile({ cwd: repoRoot, paths: ["examples/create-rose-table.ts"], target: "argo", kind: "auto" });
    const p = lower(r.pipelines[0]!.ir).plan;
    const dropTmp = p.tasks.find((t) => t.task.name === "drop-tmp")!;
    expect(dropTmp.scopes).toEqual(["create-tmp", "load-tmp", "swap"]);
    expect(dropTmp.labels["gantry.dev/scope"]).toBe("load-tmp");
    expect(dropTmp.annotations["gantry.dev/scopes"]).toBe("create-tmp,load-tmp,swap");
    expect(p.tasks.find((t) => t.task.name === "validate-cols")!.labels["gantry.dev/scope"]).toBe("swap");
  });

  it("part-of defaults to the pipeline's name; the label prefix is configurable", async () => {
    const p = await plan(source("{}", '  p.task("t", { image: "x" });', "plain"), "platform.acme.com");
    expect(p.labels).toMatchObject({ "app.kubernetes.io/part-of": "plain", "platform.acme.com/pipeline": "plain" });
    expect(p.tasks[0]!.labels).toMatchObject({ "platform.acme.com/task": "t", "platform.acme.com/role": "work" });
    expect(p.tasks[0]!.annotations["platform.acme.com/pipeline-hash"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("annotations", () => {
  it("top level: source, content hash, owner, team, runbook", async () => {
    const p = await plan(SCOPED);
    expect(p.annotations).toEqual({
      "gantry.dev/owner": "@data-oncall",
      "gantry.dev/pipeline-hash": p.hash,
      "gantry.dev/runbook-url": "https://runbooks.example.com/meta",
      "gantry.dev/source": "main.ts:2",
      "gantry.dev/team": "data",
    });
  });

  it("pods: the effective retry policy as JSON, the scope chain, and the task's own owner/runbook over the pipeline's", async () => {
    const p = await plan(SCOPED);
    const a = Object.fromEntries(p.tasks.map((t) => [t.task.name, t.annotations]));
    expect(a["load"]).toEqual({
      "gantry.dev/owner": "@alice",
      "gantry.dev/pipeline-hash": p.hash,
      "gantry.dev/retry": '{"limit":0}',
      "gantry.dev/runbook-url": "http://wiki.internal/load",
      "gantry.dev/scopes": "cluster,table",
      "gantry.dev/source": "main.ts:5",
      "gantry.dev/team": "data",
    });
    expect(JSON.parse(a["notify"]!["gantry.dev/retry"]!)).toEqual({ limit: 3, on: "failure", backoff: { durationSeconds: 10, factor: 1 }, onExitCodes: [], exceptExitCodes: [] });
    expect(a["report"]!["gantry.dev/scopes"]).toBeUndefined();
  });

  it("a retry turned off keeps only its total timeout in the annotation", async () => {
    const p = await plan(source('{ defaults: { retry: { limit: 2, backoff: { duration: "5s" } } } }', '  p.task("t", { image: "x", retry: { limit: 0, totalTimeout: "1h" } });'));
    expect(p.tasks[0]!.annotations["gantry.dev/retry"]).toBe('{"limit":0,"totalTimeoutSeconds":3600}');
  });

  it("owner, team and runbook are not task defaults", async () => {
    const src = source('{ defaults: { owner: "x" } as never }', '  p.task("t", { image: "x" });');
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "owner")}`]);
  });
});

describe("the content hash", () => {
  const files = (shift: string, image = "x") => ({ "main.ts": `${shift}${source("{}", `  p.task("t", { image: "${image}" });`)}` });

  it("is the same on every compile and when the code moves; changes with what the pipeline does", async () => {
    const hashOf = async (f: Record<string, string>) => lower((await compileFiles(f)).pipelines[0]!.ir).plan.hash;
    const first = await hashOf(files(""));
    expect(await hashOf(files(""))).toBe(first);
    expect(await hashOf(files("// a comment\n\n"))).toBe(first);
    expect(await hashOf(files("", "y"))).not.toBe(first);
  });

  it("is sha256 of the canonical JSON of the IR without source positions, so executed and static modules agree", async () => {
    const r = await compileFiles(files(""));
    const ir = r.pipelines[0]!.ir;
    const moved: IR.Pipeline = { ...ir, source: { file: "elsewhere.ts", line: 99, column: 1 }, tasks: ir.tasks.map((t) => ({ ...t, source: { file: "x.ts", line: 1, column: 1 } })) };
    expect(pipelineHash(moved)).toBe(pipelineHash(ir));
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const reordered = reverse(ir) as IR.Pipeline;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(ir));
    expect(canonicalJson(reordered)).toBe(canonicalJson(ir));
  });
});

describe("model checks", () => {
  it("GANTRY2037: a runbook URL that is not absolute http(s), on the pipeline and on a task", async () => {
    const src = source('{ runbookUrl: "runbooks/meta" }', '  p.task("a", { image: "x", runbookUrl: "ftp://files.example.com/a" });\n  p.task("b", { image: "x", runbookUrl: "https://example.com/has space" });');
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([
      `GANTRY2037 ${loc("main.ts", src, '"runbooks/meta"')}`,
      `GANTRY2037 ${loc("main.ts", src, '"ftp:')}`,
      `GANTRY2037 ${loc("main.ts", src, '"https://example.com/has')}`,
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'pipeline: runbookUrl "runbooks/meta" is not an absolute URL',
      'task "a": runbookUrl "ftp://files.example.com/a" must use http or https, not ftp',
      'task "b": runbookUrl "https://example.com/has space" contains whitespace',
    ]);
    expect(r.diagnostics.every((d) => d.severity === "error" && d.hint)).toBe(true);
  });

  it("GANTRY2012: partOf must be a valid label value; GANTRY2001: an empty owner", async () => {
    const src = source('{ partOf: "billing platform", owner: "" }', '  p.task("a", { image: "x" });');
    const r = await compileFiles({ "main.ts": src });
    // Both: an invalid field no longer hides the checks of the others.
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2012 ${loc("main.ts", src, '"billing platform"')}`, `GANTRY2001 ${loc("main.ts", src, '""')}`]);
    const src2 = source('{ partOf: "billing platform" }', '  p.task("a", { image: "x" });');
    const r2 = await compileFiles({ "main.ts": src2 });
    expect(r2.diagnostics.map(where)).toEqual([`GANTRY2012 ${loc("main.ts", src2, '"billing platform"')}`]);
    expect(r2.diagnostics[0]!.message).toMatch(/^partOf "billing platform" is the value of the label app.kubernetes.io\/part-of and /);
  });
});

describe("emitted Argo objects", () => {
  it("carry the metadata on the object, on each run (workflowMetadata) and on every pod template, and validate", async () => {
    const cwd = tempProject({ "main.ts": SCOPED });
    for (const kind of ["template", "workflow"] as const) {
      const r = await compile({ cwd, paths: ["main.ts"], target: "argo", kind });
      const o = r.pipelines[0]!.objects[0]! as Record<string, any>;
      expect(o.metadata.labels["gantry.dev/pipeline"]).toBe("meta");
      expect(o.metadata.annotations["gantry.dev/pipeline-hash"]).toMatch(/^sha256:/);
      if (kind === "template") expect(o.spec.workflowMetadata).toEqual({ labels: o.metadata.labels, annotations: o.metadata.annotations });
      else expect(o.spec.workflowMetadata).toBeUndefined();
      const leaves = (o.spec.templates as Record<string, any>[]).filter((t) => t.container);
      expect(leaves.map((t) => t.metadata.labels["gantry.dev/task"])).toEqual(["cluster", "table", "load", "drop-table", "drop-cluster", "report", "notify"]);
      for (const t of leaves) expect(t.metadata.annotations["gantry.dev/retry"]).toMatch(/^\{"/);
      expect(validateObject(o)).toEqual([]);
    }
  });

  it("the same bytes on every compile", async () => {
    const a = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "auto" });
    const b = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "auto" });
    expect(b.pipelines.map((p) => p.yaml)).toEqual(a.pipelines.map((p) => p.yaml));
  });
});
