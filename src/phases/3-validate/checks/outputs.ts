/**
 * Task outputs: what a task declares (`outputs`) and where other tasks read them
 * (`handle.output("name")`, the `{{tasks.TASK.outputs.NAME}}` placeholder). A read is a promise
 * that the value exists when the reading task starts, so it must come from a task upstream of the
 * reader, and either that task surely succeeded whenever the reader runs, or the output has a default.
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import type * as IR from "../../../ir/index.js";
import { OUTPUT_MARK, OUTPUT_NAME, OUTPUT_PATTERN } from "../../../ir/placeholders.js";
import { placedReads, surelySucceeded, type PlacedRead } from "../../../ir/output-reads.js";
import { computeScopes } from "../../../ir/scopes.js";
import { formatPath } from "./schema-issues.js";
import { closestName } from "../../../util/closest-name.js";
import type { Where } from "./where.js";

const MAX_OUTPUT_NAME = 63;
const WHERE_READ = "command, args, env values or script";

type OutputInput = string | { path: string; default?: string | undefined };

/** GANTRY2043 for a task's `outputs` that cannot work: a finally task's, a bad name, a path that is not an absolute file path. */
export function checkOutputDeclarations(bag: DiagnosticBag, outputs: Readonly<Record<string, OutputInput>> | undefined, role: IR.Task["role"], subject: string, where: Where): void {
  if (outputs === undefined) return;
  if (role === "finally") {
    bag.error("GANTRY2043", `${subject}: a finally task runs after every other task, so no task could read its outputs`, where.key(["outputs"]), "Remove `outputs`, or declare the task with p.task(...).");
    return;
  }
  for (const [name, output] of Object.entries(outputs)) {
    if (!OUTPUT_NAME.test(name) || name.length > MAX_OUTPUT_NAME) {
      bag.error("GANTRY2043", `${subject}: output name "${name}" must be letters, digits and '_', starting with a letter or '_', at most ${MAX_OUTPUT_NAME} characters`, where.key(["outputs", name]), "Write it as an identifier, e.g. `row_count`.");
    }
    const path = typeof output === "string" ? output : output.path;
    const at = typeof output === "string" ? ["outputs", name] : ["outputs", name, "path"];
    const problem = pathProblem(path);
    if (problem) bag.error("GANTRY2043", `${subject}: output "${name}": path "${path}" ${problem}`, where.value(at), 'Give the absolute path of the file the task writes the value to, e.g. "/tmp/rows".');
    if (typeof output !== "string" && output.default?.includes("{{")) {
      bag.error("GANTRY2043", `${subject}: output "${name}": the default holds a placeholder; it must be fixed when the pipeline is compiled`, where.value(["outputs", name, "default"]), "Use a constant default.");
    }
  }
}

function pathProblem(path: string): string | undefined {
  if (path.includes("{{")) return "holds a placeholder; the path must be fixed when the pipeline is compiled";
  if (!path.startsWith("/")) return "is not absolute";
  if (path.endsWith("/")) return "names a folder; an output is one file";
  if (/[\0\n\r]/.test(path)) return "holds a control character";
  return undefined;
}

/**
 * GANTRY2044 for a read that cannot work (an unknown task or output, the reader's own, a finally
 * reader, a task not upstream, a field other than command, args, env values or script) and
 * GANTRY2045 for one whose task may not have succeeded when the reader runs, without a default.
 * `whereOf` locates a task's fields in its spec (values merged from `defaults` fall back to the task);
 * `testsOf` gives the outputs its `when` tests (checks/when.ts whenReads), held to the same rules.
 */
