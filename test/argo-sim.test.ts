/**
 * The Argo semantics simulator (test/support/argo-sim.ts): unit tests of each controller rule it
 * implements (shared/reference/argo.md §0–§3), then the upstream example corpus
 * (../shared/argo-examples, read at test time, never copied) against its expected outcomes.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  simulate,
  type Invocation,
  type Outcomes,
  type SimOptions,
  type SimResult,
  type WorkflowPhase,
} from "./support/argo-sim.js";
import { repoRoot } from "./support/cli.js";

const wf = (src: string): object => parse(src) as object;

/** Two harmless leaf templates every hand-written workflow below can use. */
const LEAVES = `
  - name: t
    container: {image: busybox, command: [sh, -c, "exit 0"]}
  - name: cleanup
    container: {image: busybox, command: [sh, -c, "exit 0"]}
`;

/** A workflow whose entrypoint is the DAG `tasks` (YAML list, indented 6 spaces). */
function dagWorkflow(tasks: string, dagExtra = "", specExtra = ""): object {
  return wf(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: sim-}
spec:
  entrypoint: main
${specExtra}
  templates:
  - name: main
    dag:
${dagExtra}
      tasks:
${tasks}
${LEAVES}
`);
}

// §0 shapes -------------------------------------------------------------------------------------

const NAIVE = dagWorkflow(`
      - {name: setup, template: t}
      - {name: work, depends: setup, template: t}
      - {name: teardown, depends: "work.Succeeded || work.Failed", template: t}
`);

const RECOMMENDED_TASKS = `
      - {name: setup, template: t}
      - {name: work, depends: "setup.Succeeded", template: t}
      - name: teardown
        depends: "setup.Succeeded && (work.Succeeded || work.Failed || work.Errored || work.Skipped || work.Omitted)"
        template: t
`;
const RECOMMENDED_DAG = `      failFast: false\n      target: "setup work teardown"`;
const RECOMMENDED = dagWorkflow(RECOMMENDED_TASKS, RECOMMENDED_DAG);
const RECOMMENDED_WITH_REAPER = dagWorkflow(RECOMMENDED_TASKS, RECOMMENDED_DAG, "  onExit: cleanup");

describe("§0 setup / work / teardown", () => {
  it("naive `work.Succeeded || work.Failed`: work fails, teardown runs, the workflow ends Succeeded (failure masked)", () => {
    const r = simulate(NAIVE, { work: "Failed" });
    expect(r.ran).toEqual(["setup", "work", "teardown"]);
    expect(r.nodes.work!.phase).toBe("Failed");
    expect(r.nodes.teardown!.phase).toBe("Succeeded");
    expect(r.phase).toBe("Succeeded");
  });

  it("naive condition misses Errored: work Error ⇒ teardown Omitted and never runs (DAG Error via inheritance)", () => {
    const r = simulate(NAIVE, { work: "Error" });
    expect(r.nodes.teardown).toMatchObject({ phase: "Omitted", ran: false, attempts: 0 });
    expect(r.ran).toEqual(["setup", "work"]);
    expect(r.phase).toBe("Error");
  });

  it("recommended shape (target = all tasks, failFast false): work fails ⇒ teardown runs and the workflow is Failed", () => {
    const r = simulate(RECOMMENDED, { work: "Failed" });
    expect(r.ran).toEqual(["setup", "work", "teardown"]);
    expect(r.nodes.teardown!.phase).toBe("Succeeded");
    expect(r.phase).toBe("Failed");
  });

  it("recommended shape: the other rows of the §0 outcome table", () => {
    expect(simulate(RECOMMENDED, {}).phase).toBe("Succeeded");
    const errored = simulate(RECOMMENDED, { work: "Error" });
    expect(errored.nodes.teardown!.ran).toBe(true);
    expect(errored.phase).toBe("Error");
    expect(simulate(RECOMMENDED, { teardown: "Failed" }).phase).toBe("Failed");
  });

  it("recommended shape: setup fails ⇒ work and teardown Omitted, no teardown, DAG Failed", () => {
    const r = simulate(RECOMMENDED, { setup: "Failed" });
    expect(r.nodes.work).toMatchObject({ phase: "Omitted", ran: false });
    expect(r.nodes.teardown).toMatchObject({ phase: "Omitted", ran: false });
    expect(r.ran).toEqual(["setup"]);
    expect(r.phase).toBe("Failed");
  });

  it("§0 alternative status gate (`when: false` leaf depending on work && teardown) inherits work's failure", () => {
    const gated = dagWorkflow(
      `
      - {name: setup, template: t}
      - {name: work, depends: setup, template: t}
      - {name: teardown, depends: "work.Succeeded || work.Failed || work.Errored", template: t}
      - {name: status, depends: "work && teardown", when: "false", template: gate}
`,
      "",
      "",
    );
    (gated as { spec: { templates: object[] } }).spec.templates.push({ name: "gate", suspend: { duration: "0" } });
    const r = simulate(gated, { work: "Failed" });
    expect(r.nodes.teardown!.ran).toBe(true);
    expect(r.nodes.status!.phase).toBe("Omitted"); // work.Failed makes `work && teardown` false
    expect(r.phase).toBe("Failed");
    expect(simulate(gated, {}).phase).toBe("Succeeded");
    expect(simulate(gated, {}).nodes.status!.phase).toBe("Skipped");
  });
});

describe("§2.1 depends / dependencies / when / continueOn", () => {
  it("bare names, hyphenated names, !, parentheses and explicit results", () => {
    const w = dagWorkflow(`
      - {name: a-1, template: t}
      - {name: b-2, template: t}
      - {name: c, depends: "a-1 && !(b-2.Succeeded)", template: t}
      - {name: d, depends: "(a-1.Succeeded || b-2.Failed) && a-1", template: t}
      - {name: e, depends: "c.Omitted", template: t}
`);
    const r = simulate(w, {});
    expect(r.nodes.c!.phase).toBe("Omitted");
    expect(r.nodes.d!.phase).toBe("Succeeded");
    expect(r.nodes.e!.phase).toBe("Succeeded");
    const r2 = simulate(w, { "b-2": "Failed" });
    expect(r2.nodes.c!.phase).toBe("Succeeded");
    expect(r2.nodes.e!.phase).toBe("Omitted");
  });

  it("a bare name means Succeeded || Skipped || Daemoned: Skipped and Omitted differ", () => {
    const w = dagWorkflow(`
      - {name: a, template: t, when: "false"}
      - {name: b, depends: a, template: t}
      - {name: c, depends: "a.Failed", template: t}
      - {name: d, depends: c, template: t}
`);
    const r = simulate(w, {});
    expect(r.nodes.a!.phase).toBe("Skipped");
    expect(r.nodes.b!.phase).toBe("Succeeded");
    expect(r.nodes.c!.phase).toBe("Omitted");
    expect(r.nodes.d!.phase).toBe("Omitted"); // Omitted is not in the bare-name expansion
    expect(r.phase).toBe("Succeeded");
  });

  it("evaluation waits until every referenced task is fulfilled (no short-circuit scheduling)", () => {
    const w = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, template: slow}
      - {name: c, depends: "a.Failed || b.Succeeded", template: t}
`);
    (w as { spec: { templates: object[] } }).spec.templates.push({
      name: "slow",
      retryStrategy: { limit: 1 },
      container: { image: "busybox" },
    });
    const r = simulate(w, { a: "Failed", b: ["Failed", "Succeeded"] });
    // a fails first; c still waits for b's retry to finish.
    expect(r.pods).toEqual(["a", "b(0)", "b(1)", "c"]);
    expect(r.nodes.c!.phase).toBe("Succeeded");
  });

  it("dependencies list with continueOn on the dependency: dependents run and the target does not fail the DAG", () => {
    const w = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, dependencies: [a], template: t, continueOn: {failed: true}}
      - {name: c, dependencies: [b], template: t}
      - {name: d, dependencies: [a], template: t, continueOn: {error: true}}
`);
    const r = simulate(w, { b: "Failed", d: "Error" });
    expect(r.nodes.c!.phase).toBe("Succeeded"); // (b.Succeeded || b.Skipped || b.Daemoned || b.Failed)
    expect(r.phase).toBe("Succeeded"); // d is a target with continueOn.error
    const r2 = simulate(w, { b: "Error" });
    expect(r2.nodes.c!.phase).toBe("Omitted"); // continueOn.failed does not cover Error
    expect(r2.phase).toBe("Error");
  });

  it("when: literals, {{tasks.X.status}} equality, {{workflow.parameters.*}}; false ⇒ Skipped; anything else is unsupported", () => {
    const w = dagWorkflow(
      `
      - {name: a, template: t}
      - {name: on-ok, depends: "a.Succeeded || a.Failed", when: "'{{tasks.a.status}}' == Succeeded", template: t}
      - {name: on-fail, depends: "a.Succeeded || a.Failed", when: "{{tasks.a.status}} != Succeeded", template: t}
      - {name: flag, when: "{{workflow.parameters.enabled}} == true", template: t}
      - {name: never, when: "false", template: t}
`,
      "",
      "  arguments: {parameters: [{name: enabled, value: 'true'}]}",
    );
    const ok = simulate(w, {});
    expect(ok.nodes["on-ok"]!.phase).toBe("Succeeded");
    expect(ok.nodes["on-fail"]!.phase).toBe("Skipped");
    expect(ok.nodes.flag!.ran).toBe(true);
    expect(ok.nodes.never!.phase).toBe("Skipped");
    const failed = simulate(w, { a: "Failed" });
    expect(failed.nodes["on-ok"]!.phase).toBe("Skipped");
    expect(failed.nodes["on-fail"]!.ran).toBe(true);

    const regex = dagWorkflow(`      - {name: a, template: t, when: "{{workflow.name}} =~ '^x'"}`);
    expect(() => simulate(regex, {})).toThrow(/^unsupported: .*outside the supported subset/);
    const output = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, depends: a, when: "{{tasks.a.outputs.result}} == heads", template: t}
`);
    expect(() => simulate(output, {})).toThrow(/^unsupported: .*tasks\.a\.outputs\.result/);
    // Expression tags are computed within the expr-lang subset (Gantry's parameter tests use them); a call is outside it.
    const exprTag = dagWorkflow(`      - {name: a, template: t, when: "{{= true }}"}`);
    expect(simulate(exprTag, {}).nodes["a"]?.phase).toBe("Succeeded");
    const exprFalse = dagWorkflow(`      - {name: a, template: t, when: "!({{=workflow.parameters[\\"p\\"] in [\\"x\\", \\"y\\"]}})"}`, "", "  arguments: {parameters: [{name: p, value: y}]}");
    expect(simulate(exprFalse, {}).nodes["a"]?.phase).toBe("Skipped");
    const exprCall = dagWorkflow(`      - {name: a, template: t, when: "{{= asInt(1) == 1 }}"}`);
    expect(() => simulate(exprCall, {})).toThrow(/^unsupported: /);
  });

  it("withItems: expansions, AnySucceeded / AllFailed", () => {
    const w = dagWorkflow(`
      - {name: fan, template: t, withItems: [x, y, z]}
      - {name: any, depends: "fan.AnySucceeded", template: t}
      - {name: all, depends: "fan.AllFailed", template: t}
`);
    const r = simulate(w, (inv: Invocation) => (inv.key === "fan(1:y)" ? "Failed" : undefined));
    expect(r.nodes.fan).toMatchObject({ type: "TaskGroup", phase: "Failed" });
    expect(r.nodes["fan(1:y)"]!.phase).toBe("Failed");
    expect(r.nodes.any!.phase).toBe("Succeeded");
    expect(r.nodes.all!.phase).toBe("Omitted");
    expect(r.phase).toBe("Failed"); // target `all` inherits the TaskGroup's failure
    expect(simulate(w, { fan: "Failed" }).nodes.all!.phase).toBe("Succeeded");
  });

  it("rejects what the controller or argo lint rejects", () => {
    expect(() => simulate(dagWorkflow(`      - {name: a, depends: nope, template: t}`), {})).toThrow(
      /^invalid: .*dependency 'nope' not defined/,
    );
    expect(() =>
      simulate(
        dagWorkflow(`
      - {name: a, depends: b, template: t}
      - {name: b, depends: a, template: t}
`),
        {},
      ),
    ).toThrow(/^invalid: dependency cycle/);
    expect(() =>
      simulate(
        dagWorkflow(`
      - {name: a, template: t}
      - {name: b, depends: a, dependencies: [a], template: t}
`),
        {},
      ),
    ).toThrow(/^invalid: .*both depends and dependencies/);
    expect(() => simulate(dagWorkflow(`      - {name: a, template: t}`, `      target: "a b"`), {})).toThrow(
      /^invalid: target 'b' is not defined/,
    );
  });
});

