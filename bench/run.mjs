#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench`: how fast `compile()` is compared with a bare TypeScript parse of the same files.
 *
 * For each size (default 100, 1,000 and 5,000 pipelines of 20 tasks) it generates a corpus with
 * bench/corpus.mjs in a temporary directory and measures it in one fresh child process, so that
 * peak RSS and warm-up are per size. In the child:
 *
 *   1. warm-up: a bare parse and a compile of a small, separate corpus, so module loading and JIT
 *      warm-up are not timed;
 *   2. bare parse: read every corpus file and `ts.createSourceFile(name, text, Latest, true)`, with
 *      the `ts` that ts-morph exports (the TypeScript version the compiler uses);
 *   3. compile: `compile({ cwd, paths: ["pipelines"], target: "argo", kind: "auto", typecheck: false })`
 *      from dist/, which includes YAML generation and writes nothing; it must report ok, with no
 *      diagnostics, every pipeline and every task;
 *
 * repeating 2 and 3 alternately (default 3 times, `gc()` before each) and reporting medians of
 * the wall-clock times; then
 *
 *   4. --watch: a CompileSession's full compile, then one changed pipeline file recompiled (reps times);
 *   5. output floor: one more compile with a backend that, besides returning the objects, times
 *      `JSON.stringify` of them (V8's native serialiser) and Gantry's `toYaml` of them: the cost of
 *      merely writing out what the compile produces, against the same bare parse. The YAML
 *      writer's scalar caches are warm by then (the same corpus was compiled before), so its
 *      figure is a lower bound for a one-shot compile.
 *   6. phases: the compile split where `compileBatch` splits it, entry by entry: the front end
 *      (`Analyzer.entry`: read, parse and statically evaluate, the static analysis proper),
 *      validation (`validate`: schemas, rules, normalisation into IR) and the back half
 *      (`emitPipelines`: lowering, the Argo backend, YAML), each summed over entries and set
 *      against a bare parse measured just before (reps times; medians of the ratios).
 *   7. --cache: a compile into an empty cache folder, again with nothing changed, and again after
 *      one pipeline file changed (reps times): what `gantry compile --cache` costs the first time
 *      and saves after. The target above is a compile from nothing, so these are information only.
 *
 * Peak RSS is `process.resourceUsage().maxRSS` after a compile, with the
 * kernel's high-water mark reset just before it (/proc/self/clear_refs, Linux), so it is the peak
 * of that compile run. The table and the target use the first compile run, the closest to a
 * one-shot `gantry compile`: later runs start from the heap V8 kept committed after the previous
 * one (all runs are listed). Where the reset is unavailable it is the child's lifetime peak, and
 * the output says so.
 *
 * Then, in the parent, the real `gantry compile pipelines --out <tmp>` runs in its own process
 * twice (into an empty directory, then again with nothing changed) for its wall time from spawn to
 * exit and its peak RSS: what a user's CI sees, start-up and writing included.
 *
 * The targets (at 1,000 x 20: compile within 2.0x the bare parse, under 512 MB RSS) are printed as
 * PASS/FAIL for information only: the exit code is 0 unless a compile fails or reports an error.
 * Speed targets belong here, never in unit tests: test machines are shared and noisy.
 *
 *   npm run bench                                 # builds dist/ first
 *   npm run bench -- --sizes 100,1000 --tasks 20 --reps 3
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { generateCorpus, listCorpusFiles, MAX_TASKS } from "./corpus.mjs";

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), "..");
const DIST_COMPILE = path.join(REPO, "dist", "compile.js");
const DIST_SESSION = path.join(REPO, "dist", "session.js");
const DIST_CLI = path.join(REPO, "dist", "cli", "main.js");
const DIST_YAML = path.join(REPO, "dist", "output", "yaml.js");
const DIST_PARSE = path.join(REPO, "dist", "phases", "1-parse", "index.js");
const DIST_ANALYZE = path.join(REPO, "dist", "phases", "2-analyze", "index.js");
const DIST_VALIDATE = path.join(REPO, "dist", "phases", "3-validate", "index.js");

/** @typedef {{ cwd: string; paths: string[]; target: "argo"; kind: "auto"; typecheck: false }} CorpusOptions */
/** @typedef {(plan: unknown) => { objects: unknown[]; diagnostics: unknown[] }} Backend */

/** Pipelines in the warm-up corpus (numbered from WARMUP_FIRST, so its names and text differ). */
const WARMUP_PIPELINES = 100;
const WARMUP_FIRST = 900_000;
const TARGET = { pipelines: 1000, tasks: 20, maxRatio: 2.0, maxRssMB: 512 };

