/**
 * Fan-out when compiling, for a target without run-time parameters (jobs): a `forEach` task becomes
 * one task per item of its list's default, `NAME-0`, `NAME-1`, ..., each with its item written where
 * the task read `p.item`. A task after the fan-out waits for every copy, which is rule 3 over the
 * fan-out as one task: with the default trigger it runs once all copies succeeded (or failed with
 * `allowFailure`), with `allDone` once all finished; the run fails when a copy failed. A fan-out
 * over an empty list was skipped before this (skips.ts `whenOf`), so every list here has items.
 * A fan-out over another task's output has no list until that task has run (GANTRY4037), unless the
 * defaults skipped that task: its output is then its default, known now (`skippedOutput`).
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { ITEM_PLACEHOLDER } from "../../ir/placeholders.js";
import { defaultValues, itemsOf, type OutputValues } from "./skips.js";

/** Kubernetes label values, and so task names, have at most 63 characters. */
const MAX_NAME = 63;

/** The name of copy `i` of `task`: `task-i`, the task's part cut when the whole would be too long. */
export function copyName(task: string, i: number): string {
  const suffix = `-${i}`;
  return `${task.slice(0, MAX_NAME - suffix.length).replace(/-+$/, "")}${suffix}`;
}

/** What a copy made by `expandFanOut` is a copy of: the fan-out task, and the item it runs for. */
export interface CopyOf {
  task: string;
  item: string;
}

export interface Expanded {
  pipeline: IR.Pipeline;
  /** By copy name; empty when nothing fanned out. */
  copies: ReadonlyMap<string, CopyOf>;
  diagnostics: Diagnostic[];
}

const NO_COPIES: ReadonlyMap<string, CopyOf> = new Map();

/** `skippedOutput`: the outputs of the tasks the defaults skipped (skips.ts `skippedOutputs`), known now. */
export function expandFanOut(pipeline: IR.Pipeline, skippedOutput: OutputValues = () => undefined): Expanded {
  if (!pipeline.tasks.some((t) => t.forEach)) return { pipeline, copies: NO_COPIES, diagnostics: [] };
  const values = defaultValues(pipeline);
  const copies = new Map<string, string[]>();
  const origins = new Map<string, CopyOf>();
  const tasks: IR.Task[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const t of pipeline.tasks) {
    if (!t.forEach) {
      tasks.push(t);
      continue;
    }
    const { forEach: source, ...task } = t;
    const list = "param" in source ? values.get(source.param) : skippedOutput(source.output);
    if (list === undefined) {
      // A parameter without a default was skipped before this (GANTRY4011): an output it is.
      if ("output" in source) diagnostics.push(listFromOutput(t, source.output));
      tasks.push(task);
      continue;
    }
    // decideWhen left only fan-outs whose list holds an item; one that is no JSON list makes none.
    const items = itemsOf(list) ?? [];
    const made = items.map((item, i): IR.Task => ({ ...withItem(task, item), name: copyName(t.name, i) }));
    made.forEach((copy, i) => origins.set(copy.name, { task: t.name, item: items[i]! }));
    copies.set(t.name, made.map((c) => c.name));
    tasks.push(...made);
  }
  const rewired = tasks.map((t) => (t.dependencies.some((d) => copies.has(d)) ? { ...t, dependencies: [...new Set(t.dependencies.flatMap((d) => copies.get(d) ?? [d]))] } : t));
  return { pipeline: { ...pipeline, tasks: rewired }, copies: origins, diagnostics: [...diagnostics, ...clashes(pipeline, copies)] };
}

/** GANTRY4037: the Jobs of a run are written when compiling, before any task has left an output. */
function listFromOutput(t: IR.Task, ref: IR.OutputRef): Diagnostic {
  return {
    code: "GANTRY4037",
    severity: "error",
    message: `task "${t.name}": its \`forEach\` runs over output "${ref.name}" of task "${ref.task}", a list known only once that task has run; the jobs target writes every Job when compiling, so it cannot make one per item`,
    span: { file: t.source.file, line: t.source.line, column: t.source.column },
    hint: "Compile for --target argo, which expands the list when the run reaches the task; or run over a list parameter with a default (forEach: p.params.NAME), which the jobs target expands now.",
  };
}

/** The task with `p.item` filled in where validation allows it (GANTRY2047): command, args, script and env values. */
function withItem(task: IR.Task, item: string): IR.Task {
  const fill = (s: string) => s.replaceAll(ITEM_PLACEHOLDER, item);
  const copy: IR.Task = { ...task, env: task.env.map((e) => (e.value === undefined ? e : { ...e, value: fill(e.value) })) };
  // Absent fields stay absent: the IR has no keys whose value is undefined.
  if (task.command) copy.command = task.command.map(fill);
  if (task.args) copy.args = task.args.map(fill);
  if (task.script !== undefined) copy.script = fill(task.script);
  return copy;
}

/** A copy's name that is another task's, or another copy's (GANTRY4036). */
function clashes(pipeline: IR.Pipeline, copies: ReadonlyMap<string, string[]>): Diagnostic[] {
  const owner = new Map(pipeline.tasks.filter((t) => !copies.has(t.name)).map((t) => [t.name, `task "${t.name}"`]));
  const diagnostics: Diagnostic[] = [];
  for (const t of pipeline.tasks) {
    for (const name of copies.get(t.name) ?? []) {
      const other = owner.get(name);
      if (other === undefined) {
        owner.set(name, `a copy of task "${t.name}"`);
        continue;
      }
      diagnostics.push({
        code: "GANTRY4036",
        severity: "error",
        message: `task "${t.name}": the jobs target names its copies after it and their index, and its copy "${name}" would have the name of ${other}`,
        span: { file: t.source.file, line: t.source.line, column: t.source.column },
        hint: `Rename one of them; the copies of a forEach task over n items are named ${copyName(t.name, 0)} to ${copyName(t.name, 9).replace(/-9$/, "-(n-1)")}.`,
      });
    }
  }
  return diagnostics;
}
