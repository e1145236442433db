/**
 * The compiler as a library: source paths in, manifest files and diagnostics out, nothing written
 * but the compile cache, when asked for. Phases run in one direction: parse -> analyze -> validate
 * -> lower -> backend -> YAML (src/batch.ts runs them entry by entry).
 */
import fs from "node:fs";
import path from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { toArgo, type ArgoKind } from "./backends/argo/index.js";
import type { JobsOptions } from "./backends/jobs/index.js";
import { compileBatch, mergeBatches, type Backend } from "./batch.js";
import { cachedBatches, type CacheUse } from "./cache/index.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics/index.js";
import type * as IR from "./ir/index.js";
import { createSourceProgram, readFailure, typecheck } from "./phases/1-parse/index.js";
import { isWithin } from "./util/within.js";

export { compileBatch, emitPipelines, mergeBatches, type Backend, type Batch, type Claim } from "./batch.js";

export type Target = "argo" | "jobs";

export interface CompileOptions {
  /** Directory that relative paths, and the paths written into output, are relative to. */
  cwd: string;
  /** Files or directories holding pipelines. */
  paths: readonly string[];
  target: Target;
  kind: ArgoKind;
  /** Also run the TypeScript type checker over the pipeline files (slower; off by default). */
  typecheck?: boolean;
  /** Namespace for pipelines that set none (configuration `namespace`). */
  namespace?: string;
  /** Prefix of Gantry's own labels and annotations (configuration `labelPrefix`). */
  labelPrefix?: string;
  /** false: no default metrics for any pipeline (`--no-metrics`, configuration `metrics: false`). */
  metrics?: boolean;
  /**
   * false: do not keep each pipeline's IR after emitting it (`CompiledPipeline.ir` then throws).
   * The CLI passes it unless it draws graphs: the IR of a large compile is as big as its YAML.
   */
  keepIr?: boolean;
  /** Also build each pipeline's `<pipeline>.metadata.json` (`--metadata`). */
  metadata?: boolean;
  /** false: no podSpecPatch hardening Argo's own containers (configuration `hardenArgoExecutor`). */
  hardenArgoExecutor?: boolean;
  /** Settings of the jobs target (`--run-id`, `--gitops`, `--runtime-image`, `--idle-timeout`). */
  jobs?: Pick<JobsOptions, "runId" | "gitops" | "runtimeImage" | "idleTimeoutSeconds">;
  /**
   * Directory of the compile cache (absolute, or relative to cwd; `--cache`): an entry file whose
   * own text and every file its compile read are unchanged since the last compile of the same
   * Gantry and options is not compiled again (src/cache/). Off by default.
   */
  cache?: string;
  /**
   * Emit only the pipeline of this name (gantry/testing's `name`): the others are still analysed
   * and validated, so their errors still fail the compile, but a `kind` or backend setting that
   * suits only the chosen one does not.
   */
  only?: string;
}

export interface CompiledPipeline {
  name: string;
  /** Source file, relative to cwd. */
  source: string;
  /** Line of the `pipeline(...)` call in `source` (1-based): where a report about its manifest points. */
  line: number;
  ir: IR.Pipeline;
  objects: Record<string, unknown>[];
  /** Output file name, relative to the output directory. */
  file: string;
  yaml: string;
  /** With `CompileOptions.metadata`: the text of `<pipeline>.metadata.json` (src/output/metadata.ts). */
  metadata?: string;
}

export interface CompileResult {
  pipelines: CompiledPipeline[];
  diagnostics: Diagnostic[];
  /** Text of every file read, by relative path, for code frames. */
  sources: Map<string, string>;
  ok: boolean;
  /** The entry files the paths expanded to (absolute, sorted): what was compiled. */
  entries: string[];
  /** With `CompileOptions.cache`: how many entry files were reused and how many compiled. */
  cache?: CacheUse;
}

const SOURCE_GLOB = "**/*.{ts,mts,cts}";
/** A file named explicitly may also be JavaScript (checked with `// @ts-check` under --typecheck). */
const SOURCE_NAME = /\.([mc]?[jt]s|[jt]sx)$/;
const IGNORE = ["**/node_modules/**", "**/*.d.ts", "**/*.d.mts", "**/*.d.cts", "**/*.test.*", "**/*.spec.*"];