/**
 * @typedef {object} SizeResult
 * @property {number} pipelines
 * @property {number} tasks
 * @property {number} files
 * @property {number} bytes
 * @property {number[]} parseMs
 * @property {number[]} compileMs
 * @property {number[]} [incrementalMs] one-file recompiles of a CompileSession (--watch)
 * @property {number[]} parseCpuMs  CPU time (user + system, all threads) of each bare parse
 * @property {number[]} compileCpuMs CPU time of each compile run
 * @property {number[]} rssMB       peak RSS of each compile run
 * @property {number[]} baseRssMB   RSS just before each compile run
 * @property {number} lifetimeRssMB the child's peak RSS over its whole life
 * @property {boolean} rssReset     whether the high-water mark could be reset before each compile
 * @property {number} yamlBytes
 * @property {string} tsVersion
 * @property {CliResult} [cli] the real `gantry compile` in its own process, writing the output
 * @property {OutputFloor} [floor] what merely serialising the compile's output costs
 * @property {PhaseRun[]} [phases] the compile split by phase, each run against its own bare parse
 * @property {CacheRun[]} [cache] compiles with `--cache`: into an empty cache, again unchanged, again after one edit
 */

/**
 * One round of compiles with the compile cache (wall ms), and the size of the records.
 * @typedef {object} CacheRun
 * @property {number} coldMs    into an empty cache: every entry compiled and recorded
 * @property {number} warmMs    nothing changed: every entry reused
 * @property {number} oneMs     one pipeline file changed: it compiled, the rest reused
 * @property {number} bytes     the cache folder's records on disk
 */

/**
 * One compile split by phase (wall ms summed over entries), and the bare parse just before it.
 * @typedef {object} PhaseRun
 * @property {number} parseMs
 * @property {number} analyzeMs  front end: read, parse, evaluate
 * @property {number} validateMs schemas, rules, normalisation into IR
 * @property {number} emitMs     lowering, Argo backend, YAML
 */

/**
 * The output floor: the emitted Kubernetes objects of every pipeline, serialised once by V8's
 * native `JSON.stringify` and once by Gantry's YAML writer, each timed on its own (summed per pipeline).
 * @typedef {object} OutputFloor
 * @property {number} jsonMs
 * @property {number} jsonBytes
 * @property {number} yamlMs
 */

/**
 * @typedef {object} CliResult
 * @property {number} freshMs     wall time of `gantry compile` into an empty output directory (process start to exit)
 * @property {number} freshRssMB  its peak RSS
 * @property {number} againMs     the same command again: every file unchanged, nothing written
 * @property {number} againRssMB
 * @property {number} cachedMs    `gantry compile --cache` with its cache filled and nothing changed, nothing written
 * @property {number} cachedRssMB
 */

const USAGE = `usage: npm run bench -- [--sizes 100,1000,5000] [--tasks 20] [--reps 3]`;

const { values: args } = parseArgsOrExit({
  options: {
    sizes: { type: "string", default: "100,1000,5000" },
    tasks: { type: "string", default: "20" },
    reps: { type: "string", default: "3" },
    help: { type: "boolean", short: "h", default: false },
    // Internal: run as the measuring child for one corpus.
    child: { type: "string" },
    warmup: { type: "string" },
  },
  strict: true,
});

if (args.help) {
  console.log(USAGE);
} else if (args.child !== undefined) {
  await child(args.child, args.warmup ?? "", positiveInt("--tasks", args.tasks), positiveInt("--reps", args.reps));
} else {
  process.exitCode = await main();
}

/**
 * `parseArgs`, with a usage error (exit 2) instead of a stack trace.
 * @template {import("node:util").ParseArgsConfig} T
 * @param {T} config
 */
function parseArgsOrExit(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}

