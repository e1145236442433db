#!/usr/bin/env node
// Gantry runtime shim: the small program that stands in for a workflow engine on the plain-Jobs
// target. The compiler ships this file in a ConfigMap mounted at /gantry and runs it as
//   node /gantry/gantry-shim.mjs await    init container `await-deps` of every task pod
//   node /gantry/gantry-shim.mjs status   the run's final status Job
//   node /gantry/gantry-shim.mjs drive    the driver Job of a scheduled run
// The protocol (configuration, environment, exit codes, RBAC) is in README.md next to this file.
//
// It must run in any image that has `node` (>= 18), so it uses built-in modules only. It is also
// importable: the decision logic is exported as pure functions, and main() runs only when this file
// is executed directly.

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

// 90-94 are the await-deps codes the compiler's podFailurePolicy turns into FailJob (see README.md).
export const EXIT = Object.freeze({ OK: 0, RUN_FAILED: 1, USAGE: 2, INTERNAL: 70, UPSTREAM_FAILED: 90, UPSTREAM_MISSING: 91, WAIT_TIMEOUT: 92, API_UNUSABLE: 93, SKIPPED: 94 });

// ---------------------------------------------------------------------------------------------
// Pure decision logic
// ---------------------------------------------------------------------------------------------

// The Job controller's FailJob message is `Container %s for pod %s/%s failed with exit code %v
// matching %v rule at index %d`. When the container is the task's own await-deps, the task decided
// not to run: "skipped" with exit code 94 (its `runsIf` did not hold: its `when`, or a skip it
// inherits), else "not-run" (an upstream failed or is missing); not a failure of the task.
const OWN_AWAIT_DEPS = "Container await-deps for pod ";
const SKIP_MESSAGE = new RegExp(` failed with exit code ${EXIT.SKIPPED} matching `);

/** A Job's state from its terminal conditions only (see the .d.mts for why). */
export function classifyJob(job) {
  const conditions = Array.isArray(job?.status?.conditions) ? job.status.conditions : [];
  const holding = (type) => conditions.find((c) => c && c.type === type && c.status === "True");
  if (holding("Complete")) return "succeeded";
  const failed = holding("Failed");
  if (!failed) return "pending";
  const message = String(failed.message ?? "");
  if (failed.reason !== "PodFailurePolicy" || !message.startsWith(OWN_AWAIT_DEPS)) return "failed";
  return SKIP_MESSAGE.test(message) ? "skipped" : "not-run";
}

// Truth of each predicate per final state. "pending" is absent on purpose: a pending task can still
// become anything, so every predicate over it is unknown (undefined), never false.
// "skipped" (a `when` decided at run time) is no failure: `succeededOrSkipped` and `ranOrSkipped` stand
// where a task may be skipped, as the compiler's conditions say.
const LEAF = Object.freeze({
  succeeded: { succeeded: true, failed: false, "not-run": false, missing: false, skipped: false },
  ran: { succeeded: true, failed: true, "not-run": false, missing: false, skipped: false },
  settled: { succeeded: true, failed: true, "not-run": true, missing: true, skipped: true },
  succeededOrNotRun: { succeeded: true, failed: false, "not-run": true, missing: true, skipped: true },
  succeededOrSkipped: { succeeded: true, failed: false, "not-run": false, missing: false, skipped: true },
  ranOrSkipped: { succeeded: true, failed: true, "not-run": false, missing: false, skipped: true },
  skipped: { succeeded: false, failed: false, "not-run": false, missing: false, skipped: true },
});
export const PREDICATES = Object.freeze(Object.keys(LEAF));

/**
 * Kleene `all`/`any` of `node`'s parts, each worked out by `value`: a false decides `all`, a true
 * decides `any` (the parts after it are not asked); else undefined if any part is.
 */
