/**
 * Setup/teardown semantics (DESIGN §5, docs/semantics.md), tested through the real front end: every
 * pipeline here is a TypeScript module in a temporary project, read by the parse, analyze and validate
 * phases, then lowered. Nothing hand-writes IR.
 *
 * - Truth tables (`reference/airflow.md` §1.12 P1, P2, P3) and the astronomer `create_rose_table`
 *   matrix (§2.1) as data. Each row gives Gantry's answer; where Airflow answers differently the row
 *   carries Airflow's answer and the reason, and the test checks that the two really differ.
 *   docs/semantics.md lists the same differences.
 * - Scopes (rule 2), one test per scope diagnostic with exact positions, the CLI refusing
 *   setup/teardown on Argo (GANTRY4004), and a property test of `evaluate` against DESIGN §5's rules
 *   restated independently below.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileBatch, mergeBatches, type Backend } from "../src/compile.js";
import type { Diagnostic } from "../src/diagnostics/index.js";
import type * as IR from "../src/ir/index.js";
import { createSourceProgram } from "../src/phases/1-parse/index.js";
import { analyze } from "../src/phases/2-analyze/index.js";
import { validate } from "../src/phases/3-validate/index.js";
import { computeScopes, evaluate, lower, type Evaluation, type Outcome } from "../src/phases/4-lower/index.js";
import { gantry, snapshotDir, tempProject } from "./support/cli.js";
import { loc, where } from "./support/positions.js";
import { rng } from "./support/rng.js";

// ---------------------------------------------------------------------------------------------
// Front end

type Files = Record<string, string>;
type Result = Evaluation["result"];

/** A module declaring one pipeline; `img` is in scope for the body. */
const pipelineModule = (name: string, body: string) =>
  `import { pipeline } from "gantry";\nconst img = { image: "busybox:1.36", command: ["true"] };\nexport default pipeline(${JSON.stringify(name)}, {}, (p) => {\n${body}\n});\n`;

/** Runs parse, analyze and validate over a fresh project holding `files`, then lowers every pipeline. */
function frontEnd(files: Files): { pipelines: IR.Pipeline[]; diagnostics: Diagnostic[] } {
  const cwd = tempProject(files);
  const program = createSourceProgram(cwd);
  const entries = Object.keys(files).sort().map((f) => path.join(cwd, f));
  const analysis = analyze(program, entries);
  const validation = validate(analysis.units);
  const lowered = validation.pipelines.flatMap((ir) => lower(ir).diagnostics);
  return { pipelines: validation.pipelines, diagnostics: [...analysis.diagnostics, ...validation.diagnostics, ...lowered] };
}

