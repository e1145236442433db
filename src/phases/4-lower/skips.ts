/**
 * Skipping (DESIGN §5 rule 3, with `when`): a setup, work or finally task whose `when` does not hold
 * is skipped, which is not a failure. A skip reaches the tasks that needed the skipped one to
 * succeed: a task with the default trigger after it, every task in a skipped setup's scope, and a
 * teardown whose setups were all skipped. An `allDone` task counts a skipped dependency as done.
 * A failure wins over a skip: a task with one dependency skipped and another failed did not run.
 */
import type * as IR from "../../ir/index.js";
import type { Scopes } from "../../ir/scopes.js";
import { leavesOf, type WhenLeaf } from "../../ir/condition-tree.js";

/** Values of the run's parameters by name; a parameter the run has no value for is absent. */
export type ParameterValues = ReadonlyMap<string, string>;

/** The run's result as a finally task's `when` tests it (every task but the finally ones). */
export type RunStatus = "Succeeded" | "Failed";

/** The value of an output as a task's `when` sees it: undefined when it has none. */
export type OutputValues = (ref: IR.OutputRef) => string | undefined;

const NO_OUTPUTS: OutputValues = () => undefined;

/** Each output's declared default, by reference: what a task that did not succeed leaves. */
export function declaredDefaults(tasks: readonly IR.Task[]): OutputValues {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  return ({ task, name }) => byName.get(task)?.outputs?.find((o) => o.name === name)?.default;
}

/** The outputs of the tasks in `skipped` (decided when compiling): their defaults; nothing known of the others. */
export function skippedOutputs(defaults: OutputValues, skipped: ReadonlySet<string>): OutputValues {
  return skipped.size === 0 ? NO_OUTPUTS : (ref) => (skipped.has(ref.task) ? defaults(ref) : undefined);
}

/**
 * A task's condition as the lowering reads it: its `when`, and for a fan-out task (`forEach`) that
 * its list holds an item, since a fan-out over an empty list runs nothing and is skipped (as Argo
 * marks it, and as Airflow skips a mapped task over an empty list).
 */
export function whenOf(task: IR.Task): IR.When | undefined {
  if (!task.forEach) return task.when;
  const items: IR.When = { items: task.forEach };
  return task.when ? { all: [task.when, items] } : items;
}

/** Whether the task has a condition that may skip it (`whenOf`). */
export const isConditional = (task: IR.Task): boolean => task.when !== undefined || task.forEach !== undefined;

/**
 * The items of a list's value (JSON text), as the text each copy is given (Argo's `{{item}}`: a
 * string as it is, anything else as JSON); undefined for a value that is not a JSON list, for which
 * Argo fails the task ("withParam value could not be parsed as a JSON list"). JSON `null` is an
 * empty list, as Go's `json.Unmarshal` reads it into Argo's list of items (`jq` prints it for a
 * missing key).
 */
export function itemsOf(value: string): string[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (list === null) return [];
  return Array.isArray(list) ? list.map((item) => (typeof item === "string" ? item : JSON.stringify(item))) : undefined;
}

/**
 * The value of the list a fan-out runs over, for these parameter and output values; undefined when
 * it has none (a parameter the run gives no value, an output not known).
 */
export function listValue(source: IR.ListSource, values: ParameterValues, outputs: OutputValues): string | undefined {
  return "param" in source ? values.get(source.param) : outputs(source.output);
}

/**
 * Whether a list's value lets its fan-out run: it holds an item, or is no list at all (the task
 * then runs, to fail: `itemsOf`). Without a value there is nothing to run over.
 */
const hasItems = (value: string | undefined): boolean => value !== undefined && itemsOf(value)?.length !== 0;

/**
 * Whether `when` holds for these values and, for a finally task, this run result. A parameter or
 * output without a value equals nothing; without a run result (a task that is not a finally task,
 * which validation keeps from testing it), `runStatus` holds for none.
 */
export function holds(when: IR.When, values: ParameterValues, runStatus?: RunStatus, outputs: OutputValues = NO_OUTPUTS): boolean {
  if ("all" in when) return when.all.every((w) => holds(w, values, runStatus, outputs));
  if ("any" in when) return when.any.some((w) => holds(w, values, runStatus, outputs));
  if ("not" in when) return !holds(when.not, values, runStatus, outputs);
  if ("runStatus" in when) return when.runStatus === runStatus;
  if ("items" in when) return hasItems(listValue(when.items, values, outputs));
  const value = "param" in when ? values.get(when.param) : outputs(when.output);
  return value !== undefined && when.in.includes(value);
}

/**
 * What is left of `when` once the parameters have these values: true, false, or a condition on
 * what only the run knows (outputs of other tasks unless `outputs` knows them, and the run's result
 * unless `runStatus` is given).
 */
