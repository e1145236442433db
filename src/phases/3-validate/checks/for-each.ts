/**
 * Run-time fan-out: a work task's `forEach` names one list parameter (`p.params.NAME`, declared
 * with a list default or none, so that each run gives the list) or one output of another task
 * (`handle.output("name")`, a read held to the rules of any read, checkOutputReads, and whose
 * default must be a list: `checkForEachDefaults`), and the task declares no outputs (its copies
 * would each write one, and a reader would not know whose). `p.item` stands only where the run can
 * fill a copy's item in: that task's `command`, `args`, `source` and env values. GANTRY2046 for
 * `forEach`, GANTRY2047 for `p.item`. An undeclared parameter is GANTRY2010 (checkParameterRefs),
 * as anywhere in a task.
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import type { TaskRole } from "../../../dsl/handle.js";
import type * as IR from "../../../ir/index.js";
import { ITEM_PLACEHOLDER, outputOf, parameterOf } from "../../../ir/placeholders.js";
import type { PlacedRead } from "../../../ir/output-reads.js";
import type { PipelineOptionsInput, TaskPartInput } from "../input-schema.js";
import { walkStrings } from "./values.js";
import type { Where } from "./where.js";

type Parameters = NonNullable<PipelineOptionsInput["parameters"]>;

const EXAMPLE = "`parameters: { tables: { default: [\"orders\", \"users\"] } }` and `forEach: p.params.tables`, with `p.item` in its args";
const OUTPUT_EXAMPLE = "`forEach: list.output(\"tables\")` for a task `list` that writes a JSON list to its output `tables`";

/** `parameters`: the declared ones, when the options validated (else the parameter is not looked at). */
export function checkForEach(bag: DiagnosticBag, task: TaskPartInput, role: TaskRole, parameters: Parameters | undefined, subject: string, where: Where): void {
  checkItemReads(bag, task, subject, where);
  if (task.forEach === undefined) return;
  const at = where.key(["forEach"]);
  // Teardowns: the schema's (input-schema.ts).
  if (role === "setup" || role === "finally") {
    const why = role === "setup" ? "a setup makes one thing that the tasks after it use and one teardown removes" : "a finally task runs once, after everything else";
    bag.error("GANTRY2046", `${subject}: a ${role} task has no \`forEach\`: ${why}`, at, "Fan out a work task (`p.task`), after the setup or before the finally task.");
    return;
  }
  checkNoOutputsOfItsOwn(bag, task, subject, where);
  if (outputOf(task.forEach) !== undefined) return;
  const name = parameterOf(task.forEach);
  if (name === undefined) {
    bag.error(
      "GANTRY2046",
      `${subject}: forEach must be a list parameter, written p.params.NAME, or another task's output, written handle.output("name"), not ${JSON.stringify(task.forEach)}`,
      where.value(["forEach"]),
      `A list known when compiling needs no forEach: declare one task per item with a loop or \`.map\`. For a list each run gives: ${EXAMPLE}; for one a task makes: ${OUTPUT_EXAMPLE}.`,
    );
    return;
  }
  const declared = parameters && Object.hasOwn(parameters, name) ? parameters[name]! : undefined;
  if (declared?.default !== undefined && !Array.isArray(declared.default)) {
    bag.error(
      "GANTRY2046",
      `${subject}: forEach runs over parameter "${name}", whose default ${JSON.stringify(declared.default)} is not a list`,
      where.value(["forEach"]),
      `Declare it with a list default (${EXAMPLE}); a run then gives the list as JSON text, \`["a","b"]\`.`,
    );
  } else if (declared?.enum !== undefined) {
    bag.error("GANTRY2046", `${subject}: forEach runs over parameter "${name}", which has an \`enum\` of single values, not a list`, where.value(["forEach"]), `Leave out \`enum\`: ${EXAMPLE}.`);
  }
}

