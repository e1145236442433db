/**
 * The compiler's Jobs and the real runtime shim together: the shim runs as a subprocess with the
 * exact command and environment the emitted containers carry, against a fake Kubernetes API server
 * on 127.0.0.1 that holds the emitted Jobs. This checks the contract between the two halves (names,
 * selectors, JSON configuration, exit codes), which each half's own tests cannot.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIdFor } from "../templates/runtime/gantry-shim.mjs";
import { compile } from "../src/compile.js";
import { repoRoot, tempProject } from "./support/cli.js";
import { FakeKubeApi, makeJob, makePod, terminated, type JobStateName } from "./support/fake-kube-api.js";

type Json = Record<string, any>;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-"));
  fs.writeFileSync(path.join(dir, "token"), "test-token");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function emitted(example: string): Promise<Json[]> {
  const r = await compile({ cwd: repoRoot, paths: [`examples/${example}.ts`], target: "jobs", kind: "auto", jobs: { runId: "e2e" } });
  expect(r.ok).toBe(true);
  return r.pipelines[0]!.objects as Json[];
}

/** Runs a container's command (`node /gantry/gantry-shim.mjs <cmd>`) with the container's literal env, against `api`. */
function runContainer(container: Json, api: FakeKubeApi, namespace: string, extra: Record<string, string> = {}) {
  const [node, script, command] = container.command as string[];
  expect([node, script]).toEqual(["node", "/gantry/gantry-shim.mjs"]);
  const literal = Object.fromEntries((container.env as Json[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
  const env = {
    PATH: process.env.PATH ?? "",
    ...literal,
    // What the downward API would set, and where the fake API is.
    GANTRY_NAMESPACE: namespace,
    GANTRY_API_URL: api.url,
    GANTRY_TOKEN_FILE: path.join(dir, "token"),
    GANTRY_BACKOFF_MS: "5",
    GANTRY_TERMINATION_LOG: path.join(dir, `termination-${container.name}`),
    ...extra,
  };
  const child = spawn(process.execPath, [path.join(repoRoot, "templates/runtime/gantry-shim.mjs"), command!], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { done, exited: () => child.exitCode !== null };
}

const jobOf = (objects: Json[], task: string) => objects.find((o) => o.kind === "Job" && o.metadata.labels?.["gantry.dev/task"] === task)!;
const statusJob = (objects: Json[]) => objects.find((o) => o.kind === "Job" && o.metadata.labels?.["gantry.dev/role"] === "status")!;
/** A task's Job as the API would hold it, in a state, with the labels the compiler gave it. */
const live = (objects: Json[], task: string, state: JobStateName) => {
  const j = jobOf(objects, task);
  return makeJob(j.metadata.name, state, { labels: j.metadata.labels, namespace: j.metadata.namespace });
};

describe("emitted Jobs + the real shim against a fake API server", () => {
  it("spark-on-k8s: waiters follow the emitted conditions; the teardown runs after a failure; the status Job fails the run", async () => {
    const objects = await emitted("spark-on-k8s");
    const ns = "data-platform";
    const api = await FakeKubeApi.start({ namespace: ns });
    try {
      for (const t of ["create-cluster", "aggregate-sessions", "aggregate-orders", "delete-cluster", "report"]) api.putJob(live(objects, t, "running"));

      // aggregate-orders waits for its setup, then starts.
      const agg = runContainer(jobOf(objects, "aggregate-orders").spec.template.spec.initContainers[0], api, ns);
      await api.waitForWatches(1);
      expect(agg.exited()).toBe(false);
      api.putJob(live(objects, "create-cluster", "complete"));
      expect((await agg.done).code).toBe(0);

      // The teardown waits for its whole scope, and runs although the work failed.
      const teardown = runContainer(jobOf(objects, "delete-cluster").spec.template.spec.initContainers[0], api, ns);
      await api.waitForWatches(1);
      api.putJob(live(objects, "aggregate-sessions", "complete"));
      await new Promise((r) => setTimeout(r, 200));
      expect(teardown.exited()).toBe(false);
      api.putJob(live(objects, "aggregate-orders", "failed"));
      expect((await teardown.done).code).toBe(0);

      // The finally task writes the run's status where its container reads it.
      const reportInit = jobOf(objects, "report").spec.template.spec.initContainers[0];
      const statusFile = path.join(dir, "run-status");
      const config = JSON.parse(reportInit.env.find((e: Json) => e.name === "GANTRY_AWAIT").value);
      config.runStatus.file = statusFile;
      const report = runContainer(reportInit, api, ns, { GANTRY_AWAIT: JSON.stringify(config) });
      await api.waitForWatches(1);
      api.putJob(live(objects, "delete-cluster", "complete"));
      expect((await report.done).code).toBe(0);
      expect(fs.readFileSync(statusFile, "utf8")).toBe("Failed");
      api.putJob(live(objects, "report", "complete"));

      // The status Job: one record per attempt, a summary, exit 1 (the run failed).
      const orders = jobOf(objects, "aggregate-orders").metadata.name;
      for (const [i, code] of [1, 1].entries()) {
        api.putPod(makePod(`${orders}-${i}`, orders, { created: `2026-11-21T10:0${i}:00Z`, labels: jobOf(objects, "aggregate-orders").spec.template.metadata.labels, namespace: ns, phase: "Failed", awaitDeps: terminated(0), main: terminated(code) }));
      }
      const status = await runContainer(statusJob(objects).spec.template.spec.containers[0], api, ns).done;
      expect(status.code).toBe(1);
      const lines = status.stdout.trim().split("\n").map((l) => JSON.parse(l) as Json);
      expect(lines.filter((l) => l.task === "aggregate-orders").map((l) => [l.attempt, l.exitCode])).toEqual([[1, 1], [2, 1]]);
      expect(lines.at(-1)).toMatchObject({ pipeline: "spark-on-k8s", runId: "e2e", result: "Failed", failed: ["aggregate-orders"] });
      expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-status"), "utf8"))).toMatchObject({ result: "Failed" });
    } finally {
      await api.close();
    }
  });

  it("a failed setup: its dependents' waiters exit 90 (FailJob in their emitted policy), the teardown is skipped", async () => {
    const objects = await emitted("spark-on-k8s");
    const ns = "data-platform";
    const api = await FakeKubeApi.start({ namespace: ns });
    try {
      for (const t of ["aggregate-sessions", "aggregate-orders", "delete-cluster", "report"]) api.putJob(live(objects, t, "running"));
      api.putJob(live(objects, "create-cluster", "failed"));
      const agg = jobOf(objects, "aggregate-sessions");
      const r = await runContainer(agg.spec.template.spec.initContainers[0], api, ns).done;
      expect(r.code).toBe(90);
      expect(agg.spec.podFailurePolicy.rules[0].onExitCodes.values).toContain(r.code);
      api.putJob(live(objects, "aggregate-sessions", "not-run"));
      api.putJob(live(objects, "aggregate-orders", "not-run"));
      expect((await runContainer(jobOf(objects, "delete-cluster").spec.template.spec.initContainers[0], api, ns).done).code).toBe(90);
    } finally {
      await api.close();
    }
  });

  it("a teardown whose Job was deleted after its setup succeeded is reported failed; a waiter is not held by the status Job's Ready pod", async () => {
    const objects = await emitted("spark-on-k8s");
    const ns = "data-platform";
    const api = await FakeKubeApi.start({ namespace: ns });
    const withConfig = (container: Json, variable: string, change: (config: Json) => void) => {
      const config = JSON.parse(container.env.find((e: Json) => e.name === variable).value);
      change(config);
      return { [variable]: JSON.stringify(config) };
    };
    try {
      // The status Job is Ready (it follows the run); the work waits, not Ready: the run is stuck,
      // so the teardown's wait ends at its (shortened) timeout, and it runs since its setup succeeded.
      const status = statusJob(objects);
      api.putJob(makeJob(status.metadata.name, "running", { labels: status.metadata.labels, namespace: ns, ready: 1 }));
      api.putJob(live(objects, "create-cluster", "complete"));
      for (const t of ["aggregate-sessions", "aggregate-orders", "report"]) api.putJob(live(objects, t, "running"));
      const init = jobOf(objects, "delete-cluster").spec.template.spec.initContainers[0];
      const teardown = await runContainer(init, api, ns, withConfig(init, "GANTRY_AWAIT", (c) => (c.timeoutSeconds = 0.5))).done;
      expect(teardown.code).toBe(0);
      expect(teardown.stderr).toContain("so delete-cluster runs anyway");

      // Later the work ends and the teardown's Job is deleted before it ran: the resource remains.
      for (const t of ["aggregate-sessions", "aggregate-orders", "report"]) api.putJob(live(objects, t, "complete"));
      const container = status.spec.template.spec.containers[0];
      const r = await runContainer(container, api, ns, withConfig(container, "GANTRY_STATUS", (c) => (c.missingGraceSeconds = 0))).done;
      const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Json;
      expect(summary.tasks["delete-cluster"]).toBe("failed");
      expect(summary.failed).toEqual(["delete-cluster"]);
      // Without failsRun a failed teardown does not fail the run (as on Argo).
      expect(summary.result).toBe("Succeeded");
      expect(r.stderr).toContain("teardown delete-cluster did not run (missing) although create-cluster succeeded: counted as failed");
    } finally {
      await api.close();
    }
  });

  it("p.runStatus of a finally task agrees with the status Job when a failsRun teardown never ran (adversarial finding: it said Succeeded)", async () => {
    const source = `import { pipeline } from "gantry";
export default pipeline("rs", { namespace: "ci" }, (p) => {
  const s = p.setup("create", { image: "busybox:1.36" });
  const w = p.task("work", { image: "busybox:1.36", after: [s] });
  p.teardown("drop", { image: "busybox:1.36", setups: [s], after: [w], failsRun: true });
  p.finally("report", { image: "busybox:1.36", source: \`echo "run: \${p.runStatus}"\` });
});
`;
    const r = await compile({ cwd: tempProject({ "p.ts": source }), paths: ["p.ts"], target: "jobs", kind: "auto", jobs: { runId: "e2e" } });
    expect(r.ok).toBe(true);
    const objects = r.pipelines[0]!.objects as Json[];
    const api = await FakeKubeApi.start({ namespace: "ci" });
    try {
      // The setup and the work succeeded; the teardown's Job was refused or deleted: it never ran.
      for (const t of ["create", "work"]) api.putJob(live(objects, t, "complete"));
      const init = jobOf(objects, "report").spec.template.spec.initContainers[0];
      const config = JSON.parse(init.env.find((e: Json) => e.name === "GANTRY_AWAIT").value);
      expect(config.runStatus.cleanups).toEqual([{ name: "drop", mustRunWhen: { any: [{ task: "create", is: "succeeded" }] } }]);
      const file = path.join(dir, "run-status");
      const waited = await runContainer(init, api, "ci", { GANTRY_AWAIT: JSON.stringify({ ...config, missingGraceSeconds: 0, runStatus: { ...config.runStatus, file } }) }).done;
      expect(waited.code).toBe(0);
      expect(fs.readFileSync(file, "utf8")).toBe("Failed");
      const status = statusJob(objects).spec.template.spec.containers[0];
      const statusConfig = JSON.parse(status.env.find((e: Json) => e.name === "GANTRY_STATUS").value);
      const reported = await runContainer(status, api, "ci", { GANTRY_STATUS: JSON.stringify({ ...statusConfig, missingGraceSeconds: 0 }) }).done;
      expect(JSON.parse(reported.stdout.trim().split("\n").at(-1)!).result).toBe("Failed");
      // Once the teardown has run and succeeded, both say Succeeded.
      api.putJob(live(objects, "drop", "complete"));
      expect((await runContainer(init, api, "ci", { GANTRY_AWAIT: JSON.stringify({ ...config, runStatus: { ...config.runStatus, file } }) }).done).code).toBe(0);
      expect(fs.readFileSync(file, "utf8")).toBe("Succeeded");
    } finally {
      await api.close();
    }
  });

  it("nightly-etl (scheduled): the driver creates the run's Jobs from the emitted ConfigMap, under its own run id", async () => {
    const objects = await emitted("nightly-etl");
    const ns = "data";
    const api = await FakeKubeApi.start({ namespace: ns });
    try {
      const cm = objects.find((o) => o.kind === "ConfigMap" && o.data?.["objects.json"])!;
      const file = path.join(dir, "objects.json");
      fs.writeFileSync(file, cm.data["objects.json"]);
      const cron = objects.find((o) => o.kind === "CronJob")!;
      const driver = cron.spec.jobTemplate.spec.template.spec.containers[0];
      const config = JSON.parse(driver.env.find((e: Json) => e.name === "GANTRY_DRIVE").value);
      const run = runContainer(driver, api, ns, { GANTRY_DRIVE: JSON.stringify({ ...config, objects: file }), GANTRY_JOB_NAME: "nightly-etl-29000000", GANTRY_JOB_UID: "uid-1" });
      const runId = runIdFor("nightly-etl-29000000");
      const expected = (JSON.parse(cm.data["objects.json"]) as Json[]).map((j) => j.metadata.name.replace("@RUN_ID@", runId));
      await api.waitForRequest((r) => r.method === "GET" && r.query.fieldSelector !== undefined);
      expect(api.jobs(ns).map((j) => j.metadata.name).sort()).toEqual([...expected].sort());
      expect(api.jobs(ns)[0]!.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "Job", name: "nightly-etl-29000000", uid: "uid-1", blockOwnerDeletion: false }]);
      const statusName = expected.at(-1)!;
      api.putJob(makeJob(statusName, "complete", { namespace: ns }));
      expect((await run.done).code).toBe(0);
    } finally {
      await api.close();
    }
  });
});
