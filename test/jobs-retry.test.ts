/**
 * Retries on the jobs target: for every retry policy shape and every sequence of attempt endings,
 * the Job controller running the emitted backoffLimit and podFailurePolicy retries exactly when the
 * target-neutral reference (src/phases/4-lower/retry.ts) says so. The one documented difference:
 * evictions and preemptions are retried on every policy, without spending the limit.
 */
import { describe, expect, it } from "vitest";
import { mainContainerRules, retryCapabilities, taskPolicyRules } from "../src/backends/jobs/retry.js";
import type * as IR from "../src/ir/index.js";
import { isRetried, type AttemptEnd } from "../src/phases/4-lower/retry.js";
import { compile } from "../src/compile.js";
import { tempProject } from "./support/cli.js";
import { policyAction } from "./support/jobs-sim.js";

/** Attempts the Job controller makes for `ends` (one per attempt, in order) under the emitted Job fields. */
function jobAttempts(retry: IR.Retry, ends: readonly AttemptEnd[]): number {
  // The rules as emitted, in order: the first match wins.
  const rules = taskPolicyRules(true, retry);
  let failures = 0;
  for (const [i, end] of ends.entries()) {
    if (end.result === "succeeded") return i + 1;
    // An eviction: DisruptionTarget, and the container killed with SIGTERM (143).
    const { action } = end.result === "failed" ? policyAction(rules, "main", end.exitCode, false) : policyAction(rules, "main", 143, true);
    if (action === "FailJob") return i + 1;
    if (action === "Ignore") continue;
    if (++failures > retry.limit) return i + 1;
  }
  return ends.length;
}

/** Attempts the reference makes. */
function referenceAttempts(retry: IR.Retry, ends: readonly AttemptEnd[]): number {
  let retries = 0;
  for (const [i, end] of ends.entries()) {
    if (!isRetried(retry, end, retries)) return i + 1;
    retries++;
  }
  return ends.length;
}

function* policies(): Generator<IR.Retry> {
  for (const on of ["failure", "error", "transient", "any"] as const)
    for (const limit of [0, 1, 2])
      for (const onExitCodes of [[], [137]])
        for (const exceptExitCodes of [[], [2]]) yield { limit, on, onExitCodes, exceptExitCodes };
}

function* sequences(length: number, alphabet: readonly AttemptEnd[]): Generator<AttemptEnd[]> {
  if (length === 0) return yield [];
  for (const head of alphabet) for (const rest of sequences(length - 1, alphabet)) yield [head, ...rest];
}

const FAILURES: AttemptEnd[] = [{ result: "failed", exitCode: 1 }, { result: "failed", exitCode: 2 }, { result: "failed", exitCode: 137 }, { result: "succeeded" }];

describe("jobs target retries", () => {
  it("failures with exit codes: the Job controller makes as many attempts as the reference, for every policy", () => {
    let checked = 0;
    for (const retry of policies()) {
      for (const ends of sequences(4, FAILURES)) {
        expect(jobAttempts(retry, ends), `${JSON.stringify(retry)} ${JSON.stringify(ends)}`).toBe(referenceAttempts(retry, ends));
        checked++;
      }
    }
    expect(checked).toBe(48 * 256);
  });

  it("evictions are retried on every policy without spending the limit (documented difference), also when exit-code rules would match the killed container", () => {
    const evicted: AttemptEnd = { result: "errored", transient: true };
    for (const retry of [...policies(), { limit: 1, on: "failure" as const, onExitCodes: [], exceptExitCodes: [143] }]) {
      expect(jobAttempts(retry, [evicted, evicted, { result: "succeeded" }]), JSON.stringify(retry)).toBe(3);
    }
  });

  it("the rules: except codes fail the Job, only-these codes fail it on every other code, error-only policies never retry a failure", () => {
    const base = { limit: 2, onExitCodes: [], exceptExitCodes: [] };
    expect(mainContainerRules({ ...base, on: "failure" })).toEqual([]);
    expect(mainContainerRules({ ...base, on: "any", exceptExitCodes: [2, 3] })).toEqual([{ action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [2, 3] } }]);
    expect(mainContainerRules({ ...base, on: "failure", onExitCodes: [137] })).toEqual([{ action: "FailJob", onExitCodes: { containerName: "main", operator: "NotIn", values: [0, 137] } }]);
    expect(mainContainerRules({ ...base, on: "error" })).toEqual([{ action: "FailJob", onExitCodes: { containerName: "main", operator: "NotIn", values: [0] } }]);
    expect(mainContainerRules({ ...base, limit: 0, on: "error" })).toEqual([]);
  });

  it("every rule stays within the API's 255 values: all of 1-255 as onExitCodes is no filter; 254 codes plus 0 fit", () => {
    const base = { limit: 2, on: "failure" as const, exceptExitCodes: [] };
    const all = Array.from({ length: 255 }, (_, i) => i + 1);
    expect(mainContainerRules({ ...base, onExitCodes: all })).toEqual([]);
    const most = all.filter((c) => c !== 42);
    const [rule] = mainContainerRules({ ...base, onExitCodes: most });
    expect(rule).toMatchObject({ action: "FailJob", onExitCodes: { operator: "NotIn" } });
    expect((rule as { onExitCodes: { values: number[] } }).onExitCodes.values).toHaveLength(255);
    // Same attempts as the reference for both.
    const ends: AttemptEnd[] = [{ result: "failed", exitCode: 42 }, { result: "failed", exitCode: 255 }, { result: "succeeded" }];
    for (const onExitCodes of [all, most]) expect(jobAttempts({ ...base, onExitCodes }, ends)).toBe(referenceAttempts({ ...base, onExitCodes }, ends));
  });

  it("GANTRY4017: a waiting task's total timeout cannot be enforced; a task that waits for nothing gets it as its Job's deadline", async () => {
    const r = await compile({
      cwd: tempProject({
        "p.ts": `import { pipeline } from "gantry";
export default pipeline("etl", {}, (p) => {
  const a = p.task("a", { image: "busybox:1.36", retry: { limit: 2, totalTimeout: "1h" } });
  p.task("b", { image: "busybox:1.36", after: [a], retry: { limit: 2, totalTimeout: "1h" } });
});
`,
      }),
      paths: ["p.ts"],
      target: "jobs",
      kind: "auto",
    });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span?.line}`)).toEqual(["warning GANTRY4017 4"]);
    const jobs = r.pipelines[0]!.objects.filter((o) => o.kind === "Job") as { spec: { activeDeadlineSeconds?: number } }[];
    expect(jobs.map((j) => j.spec.activeDeadlineSeconds)).toEqual([3600, undefined, undefined]);
    expect(retryCapabilities([{ name: "x", retry: undefined, source: { file: "p.ts", line: 1, column: 1 } } as unknown as IR.Task], () => true)).toEqual([]);
  });
});