function kleene(node, value) {
  const isAll = "all" in node;
  let unknown = false;
  for (const part of isAll ? node.all : node.any) {
    const v = value(part);
    if (v === !isAll) return v;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : isAll;
}

/** Three-valued (Kleene) evaluation: true, false, or undefined while it can still go either way. */
export function evaluate(condition, states) {
  if ("all" in condition || "any" in condition) return kleene(condition, (part) => evaluate(part, states));
  const table = LEAF[condition.is];
  if (!table) throw new TypeError(`unknown predicate ${JSON.stringify(condition.is)}`);
  return table[states[condition.task] ?? "pending"];
}

/** Every task named in a condition, once, in order of appearance. */
export function tasksIn(condition, into = []) {
  if ("all" in condition || "any" in condition) {
    for (const part of condition.all ?? condition.any) tasksIn(part, into);
  } else if (!into.includes(condition.task)) into.push(condition.task);
  return into;
}

/** A condition as one readable line, for the logs. */
export function describeCondition(condition, nested = false) {
  if (!("all" in condition || "any" in condition)) return `${condition.task} ${condition.is}`;
  const parts = condition.all ?? condition.any;
  if (parts.length === 0) return "all" in condition ? "(nothing)" : "(never)";
  const text = parts.map((p) => describeCondition(p, true)).join("all" in condition ? " and " : " or ");
  return nested && parts.length > 1 ? `(${text})` : text;
}

/**
 * Each task's state. A task whose Job does not exist is pending until the grace period is over:
 * `absentSeconds` is how long it has been absent, one number for every Job, or per Job name (`absenceClock`).
 */
export function taskStates(jobsByTask, jobsByName, absentSeconds, missingGraceSeconds) {
  const states = {};
  for (const [task, jobName] of Object.entries(jobsByTask)) {
    const job = jobsByName.get(jobName);
    const absent = typeof absentSeconds === "function" ? absentSeconds(jobName) : absentSeconds;
    states[task] = job ? classifyJob(job) : absent >= missingGraceSeconds ? "missing" : "pending";
  }
  return states;
}

/**
 * How long each Job has been absent, in seconds: for one never seen, since the clock started (a
 * Job not created yet, or of an Argo CD wave that never synced); for one seen and then gone (`kubectl
 * delete job`), since it was first seen gone, so that its pod, which a deletion leaves running
 * through its grace period (or for good, `--cascade=orphan`), is not taken as settled at once.
 * `observe(jobsByName)` after every change of the view; `absent(jobName)` reads the clock; `nextChange`
 * is the milliseconds until an absent Job of `jobNames` reaches `graceSeconds` (undefined: none will).
 */
export function absenceClock(now = Date.now) {
  const started = now();
  const seen = new Set();
  const goneSince = new Map();
  const absent = (jobName) => (now() - (goneSince.get(jobName) ?? started)) / 1000;
  return {
    observe(jobsByName) {
      for (const name of jobsByName.keys()) {
        seen.add(name);
        goneSince.delete(name);
      }
      for (const name of seen) if (!jobsByName.has(name) && !goneSince.has(name)) goneSince.set(name, now());
    },
    absent,
    nextChange(jobNames, jobsByName, graceSeconds) {
      const left = [...jobNames].filter((n) => !jobsByName.has(n)).map((n) => graceSeconds * 1000 - absent(n) * 1000).filter((ms) => ms > 0);
      return left.length > 0 ? Math.ceil(Math.min(...left)) + 10 : undefined;
    },
  };
}

export function decide(when, states) {
  const value = evaluate(when, states);
  if (value === true) return { action: "proceed", exitCode: EXIT.OK };
  if (value === undefined) return { action: "wait" };
  const missing = tasksIn(when).some((t) => states[t] === "missing");
  return { action: "skip", exitCode: missing ? EXIT.UPSTREAM_MISSING : EXIT.UPSTREAM_FAILED };
}

/** The leaves that are false: "which upstream decided it", for the log line of a skip. */
export function falseLeaves(condition, states) {
  if (evaluate(condition, states) !== false) return []; // a true `any` may hold false leaves: not the cause
  if ("all" in condition || "any" in condition) {
    return (condition.all ?? condition.any).flatMap((p) => falseLeaves(p, states));
  }
  return [{ ...condition, state: states[condition.task] }];
}

/**
 * What the wait's idle clock compares: each Job's conditions and pod counts. Any change means
 * the run moved (a pod started, an attempt failed, a task finished), so the clock starts again.
 */
export function progressKey(jobsByName) {
  const parts = [];
  for (const [name, job] of jobsByName) {
    const s = job?.status ?? {};
    const holding = (Array.isArray(s.conditions) ? s.conditions : []).filter((c) => c?.status === "True").map((c) => c.type);
    parts.push(`${name}:${holding.sort().join("+")}:${s.active ?? 0}:${s.ready ?? 0}:${s.succeeded ?? 0}:${s.failed ?? 0}`);
  }
  return parts.sort().join("\n");
}

/**
 * Whether one of the Jobs `counts` (by name) has a Ready pod: a task doing its work. A pod waiting in
 * its await-deps init container is not Ready, and the status Job, which only waits, is not counted,
 * so a run that is stuck (a pod that cannot be scheduled) does not look busy. A Job that has finished
 * or is failing does not count either: the controller stops updating a finished Job, whose `ready`
 * can stay above 0 for good when its pods were still terminating (kubernetes/kubernetes#123775).
 */
export function hasReadyPod(jobsByName, counts) {
  for (const [name, job] of jobsByName) {
    if (!counts(name) || (job?.status?.ready ?? 0) <= 0) continue;
    const conditions = Array.isArray(job.status.conditions) ? job.status.conditions : [];
    if (!conditions.some((c) => c?.status === "True" && ENDING.has(c.type))) return true;
  }
  return false;
}
/** Job conditions that mean it has finished or is about to (its pods terminating). */
const ENDING = new Set(["Complete", "Failed", "FailureTarget", "SuccessCriteriaMet"]);

/** The driver's run id: stable per driver Job, so a restarted driver recreates the same names. */
export function runIdFor(jobName) {
  return crypto.createHash("sha256").update(jobName).digest("hex").slice(0, 8);
}

export const RUN_ID_TOKEN = "@RUN_ID@";

/** The driver's Job objects: token replaced in the text (so it may appear anywhere), owned by the driver. */
export function prepareDriverObjects(text, runId, owner) {
  const { value: objects, error } = parseJson(text.replaceAll(RUN_ID_TOKEN, runId));
  if (error) throw usage(`the objects file is not valid JSON: ${error}`);
  if (!Array.isArray(objects)) throw usage("the objects file must hold a JSON array of Job objects");
  return objects.map((obj, i) => {
    if (!isObject(obj) || !isObject(obj.metadata) || !nonEmpty(obj.metadata.name)) {
      throw usage(`objects[${i}] is not a Job object with metadata.name`);
    }
    // Deleting the driver (CronJob history limits do) then garbage-collects the whole run.
    const ref = { apiVersion: "batch/v1", kind: "Job", name: owner.name, uid: owner.uid, blockOwnerDeletion: false };
    return { ...obj, metadata: { ...obj.metadata, ownerReferences: [ref] } };
  });
}

/**
 * The states the run's result is judged on. A cleanup task (teardown, finally) that should have run
 * (`mustRunWhen`: one of its setups succeeded; always) but did not (its Job deleted or refused, or
 * its await-deps unable to use the API) is counted as failed, as Argo counts a cleanup node that
 * could not start, rather than as a task that was rightly skipped.
 */
export function cleanupOutcomes(tasks, states) {
  const outcomes = { ...states };
  for (const t of tasks) {
    const state = states[t.name];
    if ((state === "not-run" || state === "missing") && t.mustRunWhen && evaluate(t.mustRunWhen, states) === true) outcomes[t.name] = "failed";
  }
  return outcomes;
}

/**
 * Whether the run succeeded by `when`, over the tasks' states and their `cleanupOutcomes`, as the
 * status Job decides and a finally task's run status says: counting a cleanup that did not run may only make the result worse (for a finally task with
 * allowFailure, "ran", not running already fails the run, and "failed" would pass).
 */
export function runSucceeded(when, states, outcomes) {
  return evaluate(when, states) === true && evaluate(when, outcomes) === true;
}

/** A finally task's view of the run (`runStatus` of its await-deps configuration): the result, as the status Job decides it. */
export function runResult(runStatus, states) {
  return runSucceeded(runStatus.when, states, cleanupOutcomes(runStatus.cleanups ?? [], states)) ? "Succeeded" : "Failed";
}

/**
 * A task's `runsIf` (what is left of its `when`, and the skips it inherits), once it may start.
 * `facts`: the tasks' `states`, the run's `runStatus` (finally tasks), and `outputs` by task, those
 * read so far. Three-valued, like `evaluate`: undefined while an output it needs is unread (or a
 * task it names is pending), so outputs are read only when the answer hangs on them.
 */
export function evaluateGuard(guard, facts) {
  if ("all" in guard || "any" in guard) return kleene(guard, (part) => evaluateGuard(part, facts));
  if ("not" in guard) {
    const v = evaluateGuard(guard.not, facts);
    return v === undefined ? undefined : !v;
  }
  if ("runStatus" in guard) return facts.runStatus === undefined ? undefined : facts.runStatus === guard.runStatus;
  if ("output" in guard) {
    const value = facts.outputs?.[guard.output];
    return value === undefined ? undefined : guard.in.includes(value);
  }
  const state = facts.states[guard.task] ?? "pending";
  return state === "pending" ? undefined : state === guard.was;
}

/** Every task whose output a guard tests. */
export function guardOutputs(guard, into = []) {
  for (const leaf of guardLeaves(guard)) if ("output" in leaf && !into.includes(leaf.output)) into.push(leaf.output);
  return into;
}

/** Every leaf of a guard, in order. */
function guardLeaves(guard, into = []) {
  if ("all" in guard || "any" in guard) for (const part of guard.all ?? guard.any) guardLeaves(part, into);
  else if ("not" in guard) guardLeaves(guard.not, into);
  else into.push(guard);
  return into;
}

/** A guard as one readable line, for the logs. */
export function describeGuard(guard, nested = false) {
  if ("all" in guard || "any" in guard) {
    const parts = guard.all ?? guard.any;
    const text = parts.map((p) => describeGuard(p, true)).join("all" in guard ? " and " : " or ");
    return nested && parts.length > 1 ? `(${text})` : text;
  }
  if ("not" in guard) return `not ${describeGuard(guard.not, true)}`;
  if ("runStatus" in guard) return `the run's result is ${guard.runStatus}`;
  if ("output" in guard) return `the output of ${guard.output} is ${guard.in.length === 1 ? JSON.stringify(guard.in[0]) : `one of ${guard.in.map((v) => JSON.stringify(v)).join(", ")}`}`;
  return `${guard.task} was ${guard.was}`;
}

/**
 * The value a task gets for an output (an entry of its await-deps `outputs`), from the producer's
 * state and, when it succeeded, `message`, what the kubelet kept of its output file (undefined:
 * no succeeded pod is left). `{ value, source }`, or `{ exitCode, why }` when there is none to give.
 * `jobName`: how the producer's Job is named in that `why`.
 */
export function pickOutput(output, state, message, jobName = "its job") {
  if (output.value !== undefined) return { value: output.value, source: "its default, as it was skipped when compiling" };
  if (state === "succeeded") {
    if (message === undefined) return { exitCode: EXIT.UPSTREAM_MISSING, why: `the output of ${output.task} is gone: no succeeded pod of ${jobName} is left to read it from (pods deleted)` };
    if (Buffer.byteLength(message) >= MAX_MESSAGE) {
      return { exitCode: EXIT.UPSTREAM_FAILED, why: `the output of ${output.task} is ${MAX_MESSAGE} bytes or more, past what a termination message holds: the kubelet kept only its last ${MAX_MESSAGE}` };
    }
    // Like Argo, one trailing newline is dropped.
    const value = message.replace(/\n$/, "");
    return { value, source: `${Buffer.byteLength(value)} bytes` };
  }
  if (state === "missing" || state === "pending") return { exitCode: EXIT.UPSTREAM_MISSING, why: `${output.task} is ${state}: its output cannot be read` };
  if (output.default === undefined) return { exitCode: EXIT.UPSTREAM_FAILED, why: `${output.task} is ${state}, so its output has no value, and it has no default` };
  return { value: output.default, source: `its default, as it is ${state}` };
}

/** What the kubelet keeps of a termination message: the file's last bytes. */
const MAX_MESSAGE = 4096;

const AWAIT_DEPS_REASONS = { 90: "upstream-failed", 91: "upstream-missing", 92: "wait-timeout", 93: "api-unusable", 94: "skipped" };

function seconds(start, end) {
  const ms = Date.parse(end ?? "") - Date.parse(start ?? "");
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/**
 * One record per task attempt. `pods` undefined means the pods could not be listed: the records
 * then come from the Jobs (attempt null), so the report degrades instead of failing.
 */
export function statusRecords(run, states, pods, jobsByName = new Map()) {
  const byJob = new Map();
  for (const pod of pods ?? []) {
    const labels = pod?.metadata?.labels ?? {};
    const job = labels["batch.kubernetes.io/job-name"] ?? labels["job-name"];
    if (job) byJob.set(job, [...(byJob.get(job) ?? []), pod]);
  }
  const records = [];
  for (const task of run.tasks) {
    const base = { pipeline: run.pipeline, runId: run.runId, task: task.name, role: task.role ?? null };
    const state = states[task.name] ?? "pending";
    if (pods === undefined) {
      const status = jobsByName.get(task.job)?.status ?? {};
      const failed = (status.conditions ?? []).find((c) => c.type === "Failed" && c.status === "True");
      const end = status.completionTime ?? failed?.lastTransitionTime ?? null;
      const start = status.startTime ?? null;
      const reason = state === "failed" ? (failed?.reason ?? "failed") : state;
      records.push({ ...base, attempt: null, pod: null, phase: null, start, end, durationSeconds: seconds(start, end), exitCode: null, reason });
      continue;
    }
    const attempts = (byJob.get(task.job) ?? []).sort((a, b) => {
      const ta = a.metadata?.creationTimestamp ?? "", tb = b.metadata?.creationTimestamp ?? "";
      return ta !== tb ? (ta < tb ? -1 : 1) : String(a.metadata?.name).localeCompare(String(b.metadata?.name));
    });
    if (attempts.length === 0) {
      records.push({ ...base, attempt: 0, pod: null, phase: null, start: null, end: null, durationSeconds: null, exitCode: null, reason: state });
    }
    attempts.forEach((pod, i) => records.push({ ...base, attempt: i + 1, ...podOutcome(pod) }));
  }
  return records;
}

function podOutcome(pod) {
  const status = pod.status ?? {};
  const main = (status.containerStatuses ?? []).find((c) => c.name === "main")?.state ?? {};
  const gate = (status.initContainerStatuses ?? []).find((c) => c.name === "await-deps")?.state?.terminated;
  const ended = main.terminated;
  const start = ended?.startedAt ?? main.running?.startedAt ?? null;
  const end = ended?.finishedAt ?? null;
  let exitCode = ended?.exitCode ?? null;
  let reason = ended?.reason ?? null;
  if (gate && gate.exitCode !== 0) {
    // The task never started: the await-deps exit code says why.
    exitCode = gate.exitCode;
    reason = AWAIT_DEPS_REASONS[gate.exitCode] ?? "await-deps-failed";
  }
  reason ??= status.reason ?? null; // DeadlineExceeded, Evicted: the pod's, when the container has none
  return { pod: pod.metadata?.name ?? null, phase: status.phase ?? null, start, end, durationSeconds: seconds(start, end), exitCode, reason };
}

/**
 * The summary as JSON of at most `limit` bytes (a termination message is cut at 4096 bytes, which
 * would leave invalid JSON). The per-task map goes first, then failed names beyond what fits.
 */
export function fitSummary(summary, limit = 4096) {
  const size = (v) => Buffer.byteLength(JSON.stringify(v));
  if (size(summary) <= limit) return JSON.stringify(summary);
  const { tasks: _dropped, failed = [], ...rest } = summary;
  const slim = { ...rest, failed: [], failedCount: failed.length, truncated: true };
  let used = size(slim);
  for (const name of failed) {
    const more = Buffer.byteLength(JSON.stringify(name)) + (slim.failed.length > 0 ? 1 : 0);
    if (used + more > limit) break;
    slim.failed.push(name);
    used += more;
  }
  return JSON.stringify(slim);
}

/** The API server's base URL; inside a pod from the service environment Kubernetes injects. */
export function apiBaseUrl(env) {
  if (env.GANTRY_API_URL) return env.GANTRY_API_URL.replace(/\/+$/, "");
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) throw usage("GANTRY_API_URL or KUBERNETES_SERVICE_HOST must be set");
  const port = env.KUBERNETES_SERVICE_PORT || "443";
  return `https://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/** An outcome of the protocol: main() logs the message and exits with the code. */
class ShimExit extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const usage = (message) => new ShimExit(EXIT.USAGE, message);
/** JSON.parse that reports instead of throwing: { value } or { error }. */
function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: e.message };
  }
}
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const nonEmpty = (v) => typeof v === "string" && v.length > 0;

function readConfig(env, name) {
  const raw = env[name];
  if (!nonEmpty(raw)) throw usage(`${name} is not set: it must hold the command's configuration as JSON`);
  const { value: config, error } = parseJson(raw);
  if (error) throw usage(`${name} is not valid JSON: ${error}`);
  if (!isObject(config)) throw usage(`${name} must be a JSON object`);
  return config;
}

function expect(ok, where, what) {
  if (!ok) throw usage(`invalid configuration: ${where} ${what}`);
}

function checkSeconds(value, where, { optional = false, zero = false } = {}) {
  if (optional && value === undefined) return;
  expect(typeof value === "number" && Number.isFinite(value) && (zero ? value >= 0 : value > 0), where, `must be a number ${zero ? ">= 0" : "> 0"} (seconds)`);
}

/** A `runsIf` guard: its tasks have Jobs here, its outputs entries, a test of the run's result a `runStatus`. */
function checkGuard(g, where, known, outputTasks, hasRunStatus) {
  expect(isObject(g), where, "must be a guard object");
  if ("all" in g || "any" in g) {
    const key = "all" in g ? "all" : "any";
    expect(Object.keys(g).length === 1 && Array.isArray(g[key]), where, `must be { "${key}": [guards] } and nothing else`);
    g[key].forEach((part, i) => checkGuard(part, `${where}.${key}[${i}]`, known, outputTasks, hasRunStatus));
    return;
  }
  if ("not" in g) return checkGuard(g.not, `${where}.not`, known, outputTasks, hasRunStatus);
  if ("runStatus" in g) {
    expect(g.runStatus === "Succeeded" || g.runStatus === "Failed", `${where}.runStatus`, 'must be "Succeeded" or "Failed"');
    expect(hasRunStatus, `${where}.runStatus`, "needs runStatus, which says how the run's result is known");
    return;
  }
  if ("output" in g) {
    expect(outputTasks.has(g.output), `${where}.output`, `names "${g.output}", which has no entry in outputs`);
    expect(Array.isArray(g.in) && g.in.length > 0 && g.in.every((v) => typeof v === "string"), `${where}.in`, "must be a list of strings");
    return;
  }
  expect(nonEmpty(g.task) && known.has(g.task), `${where}.task`, "must name a task in jobs");
  expect(g.was === "skipped" || g.was === "succeeded", `${where}.was`, 'must be "skipped" or "succeeded"');
}


function checkCondition(c, where, known) {
  expect(isObject(c), where, "must be a condition object");
  if ("all" in c || "any" in c) {
    const key = "all" in c ? "all" : "any";
    expect(Object.keys(c).length === 1 && Array.isArray(c[key]), where, `must be { "${key}": [conditions] } and nothing else`);
    c[key].forEach((part, i) => checkCondition(part, `${where}.${key}[${i}]`, known));
    return;
  }
  expect(nonEmpty(c.task), `${where}.task`, "must be a task name");
  expect(PREDICATES.includes(c.is), `${where}.is`, `must be one of ${PREDICATES.join(", ")}`);
  expect(known.has(c.task), `${where}.task`, `names "${c.task}", which has no Job in the configuration`);
}

// ---------------------------------------------------------------------------------------------
// Kubernetes API access
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  /** status 0: no HTTP answer (connection refused, reset, timed out). */
  constructor(status, message, verb, resource) {
    super(message);
    Object.assign(this, { status, verb, resource });
  }
}

