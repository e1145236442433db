/**
 * Renders a task's guard (the lowering's `runsIf`) as an Argo `when`. Argo substitutes `{{...}}`
 * tags, then evaluates the text with govaluate (shared/reference/argo.md §2.1). A parameter test is
 * an expression tag, `{{=workflow.parameters["env"] == "prod"}}`, evaluated by expr-lang to `true`
 * or `false` before govaluate sees it: the run's value is never pasted into the expression, so a
 * value such as `x' || 'a' == 'a` cannot change its meaning. Another task's result is its phase,
 * quoted: `'{{tasks.load.status}}' == 'Skipped'` (phases are plain words). An output of another task
 * is an expression tag too, over `tasks["count"].outputs.parameters["rows"]` once that task
 * succeeded and the output's default otherwise (folded in, since it is known), so its value is
 * never pasted either. The run's result, in a
 * finally task (the exit handler), is `'{{workflow.status}}' != 'Succeeded'` for "Failed", as in
 * Argo's exit-handler example: `Failed` and `Error` alike.
 */
import type * as IR from "../../ir/index.js";
import type { Guard } from "../../phases/4-lower/index.js";

/** The default of a task's output, if it declares one. */
export type OutputDefault = (ref: IR.OutputRef) => string | undefined;

export function whenExpression(g: Guard | undefined, defaultOf: OutputDefault): string | undefined {
  return g ? render(g, true, defaultOf) : undefined;
}

/**
 * A fan-out task's `withParam`, which also carries its guard. Argo tests a task's `when` per item,
 * and marks a task whose items were all skipped Succeeded (dag.go: a TaskGroup fails only with a
 * failed item), so the tasks after it would run. An empty list, instead, marks the task Skipped
 * ("Skipped, empty params"), as rule 8 wants. So the guard chooses the list: the run's list when it
 * holds, `[]` otherwise, in one expression tag; the list's own emptiness (the guard's `items`) is
 * Argo's to see. Argo resolves `withParam` whenever the task's `depends` holds, its guard false
 * included (argo-workflows#3378): a producer that was skipped, whose outputs are not in scope, is
 * never looked up, since `?:` evaluates one branch.
 */
export function fanOutList(source: IR.ListSource, g: Guard | undefined, defaultOf: OutputDefault): string {
  const rest = g && withoutItems(g);
  const list = "param" in source ? listOfParameter(source.param, rest) : listOfOutput(source.output, rest, defaultOf(source.output));
  if (typeof list === "string") return list;
  return rest ? `{{=${expr(rest, defaultOf)} ? ${list.expr} : "[]"}}` : `{{=${list.expr}}}`;
}

/** A list parameter: a plain tag when nothing guards it, else its expression. */
function listOfParameter(param: string, guard: Guard | undefined): string | { expr: string } {
  return guard ? { expr: `workflow.parameters[${literal(param)}]` } : `{{workflow.parameters.${param}}}`;
}

/**
 * Another task's output: its value once that task succeeded, else its default (validation keeps
 * a read without a default to a task that surely succeeded, GANTRY2045, and a default to a JSON
 * list, GANTRY2046). A plain tag when nothing else is to be tested.
 */
function listOfOutput(ref: IR.OutputRef, guard: Guard | undefined, fallback: string | undefined): string | { expr: string } {
  const task = `tasks[${literal(ref.task)}]`;
  const value = `${task}.outputs.parameters[${literal(ref.name)}]`;
  if (fallback !== undefined) return { expr: `(${task}.status == "Succeeded" ? ${value} : ${literal(fallback)})` };
  return guard ? { expr: value } : `{{tasks.${ref.task}.outputs.parameters.${ref.name}}}`;
}

/** The guard without its `items` tests (conjuncts, from skips.ts `whenOf`); undefined when nothing is left. */
function withoutItems(g: Guard): Guard | undefined {
  if ("items" in g) return undefined;
  if (!("all" in g)) return g;
  const parts = g.all.map(withoutItems).filter((x): x is Guard => x !== undefined);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { all: parts };
}

