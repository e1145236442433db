/**
 * Labels Gantry owns (GANTRY2028), labels the Job controller owns (GANTRY4021) and the annotation
 * size limit (GANTRY2012), through compile() on real files, checked in the emitted objects.
 */
import { describe, expect, it } from "vitest";
import { compile, type Target } from "../src/compile.js";
import { tempProject } from "./support/cli.js";
import { loc } from "./support/positions.js";

type Json = Record<string, any>;

const source = (pipelineLabels: string, taskLabels: string, extra = "") => `import { pipeline } from "gantry";
export default pipeline("etl", { namespace: "data", labels: ${pipelineLabels} }, (p) => {
  const db = p.setup("create-db", { image: "busybox:1.36" });
  p.task("load", { image: "busybox:1.36", after: [db], labels: { "gantry.dev/scope": "mine", team: "data" } });
  p.teardown("drop-db", { image: "busybox:1.36", setups: [db], after: [] });
  p.task("report", { image: "busybox:1.36", labels: ${taskLabels}${extra} });
});
`;

async function run(src: string, target: Target, labelPrefix?: string) {
  return compile({ cwd: tempProject({ "p.ts": src }), paths: ["p.ts"], target, kind: "auto", jobs: { runId: "r1" }, ...(labelPrefix && { labelPrefix }) });
}

/** Every pod template's labels, by the task label Gantry gave it (status Job: "status"). */
function podLabels(objects: Json[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const o of objects) {
    if (o.kind === "Job") out[o.metadata.labels["gantry.dev/task"] ?? o.metadata.labels["gantry.dev/role"]] = o.spec.template.metadata.labels;
    if (o.kind === "WorkflowTemplate") for (const t of o.spec.templates) if (t.metadata?.labels) out[t.name] = t.metadata.labels;
  }
  return out;
}

describe("labels Gantry owns", () => {
  it("a reserved label in defaults.labels: one GANTRY2028 naming the tasks it reaches, at the key in the defaults", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("etl", { defaults: { labels: { "gantry.dev/role": "batch", tier: "gold" } } }, (p) => {
${["a", "b", "c", "d", "e", "f"].map((n) => `  p.task("${n}", { image: "busybox:1.36" });`).join("\n")}
});
`;
    const r = await run(src, "argo");
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message}`)).toEqual([
      `GANTRY2028 ${loc("p.ts", src, '"gantry.dev/role"')} tasks "a", "b", "c", "d", "e" and 1 more: label "gantry.dev/role" is Gantry's own, so its value "batch" is not used`,
    ]);
  });

  it.each(["argo", "jobs"] as const)("%s: a scope label outside any scope and a pipeline's task/role/run labels are left out, with GANTRY2028 at each key", async (target) => {
    const src = source(`{ "gantry.dev/task": "t", "gantry.dev/run": "mine", tier: "gold" }`, `{ "gantry.dev/scope": "s", "gantry.dev/role": "x", "app.kubernetes.io/name": "mine" }`);
    const r = await run(src, target);
    expect(r.ok).toBe(true);
    const warnings = r.diagnostics.filter((d) => d.code === "GANTRY2028").map((d) => `${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message}`);
    expect(warnings).toEqual([
      `${loc("p.ts", src, '"gantry.dev/task"')} pipeline "etl": label "gantry.dev/task" is Gantry's own, so its value "t" is not used`,
      `${loc("p.ts", src, '"gantry.dev/run"')} pipeline "etl": label "gantry.dev/run" is Gantry's own, so its value "mine" is not used`,
      `${loc("p.ts", src, '"gantry.dev/scope"')} task "load": label "gantry.dev/scope" is Gantry's own, so its value "mine" is not used`,
      `${loc("p.ts", src, '"gantry.dev/scope"', 2)} task "report": label "gantry.dev/scope" is Gantry's own, so its value "s" is not used`,
      `${loc("p.ts", src, '"gantry.dev/role"')} task "report": label "gantry.dev/role" is Gantry's own, so its value "x" is not used`,
    ]);
    const objects = r.pipelines[0]!.objects as Json[];
    const pods = podLabels(objects);
    // Outside any scope: no scope label at all. Inside one: Gantry's value.
    expect(pods["report"]!["gantry.dev/scope"]).toBeUndefined();
    expect(pods["report"]!["gantry.dev/role"]).toBe("work");
    expect(pods["load"]!["gantry.dev/scope"]).toBe("create-db");
    expect(pods["load"]!["team"]).toBe("data");
    // The Kubernetes recommended labels: Gantry's value wins, as documented, without a warning.
    expect(pods["report"]!["app.kubernetes.io/name"]).toBe("etl");
    // The pipeline's own objects never carry a task label; their other user labels stay.
    for (const o of objects.filter((o) => o.kind !== "Job" || o.metadata.labels["gantry.dev/role"] === "status")) {
      expect(o.metadata.labels["gantry.dev/task"], `${o.kind} ${o.metadata.name}`).toBeUndefined();
      expect(o.metadata.labels["tier"]).toBe("gold");
    }
    if (target === "jobs") {
      expect(pods["status"]!["gantry.dev/run"]).toBe("etl-r1");
      expect(objects.filter((o) => o.metadata.labels?.["gantry.dev/run"] === "mine")).toEqual([]);
    }
  });

  it("under a custom labelPrefix the reserved keys move with it; gantry.dev keys are then the user's own", async () => {
    const r = await run(source(`{}`, `{ "acme.io/scope": "s", "gantry.dev/scope": "kept" }`), "argo", "acme.io");
    // load's "gantry.dev/scope" is an ordinary label now.
    expect(r.diagnostics.filter((d) => d.code === "GANTRY2028").map((d) => d.message)).toEqual(['task "report": label "acme.io/scope" is Gantry\'s own, so its value "s" is not used']);
    const pods = podLabels(r.pipelines[0]!.objects as Json[]);
    expect(pods["report"]!["acme.io/scope"]).toBeUndefined();
    expect(pods["report"]!["gantry.dev/scope"]).toBe("kept");
  });
});

