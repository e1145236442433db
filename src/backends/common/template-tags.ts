/**
 * `{{...}}` in a task's strings that is not one of Gantry's placeholders (`{{params.x}}`,
 * `{{run.id}}`, `{{run.status}}`). Argo reads every such tag as one of its variables and fails the
 * run when it cannot resolve one (a Helm or Jinja template in `args`, say); the jobs target, with no
 * engine to fill them in, leaves them as text. Each backend warns about the tags it would mishandle.
 */
import type { Diagnostic, DiagnosticCode } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";

const TAG = /\{\{(.*?)\}\}/gs;
const GANTRY = /^\s*(params\.[^}\s]*|run\.id|run\.status)\s*$/;
/** Tags Argo resolves (docs/variables.md): its globals and template variables, and `{{=expression}}`. */
const ARGO = /^\s*(=|(workflow|inputs|outputs|tasks|steps|pod|node|lastRetry|cronworkflow)\.|(item|retries|duration|status|exitCode)\s*$|item\.)/;

/** The first tag in the task's fields (image, command, args, source, working directory, env values) that `foreign` picks. */
function firstTag(task: IR.Task, foreign: (content: string) => boolean): { field: string; tag: string } | undefined {
  // Every task passes here and almost none holds a tag: test each string before naming its field.
  const check = (value: string | undefined, field: () => string) => {
    if (value === undefined || !value.includes("{{")) return undefined;
    for (const m of value.matchAll(TAG)) if (!GANTRY.test(m[1]!) && foreign(m[1]!)) return { field: field(), tag: m[0] };
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

/** Argo target: GANTRY4008 for a tag that is not an Argo variable either, which Argo would fail to resolve. */
export function argoUnknownTags(task: IR.Task): Diagnostic[] {
  const found = firstTag(task, (content) => !ARGO.test(content));
  return found ? [warning("GANTRY4008", task, `task "${task.name}": ${found.field} holds ${shown(found.tag)}, which Argo reads as one of its variables; it names none, so Argo fails the run when it starts`, "For a value known when the pipeline runs, use a pipeline parameter (p.params.x); braces meant for another tool (a Helm or Jinja template) cannot pass through Argo's templating as written.")] : [];
}

/** Jobs target: GANTRY4025 for any tag, which stays as text there. */
export function jobsLiteralTags(task: IR.Task): Diagnostic[] {
  const found = firstTag(task, () => true);
  return found ? [warning("GANTRY4025", task, `task "${task.name}": ${found.field} holds ${shown(found.tag)}, which the jobs target leaves as text (Argo would fill it in or fail)`, "If it is meant for Argo, it has no value here: use a pipeline parameter (p.params.x), p.runId or p.runStatus, which both targets fill in.")] : [];
}

function warning(code: DiagnosticCode, task: IR.Task, message: string, hint: string): Diagnostic {
  return { code, severity: "warning", message, span: { file: task.source.file, line: task.source.line, column: task.source.column }, hint };
}
