/**
 * Placeholders on the Jobs target, which has no workflow engine to fill them in at run time:
 * `{{params.x}}` becomes the parameter's default and `{{run.id}}` the run id, both known when
 * compiling; `{{run.status}}` becomes a read of the file the finally task's `await-deps` writes,
 * and `{{tasks.X.outputs.Y}}` a read of the file the reading task's `await-deps` writes with X's
 * output: only a shell can read a file, so these are allowed only in the task's shell script
 * (`scriptSlot`), where the shell expands them (`unexpandedAt`: not in single quotes or a quoted heredoc).
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { OUTPUT_MARK, OUTPUT_PATTERN, PARAMETER_PATTERN, RUN_ID_PLACEHOLDER, RUN_STATUS_PLACEHOLDER } from "../../ir/placeholders.js";
import { outputParameterName, type OutputRead } from "../../ir/output-reads.js";
import { configMapKey, dns1123Subdomain, envFromSourceName, labelKey, labelValue } from "../../phases/3-validate/rules/names.js";
import { type Unexpanded, splitsWordsAt, unexpandedAt } from "./shell-expansion.js";

export const RUN_STATUS_DIR = "/var/run/gantry";
export const RUN_STATUS_FILE = `${RUN_STATUS_DIR}/run-status`;
const RUN_STATUS_SHELL = `$(cat ${RUN_STATUS_FILE})`;
/** Where a reading task's `await-deps` writes the outputs it reads, one file each (`outputFile`). */
export const OUTPUTS_DIR = "/var/run/gantry-outputs";
export const outputFile = (read: OutputRead): string => `${OUTPUTS_DIR}/${outputParameterName(read)}`;

/** Where a task's shell script is (`scriptSlot`), for the hints of GANTRY4012 and GANTRY4034. */
const IN_THE_SCRIPT = 'Use it in the shell script: `source` (with no `command`, or a shell one), the word after `-c` in `command: ["sh", "-c", "..."]`, or the first of `args` after `command: ["sh", "-c"]`';

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh"]);
const basename = (s: string) => s.slice(s.lastIndexOf("/") + 1);
const isShell = (program: string | undefined) => program !== undefined && SHELLS.has(basename(program));
/** `-c`, alone or among other short options (`-ec`, `-xc`, `-Ec`). */
const SCRIPT_OPTION = /^-[A-Za-z]*c[A-Za-z]*$/;

/** `command` without a leading `env` and its options and `NAME=value` words (`/usr/bin/env bash -c`). */
function withoutEnv(command: readonly string[]): readonly string[] {
  if (basename(command[0] ?? "") !== "env") return command;
  let i = 1;
  while (i < command.length && (command[i]!.startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[i]!))) i++;
  return command.slice(i);
}

/**
 * Where a task's shell script is, the one string in which a shell expands `$(cat ...)`: `script`
 * (run by `command`, `sh` by default, so a shell only when `command` names one), else the word
 * after `-c` in a shell `command` (`["sh", "-c", "echo ..."]`), or `args[0]` when `command` ends
 * with `-c` (the usual `command: ["sh", "-c"], args: ["echo ..."]`); the words after the script
 * are its positional parameters (`$0`, `$1`), which nothing expands. Undefined: no shell script.
 */
export function scriptSlot(task: Pick<IR.Task, "script" | "command" | "args">): { field: "script" } | { field: "command" | "args"; index: number } | undefined {
  if (task.script !== undefined) return task.command === undefined || isShell(withoutEnv(task.command)[0]) ? { field: "script" } : undefined;
  if (task.command === undefined) return undefined;
  const command = withoutEnv(task.command);
  if (!isShell(command[0])) return undefined;
  const option = command.findIndex((w, i) => i > 0 && SCRIPT_OPTION.test(w));
  if (option < 0) return undefined;
  // The script's place in the command as written (past the `env` words).
  const at = task.command.length - command.length + option + 1;
  return at < task.command.length ? { field: "command", index: at } : (task.args?.length ?? 0) > 0 ? { field: "args", index: 0 } : undefined;
}

/** Why some `{{run.status}}` in a shell script would stay text (`unexpandedAt`), if one would. */
function unexpandedPlaceholder(script: string): Unexpanded | undefined {
  for (let at = script.indexOf(RUN_STATUS_PLACEHOLDER); at >= 0; at = script.indexOf(RUN_STATUS_PLACEHOLDER, at + 1)) {
    const why = unexpandedAt(script, at);
    if (why !== undefined) return why;
  }
  return undefined;
}

