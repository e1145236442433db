/**
 * The outputs a task reads: `{{tasks.TASK.outputs.NAME}}` in its command, args, script or env
 * values, the only fields validation lets hold them; and those its `when` tests.
 */
import { OUTPUT_MARK, OUTPUT_PATTERN } from "./placeholders.js";
import { leavesOf, type WhenLeaf } from "./condition-tree.js";
import type { Task } from "./schema.js";

export interface OutputRead {
  task: string;
  output: string;
}

/** One read where it is written: `at` is the field's path (`["args", 2]`, `["env", "ROWS"]`, `["source"]`). */
export interface PlacedRead extends OutputRead {
  at: readonly PropertyKey[];
}

const holdsMark = (s: string | undefined) => s !== undefined && s.includes(OUTPUT_MARK);
const NO_READS: never[] = [];

/** Every read in the fields that may hold one (command, args, script, env values), in order, repeats included. */
export function placedReads(task: Task): PlacedRead[] {
  // Asked of every task, and almost none reads an output: look before making paths.
  if (!(task.command?.some(holdsMark) || task.args?.some(holdsMark) || holdsMark(task.script) || task.env.some((e) => holdsMark(e.value)))) return NO_READS;
  const reads: PlacedRead[] = [];
  const scan = (s: string | undefined, at: readonly PropertyKey[]) => {
    if (!holdsMark(s)) return;
    for (const m of s!.matchAll(OUTPUT_PATTERN)) reads.push({ task: m[1]!, output: m[2]!, at });
  };
  task.command?.forEach((s, i) => scan(s, ["command", i]));
  task.args?.forEach((s, i) => scan(s, ["args", i]));
  scan(task.script, ["source"]);
  for (const e of task.env) scan(e.value, ["env", e.name]);
  return reads;
}

/** The outputs a task reads, each once, in the order first written. */
export function outputReads(task: Task): OutputRead[] {
  const placed = placedReads(task);
  if (placed.length === 0) return NO_READS;
  const reads = new Map<string, OutputRead>();
  for (const { task: t, output } of placed) if (!reads.has(`${t}.${output}`)) reads.set(`${t}.${output}`, { task: t, output });
  return [...reads.values()];
}

/** The outputs a task's `when` tests, each once, in the order first written. */
export function testedOutputs(task: Task): OutputRead[] {
  if (task.when === undefined) return NO_READS;
  const found = new Map<string, OutputRead>();
  for (const leaf of leavesOf<WhenLeaf>(task.when)) {
    if ("output" in leaf && !found.has(`${leaf.output.task}.${leaf.output.name}`)) found.set(`${leaf.output.task}.${leaf.output.name}`, { task: leaf.output.task, output: leaf.output.name });
  }
  return found.size === 0 ? NO_READS : [...found.values()];
}

/**
 * The name a read takes as a parameter of the reading task's template on Argo: `TASK-NAME`. Output
 * names hold no `-` (GANTRY2043), so distinct reads never share one.
 */
export const outputParameterName = (read: OutputRead): string => `${read.task}-${read.output}`;

/**
 * Whether `producer` has surely succeeded whenever `reader` runs (DESIGN §5 rules 3 and 4):
 *   - a setup or work task runs only once every setup whose scope holds it (`enclosing`, scopes.ts)
 *     succeeded, whatever its trigger (a skipped one skips it): so when the producer is one of
 *     them, or one of them runs only after the producer succeeded;
 *   - one with the default trigger runs only once each task in its `after` succeeded or failed
 *     with `allowFailure`: so also when the producer is in its `after` without `allowFailure`, or
 *     some task in its `after` runs only after the producer succeeded;
 *   - a teardown runs once one of its setups succeeded: so when each of its setups is the producer,
 *     or runs only after the producer succeeded;
 *   - an `allDone` task runs whatever its `after` did: never from its `after` alone.
 * Sound, not complete (a task between them with a `when` that tests the producer's output, say).
 */
export function surelySucceeded(byName: ReadonlyMap<string, Task>, enclosing: ReadonlyMap<string, readonly string[]>): (producer: string, reader: Task) => boolean {
  const memo = new Map<string, boolean>();
  const sure = (producer: string, reader: Task): boolean => {
    const key = `${producer}\u0000${reader.name}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false);
    let result: boolean;
    if (reader.role === "teardown") {
      result = reader.setups.length > 0 && reader.setups.every((s) => s === producer || ranAfter(producer, s));
    } else if (reader.role === "finally") {
      result = false;
    } else {
      result =
        (enclosing.get(reader.name) ?? []).some((s) => s === producer || ranAfter(producer, s)) ||
        (reader.trigger !== "allDone" && reader.dependencies.some((d) => (d === producer ? !byName.get(d)!.allowFailure : ranAfter(producer, d))));
    }
    memo.set(key, result);
    return result;
  };
  // A task that ran (succeeded, or failed with allowFailure) ran after the producer succeeded.
  const ranAfter = (producer: string, task: string): boolean => {
    const t = byName.get(task);
    return t !== undefined && sure(producer, t);
  };
  return sure;
}