/** Entry file by entry file (see `compileBatch`). */
export async function compile(options: CompileOptions): Promise<CompileResult> {
  const diagnostics: Diagnostic[] = [];
  const named = new Set<string>();
  const entries = await expandPaths(options, diagnostics, named);
  const program = createSourceProgram(options.cwd);
  const backend = await loadBackend(options);
  const cached = options.cache === undefined ? undefined : cachedBatches(entries, { ...options, cache: options.cache }, backend, program);
  const merged = mergeBatches(cached?.batches ?? [compileBatch(entries, options, backend, program)], program.relative);
  diagnostics.push(...(cached?.diagnostics ?? []), ...withoutFolderHelpers(merged.diagnostics, named, program.relative));
  if (options.typecheck && entries.length > 0) diagnostics.push(...typecheck(entries, program.relative).diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  return { pipelines: merged.pipelines, diagnostics: sorted, sources: merged.sources, ok: !hasErrors(sorted), entries, ...(cached && { cache: cached.use }) };
}
/**
 * The analysis says of every entry that exports no pipeline that it does (GANTRY1124): kept only
 * for files named on the command line, since the helper modules a folder holds export none either.
 */
export function withoutFolderHelpers(diagnostics: readonly Diagnostic[], named: ReadonlySet<string>, relative: (file: string) => string): Diagnostic[] {
  const shown = new Set([...named].map(relative));
  return diagnostics.filter((d) => d.code !== "GANTRY1124" || (d.span !== undefined && shown.has(d.span.file)));
}

/** The jobs backend (cdk8s) is loaded only when asked for: its import alone costs a third of a second. */
export async function loadBackend(options: CompileOptions): Promise<Backend> {
  if (options.target === "jobs") {
    const { toJobs } = await import("./backends/jobs/index.js");
    return (plan) => toJobs(plan, { ...options.jobs, labelPrefix: options.labelPrefix });
  }
  return (plan) => toArgo(plan, { kind: options.kind, hardenExecutor: options.hardenArgoExecutor !== false });
}
/**
 * A glob split where its folders stop existing: the longest leading folders that exist are taken
 * as they are (`proj (1)/pipelines/*.ts` under a folder named with parentheses, an absolute path),
 * and the rest is matched from there.
 */
function literalBase(pattern: string, cwd: string): { base: string; pattern: string } {
  const parts = pattern.split("/");
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join("/") || "/";
    if (!isDynamicPattern(prefix)) break; // an ordinary folder: the glob library reads it right
    const dir = path.resolve(cwd, prefix);
    if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return { base: dir, pattern: parts.slice(i).join("/") };
  }
  return { base: cwd, pattern };
}

/**
 * The entry files `options.paths` name, sorted, each once; problems go to `diagnostics`. `named`
 * collects the files named as such (not found in a folder or by a glob), of which `withoutFolderHelpers` speaks.
 */