function context(env, log) {
  const namespace = env.GANTRY_NAMESPACE;
  if (!nonEmpty(namespace)) throw usage("GANTRY_NAMESPACE is not set (the compiler sets it from the downward API)");
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  const base = Number(env.GANTRY_BACKOFF_MS ?? 1000);
  return {
    log,
    namespace,
    base: apiBaseUrl(env),
    tokenFile: env.GANTRY_TOKEN_FILE || `${sa}/token`,
    caFile: env.GANTRY_CA_FILE || `${sa}/ca.crt`,
    backoffMs: Number.isFinite(base) && base >= 0 ? base : 1000,
    started: Date.now(),
    warned: new Set(),
  };
}

/** Exponential, jittered, capped at 30 s: many waiting pods must not retry in lockstep. */
function backoff(ctx, failures) {
  const ms = Math.min(30_000, ctx.backoffMs * 2 ** Math.min(failures - 1, 20));
  return ms / 2 + (Math.random() * ms) / 2;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const done = () => (clearTimeout(timer), signal?.removeEventListener("abort", done), resolve());
    const timer = setTimeout(done, signal?.aborted ? 0 : ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function readWarnOnce(ctx, file, what) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if (!ctx.warned.has(file)) ctx.log(`warning: cannot read the ${what} ${file}: ${e.code ?? e.message}`);
    ctx.warned.add(file);
    return undefined;
  }
}