describe("§2.2 assessDAGPhase and §2.3 failFast / target", () => {
  it("a failed non-target task does not fail the DAG when every target Succeeded", () => {
    const w = dagWorkflow(
      `
      - {name: a, template: t}
      - {name: b, depends: "a.Failed", template: t}
`,
      `      target: b`,
    );
    expect(simulate(w, { a: "Failed" }).phase).toBe("Succeeded");
  });

  it("an Omitted target inherits Failed/Error; Failed/Error wins over Succeeded across parents", () => {
    const w = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, template: t}
      - {name: c, depends: "a && b", template: t}
`);
    const r = simulate(w, { b: "Failed" });
    expect(r.nodes.c!.phase).toBe("Omitted");
    expect(r.phase).toBe("Failed");
  });

  it("dag.target: only targets and their ancestors run", () => {
    const w = dagWorkflow(
      `
      - {name: a, template: t}
      - {name: b, depends: a, template: t}
      - {name: c, depends: a, template: t}
`,
      `      target: c`,
    );
    const r = simulate(w, {});
    expect(r.ran).toEqual(["a", "c"]);
    expect(r.nodes.b).toBeUndefined();
  });

  it("failFast true: first failing target (in target order) decides; false: the last one", () => {
    const tasks = `
      - {name: x, template: t}
      - {name: y, template: t}
`;
    const outcomes = { x: "Failed", y: "Error" } as const;
    expect(simulate(dagWorkflow(tasks), outcomes).phase).toBe("Failed");
    expect(simulate(dagWorkflow(tasks, `      failFast: true`), outcomes).phase).toBe("Failed");
    expect(simulate(dagWorkflow(tasks, `      failFast: false`), outcomes).phase).toBe("Error");
    expect(simulate(dagWorkflow(tasks, `      failFast: false\n      target: "y x"`), outcomes).phase).toBe("Failed");
  });

  it("failFast true does not stop scheduling new tasks (#10312): the DAG still waits and later tasks run", () => {
    const w = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, template: t}
      - {name: c, depends: b, template: t}
`);
    const r = simulate(w, { a: "Failed" });
    expect(r.pods).toEqual(["a", "b", "c"]); // c starts after a already failed
    expect(r.phase).toBe("Failed");
  });

  it("nested DAG: inner failure propagates to the outer dependents; an inner handled failure does not", () => {
    const w = wf(`
kind: Workflow
spec:
  entrypoint: outer
  templates:
  - name: outer
    dag:
      tasks:
      - {name: A, template: inner}
      - {name: B, depends: A, template: t}
  - name: inner
    dag:
      tasks:
      - {name: x, template: t}
      - {name: y, depends: x, template: t}
      - {name: z, depends: "x.Failed", template: t}
${LEAVES}
`);
    const r = simulate(w, { "A.x": "Failed" });
    expect(r.nodes.A).toMatchObject({ type: "DAG", phase: "Failed", ran: false });
    expect(r.nodes["A.y"]!.phase).toBe("Omitted");
    expect(r.nodes["A.z"]!.phase).toBe("Succeeded");
    expect(r.nodes.B!.phase).toBe("Omitted");
    expect(r.phase).toBe("Failed");
    expect(simulate(w, {}).ran).toEqual(["A.x", "A.y", "B"]);
  });
});

