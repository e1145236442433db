/** Shared by the fault-injection tests of both targets: outcome assignments and random pipelines. */
import { hasErrors } from "../../src/diagnostics/index.js";
import type { TaskHandle } from "../../src/dsl/handle.js";
import type { WhenCondition } from "../../src/dsl/types.js";
import { pipeline } from "../../src/dsl/pipeline.js";
import type * as IR from "../../src/ir/index.js";
import { noLocations, validate } from "../../src/phases/3-validate/index.js";
import { lower, type Outcome } from "../../src/phases/4-lower/index.js";
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

/** The parameters of a conditional random pipeline, and every combination of values `when` can see. */
export const CONDITION_PARAMETERS = { a: { default: "on" }, b: { default: "off" } } as const;
export const PARAMETER_VALUES: readonly ReadonlyMap<string, string>[] = ["on", "off"].flatMap((a) => ["on", "off"].map((b) => new Map([["a", a], ["b", b]])));

/**
 * `true`: random `when`s on parameters; `"runStatus"`: finally tasks' also test the run's result;
 * `"outputs"`: every setup, work and teardown task has an output `v` (half of them with the default
 * "off"), and `when`s also test the output of a task in the task's `after`.
 * `"fanOut"`: as `true`, with a list parameter `items` that some work tasks fan out over (`forEach`).
 * `"fanOutOutputs"`: as `"outputs"`, but the defaults are lists (`[]`, `["d"]`), and some work tasks
 * fan out over the output `v` of a task in their `after` instead of declaring one.
 */
export type Conditional = boolean | "runStatus" | "outputs" | "fanOut" | "fanOutOutputs";

/** The list parameter of a `"fanOut"` pipeline, and the lists a run may give it. */
export const FAN_OUT_PARAMETERS = { ...CONDITION_PARAMETERS, items: { default: ["x", "y"] } } as const;
export const ITEM_LISTS = ["[]", '["x"]', '["x","y","z"]'] as const;
export const FAN_OUT_VALUES: readonly ReadonlyMap<string, string>[] = PARAMETER_VALUES.flatMap((v) => ITEM_LISTS.map((items) => new Map([...v, ["items", items]])));

/** What a task of an `"outputs"` pipeline may write to its output `v` when it succeeds. */
export const OUTPUT_VALUES = ["on", "off"] as const;

/** What a task of a `"fanOutOutputs"` pipeline may write to `v`: lists, `null` (no items, to Argo), and a value that is no list (its fan-outs fail). */
export const LIST_OUTPUT_VALUES = ["[]", '["x"]', '["x","y","z"]', "null", "on"] as const;

/**
 * A random pipeline through the real DSL: roles, after edges, setups, allowFailure, allDone; with
 * `conditional`, also parameters `a` and `b` and a random `when` on some setup, work and finally tasks.
 */
export function randomPipeline(r: () => number, id: number, size: number, conditional: Conditional = false) {
  const parameters = conditional === "fanOut" ? FAN_OUT_PARAMETERS : CONDITION_PARAMETERS;
  return pipeline(`random-${id}`, conditional ? { parameters } : {}, (p) => {
    const open: TaskHandle[] = [];
    const setups: TaskHandle[] = [];
    const params = p.params as Record<string, string>;
    const withOutputs = conditional === "outputs" || conditional === "fanOutOutputs";
    const fallback = () => (conditional === "outputs" ? "off" : r() < 0.5 ? "[]" : '["d"]');
    const outputs = () => (withOutputs ? { outputs: r() < 0.5 ? { v: "/tmp/v" } : { v: { path: "/tmp/v", default: fallback() } } } : {});
    const producersIn = (after: readonly TaskHandle[]) => (withOutputs ? after.filter((h) => h.role !== "finally") : []);
    const when = (after: readonly TaskHandle[] = []) => {
      const producers = producersIn(after);
      if (!conditional || r() >= (producers.length > 0 ? 0.6 : 0.35)) return {};
      return { when: producers.length > 0 && r() < 0.8 ? randomOutputWhen(r, params, producers) : randomWhen(r, params) };
    };
    // Most finally tasks test the run's result in that mode: a run that fails is the usual reason for one.
    const finallyWhen = () => (conditional === "runStatus" && r() < 0.7 ? { when: randomRunStatusWhen(r, params) } : when());
    for (let k = 0; k < size; k++) {
      const pick = r();
      const after = open.filter(() => r() < (withOutputs ? 0.5 : 0.35));
      const common = { image: "busybox", after, ...(r() < 0.15 && { allowFailure: true }) };
      let h: TaskHandle;
      if (pick < 0.25) h = p.setup(`s${k}`, { image: "busybox", after, ...when(after), ...outputs() });
      else if (pick < 0.55 && setups.length > 0) h = p.teardown(`t${k}`, { ...common, setups: setups.filter(() => r() < 0.6).concat(setups[Math.floor(r() * setups.length)]!), ...(r() < 0.3 && { failsRun: true }), ...outputs() });
      else if (pick < 0.62) h = p.finally(`f${k}`, { image: "busybox", ...(r() < 0.3 && { allowFailure: true }), ...finallyWhen() });
      else {
        const producers = conditional === "fanOutOutputs" && r() < 0.8 ? producersIn(after) : [];
        const fanOut =
          conditional === "fanOut" && r() < 0.5
            ? { forEach: params["items"]!, args: [p.item] }
            : producers.length > 0
              ? { forEach: producers[Math.floor(r() * producers.length)]!.output("v"), args: [p.item] }
              : undefined;
        // A fan-out declares no outputs (GANTRY2046).
        h = p.task(`w${k}`, { ...common, ...(r() < 0.2 && { trigger: "allDone" as const }), ...when(after), ...(fanOut ? fanOut : outputs()) });
      }
      if (h.role === "setup") setups.push(h);
      if (h.role !== "finally") open.push(h);
    }
  });
}

