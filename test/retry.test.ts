/**
 * Retry (issue 6, point 1): the model's rules (GANTRY2030-2036) at the field they are about, what the
 * IR holds, the Argo mapping of every field (GANTRY4030/4031 where Argo cannot honour one), and the
 * emitted retryStrategy run by the Argo simulator against the target-neutral reference `isRetried`.
 */
import { describe, expect, it } from "vitest";
import { goDuration, retryExpression, retryStrategy } from "../src/backends/argo/retry.js";
import { durationSeconds } from "../src/phases/3-validate/rules/duration.js";
import type { Diagnostic } from "../src/diagnostics/index.js";
import type * as IR from "../src/ir/index.js";
import { isRetried, type AttemptEnd } from "../src/phases/4-lower/index.js";
import { simulate, type AttemptResult } from "./support/argo-sim.js";
import { compileFiles, loc, where } from "./support/positions.js";
import { rng } from "./support/rng.js";
import { sharedSchemasAvailable, validateObject } from "./support/validate-manifests.js";

const source = (options: string, body: string) =>
  `import { pipeline } from "gantry";\nexport default pipeline("retries", ${options}, (p) => {\n${body}\n});\n`;

async function diagnostics(src: string): Promise<Diagnostic[]> {
  return (await compileFiles({ "main.ts": src })).diagnostics;
}

async function compiled(src: string) {
  const r = await compileFiles({ "main.ts": src });
  expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  return r;
}

/** The leaf template of each task, by name. */
function templates(objects: Record<string, unknown>[]): Record<string, Record<string, unknown>> {
  const spec = objects[0]!["spec"] as { templates?: Record<string, unknown>[]; workflowSpec?: { templates: Record<string, unknown>[] } };
  const list = spec.templates ?? spec.workflowSpec!.templates;
  return Object.fromEntries(list.map((t) => [t["name"] as string, t]));
}

const retryOf = (limit: number, extra: Partial<IR.Retry> = {}): IR.Retry => ({ limit, on: "failure", onExitCodes: [], exceptExitCodes: [], ...extra });

