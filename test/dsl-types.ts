/**
 * Type-level checks of the DSL: each `@ts-expect-error` line must be an error in the editor.
 * Never executed; test/typescript.test.ts type-checks the project, and fails if one of these
 * lines stops being an error.
 */
import { pipeline, type StepSpec, type TaskHandle, type TaskSpec } from "../src/index.js";

/** A shared helper, typed as docs/dsl.md advises: spreadable into every kind of task (new-user trial). */
const sql = (query: string): StepSpec => ({ image: "postgres:16", command: ["psql", "-c", query] });
const script = (source: string): StepSpec => ({ image: "python:3.12", source });
const asTask = (query: string): TaskSpec => ({ image: "postgres:16", command: ["psql", "-c", query] });

export const typeChecks = () =>
  pipeline("types", {}, (p) => {
    const s = p.setup("s", { image: "x" });
    const w = p.task("w", { image: "x", after: [s], trigger: "allDone" });
    // @ts-expect-error a teardown's trigger is fixed by the scope rules
    p.teardown("t", { image: "x", setups: [s], trigger: "allDone" });
    // @ts-expect-error a teardown names its setups
    p.teardown("t2", { image: "x" });
    // @ts-expect-error finally tasks run after everything else and take no `after`
    p.finally("f", { image: "x", after: [w] });
    // @ts-expect-error `after` takes handles, not names
    p.task("v", { image: "x", after: ["w"] });
    // @ts-expect-error a script task takes no args
    p.task("sc", { image: "x", source: "echo", args: ["a"] });
    // A work task fans out (forEach, p.item); a setup, teardown or finally task does not.
    p.task("fan", { image: "x", args: [p.item], forEach: "{{params.tables}}" });
    // Over another task's output, read through its typed handle (Argo).
    const lister = p.task("lister", { image: "x", outputs: { parts: "/tmp/parts" } });
    p.task("fan-out", { image: "x", args: [p.item], forEach: lister.output("parts"), after: [lister] });
    // @ts-expect-error the handle declares no output "part"
    p.task("fan-typo", { image: "x", forEach: lister.output("part"), after: [lister] });
    // @ts-expect-error a setup makes one thing for one teardown: no forEach
    p.setup("fs", { image: "x", forEach: "{{params.tables}}" });
    // @ts-expect-error a teardown runs once for its setups: no forEach
    p.teardown("ft", { image: "x", setups: [s], forEach: "{{params.tables}}" });
    // @ts-expect-error a finally task runs once: no forEach
    p.finally("ff", { image: "x", forEach: "{{params.tables}}" });
    const db = p.setup("db", { ...sql("CREATE TABLE t") });
    p.task("q", { ...sql("SELECT 1"), after: [db], trigger: "allSucceeded" });
    p.task("py", { ...script("print(1)"), after: [db] });
    p.teardown("drop", { ...sql("DROP TABLE t"), setups: [db], failsRun: true });
    p.finally("report", { ...script("print('done')") });
    // @ts-expect-error a helper typed TaskSpec may carry a trigger, which a teardown does not take: type it StepSpec
    p.teardown("drop2", { ...asTask("DROP TABLE t"), setups: [db] });

    // Outputs: the handle knows the names its task declared.
    const count = p.task("count", { ...sql("SELECT count(*)"), outputs: { rows: "/tmp/rows", table: { path: "/tmp/t", default: "t" } } });
    p.task("use", { image: "x", args: [count.output("rows"), count.output("table")], after: [count] });
    // @ts-expect-error a misspelt output name
    p.task("use2", { image: "x", args: [count.output("row")], after: [count] });
    // @ts-expect-error a task without outputs has none to read
    p.task("use3", { image: "x", args: [w.output("rows")], after: [w] });
    // @ts-expect-error a finally task has no outputs: nothing runs after it
    p.finally("f2", { image: "x", outputs: { rows: "/tmp/rows" } });
    // @ts-expect-error an output is a path or { path, default }
    p.task("bad-output", { image: "x", outputs: { rows: { file: "/tmp/rows" } } });
    // A handle with outputs is still a handle in `after`, and any handle type takes any name.
    const handles: TaskHandle[] = [count, w];
    p.task("fan-in", { image: "x", after: handles, args: [handles[0]!.output("rows")] });
    // A `when` may test an output, compared like a parameter.
    p.task("if-rows", { image: "x", after: [count], when: { all: [{ output: count.output("rows"), notEquals: 0 }, { output: count.output("table"), in: ["t", "u"] }] } });
    // @ts-expect-error a comparison needs a value to compare with
    p.task("if-rows2", { image: "x", after: [count], when: { output: count.output("rows") } });
    // @ts-expect-error a misspelt output name in a `when` too
    p.task("if-rows3", { image: "x", after: [count], when: { output: count.output("row"), equals: "1" } });
  });