describe("§1.2 task/step exit hooks and expression hooks", () => {
  const hooked = dagWorkflow(`
      - name: a
        template: t
        hooks: {exit: {template: cleanup}}
      - name: b
        depends: a
        template: t
        hooks: {exit: {template: cleanup}}
`);

  it("runs after the hooked node Failed; not when it was Omitted", () => {
    const r = simulate(hooked, { a: "Failed" });
    expect(r.nodes["a.onExit"]).toMatchObject({ phase: "Succeeded", ran: true });
    expect(r.nodes.b!.phase).toBe("Omitted");
    expect(r.nodes["b.onExit"]).toBeUndefined();
    expect(r.phase).toBe("Failed");
    // Still no hook when the DAG keeps running (and re-visits b) after b was Omitted.
    const longer = dagWorkflow(`
      - {name: a, template: t}
      - name: b
        depends: a
        template: t
        hooks: {exit: {template: cleanup}}
      - {name: c, template: t}
      - {name: d, depends: c, template: t}
`);
    const l = simulate(longer, { a: "Failed" });
    expect(l.nodes.b!.phase).toBe("Omitted");
    expect(l.nodes.d!.ran).toBe(true);
    expect(l.nodes["b.onExit"]).toBeUndefined();
  });

  it("the hook's failure leaves the DAG Succeeded; dependents wait for the hook", () => {
    const r = simulate(hooked, { cleanup: "Failed" }); // by template name: both hooks fail
    expect(r.nodes["a.onExit"]!.phase).toBe("Failed");
    expect(r.nodes["b.onExit"]!.phase).toBe("Failed");
    expect(r.phase).toBe("Succeeded");
    expect(r.pods).toEqual(["a", "a.onExit", "b", "b.onExit"]);
    // A hook that needs two attempts: b starts only after the hook has finished.
    const slow = dagWorkflow(`
      - name: a
        template: t
        hooks: {exit: {template: slow-cleanup}}
      - {name: b, depends: "a.Succeeded", template: t}
`);
    (slow as { spec: { templates: object[] } }).spec.templates.push({
      name: "slow-cleanup",
      retryStrategy: { limit: 1 },
      container: { image: "busybox" },
    });
    const s = simulate(slow, { "slow-cleanup": ["Failed", "Succeeded"] });
    expect(s.pods).toEqual(["a", "a.onExit(0)", "a.onExit(1)", "b"]);
  });

  it("legacy task `onExit: <template>` behaves like hooks.exit", () => {
    const w = dagWorkflow(`      - {name: a, template: t, onExit: cleanup}`);
    expect(simulate(w, { a: "Error" }).ran).toEqual(["a", "a.onExit"]);
  });

  it("hook `expression` is evaluated for task exit hooks", () => {
    const w = dagWorkflow(`
      - name: a
        template: t
        hooks: {exit: {template: cleanup, expression: "tasks.a.status == 'Failed'"}}
`);
    expect(simulate(w, {}).nodes["a.onExit"]).toBeUndefined();
    expect(simulate(w, { a: "Failed" }).nodes["a.onExit"]!.ran).toBe(true);
  });

  it("retry + exit hook: the hook becomes the Retry node's outbound node and a failure is lost (#13239)", () => {
    const w = dagWorkflow(`
      - name: a
        template: flaky
        hooks: {exit: {template: cleanup}}
      - {name: b, depends: a, template: t}
`);
    (w as { spec: { templates: object[] } }).spec.templates.push({
      name: "flaky",
      retryStrategy: { limit: "1" },
      container: { image: "busybox" },
    });
    const r = simulate(w, { a: "Failed" });
    expect(r.nodes.a).toMatchObject({ type: "Retry", phase: "Failed", attempts: 2 });
    expect(r.nodes.b!.phase).toBe("Omitted");
    expect(r.phase).toBe("Succeeded"); // upstream bug reproduced: b inherits the hook's Succeeded
    // The same shape without the retry keeps the failure.
    const plain = dagWorkflow(`
      - name: a
        template: t
        hooks: {exit: {template: cleanup}}
      - {name: b, depends: a, template: t}
`);
    expect(simulate(plain, { a: "Failed" }).phase).toBe("Failed");
  });

  it("expression lifecycle hooks fire on Running and on Succeeded; the step group waits for them", () => {
    const w = wf(`
kind: Workflow
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: s1
        template: t
        hooks:
          running: {expression: 'steps["s1"].status == "Running"', template: cleanup}
          done: {expression: steps.s1.status == "Succeeded", template: cleanup}
    - - {name: s2, template: t}
${LEAVES}
`);
    const r = simulate(w, {});
    expect(r.ran).toEqual(["s1", "s1.hooks.running", "s1.hooks.done", "s2"]);
    expect(r.phase).toBe("Succeeded");
    // An expression hook's failure does not count either (§1.2); outcome addressed by node key.
    const f = simulate(w, { "s1.hooks.done": "Failed" });
    expect(f.nodes["s1.hooks.done"]!.phase).toBe("Failed");
    expect(f.phase).toBe("Succeeded");
  });
});

