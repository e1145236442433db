/**
 * Differential fuzzing of the static evaluator (src/phases/2-analyze): random programs in the static
 * subset (test/support/random-programs.ts), compiled statically and executed for real. For every
 * program, either the static evaluator rejects it with a coded diagnostic, or task "t"'s args are
 * exactly what running the module builds. A crash of the compiler, an internal error, a value that
 * differs, or a module that compiles although running it throws, fails the test with the program.
 *
 * Deterministic: fixed seeds. To explore, set GANTRY_FUZZ_SEED (first seed), GANTRY_FUZZ_SEEDS (how
 * many), GANTRY_FUZZ_COUNT (programs per seed), GANTRY_FUZZ_VERBOSE=1 (print what was rejected) and
 * GANTRY_FUZZ_DUMP=<text> (print the first program rejected with a message containing it).
 * The generator also draws the constructs of the bugs this test found (FOUND_BUGS), fixed since.
 */
import { describe, expect, it } from "vitest";
import { moduleSource, runDifferential, type Outcome, type Program } from "./support/differential.js";
import { randomProgram } from "./support/random-programs.js";
import { rng } from "./support/rng.js";

const env = process.env;
const FIRST_SEED = Number(env.GANTRY_FUZZ_SEED ?? 1);
const SEEDS = Number(env.GANTRY_FUZZ_SEEDS ?? 4);
const COUNT = Number(env.GANTRY_FUZZ_COUNT ?? 150);
const VERBOSE = env.GANTRY_FUZZ_VERBOSE === "1";

const describeOutcome = (o: Outcome): string => {
  switch (o.kind) {
    case "mismatch": return `static ${JSON.stringify(o.static)}\n    js ${JSON.stringify(o.js)}`;
    case "js-throws": return `static ${JSON.stringify(o.static)} without a diagnostic, but running it throws ${o.error}`;
    case "crash": return `compiler crashed: ${o.error.split("\n").slice(0, 4).join("\n")}`;
    default: return o.kind;
  }
};

describe("static evaluator vs JavaScript on random programs", () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    it(`seed ${seed}: ${COUNT} programs`, async () => {
      const r = rng(seed);
      const programs: Program[] = [];
      for (let i = 0; i < COUNT; i++) programs.push(randomProgram(r));
      const outcomes = await runDifferential(programs);
      const failures: string[] = [];
      const rejected = new Map<string, number>();
      outcomes.forEach((o, i) => {
        if (o.kind === "rejected") {
          // Rejections are fine: outside the subset, or the program fails when run as well.
          for (const m of o.messages) {
            const key = `${o.jsThrew === undefined ? "JS ran fine" : "JS threw too"}: ${m.replace(/`[^`]*`/g, "`…`").replace(/"[^"]*"/g, '"…"')}`;
            if (env.GANTRY_FUZZ_DUMP && !rejected.has(key) && key.includes(env.GANTRY_FUZZ_DUMP)) console.log(`${key}\n${moduleSource(programs[i]!, `p${i}`)}`);
            rejected.set(key, (rejected.get(key) ?? 0) + 1);
          }
        } else if (o.kind !== "match") {
          failures.push(`program ${i} of seed ${seed}: ${describeOutcome(o)}\n${moduleSource(programs[i]!, `p${i}`)}`);
        }
      });
      if (VERBOSE) {
        const matched = outcomes.filter((o) => o.kind === "match").length;
        console.log(`seed ${seed}: ${matched}/${outcomes.length} matched, ${failures.length} failures\n` + [...rejected].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} × ${k}`).join("\n"));
      }
      expect(failures, failures.slice(0, 5).join("\n\n")).toEqual([]);
      // The generator must mostly produce programs both sides evaluate, or the test checks little.
      expect(outcomes.filter((o) => o.kind === "match").length).toBeGreaterThan(COUNT * 0.6);
    }, 120_000);
  }
});