function checkNoOutputsOfItsOwn(bag: DiagnosticBag, task: TaskPartInput, subject: string, where: Where): void {
  if (task.outputs !== undefined) {
    bag.error(
      "GANTRY2046",
      `${subject}: a task with forEach declares no outputs: each of its copies would write its own, and a task reading one could not tell whose`,
      where.key(["outputs"]),
      "Have each copy write its result somewhere named after its item (a table, an object key), and a task after the fan-out collect them.",
    );
  }
}

/** The output a `forEach` runs over, at its path, for checkOutputReads; none for a parameter's. */
export function forEachReads(forEach: string | undefined): PlacedRead[] {
  const ref = forEach === undefined ? undefined : outputOf(forEach);
  return ref ? [{ task: ref.task, output: ref.name, at: ["forEach"] }] : [];
}

/**
 * GANTRY2046 for a fan-out over an output whose default is not a JSON list: the task would fail
 * whenever the output's producer did not succeed. Run once the tasks are known, after the reads
 * themselves were checked (an unknown output is GANTRY2044's).
 */
export function checkForEachDefaults(bag: DiagnosticBag, tasks: readonly IR.Task[], whereOf: (task: IR.Task) => Where): void {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  for (const t of tasks) {
    if (!t.forEach || !("output" in t.forEach)) continue;
    const { task, name } = t.forEach.output;
    const output = byName.get(task)?.outputs?.find((o) => o.name === name);
    const fallback = output?.default;
    if (fallback === undefined || isJsonList(fallback)) continue;
    bag.error(
      "GANTRY2046",
      `task "${t.name}": forEach runs over output "${name}" of task "${task}", whose default ${JSON.stringify(fallback)} is not a JSON list; the task would fail whenever "${task}" did not succeed`,
      whereOf(t).value(["forEach"]),
      `Give the output a list default: \`outputs: { ${name}: { path: "${output!.path}", default: "[]" } }\` (an empty list skips the fan-out).`,
    );
  }
}

function isJsonList(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Fields where the run fills in a copy's item. */
const ITEM_FIELDS = new Set<PropertyKey>(["command", "args", "source", "env"]);

/** `p.item`: only in a fan-out task, and only in its command, args, source and env values (GANTRY2047). */
function checkItemReads(bag: DiagnosticBag, task: TaskPartInput, subject: string, where: Where): void {
  walkStrings(task, [], (s, path) => {
    if (!s.includes(ITEM_PLACEHOLDER)) return;
    const field = path[0]!;
    // A value `when` compares with is a constant, or GANTRY2041 says so.
    if (field === "when" && task.forEach !== undefined) return;
    if (task.forEach === undefined) {
      bag.error("GANTRY2047", `${subject}: ${path.join(".")} uses p.item, but the task has no forEach`, where.value(path), "`p.item` is the item of a fan-out task's copy: give the task `forEach: p.params.NAME` (a list parameter) or `forEach: handle.output(\"name\")` (a list a task before it writes), or use a constant.");
    } else if (!ITEM_FIELDS.has(field) || (field === "env" && path.length !== 2)) {
      bag.error(
        "GANTRY2047",
        `${subject}: ${path.join(".")} uses p.item, which is known only once a copy of the task runs; ${String(field)} must be fixed when the task is compiled`,
        where.value(path),
        "Use `p.item` in the task's command, args, source or env values, where each copy gets its item.",
      );
    }
  });
}

/** `p.item` in the pipeline options, outside any task (GANTRY2047). */
export function checkItemInOptions(bag: DiagnosticBag, options: PipelineOptionsInput, where: Where): void {
  walkStrings(options, [], (s, path) => {
    if (s.includes(ITEM_PLACEHOLDER)) bag.error("GANTRY2047", `pipeline options: ${path.join(".")} uses p.item, the item of a fan-out task's copy, outside any task`, where.value(path), "Use `p.item` in a task with `forEach`, in its command, args, source or env values.");
  });
}