/** Pipelines by name; fails the test if anything reports an error. */
function buildAll(files: Files): Map<string, IR.Pipeline> {
  const { pipelines, diagnostics } = frontEnd(files);
  expect(diagnostics.filter((d) => d.severity === "error").map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  expect(pipelines).toHaveLength(Object.keys(files).length);
  return new Map(pipelines.map((p) => [p.name, p]));
}

/**
 * Diagnostics of one `main.ts` as the compile finds them (`compileBatch`, which also places
 * lowering's findings at the field they are about), without a backend's.
 */
function diagnose(src: string): Diagnostic[] {
  const cwd = tempProject({ "main.ts": src });
  const noBackend: Backend = () => ({ objects: [], diagnostics: [] });
  const batch = compileBatch([path.join(cwd, "main.ts")], { cwd, paths: ["."], target: "argo", kind: "auto" }, noBackend);
  return mergeBatches([batch], (f) => path.relative(cwd, f)).diagnostics;
}

/** Where task `name` is declared: the name literal of its `p.task/setup/teardown/finally(...)` call. */
const decl = (src: string, name: string) => loc("main.ts", src, `("${name}", {`).replace(/:(\d+)$/, (_, c: string) => `:${Number(c) + 1}`);

// ---------------------------------------------------------------------------------------------
// Truth tables

interface Row {
  case: string;
  /** Tasks whose outcome is "fails" (failed for good, retries spent); every other task succeeds if it runs. */
  fails?: string[];
  /** Gantry: the tasks that ran. */
  ran: string[];
  /** Gantry: the run's result. */
  result: Result;
  /** Airflow's answer (airflow.md) where it differs from Gantry's, and why Gantry differs. */
  airflow?: { ran?: string[]; result?: Result; why: string };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

function checkRow(ir: IR.Pipeline, row: Row): Evaluation {
  const outcomes = Object.fromEntries((row.fails ?? []).map((n): [string, Outcome] => [n, "fails"]));
  for (const n of row.fails ?? []) expect(ir.tasks.map((t) => t.name)).toContain(n);
  const ev = evaluate(ir, outcomes);
  expect(sorted(ev.ran)).toEqual(sorted(row.ran));
  expect(ev.result, ev.reasons.join("; ")).toBe(row.result);
  for (const t of ir.tasks) {
    const expected = !row.ran.includes(t.name) ? "not-run" : row.fails?.includes(t.name) ? "failed" : "succeeded";
    expect(ev.states[t.name], t.name).toBe(expected);
  }
  if (row.airflow) {
    // The note must record a real difference, or it is stale.
    const airflowRan = sorted(row.airflow.ran ?? row.ran);
    const same = (row.airflow.result ?? row.result) === row.result && airflowRan.join() === sorted(row.ran).join();
    expect(same, `row "${row.case}" says Airflow differs, but gives the same answer`).toBe(false);
  }
  return ev;
}

// P1 — `s >> w >> t`, t teardown of s (airflow.md §1.12 P1). Airflow's edges: s→w, w→t, s→t.
const p1 = (failsRun: boolean) =>
  pipelineModule(failsRun ? "p1-fails-run" : "p1", `
  const s = p.setup("s", { ...img });
  const w = p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s], after: [w]${failsRun ? ", failsRun: true" : ""} });`);

// P2 — `s >> [w1, w2] >> t`, t teardown of s.
const p2 = (failsRun: boolean) =>
  pipelineModule(failsRun ? "p2-fails-run" : "p2", `
  const s = p.setup("s", { ...img });
  const w1 = p.task("w1", { ...img, after: [s] });
  const w2 = p.task("w2", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s], after: [w1, w2]${failsRun ? ", failsRun: true" : ""} });`);

// P2-join — `s >> [w1, w2] >> j >> t`: t's only direct upstreams are s and j.
const p2join = pipelineModule("p2-join", `
  const s = p.setup("s", { ...img });
  const w1 = p.task("w1", { ...img, after: [s] });
  const w2 = p.task("w2", { ...img, after: [s] });
  const j = p.task("j", { ...img, after: [w1, w2] });
  p.teardown("t", { ...img, setups: [s], after: [j] });`);

// P3 — `with s1 >> t1: with s2 >> t2: w`, with Airflow's edges: s1→s2, s1→t1, s2→w, s2→t2, w→t2, t2→t1.
const p3 = (t2FailsRun: boolean) =>
  pipelineModule(t2FailsRun ? "p3-t2-fails-run" : "p3", `
  const s1 = p.setup("s1", { ...img });
  const s2 = p.setup("s2", { ...img, after: [s1] });
  const w = p.task("w", { ...img, after: [s2] });
  const t2 = p.teardown("t2", { ...img, setups: [s2], after: [w]${t2FailsRun ? ", failsRun: true" : ""} });
  p.teardown("t1", { ...img, setups: [s1], after: [t2] });`);

/**
 * The astronomer `create_rose_table` DAG (airflow.md §2.1), ported. Task ids lose the task-group
 * prefix and use '-'; `table_ready_for_the_model` is `table-ready`, the validate group's checks are
 * `validate-cols` and `validate-table`.
 *
 * `drop-tmp` and `swap`: in Airflow, `chain(..., swap, drop_tmp, ...)` adds the edge swap→drop_tmp,
 * and because swap is marked setup (of drop_backup) it also counts as a direct setup of drop_tmp,
 * which so runs if one of {create_tmp, load, swap} succeeded (§2.1 "Derived facts"). The faithful
 * port keeps the edge as `after: [swap]` and lists only create-tmp and load-tmp in `setups`:
 * - drop-tmp removes roses_tmp, which create-tmp and load-tmp make; it does not undo swap. Listing
 *   swap would make drop-tmp a teardown of swap, which it is not.
 * - It changes nothing observable: swap runs only after create-tmp and load-tmp succeeded (they are
 *   upstream, and it is in their scope), so "one of the three succeeded" and "one of the two
 *   succeeded" are the same condition.
 * - Gantry counts as a teardown's setups exactly its `setups`; an `after` edge to a setup does not
 *   make it one (docs/semantics.md, difference "direct setups").
 *
 * The validate checks are non-halting. In Airflow that comes from the run state reading only the
 * effective leaf (table_ready) and the all_done join; Gantry counts every failed task (rule 5), so a
 * non-halting check says so with `allowFailure: true`. The all_done join is kept as `trigger: "allDone"`.
 */
const roseTable = (validateAllowFailure = true) =>
  pipelineModule(validateAllowFailure ? "create-rose-table" : "create-rose-table-halting", `
  const createTmp = p.setup("create-tmp", { ...img });
  const loadTmp = p.setup("load-tmp", { ...img, after: [createTmp] });
  const testCols = p.task("test-cols", { ...img, after: [loadTmp] });
  const testTable = p.task("test-table", { ...img, after: [loadTmp] });
  const swap = p.setup("swap", { ...img, after: [testCols, testTable] });
  const dropTmp = p.teardown("drop-tmp", { ...img, setups: [createTmp, loadTmp], after: [swap] });
  const dropBackup = p.teardown("drop-backup", { ...img, setups: [swap], after: [dropTmp] });
  const done = p.task("done", { ...img, after: [dropBackup] });
  const checks = ["cols", "table"].map((c) => p.task(\`validate-\${c}\`, { ...img, after: [swap]${validateAllowFailure ? ", allowFailure: true" : ""} }));
  const sqlCheckDone = p.task("sql-check-done", { ...img, after: checks, trigger: "allDone" });
  p.task("table-ready", { ...img, after: [done, sqlCheckDone] });`);

const truthTableFiles: Files = {
  "p1.ts": p1(false),
  "p1-fails-run.ts": p1(true),
  "p2.ts": p2(false),
  "p2-fails-run.ts": p2(true),
  "p2-join.ts": p2join,
  "p3.ts": p3(false),
  "p3-t2-fails-run.ts": p3(true),
  "create-rose-table.ts": roseTable(true),
  "create-rose-table-halting.ts": roseTable(false),
};

let tables: Map<string, IR.Pipeline>;
beforeAll(() => {
  tables = buildAll(truthTableFiles);
});
const ir = (name: string) => tables.get(name)!;

// The Airflow skipped rows (P1 #6-8, P2's skipped setup) have no Gantry equivalent: Gantry has no
// skip state, no branching and no AirflowSkipException; an outcome is succeeds, fails or errors.
// P2's `fail_fast` row has none either: Gantry has no fail-fast, parallel branches keep running.
const MASKED = "airflow.md §1.5/§1.12: with on_failure_fail_dagrun=True the teardown becomes the effective leaf and masks the work's failure; Gantry's failsRun only adds the teardown's failure (rule 5)";

describe("P1: s >> w >> t, t teardown of s (airflow.md §1.12)", () => {
  const rows = (failsRun: boolean): Row[] => [
    { case: "#1 all succeed", ran: ["s", "w", "t"], result: "succeeded" },
    { case: "#2 t fails", fails: ["t"], ran: ["s", "w", "t"], result: failsRun ? "failed" : "succeeded" },
    {
      case: "#3 w fails: t still runs",
      fails: ["w"],
      ran: ["s", "w", "t"],
      result: "failed",
      ...(failsRun && { airflow: { result: "succeeded" as const, why: MASKED } }),
    },
    { case: "#4 w and t fail", fails: ["w", "t"], ran: ["s", "w", "t"], result: "failed" },
    { case: "#5 s fails: neither w nor t runs", fails: ["s"], ran: ["s"], result: "failed" },
  ];
  it.each(rows(false))("failsRun false: $case", (row) => void checkRow(ir("p1"), row));
  it.each(rows(true))("failsRun true: $case", (row) => void checkRow(ir("p1-fails-run"), row));

  it("the edge w→t adds nothing: t waits for its scope anyway (same answer for all 8 outcome sets)", () => {
    const bare = buildAll({ "p.ts": pipelineModule("p1-bare", '  const s = p.setup("s", { ...img });\n  p.task("w", { ...img, after: [s] });\n  p.teardown("t", { ...img, setups: [s] });') }).get("p1-bare")!;
    for (const outcomes of allOutcomeSets(["s", "w", "t"])) {
      const a = evaluate(ir("p1"), outcomes);
      const b = evaluate(bare, outcomes);
      expect({ ...b, reasons: [] }).toEqual({ ...a, reasons: [] });
    }
  });

  it("an infrastructure error counts as a failure (rule 5), for work and for a failsRun teardown", () => {
    expect(evaluate(ir("p1"), { w: "errors" })).toMatchObject({ ran: ["s", "w", "t"], result: "failed", states: { w: "errored" } });
    expect(evaluate(ir("p1"), { t: "errors" }).result).toBe("succeeded");
    expect(evaluate(ir("p1-fails-run"), { t: "errors" }).result).toBe("failed");
  });
});

describe("P2: s >> [w1, w2] >> t (airflow.md §1.12)", () => {
  const rows: Row[] = [
    { case: "all succeed", ran: ["s", "w1", "w2", "t"], result: "succeeded" },
    { case: "t fails", fails: ["t"], ran: ["s", "w1", "w2", "t"], result: "succeeded" },
    { case: "w1 fails: w2 runs to the end, t runs after both", fails: ["w1"], ran: ["s", "w1", "w2", "t"], result: "failed" },
    { case: "w1 and w2 fail, t succeeds", fails: ["w1", "w2"], ran: ["s", "w1", "w2", "t"], result: "failed" },
    { case: "w1, w2 and t fail", fails: ["w1", "w2", "t"], ran: ["s", "w1", "w2", "t"], result: "failed" },
    { case: "s fails", fails: ["s"], ran: ["s"], result: "failed" },
  ];
  it.each(rows)("$case", (row) => {
    const ev = checkRow(ir("p2"), row);
    if (ev.ran.includes("t")) for (const w of ["w1", "w2"]) expect(ev.ran.indexOf("t")).toBeGreaterThan(ev.ran.indexOf(w));
  });
  it("failsRun true: t fails → failed (Airflow with offd=True: FAILED too)", () => {
    checkRow(ir("p2-fails-run"), { case: "t fails", fails: ["t"], ran: ["s", "w1", "w2", "t"], result: "failed" });
  });

  it("P2-join, w1 fails: j does not run, t waits for w2 (its scope), then runs", () => {
    // Airflow before PR #64181 let t start while w2 was still running (t's direct upstreams s and j
    // were done); from PR #64181 on it waits, as Gantry's rule 4 does. The run fails either way.
    const ev = checkRow(ir("p2-join"), { case: "w1 fails", fails: ["w1"], ran: ["s", "w1", "w2", "t"], result: "failed" });
    expect(ev.ran.indexOf("t")).toBeGreaterThan(ev.ran.indexOf("w2"));
    expect(ev.reasons).toEqual(["work w1 failed", "work j did not run"]);
  });
});

describe("P3: nested, s1 >> s2 >> w, t2 teardown of s2, t1 teardown of s1 (airflow.md §1.12)", () => {
  const all = ["s1", "s2", "w", "t2", "t1"];
  const rows: Row[] = [
    { case: "all succeed", ran: all, result: "succeeded" },
    { case: "w fails: t2 and t1 run", fails: ["w"], ran: all, result: "failed" },
    { case: "t2 fails: t1 still runs", fails: ["t2"], ran: all, result: "succeeded" },
    { case: "t1 fails", fails: ["t1"], ran: all, result: "succeeded" },
    { case: "s2 fails: w and t2 do not run, t1 runs", fails: ["s2"], ran: ["s1", "s2", "t1"], result: "failed" },
    { case: "s1 fails: nothing else runs", fails: ["s1"], ran: ["s1"], result: "failed" },
    { case: "w, t2 and t1 fail", fails: ["w", "t2", "t1"], ran: all, result: "failed" },
  ];
  it.each(rows)("$case", (row) => {
    const ev = checkRow(ir("p3"), row);
    if (ev.ran.includes("t1") && ev.ran.includes("t2")) expect(ev.ran.indexOf("t1")).toBeGreaterThan(ev.ran.indexOf("t2"));
  });

  const withFailsRun: Row[] = [
    { case: "w fails, t2 succeeds", fails: ["w"], ran: all, result: "failed", airflow: { result: "succeeded", why: MASKED } },
    { case: "t2 fails", fails: ["t2"], ran: all, result: "failed" },
  ];
  it.each(withFailsRun)("failsRun on t2: $case", (row) => void checkRow(ir("p3-t2-fails-run"), row));

  it("without the explicit edges w→t2 and t2→t1 the scopes give the same order and answers", () => {
    const bare = buildAll({
      "p.ts": pipelineModule("p3-bare", `
  const s1 = p.setup("s1", { ...img });
  const s2 = p.setup("s2", { ...img, after: [s1] });
  p.task("w", { ...img, after: [s2] });
  p.teardown("t2", { ...img, setups: [s2] });
  p.teardown("t1", { ...img, setups: [s1] });`),
    }).get("p3-bare")!;
    for (const outcomes of allOutcomeSets(all)) {
      const a = evaluate(ir("p3"), outcomes);
      expect({ ...evaluate(bare, outcomes), reasons: [] }).toEqual({ ...a, reasons: [] });
    }
  });
});

describe("astronomer create_rose_table (airflow.md §2.1)", () => {
  const everything = ["create-tmp", "load-tmp", "test-cols", "test-table", "swap", "drop-tmp", "drop-backup", "done", "validate-cols", "validate-table", "sql-check-done", "table-ready"];
  const but = (...missing: string[]) => everything.filter((n) => !missing.includes(n));
  // Gantry's scope of a setup is everything downstream of it that is not downstream of its
  // teardowns (rule 2), so sql-check-done (after validate-*, after swap) is in the scopes of
  // create-tmp, load-tmp and swap and needs them to succeed, allDone or not. In Airflow a task is in
  // scope only if it is also upstream of a teardown, which sql_check_done is not, so it runs (all_done)
  // whenever its upstreams are done (§2.1 matrix; for "swap F" derived from §1.2-1.3).
  const SCOPE = "airflow.md §1.4: Airflow's scope is only what lies between the setup and its teardown; Gantry's is everything downstream not after its teardown, so sql-check-done needs the failed setup and does not run";
  const rows: Row[] = [
    { case: "all succeed", ran: everything, result: "succeeded" },
    {
      case: "create-tmp fails",
      fails: ["create-tmp"],
      ran: ["create-tmp"],
      result: "failed",
      airflow: { ran: ["create-tmp", "sql-check-done"], why: SCOPE },
    },
    {
      case: "load-tmp fails: drop-tmp runs (create-tmp succeeded)",
      fails: ["load-tmp"],
      ran: ["create-tmp", "load-tmp", "drop-tmp"],
      result: "failed",
      airflow: { ran: ["create-tmp", "load-tmp", "drop-tmp", "sql-check-done"], why: SCOPE },
    },
    {
      case: "test-cols fails (halting): swap does not run, roses untouched, drop-tmp runs",
      fails: ["test-cols"],
      ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "drop-tmp"],
      result: "failed",
      airflow: { ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "drop-tmp", "sql-check-done"], why: SCOPE },
    },
    {
      case: "test-table fails (halting)",
      fails: ["test-table"],
      ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "drop-tmp"],
      result: "failed",
      airflow: { ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "drop-tmp", "sql-check-done"], why: SCOPE },
    },
    {
      case: "swap fails: drop-tmp runs, drop-backup does not",
      fails: ["swap"],
      ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "swap", "drop-tmp"],
      result: "failed",
      airflow: { ran: ["create-tmp", "load-tmp", "test-cols", "test-table", "swap", "drop-tmp", "sql-check-done"], why: SCOPE },
    },
    { case: "validate-cols fails (non-halting, allowFailure): table-ready runs", fails: ["validate-cols"], ran: everything, result: "succeeded" },
    { case: "both validate checks fail (non-halting)", fails: ["validate-cols", "validate-table"], ran: everything, result: "succeeded" },
    { case: "drop-tmp fails: drop-backup still runs (swap succeeded)", fails: ["drop-tmp"], ran: everything, result: "succeeded" },
    {
      case: "drop-backup fails: done and table-ready do not run, so the run fails (DESIGN §5 worked example)",
      fails: ["drop-backup"],
      ran: but("done", "table-ready"),
      result: "failed",
    },
  ];
  it.each(rows)("$case", (row) => void checkRow(ir("create-rose-table"), row));

  it("teardowns wait for their scopes: drop-tmp after swap and the validate branch, drop-backup after drop-tmp", () => {
    const { ran } = evaluate(ir("create-rose-table"), {});
    const before = (a: string, b: string) => expect(ran.indexOf(a), `${a} before ${b}`).toBeLessThan(ran.indexOf(b));
    for (const n of ["swap", "validate-cols", "validate-table", "sql-check-done"]) before(n, "drop-tmp");
    before("drop-tmp", "drop-backup");
    before("drop-backup", "done");
    before("done", "table-ready");
  });

  it("a validate check without allowFailure fails the run (Airflow: SUCCESS, only the leaf table_ready counts)", () => {
    // Difference: Airflow's run state reads only effective leaves (§1.5); Gantry's rule 5 counts every
    // failed setup, work or finally task, so a non-halting check must say so with allowFailure.
    checkRow(ir("create-rose-table-halting"), {
      case: "validate-cols fails",
      fails: ["validate-cols"],
      ran: everything,
      result: "failed",
      airflow: { result: "succeeded", why: "airflow.md §1.5: only effective leaves decide the run" },
    });
  });
});