export function checkOutputReads(bag: DiagnosticBag, tasks: readonly IR.Task[], whereOf: (task: IR.Task) => Where, testsOf: (task: IR.Task) => readonly PlacedRead[] = () => []): void {
  // Most pipelines neither declare nor read an output: they cost one look at each task's strings.
  const readsOf = tasks.map((t) => {
    const tests = testsOf(t);
    return tests.length === 0 ? placedReads(t) : [...placedReads(t), ...tests];
  });
  if (!tasks.some((t, i) => t.outputs !== undefined || readsOf[i]!.length > 0)) return;
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const ancestors = ancestorsOf(tasks);
  const sure = surelySucceeded(byName, computeScopes({ tasks: [...tasks] }).enclosing);
  for (const [i, reader] of tasks.entries()) {
    const allowed = readsOf[i]!;
    const elsewhere = readsElsewhere(reader);
    if (allowed.length === 0 && elsewhere.length === 0) continue;
    const where = whereOf(reader);
    const subject = `task "${reader.name}"`;
    for (const read of elsewhere) {
      bag.error("GANTRY2044", `${subject}: ${formatPath(read.at)} reads output "${read.output}" of task "${read.task}"; an output is known only once its task has run, so it can only be read in ${WHERE_READ}`, where.value(read.at), "Pass the value to the task's command, args or env instead.");
    }
    const seen = new Set<string>();
    for (const read of allowed) {
      const key = `${read.task}\u0000${read.output}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const span = where.value(read.at);
      const producer = byName.get(read.task);
      const reads = `${subject}: ${formatPath(read.at)} reads output "${read.output}" of task "${read.task}"`;
      if (!producer) {
        bag.error("GANTRY2044", `${reads}, which is not a task of this pipeline`, span, "Read outputs through the handles of this pipeline's tasks: `handle.output(\"name\")`.");
        continue;
      }
      const declared = (producer.outputs ?? []).map((o) => o.name);
      const output = producer.outputs?.find((o) => o.name === read.output);
      if (!output) {
        const near = closestName(read.output, declared);
        bag.error("GANTRY2044", `${reads}, which declares ${declared.length > 0 ? `only ${declared.map((n) => `"${n}"`).join(", ")}` : "no outputs"}`, span, near ? `Did you mean "${near}"?` : `Declare it on task "${producer.name}": \`outputs: { ${read.output}: "/tmp/${read.output}" }\`.`);
        continue;
      }
      if (producer === reader) {
        bag.error("GANTRY2044", `${reads}: its own output, which exists only once it has run`, span, "Use the value inside the task itself, e.g. read the file it wrote.");
        continue;
      }
      if (reader.role === "finally") {
        bag.error("GANTRY2044", `${reads}; a finally task runs in Argo's exit handler, outside the DAG whose tasks' outputs can be read`, span, "Read the output in a task after it, or have that task record what the finally task needs.");
        continue;
      }
      if (!ancestors.get(reader.name)!.has(producer.name)) {
        bag.error("GANTRY2044", `${reads}, which is not upstream of it: nothing makes "${producer.name}" finish before "${reader.name}" starts`, span, `Add it to \`after\`: \`after: [${handleName(producer.name)}]\`.`);
        continue;
      }
      if (output.default === undefined && !sure(producer.name, reader)) {
        bag.error(
          "GANTRY2045",
          `${reads}, but "${reader.name}" may run when "${producer.name}" did not succeed (${whyUnsure(producer, reader)}), and then the output has no value`,
          span,
          // A fan-out's list wants a list: an empty one skips it.
          `Give the output a default: \`outputs: { ${output.name}: { path: "${output.path}", default: "${read.at[0] === "forEach" ? "[]" : ""}" } }\`, or make "${reader.name}" wait for "${producer.name}" to succeed.`,
        );
      }
    }
  }
}

function scan(s: string, at: readonly PropertyKey[], into: PlacedRead[]): void {
  if (!s.includes(OUTPUT_MARK)) return;
  for (const m of s.matchAll(OUTPUT_PATTERN)) into.push({ task: m[1]!, output: m[2]!, at });
}

/** The reads in every other field, keys included (a label key may hold one as much as a value). */
function readsElsewhere(task: IR.Task): PlacedRead[] {
  const elsewhere: PlacedRead[] = [];
  const walk = (v: unknown, at: PropertyKey[]): void => {
    if (typeof v === "string") scan(v, at, elsewhere);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        scan(k, [...at, k], elsewhere);
        walk(x, [...at, k]);
      }
    }
  };
  const { command: _c, args: _a, script: _s, env, source: _src, name: _n, dependencies: _d, setups: _u, outputs, ...rest } = task;
  walk(rest, []);
  env.forEach((e) => e.valueFrom && walk(e.valueFrom, ["env", e.name]));
  outputs?.forEach((o) => walk(o, ["outputs", o.name]));
  return elsewhere;
}

/** A task name as a guess at its handle's variable (`count-rows` -> `countRows`), for hints. */
const handleName = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Every task's upstream: the tasks in its `after`, and a teardown's setups, transitively. */
function ancestorsOf(tasks: readonly IR.Task[]): Map<string, Set<string>> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const memo = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const out = new Set<string>();
    memo.set(name, out); // the graph is acyclic (checked before); this only guards against a loop
    const t = byName.get(name);
    for (const d of t ? [...t.dependencies, ...t.setups] : []) {
      out.add(d);
      for (const a of visit(d)) out.add(a);
    }
    return out;
  };
  for (const t of tasks) visit(t.name);
  return memo;
}

/** Why `producer` may not have succeeded when `reader` runs, for the message. */
function whyUnsure(producer: IR.Task, reader: IR.Task): string {
  if (reader.trigger === "allDone") return `"${reader.name}" has trigger "allDone"`;
  if (reader.role === "teardown") return "a teardown runs once any one of its setups succeeded";
  if (reader.dependencies.includes(producer.name) && producer.allowFailure) return `"${producer.name}" has allowFailure`;
  return `a task between them may fail without stopping "${reader.name}"`;
}
