/**
 * The crash fuzzer behind test/crash-fuzz.test.ts: seeded mutants of the real example and fixture
 * pipelines (and of the fixtures' shared lib/ modules) are compiled in batches, in-process and with
 * the real CLI, and every way bad input may escape the diagnostics contract is collected.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compile, type CompileOptions, type CompileResult } from "../../src/compile.js";
import { codes } from "../../src/diagnostics/codes.js";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { gantry, repoRoot, snapshotDir } from "./cli.js";
import { mutateMany, Picker } from "./mutate.js";
import { rng } from "./rng.js";

export interface Seeds {
  /** Entry files (pipelines), by base name. */
  entries: Map<string, string>;
  /** The fixtures' lib/ modules, by path relative to the project root (`lib/naming.ts`). */
  lib: Map<string, string>;
}

function walk(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, base, out);
    else out.set(path.relative(base, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
  }
  return out;
}

export function loadSeeds(): Seeds {
  const entries = new Map<string, string>();
  for (const dir of ["examples", "test/fixtures/static"]) {
    for (const f of fs.readdirSync(path.join(repoRoot, dir)).sort()) {
      if (/\.(m|c)?ts$/.test(f)) entries.set(f, fs.readFileSync(path.join(repoRoot, dir, f), "utf8"));
    }
  }
  const lib = new Map([...walk(path.join(repoRoot, "test/fixtures/static/lib"))].map(([k, v]) => [`lib/${k}`, v] as const));
  return { entries, lib };
}

/** One mutated project: its files (relative path to text), what was done, and the compile options. */
export interface Mutant {
  seed: number;
  files: Record<string, string>;
  /** Entry file -> mutation names ("" for an unmutated file). */
  log: Record<string, string>;
  options: Omit<CompileOptions, "cwd" | "paths">;
}

/** A project of `size` mutated entries beside lib/ (itself mutated in about 40% of projects). */
export function makeMutant(seeds: Seeds, seed: number, size: number): Mutant {
  const g = new Picker(rng(seed));
  const files: Record<string, string> = {};
  const log: Record<string, string> = {};
  const entryNames = [...seeds.entries.keys()];
  const all = [...seeds.entries.values(), ...seeds.lib.values()];
  for (const [rel, text] of seeds.lib) files[rel] = text;
  if (g.chance(0.4)) {
    const libNames = [...seeds.lib.keys()];
    for (let i = 0, n = 1 + g.int(3); i < n; i++) {
      const rel = g.pick(libNames);
      const m = mutateMany(g, files[rel]!, 1 + g.int(3), all);
      files[rel] = m.text;
      log[rel] = m.name;
    }
  }
  for (let i = 0; i < size; i++) {
    const name = g.pick(entryNames);
    const m = g.chance(0.05) ? { name: "", text: seeds.entries.get(name)! } : mutateMany(g, seeds.entries.get(name)!, 1 + (g.chance(0.3) ? g.int(4) : 0), all);
    // Most under a fresh name; some under the original one (so imports of other entries resolve), some as .mts/.cts.
    let file = g.chance(0.15) && !(name in files) ? name : `m${i}-${name}`;
    if (g.chance(0.05)) file = file.replace(/\.ts$/, g.pick([".mts", ".cts"]));
    files[file] = m.text;
    log[file] = m.name;
  }
  const options: Mutant["options"] = {
    target: g.chance(0.2) ? "jobs" : "argo",
    kind: g.pick(["auto", "auto", "auto", "template", "workflow", "cron"] as const),
    ...(g.chance(0.2) && { metadata: true }),
    ...(g.chance(0.3) && { keepIr: false }),
    ...(g.chance(0.1) && { namespace: "ns-from-config" }),
    ...(g.chance(0.1) && { metrics: false }),
  };
  return { seed, files, log, options };
}

