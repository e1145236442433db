/**
 * Renders a task's guard (the lowering's `runsIf`) as an Argo `when`. Argo substitutes `{{...}}`
 * tags, then evaluates the text with govaluate (shared/reference/argo.md §2.1). A parameter test is
 * an expression tag, `{{=workflow.parameters["env"] == "prod"}}`, evaluated by expr-lang to `true`
 * or `false` before govaluate sees it: the run's value is never pasted into the expression, so a
 * value such as `x' || 'a' == 'a` cannot change its meaning. Another task's result is its phase,
 * quoted: `'{{tasks.load.status}}' == 'Skipped'` (phases are plain words). The run's result, in a
 * finally task (the exit handler), is `'{{workflow.status}}' != 'Succeeded'` for "Failed", as in
 * Argo's exit-handler example: `Failed` and `Error` alike.
 */
import type { Guard } from "../../phases/4-lower/index.js";

export function whenExpression(g: Guard | undefined): string | undefined {
  return g ? render(g, true) : undefined;
}

const PHASE = { skipped: "Skipped", succeeded: "Succeeded" } as const;

function render(g: Guard, top: boolean): string {
  if ("param" in g) {
    // Values never hold `{{` or `}}` (GANTRY2041), which would end the tag early.
    const value = `workflow.parameters[${JSON.stringify(g.param)}]`;
    const test = g.in.length === 1 ? `${value} == ${JSON.stringify(g.in[0])}` : `${value} in [${g.in.map((v) => JSON.stringify(v)).join(", ")}]`;
    return `{{=${test}}}`;
  }
  if ("task" in g) return `'{{tasks.${g.task}.status}}' == '${PHASE[g.was]}'`;
  // The exit handler's view of the run: Succeeded, Failed or Error (the last two are "Failed").
  if ("runStatus" in g) return `'{{workflow.status}}' ${g.runStatus === "Succeeded" ? "==" : "!="} 'Succeeded'`;
  if ("not" in g) return `!(${render(g.not, true)})`;
  const parts = "all" in g ? g.all : g.any;
  if (parts.length === 1) return render(parts[0]!, top);
  const joined = parts.map((p) => render(p, false)).join("all" in g ? " && " : " || ");
  return top ? joined : `(${joined})`;
}