export function residual(when: IR.When, values: ParameterValues, runStatus?: RunStatus, outputs: OutputValues = NO_OUTPUTS): boolean | IR.When {
  if ("all" in when || "any" in when) {
    const all = "all" in when;
    const parts: IR.When[] = [];
    for (const w of all ? when.all : when.any) {
      const r = residual(w, values, runStatus, outputs);
      if (r === !all) return r; // a false decides `all`, a true decides `any`
      if (r !== all) parts.push(r as IR.When);
    }
    if (parts.length === 0) return all;
    return parts.length === 1 ? parts[0]! : all ? { all: parts } : { any: parts };
  }
  if ("not" in when) {
    const r = residual(when.not, values, runStatus, outputs);
    return typeof r === "boolean" ? !r : { not: r };
  }
  if ("output" in when) {
    const value = outputs(when.output);
    return value === undefined ? when : when.in.includes(value);
  }
  if ("runStatus" in when) return runStatus === undefined ? when : when.runStatus === runStatus;
  if ("items" in when) {
    const value = listValue(when.items, values, outputs);
    return value === undefined && "output" in when.items ? when : hasItems(value);
  }
  const value = values.get(when.param);
  return value !== undefined && when.in.includes(value);
}

/** The parameters a `when` names. */
export function parametersOf(when: IR.When): Set<string> {
  return new Set(leavesOf<WhenLeaf>(when).flatMap((leaf) => ("param" in leaf ? [leaf.param] : "items" in leaf && "param" in leaf.items ? [leaf.items.param] : [])));
}

/** The parameters' defaults, the values of a run that gives none (and all the jobs target knows). */
export function defaultValues(pipeline: IR.Pipeline): ParameterValues {
  return new Map(pipeline.parameters.flatMap((p) => (p.default === undefined ? [] : [[p.name, p.default] as const])));
}

/** The tasks whose skip would make `task` skipped (or not run): those it needs to have succeeded. */
export function needed(task: IR.Task, scopes: Scopes): readonly string[] {
  if (task.role === "teardown" || task.role === "finally") return [];
  const enclosing = scopes.enclosing.get(task.name) ?? [];
  return task.trigger === "allDone" ? enclosing : [...new Set([...task.dependencies, ...enclosing])];
}

/**
 * The tasks a skip of the `seeds` reaches, seeds included (see the top of this file). With every
 * task that has a `when` as seeds, the tasks that may be skipped at run time; with those whose
 * `when` fails for known values, the tasks that are skipped.
 */
export function skipClosure(pipeline: IR.Pipeline, scopes: Scopes, seed: (task: IR.Task) => boolean): Set<string> {
  if (!pipeline.tasks.some(isConditional)) return new Set();
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const memo = new Map<string, boolean>();
  const skipped = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, false); // validated pipelines are acyclic; this only guards the recursion
    const t = byName.get(name);
    const result =
      t !== undefined &&
      (t.role === "teardown"
        ? t.setups.length > 0 && t.setups.every(skipped)
        : (t.role !== "finally" && needed(t, scopes).some(skipped)) || (isConditional(t) && seed(t)));
    memo.set(name, result);
    return result;
  };
  return new Set(pipeline.tasks.filter((t) => skipped(t.name)).map((t) => t.name));
}

/**
 * The pipeline without the tasks in `skipped`, for a target that decides `when` at compile time.
 * A remaining task that waited for a removed one waits for what that one waited for instead
 * (its dependencies, and a teardown's setups), so every remaining task stays downstream of what
 * it was downstream of, and each remaining setup's scope is unchanged. Only tasks that did not
 * need the removed one to succeed can have waited for it (an `allDone` task, a teardown), so a
 * wait is all it was. A teardown that also tore down a skipped setup no longer waits for that
 * setup's scope (an inner teardown with another setup may remain there): there is nothing of it
 * to remove. The remaining tasks' `when` held (a fan-out task's list has items), so it is dropped.
 * (A remaining task may still read an output of a removed one: the target gives it the output's default, `Plan.declared`.)
 * A failure wins over a skip (rule 8): a removed setup or work task would not have run had a
 * teardown in its `after` failed (without `allowFailure`), and not running fails the run (rule 5).
 * With the task gone, that teardown's failure fails the run itself, as if it had `failsRun`. (A
 * failure of any other task it needed fails the run anyway, or is allowed.)
 */
export function withoutSkipped(pipeline: IR.Pipeline, skipped: ReadonlySet<string>): IR.Pipeline {
  if (!pipeline.tasks.some(isConditional)) return pipeline;
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const upstream = new Map<string, string[]>();
  /** What a wait for `name` becomes: itself if it stays, else what it waited for, recursively. */
  const resolve = (name: string): string[] => {
    if (!skipped.has(name)) return [name];
    let up = upstream.get(name);
    if (!up) {
      const t = byName.get(name)!;
      up = [...new Set([...t.dependencies, ...t.setups].flatMap(resolve))];
      upstream.set(name, up);
    }
    return up;
  };
  const failing = new Set(
    pipeline.tasks
      .filter((t) => skipped.has(t.name) && (t.role === "setup" || t.role === "work") && t.trigger === "allSucceeded")
      .flatMap((t) => t.dependencies.filter((d) => !skipped.has(d) && byName.get(d)!.role === "teardown" && !byName.get(d)!.allowFailure)),
  );
  const tasks = pipeline.tasks
    .filter((t) => !skipped.has(t.name))
    .map((t): IR.Task => {
      const { when: _held, ...rest } = t;
      const removedSetups = t.setups.filter((s) => skipped.has(s));
      return {
        ...rest,
        ...(failing.has(t.name) && { failsRun: true }),
        dependencies: [...new Set([...t.dependencies, ...removedSetups].flatMap(resolve))],
        setups: t.setups.filter((s) => !skipped.has(s)),
      };
    });
  return { ...pipeline, tasks };
}
