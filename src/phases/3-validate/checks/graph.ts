/** Graph checks over a pipeline's declared tasks: unique names and an acyclic `after` relation. */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";

export interface GraphNode {
  name: string;
  dependencies: string[];
  span: Span | undefined;
}

/**
 * Reports the first cycle found from each unvisited node, printed as `a -> b -> c -> a`.
 * Deterministic: nodes and edges are walked in declaration order.
 */
export function checkCycles(bag: DiagnosticBag, nodes: readonly GraphNode[]): void {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: GraphNode): void => {
    state.set(node.name, "visiting");
    stack.push(node.name);
    for (const dep of node.dependencies) {
      const next = byName.get(dep);
      if (!next) continue;
      const s = state.get(dep);
      if (s === "visiting") {
        // The cycle runs dependency-first: "a waits for b" is printed a -> b.
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        bag.error("GANTRY2004", `dependency cycle: ${cycle.join(" -> ")}`, next.span, "Remove one of these `after` entries; a task cannot wait for itself.");
      } else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node.name, "done");
  };
  for (const n of nodes) if (!state.has(n.name)) visit(n);
}
