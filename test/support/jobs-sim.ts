/**
 * A simulation of a whole run on the jobs target: the Kubernetes Job controller (backoffLimit,
 * podFailurePolicy rules in order, the FailJob message, terminal conditions) plus the real runtime
 * shim's decisions (templates/runtime/gantry-shim.mjs, imported: classifyJob, taskStates, decide,
 * evaluate). It reads everything from the emitted objects (the Jobs, their init containers' JSON,
 * their policies), so it checks the YAML, not the compiler's intent.
 *
 * Each round, in a seeded random order, every Job that is not finished takes one step: a waiting
 * pod re-decides; a running task finishes its attempt. Time has no role: all Jobs exist from the
 * start (kubectl apply), so no upstream is ever "missing".
 */
import * as shim from "../../templates/runtime/gantry-shim.mjs";
import type { Outcome } from "../../src/phases/4-lower/index.js";
import { rng } from "./rng.js";

type Json = Record<string, any>;
type Condition = { type: string; status: "True"; reason: string; message: string };

interface SimJob {
  name: string;
  task?: string;
  role: string;
  backoffLimit: number;
  rules: Json[];
  await?: { when: shim.Condition; jobs: Record<string, string>; runStatus?: { when: shim.Condition; file?: string }; runsIf?: shim.Guard; outputs?: shim.OutputSource[] };
  status?: { when: shim.Condition; tasks: { name: string; job: string }[] };
  failures: number;
  conditions: Condition[];
  /** Whether the task's own container ran (at least one attempt). */
  ran: boolean;
}

export interface JobsRun {
  /** Per task: the Job's outcome as the shim classifies it. */
  states: Record<string, "succeeded" | "failed" | "not-run" | "skipped" | "pending">;
  /** Tasks whose container ran, in start order. */
  started: string[];
  /** For each started task, the tasks whose Jobs had finished when it started. */
  finishedBefore: Record<string, string[]>;
  /** The status Job's result: Complete means the run succeeded. */
  status: "Complete" | "Failed" | "pending";
  /** What each finally task's await-deps wrote as the run's status. */
  runStatus: Record<string, string>;
  /** Pods that failed and were retried, per task. */
  attempts: Record<string, number>;
}

const env = (c: Json, name: string) => JSON.parse((c.env as Json[]).find((e) => e.name === name)!.value as string);

/** The Job controller's podFailurePolicy: the first matching rule's action, else Count. */
export function policyAction(rules: Json[], container: string, exitCode: number | undefined, disrupted: boolean): { action: string; index: number } {
  for (const [index, r] of rules.entries()) {
    if (r.onExitCodes && exitCode !== undefined && exitCode !== 0) {
      const { containerName, operator, values } = r.onExitCodes as { containerName?: string; operator: string; values: number[] };
      if (containerName !== undefined && containerName !== container) continue;
      if ((operator === "In") === values.includes(exitCode)) return { action: r.action, index };
    }
    if (r.onPodConditions && disrupted && (r.onPodConditions as Json[]).some((p) => p.type === "DisruptionTarget")) return { action: r.action, index };
  }
  return { action: "Count", index: -1 };
}

/**
 * `written`: what each task's `main` writes to its output file when it succeeds (the termination
 * message its await-deps readers find), by task; a task without an entry writes nothing.
 */