/** Resolves with the response once headers arrive. The token is re-read every time: projected tokens rotate. */
function open(ctx, method, pathAndQuery, { body, contentType, signal, idleMs = 30_000 } = {}) {
  const url = new URL(ctx.base + pathAndQuery);
  const headers = { Accept: "application/json" };
  const token = readWarnOnce(ctx, ctx.tokenFile, "service-account token")?.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = contentType ?? "application/json";
  const secure = url.protocol === "https:";
  const ca = secure ? readWarnOnce(ctx, ctx.caFile, "cluster CA certificate") : undefined;
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, { method, headers, signal, ...(ca ? { ca } : {}) }, resolve);
    req.setTimeout(idleMs, () => req.destroy(new Error(`no data for ${Math.round(idleMs / 1000)}s`)));
    req.on("error", (e) => reject(new ApiError(0, e.message)));
    req.end(body);
  });
}

/** The body's text, and whether it arrived whole (a dropped connection or the idle limit cuts it off). */
function readBody(res) {
  return new Promise((resolve) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => (text += chunk));
    res.on("end", () => resolve({ text, complete: true }));
    for (const end of ["error", "aborted", "close"]) res.on(end, () => resolve({ text, complete: res.complete }));
  });
}

/**
 * A request whose non-2xx answer becomes an ApiError carrying the API's own message (a Status
 * object). A 2xx answer cut off or unreadable is a transient error (status 0), retried like a
 * dropped connection: read as "no Jobs", it would turn every upstream task missing.
 */
async function call(ctx, method, pathAndQuery, verb, resource, options = {}) {
  const res = await open(ctx, method, pathAndQuery, options);
  const { text, complete } = await readBody(res);
  const { value: json, error } = parseJson(text);
  if (res.statusCode >= 200 && res.statusCode < 300) {
    if (!complete) throw new ApiError(0, `the answer to ${verb} ${resource} was cut off after ${text.length} characters`, verb, resource);
    if (error !== undefined && text.trim() !== "") throw new ApiError(0, `the answer to ${verb} ${resource} is not JSON: ${error}`, verb, resource);
    return json;
  }
  const detail = json?.message ?? (text.trim().slice(0, 200) || res.statusMessage);
  throw new ApiError(res.statusCode, `HTTP ${res.statusCode}: ${detail}`, verb, resource);
}

const retryable = (e) => e.status === 0 || e.status === 429 || e.status >= 500;

/**
 * fn() until it resolves. Transient API errors are retried with backoff, `attempts` times at most
 * and not past `deadline` (then exit 92); anything else is thrown to the caller.
 */
async function withRetries(ctx, what, fn, { attempts = Infinity, deadline = Infinity } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiError) || !retryable(e) || attempt >= attempts) throw e;
      const delay = backoff(ctx, attempt);
      if (Date.now() + delay > deadline) throw new ShimExit(EXIT.WAIT_TIMEOUT, `gave up trying to ${what}: ${e.message}`);
      ctx.log(`cannot ${what} (${e.message}); retrying in ${(delay / 1000).toFixed(1)}s`);
      await sleep(delay);
    }
  }
}

function apiUnusable(ctx, e) {
  const hint =
    e.status === 401
      ? `the API does not accept the service-account token (${ctx.tokenFile})`
      : e.status === 403
        ? `cannot ${e.verb} ${e.resource} in namespace ${ctx.namespace}`
        : `the API refused to ${e.verb} ${e.resource} in namespace ${ctx.namespace}`;
  return new ShimExit(EXIT.API_UNUSABLE, `${hint}; ${e.message}. The service account needs the RBAC of templates/runtime/README.md`);
}

/**
 * Reads a newline-delimited JSON watch stream until it ends (server timeout, dropped connection or
 * abort). Resolves { events, gone }; `gone` means the resourceVersion is too old and the caller
 * must list again.
 */
async function watchStream(ctx, pathAndQuery, signal, idleMs, onEvent) {
  const res = await open(ctx, "GET", pathAndQuery, { signal, idleMs });
  if (res.statusCode !== 200) {
    const { text } = await readBody(res);
    const message = parseJson(text).value?.message ?? text.trim().slice(0, 200);
    throw new ApiError(res.statusCode, `HTTP ${res.statusCode}: ${message}`, "watch", "jobs.batch");
  }
  return new Promise((resolve) => {
    const result = { events: 0, gone: false, error: undefined };
    let buffer = "";
    let finished = false;
    const finish = () => {
      if (!finished) resolve(result);
      finished = true;
    };
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      buffer += chunk;
      let newline;
      while (!finished && (newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const { value: event, error } = parseJson(line);
        if (error) result.error = `unreadable watch event: ${error}`;
        if (event?.type === "ERROR") {
          if (event.object?.code === 410) result.gone = true;
          else result.error = `watch error: ${event.object?.message ?? JSON.stringify(event.object)}`;
        }
        if (result.gone || result.error) {
          res.destroy();
          return finish();
        }
        result.events++;
        onEvent(event);
      }
    });
    for (const end of ["end", "close", "error", "aborted"]) res.on(end, finish);
  });
}

