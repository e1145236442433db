/**
 * Placeholders on the Jobs target, which has no workflow engine to fill them in at run time:
 * `{{params.x}}` becomes the parameter's default and `{{run.id}}` the run id, both known when
 * compiling; `{{run.status}}` becomes a read of the file the finally task's `await-deps` writes,
 * which only a shell can do, so it is allowed in scripts and in `sh -c` arguments only.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { PARAMETER_PATTERN, RUN_ID_PLACEHOLDER, RUN_STATUS_PLACEHOLDER } from "../../ir/placeholders.js";
import { dns1123Subdomain, labelValue } from "../../phases/3-validate/rules/names.js";

export const RUN_STATUS_DIR = "/var/run/gantry";
export const RUN_STATUS_FILE = `${RUN_STATUS_DIR}/run-status`;
const RUN_STATUS_SHELL = `$(cat ${RUN_STATUS_FILE})`;

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh"]);
const basename = (s: string) => s.slice(s.lastIndexOf("/") + 1);
/** Whether the task's arguments are a shell script: `command: ["sh", "-c"]` or `["/bin/bash", "-c"]`. */
export const isShellCommand = (command: readonly string[] | undefined): boolean =>
  command !== undefined && command.length >= 2 && SHELLS.has(basename(command[0]!)) && command.includes("-c");

export interface Rewritten {
  task: IR.Task;
  /** Whether the task reads the run's status (its await-deps must write the file). */
  readsRunStatus: boolean;
}

export function rewriteTask(task: IR.Task, pipeline: IR.Pipeline, runId: string, diagnostics: Diagnostic[]): Rewritten {
  const defaults = new Map(pipeline.parameters.map((p) => [p.name, p.default]));
  const span = { file: task.source.file, line: task.source.line, column: task.source.column };
  const missing = new Set<string>();
  let readsRunStatus = false;
  let misplacedStatus = false;
  const shellArgs = isShellCommand(task.command);

  const rewrite = (value: unknown, statusAllowed: boolean): unknown => {
    if (typeof value === "string") {
      if (!value.includes("{{")) return value;
      let s = value.replace(PARAMETER_PATTERN, (whole, name: string) => {
        const d = defaults.get(name);
        if (d === undefined) {
          missing.add(name);
          return whole;
        }
        return d;
      });
      s = s.replaceAll(RUN_ID_PLACEHOLDER, runId);
      if (s.includes(RUN_STATUS_PLACEHOLDER)) {
        if (statusAllowed) {
          readsRunStatus = true;
          s = s.replaceAll(RUN_STATUS_PLACEHOLDER, RUN_STATUS_SHELL);
        } else misplacedStatus = true;
      }
      return s;
    }
    if (Array.isArray(value)) return value.map((v) => rewrite(v, statusAllowed));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, statusAllowed && (k === "args" || k === "script"))]));
    }
    return value;
  };
  const out = Object.fromEntries(
    Object.entries(task).map(([k, v]) => [k, k === "source" ? v : rewrite(v, k === "script" || (k === "args" && shellArgs))]),
  ) as IR.Task;

  diagnostics.push(...invalidDefaults(task, out, span));
  for (const name of missing) {
    diagnostics.push({
      code: "GANTRY4011",
      severity: "error",
      message: `task "${task.name}" uses parameter "${name}", which has no default; the jobs target has no run-time parameters`,
      span,
      hint: `Give the parameter a default in the pipeline options (parameters: { ${name}: { default: "..." } }), or compile for --target argo.`,
    });
  }
  if (misplacedStatus) {
    diagnostics.push({
      code: "GANTRY4012",
      severity: "error",
      message: `task "${task.name}" reads p.runStatus outside a shell script; on the jobs target the run's status is a file only a shell can read`,
      span,
      hint: `Use it in \`script\`, or in the arguments of \`command: ["sh", "-c"]\`; or read ${RUN_STATUS_FILE} yourself.`,
    });
  }
  return { task: out, readsRunStatus };
}

/**
 * Fields where a parameter may stand for a value a run gives (Argo fills it in then), checked again
 * once the jobs target has written the default in: the model could not check them before.
 */
function invalidDefaults(before: IR.Task, after: IR.Task, span: Diagnostic["span"]): Diagnostic[] {
  type Field = [name: string, written: string | undefined, filled: string | undefined, rule: (s: string) => string | undefined];
  const fields: Field[] = [
    ["image", before.image, after.image, (s) => (s.trim() === "" ? "must not be empty" : undefined)],
    ["serviceAccountName", before.pod.serviceAccountName, after.pod.serviceAccountName, dns1123Subdomain],
    ...before.pod.imagePullSecrets.map((s, i): Field => [`imagePullSecrets[${i}]`, s, after.pod.imagePullSecrets[i], dns1123Subdomain]),
    ...Object.entries(before.pod.nodeSelector).map(([k, v]): Field => [`nodeSelector.${k}`, v, after.pod.nodeSelector[k], labelValue]),
  ];
  const out: Diagnostic[] = [];
  for (const [field, written, filled, rule] of fields) {
    if (written === undefined || filled === undefined || !written.includes("{{params.") || filled.includes("{{params.")) continue;
    const reason = rule(filled);
    if (!reason) continue;
    out.push({
      code: "GANTRY4024",
      severity: "error",
      message: `task "${after.name}": ${field} is ${JSON.stringify(filled)} once the jobs target writes in the parameter defaults (${JSON.stringify(written)}), and ${reason}`,
      span,
      hint: "Give the parameter a default that is valid there, or compile for --target argo, where a run gives the value.",
    });
  }
  return out;
}