describe("model: retry rules at the field they are about", () => {
  it("GANTRY2030: a retry without a limit, in the defaults and in a task; backoff without a limit says so", async () => {
    const src = source('{ defaults: { retry: { on: "any" } } }', '  p.task("a", { image: "x" });\n  p.task("b", { image: "x", retry: { backoff: { duration: "5s" } } });');
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2030 ${loc("main.ts", src, '{ on: "any" }')}`, `GANTRY2030 ${loc("main.ts", src, "{ backoff:")}`]);
    expect(ds.map((d) => d.message)).toEqual([
      "pipeline defaults: retry has no limit",
      'task "b": retry.backoff is set, but there is no retry.limit, so there are no retries to space out',
    ]);
    expect(ds.every((d) => d.severity === "error" && d.hint)).toBe(true);
  });

  it("a task's retry takes its limit from the defaults", async () => {
    const r = await compiled(source("{ defaults: { retry: { limit: 3 } } }", '  p.task("a", { image: "x", retry: { on: "any", backoff: { duration: "5s" } } });'));
    expect(r.pipelines[0]!.ir.tasks[0]!.retry).toMatchObject({ limit: 3, on: "any", backoff: { durationSeconds: 5, factor: 1 } });
  });

  it("GANTRY2031: exit code 0, one out of range, and an empty onExitCodes", async () => {
    const src = source("{}", '  p.task("a", { image: "x", retry: { limit: 1, onExitCodes: [0, 1, 256] } });\n  p.task("b", { image: "x", retry: { limit: 1, onExitCodes: [], exceptExitCodes: [-1] } });');
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([
      `GANTRY2031 ${loc("main.ts", src, "0, 1, 256")}`,
      `GANTRY2031 ${loc("main.ts", src, "256")}`,
      `GANTRY2031 ${loc("main.ts", src, "[],")}`,
      `GANTRY2031 ${loc("main.ts", src, "-1")}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      'task "a": retry.onExitCodes: 0 is not an exit code a failed task can have (0 means success, which is never retried)',
      'task "a": retry.onExitCodes: 256 is not an exit code a failed task can have (exit codes are 1-255)',
      'task "b": retry.onExitCodes is empty, so no failure would be retried',
      'task "b": retry.exceptExitCodes: -1 is not an exit code a failed task can have (exit codes are 1-255)',
    ]);
  });

  it("GANTRY2032: a code both retried and never retried, also when one list comes from the defaults", async () => {
    const src = source(
      "{ defaults: { retry: { limit: 2, onExitCodes: [1, 137] } } }",
      '  p.task("a", { image: "x", retry: { exceptExitCodes: [2, 137] } });\n  p.task("b", { image: "x", retry: { limit: 1, onExitCodes: [3], exceptExitCodes: [3] } });',
    );
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2032 ${loc("main.ts", src, "137] } });")}`, `GANTRY2032 ${loc("main.ts", src, "3] } });")}`]);
    expect(ds[0]!.message).toBe('task "a": exit code 137 is both retried (retry.onExitCodes) and never retried (retry.exceptExitCodes)');
  });

  it("GANTRY2033: exit codes with on: \"error\", at the task's own field when the rest is inherited", async () => {
    const src = source("{ defaults: { retry: { limit: 2, exceptExitCodes: [2] } } }", '  p.task("a", { image: "x", retry: { on: "error" } });');
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2033 ${loc("main.ts", src, '"error"')}`]);
    expect(ds[0]!.message).toMatch(/^task "a": retry.exceptExitCodes filters failures by exit code, but retry.on "error" retries only errors/);
    expect(ds[0]!.hint).toContain("cleared with `exceptExitCodes: []`");
  });

  it("GANTRY2033: a task switching to on: \"error\" clears the exit code lists it would inherit with empty ones", async () => {
    const r = await compiled(
      source(
        "{ defaults: { retry: { limit: 2, onExitCodes: [137], exceptExitCodes: [2] } } }",
        '  p.task("a", { image: "x", retry: { on: "error", onExitCodes: [], exceptExitCodes: [] } });\n  p.task("b", { image: "x" });',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    const [a, b] = r.pipelines[0]!.ir.tasks;
    expect(a!.retry).toMatchObject({ limit: 2, on: "error", onExitCodes: [], exceptExitCodes: [] });
    expect(b!.retry).toMatchObject({ on: "failure", onExitCodes: [137], exceptExitCodes: [2] });
    expect(templates(r.pipelines[0]!.objects)["a"]!["retryStrategy"]).toEqual({ limit: "2", retryPolicy: "OnError" });
    // An empty onExitCodes still means "retry no failure" where failures are retried.
    const ds = await diagnostics(source("{}", '  p.task("c", { image: "x", retry: { limit: 1, on: "any", onExitCodes: [] } });'));
    expect(ds.map((d) => d.code)).toEqual(["GANTRY2031"]);
  });

  it("GANTRY2001: a limit or factor past 32 bits, which Argo would wrap around (no retries, a constant wait) and Kubernetes refuse", async () => {
    const src = source("{}", '  p.task("a", { image: "x", retry: { limit: 2147483648 } });\n  p.task("b", { image: "x", retry: { limit: 2, backoff: { duration: "1s", factor: 1e12 } } });\n  p.task("c", { image: "x", retry: { limit: 2147483647, backoff: { duration: "1s", factor: 2147483647 } } });');
    const ds = await diagnostics(src);
    expect(ds.filter((d) => d.severity === "error").map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "2147483648")}`, `GANTRY2001 ${loc("main.ts", src, "1e12")}`]);
    expect(ds.map((d) => d.message)).toContain('task "a": retry.limit: at most 2147483647 (Argo and Kubernetes read it as a 32-bit number)');
  });

  it("GANTRY2036: a task's timeout written as undefined keeps the default's, for the check as in the output", async () => {
    const src = source('{ defaults: { timeout: "2h" } }', '  p.task("a", { image: "x", timeout: undefined, retry: { limit: 1, totalTimeout: "1h" } });');
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["GANTRY2036"]);
    expect(r.pipelines[0]!.ir.tasks[0]!.timeoutSeconds).toBe(7200);
  });

  it("GANTRY2034: a factor below 1, a cap shorter than the first wait", async () => {
    const src = source("{}", '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "1m", factor: 0.5, cap: "30s" } } });');
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2034 ${loc("main.ts", src, "0.5")}`, `GANTRY2034 ${loc("main.ts", src, '"30s"')}`]);
    expect(ds.map((d) => d.message)).toEqual([
      'task "a": retry.backoff.factor 0.5 would shorten the wait after each retry',
      'task "a": retry.backoff.cap "30s" is shorter than the first wait, retry.backoff.duration "1m"',
    ]);
  });

  it("GANTRY2035: a first wait that reaches maxDuration or totalTimeout; none with limit 0", async () => {
    const src = source(
      "{}",
      '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "10m", maxDuration: "10m" } } });\n  p.task("b", { image: "x", retry: { limit: 2, backoff: { duration: "2h" }, totalTimeout: "1h" } });\n  p.task("c", { image: "x", retry: { limit: 0, backoff: { duration: "2h" }, totalTimeout: "1h" } });',
    );
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2035 ${loc("main.ts", src, '"10m"')}`, `GANTRY2035 ${loc("main.ts", src, '"2h"')}`]);
    expect(ds[1]!.message).toBe('task "b": the first wait (retry.backoff.duration "2h") already reaches retry.totalTimeout "1h", so no retry can ever start');
  });

  it("GANTRY2036 (warnings): maxDuration not shorter than totalTimeout, a per-attempt timeout not shorter than the total", async () => {
    const src = source(
      '{ defaults: { timeout: "2h" } }',
      '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "1m", maxDuration: "3h" }, totalTimeout: "3h" }, timeout: "1h" });\n  p.task("b", { image: "x", retry: { limit: 1, totalTimeout: "90m" } });',
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `warning GANTRY2036 ${loc("main.ts", src, '"3h"')}`,
      `warning GANTRY2036 ${loc("main.ts", src, '"90m"')}`,
    ]);
    expect(r.diagnostics[1]!.message).toBe('task "b": timeout "2h" (per attempt) is not shorter than retry.totalTimeout "90m" (all attempts), so it never takes effect');
  });

  it("GANTRY2015: retry durations, and a total timeout that is not whole seconds", async () => {
    const src = source("{}", '  p.task("a", { image: "x", retry: { limit: 1, backoff: { duration: "1s", maxDuration: "1 day" }, totalTimeout: "1500ms" } });');
    const ds = await diagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2015 ${loc("main.ts", src, '"1 day"')}`, `GANTRY2015 ${loc("main.ts", src, '"1500ms"')}`]);
  });
});