/**
 * Keeps a map of the Jobs matching `query` up to date with list + watch and calls `check(jobs)`
 * after every change, and again `nextWake(jobs)` ms after each call when that says when. Returns check's first non-undefined
 * value, or undefined when the run has been idle for `idleSeconds`: no Job changed (progressKey)
 * and none of them had a Ready pod (`busy`). An idle clock rather than a deadline, so a long task
 * never makes a waiting teardown give up and run while that task still works.
 */
async function followJobs(ctx, { query, idleSeconds, busy, nextWake, check }) {
  const jobs = new Map();
  const stop = new AbortController();
  let outcome;
  let listed = false; // before the first list, every Job would look absent
  // Whether `jobs` is current: after a failed request it may be old, and a Ready pod seen before an
  // API outage must not keep the wait alive through it.
  let synced = false;
  let idleSince = Date.now();
  let lastKey;
  // Until now the view was current: a task it shows at work was at work until this moment. The idle
  // clock then counts from here, so an outage as long as the idle limit, not a short one, ends the wait.
  const loseSight = () => {
    if (listed && synced && busy(jobs)) idleSince = Date.now();
    synced = false;
  };
  const recheck = () => {
    if (!listed || outcome !== undefined || stop.signal.aborted) return;
    const key = progressKey(jobs);
    if (key !== lastKey || (synced && busy(jobs))) idleSince = Date.now();
    lastKey = key;
    const value = check(jobs);
    if (value !== undefined) {
      outcome = value;
      stop.abort();
      return;
    }
    // Look again when a state can change without an event (an absent Job's grace ending).
    const wake = nextWake?.(jobs);
    clearTimeout(timers[1]);
    if (wake !== undefined) timers[1] = setTimeout(recheck, Math.min(MAX_TIMER_MS, wake));
  };
  const idleLeft = () => idleSince + idleSeconds * 1000 - Date.now();
  const timers = [];
  // A Ready pod sends no events while it works: look again whenever the idle time would run out.
  const armIdle = () => {
    timers[0] = setTimeout(() => {
      if (listed && synced && busy(jobs)) idleSince = Date.now();
      if (idleLeft() <= 0) stop.abort();
      else armIdle();
    }, Math.min(MAX_TIMER_MS, Math.max(0, idleLeft())));
  };
  armIdle();
  const collection = `/apis/batch/v1/namespaces/${encodeURIComponent(ctx.namespace)}/jobs?${query}`;
  const denied = { list: 0, watch: 0 }; // per verb: a list that works must not hide a watch that never does
  let resourceVersion;
  let failures = 0;
  // 410 Gone calls for a new list at once, but a server that answers every watch so (a stale cache)
  // must not make the shim spin: from the second 410 in a row with no event between, back off.
  let gone = 0;
  const relistPause = async (events) => {
    gone = events > 0 ? 1 : gone + 1;
    if (gone > 1) await sleep(backoff(ctx, gone - 1), stop.signal);
  };
  try {
    while (!stop.signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          const list = await call(ctx, "GET", collection, "list", "jobs.batch", { signal: stop.signal });
          if (!Array.isArray(list?.items)) throw new ApiError(0, "the list of jobs has no items", "list", "jobs.batch");
          denied.list = 0;
          jobs.clear();
          for (const job of list.items) jobs.set(job.metadata?.name, job);
          resourceVersion = list.metadata?.resourceVersion ?? "0";
          listed = true;
          synced = true;
          recheck();
          continue;
        }
        // The server ends a watch after timeoutSeconds; the idle limit catches half-open connections.
        const watchSeconds = Math.max(1, Math.min(300, Math.ceil(idleLeft() / 1000)));
        const url = `${collection}&watch=1&resourceVersion=${encodeURIComponent(resourceVersion)}&allowWatchBookmarks=true&timeoutSeconds=${watchSeconds}`;
        const began = Date.now();
        if (failures === 0) ctx.log(`watching jobs from resourceVersion ${resourceVersion}`);
        const result = await watchStream(ctx, url, stop.signal, (watchSeconds + 30) * 1000, (event) => {
          const job = event.object;
          if (job?.metadata?.resourceVersion) resourceVersion = job.metadata.resourceVersion;
          if (event.type === "ADDED" || event.type === "MODIFIED") jobs.set(job.metadata.name, job);
          else if (event.type === "DELETED") jobs.delete(job.metadata.name);
          else return; // BOOKMARK: only the resourceVersion moves
          recheck();
        });
        denied.watch = 0;
        if (stop.signal.aborted) break;
        if (result.gone || result.error) loseSight();
        if (result.gone) {
          ctx.log("the watch's resourceVersion expired (410 Gone); listing again");
          resourceVersion = undefined;
          failures = 0;
          await relistPause(result.events);
        } else if (result.error || (result.events === 0 && Date.now() - began < 1000)) {
          // A server that closes watches at once (or sends errors) must not make us spin.
          ctx.log(`watch ended early${result.error ? `: ${result.error}` : ""}; retrying`);
          await sleep(backoff(ctx, ++failures), stop.signal);
          if (result.error) resourceVersion = undefined;
        } else {
          failures = 0; // a normal end: watch again from the last resourceVersion
          gone = 0;
        }
      } catch (e) {
        if (stop.signal.aborted) break;
        if (!(e instanceof ApiError)) throw e;
        loseSight();
        if (e.status === 410) {
          ctx.log("resourceVersion expired (410 Gone); listing again");
          resourceVersion = undefined;
          await relistPause(0);
          continue;
        }
        // 4xx other than 429 will not heal by itself (RBAC, token, a bad selector): give up after 5.
        if (!retryable(e) && ++denied[e.verb] >= 5) throw apiUnusable(ctx, e);
        failures++;
        const delay = backoff(ctx, failures);
        ctx.log(`cannot ${e.verb} jobs (${e.message}); retrying in ${(delay / 1000).toFixed(1)}s`);
        await sleep(delay, stop.signal);
        resourceVersion = undefined;
      }
    }
  } finally {
    timers.forEach(clearTimeout);
    stop.abort();
  }
  return outcome;
}

/** Logs each task's state when it changes, so `kubectl logs` tells what the pod is waiting for. */
function stateLogger(ctx, jobsByTask) {
  let last = {};
  return (states) => {
    for (const [task, state] of Object.entries(states)) {
      if (last[task] !== state) ctx.log(`${task} (job ${jobsByTask[task]}): ${last[task] ?? "?"} -> ${state}`);
    }
    last = states;
  };
}