/** A finally task's random test of the run's result, alone, negated, or with one on a parameter. */
function randomRunStatusWhen(r: () => number, params: Record<string, string>): WhenCondition {
  const status: WhenCondition = { runStatus: r() < 0.6 ? "Failed" : "Succeeded" };
  const pick = r();
  return pick < 0.5 ? status : pick < 0.6 ? { not: status } : pick < 0.8 ? { all: [status, randomWhen(r, params)] } : { any: [status, randomWhen(r, params)] };
}

/** A random condition on `a` and `b`: a comparison, or a `not`/`all`/`any` of them. */
function randomWhen(r: () => number, params: Record<string, string>): WhenCondition {
  const leaf = (): WhenCondition => {
    const param = params[r() < 0.5 ? "a" : "b"]!;
    const pick = r();
    return pick < 0.5 ? { param, equals: "on" } : pick < 0.8 ? { param, notEquals: "on" } : { param, in: ["off", "maybe"] };
  };
  const pick = r();
  return pick < 0.6 ? leaf() : pick < 0.75 ? { not: leaf() } : pick < 0.9 ? { all: [leaf(), leaf()] } : { any: [leaf(), leaf()] };
}

/** A random test of the output `v` of one of `producers`, alone, negated, or with one on a parameter. */
function randomOutputWhen(r: () => number, params: Record<string, string>, producers: readonly TaskHandle[]): WhenCondition {
  const output = producers[Math.floor(r() * producers.length)]!.output("v");
  const pick = r();
  const value = r() < 0.5 ? "on" : "off";
  const test: WhenCondition = pick < 0.4 ? { output, equals: value } : pick < 0.7 ? { output, notEquals: value } : { output, in: [value, "maybe"] };
  const combine = r();
  return combine < 0.6 ? test : combine < 0.7 ? { not: test } : combine < 0.85 ? { all: [test, randomWhen(r, params)] } : { any: [test, randomWhen(r, params)] };
}

/** The IR of a random pipeline, or undefined when the random choices make an invalid one. */
function validRandom(r: () => number, id: number, size: number, conditional: Conditional = false): IR.Pipeline | undefined {
  const v = validate([{ definition: randomPipeline(r, id, size, conditional), file: "random.ts", locator: noLocations }]);
  const ir = v.pipelines[0];
  return hasErrors(v.diagnostics) || !ir || hasErrors(lower(ir).diagnostics) ? undefined : ir;
}

/** `count` valid random pipelines of 2-7 tasks (seeded: the same ones every run); `conditional`: with `when` (see randomPipeline). */
export function* validRandomPipelines(count: number, seed = 4242, conditional: Conditional = false): Generator<IR.Pipeline> {
  const r = rng(seed);
  let accepted = 0;
  for (let id = 0; accepted < count && id < 2000; id++) {
    const ir = validRandom(r, id, 2 + Math.floor(r() * 6), conditional);
    if (!ir) continue;
    accepted++;
    yield ir;
  }
  if (accepted < count) throw new Error(`only ${accepted} of ${count} random pipelines were valid`);
}

/** A valid random pipeline of `size` tasks with a setup, a teardown and a finally task. */
export function randomPipelineWithEveryRole(size: number): IR.Pipeline {
  const r = rng(size * 101);
  for (let id = 0; id < 5000; id++) {
    const ir = validRandom(r, id, size);
    const roles = new Set(ir?.tasks.map((t) => t.role));
    if (ir && roles.has("setup") && roles.has("teardown") && roles.has("finally")) return ir;
  }
  throw new Error(`no valid random pipeline of ${size} tasks with every role`);
}

export type Agree = (ir: IR.Pipeline, limit: number, sample: number, alphabet?: readonly Outcome[]) => number;

/**
 * How much of a pipeline's outcome space the fault-injection tests check: all 3^n assignments up to
 * 7 tasks (3^10 would be 59,049 runs), beyond that every succeed/fail assignment plus 1,000 sampled
 * with errors. Returns how many were checked.
 */
export function checkOutcomeSpace(ir: IR.Pipeline, agree: Agree): number {
  return ir.tasks.length <= 7 ? agree(ir, 3 ** 7, 0) : agree(ir, 2 ** 12, 0, ["succeeds", "fails"]) + agree(ir, 0, 1000);
}
