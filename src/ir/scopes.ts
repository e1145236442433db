/**
 * Setup/teardown scopes (DESIGN §5 rule 2): the scope of a setup is every task downstream of it,
 * through `after` edges and setup-to-teardown edges, that is not one of its teardowns and not
 * downstream of one. A teardown's scope is the union of its setups' scopes, so it includes the
 * teardowns of inner scopes and an outer teardown waits for inner ones.
 */
import type * as IR from "./schema.js";

export interface Scopes {
  /** Tasks in each setup's scope. */
  ofSetup: ReadonlyMap<string, ReadonlySet<string>>;
  /** Tasks in each teardown's scope. */
  ofTeardown: ReadonlyMap<string, ReadonlySet<string>>;
  /** For each task, the setups whose scope holds it, in declaration order. */
  enclosing: ReadonlyMap<string, readonly string[]>;
  /** For each setup, the teardowns that name it. */
  teardownsOf: ReadonlyMap<string, readonly string[]>;
  /** Tasks each task directly leads to: its dependents, and for a setup its teardowns. */
  successors: ReadonlyMap<string, readonly string[]>;
}

export function computeScopes(pipeline: Pick<IR.Pipeline, "tasks">): Scopes {
  const successors = new Map<string, string[]>(pipeline.tasks.map((t) => [t.name, []]));
  const teardownsOf = new Map<string, string[]>();
  for (const t of pipeline.tasks) {
    for (const d of t.dependencies) successors.get(d)?.push(t.name);
    for (const s of t.setups) {
      successors.get(s)?.push(t.name);
      teardownsOf.set(s, [...(teardownsOf.get(s) ?? []), t.name]);
    }
  }
  const downstream = (from: string): Set<string> => reach(from, successors);

  const ofSetup = new Map<string, Set<string>>();
  for (const s of pipeline.tasks.filter((t) => t.role === "setup")) {
    const teardowns = teardownsOf.get(s.name) ?? [];
    const excluded = new Set(teardowns.flatMap((t) => [t, ...downstream(t)]));
    ofSetup.set(s.name, new Set([...downstream(s.name)].filter((n) => !excluded.has(n))));
  }
  const ofTeardown = new Map<string, Set<string>>();
  for (const t of pipeline.tasks.filter((x) => x.role === "teardown")) {
    ofTeardown.set(t.name, new Set(t.setups.flatMap((s) => [...(ofSetup.get(s) ?? [])])));
  }
  const enclosing = new Map<string, string[]>(pipeline.tasks.map((t) => [t.name, []]));
  for (const [setup, scope] of ofSetup) for (const n of scope) enclosing.get(n)?.push(setup);
  return { ofSetup, ofTeardown, enclosing, teardownsOf, successors };
}

/** Every task reachable from `from` (excluding it) by the given edges. */
export function reach(from: string, edges: ReadonlyMap<string, readonly string[]>, blocked: ReadonlySet<string> = new Set()): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(from) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n) || blocked.has(n)) continue;
    seen.add(n);
    stack.push(...(edges.get(n) ?? []));
  }
  return seen;
}

/**
 * What each task waits for before it can start or be skipped: its `after` dependencies, and for a
 * teardown its setups and its whole scope; finally tasks wait for every other task.
 */
export function waitsFor(pipeline: IR.Pipeline, scopes: Scopes): Map<string, string[]> {
  const others = pipeline.tasks.filter((t) => t.role !== "finally").map((t) => t.name);
  return new Map(
    pipeline.tasks.map((t) => {
      if (t.role === "finally") return [t.name, others];
      const waits = new Set(t.dependencies);
      if (t.role === "teardown") for (const n of [...t.setups, ...(scopes.ofTeardown.get(t.name) ?? [])]) waits.add(n);
      return [t.name, [...waits]];
    }),
  );
}
