/**
 * Conditions are trees of `all`/`any`/`not` over leaves: a task's `when` (IR `When`) and the
 * lowering's guards alike. One walk over them, for whoever asks which leaves a condition holds.
 */
import type { When } from "./schema.js";

export type ConditionTree<L> = { all: readonly ConditionTree<L>[] } | { any: readonly ConditionTree<L>[] } | { not: ConditionTree<L> } | L;

/** A leaf of a `When`: a parameter test, an output test, or (finally tasks) the run's result. */
export type WhenLeaf = Exclude<When, { all: When[] } | { any: When[] } | { not: When }>;

/** Every leaf of a condition, in order, repeats included. */
export function leavesOf<L extends object>(tree: ConditionTree<L>, into: L[] = []): L[] {
  const node = tree as { all?: readonly ConditionTree<L>[]; any?: readonly ConditionTree<L>[]; not?: ConditionTree<L> };
  if (node.all || node.any) for (const part of (node.all ?? node.any)!) leavesOf(part, into);
  else if (node.not) leavesOf(node.not, into);
  else into.push(tree as L);
  return into;
}