describe("§1.1 workflow exit handler", () => {
  it("onExit failure turns a Succeeded workflow into Failed (Error into Error)", () => {
    const w = dagWorkflow(`      - {name: a, template: t}`, "", "  onExit: cleanup");
    const r = simulate(w, { onExit: "Failed" });
    expect(r.exitHandlerPhase).toBe("Failed");
    expect(r.phase).toBe("Failed");
    expect(simulate(w, { cleanup: "Error" }).phase).toBe("Error");
    expect(simulate(w, {}).phase).toBe("Succeeded");
  });

  it("entry Failed/Error keeps its phase whatever the exit handler does; the handler always runs", () => {
    const w = dagWorkflow(`      - {name: a, template: t}`, "", "  onExit: cleanup");
    const r = simulate(w, { a: "Failed", onExit: "Error" });
    expect(r.ran).toEqual(["a", "onExit"]);
    expect(r.phase).toBe("Failed");
    expect(simulate(w, { a: "Error", onExit: "Failed" }).phase).toBe("Error");
  });

  it("spec.hooks.exit is the same; spec.onExit wins when both are set", () => {
    const hooks = dagWorkflow(`      - {name: a, template: t}`, "", "  hooks: {exit: {template: cleanup}}");
    expect(simulate(hooks, { a: "Failed" }).ran).toEqual(["a", "onExit"]);
    const both = dagWorkflow(`      - {name: a, template: t}`, "", "  onExit: t\n  hooks: {exit: {template: cleanup}}");
    const r = simulate(both, (inv) => (inv.kind === "onExit" && inv.template === "cleanup" ? "Failed" : undefined));
    expect(r.nodes.onExit!.template).toBe("t");
    expect(r.phase).toBe("Succeeded");
  });

  it("{{workflow.status}} is visible to the handler (steps with when)", () => {
    const w = wf(`
kind: Workflow
spec:
  entrypoint: work
  onExit: handler
  templates:
  - name: work
    container: {image: busybox}
  - name: handler
    steps:
    - - {name: ok, template: t, when: "{{workflow.status}} == Succeeded"}
      - {name: ko, template: t, when: "{{workflow.status}} != Succeeded"}
${LEAVES}
`);
    expect(simulate(w, {}).ran).toEqual(["work", "onExit.ok"]);
    const failed = simulate(w, { work: "Failed" });
    expect(failed.ran).toEqual(["work", "onExit.ko"]);
    expect(failed.nodes["onExit.ok"]!.phase).toBe("Skipped");
    expect(failed.exitHandlerPhase).toBe("Succeeded");
    expect(failed.phase).toBe("Failed");
  });
});

