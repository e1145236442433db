/**
 * Renders the lowering's conditions as Argo `depends` expressions. Every result is spelled out:
 * a bare name would also accept Skipped, and the naive `X.Succeeded || X.Failed` misses Errored
 * and Omitted (shared/reference/argo.md §0, §2.1).
 */
import type { Condition, Leaf } from "../../phases/4-lower/index.js";

const STATES: Record<Leaf, readonly string[]> = {
  succeeded: ["Succeeded"],
  ran: ["Succeeded", "Failed", "Errored"],
  settled: ["Succeeded", "Failed", "Errored", "Skipped", "Omitted"],
  succeededOrNotRun: ["Succeeded", "Skipped", "Omitted"],
  // Skipped is only ever the phase of a task whose `when` (Gantry's guard) was false; not running
  // for want of a dependency is Omitted.
  succeededOrSkipped: ["Succeeded", "Skipped"],
  ranOrSkipped: ["Succeeded", "Failed", "Errored", "Skipped"],
  skipped: ["Skipped"],
};

export function dependsExpression(c: Condition | undefined): string | undefined {
  return c ? render(c, true) : undefined;
}

function render(c: Condition, top: boolean): string {
  if ("task" in c) {
    const states = STATES[c.is];
    const parts = states.map((s) => `${c.task}.${s}`);
    return parts.length === 1 || top ? parts.join(" || ") : `(${parts.join(" || ")})`;
  }
  const parts = "all" in c ? c.all : c.any;
  if (parts.length === 1) return render(parts[0]!, top);
  const joined = parts.map((p) => render(p, false)).join("all" in c ? " && " : " || ");
  return top ? joined : `(${joined})`;
}
