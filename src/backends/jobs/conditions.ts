/** The plan's start conditions as the shim reads them (templates/runtime/README.md): the same JSON. */
import type { Condition } from "../../phases/4-lower/index.js";

/** Every task a condition names, in first-mention order. */
export function tasksIn(c: Condition | undefined, out: string[] = []): string[] {
  if (!c) return out;
  if ("task" in c) {
    if (!out.includes(c.task)) out.push(c.task);
  } else for (const x of "all" in c ? c.all : c.any) tasksIn(x, out);
  return out;
}

export const allSettled = (tasks: readonly string[]): Condition => ({ all: tasks.map((task) => ({ task, is: "settled" as const })) });

export const both = (a: Condition, b: Condition | undefined): Condition => (b ? { all: [a, b] } : a);