describe("labels the Job controller owns (jobs target)", () => {
  it("GANTRY4021 for a task's or the pipeline's job-name / controller-uid labels; Argo accepts them", async () => {
    const src = source(`{ "controller-uid": "u" }`, `{ "batch.kubernetes.io/job-name": "q", "job-name": "zz" }`);
    const jobs = await run(src, "jobs");
    expect(jobs.ok).toBe(false);
    // Each at its key (sorted by position).
    const at = (needle: string) => loc("p.ts", src, needle);
    expect(jobs.diagnostics.filter((d) => d.code === "GANTRY4021").map((d) => `${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message.split(":")[0]} ${d.message.match(/"([^"]+)" belongs/)![1]}`)).toEqual([
      `${at('"controller-uid"')} pipeline "etl" controller-uid`,
      `${at('"batch.kubernetes.io/job-name"')} task "report" batch.kubernetes.io/job-name`,
      `${at('"job-name"')} task "report" job-name`,
    ]);
    expect((await run(src, "argo")).ok).toBe(true);
  });
});

describe("annotation size", () => {
  it("GANTRY2012 when a task's annotations pass 256 KiB; just under it compiles", async () => {
    const withOwner = (n: number) => source(`{}`, `{}`, `, owner: "${"x".repeat(n)}"`);
    const big = await run(withOwner(270_000), "argo");
    expect(big.ok).toBe(false);
    const [d] = big.diagnostics.filter((x) => x.code === "GANTRY2012");
    expect(d!.span?.line).toBe(6);
    expect(d!.message).toMatch(/^task "report": its annotations, Gantry's included, are \d+ bytes; Kubernetes refuses objects whose annotations pass 262144 bytes/);
    expect((await run(withOwner(200_000), "argo")).ok).toBe(true);
  });

  it("GANTRY2012 counts the pipeline description, which Argo reads from an annotation; the jobs target does not write it there (review finding)", async () => {
    const described = (n: number) => `import { pipeline } from "gantry";
export default pipeline("etl", { namespace: "data", description: "${"d".repeat(n)}" }, (p) => {
  p.task("report", { image: "busybox:1.36" });
});
`;
    const compileIt = (n: number, target: Target) => compile({ cwd: tempProject({ "p.ts": described(n) }), paths: ["p.ts"], target, kind: "auto", jobs: { runId: "r1" } });
    const big = await compileIt(270_000, "argo");
    expect(big.ok).toBe(false);
    expect(big.pipelines).toEqual([]);
    const found = big.diagnostics.filter((x) => x.code === "GANTRY2012");
    expect(found).toHaveLength(1);
    expect(found[0]!.span?.line).toBe(2);
    expect(found[0]!.message).toMatch(/^pipeline "etl" \(with its description, which Argo reads from an annotation\): its annotations, Gantry's included, are \d+ bytes/);
    const fits = await compileIt(200_000, "argo");
    expect(fits.ok).toBe(true);
    expect((fits.pipelines[0]!.objects[0] as Json).metadata.annotations["workflows.argoproj.io/description"]).toHaveLength(200_000);
    expect((await compileIt(270_000, "jobs")).diagnostics.filter((x) => x.code === "GANTRY2012")).toEqual([]);
  });
});