/** Every assignment of succeeds/fails to `names`. */
function allOutcomeSets(names: readonly string[]): Record<string, Outcome>[] {
  return Array.from({ length: 2 ** names.length }, (_, bits) =>
    Object.fromEntries(names.map((n, i): [string, Outcome] => [n, bits & (1 << i) ? "fails" : "succeeds"])),
  );
}

// ---------------------------------------------------------------------------------------------
// Scopes (rule 2)

describe("computeScopes", () => {
  const scopesOf = (body: string) => {
    const p = buildAll({ "p.ts": pipelineModule("scopes", body) }).get("scopes")!;
    const s = computeScopes(p);
    const plain = (m: ReadonlyMap<string, ReadonlySet<string> | readonly string[]>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, sorted([...v])]));
    return { ofSetup: plain(s.ofSetup), ofTeardown: plain(s.ofTeardown), enclosing: plain(s.enclosing), teardownsOf: plain(s.teardownsOf) };
  };

  it("nested scopes: the inner setup, work and teardown are in the outer scope; the outer teardown is in neither", () => {
    const s = scopesOf(`
  const s1 = p.setup("s1", { ...img });
  const s2 = p.setup("s2", { ...img, after: [s1] });
  const w = p.task("w", { ...img, after: [s2] });
  p.teardown("t2", { ...img, setups: [s2] });
  p.teardown("t1", { ...img, setups: [s1] });
  p.task("after-all", { ...img, after: [w] });`);
    expect(s.ofSetup).toEqual({ s1: ["after-all", "s2", "t2", "w"], s2: ["after-all", "w"] });
    expect(s.ofTeardown).toEqual({ t1: ["after-all", "s2", "t2", "w"], t2: ["after-all", "w"] });
    expect(s.enclosing).toEqual({ s1: [], s2: ["s1"], w: ["s1", "s2"], t2: ["s1"], t1: [], "after-all": ["s1", "s2"] });
  });

  it("several setups per teardown: its scope is the union of theirs", () => {
    const s = scopesOf(`
  const a = p.setup("a", { ...img });
  const b = p.setup("b", { ...img });
  p.task("wa", { ...img, after: [a] });
  p.task("wb", { ...img, after: [b] });
  p.task("wab", { ...img, after: [a, b] });
  p.teardown("t", { ...img, setups: [a, b] });`);
    expect(s.ofSetup).toEqual({ a: ["wa", "wab"], b: ["wab", "wb"] });
    expect(s.ofTeardown).toEqual({ t: ["wa", "wab", "wb"] });
    expect(s.teardownsOf).toEqual({ a: ["t"], b: ["t"] });
    expect(s.enclosing.wab).toEqual(["a", "b"]);
  });

  it("several teardowns per setup: the scope stops at each, and each waits for the whole scope", () => {
    const s = scopesOf(`
  const s = p.setup("s", { ...img });
  const w1 = p.task("w1", { ...img, after: [s] });
  const w2 = p.task("w2", { ...img, after: [s] });
  const t1 = p.teardown("t1", { ...img, setups: [s], after: [w1] });
  const t2 = p.teardown("t2", { ...img, setups: [s], after: [w2] });
  p.task("h1", { ...img, after: [t1] });
  p.task("h2", { ...img, after: [t2] });`);
    expect(s.ofSetup).toEqual({ s: ["w1", "w2"] });
    expect(s.teardownsOf).toEqual({ s: ["t1", "t2"] });
    // Airflow (≥ PR #64181) would have t1 wait only for w1, its own upstream within the scope.
    expect(s.ofTeardown).toEqual({ t1: ["w1", "w2"], t2: ["w1", "w2"] });
    expect(s.enclosing).toMatchObject({ h1: [], h2: [] });
  });

  it("a setup other work depends on: every task downstream of it that is not after its teardown (airflow.md §1.4 example)", () => {
    // Airflow docs: `s1 >> w1 >> w2 >> t1.as_teardown(setups=s1) >> w3; w2 >> w4`: Airflow's scope is
    // {w1, w2}; Gantry's also holds w4, which is downstream of s1 and not after t1.
    const s = scopesOf(`
  const s1 = p.setup("s1", { ...img });
  const w1 = p.task("w1", { ...img, after: [s1] });
  const w2 = p.task("w2", { ...img, after: [w1] });
  const t1 = p.teardown("t1", { ...img, setups: [s1], after: [w2] });
  p.task("w3", { ...img, after: [t1] });
  p.task("w4", { ...img, after: [w2] });
  p.task("other", { ...img });`);
    expect(s.ofSetup).toEqual({ s1: ["w1", "w2", "w4"] });
    expect(s.ofTeardown).toEqual({ t1: ["w1", "w2", "w4"] });
    expect(s.enclosing).toEqual({ s1: [], w1: ["s1"], w2: ["s1"], t1: [], w3: [], w4: ["s1"], other: [] });
  });

  it("a setup without a teardown: its scope is everything downstream", () => {
    const s = scopesOf(`
  const s = p.setup("s", { ...img });
  const w = p.task("w", { ...img, after: [s] });
  p.task("x", { ...img, after: [w] });`);
    expect(s.ofSetup).toEqual({ s: ["w", "x"] });
    expect(s.teardownsOf).toEqual({});
  });

  it("create_rose_table: scopes of the port", () => {
    const s = computeScopes(ir("create-rose-table"));
    const of = (n: string) => sorted([...s.ofSetup.get(n)!]);
    const validate = ["sql-check-done", "validate-cols", "validate-table"];
    expect(of("create-tmp")).toEqual(sorted(["load-tmp", "test-cols", "test-table", "swap", ...validate]));
    expect(of("load-tmp")).toEqual(sorted(["test-cols", "test-table", "swap", ...validate]));
    // Airflow: {drop_tmp}; Gantry adds the validate branch (rule 2).
    expect(of("swap")).toEqual(sorted(["drop-tmp", ...validate]));
    for (const outside of ["done", "table-ready", "drop-backup"]) expect(s.enclosing.get(outside), outside).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Compile-time checks, one per code, at exact positions

describe("scope diagnostics", () => {
  const main = (body: string) => pipelineModule("checks", body);
  const show = (ds: Diagnostic[]) => ds.map((d) => `${where(d)} ${d.severity}`);

  it("GANTRY2020: a teardown that lists a work task in `setups`, at that element", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  const w = p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s, w] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2020 ${loc("main.ts", src, "w] })")} error`]);
    expect(ds[0]!.message).toBe('task "t" lists "w" in `setups`, but it is a work task');
  });

  it("GANTRY2020: a teardown with `setups: []`, at the empty list", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2020 ${loc("main.ts", src, "[] })")} error`]);
    expect(ds[0]!.message).toBe('task "t": a teardown needs at least one setup');
  });

  it("GANTRY2021 (warning): a setup without a teardown, at the setup", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2021 ${decl(src, "s")} warning`]);
    expect(ds[0]!.message).toBe('setup "s" has no teardown');
  });

  it("GANTRY2022: a task downstream of a setup that also waits for that setup's teardown, at that teardown in its `after`", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  const w = p.task("w", { ...img, after: [s] });
  const t = p.teardown("t", { ...img, setups: [s] });
  p.task("x", { ...img, after: [w, t] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2022 ${loc("main.ts", src, "t] })")} error`]);
    expect(ds[0]!.message).toBe('task "x" is downstream of setup "s" and also waits for its teardown "t"');
  });

  it("GANTRY2022 also when the task waits for the teardown through another task, at the `after` entry that leads there (review finding)", () => {
    const src = main(`
  const db = p.setup("create-db", { ...img });
  p.task("load", { ...img, after: [db] });
  const drop = p.teardown("drop-db", { ...img, setups: [db] });
  const notify = p.task("notify", { ...img, after: [drop] });
  const audit = p.task("audit", { ...img, after: [notify] });
  p.task("query-db", { ...img, after: [db, audit] });`);
    const ds = diagnose(src).filter((d) => d.code === "GANTRY2022");
    expect(show(ds)).toEqual([`GANTRY2022 ${loc("main.ts", src, "audit] })")} error`]);
    expect(ds[0]!.message).toBe('task "query-db" is downstream of setup "create-db" and also waits for its teardown "drop-db" through "audit"');
    // a task after the teardown that does not need the resource is fine
    const fine = main(`
  const db = p.setup("create-db", { ...img });
  p.task("load", { ...img, after: [db] });
  const drop = p.teardown("drop-db", { ...img, setups: [db] });
  p.task("notify", { ...img, after: [drop] });`);
    expect(diagnose(fine).filter((d) => d.code === "GANTRY2022")).toEqual([]);
    // through another scope: a teardown waits for its setups, one of which comes after drop-db (from review)
    const nested = main(`
  const db = p.setup("db", { ...img });
  p.task("load", { ...img, after: [db] });
  const drop = p.teardown("drop-db", { ...img, setups: [db] });
  const s2 = p.setup("s2", { ...img, after: [drop] });
  const t2 = p.teardown("t2", { ...img, setups: [s2] });
  p.task("use", { ...img, after: [db, t2] });`);
    expect(diagnose(nested).filter((d) => d.code === "GANTRY2022").map((d) => d.message)).toEqual(['task "use" is downstream of setup "db" and also waits for its teardown "drop-db" through "t2"']);
  });

  it("no GANTRY2022 for a teardown that waits for another scope's teardown (astronomer: drop-backup after drop-tmp)", () => {
    // drop-backup is downstream of create-tmp (through swap) and waits for drop-tmp, a teardown of
    // create-tmp. Teardowns do not need the resources of the scopes they sit in (rule 3 binds setups
    // and work only), so nothing contradicts; rule 2 puts drop-backup outside create-tmp's scope.
    expect(show(diagnose(roseTable(true)))).toEqual([]);
  });

  it("GANTRY2023 (warning): a teardown whose scope is empty, at the teardown", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img });
  p.teardown("t", { ...img, setups: [s] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2023 ${decl(src, "t")} warning`]);
    expect(ds[0]!.message).toBe('teardown "t" has an empty scope: it runs right after "s"');
  });

  it('GANTRY2027 (warning): a schedule whose concurrencyPolicy "Replace" would end a run without its teardown, at the policy (from review)', () => {
    const body = `
  const s = p.setup("s", { ...img });
  const w = p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s] });
  p.finally("f", { ...img });`;
    const withPolicy = (policy: string) => main(body).replace("pipeline(\"checks\", {}", `pipeline("checks", { schedule: { cron: "@hourly", concurrencyPolicy: "${policy}" } }`);
    const src = withPolicy("Replace");
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2027 ${loc("main.ts", src, '"Replace"')} warning`]);
    expect(ds[0]!.message).toBe('schedule concurrencyPolicy "Replace" ends a run still going when the next is due without its cleanup: teardown "t" and finally "f" do not run then');
    // One cleanup task is named alone (dogfooding finding: "and the other ..." when there was none).
    const one = main(`\n  p.task("w", { ...img });\n  p.finally("f", { ...img });`).replace("pipeline(\"checks\", {}", 'pipeline("checks", { schedule: { cron: "@hourly", concurrencyPolicy: "Replace" } }');
    expect(diagnose(one).map((d) => d.message)).toEqual(['schedule concurrencyPolicy "Replace" ends a run still going when the next is due without its cleanup: finally "f" does not run then']);
    expect(show(diagnose(withPolicy("Forbid")))).toEqual([]);
  });

  it('GANTRY2029 (warning): concurrencyPolicy "Allow" with a setup whose resource every run makes alike, at the policy; not when the setup names it after the run (review)', () => {
    const withBody = (body: string) => main(body).replace("pipeline(\"checks\", {}", 'pipeline("checks", { schedule: { cron: "@hourly", concurrencyPolicy: "Allow" } }');
    const src = withBody(`
  const s = p.setup("create-tmp", { ...img, args: ["CREATE TABLE tmp"] });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2029 ${loc("main.ts", src, '"Allow"')} warning`]);
    expect(ds[0]!.message).toBe('schedule concurrencyPolicy "Allow" lets runs overlap, and setup "create-tmp" makes the same resource in every run: one run\'s teardown can remove it while another run\'s work uses it');
    const perRun = withBody(`
  const s = p.setup("create-tmp", { ...img, args: [\`CREATE TABLE tmp_\${p.runId}\`] });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s] });`);
    expect(show(diagnose(perRun))).toEqual([]);
    // no setups, nothing shared
    expect(show(diagnose(withBody(`
  p.task("w", { ...img });`)))).toEqual([]);
    // a setup without a teardown is not named (from review)
    const mixed = withBody(`
  const warm = p.setup("warm-cache", { ...img });
  p.task("v", { ...img, after: [warm] });
  const s = p.setup("create-tmp", { ...img });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s] });`);
    expect(diagnose(mixed).filter((d) => d.code === "GANTRY2029").map((d) => d.message)).toEqual([
      'schedule concurrencyPolicy "Allow" lets runs overlap, and setup "create-tmp" makes the same resource in every run: one run\'s teardown can remove it while another run\'s work uses it',
    ]);
  });

  it('GANTRY2024: trigger "allDone" right after a setup, at the trigger', () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s], trigger: "allDone" });
  p.teardown("t", { ...img, setups: [s] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2024 ${loc("main.ts", src, '"allDone"')} error`]);
    expect(ds[0]!.message).toBe('task "w" runs right after setup "s" but has trigger "allDone"');
  });

  it("GANTRY2024: allowFailure on a setup, at its value", () => {
    const src = main(`
  const s = p.setup("s", { ...img, allowFailure: true });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2024 ${loc("main.ts", src, "true })")} error`]);
    expect(ds[0]!.message).toBe('setup "s" cannot allowFailure: its scope does not run when it fails');
  });

  it("`trigger` on a teardown is a schema error (GANTRY2001), at the value", () => {
    const src = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s], trigger: "allDone" });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2001 ${loc("main.ts", src, '"allDone"')} error`]);
    expect(ds[0]!.message).toMatch(/^task "t": trigger: a teardown's trigger is fixed/);
  });

  it("what the types forbid, refused without --typecheck too (review): `trigger` on a finally task; `failsRun` with `allowFailure` on a teardown", () => {
    const fin = main(`
  p.task("w", { ...img });
  p.finally("f", { ...img, trigger: "allDone" });`);
    const ds = diagnose(fin);
    expect(show(ds)).toEqual([`GANTRY2001 ${loc("main.ts", fin, "trigger")} error`]);
    expect(ds[0]!.message).toBe('task "f": trigger: a finally task\'s trigger is fixed: it runs after everything else, whatever happened');
    const both = main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s], failsRun: true, allowFailure: true });`);
    const ds2 = diagnose(both);
    expect(show(ds2)).toEqual([`GANTRY2001 ${loc("main.ts", both, "allowFailure")} error`]);
    expect(ds2[0]!.message).toMatch(/^task "t": failsRun and allowFailure contradict/);
    // each alone is fine
    for (const one of ["failsRun: true", "allowFailure: true"]) {
      expect(diagnose(main(`
  const s = p.setup("s", { ...img });
  p.task("w", { ...img, after: [s] });
  p.teardown("t", { ...img, setups: [s], ${one} });`))).toEqual([]);
    }
  });

  it("a \`when\` written as Argo's expression text says what a condition is; in \`defaults\` it is a task field", () => {
    const src = main(`
  p.task("w", { ...img, when: "mode == full" });`);
    const ds = diagnose(src);
    expect(ds.map((d) => d.code)).toEqual(["GANTRY2001"]);
    expect(ds[0]!.message).toContain("a condition is an object such as `{ param: p.params.env, equals: \"prod\" }`, not an expression's text");
    const inDefaults = diagnose(main(`
  p.task("w", { ...img });`).replace("{}, (p)", '{ parameters: { mode: {} }, defaults: { when: { param: "{{params.mode}}", equals: "x" } } } as any, (p)'));
    expect(inDefaults.map((d) => d.hint)).toEqual([expect.stringMatching(/^`when` is a task field that `defaults` does not take/)]);
  });

  it("GANTRY2025: a finally task with `after`, at its `after`", () => {
    const src = main(`
  const w = p.task("w", { ...img });
  p.finally("f", { ...img, after: [w] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2025 ${loc("main.ts", src, "[w]")} error`]);
    expect(ds[0]!.message).toBe('finally task "f" cannot have `after`: it runs after everything else');
  });

  it("GANTRY2025: a task that depends on a finally task, at that task in its `after`", () => {
    const src = main(`
  const f = p.finally("f", { ...img });
  p.task("late", { ...img, after: [f] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2025 ${loc("main.ts", src, "f] })")} error`]);
    expect(ds[0]!.message).toBe('task "late" depends on finally task "f", which runs after everything else');
  });

  it("GANTRY2004: a cycle that exists only through scopes (no `after` cycle), at its first task", () => {
    // a needs s1 and waits for t2; t2 waits for b (its scope); b waits for t1; t1 waits for a.
    const src = main(`
  const s1 = p.setup("s1", { ...img });
  const s2 = p.setup("s2", { ...img });
  const t2 = p.teardown("t2", { ...img, setups: [s2] });
  p.task("a", { ...img, after: [s1, t2] });
  const t1 = p.teardown("t1", { ...img, setups: [s1] });
  p.task("b", { ...img, after: [s2, t1] });`);
    const ds = diagnose(src);
    expect(show(ds)).toEqual([`GANTRY2004 ${decl(src, "t2")} error`]);
    expect(ds[0]!.message).toBe("dependency cycle through setup/teardown scopes: t2 -> b -> t1 -> a -> t2");
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI

describe("gantry compile with setup/teardown (the CLI)", () => {
  /** A project with `pipelines/<file>` and a prefilled output directory; runs `gantry compile`. */
  function run(file: string, source: string) {
    const dir = tempProject({ [`pipelines/${file}`]: source });
    const out = path.join(dir, "manifests");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "old.yaml"), "# old manifest\n");
    const before = snapshotDir(out);
    const r = gantry(["compile", "pipelines", "--out", "manifests"], dir);
    return { ...r, before, after: snapshotDir(out), at: (name: string) => decl(source, name).replace("main.ts", `pipelines/${file}`) };
  }

  it("a cycle through scopes exits 1 with GANTRY2004 at its position, and writes nothing", () => {
    const src = pipelineModule("cyclic", `
  const s1 = p.setup("s1", { ...img });
  const s2 = p.setup("s2", { ...img });
  const t2 = p.teardown("t2", { ...img, setups: [s2] });
  p.task("a", { ...img, after: [s1, t2] });
  const t1 = p.teardown("t1", { ...img, setups: [s1] });
  p.task("b", { ...img, after: [s2, t1] });`);
    const r = run("cyclic.ts", src);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.at("t2")}: error GANTRY2004: dependency cycle through setup/teardown scopes: t2 -> b -> t1 -> a -> t2`);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(r.after).toEqual(r.before);
  });

  it("a valid setup/teardown pipeline compiles on Argo: exit 0, its manifest written, GANTRY4005 at the teardown", () => {
    // The brief for this file expected the Argo backend to refuse setup/teardown (GANTRY4004); the
    // Argo lowering landed meanwhile (commit df3886c) and GANTRY4004 is gone. What remains on Argo is
    // the stop/deadline warning (docs/semantics.md, Targets).
    const r = run("p1.ts", p1(false));
    expect(r.stderr).not.toMatch(/: error /);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${r.at("t")}: warning GANTRY4005:`);
    expect(Object.keys(r.after).sort()).toEqual(["kustomization.yaml", "old.yaml", "p1.yaml"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: `evaluate` against DESIGN §5, restated here from the text


/**
 * A random pipeline module of 2-8 tasks. Dependencies point at earlier tasks (handles must exist
 * before use), so `after` alone never cycles; cycles through scopes and GANTRY2022 can still occur
 * and such pipelines are dropped by the caller. Avoided here by construction: what is an error
 * regardless of shape (allowFailure on a setup, allDone right after a setup, finally with `after`
 * or depended on).
 */
function randomPipeline(rand: () => number, name: string): string {
  const n = 2 + Math.floor(rand() * 7);
  const roles: ("setup" | "work" | "teardown" | "finally")[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const earlierSetups = roles.flatMap((r, j) => (r === "setup" ? [j] : []));
    const r = rand();
    const role = r < 0.3 ? "setup" : r < 0.6 || i === 0 ? "work" : r < 0.88 ? (earlierSetups.length > 0 ? "teardown" : "work") : "finally";
    roles.push(role);
    const fields = ["...img"];
    if (role !== "finally") {
      const deps = roles.slice(0, i).flatMap((rr, j) => (rr !== "finally" && rand() < (rr === "teardown" ? 0.25 : 0.35) ? [j] : []));
      if (deps.length > 0) fields.push(`after: [${deps.map((j) => `t${j}`).join(", ")}]`);
      if (role !== "teardown" && !deps.some((j) => roles[j] === "setup") && rand() < 0.3) fields.push('trigger: "allDone"');
    }
    if (role === "teardown") {
      let setups = earlierSetups.filter(() => rand() < 0.5);
      if (setups.length === 0) setups = [earlierSetups[Math.floor(rand() * earlierSetups.length)]!];
      fields.push(`setups: [${setups.map((j) => `t${j}`).join(", ")}]`);
      if (rand() < 0.4) fields.push("failsRun: true");
    }
    // Not both on a teardown (GANTRY2001): the draw is still made, so the pipelines stay the same otherwise.
    if (role !== "setup" && rand() < (role === "teardown" ? 0.1 : 0.25) && !fields.includes("failsRun: true")) fields.push("allowFailure: true");
    const call = role === "work" ? "task" : role;
    lines.push(`  const t${i} = p.${call}("t${i}", { ${fields.join(", ")} });`);
  }
  return pipelineModule(name, lines.join("\n"));
}

/** DESIGN §5 restated over the IR, independently of src/phases/4-lower. */
class Rules {
  readonly byName: Map<string, IR.Task>;
  readonly scope = new Map<string, Set<string>>();
  constructor(readonly pipeline: IR.Pipeline) {
    this.byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
    for (const s of pipeline.tasks.filter((t) => t.role === "setup")) {
      // Rule 2: downstream (through `after` and setup-to-teardown edges), not a teardown of s, not after one.
      const teardowns = pipeline.tasks.filter((t) => t.setups.includes(s.name)).map((t) => t.name);
      const afterTeardowns = new Set(teardowns.flatMap((t) => [t, ...this.downstream(t)]));
      this.scope.set(s.name, new Set([...this.downstream(s.name)].filter((x) => !afterTeardowns.has(x))));
    }
  }
  /** Tasks `x` leads to: those listing it in `after`, and for a setup the teardowns listing it in `setups`. */
  next(x: string): string[] {
    return this.pipeline.tasks.filter((t) => t.dependencies.includes(x) || t.setups.includes(x)).map((t) => t.name);
  }
  downstream(x: string): Set<string> {
    const seen = new Set<string>();
    const todo = this.next(x);
    while (todo.length > 0) {
      const y = todo.pop()!;
      if (!seen.has(y)) {
        seen.add(y);
        todo.push(...this.next(y));
      }
    }
    return seen;
  }
  /** Setups whose scope holds `x`. */
  enclosing(x: string): string[] {
    return [...this.scope].filter(([, members]) => members.has(x)).map(([s]) => s);
  }
  /** Rule 2: a teardown's scope is the union of its setups' scopes. */
  teardownScope(t: IR.Task): Set<string> {
    return new Set(t.setups.flatMap((s) => [...this.scope.get(s)!]));
  }
  /** What `x` waits for (rules 3, 4, 6). */
  waits(x: IR.Task): string[] {
    if (x.role === "finally") return this.pipeline.tasks.filter((t) => t.role !== "finally").map((t) => t.name);
    if (x.role === "teardown") return [...x.dependencies, ...x.setups, ...this.teardownScope(x)];
    return x.dependencies;
  }
}

/** Every way `ev` breaks DESIGN §5 for `pipeline` under `outcomes`, as readable lines. */
function violations(rules: Rules, outcomes: Readonly<Record<string, Outcome>>, ev: Evaluation): string[] {
  const out: string[] = [];
  const { pipeline } = rules;
  const state = (n: string) => ev.states[n];
  const ok = (n: string) => state(n) === "succeeded";
  const failed = (n: string) => state(n) === "failed" || state(n) === "errored";
  const ran = (n: string) => state(n) !== "not-run";
  const expectedState = { succeeds: "succeeded", fails: "failed", errors: "errored" } as const;

  // Totality: one state per task; `ran` lists exactly the tasks that ran, once; a task that ran did what its outcome says.
  if (sorted(Object.keys(ev.states)).join() !== sorted(pipeline.tasks.map((t) => t.name)).join()) out.push("states do not cover exactly the tasks");
  if (sorted(ev.ran).join() !== sorted(pipeline.tasks.filter((t) => ran(t.name)).map((t) => t.name)).join()) out.push("`ran` is not the set of tasks that ran");
  for (const n of ev.ran) if (state(n) !== expectedState[outcomes[n] ?? "succeeds"]) out.push(`${n} ran but its state ${state(n)} is not its outcome`);

  for (const t of pipeline.tasks) {
    const enclosing = rules.enclosing(t.name);
    if (t.role === "setup" || t.role === "work") {
      // Rule 3, both directions.
      const depsOk =
        t.trigger === "allDone" || t.dependencies.every((d) => ok(d) || (failed(d) && rules.byName.get(d)!.allowFailure));
      const setupsOk = enclosing.every(ok);
      if (ran(t.name) !== (depsOk && setupsOk)) out.push(`rule 3: ${t.name} ran=${ran(t.name)} but dependencies ok=${depsOk}, enclosing setups ok=${setupsOk}`);
      if (ran(t.name) && !setupsOk) out.push(`rule 3: scoped ${t.name} ran though an enclosing setup did not succeed`);
    } else if (t.role === "teardown") {
      // Rule 4: runs iff one of its setups succeeded, whatever the work did.
      if (ran(t.name) !== t.setups.some(ok)) out.push(`rule 4: teardown ${t.name} ran=${ran(t.name)} with setups ${t.setups.map((s) => `${s}=${state(s)}`).join(", ")}`);
    } else if (!ran(t.name)) out.push(`rule 6: finally ${t.name} did not run`);

    // Order: nothing runs before something it waits for.
    if (ran(t.name)) {
      for (const w of rules.waits(t)) {
        if (ran(w) && ev.ran.indexOf(w) > ev.ran.indexOf(t.name)) out.push(`order: ${t.name} ran before ${w}, which it waits for`);
      }
    }
  }

  // Rule 5, both directions.
  const nonTeardowns = pipeline.tasks.filter((t) => t.role !== "teardown");
  const failedForGood = nonTeardowns.some((t) => failed(t.name) && !t.allowFailure);
  const neededDidNotSucceed = (t: IR.Task) =>
    rules.enclosing(t.name).some((s) => !ok(s)) ||
    (t.trigger === "allSucceeded" && t.dependencies.some((d) => !ok(d) && !(failed(d) && rules.byName.get(d)!.allowFailure)));
  const blocked = nonTeardowns.some((t) => !ran(t.name) && neededDidNotSucceed(t));
  const teardownFailsRun = pipeline.tasks.some((t) => t.role === "teardown" && t.failsRun && failed(t.name));
  const shouldFail = failedForGood || blocked || teardownFailsRun;
  if ((ev.result === "failed") !== shouldFail) out.push(`rule 5: result ${ev.result}, expected ${shouldFail ? "failed" : "succeeded"} (failed for good ${failedForGood}, blocked ${blocked}, failsRun teardown ${teardownFailsRun})`);
  if ((ev.reasons.length > 0) !== (ev.result === "failed")) out.push(`reasons ${JSON.stringify(ev.reasons)} disagree with result ${ev.result}`);
  return out;
}

describe("property: evaluate follows DESIGN §5 on 300 random pipelines", () => {
  const WANTED = 300;
  const rand = rng(0x5e7d);
  let cases: { source: string; ir: IR.Pipeline }[] = [];
  let dropped: string[] = [];

  beforeAll(() => {
    // Generate in batches (one project each, one module per pipeline) until enough compile cleanly.
    for (let batch = 0; cases.length < WANTED && batch < 10; batch++) {
      const files: Files = {};
      for (let i = 0; i < 150; i++) files[`p${batch}-${i}.ts`] = randomPipeline(rand, `p${batch}-${i}`);
      const cwd = tempProject(files);
      const program = createSourceProgram(cwd);
      const analysis = analyze(program, Object.keys(files).sort().map((f) => path.join(cwd, f)));
      const validation = validate(analysis.units);
      expect([...analysis.diagnostics, ...validation.diagnostics].map((d) => `${where(d)} ${d.message}`)).toEqual([]);
      for (const p of validation.pipelines) {
        const errors = lower(p).diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) dropped.push(...errors.map((d) => d.code));
        else if (cases.length < WANTED) cases.push({ source: files[`${p.name}.ts`]!, ir: p });
      }
    }
  });

  it("the generator yields 300 valid pipelines covering every shape of interest", () => {
    expect(cases).toHaveLength(WANTED);
    expect(new Set(dropped)).toEqual(new Set(dropped.filter((c) => c === "GANTRY2004" || c === "GANTRY2022")));
    const count = (pred: (p: IR.Pipeline, r: Rules) => boolean) => cases.filter(({ ir: p }) => pred(p, new Rules(p))).length;
    const coverage = {
      teardowns: count((p) => p.tasks.some((t) => t.role === "teardown")),
      nested: count((p, r) => p.tasks.some((t) => t.role === "setup" && r.enclosing(t.name).length > 0)),
      severalSetups: count((p) => p.tasks.some((t) => t.setups.length > 1)),
      severalTeardowns: count((p) => p.tasks.some((s) => p.tasks.filter((t) => t.setups.includes(s.name)).length > 1)),
      afterTeardown: count((p) => p.tasks.some((t) => t.dependencies.some((d) => p.tasks.find((x) => x.name === d)!.role === "teardown"))),
      allDone: count((p) => p.tasks.some((t) => t.trigger === "allDone")),
      allowFailure: count((p) => p.tasks.some((t) => t.allowFailure)),
      failsRun: count((p) => p.tasks.some((t) => t.failsRun)),
      finally: count((p) => p.tasks.some((t) => t.role === "finally")),
    };
    for (const [shape, n] of Object.entries(coverage)) expect(n, shape).toBeGreaterThanOrEqual(10);
  });

  it("computeScopes agrees with rule 2 as restated here", () => {
    for (const { source, ir: p } of cases) {
      const mine = new Rules(p);
      const theirs = computeScopes(p);
      for (const [s, members] of mine.scope) expect(sorted([...theirs.ofSetup.get(s)!]), `scope of ${s} in\n${source}`).toEqual(sorted([...members]));
      for (const t of p.tasks.filter((x) => x.role === "teardown")) expect(sorted([...theirs.ofTeardown.get(t.name)!]), `scope of ${t.name} in\n${source}`).toEqual(sorted([...mine.teardownScope(t)]));
    }
  });

  it("every rule holds for 4 random outcome sets per pipeline, and all-succeed runs everything", () => {
    const outcomeRand = rng(0xfa11);
    const failures: string[] = [];
    for (const { source, ir: p } of cases) {
      const rules = new Rules(p);
      const sets: Record<string, Outcome>[] = [Object.fromEntries(p.tasks.map((t): [string, Outcome] => [t.name, "succeeds"]))];
      for (let k = 0; k < 4; k++) {
        sets.push(Object.fromEntries(p.tasks.map((t): [string, Outcome] => {
          const r = outcomeRand();
          return [t.name, r < 0.6 ? "succeeds" : r < 0.9 ? "fails" : "errors"];
        })));
      }
      for (const outcomes of sets) {
        const ev = evaluate(p, outcomes);
        const found = violations(rules, outcomes, ev);
        if (JSON.stringify(evaluate(p, outcomes)) !== JSON.stringify(ev)) found.push("not deterministic");
        if (found.length > 0) failures.push(`${found.join("\n")}\noutcomes ${JSON.stringify(outcomes)}\nevaluation ${JSON.stringify(ev)}\n${source}`);
      }
      const all = evaluate(p, sets[0]!);
      if (all.result !== "succeeded" || all.ran.length !== p.tasks.length) failures.push(`all succeed, yet ${JSON.stringify(all)}\n${source}`);
    }
    expect(failures.slice(0, 3).join("\n\n")).toBe("");
  });

  it("a teardown without failsRun that nothing waits for never changes the result (DESIGN §5 worked example)", () => {
    const outcomeRand = rng(0x7ea2);
    let checked = 0;
    for (const { source, ir: p } of cases) {
      const outcomes = Object.fromEntries(p.tasks.map((t): [string, Outcome] => [t.name, outcomeRand() < 0.7 ? "succeeds" : "fails"]));
      for (const t of p.tasks.filter((x) => x.role === "teardown" && !x.failsRun && !p.tasks.some((y) => y.dependencies.includes(x.name)))) {
        const a = evaluate(p, { ...outcomes, [t.name]: "succeeds" });
        const b = evaluate(p, { ...outcomes, [t.name]: "fails" });
        expect(b.result, `${t.name} in\n${source}`).toBe(a.result);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("the restated rules are not vacuous: they catch a wrong result, a wrong order and a skipped teardown", () => {
    const p = ir("p1");
    const rules = new Rules(p);
    const outcomes: Record<string, Outcome> = { w: "fails" };
    const good = evaluate(p, outcomes);
    expect(violations(rules, outcomes, good)).toEqual([]);
    expect(violations(rules, outcomes, { ...good, result: "succeeded", reasons: [] }).join()).toMatch(/rule 5/);
    expect(violations(rules, outcomes, { ...good, ran: ["s", "t", "w"] }).join()).toMatch(/order: t ran before w/);
    const noTeardown: Evaluation = { ...good, ran: ["s", "w"], states: { ...good.states, t: "not-run" } };
    expect(violations(rules, outcomes, noTeardown).join()).toMatch(/rule 4/);
  });
});

describe("GANTRY2026: p.runStatus outside a finally task", () => {
  it("is an error at the task; in a finally task it becomes Argo's {{workflow.status}}", async () => {
    const { compileFiles, where } = await import("./support/positions.js");
    const bad = `import { pipeline } from "gantry";\nexport default pipeline("rs", {}, (p) => {\n  p.task("w", { image: "x", args: [p.runStatus] });\n});\n`;
    const r = await compileFiles({ "main.ts": bad }, ["main.ts"]);
    expect(r.diagnostics.map(where)).toEqual(["GANTRY2026 main.ts:3:10"]);
    const good = `import { pipeline } from "gantry";\nexport default pipeline("rs", {}, (p) => {\n  p.task("w", { image: "x" });\n  p.finally("f", { image: "x", args: [p.runStatus] });\n});\n`;
    const ok = await compileFiles({ "main.ts": good }, ["main.ts"]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.pipelines[0]!.yaml).toContain("- \"{{workflow.status}}\"");
  });
});