/** setTimeout fires at once for longer delays (about 24.8 days): wake earlier and look again. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const IDLE = "in which no task of the run changed or had a Ready pod";
const elapsedSeconds = (ctx) => (Date.now() - ctx.started) / 1000;
const selectorQuery = (selector) => `labelSelector=${encodeURIComponent(selector)}`;

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

async function commandAwait(env, log) {
  const cfg = readConfig(env, "GANTRY_AWAIT");
  expect(nonEmpty(cfg.task), "task", "must be the task's name");
  expect(nonEmpty(cfg.selector), "selector", "must be a label selector");
  expect(isObject(cfg.jobs) && Object.values(cfg.jobs).every(nonEmpty), "jobs", "must map task names to Job names");
  const known = new Set(Object.keys(cfg.jobs));
  checkCondition(cfg.when, "when", known);
  checkSeconds(cfg.timeoutSeconds, "timeoutSeconds");
  checkSeconds(cfg.missingGraceSeconds, "missingGraceSeconds", { zero: true });
  checkSeconds(cfg.attemptTimeoutSeconds, "attemptTimeoutSeconds", { optional: true });
  expect(cfg.statusJob === undefined || nonEmpty(cfg.statusJob), "statusJob", "must be the status Job's name");
  if (cfg.timeoutWhen !== undefined) checkCondition(cfg.timeoutWhen, "timeoutWhen", known);
  if (cfg.outputs !== undefined) {
    // `file`: the task's script reads it (else only its runsIf tests it). `value`: the output of a
    // task skipped when compiling, its default, known then (no Job to read).
    const shape = "must be a list of { task, file?, default? } (a task in jobs) or { task, file?, value }, with an absolute file path";
    expect(Array.isArray(cfg.outputs), "outputs", shape);
    cfg.outputs.forEach((o, i) => {
      expect(isObject(o) && nonEmpty(o.task) && (o.file === undefined || (nonEmpty(o.file) && o.file.startsWith("/"))) && (o.value !== undefined || known.has(o.task)), `outputs[${i}]`, shape);
      expect(o.default === undefined || typeof o.default === "string", `outputs[${i}].default`, "must be a string");
      expect(o.value === undefined || typeof o.value === "string", `outputs[${i}].value`, "must be a string");
      expect(cfg.outputs.findIndex((x) => x.task === o.task) === i, `outputs[${i}].task`, `names "${o.task}" a second time`);
    });
  }
  const outputTasks = new Set((cfg.outputs ?? []).map((o) => o.task));
  if (cfg.runsIf !== undefined) checkGuard(cfg.runsIf, "runsIf", known, outputTasks, cfg.runStatus !== undefined);
  if (cfg.runStatus !== undefined) {
    // `file`: the task reads the result; `runsIf`: its `when` tests it. At least one.
    const shape = "must be { when, file?, cleanups? }, with file or a runsIf that tests the result";
    expect(isObject(cfg.runStatus) && (cfg.runStatus.file === undefined || nonEmpty(cfg.runStatus.file)), "runStatus", shape);
    expect(cfg.runStatus.file !== undefined || (cfg.runsIf !== undefined && guardLeaves(cfg.runsIf).some((leaf) => "runStatus" in leaf)), "runStatus", shape);
    checkCondition(cfg.runStatus.when, "runStatus.when", known);
    const cleanups = cfg.runStatus.cleanups ?? [];
    expect(Array.isArray(cleanups), "runStatus.cleanups", "must be a list of { name, mustRunWhen }");
    cleanups.forEach((t, i) => {
      expect(isObject(t) && known.has(t.name), `runStatus.cleanups[${i}]`, "must be { name, mustRunWhen } of a task in jobs");
      checkCondition(t.mustRunWhen, `runStatus.cleanups[${i}].mustRunWhen`, known);
    });
  }
  const podName = env.GANTRY_POD_NAME;
  if (cfg.attemptTimeoutSeconds !== undefined && !nonEmpty(podName)) {
    throw usage("GANTRY_POD_NAME is not set, but attemptTimeoutSeconds needs the pod's name");
  }
  const ctx = context(env, log);

  log(`task ${cfg.task} starts when: ${describeCondition(cfg.when)}`);
  const logStates = stateLogger(ctx, cfg.jobs);
  let lastStates = {};
  // The Jobs as seen when the decision was made: an output is read from the pods of that very Job (its uid).
  let decidedOn = new Map();
  const absence = absenceClock();
  let decision = await followJobs(ctx, {
    query: selectorQuery(cfg.selector),
    idleSeconds: cfg.timeoutSeconds,
    // Every Job of the run but the status Job, which only waits.
    busy: (jobs) => hasReadyPod(jobs, (name) => name !== cfg.statusJob),
    // Absent Jobs turn "missing" when their grace period ends, with or without an event then.
    nextWake: (jobs) => absence.nextChange(Object.values(cfg.jobs), jobs, cfg.missingGraceSeconds),
    check: (jobs) => {
      absence.observe(jobs);
      const states = taskStates(cfg.jobs, jobs, absence.absent, cfg.missingGraceSeconds);
      lastStates = states;
      logStates(states);
      const d = decide(cfg.when, states);
      if (d.action === "wait") return undefined;
      decidedOn = new Map(jobs);
      return { ...d, states };
    },
  });
  if (!decision) {
    // Teardowns and finally tasks still run after the wait times out (DESIGN §5 rule 7): a teardown if
    // one of its setups succeeded, a finally task always.
    if (cfg.timeoutWhen === undefined || evaluate(cfg.timeoutWhen, lastStates) !== true) {
      throw new ShimExit(EXIT.WAIT_TIMEOUT, `gave up after ${cfg.timeoutSeconds}s ${IDLE}: the start condition of ${cfg.task} is still undecided`);
    }
    log(`gave up waiting after ${cfg.timeoutSeconds}s ${IDLE}; ${describeCondition(cfg.timeoutWhen)} holds, so ${cfg.task} runs anyway`);
    decision = { action: "proceed", exitCode: EXIT.OK, states: lastStates };
  }
  const { states } = decision;
  if (decision.action === "skip") {
    const why = falseLeaves(cfg.when, states).map((l) => `${l.task} is ${l.state} (needs ${l.is})`);
    log(`task ${cfg.task} does not run: ${why.join(", ")}; exit ${decision.exitCode}`);
    return decision.exitCode;
  }
  // As the status Job decides: a teardown that should have run but did not counts as failed.
  const runStatus = cfg.runStatus ? runResult(cfg.runStatus, states) : undefined;
  // Its `when` (and the skips it inherits): decided before any output is read if it can be, so a
  // task skipped with its producer does not fail for want of the producer's output.
  const facts = { states, runStatus, outputs: {} };
  const skipped = () => {
    // Skipped, which is no failure (classifyJob).
    log(`task ${cfg.task} does not run: its when, ${describeGuard(cfg.runsIf)}, does not hold${runStatus ? ` (the run's result is ${runStatus})` : ""}; exit ${EXIT.SKIPPED}`);
    return EXIT.SKIPPED;
  };
  // The outputs it tests first, and only those files its script reads once it runs: a task that is
  // skipped must not fail over an output it would have read (one too long, or gone).
  const read = async (output) => {
    if (!(output.task in facts.outputs)) facts.outputs[output.task] = await readOutput(ctx, output, decidedOn.get(cfg.jobs[output.task]), states[output.task]);
    return facts.outputs[output.task];
  };
  let runs = cfg.runsIf === undefined ? true : evaluateGuard(cfg.runsIf, facts);
  if (runs === undefined) {
    const tested = guardOutputs(cfg.runsIf);
    for (const output of cfg.outputs ?? []) if (tested.includes(output.task)) await read(output);
    runs = evaluateGuard(cfg.runsIf, facts);
  }
  if (runs !== true) return skipped();
  for (const output of cfg.outputs ?? []) {
    if (output.file === undefined) continue;
    const value = await read(output);
    fs.mkdirSync(path.dirname(output.file), { recursive: true });
    fs.writeFileSync(output.file, value);
    log(`output of ${output.task} written to ${output.file}`);
  }
  if (cfg.runStatus?.file !== undefined) {
    fs.mkdirSync(path.dirname(cfg.runStatus.file), { recursive: true });
    fs.writeFileSync(cfg.runStatus.file, runStatus);
    log(`run status ${runStatus} written to ${cfg.runStatus.file}`);
  }
  log(`task ${cfg.task} may start: ${describeCondition(cfg.when)} holds`);
  if (cfg.attemptTimeoutSeconds !== undefined) await setAttemptDeadline(ctx, podName, cfg.attemptTimeoutSeconds);
  return EXIT.OK;
}

/**
 * A pod's activeDeadlineSeconds counts from the pod's start (its status.startTime, which the kubelet
 * sets when it takes the pod, before volumes are mounted and images pulled), waiting included; it
 * may be set once after creation. Setting it now, to the time since that start plus the timeout,
 * makes the attempt timeout count from when the task really starts.
 */
