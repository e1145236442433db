/** Graph checks over a pipeline's declared tasks: unique names and an acyclic `after` relation. */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";
import { findCycles } from "../../../ir/cycles.js";

export interface GraphNode {
  name: string;
  dependencies: string[];
  span: Span | undefined;
}

/** Reports each cycle of `after` edges at the task that closes it, printed as `a -> b -> c -> a`. */
export function checkCycles(bag: DiagnosticBag, nodes: readonly GraphNode[]): void {
  const spans = new Map(nodes.map((n) => [n.name, n.span]));
  for (const cycle of findCycles(new Map(nodes.map((n) => [n.name, n.dependencies])))) {
    // The cycle runs dependency-first: "a waits for b" is printed a -> b.
    bag.error("GANTRY2004", `dependency cycle: ${cycle.join(" -> ")}`, spans.get(cycle[0]!), "Remove one of these `after` entries; a task cannot wait for itself.");
  }
}
