/**
 * Diagnostics about tasks, one per distinct finding rather than one per task: a retry policy from
 * `defaults` reaches every task, and twenty copies of one warning bury the rest.
 */
import type { Diagnostic } from "./index.js";
import { andList } from "../util/and-list.js";

const SUBJECT = "\u0000subject\u0000";
const NAMED = 5;

/**
 * `build` writes each diagnostic about `subject`; findings equal but for the task are merged into
 * one about `task "a"` or `tasks "a", "b" and "c"` (the first five, then "and N more"), at the
 * first task's span. Order: by first appearance.
 */
export function oncePerFinding<T extends { name: string }>(tasks: readonly T[], build: (task: T, subject: string) => Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; names: string[] }>();
  for (const task of tasks) {
    for (const d of build(task, SUBJECT)) {
      const key = `${d.code}\u0000${d.message}\u0000${d.hint ?? ""}`;
      const group = groups.get(key);
      if (group) group.names.push(task.name);
      else groups.set(key, { first: d, names: [task.name] });
    }
  }
  return [...groups.values()].map(({ first, names }) => {
    const subject = subjectOf(names);
    return { ...first, message: first.message.replaceAll(SUBJECT, subject), ...(first.hint !== undefined && { hint: first.hint.replaceAll(SUBJECT, subject) }) };
  });
}

function subjectOf(names: readonly string[]): string {
  const quoted = names.slice(0, NAMED).map((n) => `"${n}"`);
  if (names.length === 1) return `task ${quoted[0]}`;
  if (names.length > NAMED) return `tasks ${quoted.join(", ")} and ${names.length - NAMED} more`;
  return `tasks ${andList(quoted)}`;
}