describe("IR: merged over the defaults field by field, durations in seconds, codes sorted", () => {
  it("a task's fields replace the defaults' one by one; backoff and lists as a whole", async () => {
    const r = await compiled(
      source(
        '{ defaults: { retry: { limit: 2, on: "any", backoff: { duration: "10s", factor: 2, cap: "5m" }, exceptExitCodes: [2] } } }',
        '  p.task("inherits", { image: "x" });\n  p.task("own", { image: "x", retry: { limit: 5, backoff: { duration: "1m30s", maxDuration: "2h" }, onExitCodes: [143, 137, 137] } });\n  p.task("off", { image: "x", retry: { limit: 0, totalTimeout: "1h" } });',
      ),
    );
    expect(r.pipelines[0]!.ir.tasks.map((t) => [t.name, t.retry])).toEqual([
      ["inherits", { limit: 2, on: "any", backoff: { durationSeconds: 10, factor: 2, capSeconds: 300 }, onExitCodes: [], exceptExitCodes: [2] }],
      ["own", { limit: 5, on: "any", backoff: { durationSeconds: 90, factor: 1, maxDurationSeconds: 7200 }, onExitCodes: [137, 143], exceptExitCodes: [2] }],
      ["off", { limit: 0, on: "any", backoff: { durationSeconds: 10, factor: 2, capSeconds: 300 }, onExitCodes: [], exceptExitCodes: [2], totalTimeoutSeconds: 3600 }],
    ]);
  });
});

