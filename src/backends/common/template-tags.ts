/**
 * `{{...}}` in a task's strings that looks like one of Argo's variables but is not one of Gantry's
 * placeholders (`{{params.x}}`, `{{run.id}}`, `{{run.status}}`, `{{tasks.X.outputs.Y}}`). Argo checks and fills in only tags
 * with its own prefixes (`inputs.`, `outputs.`, `steps.`, `tasks.`, `item`, `pod.`, `workflow.`;
 * validate.go's GlobalVarValidWorkflowVariablePrefix) and passes every other tag through as written,
 * so a Helm, Jinja or Go template in `args` is fine. Gantry's leaf templates declare only the inputs
 * of the outputs they read (under names of Gantry's choosing), no loop items, and are not steps or DAG tasks themselves, so of those only `pod.name` and
 * the workflow's globals resolve; any other Argo-prefixed tag fails the run (GANTRY4008). The jobs
 * target, with no engine to fill them in, leaves Argo's variables as text (GANTRY4025).
 */
import type { Diagnostic, DiagnosticCode } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { OUTPUT_TAG } from "../../ir/placeholders.js";

const TAG = /\{\{(.*?)\}\}/gs;
const GANTRY = /^\s*(params\.[^}\s]*|run\.id|run\.status)\s*$/;
/** What Argo reads as its variable (and validates), by prefix; `{{=expression}}` too. */
const ARGO_PREFIX = /^\s*(=|(inputs|outputs|steps|tasks|pod|workflow)\.|item(\.|\s*$))/;
/**
 * Of those, what resolves in a leaf template of a Gantry workflow: the workflow's globals, `pod.name`,
 * expressions. Not `workflow.priority`, in scope only when the spec sets a priority (Gantry never
 * does), and `workflow.failures` only in the exit handler's templates (validate.go), so only in a
 * finally task's.
 */
const RESOLVES = /^\s*(=|pod\.name\s*$|workflow\.(name|namespace|uid|serviceAccountName|mainEntrypoint|duration|status|scheduledTime|creationTimestamp(\.[A-Za-z]+)?|(parameters|annotations|labels)\.[^}]+)\s*$)/;
const RESOLVES_IN_EXIT_HANDLER = /^\s*workflow\.failures\s*$/;

/** The first tag in the task's fields (image, command, args, source, working directory, env values) that `foreign` picks. */
function firstTag(task: IR.Task, foreign: (content: string) => boolean): { field: string; tag: string } | undefined {
  // Every task passes here and almost none holds a tag: test each string before naming its field.
  const check = (value: string | undefined, field: () => string) => {
    if (value === undefined || !value.includes("{{")) return undefined;
    for (const m of value.matchAll(TAG)) if (!GANTRY.test(m[1]!) && !OUTPUT_TAG.test(m[1]!) && foreign(m[1]!)) return { field: field(), tag: m[0] };
    return undefined;
  };
  const list = (values: readonly string[] | undefined, name: string) => {
    for (let i = 0; values !== undefined && i < values.length; i++) {
      const found = check(values[i], () => `${name}[${i}]`);
      if (found) return found;
    }
    return undefined;
  };
  let found = check(task.image, () => "image") ?? list(task.command, "command") ?? list(task.args, "args") ?? check(task.script, () => "source") ?? check(task.workingDir, () => "workingDir");
  for (let i = 0; !found && i < task.env.length; i++) found = check(task.env[i]!.value, () => `env.${task.env[i]!.name}`);
  return found;
}

const shown = (tag: string) => JSON.stringify(tag.length > 60 ? `${tag.slice(0, 57)}...` : tag);

/** Argo target: GANTRY4008 for a tag with one of Argo's prefixes that names nothing a Gantry task template has. */
export function argoUnknownTags(task: IR.Task): Diagnostic[] {
  const found = firstTag(task, (content) => ARGO_PREFIX.test(content) && !RESOLVES.test(content) && !(task.role === "finally" && RESOLVES_IN_EXIT_HANDLER.test(content)));
  return found ? [warning("GANTRY4008", task, `task "${task.name}": ${found.field} holds ${shown(found.tag)}, an Argo variable that a Gantry task's template does not have, so Argo refuses the workflow`, "Pass values with pipeline parameters (p.params.x), p.runId, p.runStatus or another task's output (handle.output(\"name\")); a Gantry task has no other inputs and no loop items. Tags without Argo's prefixes (a Helm or Go template) pass through as written.")] : [];
}

/** Jobs target: GANTRY4025 for a tag that looks like an Argo variable, which stays as text there. */
export function jobsLiteralTags(task: IR.Task): Diagnostic[] {
  const found = firstTag(task, (content) => ARGO_PREFIX.test(content));
  return found ? [warning("GANTRY4025", task, `task "${task.name}": ${found.field} holds ${shown(found.tag)}, an Argo variable, which the jobs target leaves as text`, "Use a pipeline parameter (p.params.x), p.runId or p.runStatus, which both targets fill in.")] : [];
}

function warning(code: DiagnosticCode, task: IR.Task, message: string, hint: string): Diagnostic {
  return { code, severity: "warning", message, span: { file: task.source.file, line: task.source.line, column: task.source.column }, hint };
}