export async function expandPaths(options: CompileOptions, diagnostics: Diagnostic[], named?: Set<string>): Promise<string[]> {
  const files = new Set<string>();
  const unreadable = new Map<string, Unreadable>();
  // The globbing library skips a folder it cannot read; told, a compile fails rather than drop its
  // pipelines (and the CLI prune their manifests).
  const walk = (pattern: string, cwd: string) => {
    // Only a walk that descends into folders could have found pipelines behind a link without an extension.
    const noting = { readdir: readdirNoting(unreadable, options.cwd, pattern.includes("**")) };
    return glob(pattern, { cwd, absolute: true, ignore: IGNORE, fs: noting });
  };
  for (const p of options.paths) {
    // A glob (`pipelines/**/*.ts`, `teams/*/flows`) selects files relative to cwd, same ignores; a
    // path that exists is that path, whatever it holds (`Project (1)/pipelines`, `flows/[a].ts`).
    if (isDynamicPattern(p) && !fs.existsSync(path.resolve(options.cwd, p))) {
      const { base, pattern } = literalBase(p, options.cwd);
      const matched = await walk(pattern, base);
      const sources = matched.filter((f) => /\.(m|c)?ts$/.test(f));
      if (sources.length === 0 && unreadable.size === 0) diagnostics.push({ code: "GANTRY1003", severity: "error", message: `no TypeScript sources match ${p}` });
      for (const f of sources) files.add(path.normalize(f));
      continue;
    }
    const abs = path.resolve(options.cwd, p);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (e) {
      const reason = readFailure(e);
      diagnostics.push({ code: "GANTRY1001", severity: "error", message: reason === "no such file" ? `no such file or directory: ${p}` : `cannot read ${p}: ${reason}` });
      continue;
    }
    if (stat.isDirectory()) {
      for (const f of await walk(SOURCE_GLOB, abs)) files.add(path.normalize(f));
    } else if (stat.isFile()) {
      // Named explicitly, a manifest or a README would be parsed as TypeScript and report nonsense.
      if (SOURCE_NAME.test(abs)) {
        files.add(abs);
        named?.add(abs);
      } else diagnostics.push({ code: "GANTRY1003", severity: "error", message: `${p} is not a TypeScript or JavaScript source (.ts, .mts, .cts, .js...)`, hint: "Name the pipeline files, or the folders holding them." });
    }
    // A FIFO would block the read for ever, a device never end.
    else diagnostics.push({ code: "GANTRY1001", severity: "error", message: `cannot read ${p}: not a regular file` });
  }
  for (const [found, { reason, link }] of [...unreadable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const shown = path.relative(options.cwd, found).split(path.sep).join("/") || ".";
    diagnostics.push(
      link
        ? { code: "GANTRY1001", severity: "error", message: `cannot read ${shown}: ${reason}`, hint: "Restore what the link points at (a submodule not checked out?), or remove the link. A compile does not go on without it: if it held pipelines, their manifests would be pruned." }
        : { code: "GANTRY1001", severity: "error", message: `cannot read folder ${shown}: ${reason}` },
    );
  }
  if (files.size === 0 && diagnostics.length === 0) {
    diagnostics.push({ code: "GANTRY1003", severity: "error", message: `no TypeScript sources found in ${options.paths.join(", ")}` });
  }
  return regularFilesOnce([...files].sort());
}

/** A folder the walk could not list, or a broken link it found, and why. */
interface Unreadable {
  reason: string;
  link: boolean;
}

/**
 * `fs.readdir` for the globbing library that notes each folder it cannot read, and why (a folder
 * gone meanwhile is no loss), and each broken link that could have been a source or a folder of
 * sources: the library skips both silently, and a whole-project compile would then prune the
 * manifests of what they held (a submodule not checked out, a moved target).
 */
function readdirNoting(unreadable: Map<string, Unreadable>, cwd: string, descends: boolean): typeof fs.readdir {
  return ((dir: fs.PathLike, options: unknown, callback: (err: NodeJS.ErrnoException | null, entries: fs.Dirent[]) => void) => {
    fs.readdir(dir, options as { withFileTypes: true }, (err, entries) => {
      if (err && err.code !== "ENOENT" && err.code !== "ENOTDIR") unreadable.set(path.resolve(String(dir)), { reason: readFailure(err), link: false });
      for (const entry of err ? [] : entries) {
        if (!entry.isSymbolicLink() || NEVER_COMPILED.test(entry.name)) continue;
        if (!(SOURCE_NAME_IN_WALK.test(entry.name) || (descends && FOLDER_LIKE.test(entry.name)))) continue;
        const link = path.resolve(String(dir), entry.name);
        const broken = brokenLink(link, cwd);
        if (broken) unreadable.set(link, { reason: broken, link: true });
      }
      callback(err, entries);
    });
  }) as unknown as typeof fs.readdir;
}

/** What a walk compiles by its name, what it never does (IGNORE's files), and a name without an extension, as folders have. */
const SOURCE_NAME_IN_WALK = /\.(m|c)?ts$/;
const NEVER_COMPILED = /\.d\.(m|c)?ts$|\.(test|spec)\./;
const FOLDER_LIKE = /^[^.]+$/;

/** Why the link at `link` leads nowhere, or undefined when it leads to something. */
function brokenLink(link: string, cwd: string): string | undefined {
  try {
    fs.statSync(link);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return "a link that leads back to itself";
    if (code !== "ENOENT" && code !== "ENOTDIR") return `a link that cannot be followed: ${readFailure(e)}`;
    let target = "";
    try {
      target = fs.readlinkSync(link);
    } catch {
      return undefined; // gone since the listing: nothing was there to lose
    }
    // Named as written when relative; an absolute target, relative to cwd when inside it.
    const fromCwd = path.relative(cwd, target);
    const shown = !path.isAbsolute(target) || !isWithin(fromCwd) ? target : fromCwd.split(path.sep).join("/");
    return `a link to ${shown}, which does not exist`;
  }
}

/**
 * Each source once, by the file it is (a folder linked into another, `team/up -> ..`, shows the same
 * files under two paths: the first in order is kept), and regular files only: a link in a folder to
 * a FIFO or a device would block or never end the read.
 */
function regularFilesOnce(sorted: string[]): string[] {
  const seen = new Set<string>();
  return sorted.filter((f) => {
    try {
      if (!fs.statSync(f).isFile()) return false;
      const real = fs.realpathSync.native(f);
      if (seen.has(real)) return false;
      seen.add(real);
      return true;
    } catch {
      return true; // gone or unreadable since the walk: reading it reports why
    }
  });
}
