/**
 * `gantry compile --metadata` (issue 6, point 5): `<pipeline>.metadata.json` beside each manifest,
 * valid against the shipped JSON Schema (generated from the zod schema), owned like the other
 * generated files although JSON has no comments, checked by --check, and set in the configuration.
 */
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compile } from "../src/compile.js";
import { isGenerated } from "../src/output/ownership.js";
import { metadataJsonSchema, type PipelineMetadata } from "../src/output/metadata.js";
import { gantry, repoRoot, tempProject } from "./support/cli.js";

const PIPELINE = `import { pipeline } from "gantry";
export default pipeline("etl", { namespace: "data", owner: "@data-oncall", team: "data", runbookUrl: "https://runbooks.example.com/etl", schedule: { cron: "@daily" } }, (p) => {
  const cluster = p.setup("cluster", { image: "x" });
  const load = p.task("load", { image: "x", after: [cluster], timeout: "10m", owner: "@alice", retry: { limit: 2, backoff: { duration: "30s", factor: 2 }, exceptExitCodes: [2] } });
  p.teardown("drop", { image: "x", setups: [cluster], after: [load] });
});
`;

const validator = () => new Ajv2020({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "gantry.metadata.schema.json"), "utf8")) as object);

describe("compile --metadata", () => {
  it("writes <pipeline>.metadata.json: tasks, roles, scopes, dependencies, retry policies, labels, owners and metric names", () => {
    const dir = tempProject({ "pipelines/etl.ts": PIPELINE });
    const r = gantry(["compile", "--metadata"], dir);
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(path.join(dir, "manifests/etl.metadata.json"), "utf8");
    const m = JSON.parse(text) as PipelineMetadata;
    expect(m).toMatchObject({
      pipeline: "etl",
      source: "pipelines/etl.ts:2",
      target: "argo",
      namespace: "data",
      schedule: { crons: ["@daily"], timezone: "UTC" },
      partOf: "etl",
      owner: "@data-oncall",
      team: "data",
      runbookUrl: "https://runbooks.example.com/etl",
      labels: { "gantry.dev/pipeline": "etl", "app.kubernetes.io/name": "etl" },
    });
    expect(m.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.metrics.map((x) => x.name)).toEqual(["gantry_run_duration_seconds", "gantry_run_result_total"]);
    expect(m.tasks.map((t) => [t.name, t.role, t.scope, t.scopes, t.dependencies, t.setups])).toEqual([
      ["cluster", "setup", "cluster", ["cluster"], [], []],
      ["load", "work", "cluster", ["cluster"], ["cluster"], []],
      ["drop", "teardown", "cluster", ["cluster"], ["load"], ["cluster"]],
    ]);
    const load = m.tasks[1]!;
    expect(load).toMatchObject({
      retry: { limit: 2, on: "failure", backoff: { durationSeconds: 30, factor: 2 }, onExitCodes: [], exceptExitCodes: [2] },
      timeoutSeconds: 600,
      owner: "@alice",
      team: "data",
      source: "pipelines/etl.ts:4",
      labels: { "gantry.dev/task": "load", "gantry.dev/role": "work", "gantry.dev/scope": "cluster" },
    });
    expect(load.metrics.map((x) => [x.name, x.type, x.labels, x.byStatus, x.byNamespace])).toEqual([
      ["gantry_task_duration_seconds", "gauge", { pipeline: "etl", task: "load", role: "work" }, false, true],
      ["gantry_task_result_total", "counter", { pipeline: "etl", task: "load", role: "work" }, true, true],
    ]);
    expect(m.tasks.map((t) => t.notEnforced)).toEqual([[], [], []]); // Argo applies every limit
    expect(m.tasks[2]!.metrics.map((x) => x.name)).toContain("gantry_teardown_result_total");
    expect(m.tasks[0]!.retry).toEqual({ limit: 0 });
    // A trigger only where it decides when the task starts (adversarial finding: "allSucceeded" on every teardown).
    expect(m.tasks.map((t) => [t.name, t.trigger])).toEqual([["cluster", "allSucceeded"], ["load", "allSucceeded"], ["drop", undefined]]);
    // The manifest's annotations say the same.
    const manifest = parse(fs.readFileSync(path.join(dir, "manifests/etl.yaml"), "utf8")) as Record<string, any>;
    expect(manifest.metadata.annotations["gantry.dev/pipeline-hash"]).toBe(m.hash);
    // Not a Kubernetes object: kustomization.yaml lists the manifests only.
    expect((parse(fs.readFileSync(path.join(dir, "manifests/kustomization.yaml"), "utf8")) as { resources: string[] }).resources).toEqual(["etl.yaml"]);
  });

  it("validates against gantry.metadata.schema.json, for the examples on both targets; the jobs target names no metrics", async () => {
    const validate = validator();
    for (const target of ["argo", "jobs"] as const) {
      const r = await compile({ cwd: repoRoot, paths: ["examples"], target, kind: "auto", metadata: true });
      expect(r.pipelines.length).toBeGreaterThanOrEqual(5);
      for (const p of r.pipelines) {
        const m = JSON.parse(p.metadata!) as PipelineMetadata;
        expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
        expect(m.target).toBe(target);
        const names = [...m.metrics, ...m.tasks.flatMap((t) => t.metrics)].map((x) => x.name);
        if (target === "jobs") expect(names).toEqual([]);
        else expect(names.length).toBeGreaterThan(0);
      }
    }
  });

  // Monitoring review finding: on the jobs target the file presented a backoff, a total timeout and a
  // timeout as the task's effective limits while the emitted Job applied none of them.
  it("on the jobs target, lists per task the limits the target does not apply, each one the compile warned about", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("sa", { serviceAccountName: "etl-runner" }, (p) => {
  const extract = p.task("extract", { image: "busybox:1.36", timeout: "5m", retry: { limit: 1, totalTimeout: "20m" } });
  p.task("load", { image: "busybox:1.36", after: [extract], timeout: "10m", retry: { limit: 2, backoff: { duration: "1m" }, totalTimeout: "1h" } });
  p.task("plain", { image: "busybox:1.36", after: [extract], serviceAccountName: undefined, retry: { limit: 1 } });
});
`;
    const r = await compile({ cwd: tempProject({ "pipelines/sa.ts": src }), paths: ["pipelines"], target: "jobs", kind: "auto", metadata: true, jobs: { runId: "r1" } });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(["GANTRY4013", "GANTRY4017", "GANTRY4019"]);
    const m = JSON.parse(r.pipelines[0]!.metadata!) as PipelineMetadata;
    expect(m.tasks.map((t) => [t.name, t.notEnforced])).toEqual([
      ["extract", []], // waits for nothing: its Job's deadline is the total timeout, its pod's the timeout
      ["load", ["retry.backoff", "retry.totalTimeout", "timeout"]],
      ["plain", []],
    ]);
    expect(validator()(m)).toBe(true);
    // The Job and its pods say the same, for someone reading `kubectl describe` rather than the file.
    type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };
    const jobs = r.pipelines[0]!.objects.filter((o) => o["kind"] === "Job") as { metadata: Meta; spec: { template: { metadata: Meta } } }[];
    const shown = (name: string) => {
      const job = jobs.find((j) => j.metadata.labels?.["gantry.dev/task"] === name)!;
      expect(job.spec.template.metadata.annotations?.["gantry.dev/not-enforced"]).toBe(job.metadata.annotations?.["gantry.dev/not-enforced"]);
      return job.metadata.annotations?.["gantry.dev/not-enforced"];
    };
    expect(["extract", "load", "plain"].map(shown)).toEqual([undefined, "retry.backoff,retry.totalTimeout,timeout", undefined]);
  });

  it("is byte-stable and follows --no-metrics", async () => {
    const cwd = tempProject({ "p.ts": PIPELINE });
    const a = await compile({ cwd, paths: ["p.ts"], target: "argo", kind: "auto", metadata: true });
    const b = await compile({ cwd, paths: ["p.ts"], target: "argo", kind: "auto", metadata: true });
    expect(b.pipelines[0]!.metadata).toBe(a.pipelines[0]!.metadata);
    const off = await compile({ cwd, paths: ["p.ts"], target: "argo", kind: "auto", metadata: true, metrics: false });
    const m = JSON.parse(off.pipelines[0]!.metadata!) as PipelineMetadata;
    expect([...m.metrics, ...m.tasks.flatMap((t) => t.metrics)]).toEqual([]);
    expect((await compile({ cwd, paths: ["p.ts"], target: "argo", kind: "auto" })).pipelines[0]!.metadata).toBeUndefined();
  });

  it("is Gantry's file although JSON has no comments: rewritten, checked, removed when no longer produced; a user's JSON is never touched", () => {
    const dir = tempProject({ "pipelines/etl.ts": PIPELINE, "manifests/dashboard.json": '{\n  "panels": []\n}\n' });
    expect(gantry(["compile", "--metadata"], dir).code).toBe(0);
    const file = path.join(dir, "manifests/etl.metadata.json");
    expect(isGenerated(fs.readFileSync(file, "utf8"))).toBe(true);
    expect(fs.readFileSync(file, "utf8").split("\n").slice(0, 2)).toEqual(["{", '  "$comment": "Generated by gantry from pipelines/etl.ts. Do not edit: change the source and run `gantry compile --metadata`.",']);
    expect(gantry(["compile", "--metadata", "--check"], dir).code).toBe(0);

    // An edited file is out of date for --check and rewritten by a compile.
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"team": "data"', '"team": "other"'));
    const check = gantry(["compile", "--metadata", "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/changed {2}etl\.metadata\.json/);
    expect(gantry(["compile", "--metadata"], dir).code).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toContain('"team": "data"');

    // Without --metadata the file is a generated file nothing produces any more: removed.
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/removed \(etl\.metadata\.json\)/);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(path.join(dir, "manifests/dashboard.json"), "utf8")).toBe('{\n  "panels": []\n}\n');
  });

  it("a user's file at the metadata file's name is GANTRY5002, and nothing is written", () => {
    const dir = tempProject({ "pipelines/etl.ts": PIPELINE, "manifests/etl.metadata.json": '{\n  "mine": true\n}\n' });
    const r = gantry(["compile", "--metadata"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GANTRY5002: .*etl\.metadata\.json exists and was not generated by Gantry/);
    expect(fs.existsSync(path.join(dir, "manifests/etl.yaml"))).toBe(false);
  });

  it("the configuration's \"metadata\": true does the same; --stdout conflicts with the flag", () => {
    const dir = tempProject({ "pipelines/etl.ts": PIPELINE, "gantry.config.json": JSON.stringify({ metadata: true }) });
    expect(gantry(["compile"], dir).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "manifests/etl.metadata.json"))).toBe(true);
    expect(gantry(["compile", "--metadata", "--stdout"], dir).code).toBe(2);
  });

  it("gantry.metadata.schema.json (shipped) is generated from the zod schema: npm run schema", () => {
    expect(fs.readFileSync(path.join(repoRoot, "gantry.metadata.schema.json"), "utf8")).toBe(metadataJsonSchema());
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files: string[]; exports: Record<string, string> };
    expect(pkg.files).toContain("gantry.metadata.schema.json");
    expect(pkg.exports["./gantry.metadata.schema.json"]).toBe("./gantry.metadata.schema.json");
  });
});

describe("ownership of JSON files", () => {
  const tail = (command: string) => `Do not edit: change the source and run \`${command}\`.`;
  it("isGenerated: a $comment with Gantry's header as the first key, on the second line", () => {
    const header = `Generated by gantry from a.ts. ${tail("gantry compile --metadata")}`;
    expect(isGenerated(`{\n  "$comment": "${header}",\n  "x": 1\n}\n`)).toBe(true);
    expect(isGenerated(`{\r\n  "$comment": "${header}",\r\n  "x": 1\r\n}\r\n`)).toBe(true); // CRLF checkout
    expect(isGenerated(`{\n  "x": 1,\n  "$comment": "${header}"\n}\n`)).toBe(false);
    expect(isGenerated(`{"$comment": "${header}"}`)).toBe(false);
    expect(isGenerated('{\n  "$comment": "generated by someone else"\n}\n')).toBe(false);
  });

  it("isGenerated: the whole header of each kind of file, never a prefix of it (a user's own files are never Gantry's)", () => {
    const yaml = `# Generated by gantry from pipelines/a.ts. ${tail("gantry compile")}\n---\n`;
    expect(isGenerated(yaml)).toBe(true);
    expect(isGenerated(yaml.replace("\n", "\r\n"))).toBe(true);
    expect(isGenerated(`# Generated by gantry for the manifests in this directory. ${tail("gantry compile")}\n`)).toBe(true);
    expect(isGenerated(`<!-- Generated by gantry from pipelines/a.ts. ${tail("gantry compile")} -->\n`)).toBe(true);
    for (const mine of [
      "# Generated by gantry-docs; hand-maintained, see README\n",
      "<!-- Generated by gantry_wiki exporter -->\n",
      '{\n  "$comment": "Generated by gantry-dashboards, edited by hand"\n}\n',
      "# Generated by gantry from a.ts. Do not edit.\n",
      `# Generated by gantry from a.ts. ${tail("gantry compile")} Really.\n`,
    ]) {
      expect(isGenerated(mine), mine).toBe(false);
    }
  });
});
