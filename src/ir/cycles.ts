/**
 * Cycles in a "waits for" relation over task names: used for `after` edges (model phase) and for
 * what tasks wait for once scopes are wired (lowering). Deterministic: nodes and their edges are
 * walked in the map's order; names that are not keys are ignored.
 */

/** Every cycle a depth-first walk meets, each printed dependency-first as it closes: `a -> b -> a`. */
export function findCycles(waits: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, "open");
    stack.push(n);
    for (const d of waits.get(n) ?? []) {
      if (!waits.has(d)) continue;
      const s = state.get(d);
      if (s === "open") cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of waits.keys()) if (!state.has(n)) visit(n);
  return cycles;
}