async function setAttemptDeadline(ctx, pod, attemptSeconds) {
  const url = `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods/${encodeURIComponent(pod)}`;
  // Computed once: a retry after a patch that was applied but whose answer was lost must not ask for
  // a later deadline, which the API refuses (it may only be shortened).
  // The API refuses a deadline past an int32: a timeout near that limit gets the limit.
  const intended = Math.min(Math.ceil(await secondsSincePodStart(ctx, url, pod)) + attemptSeconds, 2 ** 31 - 1);
  const body = JSON.stringify({ spec: { activeDeadlineSeconds: intended } });
  const patch = async () => {
    try {
      await call(ctx, "PATCH", url, "patch", "pods", { body, contentType: "application/strategic-merge-patch+json" });
      return intended;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 422) throw e;
      // Refused: is a deadline at least as strict already set (our own earlier try)?
      const current = (await call(ctx, "GET", url, "get", "pods"))?.spec?.activeDeadlineSeconds;
      if (typeof current === "number" && current <= intended) return current;
      throw e;
    }
  };
  try {
    const seconds = await withRetries(ctx, `patch pod ${pod}`, patch, { attempts: 6 });
    ctx.log(`pod ${pod}: activeDeadlineSeconds set to ${seconds} (attempt timeout ${attemptSeconds}s from now)`);
  } catch (e) {
    if (e instanceof ApiError) throw new ShimExit(EXIT.API_UNUSABLE, `cannot set the attempt timeout: ${apiUnusable(ctx, e).message}`);
    throw e;
  }
}

/**
 * Seconds since the pod's status.startTime, set by the kubelet of this node (so by the same clock).
 * When the pod cannot be read, or has no start time yet, the time since this program started: the
 * pod started earlier, so the deadline is then shorter by what the pod took to reach the shim.
 */
async function secondsSincePodStart(ctx, url, pod) {
  try {
    const status = (await withRetries(ctx, `get pod ${pod}`, () => call(ctx, "GET", url, "get", "pods"), { attempts: 3 }))?.status;
    const start = Date.parse(status?.startTime ?? "");
    if (Number.isFinite(start)) return Math.max(elapsedSeconds(ctx), (Date.now() - start) / 1000);
    ctx.log(`pod ${pod} has no start time yet; the attempt timeout counts from this program's start`);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    ctx.log(`cannot read pod ${pod} (${e.message}); the attempt timeout counts from this program's start`);
  }
  // Now, after the reads and their retries: that time is the task's too.
  return elapsedSeconds(ctx);
}

/**
 * Task outputs: the producer's `main` container has its output file as its termination message
 * path, so the kubelet keeps what it wrote in the pod's status (its last 4096 bytes). A task that
 * reads or tests it gets it here (`pickOutput`): from the producer's succeeded pod when it
 * succeeded, the output's default when it failed, did not run or was skipped, and `value` when it
 * was skipped when compiling (the await command writes it to `output.file`, for the script, once
 * the task is to run). A succeeded
 * producer whose pods are gone (deleted) has lost its value: that is no failure of the producer, so
 * no default stands in.
 */
async function readOutput(ctx, output, job, state) {
  const message = output.value === undefined && state === "succeeded" ? await succeededMessage(ctx, job) : undefined;
  const picked = pickOutput(output, state, message, `job ${job?.metadata?.name}`);
  if (picked.exitCode !== undefined) throw new ShimExit(picked.exitCode, picked.why);
  ctx.log(`output of ${output.task} read (${picked.source})`);
  return picked.value;
}

/**
 * The termination message of `main` in the newest succeeded pod of `job`, as the kubelet kept it;
 * undefined when there is none. Pods are picked by the Job's uid, so those of an earlier
 * Job of the same name (deleted and made again) are not read.
 */
async function succeededMessage(ctx, job) {
  const uid = job?.metadata?.uid;
  const selector = nonEmpty(uid) ? `batch.kubernetes.io/controller-uid=${uid}` : `batch.kubernetes.io/job-name=${job?.metadata?.name}`;
  const url = `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods?${selectorQuery(selector)}`;
  let pods;
  try {
    pods = (await withRetries(ctx, `list pods of job ${job?.metadata?.name}`, () => call(ctx, "GET", url, "list", "pods"), { attempts: 6 }))?.items ?? [];
  } catch (e) {
    if (e instanceof ApiError) throw new ShimExit(EXIT.API_UNUSABLE, `cannot read the output of job ${job?.metadata?.name}: ${apiUnusable(ctx, e).message}`);
    throw e;
  }
  const newestFirst = pods
    .filter((pod) => pod?.status?.phase === "Succeeded")
    .sort((a, b) => String(b.metadata?.creationTimestamp ?? "").localeCompare(String(a.metadata?.creationTimestamp ?? "")));
  for (const pod of newestFirst) {
    const ended = (pod.status.containerStatuses ?? []).find((c) => c?.name === "main")?.state?.terminated;
    // The kubelet leaves out an empty message: the task wrote nothing, which is the empty string.
    if (ended) return String(ended.message ?? "");
  }
  return undefined;
}

const ROLES = ["setup", "work", "teardown", "finally"];

