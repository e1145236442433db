/**
 * The runtime shim (templates/runtime/gantry-shim.mjs): its pure decision logic in-process, and its
 * three commands as real subprocesses against a real HTTP fake of the Kubernetes API.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  EXIT,
  apiBaseUrl,
  classifyJob,
  cleanupOutcomes,
  decide,
  evaluate,
  evaluateGuard,
  fitSummary,
  hasReadyPod,
  main as shimMain,
  progressKey,
  runIdFor,
  taskStates,
  absenceClock,
  tasksIn,
  type AttemptRecord,
  type Condition,
  type Guard,
  type Predicate,
  type RunSummary,
  type TaskState,
} from "../templates/runtime/gantry-shim.mjs";
import { FakeKubeApi, makeJob, makePod, terminated, type JobObject, type JobStateName, type LoggedRequest } from "./support/fake-kube-api.js";

const SHIM = fileURLToPath(new URL("../templates/runtime/gantry-shim.mjs", import.meta.url));
const RUN = "etl-1a2b3c4d";
const SELECTOR = `gantry.dev/run=${RUN}`;
const LABELS = { "gantry.dev/run": RUN };

const leaf = (task: string, is: Predicate): Condition => ({ task, is });
const all = (...parts: Condition[]): Condition => ({ all: parts });
const any = (...parts: Condition[]): Condition => ({ any: parts });

// ---------------------------------------------------------------------------------------------
// Pure logic
// ---------------------------------------------------------------------------------------------

describe("shim decision logic", () => {
  it("has the documented, frozen exit codes", () => {
    expect(EXIT).toEqual({ OK: 0, RUN_FAILED: 1, USAGE: 2, INTERNAL: 70, UPSTREAM_FAILED: 90, UPSTREAM_MISSING: 91, WAIT_TIMEOUT: 92, API_UNUSABLE: 93, SKIPPED: 94 });
    expect(Object.isFrozen(EXIT)).toBe(true);
  });

  const T = true;
  const F = false;
  const U = undefined;
  // Columns: succeeded, failed, not-run, missing, skipped, pending.
  const STATES: TaskState[] = ["succeeded", "failed", "not-run", "missing", "skipped", "pending"];
  const TRUTH: Record<Predicate, Array<boolean | undefined>> = {
    succeeded: [T, F, F, F, F, U],
    ran: [T, T, F, F, F, U],
    settled: [T, T, T, T, T, U],
    succeededOrNotRun: [T, F, T, T, T, U],
    succeededOrSkipped: [T, F, F, F, T, U],
    ranOrSkipped: [T, T, F, F, T, U],
    skipped: [F, F, F, F, T, U],
  };
  const leafCases = Object.entries(TRUTH).flatMap(([is, row]) => STATES.map((state, i) => [is as Predicate, state, row[i]] as const));
  it.each(leafCases)("evaluate: %s over a %s task is %s", (is, state, expected) => {
    expect(evaluate(leaf("a", is), { a: state })).toBe(expected);
  });

  it("evaluate: a task absent from the states is pending", () => {
    expect(evaluate(leaf("ghost", "settled"), {})).toBeUndefined();
  });

  // a: true, b: false, u: undefined
  const s: Record<string, TaskState> = { a: "succeeded", b: "failed", u: "pending" };
  const A = leaf("a", "succeeded");
  const B = leaf("b", "succeeded");
  const X = leaf("u", "succeeded");
  it.each([
    ["all()", T, all()],
    ["any()", F, any()],
    ["all(T)", T, all(A)],
    ["all(T,F)", F, all(A, B)],
    ["all(T,U)", U, all(A, X)],
    ["all(F,U)", F, all(B, X)],
    ["all(U,F)", F, all(X, B)],
    ["any(F)", F, any(B)],
    ["any(F,T)", T, any(B, A)],
    ["any(F,U)", U, any(B, X)],
    ["any(U,T)", T, any(X, A)],
    ["all(any(F,U),T)", U, all(any(B, X), A)],
    ["all(any(F,T),all())", T, all(any(B, A), all())],
    ["any(all(T,F),any())", F, any(all(A, B), any())],
  ] as const)("evaluate (Kleene): %s is %s", (_name, expected, condition) => {
    expect(evaluate(condition, s)).toBe(expected);
  });

  it.each([
    ["complete", "succeeded"],
    ["failed", "failed"],
    ["deadline", "failed"],
    ["not-run", "not-run"],
    ["failjob-main", "failed"],
    ["running", "pending"],
    ["pending", "pending"],
    ["failing", "pending"],
  ] as const)("classifyJob: a %s Job is %s", (state: JobStateName, expected) => {
    expect(classifyJob(makeJob("j", state))).toBe(expected);
  });

  it("classifyJob: only terminal conditions with status True count", () => {
    const withConditions = (...conditions: Array<{ type: string; status: string; reason?: string; message?: string }>) => ({ status: { conditions } });
    expect(classifyJob(withConditions({ type: "SuccessCriteriaMet", status: "True" }))).toBe("pending");
    expect(classifyJob(withConditions({ type: "Complete", status: "False" }))).toBe("pending");
    expect(classifyJob(withConditions({ type: "Failed", status: "Unknown" }))).toBe("pending");
    expect(classifyJob(withConditions({ type: "Suspended", status: "True" }))).toBe("pending");
    // PodFailurePolicy on another container, or another reason with the same words, is a real failure.
    const message = "Container await-deps for pod ci/x-1 failed with exit code 90 matching FailJob rule at index 0";
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "PodFailurePolicy", message }))).toBe("not-run");
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message }))).toBe("failed");
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "PodFailurePolicy", message: "Container main for pod ci/x-1 failed" }))).toBe("failed");
    // Exit code 94 of its own await-deps: its `when` did not hold for the run's result (skipped, no failure).
    const skip = "Container await-deps for pod ci/x-1 failed with exit code 94 matching FailJob rule at index 0";
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "PodFailurePolicy", message: skip }))).toBe("skipped");
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "PodFailurePolicy", message: skip.replace("94", "940") }))).toBe("not-run");
    expect(classifyJob(withConditions({ type: "Failed", status: "True", reason: "PodFailurePolicy", message: skip.replace("await-deps", "main") }))).toBe("failed");
    expect(classifyJob(null)).toBe("pending");
    expect(classifyJob({})).toBe("pending");
  });

  it("taskStates: an absent Job is pending during the grace period, missing after it", () => {
    const jobs = new Map([["j-a", makeJob("j-a", "complete")]]);
    const byTask = { a: "j-a", b: "j-b" };
    expect(taskStates(byTask, jobs, 10, 300)).toEqual({ a: "succeeded", b: "pending" });
    expect(taskStates(byTask, jobs, 300, 300)).toEqual({ a: "succeeded", b: "missing" });
    expect(taskStates(byTask, jobs, 0, 0)).toEqual({ a: "succeeded", b: "missing" });
  });

  it("absenceClock: a Job never seen is absent since the clock started, one seen and then gone since it went (review: a deleted Job was missing at once)", () => {
    let t = 1_000_000;
    const clock = absenceClock(() => t);
    const byTask = { s: "run-s", w: "run-w" };
    const running = new Map([["run-s", makeJob("run-s", "complete")], ["run-w", makeJob("run-w", "running")]]);
    clock.observe(running);
    t += 2_400_000; // the waiter has waited 40 minutes
    const deleted = new Map([["run-s", makeJob("run-s", "complete")]]);
    clock.observe(deleted); // `kubectl delete job run-w`: its pod may still run
    expect(taskStates(byTask, deleted, clock.absent, 300)).toEqual({ s: "succeeded", w: "pending" });
    expect(clock.nextChange(Object.values(byTask), deleted, 300)).toBe(300_010);
    t += 299_000;
    expect(taskStates(byTask, deleted, clock.absent, 300)).toEqual({ s: "succeeded", w: "pending" });
    t += 1_000;
    expect(taskStates(byTask, deleted, clock.absent, 300)).toEqual({ s: "succeeded", w: "missing" });
    expect(clock.nextChange(Object.values(byTask), deleted, 300)).toBeUndefined();
    // never seen: from the clock's start, as before
    const fresh = absenceClock(() => t);
    t += 30_000;
    fresh.observe(new Map());
    expect(taskStates({ g: "ghost" }, new Map(), fresh.absent, 30)).toEqual({ g: "missing" });
    // back again: present, and absent anew from the next time it goes
    clock.observe(running);
    expect(clock.absent("run-w")).toBe((t - 1_000_000) / 1000);
    expect(taskStates(byTask, running, clock.absent, 300)).toEqual({ s: "succeeded", w: "pending" });
  });

  it("decide: proceed, wait, skip with 90, skip with 91 when a task in the condition is missing", () => {
    const when = all(leaf("a", "succeeded"), leaf("b", "ran"));
    expect(decide(when, { a: "succeeded", b: "failed" })).toEqual({ action: "proceed", exitCode: 0 });
    expect(decide(when, { a: "succeeded", b: "pending" })).toEqual({ action: "wait" });
    expect(decide(when, { a: "failed", b: "pending" })).toEqual({ action: "skip", exitCode: 90 });
    expect(decide(when, { a: "not-run", b: "succeeded" })).toEqual({ action: "skip", exitCode: 90 });
    expect(decide(when, { a: "succeeded", b: "missing" })).toEqual({ action: "skip", exitCode: 91 });
    // 91 as soon as any task named in the condition is missing, whichever leaf decided.
    expect(decide(when, { a: "failed", b: "missing" })).toEqual({ action: "skip", exitCode: 91 });
    expect(decide(all(leaf("a", "succeeded")), { a: "failed", z: "missing" })).toEqual({ action: "skip", exitCode: 90 });
    expect(tasksIn(all(any(leaf("a", "ran"), leaf("b", "ran")), leaf("a", "settled")))).toEqual(["a", "b"]);
  });

  it("progressKey: changes when a Job's state or pod counts change, not with its other fields or the map's order", () => {
    const a = makeJob("j-a", "running");
    const b = makeJob("j-b", "pending");
    const key = progressKey(new Map([["j-a", a], ["j-b", b]]));
    expect(progressKey(new Map([["j-b", b], ["j-a", a]]))).toBe(key);
    const relabelled = { ...a, metadata: { ...a.metadata, resourceVersion: "9999", labels: { x: "y" } } };
    expect(progressKey(new Map([["j-a", relabelled], ["j-b", b]]))).toBe(key);
    for (const moved of [makeJob("j-a", "running", { ready: 1 }), makeJob("j-a", "complete"), makeJob("j-a", "failing"), { ...a, status: { ...a.status, failed: 1 } }]) {
      expect(progressKey(new Map([["j-a", moved], ["j-b", b]]))).not.toBe(key);
    }
    expect(progressKey(new Map([["j-a", a]]))).not.toBe(key); // a Job deleted
  });

  it("hasReadyPod: a Ready pod of a Job that counts; waiting (active, not Ready) pods and other Jobs do not", () => {
    const jobs = new Map([
      ["j-wait", makeJob("j-wait", "running")],
      ["j-status", makeJob("j-status", "running", { ready: 1 })],
    ]);
    expect(hasReadyPod(jobs, () => true)).toBe(true);
    expect(hasReadyPod(jobs, (n) => n !== "j-status")).toBe(false);
    jobs.set("j-work", makeJob("j-work", "running", { ready: 1 }));
    expect(hasReadyPod(jobs, (n) => n !== "j-status")).toBe(true);
    expect(hasReadyPod(new Map(), () => true)).toBe(false);
    // A finished or failing Job whose ready count was left above 0 (kubernetes/kubernetes#123775) is not at work.
    for (const ending of ["complete", "failed", "failing"] as const) {
      const stale = makeJob("j-x", ending);
      stale.status = { ...stale.status, ready: 1 };
      expect(hasReadyPod(new Map([["j-x", stale]]), () => true)).toBe(false);
    }
  });

  it("cleanupOutcomes: a cleanup task that should have run but did not counts as failed; one rightly skipped stays not-run", () => {
    const tasks = [
      { name: "setup" },
      { name: "work" },
      { name: "drop", mustRunWhen: any(leaf("setup", "succeeded")) },
      { name: "notify", mustRunWhen: all() },
    ];
    const states = (setup: TaskState, drop: TaskState, notify: TaskState = "succeeded") => ({ setup, work: "failed" as TaskState, drop, notify });
    expect(cleanupOutcomes(tasks, states("succeeded", "not-run"))).toEqual(states("succeeded", "failed"));
    expect(cleanupOutcomes(tasks, states("succeeded", "missing"))).toEqual(states("succeeded", "failed"));
    expect(cleanupOutcomes(tasks, states("failed", "not-run"))).toEqual(states("failed", "not-run"));
    expect(cleanupOutcomes(tasks, states("succeeded", "succeeded", "missing"))).toEqual(states("succeeded", "succeeded", "failed"));
    // Ran and failed, or succeeded: unchanged. Tasks without mustRunWhen: unchanged.
    expect(cleanupOutcomes(tasks, states("succeeded", "failed"))).toEqual(states("succeeded", "failed"));
    expect(cleanupOutcomes([{ name: "work" }], { work: "not-run" })).toEqual({ work: "not-run" });
  });

  it("apiBaseUrl: the in-cluster address, IPv6 in brackets, GANTRY_API_URL first", () => {
    expect(apiBaseUrl({ KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" })).toBe("https://10.0.0.1:443");
    expect(apiBaseUrl({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" })).toBe("https://[fd00::1]:6443");
    expect(apiBaseUrl({ GANTRY_API_URL: "http://127.0.0.1:8001/", KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toBe("http://127.0.0.1:8001");
    expect(() => apiBaseUrl({})).toThrow(/KUBERNETES_SERVICE_HOST/);
  });

  it("runIdFor: the first 8 hex characters of sha256 of the driver Job's name", () => {
    expect(runIdFor("etl-28500000")).toBe(crypto.createHash("sha256").update("etl-28500000").digest("hex").slice(0, 8));
    expect(runIdFor("etl-28500000")).toMatch(/^[0-9a-f]{8}$/);
  });

  it("fitSummary: unchanged when it fits; else no task map, and only the failed names that fit", () => {
    const small: RunSummary = { pipeline: "p", runId: "r", result: "Failed", tasks: { a: "failed" }, failed: ["a"], attempts: 1 };
    expect(JSON.parse(fitSummary(small))).toEqual(small);
    const names = Array.from({ length: 500 }, (_, i) => `task-number-${i}`);
    const big: RunSummary = { ...small, tasks: Object.fromEntries(names.map((n) => [n, "failed" as const])), failed: names };
    for (const limit of [4096, 300, 120]) {
      const text = fitSummary(big, limit);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
      const cut = JSON.parse(text);
      expect(cut).toMatchObject({ pipeline: "p", result: "Failed", truncated: true, failedCount: 500, attempts: 1 });
      expect(cut.tasks).toBeUndefined();
      expect(names.slice(0, cut.failed.length)).toEqual(cut.failed);
      // As many names as fit: one more would not.
      expect(Buffer.byteLength(text) + JSON.stringify(names[cut.failed.length]).length + 1).toBeGreaterThan(limit);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Subprocesses against the fake API
// ---------------------------------------------------------------------------------------------

let api: FakeKubeApi;
let dir: string;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  api = await FakeKubeApi.start({ token: "test-token", namespace: "ci" });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-shim-"));
  fs.writeFileSync(path.join(dir, "token"), "test-token\n");
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}
interface Running {
  done: Promise<Finished>;
  exited(): boolean;
}

/** Starts the shim with a minimal environment (nothing from the test's own, apart from PATH). */
function shim(command: string, env: Record<string, string | undefined>): Running {
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GANTRY_API_URL: api.url,
    GANTRY_TOKEN_FILE: path.join(dir, "token"),
    GANTRY_NAMESPACE: "ci",
    GANTRY_BACKOFF_MS: "5",
    GANTRY_TERMINATION_LOG: path.join(dir, "termination-log"),
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  const started = Date.now();
  const child = spawn(process.execPath, [SHIM, command], { env: full, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Finished>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
  return { done, exited: () => child.exitCode !== null || child.signalCode !== null };
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobName = (task: string) => `${RUN}-${task}`;
/** `ready`: pods with the Ready condition, for a running Job (a task at work). */
const job = (task: string, state: JobStateName, ready?: number) => makeJob(jobName(task), state, { labels: LABELS, ...(ready !== undefined && { ready }) });

interface AwaitOptions {
  timeoutSeconds?: number;
  statusJob?: string;
  missingGraceSeconds?: number;
  attemptTimeoutSeconds?: number;
  runStatus?: { when: Condition; file?: string };
  runsIf?: Guard;
  outputs?: { task: string; file?: string; default?: string; value?: string }[];
}
function awaitEnv(when: Condition, options: AwaitOptions = {}, env: Record<string, string | undefined> = {}) {
  const tasks = [...new Set([...tasksIn(when), ...(options.runStatus ? tasksIn(options.runStatus.when) : []), ...(options.outputs ?? []).filter((o) => o.value === undefined).map((o) => o.task)])];
  const config = {
    task: "load",
    selector: SELECTOR,
    jobs: Object.fromEntries(tasks.map((t) => [t, jobName(t)])),
    when,
    timeoutSeconds: 20,
    missingGraceSeconds: 30,
    ...options,
  };
  return { GANTRY_AWAIT: JSON.stringify(config), ...env };
}

const isList = (r: LoggedRequest) => r.method === "GET" && r.path === "/apis/batch/v1/namespaces/ci/jobs" && r.query.watch === undefined;
const isWatch = (r: LoggedRequest) => r.method === "GET" && r.path === "/apis/batch/v1/namespaces/ci/jobs" && r.query.watch === "1";

describe("shim await", () => {
  it("waits while the upstream runs and proceeds only once its Job is Complete", async () => {
    const listed = api.putJob(job("extract", "running")).metadata.resourceVersion;
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    await api.waitForWatches(1);
    api.putJob(job("extract", "running")); // an unrelated change: still waiting
    api.putJob(job("extract", "failing")); // FailureTarget alone is not final
    api.sendBookmark();
    await new Promise((r) => setTimeout(r, 50));
    expect(run.exited()).toBe(false);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toContain("task load starts when: extract succeeded");
    expect(r.stderr).toContain(`extract (job ${RUN}-extract): pending -> succeeded`);
    expect(r.stderr).toContain("task load may start");
    // The list and the watch carry the run's selector, the watch the list's resourceVersion.
    const [list] = api.requests.filter(isList);
    const [watch] = api.requests.filter(isWatch);
    expect(list!.query.labelSelector).toBe(SELECTOR);
    expect(list!.headers.authorization).toBe("Bearer test-token");
    expect(watch!.query).toMatchObject({ labelSelector: SELECTOR, allowWatchBookmarks: "true", resourceVersion: listed });
  });

  it("cascades a failure: exit 90 once the upstream Job is Failed, naming it", async () => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("transform", "running"));
    const run = shim("await", awaitEnv(all(leaf("extract", "succeeded"), leaf("transform", "succeeded"))));
    await api.waitForWatches(1);
    expect(run.exited()).toBe(false);
    api.putJob(job("transform", "failed"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.UPSTREAM_FAILED);
    expect(r.stderr).toContain("task load does not run: transform is failed (needs succeeded); exit 90");
  });

  it("treats an upstream that did not run (its own await-deps failed it) as not-run: 90 for succeeded, proceed for settled", async () => {
    api.putJob(job("extract", "not-run"));
    const strict = await shim("await", awaitEnv(leaf("extract", "succeeded"))).done;
    expect(strict.code).toBe(EXIT.UPSTREAM_FAILED);
    expect(strict.stderr).toContain("extract is not-run (needs succeeded)");
    const lenient = await shim("await", awaitEnv(leaf("extract", "settled"))).done;
    expect(lenient.code).toBe(EXIT.OK);
  });

  it("ran (allowFailure): a failed upstream lets the task start, a not-run one does not", async () => {
    api.putJob(job("extract", "failed"));
    api.putJob(job("transform", "not-run"));
    expect((await shim("await", awaitEnv(leaf("extract", "ran"))).done).code).toBe(EXIT.OK);
    const r = await shim("await", awaitEnv(leaf("transform", "ran"))).done;
    expect(r.code).toBe(EXIT.UPSTREAM_FAILED);
    expect(r.stderr).toContain("transform is not-run (needs ran)");
  });

  const teardown = all(any(leaf("setup", "succeeded")), leaf("work", "settled"), leaf("report", "settled"));

  it("teardown: after its setup succeeded, runs once the scope settled, even though the work failed", async () => {
    api.putJob(job("setup", "complete"));
    api.putJob(job("work", "running"));
    api.putJob(job("report", "not-run"));
    const run = shim("await", awaitEnv(teardown));
    await api.waitForWatches(1);
    api.putJob(job("work", "failing")); // pods still terminating: not yet
    await new Promise((r) => setTimeout(r, 50));
    expect(run.exited()).toBe(false);
    api.putJob(job("work", "failed"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toContain("work (job etl-1a2b3c4d-work): pending -> failed");
  });

  it("teardown: skipped (90) at once when its setup failed, without waiting for the scope", async () => {
    api.putJob(job("setup", "failed"));
    api.putJob(job("work", "running"));
    api.putJob(job("report", "running"));
    const r = await shim("await", awaitEnv(teardown)).done;
    expect(r.code).toBe(EXIT.UPSTREAM_FAILED);
    expect(r.stderr).toContain("does not run: setup is failed (needs succeeded)");
    expect(api.requests.filter(isWatch)).toHaveLength(0);
  });

  it("missing upstream: exit 91 when the grace period ends, with no event to wake it", async () => {
    api.putJob(job("extract", "complete"));
    const r = await shim("await", awaitEnv(all(leaf("extract", "succeeded"), leaf("ghost", "succeeded")), { missingGraceSeconds: 0.4 })).done;
    expect(r.code).toBe(EXIT.UPSTREAM_MISSING);
    expect(r.ms).toBeGreaterThanOrEqual(400);
    expect(r.stderr).toContain("ghost (job etl-1a2b3c4d-ghost): pending -> missing");
    expect(r.stderr).toContain("ghost is missing (needs succeeded); exit 91");
  });

  it("missing upstream: a Job deleted after the grace period since the start counts as missing only a grace period after it went (review finding)", async () => {
    api.putJob(job("extract", "running", 1));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { missingGraceSeconds: 0.6 }));
    await api.waitForWatches(1);
    await sleepMs(900); // longer than the grace period since the shim started
    api.deleteJob(jobName("extract"));
    const deletedAt = Date.now();
    await sleepMs(300);
    expect(run.exited()).toBe(false); // not at once
    const r = await run.done;
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(600);
    expect(r.code).toBe(EXIT.UPSTREAM_MISSING);
    expect(r.stderr).toContain("extract (job etl-1a2b3c4d-extract): pending -> missing");
  });

  it("missing upstream: a Job created within the grace period is waited for", async () => {
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { missingGraceSeconds: 20 }));
    await api.waitForWatches(1);
    api.putJob(job("extract", "running"));
    await new Promise((r) => setTimeout(r, 30));
    expect(run.exited()).toBe(false);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).not.toContain("missing");
  });

  it("retries 500 and 429 answers, and relists after a 503 on the watch", async () => {
    api.putJob(job("extract", "running"));
    api.failNext(3, 500, { match: isList });
    api.failNext(2, 429, { match: isList });
    api.failNext(1, 503, { match: isWatch });
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    await api.waitForWatches(1);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(api.requests.map((q) => `${isWatch(q) ? "watch" : "list"} ${q.status}`).slice(0, 8)).toEqual([
      "list 500",
      "list 500",
      "list 500",
      "list 429",
      "list 429",
      "list 200",
      "watch 503",
      "list 200",
    ]);
    expect(r.stderr).toMatch(/cannot list jobs \(HTTP 500: injected 500\); retrying in/);
  });

  it("re-watches from the last resourceVersion after the stream ends or drops, without missing an event", async () => {
    api.putJob(job("extract", "running"));
    api.putJob(job("other", "running"));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    await api.waitForWatches(1);
    const first = api.requests.filter(isWatch)[0]!;
    // An event, then a clean end (server timeout): the next watch starts after that event.
    const seen = api.putJob(job("other", "complete")).metadata.resourceVersion;
    api.dropWatches("end");
    const second = await api.waitForRequest(isWatch, { since: first.index + 1 });
    expect(second.query.resourceVersion).toBe(seen);
    await api.waitForWatches(1);
    // A dropped connection, and the decisive change happens while no watch is open.
    api.dropWatches("destroy");
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    const watches = api.requests.filter(isWatch);
    expect(watches.length).toBeGreaterThanOrEqual(3);
    expect(watches.slice(1).map((w) => w.query.resourceVersion)).toEqual(watches.slice(1).map(() => seen));
    expect(api.requests.filter(isList)).toHaveLength(1);
  });

  it.each(["http", "event", "compaction"] as const)("relists after 410 Gone (%s)", async (mode) => {
    api.putJob(job("extract", "running"));
    if (mode !== "compaction") api.goneNextWatch(mode);
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    if (mode === "compaction") {
      await api.waitForWatches(1);
      api.dropWatches("end");
      api.putJob(job("extract", "running"));
      api.compact(); // the shim's resourceVersion is now too old
    }
    await api.waitForRequest(isList, { since: api.requests.findIndex(isList) + 1 });
    await api.waitForWatches(1);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toContain("410 Gone");
    expect(api.requests.filter(isList)).toHaveLength(2);
  });

  it.each(["http", "event"] as const)("a server answering every watch with 410 (%s) gets backed-off relists, not a busy loop (adversarial finding)", async (mode) => {
    api.putJob(job("extract", "running"));
    api.goneWatches(1_000_000, mode);
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    await sleepMs(1500);
    const watches = api.requests.filter(isWatch).length;
    // Backoff from 5 ms doubling: about 9 in 1.5 s (the loop it replaces made thousands).
    expect(watches).toBeGreaterThanOrEqual(3);
    expect(watches).toBeLessThan(30);
    expect(api.requests.filter(isList).length).toBe(watches);
    api.clearFaults();
    await api.waitForWatches(1);
    api.putJob(job("extract", "complete"));
    expect((await run.done).code).toBe(EXIT.OK);
  });

  it("a list answer cut off halfway is retried, never read as 'no Jobs' that would make every upstream missing (adversarial finding)", async () => {
    api.putJob(job("extract", "complete"));
    api.cutNext(2, { match: isList });
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { missingGraceSeconds: 0 })).done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toMatch(/cannot list jobs \(the answer to list jobs\.batch was cut off after \d+ characters\); retrying in/);
    expect(r.stderr).not.toContain("missing");
    expect(api.requests.filter(isList)).toHaveLength(3);
  });

  it("a list answer that is not JSON, or has no items, is retried too", async () => {
    api.putJob(job("extract", "complete"));
    api.rawNext(1, 200, "<html>proxy error</html>", { match: isList });
    api.rawNext(1, 200, "{}", { match: isList });
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { missingGraceSeconds: 0 })).done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toMatch(/the answer to list jobs\.batch is not JSON/);
    expect(r.stderr).toMatch(/the list of jobs has no items/);
  });

  it("401 on every request: exit 93 after 5, naming the token", async () => {
    fs.writeFileSync(path.join(dir, "token"), "stale-token");
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"))).done;
    expect(r.code).toBe(EXIT.API_UNUSABLE);
    expect(r.stderr).toContain(`does not accept the service-account token (${path.join(dir, "token")})`);
    expect(api.requests.map((q) => q.status)).toEqual([401, 401, 401, 401, 401]);
    expect(api.requests[0]!.headers.authorization).toBe("Bearer stale-token");
  });

  it("re-reads the token file on every request (projected tokens rotate)", async () => {
    fs.writeFileSync(path.join(dir, "token"), "old-token");
    api.putJob(job("extract", "complete"));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded")));
    await api.waitForRequest((q) => q.status === 401);
    fs.writeFileSync(path.join(dir, "token"), "test-token");
    expect((await run.done).code).toBe(EXIT.OK);
  });

  it.each([
    ["watch", "cannot watch jobs.batch in namespace ci"],
    ["list", "cannot list jobs.batch in namespace ci"],
  ] as const)("403 on %s: exit 93 naming the missing permission", async (verb, message) => {
    api.forbid(verb, "jobs");
    api.putJob(job("extract", "running"));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"))).done;
    expect(r.code).toBe(EXIT.API_UNUSABLE);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`cannot ${verb} resource "jobs" in API group "batch"`);
    expect(api.requests.filter((q) => q.status === 403)).toHaveLength(5);
  });

  it("exit 92 when the condition is still undecided at timeoutSeconds", async () => {
    api.putJob(job("extract", "running"));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.5 })).done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    expect(r.ms).toBeGreaterThanOrEqual(500);
    expect(r.stderr).toContain("gave up after 0.5s");
  });

  it("the timeout is an idle clock: an upstream with a Ready pod holds the wait past timeoutSeconds; it counts from when the run stopped moving", async () => {
    api.putJob(job("extract", "running", 1));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.5 }));
    await api.waitForWatches(1);
    await sleepMs(1300); // more than twice the timeout, while extract works
    expect(run.exited()).toBe(false);
    const stalled = Date.now();
    api.putJob(job("extract", "running", 0)); // its pod is no longer Ready (say, evicted and pending again)
    const r = await run.done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    expect(Date.now() - stalled).toBeGreaterThanOrEqual(450);
    expect(r.stderr).toContain("gave up after 0.5s in which no task of the run changed or had a Ready pod");
  });

  it("an idle limit beyond setTimeout's range (about 24.8 days) waits normally instead of overflowing into a busy loop", async () => {
    api.putJob(job("extract", "running"));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 40 * 86400 }));
    await api.waitForWatches(1);
    await sleepMs(300);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).not.toContain("TimeoutOverflowWarning");
  });

  it("the idle clock starts again when any Job of the run changes", async () => {
    api.putJob(job("extract", "running"));
    api.putJob(job("audit", "running"));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.8 }));
    await api.waitForWatches(1);
    await sleepMs(500);
    expect(run.exited()).toBe(false);
    const moved = Date.now();
    api.putJob(job("audit", "complete")); // a task outside the condition finished: the run moved
    const r = await run.done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    expect(Date.now() - moved).toBeGreaterThanOrEqual(750);
  });

  it("a Ready pod seen before an API outage does not keep the wait alive through it", async () => {
    api.putJob(job("extract", "running", 1));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.5 }));
    await api.waitForWatches(1);
    api.failNext(100_000, 503);
    api.dropWatches();
    const r = await run.done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
  });

  it("a short API outage over the idle deadline does not end the wait: a task seen at work counts until sight was lost (adversarial finding)", async () => {
    api.putJob(job("extract", "running", 1));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 2 }));
    await api.waitForWatches(1);
    await sleepMs(1600);
    // From 1.6 s to 2.4 s nothing answers: the idle deadline (2 s after the list) falls inside. The
    // shim's backoff then keeps it blind until about 2.9 s, well before 2 s after sight was lost.
    api.failNext(1_000_000, 503);
    api.dropWatches();
    await sleepMs(800);
    api.clearFaults();
    await api.waitForWatches(1);
    await sleepMs(300);
    expect(run.exited()).toBe(false);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
  });

  it("the status Job's Ready pod (it only waits) does not hold the wait", async () => {
    api.putJob(job("extract", "running"));
    api.putJob(job("gantry-status", "running", 1));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.5, statusJob: jobName("gantry-status") })).done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    // Without statusJob it would count as a task at work.
    const held = shim("await", awaitEnv(leaf("extract", "succeeded"), { timeoutSeconds: 0.5 }));
    await sleepMs(1200);
    expect(held.exited()).toBe(false);
  });

  it("teardown: a work task longer than timeoutSeconds does not make its teardown run early; it runs once the work ends", async () => {
    api.putJob(job("setup", "complete"));
    api.putJob(job("work", "running", 1));
    const when: Condition = { all: [{ any: [leaf("setup", "succeeded")] }, leaf("work", "settled")] };
    const config = { task: "drop", selector: SELECTOR, jobs: { setup: jobName("setup"), work: jobName("work") }, when, timeoutWhen: any(leaf("setup", "succeeded")), timeoutSeconds: 0.4, missingGraceSeconds: 30 };
    const run = shim("await", { GANTRY_AWAIT: JSON.stringify(config) });
    await api.waitForWatches(1);
    await sleepMs(1200);
    expect(run.exited()).toBe(false);
    api.putJob(job("work", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).not.toContain("runs anyway");
    expect(r.stderr).toContain("task drop may start");
  });

  it("timeoutWhen: a teardown whose scope never finishes still runs at the timeout when one of its setups succeeded", async () => {
    api.putJob(job("setup", "complete"));
    api.putJob(job("work", "running"));
    const when: Condition = { all: [{ any: [leaf("setup", "succeeded")] }, leaf("work", "settled")] };
    const timeoutWhen: Condition = { any: [leaf("setup", "succeeded")] };
    const env = (extra: object) => ({ GANTRY_AWAIT: JSON.stringify({ task: "drop", selector: SELECTOR, jobs: { setup: jobName("setup"), work: jobName("work") }, when, timeoutSeconds: 0.5, missingGraceSeconds: 30, ...extra }) });
    const ran = await shim("await", env({ timeoutWhen })).done;
    expect(ran.code).toBe(EXIT.OK);
    expect(ran.stderr).toContain("runs anyway");
    // Without it, or when no setup succeeded, the timeout is exit 92.
    expect((await shim("await", env({})).done).code).toBe(EXIT.WAIT_TIMEOUT);
    api.putJob(job("setup", "failed"));
    api.putJob(job("work", "running"));
    expect((await shim("await", env({ when: leaf("work", "settled"), timeoutWhen })).done).code).toBe(EXIT.WAIT_TIMEOUT);
  });

  it("an internal error exits 70, which no FailJob rule names (retried), never 1 (the run failed)", async () => {
    const r = await shim("await", { ...awaitEnv(leaf("extract", "succeeded")), GANTRY_API_URL: "http://[::1" }).done;
    expect([EXIT.INTERNAL, EXIT.USAGE]).toContain(r.code);
    expect(r.code).not.toBe(EXIT.RUN_FAILED);
  });

  const POD = `${RUN}-load-x7k2p`;
  const putOwnPod = () => api.putPod(makePod(POD, jobName("load"), { created: "2024-05-01T10:00:00Z", phase: "Pending", labels: LABELS }));

  it("attemptTimeoutSeconds: sets the own pod's activeDeadlineSeconds (time waited + attempt timeout) before proceeding", async () => {
    putOwnPod();
    api.putJob(job("extract", "running"));
    api.failNext(2, 500, { match: (q) => q.method === "PATCH" });
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 900 }, { GANTRY_POD_NAME: POD }));
    await api.waitForWatches(1);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    const patches = api.requests.filter((q) => q.method === "PATCH");
    expect(patches.map((q) => q.status)).toEqual([500, 500, 200]);
    const last = patches[2]!;
    expect(last.path).toBe(`/api/v1/namespaces/ci/pods/${POD}`);
    expect(last.headers["content-type"]).toBe("application/strategic-merge-patch+json");
    const deadline = (JSON.parse(last.body) as { spec: { activeDeadlineSeconds: number } }).spec.activeDeadlineSeconds;
    expect(JSON.parse(last.body)).toEqual({ spec: { activeDeadlineSeconds: deadline } });
    // ceil(seconds since the shim started) + 900: at least 1 s waited, at most the whole run.
    expect(deadline).toBeGreaterThanOrEqual(901);
    expect(deadline).toBeLessThanOrEqual(900 + Math.ceil((r.ms + 1) / 1000));
    expect(api.pod(POD)!.spec!.activeDeadlineSeconds).toBe(deadline);
    expect(r.stderr).toContain(`activeDeadlineSeconds set to ${deadline}`);
    // The fake pod has no status.startTime: the shim's own start stands in for it, and it says so.
    expect(r.stderr).toContain("has no start time yet; the attempt timeout counts from this program's start");
  });

  // Monitoring review finding: the deadline counted from the shim's start, but the kubelet counts
  // activeDeadlineSeconds from the pod's status.startTime, before volumes and image pulls: a pod
  // that took 120 s to reach the shim lost 120 s of a 60 s timeout, and was killed as main started.
  it("attemptTimeoutSeconds: counts from the pod's status.startTime, so the time the pod took to reach the shim is not taken from the task", async () => {
    const started = Date.now() - 120_000;
    const pod = makePod(POD, jobName("load"), { created: new Date(started).toISOString(), phase: "Pending", labels: LABELS });
    api.putPod({ ...pod, status: { ...pod.status, startTime: new Date(started).toISOString().replace(/\.\d+Z$/, "Z") } });
    api.putJob(job("extract", "complete"));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 60 }, { GANTRY_POD_NAME: POD })).done;
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const deadline = api.pod(POD)!.spec!.activeDeadlineSeconds!;
    // 120 s (startTime is whole seconds, so up to 1 s more) + the run + 60 s for main.
    expect(deadline).toBeGreaterThanOrEqual(180);
    expect(deadline).toBeLessThanOrEqual(182 + Math.ceil(r.ms / 1000));
    expect(r.stderr).not.toContain("counts from this program's start");
  });

  it("attemptTimeoutSeconds: a timeout at the API's limit (2147483647 s) after a wait asks for the limit, not past it (review finding: a 422 ended the task)", async () => {
    putOwnPod();
    api.putJob(job("extract", "running"));
    const run = shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 2 ** 31 - 1 }, { GANTRY_POD_NAME: POD }));
    await api.waitForWatches(1);
    api.putJob(job("extract", "complete"));
    const r = await run.done;
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const patch = api.requests.find((q) => q.method === "PATCH")!;
    expect(JSON.parse(patch.body)).toEqual({ spec: { activeDeadlineSeconds: 2 ** 31 - 1 } });
  });

  it("attemptTimeoutSeconds: a refused patch (422) is fine when the pod already has a deadline at least as strict (a lost answer)", async () => {
    putOwnPod();
    api.putPod({ ...api.pod(POD)!, spec: { ...api.pod(POD)!.spec, activeDeadlineSeconds: 30 } });
    api.putJob(job("extract", "complete"));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 900 }, { GANTRY_POD_NAME: POD })).done;
    expect(r.code).toBe(EXIT.OK);
    expect(api.requests.filter((q) => q.method === "PATCH").map((q) => q.status)).toEqual([422]);
    // One read for the pod's start time, one after the refusal.
    expect(api.requests.filter((q) => q.method === "GET" && q.path.endsWith(`/pods/${POD}`))).toHaveLength(2);
    expect(r.stderr).toContain("activeDeadlineSeconds set to 30");
    // Every try asks for the same deadline, computed once.
    putOwnPod();
    api.failNext(2, 500, { match: (q) => q.method === "PATCH" });
    const again = await shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 900 }, { GANTRY_POD_NAME: POD })).done;
    expect(again.code).toBe(EXIT.OK);
    const bodies = api.requests.filter((q) => q.method === "PATCH").slice(-3).map((q) => q.body);
    expect(new Set(bodies).size).toBe(1);
  });

  it("attemptTimeoutSeconds: exit 93 when the pod cannot be patched", async () => {
    putOwnPod();
    api.forbid("patch", "pods");
    api.putJob(job("extract", "complete"));
    const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { attemptTimeoutSeconds: 60 }, { GANTRY_POD_NAME: POD })).done;
    expect(r.code).toBe(EXIT.API_UNUSABLE);
    expect(r.stderr).toContain("cannot set the attempt timeout: cannot patch pods in namespace ci");
    expect(api.requests.filter((q) => q.method === "PATCH")).toHaveLength(1);
  });

  it.each([
    ["complete", "Succeeded"],
    ["failed", "Failed"],
  ] as const)("finally task: writes the run status (load %s → %s) to runStatus.file", async (loadState, expected) => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", loadState));
    const file = path.join(dir, "run", "status", "run-status");
    const options = { runStatus: { when: all(leaf("extract", "succeeded"), leaf("load", "succeeded")), file } };
    const r = await shim("await", awaitEnv(all(leaf("extract", "settled"), leaf("load", "settled")), options)).done;
    expect(r.code).toBe(EXIT.OK);
    expect(fs.readFileSync(file, "utf8")).toBe(expected);
  });

  it.each([
    ["complete", "Failed", EXIT.SKIPPED],
    ["failed", "Failed", EXIT.OK],
    ["complete", "Succeeded", EXIT.OK],
    ["failed", "Succeeded", EXIT.SKIPPED],
  ] as const)("finally task whose when tests the run's result: load %s, runsIf %s → exit %s, before any patch, writing no file it was not given", async (loadState, runsIf, code) => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", loadState));
    const options = { runStatus: { when: all(leaf("extract", "succeeded"), leaf("load", "succeeded")) }, runsIf: { runStatus: runsIf } };
    const r = await shim("await", awaitEnv(all(leaf("extract", "settled"), leaf("load", "settled")), options)).done;
    expect(r.code, r.stderr).toBe(code);
    if (code === EXIT.SKIPPED) {
      expect(r.stderr).toContain(`task load does not run: its when, the run's result is ${runsIf}, does not hold (the run's result is ${runsIf === "Failed" ? "Succeeded" : "Failed"}); exit 94`);
      expect(r.stderr).not.toContain("may start");
    } else expect(r.stderr).toContain("task load may start");
    expect(r.stderr).not.toContain("written to");
    expect(fs.readdirSync(dir)).not.toContain("run-status");
  });

  it("finally task with runsIf and file: writes the result when it runs", async () => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", "failed"));
    const file = path.join(dir, "run-status");
    const options = { runStatus: { when: all(leaf("extract", "succeeded"), leaf("load", "succeeded")), file }, runsIf: { runStatus: "Failed" as const } };
    const r = await shim("await", awaitEnv(all(leaf("extract", "settled"), leaf("load", "settled")), options)).done;
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(fs.readFileSync(file, "utf8")).toBe("Failed");
  });

  it("finally task: a run status still undecided when the task may start is written as Failed", async () => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", "running"));
    const file = path.join(dir, "run-status");
    const options = { runStatus: { when: all(leaf("extract", "succeeded"), leaf("load", "succeeded")), file } };
    const r = await shim("await", awaitEnv(leaf("extract", "settled"), options)).done;
    expect(r.code).toBe(EXIT.OK);
    expect(fs.readFileSync(file, "utf8")).toBe("Failed");
  });

  describe("task outputs: copied from the producer's succeeded pod (its main container's termination message) into the reader's file", () => {
    /** A pod of the Job as stored now (its uid, as the Job controller labels its pods). */
    const producerPod = (name: string, created: string, phase: string, main: ReturnType<typeof terminated> | undefined, uid = api.job(jobName("extract"))!.metadata.uid!) =>
      api.putPod(makePod(name, jobName("extract"), { created, phase, labels: { ...LABELS, "batch.kubernetes.io/controller-uid": uid }, ...(main && { main }) }));

    it("writes the newest succeeded pod's message of this very Job, one trailing newline dropped, listing its pods by the Job's uid", async () => {
      const uid = api.putJob(job("extract", "complete")).metadata.uid!;
      producerPod("extract-a", "2024-05-01T10:00:00Z", "Failed", terminated(1, { message: "partial\n" }));
      producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "42\n\n" }));
      // A pod of an earlier Job of the same name (deleted and made again): newer, but not this Job's.
      producerPod("extract-old", "2024-05-01T10:02:00Z", "Succeeded", terminated(0, { message: "stale" }), "another-uid");
      const file = path.join(dir, "outputs", "extract-rows");
      const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file }] })).done;
      expect(r.code, r.stderr).toBe(EXIT.OK);
      expect(fs.readFileSync(file, "utf8")).toBe("42\n");
      expect(r.stderr).toContain("output of extract read (3 bytes)");
      expect(r.stderr).toContain(`output of extract written to ${file}`);
      const lists = api.requests.filter((q) => q.method === "GET" && q.path === "/api/v1/namespaces/ci/pods");
      expect(lists.map((q) => q.query.labelSelector)).toEqual([`batch.kubernetes.io/controller-uid=${uid}`]);
    });

    it("an empty output (the kubelet leaves the message out) is the empty string, not the default", async () => {
      api.putJob(job("extract", "complete"));
      producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0));
      const file = path.join(dir, "extract-rows");
      const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file, default: "unused" }] })).done;
      expect(r.code, r.stderr).toBe(EXIT.OK);
      expect(fs.readFileSync(file, "utf8")).toBe("");
    });

    it("a message of 4096 bytes, what the kubelet keeps of a longer one, fails the read (exit 90); 4095 bytes pass", async () => {
      api.putJob(job("extract", "complete"));
      producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "é".repeat(2048) }));
      const file = path.join(dir, "extract-rows");
      const cut = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file, default: "d" }] })).done;
      expect(cut.code).toBe(EXIT.UPSTREAM_FAILED);
      expect(cut.stderr).toContain("the output of extract is 4096 bytes or more, past what a termination message holds");
      expect(fs.existsSync(file)).toBe(false);
      producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "x".repeat(4095) }));
      const fits = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file }] })).done;
      expect(fits.code, fits.stderr).toBe(EXIT.OK);
      expect(fs.readFileSync(file, "utf8")).toHaveLength(4095);
    });

    it.each([
      ["failed", "ran"],
      ["not-run", "settled"],
    ] as const)("a producer that is %s gives the default, without listing pods", async (state, is) => {
      api.putJob(job("extract", state));
      const file = path.join(dir, "extract-rows");
      const r = await shim("await", awaitEnv(leaf("extract", is), { outputs: [{ task: "extract", file, default: "none" }] })).done;
      expect(r.code, r.stderr).toBe(EXIT.OK);
      expect(fs.readFileSync(file, "utf8")).toBe("none");
      expect(r.stderr).toContain(`its default, as it is ${state}`);
      expect(api.requests.some((q) => q.path === "/api/v1/namespaces/ci/pods")).toBe(false);
    });

    it("a producer skipped when compiling: its default comes as `value`, written without a Job or an API call", async () => {
      api.putJob(job("extract", "complete"));
      const file = path.join(dir, "probe-v");
      const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "probe", file, value: "it's \"q\" $HOME" }] as never })).done;
      expect(r.code, r.stderr).toBe(EXIT.OK);
      expect(fs.readFileSync(file, "utf8")).toBe("it's \"q\" $HOME");
      expect(r.stderr).toContain("output of probe read (its default, as it was skipped when compiling)");
      expect(api.requests.some((q) => q.path === "/api/v1/namespaces/ci/pods")).toBe(false);
    });

    it("a succeeded producer whose pods are gone has lost its value: exit 91 even with a default; without one, a producer that did not succeed is exit 90; nothing is written", async () => {
      api.putJob(job("extract", "complete"));
      const file = path.join(dir, "extract-rows");
      const gone = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file, default: "0" }] })).done;
      expect(gone.code).toBe(EXIT.UPSTREAM_MISSING);
      expect(gone.stderr).toContain(`no succeeded pod of job ${jobName("extract")} is left to read it from (pods deleted)`);
      api.putJob(job("extract", "failed"));
      const failed = await shim("await", awaitEnv(leaf("extract", "ran"), { outputs: [{ task: "extract", file }] })).done;
      expect(failed.code).toBe(EXIT.UPSTREAM_FAILED);
      expect(failed.stderr).toContain("extract is failed, so its output has no value, and it has no default");
      expect(fs.existsSync(file)).toBe(false);
    });

    describe("a `when` on an output (runsIf): read into memory only, and only when the answer hangs on it", () => {
      const gate = (runsIf: Guard, outputs: AwaitOptions["outputs"], when: Condition = leaf("extract", "succeeded")) => shim("await", awaitEnv(when, { runsIf, outputs })).done;

      it("the test holds: the task starts; an output only tested is written to no file", async () => {
        api.putJob(job("extract", "complete"));
        producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "42\n" }));
        const before = fs.readdirSync(dir, { recursive: true });
        const r = await gate({ not: { output: "extract", in: ["0"] } }, [{ task: "extract" }]);
        expect(r.code, r.stderr).toBe(EXIT.OK);
        expect(r.stderr).toContain("output of extract read (2 bytes)");
        expect(r.stderr).toContain("task load may start");
        expect(fs.readdirSync(dir, { recursive: true })).toEqual(before);
      });

      it("the test does not hold: exit 94 (skipped, no failure), without writing the file the script would read", async () => {
        api.putJob(job("extract", "complete"));
        producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "0\n" }));
        const file = path.join(dir, "extract-rows");
        const r = await gate({ not: { output: "extract", in: ["0"] } }, [{ task: "extract", file }]);
        expect(r.code, r.stderr).toBe(EXIT.SKIPPED);
        expect(r.stderr).toContain('task load does not run: its when, not the output of extract is "0", does not hold; exit 94');
        expect(r.stderr).not.toContain("may start");
        expect(fs.existsSync(file)).toBe(false);
      });

      it("outputs it tests are read before those only its script reads: skipped, it does not fail over an output it would have read (one too long)", async () => {
        api.putJob(job("extract", "complete"));
        api.putJob(job("probe", "complete"));
        producerPod("extract-b", "2024-05-01T10:01:00Z", "Succeeded", terminated(0, { message: "x".repeat(5000) }));
        const probeUid = api.job(jobName("probe"))!.metadata.uid!;
        api.putPod(makePod("probe-a", jobName("probe"), { created: "2024-05-01T10:01:00Z", phase: "Succeeded", labels: { ...LABELS, "batch.kubernetes.io/controller-uid": probeUid }, main: terminated(0, { message: "no" }) }));
        const file = path.join(dir, "extract-rows");
        const outputs = [{ task: "extract", file }, { task: "probe" }];
        const r = await gate({ output: "probe", in: ["yes"] }, outputs, all(leaf("extract", "succeeded"), leaf("probe", "succeeded")));
        expect(r.code, r.stderr).toBe(EXIT.SKIPPED);
        expect(r.stderr).toContain("output of probe read (2 bytes)");
        expect(r.stderr).not.toContain("output of extract");
        expect(fs.existsSync(file)).toBe(false);
      });

      it("a producer that did not succeed gives its default to the test; skipped with its producer, the task reads nothing (no pods listed, no default needed)", async () => {
        api.putJob(job("extract", "failed"));
        const r = await gate({ output: "extract", in: ["none", "0"] }, [{ task: "extract", default: "none" }], leaf("extract", "settled"));
        expect(r.code, r.stderr).toBe(EXIT.OK);
        expect(r.stderr).toContain("output of extract read (its default, as it is failed)");
        api.putJob(makeJob(jobName("extract"), "not-run", { labels: LABELS, exitCode: EXIT.SKIPPED }));
        const skipped = await gate({ all: [{ not: { task: "extract", was: "skipped" } }, { output: "extract", in: ["1"] }] }, [{ task: "extract" }], leaf("extract", "succeededOrSkipped"));
        expect(skipped.code, skipped.stderr).toBe(EXIT.SKIPPED);
        expect(skipped.stderr).toContain('its when, not extract was skipped and the output of extract is "1", does not hold');
        expect(api.requests.some((q) => q.path === "/api/v1/namespaces/ci/pods")).toBe(false);
      });

      it("evaluateGuard is three-valued: unknown while an output it needs is unread or a task pending; a decided part wins", () => {
        const states: Record<string, TaskState> = { a: "succeeded", b: "skipped", c: "pending" };
        expect(evaluateGuard({ output: "a", in: ["1"] }, { states })).toBeUndefined();
        expect(evaluateGuard({ output: "a", in: ["1"] }, { states, outputs: { a: "1" } })).toBe(true);
        expect(evaluateGuard({ all: [{ task: "b", was: "succeeded" }, { output: "a", in: ["1"] }] }, { states })).toBe(false);
        expect(evaluateGuard({ any: [{ task: "b", was: "skipped" }, { output: "a", in: ["1"] }] }, { states })).toBe(true);
        expect(evaluateGuard({ not: { task: "c", was: "skipped" } }, { states })).toBeUndefined();
        expect(evaluateGuard({ runStatus: "Failed" }, { states, runStatus: "Succeeded" })).toBe(false);
      });
    });

    it("pods it may not list are exit 93, naming the permission", async () => {
      api.putJob(job("extract", "complete"));
      api.forbid("list", "pods");
      const r = await shim("await", awaitEnv(leaf("extract", "succeeded"), { outputs: [{ task: "extract", file: path.join(dir, "x") }] })).done;
      expect(r.code).toBe(EXIT.API_UNUSABLE);
      expect(r.stderr).toContain("cannot read the output of job");
      expect(r.stderr).toContain("cannot list pods in namespace ci");
    });
  });

  it.each<[string, string, Record<string, string | undefined>, RegExp]>([
    ["await", "outputs naming a task without a Job", awaitEnvRaw({ outputs: [{ task: "nope", file: "/x" }] }), /outputs\[0\] must be a list of \{ task, file\?, default\? \} \(a task in jobs\) or \{ task, file\?, value \}/],
    ["await", "outputs naming a task twice", awaitEnvRaw({ outputs: [{ task: "extract", file: "/x" }, { task: "extract" }] }), /outputs\[1\]\.task names "extract" a second time/],
    ["await", "runsIf testing an output without an outputs entry", awaitEnvRaw({ runsIf: { output: "extract", in: ["1"] } }), /runsIf\.output names "extract", which has no entry in outputs/],
    ["await", "runsIf comparing with no value", awaitEnvRaw({ outputs: [{ task: "extract" }], runsIf: { not: { output: "extract", in: [] } } }), /runsIf\.not\.in must be a list of strings/],
    ["await", "runsIf on a task without a Job", awaitEnvRaw({ runsIf: { all: [{ task: "nope", was: "skipped" }] } }), /runsIf\.all\[0\]\.task must name a task in jobs/],
    ["await", "runsIf with an unknown state", awaitEnvRaw({ runsIf: { task: "extract", was: "failed" } }), /runsIf\.was must be "skipped" or "succeeded"/],
    ["await", "runsIf testing the result without runStatus", awaitEnvRaw({ runsIf: { runStatus: "Failed" } }), /runsIf\.runStatus needs runStatus/],
    ["await", "an output value that is not a string", awaitEnvRaw({ outputs: [{ task: "nope", file: "/x", value: 1 }] }), /outputs\[0\]\.value must be a string/],
    ["await", "an output file that is not absolute", awaitEnvRaw({ outputs: [{ task: "extract", file: "x" }] }), /outputs\[0\] must be/],
    ["await", "an output default that is not a string", awaitEnvRaw({ outputs: [{ task: "extract", file: "/x", default: 0 }] }), /outputs\[0\]\.default must be a string/],
    ["await", "no configuration", { GANTRY_AWAIT: undefined }, /GANTRY_AWAIT is not set/],
    ["await", "invalid JSON", { GANTRY_AWAIT: "{task:" }, /GANTRY_AWAIT is not valid JSON/],
    ["await", "an unknown predicate", awaitEnvRaw({ when: { task: "extract", is: "done" } }), /when\.is must be one of succeeded, ran, settled, succeededOrNotRun/],
    ["await", "a task without a Job", awaitEnvRaw({ when: { all: [{ task: "nope", is: "ran" }] } }), /when\.all\[0\]\.task names "nope", which has no Job/],
    ["await", "a condition with two keys", awaitEnvRaw({ when: { all: [], any: [] } }), /when must be \{ "all": \[conditions\] \} and nothing else/],
    ["await", "a negative timeout", awaitEnvRaw({ timeoutSeconds: -1 }), /timeoutSeconds must be a number > 0/],
    ["await", "runStatus without file or runsIf", awaitEnvRaw({ runStatus: { when: { all: [] } } }), /runStatus must be \{ when, file\?, cleanups\? \}, with file or a runsIf that tests the result/],
    ["await", "runsIf.runStatus Error", awaitEnvRaw({ runStatus: { when: { all: [] }, file: "/x" }, runsIf: { runStatus: "Error" } }), /runsIf\.runStatus must be "Succeeded" or "Failed"/],
    ["await", "attemptTimeoutSeconds without GANTRY_POD_NAME", awaitEnvRaw({ attemptTimeoutSeconds: 5 }), /GANTRY_POD_NAME is not set/],
    ["await", "no namespace", { ...awaitEnvRaw({}), GANTRY_NAMESPACE: undefined }, /GANTRY_NAMESPACE is not set/],
    ["await", "no API address", { ...awaitEnvRaw({}), GANTRY_API_URL: undefined }, /GANTRY_API_URL or KUBERNETES_SERVICE_HOST must be set/],
    ["status", "a bad role", { GANTRY_STATUS: JSON.stringify({ pipeline: "p", runId: "r", selector: "a=b", tasks: [{ name: "a", job: "j", role: "main" }], when: { all: [] }, timeoutSeconds: 1, missingGraceSeconds: 0 }) }, /tasks\[0\]\.role must be one of setup, work, teardown, finally/],
    ["drive", "no driver uid", { GANTRY_DRIVE: JSON.stringify({ objects: "/nope", statusJob: "s", timeoutSeconds: 1 }), GANTRY_JOB_NAME: "d" }, /GANTRY_JOB_NAME and GANTRY_JOB_UID must be set/],
    ["drive", "an unreadable objects file", { GANTRY_DRIVE: JSON.stringify({ objects: "/nonexistent/objects.json", statusJob: "s", timeoutSeconds: 1 }), GANTRY_JOB_NAME: "d", GANTRY_JOB_UID: "u" }, /cannot read the objects file \/nonexistent\/objects\.json: ENOENT/],
    ["run", "an unknown command", {}, /usage: node gantry-shim\.mjs <await\|status\|drive>/],
  ])("%s with %s: exit 2 before any request", async (command, _what, env, message) => {
    const r = await shim(command, env).done;
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });
});

