/**
 * Default Prometheus metrics on Argo (issue 6, point 3): per task a duration gauge and a result
 * counter by status, teardown results, the run's duration and result; valid, low-cardinality names
 * and labels (shared/reference/argo.md §4.1); off with the pipeline option `metrics: false`,
 * `--no-metrics` or the configuration's `"metrics": false`.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compile } from "../src/compile.js";
import { METRIC_NAMES } from "../src/phases/4-lower/index.js";
import { gantry, repoRoot, tempProject } from "./support/cli.js";
import { sharedSchemasAvailable, validateObject } from "./support/validate-manifests.js";

const PIPELINE = (options = "{}") => `import { pipeline } from "gantry";
export default pipeline("etl", ${options}, (p) => {
  const cluster = p.setup("cluster", { image: "x" });
  const load = p.task("load", { image: "x", after: [cluster], retry: { limit: 2 } });
  p.teardown("drop", { image: "x", setups: [cluster], after: [load], failsRun: true });
  p.finally("notify", { image: "x" });
});
`;

type Obj = Record<string, any>;

async function objectFor(options = "{}", compileOptions: { metrics?: boolean } = {}): Promise<Obj> {
  const cwd = tempProject({ "p.ts": PIPELINE(options) });
  const r = await compile({ cwd, paths: ["p.ts"], target: "argo", kind: "template", ...compileOptions });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.pipelines[0]!.objects[0]! as Obj;
}

const templatesOf = (o: Obj): Record<string, Obj> => Object.fromEntries((o.spec.templates as Obj[]).map((t) => [t.name, t]));

describe("metrics by default", () => {
  it("every task's leaf template: duration gauge and result counter by status, labelled pipeline/task/role", async () => {
    const t = templatesOf(await objectFor());
    expect(t["load"]!.metrics).toEqual({
      prometheus: [
        {
          name: "gantry_task_duration_seconds",
          help: "Seconds the last finished attempt of a Gantry task took; for a retried task, all its attempts and waits once it is done",
          labels: [
            { key: "pipeline", value: "etl" },
            { key: "task", value: "load" },
            { key: "role", value: "work" },
            { key: "workflow_namespace", value: "{{workflow.namespace}}" },
          ],
          gauge: { realtime: false, value: "{{duration}}" },
        },
        {
          name: "gantry_task_result_total",
          help: "Finished attempts of Gantry tasks by status; every attempt of a retried task counts",
          labels: [
            { key: "pipeline", value: "etl" },
            { key: "task", value: "load" },
            { key: "role", value: "work" },
            { key: "workflow_namespace", value: "{{workflow.namespace}}" },
            { key: "status", value: "{{status}}" },
          ],
          counter: { value: "1" },
        },
      ],
    });
    for (const name of ["cluster", "notify"]) expect(t[name]!.metrics.prometheus.map((m: Obj) => m.name)).toEqual([METRIC_NAMES.taskDuration, METRIC_NAMES.taskResult]);
  });

  it("teardowns also count their results, with whether a failure fails the run", async () => {
    const t = templatesOf(await objectFor());
    const teardown = (t["drop"]!.metrics.prometheus as Obj[]).find((m) => m.name === METRIC_NAMES.teardownResult)!;
    expect(teardown.labels).toEqual([
      { key: "pipeline", value: "etl" },
      { key: "teardown", value: "drop" },
      { key: "fails_run", value: "true" },
      { key: "workflow_namespace", value: "{{workflow.namespace}}" },
      { key: "status", value: "{{status}}" },
    ]);
    expect(teardown.counter).toEqual({ value: "1" });
  });

  it("the run: duration gauge and result counter on the workflow spec; DAG and gate templates carry none", async () => {
    const o = await objectFor();
    expect(o.spec.metrics.prometheus).toEqual([
      { name: "gantry_run_duration_seconds", help: "Seconds the last finished run of a Gantry pipeline took", labels: [{ key: "pipeline", value: "etl" }, { key: "workflow_namespace", value: "{{workflow.namespace}}" }], gauge: { realtime: false, value: "{{workflow.duration}}" } },
      { name: "gantry_run_result_total", help: "Finished runs of Gantry pipelines by status", labels: [{ key: "pipeline", value: "etl" }, { key: "workflow_namespace", value: "{{workflow.namespace}}" }, { key: "status", value: "{{workflow.status}}" }], counter: { value: "1" } },
    ]);
    const t = templatesOf(o);
    for (const name of ["main", "gantry-finally", "gantry-noop"]) expect(t[name]!.metrics).toBeUndefined();
  });

  // Monitoring review finding: copies of a pipeline in two namespaces on one controller shared
  // every series (a staging success satisfied prod's alert); the run's namespace is a label now.
  it("valid and low-cardinality: names and keys match Argo's pattern, counters end in _total, one help per name, only the namespace, status and duration vary", async () => {
    const all: Obj[] = [];
    const r = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind: "auto" });
    for (const p of r.pipelines) {
      const spec = (p.objects[0]!["spec"] as Obj).workflowSpec ?? p.objects[0]!["spec"];
      all.push(...spec.metrics.prometheus, ...(spec.templates as Obj[]).flatMap((t) => t.metrics?.prometheus ?? []));
    }
    const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
    const help = new Map<string, string>();
    for (const m of all) {
      expect(m.name).toMatch(NAME);
      if (m.counter) expect(m.name).toMatch(/_total$/);
      expect(help.get(m.name) ?? m.help).toBe(m.help);
      help.set(m.name, m.help);
      for (const l of m.labels) {
        expect(l.key).toMatch(NAME);
        if (l.value.includes("{{")) expect(["{{status}}", "{{workflow.status}}", "{{workflow.namespace}}"]).toContain(l.value);
      }
      expect(JSON.stringify(m)).not.toMatch(/workflow\.(name|uid|creationTimestamp)\b|pod\.name|retries/);
    }
    expect([...help.keys()].sort()).toEqual(Object.values(METRIC_NAMES).sort());
    for (const m of all) expect(m.labels.filter((l: Obj) => l.key === "workflow_namespace"), m.name).toEqual([{ key: "workflow_namespace", value: "{{workflow.namespace}}" }]);
  });

  it.skipIf(!sharedSchemasAvailable())("validate against Argo's JSON schema and full CRDs, in every kind", async () => {
    const cwd = tempProject({ "p.ts": PIPELINE('{ schedule: { cron: "@daily" } }') });
    for (const kind of ["auto", "template", "workflow"] as const) {
      const r = await compile({ cwd, paths: ["p.ts"], target: "argo", kind });
      for (const o of r.pipelines[0]!.objects) expect(validateObject(o)).toEqual([]);
    }
  });
});

describe("opting out", () => {
  it("the pipeline option metrics: false", async () => {
    const o = await objectFor("{ metrics: false }");
    expect(o.spec.metrics).toBeUndefined();
    expect((o.spec.templates as Obj[]).filter((t) => t.metrics)).toEqual([]);
  });

  it("the compile option (--no-metrics) wins over a pipeline that wants them", async () => {
    const o = await objectFor("{ metrics: true }", { metrics: false });
    expect(o.spec.metrics).toBeUndefined();
    expect((o.spec.templates as Obj[]).filter((t) => t.metrics)).toEqual([]);
  });

  it("gantry compile --no-metrics, and \"metrics\": false in gantry.config.json; a flag wins over the configuration", () => {
    const hasMetrics = (dir: string) => {
      const text = fs.readFileSync(path.join(dir, "manifests/etl.yaml"), "utf8");
      return parseAllDocuments(text).some((d) => JSON.stringify(d.toJS()).includes("gantry_task_result_total"));
    };
    const flag = tempProject({ "pipelines/p.ts": PIPELINE() });
    expect(gantry(["compile", "--no-metrics"], flag).code).toBe(0);
    expect(hasMetrics(flag)).toBe(false);

    const config = tempProject({ "pipelines/p.ts": PIPELINE(), "gantry.config.json": JSON.stringify({ metrics: false }) });
    expect(gantry(["compile"], config).code).toBe(0);
    expect(hasMetrics(config)).toBe(false);

    const on = tempProject({ "pipelines/p.ts": PIPELINE(), "gantry.config.json": JSON.stringify({ metrics: true }) });
    expect(gantry(["compile"], on).code).toBe(0);
    expect(hasMetrics(on)).toBe(true);
    expect(gantry(["compile", "--no-metrics"], on).code).toBe(0);
    expect(hasMetrics(on)).toBe(false);
  });

  it("a config metrics value that is not a boolean is GANTRY5004", () => {
    const dir = tempProject({ "pipelines/p.ts": PIPELINE(), "gantry.config.json": JSON.stringify({ metrics: "no" }) });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GANTRY5004: gantry\.config\.json: metrics: /);
  });
});