/** @param {string} flag @param {string} text */
function positiveInt(flag, text) {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) usageError(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

/** @param {string} message @returns {never} */
function usageError(message) {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

/** @param {readonly number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? /** @type {number} */ (s[mid]) : (/** @type {number} */ (s[mid - 1]) + /** @type {number} */ (s[mid])) / 2;
}

// ---------------------------------------------------------------------------------------------
// Parent: generate corpora, run one child per size, print the report.
// ---------------------------------------------------------------------------------------------

/** @returns {Promise<number>} the exit code */
async function main() {
  const sizes = [...new Set(args.sizes.split(",").map((s) => positiveInt("--sizes", s.trim())))].sort((a, b) => a - b);
  const tasks = positiveInt("--tasks", args.tasks);
  if (tasks > MAX_TASKS) usageError(`--tasks must be at most ${MAX_TASKS} (Argo's template limit)`);
  const reps = positiveInt("--reps", args.reps);
  if (!fs.existsSync(DIST_COMPILE)) {
    console.error(`bench: ${path.relative(process.cwd(), DIST_COMPILE)} is missing; run \`npm run build\` (npm run bench does).`);
    return 1;
  }

  const loadBefore = os.loadavg();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-bench-"));
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  /** @param {NodeJS.Signals} signal */
  const onSignal = (signal) => {
    cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  /** @type {SizeResult[]} */
  const results = [];
  try {
    const warm = generateCorpus(path.join(root, "warmup"), { pipelines: WARMUP_PIPELINES, tasks, first: WARMUP_FIRST });
    for (const pipelines of sizes) {
      const dir = path.join(root, `corpus-${pipelines}`);
      const started = performance.now();
      const corpus = generateCorpus(dir, { pipelines, tasks });
      console.error(`bench: ${fmtInt(pipelines)} x ${tasks}: generated ${fmtInt(corpus.files.length)} files in ${fmtMs(performance.now() - started)} ms; measuring (${reps} reps)...`);
      try {
        const result = await runChild(dir, warm.dir, tasks, reps);
        result.cli = measureCli(dir, root, pipelines);
        results.push(result);
      } catch (error) {
        console.error(`bench: ${fmtInt(pipelines)} x ${tasks}: ${error instanceof Error ? error.message : String(error)}`);
        console.error("bench: FAIL: the compile failed on the benchmark corpus or the measuring process crashed; no figures are reported.");
        return 1;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  report(results, reps, loadBefore);
  return 0;
}

/**
 * Runs the measuring child for one corpus and returns its result.
 * @param {string} dir @param {string} warmDir @param {number} tasks @param {number} reps
 * @returns {Promise<SizeResult>}
 */
function runChild(dir, warmDir, tasks, reps) {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--expose-gc", SELF, "--child", dir, "--warmup", warmDir, "--tasks", String(tasks), "--reps", String(reps)],
      { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      if (code !== 0) return reject(new Error(`measuring process exited with ${signal ?? `code ${code}`}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? ""));
      } catch {
        reject(new Error(`measuring process printed no result:\n${out}`));
      }
    });
  });
}

/**
 * `gantry compile pipelines --out <tmp>` as a user runs it, twice: into an empty directory, then
 * again over its own output (the CI case: nothing changed, nothing written). Wall time from spawn
 * to exit, so it includes Node's start-up and module loading; peak RSS is the child's maxRSS,
 * written at exit by a preloaded module. Fails unless both runs succeed and write every manifest.
 * @param {string} dir @param {string} root @param {number} pipelines
 * @returns {CliResult}
 */
function measureCli(dir, root, pipelines) {
  const out = path.join(root, "cli-out");
  const rssFile = path.join(root, "cli-rss");
  const preload = path.join(root, "rss-on-exit.mjs");
  fs.writeFileSync(preload, `import fs from "node:fs";\nprocess.on("exit", () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  fs.rmSync(out, { recursive: true, force: true });
  const cache = path.join(root, "cli-cache");
  /** @param {string[]} flags */
  const run = (...flags) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, DIST_CLI, "compile", "pipelines", "--out", out, ...flags], { cwd: dir, encoding: "utf8" });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`gantry compile exited with ${r.signal ?? r.status}:\n${r.stderr}`);
    const written = fs.readdirSync(out).filter((f) => f.endsWith(".yaml")).length;
    if (written !== pipelines + 1) throw new Error(`gantry compile wrote ${written} YAML files, expected ${pipelines} and kustomization.yaml`);
    return { ms, rssMB: Number(fs.readFileSync(rssFile, "utf8")) / 1024, stderr: r.stderr };
  };
  const fresh = run();
  const again = run();
  if (!/ 0 written/.test(again.stderr)) throw new Error(`recompiling unchanged sources wrote files: ${again.stderr}`);
  run("--cache", "--cache-location", cache); // fills the cache
  const cached = run("--cache", "--cache-location", cache);
  if (!/ 0 written/.test(cached.stderr) || !/ 0 of \S+ source files compiled/.test(cached.stderr)) throw new Error(`the cached compile of unchanged sources compiled or wrote files: ${cached.stderr}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(cache, { recursive: true, force: true });
  process.stderr.write(`bench:   gantry compile: ${fmtMs(fresh.ms)} ms, peak RSS ${Math.round(fresh.rssMB)} MB; again, unchanged: ${fmtMs(again.ms)} ms, ${Math.round(again.rssMB)} MB; --cache, unchanged: ${fmtMs(cached.ms)} ms, ${Math.round(cached.rssMB)} MB\n`);
  return { freshMs: fresh.ms, freshRssMB: fresh.rssMB, againMs: again.ms, againRssMB: again.rssMB, cachedMs: cached.ms, cachedRssMB: cached.rssMB };
}

/** @param {SizeResult[]} results @param {number} reps @param {number[]} loadBefore */
function report(results, reps, loadBefore) {
  const cpus = os.cpus();
  const tsVersion = results[0]?.tsVersion ?? "?";
  console.log("Gantry compile benchmark");
  console.log(
    `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${fmtInt(Math.round(os.totalmem() / 2 ** 20))} MB RAM, ` +
      `${os.platform()}-${os.arch()}; load average (1/5/15 min) ${fmtLoad(loadBefore)} before, ${fmtLoad(os.loadavg())} after`,
  );
  console.log(`runtime: Node ${process.version}, TypeScript ${tsVersion} (from ts-morph); dist/ built from ${gitRevision()}`);
  console.log(
    `method:  one child process per size; warm-up compile of ${WARMUP_PIPELINES} x ${results[0]?.tasks ?? "?"} first; ` +
      `bare parse and compile alternated ${reps} time(s), gc() before each, medians shown.`,
  );
  console.log(
    "         peak RSS = " +
      (results.every((r) => r.rssReset)
        ? "peak of the first compile run (RSS high-water mark reset just before it); later runs start from the heap V8 kept committed, see below"
        : "the child's lifetime peak (the RSS high-water mark could not be reset on this system)"),
  );
  console.log("");

  const base = results[0];
  const header = ["pipelines", "tasks", "files", "parse ms", "compile ms", "ratio", "CPU ratio", "peak RSS MB", "tasks/s", "compile µs/task", "growth", "parse growth"];
  const rows = results.map((r) => {
    const parse = median(r.parseMs);
    const comp = median(r.compileMs);
    const total = r.pipelines * r.tasks;
    const perTask = comp / total;
    const baseCompile = base ? median(base.compileMs) / (base.pipelines * base.tasks) : perTask;
    const baseParse = base ? median(base.parseMs) / (base.pipelines * base.tasks) : parse / total;
    return [
      fmtInt(r.pipelines),
      String(r.tasks),
      fmtInt(r.files),
      fmtMs(parse),
      fmtMs(comp),
      `${(comp / parse).toFixed(2)}x`,
      `${(median(r.compileCpuMs) / median(r.parseCpuMs)).toFixed(2)}x`,
      fmtInt(Math.round(r.rssMB[0] ?? NaN)),
      fmtInt(Math.round(total / (comp / 1000))),
      (perTask * 1000).toFixed(1),
      `${(perTask / baseCompile).toFixed(2)}x`,
      `${(parse / total / baseParse).toFixed(2)}x`,
    ];
  });
  printTable(header, rows);
  console.log("");
  console.log("ratio = compile / bare parse (medians of wall-clock time). CPU ratio = the same with CPU time (user + system, all");
  console.log("threads, so it includes V8's parallel GC), less sensitive to other load on a shared machine. growth = compile");
  console.log("(or parse) time per task relative to the smallest size: 1.00x = linear, below 1 = fixed costs amortised.");
  console.log("");

  console.log("Each run, in order (wall ms / CPU ms of all threads; RSS MB at start -> peak of each compile run):");
  for (const r of results) {
    const runs = (/** @type {number[]} */ wall, /** @type {number[]} */ cpu) => wall.map((w, k) => `${fmtMs(w)}/${fmtMs(cpu[k] ?? NaN)}`).join(", ");
    const rss = r.rssMB.map((peak, k) => `${Math.round(r.baseRssMB[k] ?? NaN)} -> ${Math.round(peak)}`).join(", ");
    console.log(
      `  ${fmtInt(r.pipelines)} x ${r.tasks} (${fmtInt(Math.round(r.bytes / 1024))} KB of source, ${fmtInt(Math.round(r.yamlBytes / 1024))} KB of YAML): ` +
        `parse [${runs(r.parseMs, r.parseCpuMs)}]  compile [${runs(r.compileMs, r.compileCpuMs)}]  RSS [${rss}]  child lifetime peak ${Math.round(r.lifetimeRssMB)}`,
    );
  }
  console.log("");

  console.log("Output floor: the objects the compile emits, serialised alone in the same process (summed over pipelines), against");
  console.log("the median bare parse (the YAML writer with its caches warm). Any compile must at least parse its sources and write this output:");
  for (const r of results) {
    if (!r.floor) continue;
    const parse = median(r.parseMs);
    const f = r.floor;
    console.log(
      `  ${fmtInt(r.pipelines)} x ${r.tasks}: V8's native JSON.stringify ${fmtMs(f.jsonMs)} ms = ${(f.jsonMs / parse).toFixed(2)}x the parse ` +
        `(${fmtInt(Math.round(f.jsonBytes / 2 ** 20))} MB of JSON); Gantry's YAML writer ${fmtMs(f.yamlMs)} ms = ${(f.yamlMs / parse).toFixed(2)}x ` +
        `(${fmtInt(Math.round(r.yamlBytes / 2 ** 20))} MB of YAML)`,
    );
  }
  console.log("");

  console.log("Phases: the compile split as compileBatch splits it, each summed over entries, against a bare parse just before");
  console.log("(medians of the ratios over the runs). The front end is the static analysis proper: read, parse, evaluate. These");
  console.log("runs come after the others in the same process, with a larger heap, so their sum runs above the compile ratio:");
  for (const r of results) {
    if (!r.phases?.length) continue;
    const ratio = (/** @type {(p: PhaseRun) => number} */ f) => median(r.phases?.map((p) => f(p) / p.parseMs) ?? []).toFixed(2);
    console.log(
      `  ${fmtInt(r.pipelines)} x ${r.tasks}: front end ${ratio((p) => p.analyzeMs)}x, validation ${ratio((p) => p.validateMs)}x, ` +
        `lowering + Argo + YAML ${ratio((p) => p.emitMs)}x; sum ${ratio((p) => p.analyzeMs + p.validateMs + p.emitMs)}x`,
    );
  }
  console.log("");

  console.log("With the compile cache (`--cache`, records gzipped on disk): into an empty cache (against the compile without it), then");
  console.log("again with nothing changed and after one pipeline file changed (against the bare parse); medians:");
  for (const r of results) {
    if (!r.cache?.length) continue;
    const c = r.cache;
    const parse = median(r.parseMs);
    const [cold, warm, one] = [median(c.map((x) => x.coldMs)), median(c.map((x) => x.warmMs)), median(c.map((x) => x.oneMs))];
    console.log(
      `  ${fmtInt(r.pipelines)} x ${r.tasks}: empty cache ${fmtMs(cold)} ms = ${(cold / median(r.compileMs)).toFixed(2)}x the compile; unchanged ${fmtMs(warm)} ms = ${(warm / parse).toFixed(2)}x the parse; one file changed ${fmtMs(one)} ms = ${(one / parse).toFixed(2)}x; records ${fmtInt(Math.round((c.at(-1)?.bytes ?? 0) / 1024))} KB`,
    );
  }
  console.log("");

  console.log("The real command, `gantry compile pipelines --out <dir>` in its own process (Node start-up, module loading,");
  console.log("compile, ownership check, atomic write), into an empty directory, then again with nothing changed, without and with a filled --cache:");
  for (const r of results) {
    if (!r.cli) continue;
    const c = r.cli;
    console.log(`  ${fmtInt(r.pipelines)} x ${r.tasks}: ${fmtMs(c.freshMs)} ms, peak RSS ${fmtInt(Math.round(c.freshRssMB))} MB; unchanged: ${fmtMs(c.againMs)} ms, peak RSS ${fmtInt(Math.round(c.againRssMB))} MB; unchanged with --cache: ${fmtMs(c.cachedMs)} ms, peak RSS ${fmtInt(Math.round(c.cachedRssMB))} MB`);
  }
  console.log("");

  console.log(`Targets at ${fmtInt(TARGET.pipelines)} x ${TARGET.tasks} (informational; the exit code does not depend on them):`);
  const at = results.find((r) => r.pipelines === TARGET.pipelines && r.tasks === TARGET.tasks);
  if (!at) {
    console.log(`  SKIP  ${fmtInt(TARGET.pipelines)} x ${TARGET.tasks} was not measured in this run`);
  } else {
    const ratio = median(at.compileMs) / median(at.parseMs);
    const rss = at.rssMB[0] ?? NaN;
    console.log(`  ${ratio <= TARGET.maxRatio ? "PASS" : "FAIL"}  compile within ${TARGET.maxRatio.toFixed(1)}x the bare parse: ${ratio.toFixed(2)}x`);
    console.log(`  ${rss < TARGET.maxRssMB ? "PASS" : "FAIL"}  peak RSS under ${TARGET.maxRssMB} MB: ${Math.round(rss)} MB`);
    if (at.cli) {
      const cliRss = Math.max(at.cli.freshRssMB, at.cli.againRssMB);
      console.log(`  ${cliRss < TARGET.maxRssMB ? "PASS" : "FAIL"}  the same for the whole \`gantry compile\` process, writing its output: ${Math.round(cliRss)} MB`);
    }
    if (at.floor) {
      const floor = 1 + at.floor.jsonMs / median(at.parseMs);
      console.log(`  INFO  floor of that ratio for this output: parse + native JSON.stringify of the emitted objects alone = ${floor.toFixed(2)}x`);
    }
    if (at.phases?.length) {
      const front = median(at.phases.map((p) => p.analyzeMs / p.parseMs));
      console.log(`  INFO  the static analysis alone (front end: read, parse, evaluate) = ${front.toFixed(2)}x the bare parse`);
    }
    const incremental = median(at.incrementalMs ?? []) / median(at.compileMs);
    console.log(`  ${incremental < 0.1 ? "PASS" : "FAIL"}  one-file change (--watch) recompiles in under 10% of a full compile: ${fmtMs(median(at.incrementalMs ?? []))} ms = ${(incremental * 100).toFixed(2)}%`);
    if (at.cache?.length) {
      const warm = median(at.cache.map((x) => x.warmMs)) / median(at.parseMs);
      const cold = median(at.cache.map((x) => x.coldMs)) / median(at.compileMs);
      console.log(`  INFO  with --cache and no change since the last compile: ${warm.toFixed(2)}x the bare parse (not the target, which is a compile from nothing); an empty cache costs ${cold.toFixed(2)}x the compile`);
    }
  }
  if (results.length > 1) {
    const perTask = (/** @type {SizeResult} */ r) => median(r.compileMs) / (r.pipelines * r.tasks);
    const steps = results.slice(1).map((r, k) => {
      const prev = /** @type {SizeResult} */ (results[k]);
      return `${fmtInt(prev.pipelines)} -> ${fmtInt(r.pipelines)}: ${(perTask(r) / perTask(prev)).toFixed(2)}x`;
    });
    console.log(`  INFO  growth of compile time per task (1.00x = linear): ${steps.join("; ")}`);
  }
}

/** @param {number[]} load */
function fmtLoad(load) {
  return load.map((l) => l.toFixed(2)).join("/");
}

/** @param {string[]} header @param {string[][]} rows */
function printTable(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (/** @type {string[]} */ cells) => cells.map((cell, c) => cell.padStart(widths[c] ?? 0)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** @param {number} n */
function fmtInt(n) {
  return n.toLocaleString("en-US");
}

/** @param {number} ms */
function fmtMs(ms) {
  return ms >= 100 ? fmtInt(Math.round(ms)) : ms.toFixed(1);
}

function gitRevision() {
  try {
    const git = (/** @type {string[]} */ ...a) => execFileSync("git", a, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "an unknown revision";
  }
}

// ---------------------------------------------------------------------------------------------
// Child: measure one corpus and print one JSON line.
// ---------------------------------------------------------------------------------------------

/**
 * @param {string} dir @param {string} warmDir @param {number} tasks @param {number} reps
 */
async function child(dir, warmDir, tasks, reps) {
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
  if (!gc) throw new Error("the measuring process needs --expose-gc");
  /** @type {{ compile: (o: CorpusOptions) => Promise<any>; compileBatch: (entries: string[], o: CorpusOptions, backend: Backend) => { claims: { pipeline?: unknown }[]; diagnostics: unknown[] }; expandPaths: (o: CorpusOptions, d: unknown[]) => Promise<string[]>; loadBackend: (o: CorpusOptions) => Promise<Backend> }} */
  const { compile, compileBatch, expandPaths, loadBackend } = await import(pathToFileURL(DIST_COMPILE).href);
  /** @type {{ toYaml: (objects: unknown[], header: string) => string }} */
  const { toYaml } = await import(pathToFileURL(DIST_YAML).href);
  const { ts } = await import("ts-morph");

  /** @param {string[]} files */
  const bareParse = (files) => {
    const trees = [];
    for (const file of files) trees.push(ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true));
    return trees.length;
  };
  /** @param {string} cwd @returns {CorpusOptions} */
  const corpusOptions = (cwd) => ({ cwd, paths: ["pipelines"], target: "argo", kind: "auto", typecheck: false });
  /** @param {string} cwd */
  const compileCorpus = (cwd) => compile(corpusOptions(cwd));

  const files = listCorpusFiles(dir);
  const pipelines = fs.readdirSync(path.join(dir, "pipelines")).length;
  const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);

  // 1. Warm-up on a separate corpus.
  const warmFiles = listCorpusFiles(warmDir);
  bareParse(warmFiles);
  check(await compileCorpus(warmDir), fs.readdirSync(path.join(warmDir, "pipelines")).length, tasks, warmDir);

  /** @type {SizeResult} */
  const result = {
    pipelines,
    tasks,
    files: files.length,
    bytes,
    parseMs: [],
    compileMs: [],
    parseCpuMs: [],
    compileCpuMs: [],
    rssMB: [],
    baseRssMB: [],
    lifetimeRssMB: 0,
    rssReset: true,
    yamlBytes: 0,
    tsVersion: ts.version,
  };
  let lifetimeKB = 0;
  for (let rep = 1; rep <= reps; rep++) {
    // 2. Bare parse.
    gc();
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    const parsed = bareParse(files);
    const parseMs = performance.now() - t0;
    result.parseCpuMs.push(cpuMs(process.cpuUsage(c0)));
    if (parsed !== files.length) throw new Error("bare parse skipped files");

    // 3. Full compile (parse, analyze, validate, lower, Argo, YAML; nothing written).
    gc();
    result.baseRssMB.push(process.memoryUsage.rss() / 2 ** 20);
    lifetimeKB = Math.max(lifetimeKB, process.resourceUsage().maxRSS); // the reset below forgets it
    result.rssReset = resetPeakRss() && result.rssReset;
    c0 = process.cpuUsage();
    t0 = performance.now();
    const compiled = await compileCorpus(dir);
    const compileMs = performance.now() - t0;
    result.compileCpuMs.push(cpuMs(process.cpuUsage(c0)));
    result.rssMB.push(process.resourceUsage().maxRSS / 1024);
    result.yamlBytes = check(compiled, pipelines, tasks, dir);

    result.parseMs.push(parseMs);
    result.compileMs.push(compileMs);
    process.stderr.write(`bench:   rep ${rep}/${reps}: parse ${fmtMs(parseMs)} ms, compile ${fmtMs(compileMs)} ms, peak RSS ${Math.round(result.rssMB.at(-1) ?? 0)} MB\n`);
  }
  result.lifetimeRssMB = Math.max(lifetimeKB, process.resourceUsage().maxRSS) / 1024;
  if (!result.rssReset) result.rssMB = result.rssMB.map(() => result.lifetimeRssMB);

  // 4. --watch: after a full session compile, change one pipeline file and time the recompile
  // (what `gantry compile --watch` does on save; nothing written). The file is restored after.
  const { CompileSession } = await import(pathToFileURL(DIST_SESSION).href);
  // The session holds every syntax tree; only this step keeps it (a larger heap slows what follows).
  let session = new CompileSession({ cwd: dir, paths: ["pipelines"], target: "argo", kind: "auto", typecheck: false });
  check(await session.full(), pipelines, tasks, dir);
  const victim = path.join(dir, "pipelines", fs.readdirSync(path.join(dir, "pipelines")).sort()[0]);
  const original = fs.readFileSync(victim, "utf8");
  result.incrementalMs = [];
  for (let rep = 1; rep <= reps; rep++) {
    fs.writeFileSync(victim, `${original}\n// edit ${rep}\n`);
    gc();
    const t0 = performance.now();
    const updated = await session.update([victim]);
    result.incrementalMs.push(performance.now() - t0);
    if (updated.recompiled.length !== 1 || !updated.ok) throw new Error(`incremental recompile: expected 1 file, got ${updated.recompiled.length} (ok: ${updated.ok})`);
  }
  fs.writeFileSync(victim, original);
  session = undefined;

  // 5. Output floor: the same objects the compile emits, serialised natively and by Gantry's YAML writer.
  const options = corpusOptions(dir);
  const argo = await loadBackend(options);
  /** @type {OutputFloor} */
  const floor = { jsonMs: 0, jsonBytes: 0, yamlMs: 0 };
  gc();
  const batch = compileBatch(await expandPaths(options, []), options, (plan) => {
    const emitted = argo(plan);
    let t0 = performance.now();
    floor.jsonBytes += Buffer.byteLength(JSON.stringify(emitted.objects));
    floor.jsonMs += performance.now() - t0;
    t0 = performance.now();
    toYaml(emitted.objects, "bench");
    floor.yamlMs += performance.now() - t0;
    return emitted;
  });
  if (batch.diagnostics.length > 0 || batch.claims.filter((c) => c.pipeline).length !== pipelines) {
    throw new Error(`the output-floor compile did not produce ${pipelines} pipelines cleanly (${batch.diagnostics.length} diagnostics)`);
  }
  result.floor = floor;

  // 6. Phases, split as compileBatch splits them (with the same Analyzer options).
  /** @type {{ createSourceProgram: (cwd: string) => unknown }} */
  const { createSourceProgram } = await import(pathToFileURL(DIST_PARSE).href);
  /** @type {{ Analyzer: new (program: unknown, options: { properties: boolean }) => { entry: (file: string) => { units: unknown[]; diagnostics: unknown[] }; release: (file: string) => void } }} */
  const { Analyzer } = await import(pathToFileURL(DIST_ANALYZE).href);
  /** @type {{ validate: (units: unknown[]) => { pipelines: unknown[]; diagnostics: unknown[] } }} */
  const { validate } = await import(pathToFileURL(DIST_VALIDATE).href);
  /** @type {{ emitPipelines: (irs: unknown[], o: CorpusOptions, diagnostics: unknown[], backend: Backend) => unknown[] }} */
  const { emitPipelines } = await import(pathToFileURL(DIST_COMPILE).href);
  const entries = await expandPaths(options, []);
  result.phases = [];
  for (let rep = 1; rep <= reps; rep++) {
    gc();
    let t0 = performance.now();
    bareParse(files);
    const run = { parseMs: performance.now() - t0, analyzeMs: 0, validateMs: 0, emitMs: 0 };
    gc();
    const analyzer = new Analyzer(createSourceProgram(dir), { properties: false });
    /** @type {unknown[]} */
    const diagnostics = [];
    let emitted = 0;
    for (const entry of entries) {
      t0 = performance.now();
      const analysis = analyzer.entry(entry);
      run.analyzeMs += performance.now() - t0;
      t0 = performance.now();
      const irs = analysis.units.flatMap((unit) => {
        const v = validate([unit]);
        diagnostics.push(...v.diagnostics);
        return v.pipelines;
      });
      run.validateMs += performance.now() - t0;
      t0 = performance.now();
      emitted += emitPipelines(irs, options, diagnostics, argo).length;
      run.emitMs += performance.now() - t0;
      diagnostics.push(...analysis.diagnostics);
      analyzer.release(entry);
    }
    if (diagnostics.length > 0 || emitted !== pipelines) throw new Error(`the phase-split compile did not produce ${pipelines} pipelines cleanly (${diagnostics.length} diagnostics)`);
    result.phases.push(run);
  }

  // 7. The compile cache (`--cache`): cold, warm, and after one edit, in a cache folder of its own.
  const cacheDir = `${dir}-cache`;
  /** @param {number} expectCompiled */
  const cachedCompile = async (expectCompiled) => {
    gc();
    const t0 = performance.now();
    const compiled = await compile({ ...corpusOptions(dir), cache: cacheDir });
    const ms = performance.now() - t0;
    check(compiled, pipelines, tasks, dir);
    if (compiled.cache?.compiled !== expectCompiled) throw new Error(`cache: expected ${expectCompiled} entries compiled, got ${JSON.stringify(compiled.cache)}`);
    return ms;
  };
  result.cache = [];
  for (let rep = 1; rep <= reps; rep++) {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const coldMs = await cachedCompile(pipelines);
    const warmMs = await cachedCompile(0);
    fs.writeFileSync(victim, `${original}\n// cache edit ${rep}\n`);
    const oneMs = await cachedCompile(1);
    fs.writeFileSync(victim, original);
    const records = fs.readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    result.cache.push({ coldMs, warmMs, oneMs, bytes: records.reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0) });
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** @param {NodeJS.CpuUsage} usage */
function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

/**
 * Resets this process's RSS high-water mark (Linux: "5" to /proc/self/clear_refs), so the next
 * `maxRSS` is the peak since now. Returns false where that is not possible.
 */
function resetPeakRss() {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails the child unless the compile succeeded with no diagnostics, produced every pipeline with all
 * its tasks, and YAML for each. Returns the total YAML size in bytes.
 * @param {{ ok: boolean; diagnostics: any[]; pipelines: { name: string; yaml: string; ir: { tasks: unknown[] } }[] }} compiled
 * @param {number} pipelines @param {number} tasks @param {string} dir
 */
function check(compiled, pipelines, tasks, dir) {
  /** @type {string[]} */
  const problems = [];
  if (!compiled.ok) problems.push("compile() reported ok: false");
  if (compiled.diagnostics.length > 0) {
    problems.push(`${compiled.diagnostics.length} diagnostic(s); the corpus must compile cleanly:`);
    for (const d of compiled.diagnostics.slice(0, 20)) {
      const at = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : "";
      problems.push(`  ${at}${d.severity} ${d.code}: ${d.message}`);
    }
  }
  if (compiled.pipelines.length !== pipelines) problems.push(`expected ${pipelines} pipelines, got ${compiled.pipelines.length}`);
  let yamlBytes = 0;
  for (const p of compiled.pipelines) {
    if (p.ir.tasks.length !== tasks) problems.push(`pipeline ${p.name}: expected ${tasks} tasks, got ${p.ir.tasks.length}`);
    if (typeof p.yaml !== "string" || p.yaml.length === 0) problems.push(`pipeline ${p.name}: no YAML`);
    yamlBytes += Buffer.byteLength(p.yaml ?? "");
    if (problems.length > 40) break;
  }
  if (problems.length > 0) {
    process.stderr.write(`bench: compiling ${dir} failed:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
    process.exit(1);
  }
  return yamlBytes;
}