export function writeProject(files: Record<string, string>, dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-fuzz-"))): string {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const STACK = /\n\s+at .+\(?.*:\d+:\d+\)?|^\s{4}at /m;

/** Every way a compile result breaks the diagnostics contract. */
export function contractViolations(result: CompileResult, cwd: string): string[] {
  const out: string[] = [];
  const show = (d: Diagnostic) => `${d.code} ${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : "(no span)"} ${d.message.slice(0, 200)}`;
  for (const d of result.diagnostics) {
    if (typeof d.code !== "string" || !/^GANTRY\d{4}$/.test(d.code) || !(d.code in codes)) out.push(`uncoded diagnostic: ${show(d)}`);
    if (d.severity !== "error" && d.severity !== "warning") out.push(`bad severity ${String(d.severity)}: ${show(d)}`);
    if (!d.span) out.push(`diagnostic without position: ${show(d)}`);
    else {
      const { file, line, column } = d.span;
      if (typeof file !== "string" || file === "" || path.isAbsolute(file) || !fs.existsSync(path.join(cwd, file))) out.push(`diagnostic with a bad file: ${show(d)}`);
      if (!Number.isInteger(line) || line < 1 || !Number.isInteger(column) || column < 1) out.push(`diagnostic with a bad line/column: ${show(d)}`);
      const text = result.sources.get(file);
      if (text !== undefined && Number.isInteger(line) && line > text.split(/\r\n|[\n\r\u2028\u2029]/).length) out.push(`diagnostic past the end of its file: ${show(d)}`);
    }
    const words = `${d.message}\n${d.hint ?? ""}`;
    if (/internal error/i.test(words) || STACK.test(words)) out.push(`internal error or stack in a diagnostic: ${show(d)}`);
    if (/\bat (Object|Array|Function)\.|node_modules|\/src\/(phases|backends|output)\//.test(words)) out.push(`implementation detail in a diagnostic: ${show(d)}`);
  }
  const errors = result.diagnostics.some((d) => d.severity === "error");
  if (result.ok === errors) out.push(`ok=${result.ok} but ${errors ? "there are errors" : "there are none"}`);
  return out;
}

export interface Finding {
  seed: number;
  kind: "throw" | "contract" | "cli";
  detail: string;
  /** Files of the smallest project known to show it (the culprit entry plus lib/). */
  files?: Record<string, string>;
  log?: Record<string, string>;
  options?: Mutant["options"];
}

const firstLines = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? "").split("\n").slice(1, 6).join("\n")}` : String(e));

async function compileIn(cwd: string, options: Mutant["options"], paths: readonly string[] = ["."]): Promise<CompileResult> {
  return compile({ cwd, paths, ...options });
}

/** Compiles one mutated project in-process; on a throw, finds the entry that causes it alone if there is one. */
export async function fuzzInProcess(mutant: Mutant): Promise<Finding[]> {
  const cwd = writeProject(mutant.files);
  try {
    let result: CompileResult;
    try {
      result = await compileIn(cwd, mutant.options);
    } catch (e) {
      return [await isolateThrow(mutant, e)];
    }
    return contractViolations(result, cwd).map((detail) => ({ seed: mutant.seed, kind: "contract" as const, detail, options: mutant.options, ...isolateFiles(mutant, detail) }));
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

const isLib = (rel: string) => rel.startsWith("lib/");

/** The project reduced to lib/ and the one entry a finding names, when its message names one. */
function isolateFiles(mutant: Mutant, detail: string): Pick<Finding, "files" | "log"> {
  const entry = Object.keys(mutant.files).find((f) => !isLib(f) && detail.includes(` ${f}:`));
  if (!entry) return { files: mutant.files, log: mutant.log };
  const files = Object.fromEntries(Object.entries(mutant.files).filter(([f]) => isLib(f) || f === entry));
  return { files, log: Object.fromEntries(Object.entries(mutant.log).filter(([f]) => f in files)) };
}

async function isolateThrow(mutant: Mutant, error: unknown): Promise<Finding> {
  for (const entry of Object.keys(mutant.files).filter((f) => !isLib(f))) {
    const files = Object.fromEntries(Object.entries(mutant.files).filter(([f]) => isLib(f) || f === entry));
    const cwd = writeProject(files);
    try {
      await compileIn(cwd, mutant.options);
    } catch (e) {
      return { seed: mutant.seed, kind: "throw", detail: firstLines(e), options: mutant.options, files, log: Object.fromEntries(Object.entries(mutant.log).filter(([f]) => f in files)) };
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }
  return { seed: mutant.seed, kind: "throw", detail: `${firstLines(error)}\n(only with several entries together)`, options: mutant.options, files: mutant.files, log: mutant.log };
}

const HEADER = "# Generated by gantry from old.ts. Do not edit: change the source and run `gantry compile`.\n";

/**
 * Runs the real CLI on a mutated project over a prefilled output directory: exit 0 or 1 only, no
 * internal error or stack on stderr, JSON diagnostics all positioned, and a failed compile leaves
 * the directory byte for byte as it was.
 */
export function fuzzCli(mutant: Mutant): Finding[] {
  const cwd = writeProject(mutant.files);
  const out = path.join(cwd, "out");
  fs.mkdirSync(out);
  // A manifest Gantry owns (a successful compile may remove it), a user file, and a kustomization.
  fs.writeFileSync(path.join(out, "gone-pipeline.yaml"), `${HEADER}---\nkind: WorkflowTemplate\n`);
  fs.writeFileSync(path.join(out, "README.md"), "hand-written\n");
  fs.writeFileSync(path.join(out, "kustomization.yaml"), `${HEADER}resources:\n  - gone-pipeline.yaml\n`);
  const before = snapshotDir(out);
  const { options } = mutant;
  // --kind is the Argo target's only (a usage error with --target jobs).
  const args = ["compile", ".", "--out", "out", "--format", "json", "--target", options.target, ...(options.target === "argo" ? ["--kind", options.kind] : [])];
  if (options.metadata) args.push("--metadata");
  if (options.metrics === false) args.push("--no-metrics");
  try {
    const r = gantry(args, cwd);
    const findings: string[] = [];
    if (r.code !== 0 && r.code !== 1) findings.push(`exit code ${r.code}`);
    if (/internal error/i.test(r.stderr) || STACK.test(r.stderr)) findings.push(`internal error or stack on stderr: ${r.stderr.slice(0, 1500)}`);
    let diagnostics: Diagnostic[] | undefined;
    try {
      diagnostics = JSON.parse(r.stderr) as Diagnostic[];
    } catch {
      findings.push(`stderr is not the JSON diagnostics: ${r.stderr.slice(0, 300)}`);
    }
    for (const d of diagnostics ?? []) if (!d.span) findings.push(`diagnostic without position: ${d.code} ${d.message.slice(0, 200)}`);
    if (r.code !== 0) {
      const after = snapshotDir(out);
      if (JSON.stringify(after) !== JSON.stringify(before)) findings.push(`failed compile (exit ${r.code}) changed the output directory: ${JSON.stringify(Object.keys(after))}`);
    }
    return findings.map((detail) => ({ seed: mutant.seed, kind: "cli" as const, detail, options: mutant.options, files: mutant.files, log: mutant.log }));
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** Readable summary of a finding for a test failure message or a report. */
export function describeFinding(f: Finding): string {
  const log = Object.entries(f.log ?? {})
    .filter(([, m]) => m)
    .map(([file, m]) => `${file}: ${m}`)
    .join("; ");
  return `[seed ${f.seed}] ${f.kind}: ${f.detail}\n  mutated: ${log}`;
}
