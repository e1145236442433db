/**
 * Mutation fuzzing for crashes: bad input must become coded, positioned diagnostics, never an
 * exception, a stack trace, or a failed compile that touches the output directory.
 *
 * Seeds are the real pipelines in examples/ and test/fixtures/static/ with the fixtures' shared
 * lib/ modules. Each project holds several token-level mutants (test/support/mutate.ts: deleted,
 * duplicated, swapped and replaced tokens, literal and operator swaps, await/new/?./..., wraps, deep
 * nesting, truncation, changed import paths, removed and renamed exports, crossover between files)
 * beside a lib/ that is itself mutated in some projects, compiled with compile() in one call.
 * A smaller sample runs the built CLI over a prefilled output directory.
 *
 * Deterministic: fixed seeds. To explore, raise the counts (findings are printed, and written as
 * JSON to GANTRY_FUZZ_REPORT when set):
 *   GANTRY_FUZZ_COUNT=2000 GANTRY_FUZZ_CLI=100 GANTRY_FUZZ_SEED=7 npx vitest run test/crash-fuzz.test.ts
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { describeFinding, fuzzCli, fuzzInProcess, loadSeeds, makeMutant, type Finding } from "./support/crash-fuzz.js";

const env = (name: string, fallback: number) => (process.env[name] !== undefined ? Number(process.env[name]) : fallback);
/** Projects compiled in-process, and entries (mutants) per project. */
const COUNT = env("GANTRY_FUZZ_COUNT", 60);
const SIZE = env("GANTRY_FUZZ_SIZE", 10);
/** Projects run through the CLI. */
const CLI = env("GANTRY_FUZZ_CLI", 6);
const BASE = env("GANTRY_FUZZ_SEED", 1);
const exploring = process.env.GANTRY_FUZZ_COUNT !== undefined || process.env.GANTRY_FUZZ_CLI !== undefined;
const timeout = exploring ? 24 * 3600_000 : 60_000;

const seeds = loadSeeds();

/**
 * What this test found (fixed in src/, each with a test in test/evaluator.test.ts): conversion
 * errors escaping the evaluator's visitors; validation converting names the author controls;
 * values and binding patterns nested deeper than the stack; GANTRY1001 without a place for an
 * entry file; Gantry's own source code (`"" + pipeline`) becoming a value; `Array.from` and a
 * pipeline of 100,000 tasks exhausting memory.
 */

function report(findings: Finding[], part: string): string[] {
  if (process.env.GANTRY_FUZZ_REPORT) fs.writeFileSync(`${process.env.GANTRY_FUZZ_REPORT}.${part}.json`, JSON.stringify(findings, null, 1));
  return findings.map(describeFinding);
}

describe("crash fuzz: mutated pipelines give diagnostics, never crashes", () => {
  it(`compile() in-process: ${COUNT} projects of ${SIZE} mutants`, async () => {
    const findings: Finding[] = [];
    for (let i = 0; i < COUNT; i++) {
      const mutant = makeMutant(seeds, BASE * 1_000_003 + i, SIZE);
      findings.push(...(await fuzzInProcess(mutant)));
    }
    expect(report(findings, "compile")).toEqual([]);
  }, timeout);

  it(`the CLI: ${CLI} projects over a prefilled output directory`, () => {
    const findings: Finding[] = [];
    for (let i = 0; i < CLI; i++) {
      // Few entries per project, so that some compile cleanly and write.
      const mutant = makeMutant(seeds, BASE * 1_000_003 + 500_000 + i, 1 + (i % 3));
      findings.push(...fuzzCli(mutant));
    }
    expect(report(findings, "cli")).toEqual([]);
  }, timeout);
});

/**
 * Exploration only: GANTRY_FUZZ_MINIMIZE=<report.json> shrinks the first finding of each kind in a
 * report to a small project, written under GANTRY_FUZZ_MINIMIZE_OUT (default /tmp/gantry-fuzz-min).
 */
describe.runIf(process.env.GANTRY_FUZZ_MINIMIZE)("crash fuzz: minimise findings", () => {
  it("shrinks each distinct finding", async () => {
    const { failureKey, minimize } = await import("./support/minimize.js");
    const findings = JSON.parse(fs.readFileSync(process.env.GANTRY_FUZZ_MINIMIZE!, "utf8")) as Finding[];
    const outDir = process.env.GANTRY_FUZZ_MINIMIZE_OUT ?? "/tmp/gantry-fuzz-min";
    fs.mkdirSync(outDir, { recursive: true });
    const seen = new Set<string>();
    for (const f of findings) {
      if (!f.files || f.kind === "cli") continue;
      const options = f.options!;
      const key = await failureKey(f.files, options);
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      const min = await minimize(f.files, options, key);
      const name = `${outDir}/${seen.size}-seed${f.seed}`;
      fs.writeFileSync(`${name}.json`, JSON.stringify({ key, options, files: min.files }, null, 1));
      console.log(`${key}\n${Object.entries(min.files).map(([p, t]) => `--- ${p}\n${t}`).join("\n")}\n`);
    }
  }, 24 * 3600_000);
});