/** The first output placeholder in a shell script that would stay text, and why; undefined when the shell expands them all. */
function unexpandedOutput(script: string): { read: string; why: Unexpanded } | undefined {
  for (const m of script.matchAll(OUTPUT_PATTERN)) {
    const why = unexpandedAt(script, m.index);
    if (why !== undefined) return { read: m[0], why };
  }
  return undefined;
}

export interface Rewritten {
  task: IR.Task;
  /** Whether the task reads the run's status (its await-deps must write the file). */
  readsRunStatus: boolean;
  /** The outputs of other tasks it reads, each once (its await-deps must write their files). */
  reads: OutputRead[];
}

export function rewriteTask(task: IR.Task, pipeline: IR.Pipeline, runId: string, diagnostics: Diagnostic[]): Rewritten {
  const defaults = new Map(pipeline.parameters.map((p) => [p.name, p.default]));
  const span = { file: task.source.file, line: task.source.line, column: task.source.column };
  const missing = new Set<string>();
  let readsRunStatus = false;
  let misplacedStatus: "outside" | Unexpanded | undefined;
  const reads = new Map<string, OutputRead>();
  let misplacedOutput: { read: string; why: "outside" | Unexpanded } | undefined;
  const slot = scriptSlot(task);

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
        if (!statusAllowed) misplacedStatus ??= "outside";
        else {
          const why = unexpandedPlaceholder(s);
          if (why !== undefined) misplacedStatus ??= why;
          else {
            readsRunStatus = true;
            s = s.replaceAll(RUN_STATUS_PLACEHOLDER, RUN_STATUS_SHELL);
          }
        }
      }
      if (s.includes(OUTPUT_MARK)) {
        const first = s.match(OUTPUT_PATTERN)?.[0];
        const misplaced = first === undefined ? undefined : !statusAllowed ? { read: first, why: "outside" as const } : unexpandedOutput(s);
        if (misplaced !== undefined) misplacedOutput ??= misplaced;
        else {
          const script = s;
          s = s.replace(OUTPUT_PATTERN, (_, t: string, o: string, at: number) => {
            const read = { task: t, output: o };
            reads.set(outputParameterName(read), read);
            // In an unquoted word the value would be split at blanks and globbed: quote it there.
            const value = `$(cat ${outputFile(read)})`;
            return splitsWordsAt(script, at) ? `"${value}"` : value;
          });
        }
      }
      return s;
    }
    if (Array.isArray(value)) return value.map((v) => rewrite(v, false));
    // Keys too, as Argo fills in the whole template's text: a node selector's key may be a parameter.
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [rewrite(k, false), rewrite(v, false)]));
    return value;
  };
  const out = Object.fromEntries(
    Object.entries(task).map(([k, v]) => {
      if (slot !== undefined && k === slot.field) {
        return [k, "index" in slot && Array.isArray(v) ? v.map((w, i) => rewrite(w, i === slot.index)) : rewrite(v, true)];
      }
      return [k, rewrite(v, false)];
    }),
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
      message:
        misplacedStatus === "outside"
          ? `task "${task.name}" reads p.runStatus outside its shell script; on the jobs target the run's status is a file only a shell can read`
          : `task "${task.name}" reads p.runStatus ${misplacedStatus === "an escaping backslash" ? "after an escaping backslash" : `inside ${misplacedStatus}`} of its shell script, where the shell does not expand it; on the jobs target the run's status is read with $(cat ${RUN_STATUS_FILE})`,
      span,
      hint:
        misplacedStatus !== "outside"
          ? misplacedStatus === "a quoted heredoc"
            ? "Leave the heredoc's delimiter unquoted (<<EOF, not <<'EOF'), so the shell expands its body; escape other `$` in it as `\\$`."
            : 'Put it in double quotes ("status: ${p.runStatus}") or outside quotes, without a backslash before it.'
          : `${IN_THE_SCRIPT}; a later argument is a positional parameter ($0), which nothing expands. Or read ${RUN_STATUS_FILE} yourself.`,
    });
  }
  if (misplacedOutput) {
    const { read, why } = misplacedOutput;
    diagnostics.push({
      code: "GANTRY4034",
      severity: "error",
      message:
        why === "outside"
          ? `task "${task.name}" reads ${read} outside its shell script; on the jobs target another task's output is a file only a shell can read`
          : `task "${task.name}" reads ${read} ${why === "an escaping backslash" ? "after an escaping backslash" : `inside ${why}`} of its shell script, where the shell does not expand it`,
      span,
      hint:
        why === "outside"
          ? `${IN_THE_SCRIPT}; for a program that takes it as an argument, \`command: ["sh", "-c", \`exec my-tool --rows="\${count.output("rows")}"\`]\`.`
          : why === "a quoted heredoc"
            ? "Leave the heredoc's delimiter unquoted (<<EOF, not <<'EOF'), so the shell expands its body."
            : "Put it in double quotes or outside quotes, without a backslash before it.",
    });
  }
  return { task: out, readsRunStatus, reads: [...reads.values()] };
}

