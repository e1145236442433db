/** Shared by the fault-injection tests of both targets: outcome assignments and random pipelines. */
import type { TaskHandle } from "../../src/dsl/handle.js";
import { pipeline } from "../../src/dsl/pipeline.js";
import type { Outcome } from "../../src/phases/4-lower/index.js";
import { rng } from "./rng.js";

/** Every assignment of `alphabet` to `names` when there are at most `limit` of them, else `sample` random ones. */
export function* assignments(names: readonly string[], alphabet: readonly Outcome[], limit: number, sample: number, seed: number): Generator<Record<string, Outcome>> {
  if (alphabet.length ** names.length <= limit) {
    const total = alphabet.length ** names.length;
    for (let i = 0; i < total; i++) {
      const a: Record<string, Outcome> = {};
      let x = i;
      for (const n of names) {
        a[n] = alphabet[x % alphabet.length]!;
        x = Math.floor(x / alphabet.length);
      }
      yield a;
    }
    return;
  }
  const r = rng(seed);
  for (let i = 0; i < sample; i++) yield Object.fromEntries(names.map((n) => [n, alphabet[Math.floor(r() * alphabet.length)]!]));
}

/** A random pipeline through the real DSL: roles, after edges, setups, allowFailure, allDone. */
export function randomPipeline(r: () => number, id: number, size: number) {
  return pipeline(`random-${id}`, {}, (p) => {
    const open: TaskHandle[] = [];
    const setups: TaskHandle[] = [];
    for (let k = 0; k < size; k++) {
      const pick = r();
      const after = open.filter(() => r() < 0.35);
      const common = { image: "busybox", after, ...(r() < 0.15 && { allowFailure: true }) };
      let h: TaskHandle;
      if (pick < 0.25) h = p.setup(`s${k}`, { image: "busybox", after });
      else if (pick < 0.55 && setups.length > 0) h = p.teardown(`t${k}`, { ...common, setups: setups.filter(() => r() < 0.6).concat(setups[Math.floor(r() * setups.length)]!), ...(r() < 0.3 && { failsRun: true }) });
      else if (pick < 0.62) h = p.finally(`f${k}`, { image: "busybox", ...(r() < 0.3 && { allowFailure: true }) });
      else h = p.task(`w${k}`, { ...common, ...(r() < 0.2 && { trigger: "allDone" as const }) });
      if (h.role === "setup") setups.push(h);
      if (h.role !== "finally") open.push(h);
    }
  });
}