async function commandStatus(env, log) {
  const cfg = readConfig(env, "GANTRY_STATUS");
  expect(nonEmpty(cfg.pipeline), "pipeline", "must be the pipeline's name");
  expect(nonEmpty(cfg.runId), "runId", "must be the run id");
  expect(nonEmpty(cfg.selector), "selector", "must be a label selector");
  expect(Array.isArray(cfg.tasks) && cfg.tasks.length > 0, "tasks", "must be a non-empty list");
  cfg.tasks.forEach((t, i) => {
    expect(isObject(t) && nonEmpty(t.name) && nonEmpty(t.job), `tasks[${i}]`, "must be { name, job, role }");
    expect(ROLES.includes(t.role), `tasks[${i}].role`, `must be one of ${ROLES.join(", ")}`);
  });
  const jobsByTask = Object.fromEntries(cfg.tasks.map((t) => [t.name, t.job]));
  const known = new Set(Object.keys(jobsByTask));
  checkCondition(cfg.when, "when", known);
  cfg.tasks.forEach((t, i) => t.mustRunWhen !== undefined && checkCondition(t.mustRunWhen, `tasks[${i}].mustRunWhen`, known));
  checkSeconds(cfg.timeoutSeconds, "timeoutSeconds");
  checkSeconds(cfg.missingGraceSeconds, "missingGraceSeconds", { zero: true });
  const ctx = context(env, log);

  log(`run ${cfg.runId} of ${cfg.pipeline}: waiting for ${cfg.tasks.length} tasks to finish`);
  const logStates = stateLogger(ctx, jobsByTask);
  let jobsSeen = new Map();
  const taskJobs = new Set(Object.values(jobsByTask));
  const absence = absenceClock();
  const states = await followJobs(ctx, {
    query: selectorQuery(cfg.selector),
    idleSeconds: cfg.timeoutSeconds,
    busy: (jobs) => hasReadyPod(jobs, (name) => taskJobs.has(name)),
    nextWake: (jobs) => absence.nextChange(taskJobs, jobs, cfg.missingGraceSeconds),
    check: (jobs) => {
      absence.observe(jobs);
      const s = taskStates(jobsByTask, jobs, absence.absent, cfg.missingGraceSeconds);
      logStates(s);
      if (Object.values(s).includes("pending")) return undefined;
      jobsSeen = new Map(jobs);
      return s;
    },
  });
  if (!states) throw new ShimExit(EXIT.WAIT_TIMEOUT, `gave up after ${cfg.timeoutSeconds}s ${IDLE}: some tasks are still pending`);
  const outcomes = cleanupOutcomes(cfg.tasks, states);
  for (const t of cfg.tasks) {
    if (outcomes[t.name] !== states[t.name]) {
      const should = t.role === "finally" ? "finally tasks always run" : describeCondition(t.mustRunWhen);
      log(`${t.role} ${t.name} did not run (${states[t.name]}) although ${should}: counted as failed, and what it cleans up may remain`);
    }
  }
  const result = runSucceeded(cfg.when, states, outcomes) ? "Succeeded" : "Failed";
  log(`run ${cfg.runId}: ${result}`);

  // The result is already known: the pods only add per-attempt detail, so failing to list them
  // degrades the records instead of failing the report.
  const podsUrl = `/api/v1/namespaces/${encodeURIComponent(ctx.namespace)}/pods?${selectorQuery(cfg.selector)}`;
  const listPods = async () => (await call(ctx, "GET", podsUrl, "list", "pods"))?.items ?? [];
  const pods = await withRetries(ctx, "list pods", listPods, { attempts: 4 }).catch((e) => {
    if (!(e instanceof ApiError)) throw e;
    log(`cannot list pods (${e.message}); reporting one job-level record per task`);
    return undefined;
  });
  const records = statusRecords(cfg, states, pods, jobsSeen);
  for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
  const summary = {
    pipeline: cfg.pipeline,
    runId: cfg.runId,
    result,
    tasks: outcomes,
    failed: Object.keys(outcomes).filter((t) => outcomes[t] === "failed"),
    attempts: pods === undefined ? null : records.filter((r) => r.attempt > 0).length,
  };
  const logFile = env.GANTRY_TERMINATION_LOG || "/dev/termination-log";
  try {
    fs.writeFileSync(logFile, fitSummary(summary));
  } catch (e) {
    log(`warning: cannot write the termination message to ${logFile}: ${e.code ?? e.message}`);
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return result === "Succeeded" ? EXIT.OK : EXIT.RUN_FAILED;
}

async function commandDrive(env, log) {
  const cfg = readConfig(env, "GANTRY_DRIVE");
  expect(nonEmpty(cfg.objects), "objects", "must be the path of the objects file");
  expect(nonEmpty(cfg.statusJob), "statusJob", "must be the status Job's name");
  checkSeconds(cfg.timeoutSeconds, "timeoutSeconds");
  const owner = { name: env.GANTRY_JOB_NAME, uid: env.GANTRY_JOB_UID };
  if (!nonEmpty(owner.name) || !nonEmpty(owner.uid)) throw usage("GANTRY_JOB_NAME and GANTRY_JOB_UID must be set (downward API)");
  let text;
  try {
    text = fs.readFileSync(cfg.objects, "utf8");
  } catch (e) {
    throw usage(`cannot read the objects file ${cfg.objects}: ${e.code ?? e.message}`);
  }
  const runId = runIdFor(owner.name);
  const objects = prepareDriverObjects(text, runId, owner);
  const ctx = context(env, log);
  // Creating the Jobs is quick: a plain deadline. The wait for the run below is an idle clock.
  const deadline = ctx.started + cfg.timeoutSeconds * 1000;
  log(`run id ${runId} (driver job ${owner.name}): creating ${objects.length} jobs`);

  const jobsUrl = `/apis/batch/v1/namespaces/${encodeURIComponent(ctx.namespace)}/jobs`;
  const statusJob = cfg.statusJob.replaceAll(RUN_ID_TOKEN, runId);
  // A Job refused for itself (a quota, an admission webhook) must not stop the rest: its tasks wait,
  // see it missing and skip, its teardowns still run, and the status Job counts it, as when
  // `kubectl apply` of an unscheduled run is refused one object. Refused Jobs all: the account cannot.
  const refused = [];
  for (const obj of objects) {
    const name = obj.metadata.name;
    // AlreadyExists is success: a restarted driver must not fail on the Jobs it created before.
    const create = () => call(ctx, "POST", jobsUrl, "create", "jobs.batch", { body: JSON.stringify(obj) }).then(
      () => log(`created job ${name}`),
      (e) => (e.status === 409 ? log(`job ${name} already exists (driver restarted?); keeping it`) : Promise.reject(e)),
    );
    await withRetries(ctx, `create job ${name}`, create, { deadline }).catch((e) => {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 401) throw apiUnusable(ctx, e);
      log(`job ${name} was refused (${e.message}); creating the others`);
      refused.push({ name, error: e });
    });
  }
  if (refused.length === objects.length) throw apiUnusable(ctx, refused[0].error);
  const statusRefused = refused.find((r) => r.name === statusJob);
  if (statusRefused) throw new ShimExit(EXIT.API_UNUSABLE, `the run's status job ${statusJob} was refused, so its result cannot be known: ${statusRefused.error.message}`);

  log(`waiting for the run's status job ${statusJob}`);
  const state = await followJobs(ctx, {
    query: `fieldSelector=${encodeURIComponent(`metadata.name=${statusJob}`)}`,
    // The status Job's pod is Ready for as long as it follows a run that is not stuck (its own idle
    // clock ends it when the run is).
    idleSeconds: cfg.timeoutSeconds,
    busy: (jobs) => hasReadyPod(jobs, (name) => name === statusJob),
    check: (jobs) => {
      const s = classifyJob(jobs.get(statusJob));
      return s === "pending" ? undefined : s;
    },
  });
  if (!state) throw new ShimExit(EXIT.WAIT_TIMEOUT, `gave up after ${cfg.timeoutSeconds}s: status job ${statusJob} has not finished, and for that long it neither changed nor had a Ready pod`);
  log(`run ${runId}: ${state === "succeeded" ? "Succeeded" : "Failed"} (status job ${statusJob} ${state})${refused.length > 0 ? `; refused: ${refused.map((r) => r.name).join(", ")}` : ""}`);
  return state === "succeeded" ? EXIT.OK : EXIT.RUN_FAILED;
}

const COMMANDS = { await: commandAwait, status: commandStatus, drive: commandDrive };

/** Runs one command and returns its exit code; never throws. */
export async function main(argv, env) {
  const command = argv[0];
  const log = (message) => process.stderr.write(`gantry ${command ?? "shim"}: ${message}\n`);
  try {
    const run = Object.hasOwn(COMMANDS, command ?? "") ? COMMANDS[command] : undefined;
    if (!run || argv.length > 1) throw usage("usage: node gantry-shim.mjs <await|status|drive> (configuration in GANTRY_AWAIT, GANTRY_STATUS or GANTRY_DRIVE)");
    return await run(env, log);
  } catch (e) {
    if (e instanceof ShimExit) {
      log(e.message);
      return e.code;
    }
    // Not an outcome of the protocol (a bug): its own code, which no FailJob rule names, so it counts
    // against the Job's backoffLimit and is retried, and is never mistaken for "the run failed".
    log(`internal error: ${e?.stack ?? e}`);
    return EXIT.INTERNAL;
  }
}

function executedDirectly() {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (executedDirectly()) {
  // exit() rather than waiting for the event loop: keep-alive sockets must not hold the pod. But
  // only once stdout and stderr are flushed: writes to a full pipe are asynchronous.
  const code = await main(process.argv.slice(2), process.env);
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write("", resolve))));
  process.exit(code);
}