export function simulateJobs(objects: readonly Json[], outcomes: Readonly<Record<string, Outcome>>, seed = 1, written: Readonly<Record<string, string>> = {}): JobsRun {
  const jobs: SimJob[] = objects
    .filter((o) => o.kind === "Job")
    .map((o) => {
      const spec = o.spec.template.spec;
      const init = (spec.initContainers ?? []).find((c: Json) => c.name === "await-deps");
      const statusC = spec.containers.find((c: Json) => c.name === "status");
      return {
        name: o.metadata.name,
        task: o.metadata.labels?.["gantry.dev/task"],
        role: o.metadata.labels?.["gantry.dev/role"],
        backoffLimit: o.spec.backoffLimit ?? 6,
        rules: o.spec.podFailurePolicy?.rules ?? [],
        await: init && env(init, "GANTRY_AWAIT"),
        status: statusC && env(statusC, "GANTRY_STATUS"),
        failures: 0,
        conditions: [],
        ran: false,
      };
    });
  const view = () => new Map(jobs.map((j) => [j.name, { metadata: { name: j.name }, status: { conditions: j.conditions } }]));
  const done = (j: SimJob) => j.conditions.some((c) => c.type === "Complete" || c.type === "Failed");
  const run: JobsRun = { states: {}, started: [], finishedBefore: {}, status: "pending", runStatus: {}, attempts: {} };
  const random = rng(seed);

  const finish = (j: SimJob, type: "Complete" | "Failed", reason: string, message = "") => j.conditions.push({ type, status: "True", reason, message });
  /** One pod of `j` failed: the policy decides whether the Job fails now, retries, or retries for free. */
  const podFailed = (j: SimJob, container: string, exitCode: number | undefined, disrupted = false) => {
    const { action, index } = policyAction(j.rules, container, exitCode, disrupted);
    if (action === "FailJob") {
      finish(j, "Failed", "PodFailurePolicy", `Container ${container} for pod ns/${j.name}-x failed with exit code ${exitCode} matching FailJob rule at index ${index}`);
    } else if (action === "Ignore") {
      // Replaced without counting; in the simulation a disruption happens once.
    } else if (++j.failures > j.backoffLimit) {
      finish(j, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    }
  };

  for (let round = 0; round < 10_000; round++) {
    const active = jobs.filter((j) => !done(j));
    if (active.length === 0) break;
    for (let i = active.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [active[i], active[k]] = [active[k]!, active[i]!];
    }
    let progressed = false;
    for (const j of active) {
      if (j.status) {
        // The status container: waits until no task is pending, then reports the run's result.
        const states = shim.taskStates(Object.fromEntries(j.status.tasks.map((t) => [t.name, t.job])), view(), 0, Infinity);
        if (Object.values(states).includes("pending")) continue;
        const ok = shim.evaluate(j.status.when, states);
        if (ok) finish(j, "Complete", "Completed");
        else podFailed(j, "status", shim.EXIT.RUN_FAILED);
        progressed = true;
        continue;
      }
      if (j.await) {
        const states = shim.taskStates(j.await.jobs, view(), 0, Infinity);
        const d = shim.decide(j.await.when, states);
        if (d.action === "wait") continue;
        if (d.action === "skip") {
          podFailed(j, "await-deps", d.exitCode);
          progressed = true;
          continue;
        }
        // As the shim's await does: the run's result, the outputs, then its runsIf (exit 94 when it
        // does not hold), with the shim's own functions; the outputs are read only when it needs them.
        const status = j.await.runStatus ? shim.runResult(j.await.runStatus, states) : undefined;
        const facts = { states, runStatus: status, outputs: {} as Record<string, string> };
        let failed: number | undefined;
        const read = (o: shim.OutputSource) => {
          if (failed !== undefined || o.task in facts.outputs) return;
          const picked = shim.pickOutput(o, states[o.task] ?? "pending", written[o.task] ?? "");
          if (picked.exitCode !== undefined) failed = picked.exitCode;
          else facts.outputs[o.task] = picked.value;
        };
        // The outputs it tests, if the answer hangs on them; once it is to run, those its script reads.
        let runs = j.await.runsIf ? shim.evaluateGuard(j.await.runsIf, facts) : true;
        if (runs === undefined) {
          const tested = shim.guardOutputs(j.await.runsIf!);
          for (const o of j.await.outputs ?? []) if (tested.includes(o.task)) read(o);
          if (failed === undefined) runs = shim.evaluateGuard(j.await.runsIf!, facts);
        }
        if (runs === true) for (const o of j.await.outputs ?? []) if (o.file !== undefined) read(o);
        if (failed !== undefined || runs !== true) {
          podFailed(j, "await-deps", failed ?? shim.EXIT.SKIPPED);
          progressed = true;
          continue;
        }
        if (j.await.runStatus?.file !== undefined) run.runStatus[j.task!] = status!;
      }
      // The task's own container runs one attempt.
      if (!j.ran) {
        j.ran = true;
        run.started.push(j.task!);
        run.finishedBefore[j.task!] = jobs.filter((x) => x !== j && done(x) && x.task).map((x) => x.task!);
      }
      run.attempts[j.task!] = (run.attempts[j.task!] ?? 0) + 1;
      const outcome = outcomes[j.task!] ?? "succeeds";
      if (outcome === "succeeds") finish(j, "Complete", "Completed");
      // A failed container exits 1; an infrastructure error kills the pod (137), first by an eviction.
      else if (outcome === "fails") podFailed(j, "main", 1);
      // An evicted pod: DisruptionTarget, and its container killed (143), as on a real node.
      else if (run.attempts[j.task!] === 1) podFailed(j, "main", 143, true);
      else podFailed(j, "main", 137);
      progressed = true;
    }
    if (!progressed) break; // Deadlock: every unfinished Job waits for another.
  }

  for (const j of jobs) {
    if (j.task) {
      const s = shim.classifyJob({ metadata: { name: j.name }, status: { conditions: j.conditions } });
      run.states[j.task] = s === "pending" ? "pending" : s;
    } else if (j.role === "status") {
      run.status = j.conditions.some((c) => c.type === "Complete") ? "Complete" : j.conditions.some((c) => c.type === "Failed") ? "Failed" : "pending";
    }
  }
  return run;
}