/**
 * Fields where a parameter may stand for a value a run gives (Argo fills it in then), checked again
 * once the jobs target has written the default in: the model could not check them before.
 */
function invalidDefaults(before: IR.Task, after: IR.Task, span: Diagnostic["span"]): Diagnostic[] {
  type Field = [name: string, written: string | undefined, filled: string | undefined, rule: (s: string) => string | undefined];
  const nonEmpty = (s: string) => (s === "" ? "must not be empty" : undefined);
  const selector = [Object.entries(before.pod.nodeSelector), Object.entries(after.pod.nodeSelector)] as const;
  const fields: Field[] = [
    ["image", before.image, after.image, (s) => (s.trim() === "" ? "must not be empty" : undefined)],
    ["serviceAccountName", before.pod.serviceAccountName, after.pod.serviceAccountName, dns1123Subdomain],
    ...before.pod.imagePullSecrets.map((s, i): Field => [`imagePullSecrets[${i}]`, s, after.pod.imagePullSecrets[i], dns1123Subdomain]),
    ...selector[0].flatMap(([k, v], i): Field[] => [
      [`nodeSelector key ${JSON.stringify(k)}`, k, selector[1][i]?.[0], labelKey],
      [`nodeSelector.${k}`, v, selector[1][i]?.[1], labelValue],
    ]),
    ...before.pod.tolerations.flatMap((t, i): Field[] => [
      // An empty key tolerates every taint, which the API allows only with operator Exists.
      [`tolerations[${i}].key`, t.key, after.pod.tolerations[i]?.key, (s) => (s !== "" ? labelKey(s) : t.operator === "Exists" ? undefined : `must not be empty with operator "${t.operator ?? "Equal"}" (a toleration without a key needs operator "Exists")`)],
      [`tolerations[${i}].value`, t.value, after.pod.tolerations[i]?.value, labelValue],
    ]),
    ...before.env.flatMap((e, i): Field[] => {
      const ref = e.valueFrom && ("secretKeyRef" in e.valueFrom ? e.valueFrom.secretKeyRef : "configMapKeyRef" in e.valueFrom ? e.valueFrom.configMapKeyRef : undefined);
      const filled = after.env[i]?.valueFrom;
      const filledRef = filled && ("secretKeyRef" in filled ? filled.secretKeyRef : "configMapKeyRef" in filled ? filled.configMapKeyRef : undefined);
      return ref ? [[`env.${e.name} name`, ref.name, filledRef?.name, dns1123Subdomain], [`env.${e.name} key`, ref.key, filledRef?.key, configMapKey]] : [];
    }),
    ...before.envFrom.map((e, i): Field => [`envFrom[${i}].${e.kind}`, e.name, after.envFrom[i]?.name, envFromSourceName]),
    ...before.volumes.flatMap((v, i): Field[] => {
      const filled = after.volumes[i]?.source;
      if (v.source.type === "secret" || v.source.type === "configMap") return [[`volume "${v.name}": ${v.source.type}`, v.source.name, filled && "name" in filled ? filled.name : undefined, nonEmpty]];
      if (v.source.type === "persistentVolumeClaim") return [[`volume "${v.name}": persistentVolumeClaim`, v.source.claimName, filled && "claimName" in filled ? filled.claimName : undefined, nonEmpty]];
      return [];
    }),
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