function awaitEnvRaw(overrides: Record<string, unknown>): Record<string, string> {
  const config = { task: "load", selector: SELECTOR, jobs: { extract: jobName("extract") }, when: leaf("extract", "succeeded"), timeoutSeconds: 5, missingGraceSeconds: 0, ...overrides };
  return { GANTRY_AWAIT: JSON.stringify(config) };
}

// ---------------------------------------------------------------------------------------------

describe("shim status", () => {
  type Role = "setup" | "work" | "teardown" | "finally";
  const statusEnv = (tasks: Array<[string, Role]>, when: Condition, extra: Record<string, unknown> = {}) => ({
    GANTRY_STATUS: JSON.stringify({
      pipeline: "etl",
      runId: "1a2b3c4d",
      selector: SELECTOR,
      tasks: tasks.map(([name, role]) => ({ name, job: jobName(name), role })),
      when,
      timeoutSeconds: 20,
      missingGraceSeconds: 0,
      ...extra,
    }),
  });
  const lines = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const t = (minute: number, second = 0) => `2024-05-01T10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;
  const pod = (task: string, suffix: string, options: Omit<Parameters<typeof makePod>[2], "labels">) => makePod(`${jobName(task)}-${suffix}`, jobName(task), { labels: LABELS, ...options });
  const tasks: Array<[string, Role]> = [
    ["setup", "setup"],
    ["extract", "work"],
    ["transform", "work"],
    ["load", "work"],
    ["audit", "work"],
    ["report", "work"],
    ["cleanup", "teardown"],
  ];
  const runWhen = all(...tasks.map(([n, role]) => leaf(n, role === "teardown" ? "settled" : "succeeded")));

  function putRun(): void {
    api.putJob(job("setup", "complete"));
    api.putJob(job("extract", "complete"));
    api.putJob(job("transform", "deadline"));
    api.putJob(job("load", "not-run"));
    api.putJob(job("audit", "not-run")); // its pods are gone
    // report: never created
    api.putJob(job("cleanup", "complete"));
    api.putPod(pod("setup", "aaaaa", { created: t(0), phase: "Succeeded", main: terminated(0, { startedAt: t(0, 5), finishedAt: t(0, 35) }) }));
    // extract: the retry is listed first and has the smaller name; order is by creation time.
    api.putPod(pod("extract", "aaaaa", { created: t(2), phase: "Succeeded", main: terminated(0, { startedAt: t(2, 1), finishedAt: t(3, 1) }) }));
    api.putPod(pod("extract", "zzzzz", { created: t(1), phase: "Failed", main: terminated(1, { startedAt: t(1, 1), finishedAt: t(1, 11) }) }));
    api.putPod(pod("transform", "bbbbb", { created: t(3), phase: "Failed", reason: "DeadlineExceeded", main: { running: { startedAt: t(3, 30) } } }));
    api.putPod(pod("load", "ccccc", { created: t(4), phase: "Failed", awaitDeps: terminated(90) }));
    api.putPod(pod("cleanup", "ddddd", { created: t(5), phase: "Succeeded", main: terminated(0, { startedAt: t(5, 0), finishedAt: t(5, 2) }), legacyLabel: true }));
    // The status Job's own pod carries the run label too: it is no task's attempt.
    api.putPod(makePod(`${RUN}-gantry-status-eeeee`, `${RUN}-gantry-status`, { created: t(0), phase: "Running", labels: LABELS }));
  }

  const record = (task: string, role: Role, attempt: number | null, rest: Partial<AttemptRecord>): AttemptRecord => ({
    pipeline: "etl",
    runId: "1a2b3c4d",
    task,
    role,
    attempt,
    pod: null,
    phase: null,
    start: null,
    end: null,
    durationSeconds: null,
    exitCode: null,
    reason: null,
    ...rest,
  });

  it("prints one record per task attempt, writes the summary to the termination log, exit 1 when the run failed", async () => {
    putRun();
    const r = await shim("status", statusEnv(tasks, runWhen)).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    const out = lines(r.stdout);
    const summary = out.pop();
    expect(out).toEqual([
      record("setup", "setup", 1, { pod: `${RUN}-setup-aaaaa`, phase: "Succeeded", start: t(0, 5), end: t(0, 35), durationSeconds: 30, exitCode: 0, reason: "Completed" }),
      record("extract", "work", 1, { pod: `${RUN}-extract-zzzzz`, phase: "Failed", start: t(1, 1), end: t(1, 11), durationSeconds: 10, exitCode: 1, reason: "Error" }),
      record("extract", "work", 2, { pod: `${RUN}-extract-aaaaa`, phase: "Succeeded", start: t(2, 1), end: t(3, 1), durationSeconds: 60, exitCode: 0, reason: "Completed" }),
      record("transform", "work", 1, { pod: `${RUN}-transform-bbbbb`, phase: "Failed", start: t(3, 30), reason: "DeadlineExceeded" }),
      record("load", "work", 1, { pod: `${RUN}-load-ccccc`, phase: "Failed", exitCode: 90, reason: "upstream-failed" }),
      record("audit", "work", 0, { reason: "not-run" }),
      record("report", "work", 0, { reason: "missing" }),
      record("cleanup", "teardown", 1, { pod: `${RUN}-cleanup-ddddd`, phase: "Succeeded", start: t(5, 0), end: t(5, 2), durationSeconds: 2, exitCode: 0, reason: "Completed" }),
    ]);
    const expected = {
      pipeline: "etl",
      runId: "1a2b3c4d",
      result: "Failed",
      tasks: { setup: "succeeded", extract: "succeeded", transform: "failed", load: "not-run", audit: "not-run", report: "missing", cleanup: "succeeded" },
      failed: ["transform"],
      attempts: 6,
    };
    expect(summary).toEqual(expected);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"))).toEqual(expected);
    expect(r.stderr).toContain("run 1a2b3c4d: Failed");
    const podList = api.requests.find((q) => q.path === "/api/v1/namespaces/ci/pods")!;
    expect(podList.query.labelSelector).toBe(SELECTOR);
  });

  it.each([
    [91, "upstream-missing"],
    [92, "wait-timeout"],
    [93, "api-unusable"],
    [2, "await-deps-failed"],
  ])("an attempt whose await-deps exited %i has reason %s", async (code, reason) => {
    api.putJob(job("load", "failed"));
    api.putPod(pod("load", "aaaaa", { created: t(1), phase: "Failed", awaitDeps: terminated(code) }));
    const r = await shim("status", statusEnv([["load", "work"]], leaf("load", "succeeded"))).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    expect(lines(r.stdout)[0]).toMatchObject({ task: "load", attempt: 1, exitCode: code, reason });
  });

  it("a finally task its await-deps skipped (exit 94: its when on the run's result) is skipped, no failure: the run succeeds, its record says skipped", async () => {
    api.putJob(job("load", "complete"));
    api.putJob(makeJob(jobName("page"), "not-run", { labels: LABELS, exitCode: 94 }));
    api.putPod(pod("load", "aaaaa", { created: t(1), main: terminated(0, { startedAt: t(1), finishedAt: t(2) }) }));
    api.putPod(pod("page", "bbbbb", { created: t(3), phase: "Failed", awaitDeps: terminated(94) }));
    const when = all(all(leaf("load", "succeeded")), all(leaf("page", "succeededOrSkipped")));
    const finalTasks: Array<[string, Role]> = [["load", "work"], ["page", "finally"]];
    const r = await shim("status", statusEnv(finalTasks, when, { tasks: [{ name: "load", job: jobName("load"), role: "work" }, { name: "page", job: jobName("page"), role: "finally", mustRunWhen: { all: [] } }] })).done;
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const out = lines(r.stdout);
    expect(out[1]).toMatchObject({ task: "page", attempt: 1, exitCode: 94, reason: "skipped" });
    expect(out[2]).toMatchObject({ result: "Succeeded", tasks: { load: "succeeded", page: "skipped" }, failed: [] });
    // Not "should have run but did not": a skip is a decision, not a lost Job.
    expect(r.stderr).not.toContain("did not run");
    // The same Job with another await-deps code did not run, and a finally task must: the run fails.
    api.putJob(makeJob(jobName("page"), "not-run", { labels: LABELS, exitCode: 93 }));
    const lost = await shim("status", statusEnv(finalTasks, when, { tasks: [{ name: "load", job: jobName("load"), role: "work" }, { name: "page", job: jobName("page"), role: "finally", mustRunWhen: { all: [] } }] })).done;
    expect(lost.code).toBe(EXIT.RUN_FAILED);
  });

  it("waits until no task is pending, then exit 0 when the run succeeded", async () => {
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", "running"));
    api.putPod(pod("extract", "aaaaa", { created: t(1), main: terminated(0, { startedAt: t(1), finishedAt: t(2) }) }));
    const run = shim("status", statusEnv([["extract", "work"], ["load", "work"]], all(leaf("extract", "succeeded"), leaf("load", "succeeded"))));
    await api.waitForWatches(1);
    expect(run.exited()).toBe(false);
    api.putPod(pod("load", "bbbbb", { created: t(3), main: terminated(0, { startedAt: t(3), finishedAt: t(3, 30) }) }));
    api.putJob(job("load", "complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    const out = lines(r.stdout);
    expect(out.map((l) => [l.task, l.attempt, l.durationSeconds])).toEqual([
      ["extract", 1, 60],
      ["load", 1, 30],
      [undefined, undefined, undefined],
    ]);
    expect(out[2]).toEqual({ pipeline: "etl", runId: "1a2b3c4d", result: "Succeeded", tasks: { extract: "succeeded", load: "succeeded" }, failed: [], attempts: 2 });
  });

  it("keeps the termination message under 4096 bytes and valid JSON; stdout keeps the full summary", async () => {
    const many: Array<[string, Role]> = Array.from({ length: 300 }, (_, i) => [`a-task-with-a-rather-long-name-${String(i).padStart(3, "0")}`, "work"]);
    for (const [name] of many) api.putJob(job(name, "failed"));
    const r = await shim("status", statusEnv(many, all(...many.map(([n]) => leaf(n, "succeeded"))))).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    const text = fs.readFileSync(path.join(dir, "termination-log"), "utf8");
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    const cut = JSON.parse(text) as Record<string, unknown>;
    expect(cut).toMatchObject({ pipeline: "etl", runId: "1a2b3c4d", result: "Failed", attempts: 0, truncated: true, failedCount: 300 });
    expect(cut.tasks).toBeUndefined();
    expect((cut.failed as string[]).length).toBeGreaterThan(10);
    expect(cut.failed).toEqual(many.slice(0, (cut.failed as string[]).length).map(([n]) => n));
    const out = lines(r.stdout);
    expect(out).toHaveLength(301);
    expect(out[0]).toMatchObject({ attempt: 0, reason: "failed" });
    expect((out[300]!.failed as string[]).length).toBe(300);
  });

  it("reports the result even when the pods cannot be listed (job-level records)", async () => {
    api.forbid("list", "pods");
    api.putJob(job("extract", "complete"));
    api.putJob(job("load", "deadline"));
    const r = await shim("status", statusEnv([["extract", "work"], ["load", "work"]], all(leaf("extract", "succeeded"), leaf("load", "succeeded")))).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    const out = lines(r.stdout);
    expect(out[0]).toEqual(record("extract", "work", null, { start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:05:00Z", durationSeconds: 300, reason: "succeeded" }));
    expect(out[1]).toEqual(record("load", "work", null, { start: "2024-05-01T10:00:00Z", end: "2024-05-01T10:05:00Z", durationSeconds: 300, reason: "DeadlineExceeded" }));
    expect(out[2]).toMatchObject({ result: "Failed", failed: ["load"], attempts: null });
    expect(r.stderr).toContain("cannot list pods");
  });

  it("retries a failing pod list before reporting per-attempt records", async () => {
    api.putJob(job("extract", "complete"));
    api.putPod(pod("extract", "aaaaa", { created: t(1), main: terminated(0) }));
    api.failNext(2, 503, { match: (q) => q.path === "/api/v1/namespaces/ci/pods" });
    const r = await shim("status", statusEnv([["extract", "work"]], leaf("extract", "succeeded"))).done;
    expect(r.code).toBe(EXIT.OK);
    expect(lines(r.stdout)[0]).toMatchObject({ attempt: 1, pod: `${RUN}-extract-aaaaa`, reason: "Completed" });
  });

  it("a teardown that did not run although its setup succeeded counts as failed (with failsRun the run fails); one rightly skipped does not", async () => {
    const run: Array<[string, Role]> = [["setup", "setup"], ["work", "work"], ["drop", "teardown"]];
    const cleanup = (name: string) => (name === "drop" ? { mustRunWhen: any(leaf("setup", "succeeded")) } : {});
    const env = (when: Condition) => ({
      GANTRY_STATUS: JSON.stringify({
        pipeline: "etl", runId: "1a2b3c4d", selector: SELECTOR, when, timeoutSeconds: 20, missingGraceSeconds: 0,
        tasks: run.map(([name, role]) => ({ name, job: jobName(name), role, ...cleanup(name) })),
      }),
    });
    const failsRun = all(leaf("setup", "succeeded"), leaf("work", "succeeded"), leaf("drop", "succeededOrNotRun"));
    api.putJob(job("setup", "complete"));
    api.putJob(job("work", "complete"));
    api.putJob(makeJob(jobName("drop"), "not-run", { labels: LABELS, exitCode: 93 })); // its await-deps could not use the API
    const r = await shim("status", env(failsRun)).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    const summary = lines(r.stdout).at(-1) as unknown as RunSummary;
    expect(summary).toMatchObject({ result: "Failed", tasks: { setup: "succeeded", work: "succeeded", drop: "failed" }, failed: ["drop"] });
    expect(r.stderr).toContain("teardown drop did not run (not-run) although setup succeeded: counted as failed");
    // Without failsRun the result stands, but the teardown is still reported failed.
    const lenient = await shim("status", env(all(leaf("setup", "succeeded"), leaf("work", "succeeded"), leaf("drop", "settled")))).done;
    expect(lenient.code).toBe(EXIT.OK);
    expect((lines(lenient.stdout).at(-1) as unknown as RunSummary).failed).toEqual(["drop"]);
    // Its setup failed: the teardown was rightly skipped.
    api.putJob(job("setup", "failed"));
    const skipped = await shim("status", env(failsRun)).done;
    expect((lines(skipped.stdout).at(-1) as unknown as RunSummary).tasks.drop).toBe("not-run");
    expect(skipped.stderr).not.toContain("did not run");
  });

  it("a finally task with allowFailure that did not run still fails the run (counting it failed never improves the result)", async () => {
    api.putJob(job("work", "complete"));
    // notify: never created (missing)
    const env = {
      GANTRY_STATUS: JSON.stringify({
        pipeline: "etl", runId: "1a2b3c4d", selector: SELECTOR, timeoutSeconds: 20, missingGraceSeconds: 0,
        tasks: [{ name: "work", job: jobName("work"), role: "work" }, { name: "notify", job: jobName("notify"), role: "finally", mustRunWhen: all() }],
        when: all(leaf("work", "succeeded"), leaf("notify", "ran")),
      }),
    };
    const r = await shim("status", env).done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    expect(lines(r.stdout).at(-1)).toMatchObject({ result: "Failed", tasks: { work: "succeeded", notify: "failed" }, failed: ["notify"] });
    expect(r.stderr).toContain("finally notify did not run (missing) although finally tasks always run: counted as failed");
  });

  it("the idle clock: a task with a Ready pod holds the status Job past timeoutSeconds", async () => {
    api.putJob(job("extract", "running", 1));
    const run = shim("status", statusEnv([["extract", "work"]], leaf("extract", "succeeded"), { timeoutSeconds: 0.4 }));
    await api.waitForWatches(1);
    await sleepMs(1000);
    expect(run.exited()).toBe(false);
    api.putJob(job("extract", "complete"));
    expect((await run.done).code).toBe(EXIT.OK);
  });

  it("exit 92 when tasks are still pending at timeoutSeconds", async () => {
    api.putJob(job("extract", "running"));
    const r = await shim("status", statusEnv([["extract", "work"]], leaf("extract", "succeeded"), { timeoutSeconds: 0.4 })).done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    expect(r.stdout).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------

describe("shim drive", () => {
  const DRIVER = "etl-28512345";
  const runId = crypto.createHash("sha256").update(DRIVER).digest("hex").slice(0, 8);
  const template = (task: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `etl-@RUN_ID@-${task}`, labels: { "gantry.dev/run": "etl-@RUN_ID@", "gantry.dev/task": task } },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox", env: [{ name: "RUN", value: "run @RUN_ID@ of etl" }] }] } }, ...extra },
  });
  const objects = [template("extract"), template("load"), template("gantry-status")];

  function driveEnv(timeoutSeconds = 20): Record<string, string> {
    const file = path.join(dir, "objects.json");
    fs.writeFileSync(file, JSON.stringify(objects, null, 2));
    return {
      GANTRY_DRIVE: JSON.stringify({ objects: file, statusJob: "etl-@RUN_ID@-gantry-status", timeoutSeconds }),
      GANTRY_JOB_NAME: DRIVER,
      GANTRY_JOB_UID: "0f7c1a52-uid",
    };
  }
  const isPost = (q: LoggedRequest) => q.method === "POST";
  const statusJob = (state: JobStateName): JobObject => makeJob(`etl-${runId}-gantry-status`, state, { labels: { "gantry.dev/run": `etl-${runId}` } });

  it("creates the run's Jobs in order, owned by the driver, then mirrors the status Job; a second driver is idempotent", async () => {
    const run = shim("drive", driveEnv());
    await api.waitForWatches(1);
    const posts = api.requests.filter(isPost);
    expect(posts.map((q) => [q.path, q.status])).toEqual([
      ["/apis/batch/v1/namespaces/ci/jobs", 201],
      ["/apis/batch/v1/namespaces/ci/jobs", 201],
      ["/apis/batch/v1/namespaces/ci/jobs", 201],
    ]);
    const bodies = posts.map((q) => JSON.parse(q.body) as JobObject);
    expect(bodies.map((b) => b.metadata.name)).toEqual([`etl-${runId}-extract`, `etl-${runId}-load`, `etl-${runId}-gantry-status`]);
    for (const b of bodies) {
      expect(b.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "Job", name: DRIVER, uid: "0f7c1a52-uid", blockOwnerDeletion: false }]);
      expect(b.metadata.labels).toEqual({ "gantry.dev/run": `etl-${runId}`, "gantry.dev/task": expect.any(String) });
      expect(JSON.stringify(b)).not.toContain("@RUN_ID@");
      expect(JSON.stringify(b)).toContain(`run ${runId} of etl`);
    }
    const watch = api.requests.find(isWatch)!;
    expect(watch.query.fieldSelector).toBe(`metadata.name=etl-${runId}-gantry-status`);
    expect(run.exited()).toBe(false);
    api.putJob(statusJob("complete"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toContain(`run id ${runId} (driver job ${DRIVER})`);

    // A restarted driver: every Job exists (409), the status Job is already Complete.
    const since = api.requests.length;
    const again = await shim("drive", driveEnv()).done;
    expect(again.code).toBe(EXIT.OK);
    expect(api.requests.slice(since).filter(isPost).map((q) => q.status)).toEqual([409, 409, 409]);
    expect(again.stderr).toContain(`job etl-${runId}-extract already exists`);
    expect(api.jobs().map((j) => j.metadata.name).sort()).toEqual([`etl-${runId}-extract`, `etl-${runId}-gantry-status`, `etl-${runId}-load`]);
  });

  it("exit 1 when the status Job failed", async () => {
    const run = shim("drive", driveEnv());
    await api.waitForWatches(1);
    api.putJob(statusJob("failed"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    expect(r.stderr).toContain("Failed (status job");
  });

  it("retries 5xx and connection-level failures on create", async () => {
    api.putJob(statusJob("complete"));
    api.failNext(2, 500, { match: isPost });
    api.failNext(1, 503, { match: isPost });
    const r = await shim("drive", driveEnv()).done;
    expect(r.code).toBe(EXIT.OK);
    expect(api.requests.filter(isPost).map((q) => q.status)).toEqual([500, 500, 503, 201, 201, 409]);
  });

  it("a Job refused for itself (a quota) is logged and the rest of the run is still created; the status Job decides (adversarial finding)", async () => {
    const message = `jobs.batch "etl-${runId}-extract" is forbidden: exceeded quota: jobs, requested: count/jobs.batch=1, used: count/jobs.batch=20, limited: count/jobs.batch=20`;
    api.failNext(1, 403, { match: isPost, message });
    const run = shim("drive", driveEnv());
    await api.waitForWatches(1);
    expect(api.requests.filter(isPost).map((q) => q.status)).toEqual([403, 201, 201]);
    expect(api.jobs().map((j) => j.metadata.name).sort()).toEqual([`etl-${runId}-gantry-status`, `etl-${runId}-load`]);
    api.putJob(statusJob("failed"));
    const r = await run.done;
    expect(r.code).toBe(EXIT.RUN_FAILED);
    expect(r.stderr).toContain(`job etl-${runId}-extract was refused (HTTP 403: ${message}); creating the others`);
    expect(r.stderr).toContain(`refused: etl-${runId}-extract`);
  });

  it("exit 93 when every Job is refused (the account cannot create Jobs), naming the permission", async () => {
    api.forbid("create", "jobs");
    const r = await shim("drive", driveEnv()).done;
    expect(r.code).toBe(EXIT.API_UNUSABLE);
    expect(r.stderr).toMatch(/cannot create jobs\.batch in namespace ci; HTTP 403: .*cannot create resource "jobs"/);
    expect(api.requests.filter(isPost)).toHaveLength(3);
  });

  it("exit 93 when the status Job is refused: the run's result could not be known", async () => {
    const message = 'Job.batch "etl-x-gantry-status" is invalid: spec.template.spec.containers[0].image: Required value';
    api.failNext(1, 422, { match: (q) => isPost(q) && q.body.includes("gantry-status"), message });
    const r = await shim("drive", driveEnv()).done;
    expect(r.code).toBe(EXIT.API_UNUSABLE);
    expect(r.stderr).toContain(`the run's status job etl-${runId}-gantry-status was refused, so its result cannot be known: HTTP 422: ${message}`);
    expect(api.requests.filter(isPost).map((q) => q.status)).toEqual([201, 201, 422]);
  });

  it("waits for a status Job whose pod is Ready (following the run) past timeoutSeconds", async () => {
    const run = shim("drive", driveEnv(0.5));
    await api.waitForWatches(1);
    api.putJob(makeJob(`etl-${runId}-gantry-status`, "running", { labels: { "gantry.dev/run": `etl-${runId}` }, ready: 1 }));
    await sleepMs(1300);
    expect(run.exited()).toBe(false);
    api.putJob(statusJob("complete"));
    expect((await run.done).code).toBe(EXIT.OK);
  });

  it("exit 92 when the status Job does not finish in time", async () => {
    const r = await shim("drive", driveEnv(0.5)).done;
    expect(r.code).toBe(EXIT.WAIT_TIMEOUT);
    expect(r.stderr).toContain(`status job etl-${runId}-gantry-status has not finished`);
  });
});