describe("§3.1 retries", () => {
  const retried = (strategy: string) =>
    wf(`
kind: Workflow
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: r}
  - name: r
    retryStrategy: ${strategy}
    container: {image: busybox}
`);

  it("Failed then Succeeded ⇒ Succeeded with 2 attempts", () => {
    const r = simulate(retried(`{limit: "2"}`), { a: ["Failed", "Succeeded"] });
    expect(r.nodes.a).toMatchObject({ type: "Retry", phase: "Succeeded", attempts: 2, ran: true });
    expect(r.pods).toEqual(["a(0)", "a(1)"]);
    expect(r.phase).toBe("Succeeded");
  });

  it("limit as int or string = retries after the first attempt; exhausted ⇒ last attempt's phase", () => {
    expect(simulate(retried(`{limit: 3}`), { a: "Failed" }).nodes.a).toMatchObject({ phase: "Failed", attempts: 4 });
    expect(simulate(retried(`{limit: "0"}`), { a: "Failed" }).nodes.a!.attempts).toBe(1);
    const unlimited = simulate(retried(`{}`), { a: ["Failed", "Failed", "Failed", "Succeeded"] });
    expect(unlimited.nodes.a).toMatchObject({ phase: "Succeeded", attempts: 4 });
  });

  it("retryPolicy: OnFailure (default) does not retry Error; OnError / OnTransientError retry Error only; Always both", () => {
    expect(simulate(retried(`{limit: 2}`), { a: ["Error", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Error", attempts: 1 });
    expect(simulate(retried(`{limit: 2, retryPolicy: OnError}`), { a: ["Error", "Succeeded"] }).nodes.a!.attempts).toBe(2);
    expect(simulate(retried(`{limit: 2, retryPolicy: OnError}`), { a: ["Failed"] }).nodes.a!.attempts).toBe(1);
    expect(simulate(retried(`{limit: 2, retryPolicy: OnTransientError}`), { a: ["Error", "Succeeded"] }).phase).toBe("Succeeded");
    const always = simulate(retried(`{limit: 2, retryPolicy: Always}`), { a: ["Error", "Failed", "Succeeded"] });
    expect(always.nodes.a).toMatchObject({ phase: "Succeeded", attempts: 3 });
  });

  it("retryStrategy.expression over lastRetry.exitCode / status is AND-ed with the policy, after the limit", () => {
    const codes = `{limit: 3, expression: "lastRetry.exitCode in ['137', '143']"}`;
    expect(simulate(retried(codes), { a: ["Failed:137", "Failed:143", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Succeeded", attempts: 3 });
    // exit 2 is not in the list: the Retry node stops with that attempt's phase.
    expect(simulate(retried(codes), { a: ["Failed:137", "Failed:2", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Failed", attempts: 2 });
    // plain "Failed" exits 1
    expect(simulate(retried(codes), { a: "Failed" }).nodes.a).toMatchObject({ phase: "Failed", attempts: 1 });
    const except = `{limit: 3, expression: "!(lastRetry.exitCode in ['2'])"}`;
    expect(simulate(retried(except), { a: ["Failed", "Failed:2", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Failed", attempts: 2 });
    // the policy still applies: OnFailure does not retry an Error whatever the expression says
    expect(simulate(retried(`{limit: 3, expression: "lastRetry.status == 'Error'"}`), { a: ["Error", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Error", attempts: 1 });
    const errorsOrCodes = `{limit: 3, retryPolicy: Always, expression: "lastRetry.status == 'Error' || lastRetry.exitCode in ['137']"}`;
    expect(simulate(retried(errorsOrCodes), { a: ["Error", "Failed:137", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Succeeded", attempts: 3 });
    expect(simulate(retried(errorsOrCodes), { a: ["Error", "Failed:1", "Succeeded"] }).nodes.a).toMatchObject({ phase: "Failed", attempts: 2 });
  });

  it("retry expressions outside the subset and templated limits are unsupported", () => {
    expect(() => simulate(retried(`{limit: 2, expression: "int(lastRetry.exitCode) > 1"}`), { a: "Failed" })).toThrow(/^unsupported: hook expression/);
    expect(() => simulate(retried(`{limit: "{{inputs.parameters.n}}"}`), { a: "Failed" })).toThrow(/^unsupported: retryStrategy\.limit/);
  });
});

describe("§0/§1.1/§3.2 stop, terminate, deadline", () => {
  it("stop after a task: pending ordinary tasks never run, the onExit reaper still runs", () => {
    const r = simulate(RECOMMENDED_WITH_REAPER, {}, { stop: "stop", stopAfter: ["setup"] });
    expect(r.ran).toEqual(["setup", "onExit"]);
    expect(r.nodes.work).toMatchObject({ phase: "Failed", ran: false });
    expect(r.nodes.teardown).toMatchObject({ phase: "Failed", ran: false }); // created, pod refused
    expect(r.exitHandlerPhase).toBe("Succeeded");
    expect(r.phase).toBe("Failed");
    expect(r.message).toBe("Stopped with strategy 'Stop'");
  });

  it("stop kills running ordinary pods; a DAG is Failed under stop even if everything had succeeded", () => {
    const w = dagWorkflow(`
      - {name: a, template: t}
      - {name: b, template: t}
`);
    const r = simulate(w, {}, { stopAfter: ["a"] });
    expect(r.nodes.b).toMatchObject({ phase: "Failed", ran: true });
    expect(r.nodes.b!.message).toMatch(/shutdown/);
    expect(simulate(w, {}, { stopAfter: ["a", "b"] }).phase).toBe("Failed");
  });

  it("exit hooks run under stop; the DAG waits for them only when the hooked task is a target", () => {
    const tasks = `
      - name: a
        template: t
        hooks: {exit: {template: cleanup}}
      - {name: b, depends: a, template: t}
`;
    const asTarget = simulate(dagWorkflow(tasks, `      target: "a b"`), {}, { stopAfter: ["a"] });
    expect(asTarget.nodes["a.onExit"]).toMatchObject({ phase: "Succeeded", ran: true });
    expect(asTarget.nodes.b).toMatchObject({ phase: "Failed", ran: false });
    // Non-target: assessDAGPhase fails the DAG at once (§2.2.2), the workflow completes while the
    // hook pod still runs: its result is never recorded (cf. #15088; inference from code).
    const notTarget = simulate(dagWorkflow(tasks), {}, { stopAfter: ["a"] });
    expect(notTarget.nodes["a.onExit"]).toMatchObject({ phase: "Running", ran: true });
    expect(notTarget.phase).toBe("Failed");
  });

  it("terminate: nothing more runs, the exit handler included", () => {
    const r = simulate(RECOMMENDED_WITH_REAPER, {}, { stop: "terminate", stopAfter: ["setup"] });
    expect(r.ran).toEqual(["setup"]);
    expect(r.exitHandlerPhase).toBeUndefined();
    expect(r.nodes.onExit).toBeUndefined();
    expect(r.phase).toBe("Failed");
    const hooked = dagWorkflow(`
      - name: a
        template: t
        hooks: {exit: {template: cleanup}}
      - {name: b, depends: a, template: t}
`);
    expect(simulate(hooked, {}, { stop: "terminate", stopAfter: ["a"] }).nodes["a.onExit"]).toBeUndefined();
  });

  it("stop before anything starts (stopAfter: [])", () => {
    const r = simulate(RECOMMENDED_WITH_REAPER, {}, { stop: "stop" });
    expect(r.ran).toEqual(["onExit"]);
    expect(r.phase).toBe("Failed");
  });

  it("deadline: no new ordinary pods, running ones terminated; exit handler and exit hooks still run; DAG phase computed normally", () => {
    const w = dagWorkflow(
      `
      - name: a
        template: t
        hooks: {exit: {template: cleanup}}
      - {name: b, depends: a, template: t}
      - {name: c, depends: "b.Failed", template: t}
`,
      "",
      "  onExit: cleanup",
    );
    const r = simulate(w, {}, { deadlineAfter: ["a"] });
    expect(r.ran).toEqual(["a", "a.onExit", "onExit"]);
    expect(r.nodes.b).toMatchObject({ phase: "Failed", ran: false, message: "Step exceeded its deadline" });
    expect(r.nodes.c).toMatchObject({ phase: "Failed", ran: false });
    expect(r.phase).toBe("Failed");
  });

  it("an exit handler DAG runs completely under stop (the shutdown rule of §2.2.2 does not apply inside it)", () => {
    const w = wf(`
kind: Workflow
spec:
  entrypoint: t
  onExit: reaper
  templates:
  - name: reaper
    dag:
      tasks:
      - {name: r1, template: t}
      - {name: r2, depends: r1, template: cleanup}
${LEAVES}
`);
    const r = simulate(w, {}, { stop: "stop" });
    expect(r.ran).toEqual(["onExit.r1", "onExit.r2"]);
    expect(r.exitHandlerPhase).toBe("Succeeded");
    expect(r.nodes.t).toMatchObject({ phase: "Failed", ran: false });
    expect(r.phase).toBe("Failed");
  });

  it("a trigger that never fires and an outcome key that names nothing are test mistakes, reported", () => {
    expect(() => simulate(NAIVE, {}, { stopAfter: ["setpu"] })).toThrow(/stopAfter \[setpu\] never all finished/);
    expect(() => simulate(NAIVE, { wrok: "Failed" })).toThrow(/outcomes name no task, step or template: wrok/);
  });

  it("parallelism with stop/deadline is rejected (start order would depend on timing)", () => {
    const w = dagWorkflow(`      - {name: a, template: t}`, "", "  parallelism: 1");
    expect(simulate(w, {}).phase).toBe("Succeeded");
    expect(() => simulate(w, {}, { stopAfter: ["a"] })).toThrow(/^unsupported: parallelism/);
  });
});

describe("steps templates", () => {
  it("a failed step fails its group and the later groups never run; continueOn lets them run", () => {
    const w = (cont: string) =>
      wf(`
kind: Workflow
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: t${cont}}
      - {name: b, template: t}
    - - {name: c, template: t}
${LEAVES}
`);
    const r = simulate(w(""), { a: "Failed" });
    expect(r.ran).toEqual(["a", "b"]);
    expect(r.phase).toBe("Failed");
    const c = simulate(w(", continueOn: {failed: true}"), { a: "Failed" });
    expect(c.ran).toEqual(["a", "b", "c"]);
    expect(c.phase).toBe("Succeeded");
    expect(simulate(w(", continueOn: {failed: true}"), { a: "Error" }).phase).toBe("Failed");
  });
});

describe("API details", () => {
  it("Outcomes as a function sees every leaf invocation with its kind", () => {
    const w = dagWorkflow(`      - {name: a, template: t, hooks: {exit: {template: cleanup}}}`, "", "  onExit: cleanup");
    const seen: Invocation[] = [];
    simulate(w, (inv) => {
      seen.push(inv);
      return undefined;
    });
    expect(seen.map((i) => [i.key, i.name, i.kind])).toEqual([
      ["a", "a", "task"],
      ["a.onExit", "cleanup", "exit-hook"],
      ["onExit", "cleanup", "onExit"],
    ]);
  });

  it("accepts a CronWorkflow, its bare workflowSpec and a WorkflowTemplate; is deterministic", () => {
    const spec = { entrypoint: "main", templates: [{ name: "main", container: { image: "busybox" } }] };
    expect(simulate({ kind: "CronWorkflow", spec: { schedules: ["* * * * *"], workflowSpec: spec } }).ran).toEqual(["main"]);
    expect(simulate(spec).phase).toBe("Succeeded");
    expect(simulate({ kind: "WorkflowTemplate", metadata: { name: "x" }, spec }, { main: "Failed" }).phase).toBe("Failed");
    const outcomes: Outcomes = { work: "Failed" };
    expect(simulate(RECOMMENDED_WITH_REAPER, outcomes)).toEqual(simulate(RECOMMENDED_WITH_REAPER, outcomes));
  });
});

// ---------------------------------------------------------------------------------------------
// Upstream examples (../shared/argo-examples): README: no `workflows.argoproj.io/no-test` label ⇒
// must end Succeeded; `expected-failure` ⇒ ends Failed/Error. Other labels (flaky, environment,
// duration) carry no expected outcome: there we assert what the controller rules give for the
// stated outcomes and say so in the test name ("derived").
// ---------------------------------------------------------------------------------------------

const EXAMPLES = path.resolve(repoRoot, "../shared/argo-examples");
const HAVE_EXAMPLES = fs.existsSync(path.join(EXAMPLES, "README.md"));
const LABEL = "workflows.argoproj.io/no-test";

interface ExampleCase {
  file: string;
  /** metadata.name of the document, for multi-document files. */
  doc?: string;
  /** Failures the example itself forces, derived from reading it (see `why`). */
  outcomes?: Outcomes;
  options?: SimOptions;
  why?: string;
  /** Required when the label gives no expectation (flaky / environment / duration). */
  derived?: WorkflowPhase;
  check?: (r: SimResult) => void;
}

const CASES: ExampleCase[] = [
  { file: "cluster-workflow-template/cluster-wftmpl-dag.yaml", check: (r) => expect(r.ran).toContain("C.inner-D") },
  { file: "cluster-workflow-template/clustertemplates.yaml", doc: "cluster-workflow-template-submittable" },
  { file: "cron-when.yaml", why: "CronWorkflow `when` only gates scheduling" },
  { file: "cron-workflow-multiple-schedules.yaml" },
  { file: "cron-workflow.yaml" },
  {
    file: "custom-metrics.yaml",
    derived: "Succeeded",
    why: "flaky: `flakey` fails with 66% probability; here it succeeds (metrics are not simulated)",
  },
  {
    file: "dag-continue-on-fail.yaml",
    outcomes: { B: "Failed", E: "Failed" },
    why: "B and E use template intentional-fail (exit 1)",
    check: (r) => {
      expect(r.nodes.D!.ran).toBe(true); // B.Failed && C
      expect(r.nodes.G!.phase).toBe("Omitted"); // E && F; the Omitted leaf inherits E's failure
    },
  },
  { file: "dag-custom-metrics.yaml", check: (r) => expect(r.ran).toHaveLength(4) },
  { file: "dag-diamond.yaml", check: (r) => expect(r.ran).toEqual(["A", "B", "C", "D"]) },
  {
    file: "dag-disable-failFast.yaml",
    outcomes: { C: "Failed" },
    why: "template c exits 2 on every attempt (retryStrategy.limit 3)",
    check: (r) => {
      expect(r.nodes.C).toMatchObject({ phase: "Failed", attempts: 4 });
      expect(r.nodes.E!.ran).toBe(true);
    },
  },
  {
    file: "dag-enhanced-depends.yaml",
    outcomes: { C: "Failed" },
    why: "C uses template fail (exit 1)",
    check: (r) => {
      expect(r.nodes["should-not-execute"]!.phase).toBe("Omitted");
      for (const t of ["should-execute-1", "should-execute-2", "should-execute-3"]) expect(r.nodes[t]!.ran).toBe(true);
    },
  },
  { file: "dag-nested.yaml", derived: "Succeeded", why: "flaky label; all echo pods succeed", check: (r) => expect(r.ran).toHaveLength(16) },
  { file: "dag-targets.yaml", check: (r) => expect(r.ran).toEqual(["A", "C", "E"]) },
  {
    file: "dag-task-level-timeout.yaml",
    outcomes: { B: "Failed" },
    why: "B's timeout (10s) is shorter than the 15s sleep; A and C (20s) finish (timeouts are injected, not timed)",
  },
  {
    file: "exit-handler-dag-level.yaml",
    derived: "Succeeded",
    why: "flaky label; deprecated task onExit on every task",
    check: (r) => expect(r.ran.filter((k) => k.endsWith(".onExit"))).toEqual(["A.onExit", "B.onExit", "C.onExit", "D.onExit"]),
  },
  { file: "exit-handler-step-level.yaml", check: (r) => expect(r.ran.filter((k) => k.endsWith(".onExit"))).toHaveLength(3) },
  { file: "exit-handler-with-artifacts.yaml", why: "hook arguments are data (not simulated)", check: (r) => expect(r.ran).toEqual(["step-1", "step-1.onExit"]) },
  { file: "exit-handler-with-param.yaml", why: "hook arguments are data (not simulated)", check: (r) => expect(r.ran).toEqual(["step-1", "step-1.onExit"]) },
  {
    file: "exit-handlers.yaml",
    outcomes: { "intentional-fail": "Failed" },
    why: "the entrypoint exits 1",
    check: (r) => {
      expect(r.exitHandlerPhase).toBe("Succeeded");
      expect(r.ran).toEqual(["intentional-fail", "onExit.notify", "onExit.cry"]);
      expect(r.nodes["onExit.celebrate"]!.phase).toBe("Skipped");
    },
  },
  { file: "gc-ttl.yaml" },
  {
    file: "life-cycle-hooks-tmpl-level.yaml",
    check: (r) =>
      expect(r.ran).toEqual(["step-1", "step-1.hooks.running", "step-1.hooks.success", "step2", "step2.hooks.running", "step2.hooks.success"]),
  },
  { file: "life-cycle-hooks-wf-level.yaml", check: (r) => expect(r.ran).toEqual(["step1", "hooks.running", "onExit"]) },
  { file: "pod-gc-strategy.yaml", outcomes: { fail: "Failed" }, derived: "Failed", why: "environment label; step `fail` exits 1" },
  {
    file: "retry-backoff.yaml",
    outcomes: { "retry-backoff": ["Failed", "Failed", "Succeeded"] },
    derived: "Succeeded",
    why: "duration label; random failures, two of them here (backoff timing not simulated)",
    check: (r) => expect(r.nodes["retry-backoff"]!.attempts).toBe(3),
  },
  {
    file: "retry-container-to-completion.yaml",
    outcomes: { "retry-to-completion": ["Failed", "Failed", "Failed", "Failed", "Succeeded"] },
    derived: "Succeeded",
    why: "duration label; retryStrategy {} = unlimited",
    check: (r) => expect(r.nodes["retry-to-completion"]!.attempts).toBe(5),
  },
  { file: "retry-container.yaml", why: "random failures (66%); the first attempt succeeds here", check: (r) => expect(r.nodes["retry-container"]!.attempts).toBe(1) },
  {
    file: "retry-container.yaml",
    outcomes: { "retry-container": ["Failed", "Failed", "Succeeded"] },
    why: "the same example with two random failures first",
    check: (r) => expect(r.nodes["retry-container"]).toMatchObject({ attempts: 3, phase: "Succeeded" }),
  },
  {
    file: "retry-on-error.yaml",
    outcomes: { "error-container": ["Error", "Failed", "Succeeded"] },
    derived: "Succeeded",
    why: "environment label; retryPolicy Always retries Error and Failed",
    check: (r) => expect(r.nodes["error-container"]!.attempts).toBe(3),
  },
  { file: "retry-with-steps.yaml", derived: "Succeeded", why: "flaky label; random-fail succeeds here" },
  {
    file: "step-level-timeout.yaml",
    outcomes: { sleep1: "Failed", sleep2: "Failed" },
    derived: "Failed",
    why: "environment label; both 30s sleeps hit their 10s timeout (Failed); sleep1 only has continueOn.error",
  },
  { file: "synchronization-mutex-tmpl-level.yaml", derived: "Succeeded", why: "environment label; mutexes only serialise (not simulated)" },
  { file: "template-on-exit.yaml", derived: "Succeeded", why: "environment label", check: (r) => expect(r.ran).toEqual(["stepA", "stepA.onExit", "stepB", "stepB.onExit"]) },
  {
    file: "timeouts-workflow.yaml",
    options: { deadlineAfter: [] },
    derived: "Failed",
    why: "environment label; the 30s activeDeadlineSeconds expires before the 1-day sleeps / unschedulable pods finish",
  },
  { file: "workflow-template/dag.yaml", check: (r) => expect(r.ran).toContain("C.inner-D") },
  { file: "workflow-template/retry-with-steps.yaml", derived: "Succeeded", why: "flaky label; random-fail-template succeeds here" },
  { file: "workflow-template/templates.yaml", doc: "workflow-template-print-message" },
  { file: "workflow-template/templates.yaml", doc: "workflow-template-submittable" },
  { file: "workflow-template/workflow-template-ref.yaml", check: (r) => expect(r.ran).toEqual(["print-message"]) },
];

/** Examples the simulator rejects; each must still throw "unsupported: …" (checked below). */
const UNSUPPORTED: Array<{ file: string; reason: string; error: RegExp }> = [
  { file: "conditionals.yaml", reason: "when uses jsonpath in a {{= expr }} tag (outside the expr-lang subset)", error: /^unsupported: hook expression 'jsonpath/ },
  { file: "retry-conditional.yaml", reason: "retryStrategy.expression with asInt, >, matches and lastRetry.duration/message (outside the expr-lang subset)", error: /^unsupported: hook expression .*outside the supported subset/ },
  {
    file: "template-defaults.yaml",
    reason: "spec.templateDefaults (retryStrategy merged into the steps template too ⇒ nested Retry nodes)",
    error: /^unsupported: spec\.templateDefaults/,
  },
];

/** Where the README's label and the controller rules disagree: recorded, not asserted as passing. */
const DISAGREEMENTS: Array<{ file: string; outcomes: Outcomes; reason: string; sim: WorkflowPhase }> = [
  {
    file: "continue-on-fail.yaml",
    outcomes: { C: "Failed" },
    reason:
      "label expected-failure, but steps.go executeStepGroup ignores a child failure covered by continueOn (C has continueOn.failed), so the group, D and the workflow succeed",
    sim: "Succeeded",
  },
];

/** Documents without an entrypoint: templateRef libraries, exercised through the cases that use them. */
const DEFINITION_ONLY = ["cluster-workflow-template/clustertemplates.yaml", "workflow-template/templates.yaml"];

describe.skipIf(!HAVE_EXAMPLES)("upstream Argo examples (../shared/argo-examples)", () => {
  const load = (file: string): Record<string, unknown>[] =>
    parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, file), "utf8")).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
      return d.toJS() as Record<string, unknown>;
    });
  const docName = (d: Record<string, unknown>) => String((d.metadata as Record<string, unknown> | undefined)?.name ?? "");
  const labelOf = (d: Record<string, unknown>) =>
    ((d.metadata as Record<string, unknown> | undefined)?.labels as Record<string, string> | undefined)?.[LABEL];
  // WorkflowTemplates / ClusterWorkflowTemplates for templateRef and workflowTemplateRef.
  const library = () => [...load("workflow-template/templates.yaml"), ...load("cluster-workflow-template/clustertemplates.yaml")];
  const pick = (c: { file: string; doc?: string }) => {
    const docs = load(c.file);
    const d = c.doc ? docs.find((x) => docName(x) === c.doc) : docs[0];
    if (!d) throw new Error(`${c.file}: no document ${c.doc ?? ""}`);
    return d;
  };

  const title = (c: ExampleCase) => {
    const label = labelOf(pick(c));
    const exp = label === undefined ? "Succeeded (no label)" : label === "expected-failure" ? "Failed/Error (expected-failure)" : `${c.derived} (derived; label ${label})`;
    const forced = c.outcomes ? ` with forced outcomes ${JSON.stringify(c.outcomes)}` : "";
    return `${c.file}${c.doc ? ` [${c.doc}]` : ""} ⇒ ${exp}${forced}`;
  };

  for (const c of CASES) {
    it(HAVE_EXAMPLES ? title(c) : c.file, () => {
      const doc = pick(c);
      const label = labelOf(doc);
      const r = simulate(doc, c.outcomes ?? {}, { templates: library(), ...c.options });
      if (label === undefined) {
        expect(c.derived, "no label: the README expectation applies, not a derived one").toBeUndefined();
        expect(r.phase).toBe("Succeeded");
      } else if (label === "expected-failure") {
        expect(c.derived).toBeUndefined();
        expect(["Failed", "Error"]).toContain(r.phase);
      } else {
        expect(c.derived, `label ${label} gives no expectation: state the derived one`).toBeDefined();
        expect(r.phase).toBe(c.derived);
      }
      c.check?.(r);
    });
  }

  for (const u of UNSUPPORTED) {
    it.skip(`${u.file}: UNSUPPORTED by the simulator: ${u.reason}`, () => {});
    it(`${u.file} is rejected with "unsupported: …" (keeps the skip above honest)`, () => {
      expect(() => simulate(pick(u), {}, { templates: library() })).toThrow(u.error);
    });
  }

  for (const d of DISAGREEMENTS) {
    it.skip(`${d.file}: README label disagrees with the controller rules: ${d.reason}`, () => {});
    it(`${d.file}: the simulator's answer is pinned (${d.sim}) so a change is noticed`, () => {
      const doc = pick(d);
      expect(labelOf(doc)).toBe("expected-failure");
      expect(simulate(doc, d.outcomes, { templates: library() }).phase).toBe(d.sim);
    });
  }

  for (const file of DEFINITION_ONLY) {
    it.skip(`${file}: documents without entrypoint are templateRef definitions (used by the dag / workflowTemplateRef cases)`, () => {});
  }

  it("every example file is accounted for, every runnable document is simulated", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(EXAMPLES, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) walk(rel);
        else if (e.name.endsWith(".yaml")) files.push(rel);
      }
    };
    walk("");
    expect(files).toHaveLength(40);
    const covered = new Set([...CASES.map((c) => c.file), ...UNSUPPORTED.map((u) => u.file), ...DISAGREEMENTS.map((d) => d.file)]);
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
    for (const file of DEFINITION_ONLY) {
      const runnable = load(file).filter((d) => (d.spec as Record<string, unknown>).entrypoint !== undefined).map(docName);
      expect(runnable.sort()).toEqual(CASES.filter((c) => c.file === file).map((c) => c.doc).sort());
    }
  });
});
