/**
 * Placeholders: strings in the IR that stand for values known only once a run starts. The DSL
 * writes them, the analyzer and the model phase check their use, and each backend rewrites them
 * into its target's syntax. Plain strings, so the IR stays plain data.
 */

/** What `p.params.NAME` evaluates to. */
export const parameterPlaceholder = (name: string): string => `{{params.${name}}}`;

/** The parameter a string names when it is exactly one placeholder, `{{params.NAME}}`; else undefined. */
export const parameterOf = (s: string): string | undefined => /^\{\{params\.([^{}\s]+)\}\}$/.exec(s)?.[1];

/** The start every parameter placeholder shares, for cheap "holds a parameter?" checks. */
export const PARAMETER_MARK = "{{params.";

/** Every parameter placeholder in a string, its name in group 1 (spaces inside the braces tolerated, as written by hand). */
export const PARAMETER_PATTERN = /\{\{\s*params\.([^}\s]*)\s*\}\}/g;

/** What `p.runId` evaluates to: a unique id of the run. */
export const RUN_ID_PLACEHOLDER = "{{run.id}}";

/** What `p.runStatus` evaluates to: the run's result, for finally tasks. */
export const RUN_STATUS_PLACEHOLDER = "{{run.status}}";

/**
 * What `p.item` evaluates to: in a task with `forEach`, the item of the list that this copy of the
 * task runs for. Not Argo's `{{item}}`, which a Gantry task's template does not have: the Argo
 * backend passes the item in as an input, and the jobs target writes each item in when compiling.
 */
export const ITEM_PLACEHOLDER = "{{forEach.item}}";

/**
 * What `handle.output("name")` evaluates to: the value the task `task` left in its output `name`,
 * known once that task has run. Output names hold no `.` or `-` (see the output-name rule), so the
 * task name and output name are recovered from the text.
 */
export const outputPlaceholder = (task: string, name: string): string => `{{tasks.${task}.outputs.${name}}}`;

/** An output's name, as GANTRY2043 allows it. */
const OUTPUT_NAME_TEXT = "[A-Za-z_][A-Za-z0-9_]*";
/** An output placeholder's text between the braces: the task (group 1) and the output (group 2). */
const OUTPUT_BODY = `tasks\\.([a-z0-9-]+)\\.outputs\\.(${OUTPUT_NAME_TEXT})`;

/**
 * Every output placeholder in a string: the task in group 1, the output in group 2. Exactly as
 * `outputPlaceholder` writes it (no spaces inside the braces), so that `OUTPUT_MARK` finds every
 * one: a hand-written `{{ tasks.a.outputs.b }}` is Argo's syntax, not Gantry's (GANTRY4008).
 */
export const OUTPUT_PATTERN = new RegExp(`\\{\\{${OUTPUT_BODY}\\}\\}`, "g");

/** The text inside the braces of an output placeholder, whole (for a tag already cut out of its `{{ }}`). */
export const OUTPUT_TAG = new RegExp(`^${OUTPUT_BODY}$`);

const OUTPUT_WHOLE = new RegExp(`^\\{\\{${OUTPUT_BODY}\\}\\}$`);

/** The output a string names when it is exactly one output placeholder (`when: { output }`); else undefined. */
export function outputOf(s: string): { task: string; name: string } | undefined {
  const m = OUTPUT_WHOLE.exec(s);
  return m ? { task: m[1]!, name: m[2]! } : undefined;
}

/** The start every output placeholder shares, for cheap "reads an output?" checks. */
export const OUTPUT_MARK = "{{tasks.";

/** What an output name may be (GANTRY2043; `handle.output(name)` refuses others): it joins the task's name in Argo parameter names. */
export const OUTPUT_NAME = new RegExp(`^${OUTPUT_NAME_TEXT}$`);