describe("Argo mapping", () => {
  it("on → retryPolicy; limit as a string; limit 0 emits no retryStrategy", () => {
    expect(retryStrategy(retryOf(2))).toEqual({ limit: "2", retryPolicy: "OnFailure" });
    expect(retryStrategy(retryOf(1, { on: "error" }))!.retryPolicy).toBe("OnError");
    expect(retryStrategy(retryOf(1, { on: "transient" }))!.retryPolicy).toBe("OnTransientError");
    expect(retryStrategy(retryOf(1, { on: "any" }))!.retryPolicy).toBe("Always");
    expect(retryStrategy(retryOf(0, { backoff: { durationSeconds: 5, factor: 2 } }))).toBeUndefined();
    expect(retryStrategy(undefined)).toBeUndefined();
  });

  it("backoff: Go durations, factor 1 left out; totalTimeout and maxDuration become Argo's maxDuration (the earlier)", () => {
    expect(retryStrategy(retryOf(3, { backoff: { durationSeconds: 90, factor: 3, capSeconds: 3600 } }))!.backoff).toEqual({ duration: "1m30s", factor: "3", cap: "1h" });
    expect(retryStrategy(retryOf(3, { backoff: { durationSeconds: 0.5, factor: 1 } }))!.backoff).toEqual({ duration: "0.5s" });
    expect(retryStrategy(retryOf(3, { totalTimeoutSeconds: 7200 }))!.backoff).toEqual({ duration: "0s", maxDuration: "2h" });
    expect(retryStrategy(retryOf(3, { backoff: { durationSeconds: 10, factor: 2, maxDurationSeconds: 1800 }, totalTimeoutSeconds: 3600 }))!.backoff).toEqual({ duration: "10s", factor: "2", maxDuration: "30m" });
    expect([0, 1, 59, 60, 61, 3600, 3661, 86400].map(goDuration)).toEqual(["0s", "1s", "59s", "1m", "1m1s", "1h", "1h1m1s", "24h"]);
    // Fractions as Go parses them, never with an exponent: every one reads back as the same duration.
    const fractions = [0.5, 1.25, 1e-7, 2.5e-6, 3e-9, 1.5e-7];
    expect(fractions.map(goDuration)).toEqual(["0.5s", "1.25s", "100ns", "0.0000025s", "3ns", "150ns"]);
    expect(fractions.map((f) => durationSeconds(goDuration(f)))).toEqual(fractions);
  });

  it("exit codes → expression over lastRetry.exitCode; errors pass when the policy retries them", () => {
    expect(retryExpression(retryOf(2, { onExitCodes: [137, 143] }))).toBe("lastRetry.exitCode in ['137', '143']");
    expect(retryExpression(retryOf(2, { exceptExitCodes: [2] }))).toBe("!(lastRetry.exitCode in ['2'])");
    expect(retryExpression(retryOf(2, { on: "any", onExitCodes: [1], exceptExitCodes: [2] }))).toBe("lastRetry.status == 'Error' || lastRetry.exitCode in ['1']");
    expect(retryExpression(retryOf(2, { on: "transient", exceptExitCodes: [2] }))).toBe("lastRetry.status == 'Error' || !(lastRetry.exitCode in ['2'])");
    expect(retryExpression(retryOf(2))).toBeUndefined();
  });

  it("on the leaf template only: timeout per attempt (activeDeadlineSeconds) and for all attempts (timeout); nothing on DAG templates", async () => {
    const r = await compiled(
      source(
        "{}",
        '  const a = p.task("a", { image: "x", timeout: "10m", retry: { limit: 2, on: "any", exceptExitCodes: [2], totalTimeout: "1h" } });\n  p.task("b", { image: "x", after: [a], retry: { limit: 0, totalTimeout: "5m" } });\n  p.task("c", { image: "x", timeout: "2h", retry: { limit: 2, totalTimeout: "1h" } });',
      ),
    );
    const t = templates(r.pipelines[0]!.objects);
    // A template `timeout` would make Argo replace the pod's activeDeadlineSeconds (600) by the time
    // left to it (about 3600: createWorkflowPod, adversarial finding): with a shorter per-attempt
    // timeout, the total is left to backoff.maxDuration alone.
    expect(t["a"]).toMatchObject({
      activeDeadlineSeconds: "600",
      retryStrategy: { limit: "2", retryPolicy: "Always", expression: "lastRetry.status == 'Error' || !(lastRetry.exitCode in ['2'])", backoff: { duration: "0s", maxDuration: "1h" } },
    });
    expect(t["a"]!["timeout"]).toBeUndefined();
    expect(t["c"]).toMatchObject({ activeDeadlineSeconds: "7200", timeout: "1h", retryStrategy: { backoff: { maxDuration: "1h" } } });
    expect(t["b"]).toMatchObject({ timeout: "5m" });
    expect(t["b"]!["retryStrategy"]).toBeUndefined();
    expect(t["main"]!["retryStrategy"]).toBeUndefined();
    expect((r.pipelines[0]!.objects[0]!["spec"] as Record<string, unknown>)["retryStrategy"]).toBeUndefined();
  });

  it.skipIf(!sharedSchemasAvailable())("every retry field validates against Argo's JSON schema and full CRDs", async () => {
    const r = await compiled(
      source(
        "{}",
        '  p.task("a", { image: "x", timeout: "10m", retry: { limit: 2, on: "transient", backoff: { duration: "10s", factor: 2, cap: "1m", maxDuration: "30m" }, onExitCodes: [137], totalTimeout: "1h" } });',
      ),
    );
    for (const o of r.pipelines[0]!.objects) expect(validateObject(o)).toEqual([]);
  });

  it("GANTRY4030: a fractional factor is an error on Argo (the model accepts it), at the factor", async () => {
    const src = source("{}", '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "10s", factor: 1.5 } } });');
    const r = await compileFiles({ "main.ts": src });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([`error GANTRY4030 ${loc("main.ts", src, "1.5")}`]);
    expect(r.diagnostics[0]!.message).toBe('task "a": Argo needs a whole-number retry.backoff.factor, not 1.5');
    expect(r.diagnostics[0]!.hint).toMatch(/Use 1 or 2/);
  });

  it("GANTRY4030 from defaults.retry: one error for the tasks that inherit it, not one per task; a task with its own factor is its own finding; each at the factor that applies", async () => {
    const tasks = ["a", "b", "c", "d", "e", "f", "g"].map((n) => `  p.task("${n}", { image: "x" });`).join("\n");
    const src = source("{ defaults: { retry: { limit: 2, backoff: { duration: \"10s\", factor: 1.5 } } } }", `${tasks}\n  p.task("h", { image: "x", retry: { backoff: { duration: "10s", factor: 2.5 } } });`);
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)} ${d.message}`)).toEqual([
      `error GANTRY4030 ${loc("main.ts", src, "1.5")} tasks "a", "b", "c", "d", "e" and 2 more: Argo needs a whole-number retry.backoff.factor, not 1.5`,
      `error GANTRY4030 ${loc("main.ts", src, "2.5")} task "h": Argo needs a whole-number retry.backoff.factor, not 2.5`,
    ]);
  });

  it("GANTRY4031: maxDuration also stops the running attempt on Argo, at the first task's maxDuration; not when totalTimeout is earlier or retries are off", async () => {
    const src = source(
      "{}",
      '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "10s", maxDuration: "30m" } } });\n  p.task("b", { image: "x", retry: { limit: 2, backoff: { duration: "10s", maxDuration: "30m" }, totalTimeout: "1h" } });\n  p.task("c", { image: "x", retry: { limit: 2, backoff: { duration: "10s", maxDuration: "2h" }, totalTimeout: "1h" } });\n  p.task("d", { image: "x", retry: { limit: 0, backoff: { duration: "10s", maxDuration: "30m" } } });',
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => `${d.severity} ${where(d)}`)).toEqual([
      `warning GANTRY4031 ${loc("main.ts", src, '"30m"')}`,
      `warning GANTRY2036 ${loc("main.ts", src, '"2h"')}`,
    ]);
    // One finding, once, naming every task it is about (at the first one).
    expect(r.diagnostics[0]!.message).toBe('tasks "a" and "b": on Argo, an attempt still running when retry.backoff.maxDuration (30m) has passed is stopped, not only further retries');
    const one = await compileFiles({ "main.ts": source("{}", '  p.task("a", { image: "x", retry: { limit: 2, backoff: { duration: "10s", maxDuration: "30m" } } });') });
    expect(one.diagnostics[0]!.message).toBe('task "a": on Argo, an attempt still running when retry.backoff.maxDuration (30m) has passed is stopped, not only further retries');
  });
});

describe("Argo simulator runs of the emitted retryStrategy agree with the reference isRetried", () => {
  const workflow = (strategy: unknown) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "w" },
    spec: { entrypoint: "main", templates: [{ name: "main", dag: { tasks: [{ name: "a", template: "a" }] } }, { name: "a", container: { image: "x" }, ...(strategy ? { retryStrategy: strategy } : {}) }] },
  });
  const toSim = (e: AttemptEnd): AttemptResult => (e.result === "succeeded" ? "Succeeded" : e.result === "errored" ? "Error" : `Failed:${e.exitCode}`);

  it("600 random policies × attempt sequences: same number of attempts and the same final result", () => {
    const r = rng(606);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const codes = [1, 2, 3, 137, 143];
    for (let i = 0; i < 600; i++) {
      const on = pick(["failure", "error", "transient", "any"] as const);
      const lists = on === "error" ? "none" : pick(["none", "on", "except"] as const);
      const chosen = codes.filter(() => r() < 0.4);
      const retry = retryOf(Math.floor(r() * 4), {
        on,
        onExitCodes: lists === "on" && chosen.length > 0 ? chosen : [],
        exceptExitCodes: lists === "except" ? chosen : [],
      });
      // The simulator treats OnTransientError as "retry Error": errors are the transient ends here.
      const ends: AttemptEnd[] = Array.from({ length: 5 }, () =>
        pick<AttemptEnd>([{ result: "succeeded" }, { result: "errored", transient: true }, { result: "failed", exitCode: pick(codes) }]),
      );
      let attempts = 1;
      while (attempts < ends.length && isRetried(retry, ends[attempts - 1]!, attempts - 1)) attempts++;
      const expected = ends[attempts - 1]!;
      const sim = simulate(workflow(retryStrategy(retry)), { a: ends.map(toSim) });
      const context = `${JSON.stringify(retry)} with ${ends.map(toSim).join(", ")}`;
      expect(sim.nodes["a"]!.attempts ?? 1, context).toBe(attempts);
      expect(sim.nodes["a"]!.phase, context).toBe(toSim(expected).split(":")[0]);
    }
  });
});