/** A guard as one expr-lang expression (no tags inside), for `fanOutList`. */
function expr(g: Guard, defaultOf: OutputDefault): string {
  if ("param" in g) return among(`workflow.parameters[${literal(g.param)}]`, g.in);
  if ("output" in g) return outputTest(g.output, g.in, defaultOf);
  if ("task" in g) return `tasks[${literal(g.task)}].status == ${literal(PHASE[g.was])}`;
  if ("not" in g) return `!(${expr(g.not, defaultOf)})`;
  if ("all" in g || "any" in g) {
    const parts = "all" in g ? g.all : g.any;
    return `(${parts.map((p) => expr(p, defaultOf)).join("all" in g ? " and " : " or ")})`;
  }
  // A finally task (the only one that tests the run's result) has no forEach (GANTRY2046), and `items` were taken out.
  throw new Error(`argo backend: ${JSON.stringify(g)} in a fan-out task's guard`);
}

/**
 * The test of another task's output: its value once that task succeeded, else its default. The
 * default is known now, so the test of it is folded in: "did not succeed" holds or fails the test
 * outright, and a producer that was skipped or did not run, which has no outputs in Argo's scope
 * (before v4.0.7), is never looked up: `and`/`or` stop first. Words, not `&&`: the tag is read from
 * the task as JSON, where `&` is escaped.
 */
function outputTest(ref: IR.OutputRef, values: readonly string[], defaultOf: OutputDefault): string {
  const task = `tasks[${literal(ref.task)}]`;
  const test = among(`${task}.outputs.parameters[${literal(ref.name)}]`, values);
  const fallback = defaultOf(ref);
  const defaultHolds = fallback !== undefined && values.includes(fallback);
  return defaultHolds ? `${task}.status != "Succeeded" or ${test}` : `${task}.status == "Succeeded" and ${test}`;
}

const PHASE = { skipped: "Skipped", succeeded: "Succeeded" } as const;

/**
 * An expr-lang string literal. Braces are written as escapes so that no value can close the
 * expression tag (`}}`) early; validation keeps them out of compared values, not out of defaults.
 */
const literal = (s: string): string => JSON.stringify(s).replace(/[{}]/g, (c) => (c === "{" ? "\\u007b" : "\\u007d"));

/** `x == "a"`, or `x in ["a", "b"]`. */
const among = (value: string, values: readonly string[]): string => (values.length === 1 ? `${value} == ${literal(values[0]!)}` : `${value} in [${values.map(literal).join(", ")}]`);

function render(g: Guard, top: boolean, defaultOf: OutputDefault): string {
  if ("param" in g) return `{{=${among(`workflow.parameters[${literal(g.param)}]`, g.in)}}}`;
  // The output of a task that succeeded, else its default (as on the jobs target): `outputTest`.
  if ("output" in g) return `{{=${outputTest(g.output, g.in, defaultOf)}}}`;
  if ("items" in g) throw new Error("argo backend: a fan-out task's list is tested by its withParam (fanOutList), not its when");
  if ("task" in g) return `'{{tasks.${g.task}.status}}' == '${PHASE[g.was]}'`;
  // The exit handler's view of the run: Succeeded, Failed or Error (the last two are "Failed").
  if ("runStatus" in g) return `'{{workflow.status}}' ${g.runStatus === "Succeeded" ? "==" : "!="} 'Succeeded'`;
  if ("not" in g) return `!(${render(g.not, true, defaultOf)})`;
  const parts = "all" in g ? g.all : g.any;
  if (parts.length === 1) return render(parts[0]!, top, defaultOf);
  const joined = parts.map((p) => render(p, false, defaultOf)).join("all" in g ? " && " : " || ");
  return top ? joined : `(${joined})`;
}
