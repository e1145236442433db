import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compile, expandPaths, type CompileOptions, type CompileResult, type Target } from "../compile.js";
import type { ArgoKind } from "../backends/argo/index.js";
import { formatDiagnostics, hasErrors, isDocumentFormat, summarize, withoutIgnored, type Diagnostic, type DiagnosticFormat } from "../diagnostics/index.js";
import { meaningChange, unifiedDiff } from "../output/changes.js";
import { graphMarkdown } from "../output/graph.js";
import { KUSTOMIZATION, kustomization } from "../output/kustomization.js";
import { hasChanges, planOutput, readOutputFile, surveyOutput, type KeptFile, type OutputChanges } from "../output/ownership.js";
import { LOCK, staleLock, withOutputLock } from "../output/lock.js";
import { leftoverTemporaries, writeAtomically, type OutputFile } from "../output/write.js";
import { manifestObjects, manifestOrigin } from "../output/yaml.js";
import { graphFile, metadataFile, outputOrigins, staleFileDiagnostics } from "./stale-files.js";
import { jobsOptions } from "../config/jobs-settings.js";

export interface CompileFlags {
  /**
   * The paths compiled (files, folders, globs; empty for the default). With `projectPaths`, it
   * decides whether this run compiles the whole project (`coversProject`), which alone removes the
   * generated files it does not write. Unset, a compile counts as one of the whole project.
   */
  paths?: string[];
  /** The project's inputs: the configuration's `include`, or empty for the default (`pipelines`). */
  projectPaths?: string[];
  out: string;
  target: Target;
  kind: ArgoKind;
  stdout: boolean;
  format: DiagnosticFormat;
  typecheck: boolean;
  /** Compare with the output directory instead of writing; exit 1 on any difference. */
  check: boolean;
  /** Also write kustomization.yaml listing the manifests (default on). */
  kustomization: boolean;
  /** Also write `<pipeline>.md`, the task graph as a Mermaid picture, beside each `<pipeline>.yaml`. */
  graph: boolean;
  /** Keep running and recompile on changes. */
  watch?: boolean;
  /** From the configuration: namespace for pipelines that set none. */
  namespace?: string;
  /** From the configuration: prefix of Gantry's labels and annotations. */
  labelPrefix?: string;
  /** From the configuration: false leaves out the podSpecPatch hardening Argo's own containers. */
  hardenArgoExecutor?: boolean;
  /** Emit the default Prometheus metrics (default on; `--no-metrics`). */
  metrics: boolean;
  /** Also write `<pipeline>.metadata.json` beside each `<pipeline>.yaml` (docs/monitoring.md). */
  metadata: boolean;
  /** Jobs target: run id in every Job name. */
  runId?: string;
  /** Jobs target: GitOps annotations. */
  gitops?: "none" | "argocd";
  /** Jobs target: image of the shim containers. */
  runtimeImage?: string;
  /** Jobs target: how long a run may be idle before its waits give up, a duration such as "36h". */
  idleTimeout?: string;
  /** Reuse the results of entry files whose sources and dependencies are unchanged (`--cache`). */
  cache?: boolean;
  /** Folder of that cache, relative to cwd (`--cache-location`; default DEFAULT_CACHE_LOCATION). */
  cacheLocation?: string;
  /** From the configuration: warning codes not to report. */
  ignoreWarnings?: readonly string[];
  /** Fail (exit 1, nothing written) when a warning is reported (`--warnings-as-errors`). */
  warningsAsErrors?: boolean;
  /** --watch's stop (Ctrl-C): ends a wait for another compile's lock on the output folder. */
  stop?: AbortSignal;
}

/** Where `--cache` keeps its records unless told otherwise: where Babel, ESLint's loader and others keep theirs, ignored wherever node_modules is. */
export const DEFAULT_CACHE_LOCATION = "node_modules/.cache/gantry";

export interface Io {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** The working directory's path from the repository root, for the github and sarif formats (FormatOptions). */
  repositoryPrefix?: string;
  /** Running in GitHub Actions (`GITHUB_ACTIONS=true`), whose runner reads commands from what is printed. */
  githubActions?: boolean;
}

export function compileOptions(paths: string[], flags: CompileFlags, io: Io): CompileOptions {
  return {
    cwd: io.cwd,
    paths: paths.length > 0 ? paths : ["pipelines"],
    target: flags.target,
    kind: flags.kind,
    typecheck: flags.typecheck,
    // The IR is read only to draw graphs; not keeping it makes a large compile much smaller.
    ...(!flags.graph && { keepIr: false }),
    ...(flags.namespace !== undefined && { namespace: flags.namespace }),
    ...(flags.labelPrefix !== undefined && { labelPrefix: flags.labelPrefix }),
    ...(flags.hardenArgoExecutor === false && { hardenArgoExecutor: false }),
    ...(flags.metrics === false && { metrics: false }),
    ...(flags.metadata && { metadata: true }),
    ...(flags.cache && { cache: flags.cacheLocation ?? DEFAULT_CACHE_LOCATION }),
    jobs: jobsOptions(flags),
  };
}

/** Runs `gantry compile`; returns the exit code (0 ok, 1 diagnostics). */
export async function runCompile(paths: string[], flags: CompileFlags, io: Io): Promise<number> {
  return emitResult(await compile(compileOptions(paths, flags, io)), flags, io);
}

/** Reports a compile's diagnostics and writes (or, with --check, compares) its output. */
export async function emitResult(result: CompileResult, flags: CompileFlags, io: Io): Promise<number> {
  // Under --warnings-as-errors a warning is reported as the error it is then, so CI annotations and
  // SARIF show why the compile failed. The cache's own warning (GANTRY5005) says only that reuse was
  // lost: the result is complete, and a broken cache must never fail a compile that passes without it.
  const fails = (d: Diagnostic) => flags.warningsAsErrors === true && d.severity === "warning" && d.code !== "GANTRY5005";
  const reported = withoutIgnored(result.diagnostics, flags.ignoreWarnings);
  const promoted = reported.filter(fails).length;
  const diagnostics: Diagnostic[] = promoted > 0 ? reported.map((d) => (fails(d) ? { ...d, severity: "error" } : d)) : reported;
  const note = cacheNote(result);
  /** Prints the diagnostics, then (text format) `closing`, the last line, with the cache's count. */
  const report = (closing: string) => {
    // JSON and SARIF consumers always get a document, even an empty one (an empty SARIF log closes fixed alerts).
    if (diagnostics.length > 0 || isDocumentFormat(flags.format)) {
      io.stderr(formatDiagnostics(diagnostics, flags.format, { color: io.color, readSource: (f) => result.sources.get(f), repositoryPrefix: io.repositoryPrefix, cwd: io.cwd }));
    }
    if (flags.format === "text" && closing !== "") io.stderr(`${closing}${note}\n`);
  };

  const promotedNote = promoted === 0 ? "" : ` (--warnings-as-errors: ${promoted === 1 ? "1 warning reported as an error" : `${promoted} warnings reported as errors`})`;
  if (!result.ok || promoted > 0) {
    report(`${summarize(diagnostics)}${promotedNote}; nothing was written.`);
    return 1;
  }
  if (flags.stdout) {
    io.stdout(result.pipelines.map((p) => p.yaml).join(""));
    report("");
    return 0;
  }
  const outDir = path.resolve(io.cwd, flags.out);
  // Generated files this run does not write are removed only by a compile of the whole project;
  // one of some of its files keeps them, and the kustomization lists them too.
  const whole = await coversProject(result, flags, io);
  const output = (brokeStale = false): Outcome => planAndWrite(result, flags, io, outDir, whole, brokeStale, diagnostics, report);
  // --check writes nothing, so it takes no lock (a read-only checkout must be checkable).
  if (flags.check) return output().code;
  // One compile at a time plans and writes the folder (output/lock.ts). Signals are held from the
  // survey to the end of the write: an interrupt must not leave the lock, or half the files, behind.
  const waitNote = flags.format === "text" ? (holder: string) => io.stderr(`gantry compile: waiting for ${holder}, which is writing to ${flags.out}\n`) : undefined;
  const locked = await withOutputLock(outDir, ({ brokeStale }) => holdingSignals(() => output(brokeStale)), { ...(waitNote && { onWait: waitNote }), ...(flags.stop && { signal: flags.stop }) });
  if (!locked.ok) {
    if (locked.diagnostic) diagnostics.push(locked.diagnostic);
    report(locked.diagnostic ? `${summarize(diagnostics)}; nothing was written.` : `stopped while waiting for another compile's lock on ${flags.out}; nothing was written.`);
    return 1;
  }
  const { result: outcome, signal } = locked.value;
  // --watch stops on its own signal handler, after this write, with its last compile's status.
  const interrupted = signal && !flags.watch ? signal : undefined;
  if (!interrupted) return outcome.code;
  if (outcome.wrote) io.stderr(`gantry compile: ${interrupted} received while writing; the write was finished first, so ${flags.out} holds this compile's output.\n`);
  return exitCodeOf(interrupted);
}

/** What planAndWrite ended with: the exit code, and whether it wrote the folder (else it stopped before). */
interface Outcome {
  code: number;
  wrote: boolean;
}

/**
 * Surveys the output folder, compares the compiled files with it, and writes the differences (or,
 * with --check, reports them). Synchronous from the survey to the end of the write, so that the
 * lock and signal hold around it cover all of it. Reports through `report`, adding to `diagnostics`;
 * `brokeStale`: taking the lock removed one a killed compile left, which the summary mentions.
 */
function planAndWrite(result: CompileResult, flags: CompileFlags, io: Io, outDir: string, whole: boolean, brokeStale: boolean, diagnostics: Diagnostic[], report: (closing: string) => void): Outcome {
  const stop = (): Outcome => (report(`${summarize(diagnostics)}; nothing was written.`), { code: 1, wrote: false });
  const manifests: OutputFile[] = result.pipelines.map((p) => ({ path: p.file, content: p.yaml }));
  // Same ownership rules, --check and atomic writer as the YAML: a failure writes none of them.
  const graphs: OutputFile[] = flags.graph ? result.pipelines.map((p) => ({ path: graphFile(p), content: graphMarkdown(p.ir, p.source) })) : [];
  const metadata: OutputFile[] = flags.metadata ? result.pipelines.map((p) => ({ path: metadataFile(p), content: p.metadata ?? "" })) : [];
  const names = [...manifests, ...(flags.kustomization ? [{ path: KUSTOMIZATION }] : []), ...graphs, ...metadata].map((f) => f.path);
  const survey = surveyOutput(outDir, new Set(names), whole);
  const keptManifests = survey.kept.map((k) => k.path).filter((p) => p.endsWith(".yaml") && p !== KUSTOMIZATION);
  // A whole-project compile reports two sources of one pipeline name (GANTRY2009) and two pipelines
  // of one object (GANTRY4022); part of it sees only one of them, and would silently replace the other's.
  const duplicates = whole ? [] : [...takenOver(outDir, result, io.cwd), ...(flags.target === "jobs" ? sameObjectsAsKept(outDir, result, keptManifests) : [])];
  if (duplicates.length > 0) {
    diagnostics.push(...duplicates);
    return stop();
  }
  const files: OutputFile[] = [
    ...manifests,
    ...(flags.kustomization ? [{ path: KUSTOMIZATION, content: kustomization([...manifests.map((f) => f.path), ...keptManifests]) }] : []),
    ...graphs,
    ...metadata,
  ];
  const changes = planOutput(outDir, files, survey);
  diagnostics.push(...changes.diagnostics);
  if (hasErrors(changes.diagnostics)) return stop();
  if (flags.check) {
    const left = leftovers(outDir);
    // The text format lists the files on stdout; the others place a finding at each (stale-files.ts),
    // after the count: GitHub shows the first ten error annotations of a step.
    const each = flags.format === "text" ? [] : staleFileDiagnostics(changes, left, { out: flags.out, outDir, cwd: io.cwd, repositoryPrefix: io.repositoryPrefix, origins: outputOrigins(result.pipelines) });
    return { code: reportCheck(changes, left, flags.out, io, (d) => diagnostics.push(d, ...each), report), wrote: false };
  }

  const written = writeAtomically(outDir, [...changes.added, ...changes.changed.map((c) => c.file)], changes.removed.map((r) => r.path));
  diagnostics.push(...written.diagnostics);
  if (hasErrors(written.diagnostics)) {
    // Staging failures change nothing; a rename or removal failing after others succeeded does.
    const done = [...written.written, ...written.removed.map((p) => `${p} (removed)`)];
    report(`${summarize(diagnostics)}; ${done.length === 0 ? "nothing was written." : `${files_(done.length)} changed before the failure: ${done.join(", ")}.`}`);
    return { code: 1, wrote: done.length > 0 };
  }
  const n = result.pipelines.length;
  const removed = written.removed.length ? `, ${written.removed.length} removed (${written.removed.join(", ")})` : "";
  const leftover = [...written.cleaned, ...(brokeStale ? [LOCK] : [])];
  const cleaned = leftover.length ? `, ${leftover.length} left over by an interrupted compile removed (${leftover.join(", ")})` : "";
  report(`compiled ${n} pipeline${n === 1 ? "" : "s"} into ${flags.out}: ${written.written.length} written, ${changes.unchanged.length} unchanged${removed}${cleaned}${keptNote(changes.kept)}${diagnostics.length ? ` (${summarize(diagnostics)})` : ""}.`);
  return { code: 0, wrote: true };
}

/** Files an interrupted compile left in the output folder, which the next compile removes: its temporaries, and its lock when it was killed outright. */
function leftovers(outDir: string): string[] {
  return [...leftoverTemporaries(outDir), ...(staleLock(outDir) ? [LOCK] : [])];
}

/**
 * Runs the (synchronous) survey and write with SIGINT and SIGTERM held, so an interrupt cannot
 * leave the output half old and half new, with staged temporaries (and the folder's lock) beside
 * it; the signal is answered once the write is done. Before it (compiling, or waiting for another
 * compile's lock), an interrupt ends the compile at once (under --watch, its handler ends the wait):
 * nothing has been staged then.
 */
async function holdingSignals<T>(write: () => T): Promise<{ result: T; signal?: NodeJS.Signals }> {
  let signal: NodeJS.Signals | undefined;
  const hold = (s: NodeJS.Signals) => void (signal ??= s);
  process.on("SIGINT", hold);
  process.on("SIGTERM", hold);
  try {
    const result = write();
    // A signal that came during the write waits in the event loop's poll phase: let a whole turn pass.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    return { result, ...(signal && { signal }) };
  } finally {
    process.off("SIGINT", hold);
    process.off("SIGTERM", hold);
  }
}

/** A shell's status for a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
const exitCodeOf = (signal: NodeJS.Signals): number => 128 + (os.constants.signals[signal] ?? 0);

/** "1 file was" / "3 files were". */
const files_ = (n: number): string => (n === 1 ? "1 file was" : `${n} files were`);

/**
 * Whether this run compiles the whole project, so that a generated file it does not write is stale:
 * no paths given (the project's inputs are compiled), or paths whose files include every file of
 * the project's inputs (the configuration's `include`, else `pipelines/`). When those inputs do not
 * exist here (no `include`, and no `pipelines/`; or a run from a subfolder), nothing says what the
 * project is, and the run counts as a compile of part of it: it removes nothing.
 */
async function coversProject(result: CompileResult, flags: CompileFlags, io: Io): Promise<boolean> {
  if (flags.paths === undefined) return true;
  const project = flags.projectPaths ?? [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((p, i) => p === b[i]);
  if (same(flags.paths, project)) return true;
  const problems: Diagnostic[] = [];
  const all = await expandPaths(compileOptions(project, flags, io), problems);
  if (problems.length > 0 || all.length === 0) return false;
  const compiled = new Set(result.entries);
  return all.every((e) => compiled.has(e));
}

/**
 * GANTRY2009 for each pipeline whose manifest exists with a header naming another file that made
 * it, one this run did not compile and that still exists: in a compile of part of the project, the
 * same name made in two files (directly, or by one factory both call).
 */
function takenOver(outDir: string, result: CompileResult, cwd: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  // The modules whose pipelines this run made (a pipeline made by a shared factory names the factory as its source, and its caller).
  const compiled = new Set([
    ...result.entries.map((e) => path.relative(cwd, e).split(path.sep).join("/")),
    ...result.pipelines.flatMap((p) => [p.source, manifestOrigin(p.yaml)?.madeIn ?? p.source]),
  ]);
  for (const p of result.pipelines) {
    const before = readOutputFile(outDir, p.file);
    if (before === undefined) continue;
    // Made in the entry itself (or by an older Gantry, which named no entry): the entry is its source.
    const other = manifestOrigin(before)?.madeIn;
    if (other === undefined || compiled.has(other) || !fs.existsSync(path.resolve(cwd, other))) continue;
    out.push({
      code: "GANTRY2009",
      severity: "error",
      message: `pipeline "${p.name}" of ${p.source} would replace ${p.file}, which ${other} made and this run did not compile`,
      hint: `Two files make a pipeline of that name: rename one, or compile both (a compile of every input reports such duplicates).`,
    });
  }
  return out;
}

/**
 * GANTRY4022 for an object a compiled pipeline emits that a kept manifest (another pipeline's, not
 * compiled in this part of the project) holds too: a whole compile finds it in mergeBatches. Only on
 * the jobs target, whose object names are more than a pipeline's name (`foo`'s CronJob `foo-1`).
 */
function sameObjectsAsKept(outDir: string, result: CompileResult, kept: readonly string[]): Diagnostic[] {
  const owners = new Map<string, string>();
  for (const file of kept) for (const object of manifestObjects(readOutputFile(outDir, file) ?? "")) owners.set(object, file);
  return result.pipelines.flatMap((p) =>
    manifestObjects(p.yaml).flatMap((object): Diagnostic[] => {
      const other = owners.get(object);
      if (other === undefined) return [];
      return [
        {
          code: "GANTRY4022",
          severity: "error",
          message: `pipeline "${p.name}" of ${p.source} would emit ${object}, which ${other} (kept from an earlier compile) holds too; applying both, one would replace the other`,
          hint: "Rename one of the pipelines (or put them in different namespaces).",
        },
      ];
    }),
  );
}

/**
 * ", kept 4 generated files this run did not write (...)", or nothing. `--check` says "left
 * unchecked" instead: it keeps and writes nothing.
 */
function keptNote(kept: readonly KeptFile[], check = false): string {
  if (kept.length === 0) return "";
  const what = `${kept.length} generated file${kept.length === 1 ? "" : "s"} this run did not write (a compile of part of the project removes none; compile every input to remove stale ones)`;
  return check ? `; left unchecked: ${what}` : `, kept ${what}`;
}

/** " 3 of 40 source files compiled, 37 reused from the cache." with --cache, else nothing. */
function cacheNote(result: CompileResult): string {
  if (!result.cache) return "";
  const { reused, compiled } = result.cache;
  const all = reused + compiled;
  return ` ${compiled} of ${all} source file${all === 1 ? "" : "s"} compiled, ${reused} reused from the cache.`;
}

/**
 * Text for a GitHub Actions log that the runner must not read commands from: the diff quotes the
 * manifests, and so whatever a pipeline's author wrote (a script line `::error ...`, `::add-mask::`).
 * Between `::stop-commands::<token>` and `::<token>::` the runner takes no command; the token is a
 * hash of the text, which the text cannot contain (diagnostics review finding).
 */
function withoutWorkflowCommands(text: string): string {
  const token = createHash("sha256").update(text).digest("hex");
  return `::stop-commands::${token}\n${text}${text.endsWith("\n") ? "" : "\n"}::${token}::\n`;
}

/**
 * `--check`: lists added, changed and removed files, one line per pipeline on what changed in
 * meaning, and a unified diff per changed file, on stdout; exit 1 if anything differs. `leftovers`
 * are what an interrupted compile left (its temporaries, its lock): the next compile removes them,
 * so they differ too (committed, they would sit among the manifests). Writes nothing.
 */
function reportCheck(changes: OutputChanges, leftovers: readonly string[], out: string, io: Io, diagnose: (d: Diagnostic) => void, report: (s: string) => void): number {
  const kept = keptNote(changes.kept, true);
  if (!hasChanges(changes) && leftovers.length === 0) {
    report(`${out} is up to date (${changes.unchanged.length} file${changes.unchanged.length === 1 ? "" : "s"}${kept}).`);
    return 0;
  }
  const lines: string[] = [`${out} differs from what the sources compile to:`];
  for (const f of changes.added) lines.push(`  added    ${f.path}`);
  for (const c of changes.changed) lines.push(`  changed  ${c.file.path}`);
  for (const r of changes.removed) lines.push(`  removed  ${r.path}`);
  for (const name of leftovers) lines.push(`  removed  ${name} (left over by an interrupted compile)`);
  const meaning = [
    ...changes.added.filter((f) => f.path !== KUSTOMIZATION && f.path.endsWith(".yaml")).map((f) => meaningChange(f.path.replace(/\.yaml$/, ""), undefined, f.content)),
    ...changes.changed.filter((c) => c.file.path !== KUSTOMIZATION && c.file.path.endsWith(".yaml")).map((c) => meaningChange(c.file.path.replace(/\.yaml$/, ""), c.before, c.file.content)),
    ...changes.removed.filter((r) => r.path !== KUSTOMIZATION && r.path.endsWith(".yaml")).map((r) => meaningChange(r.path.replace(/\.yaml$/, ""), r.before, undefined)),
  ].filter((m): m is string => m !== undefined);
  if (meaning.length) lines.push("", "What changed:", ...meaning.map((m) => `  ${m}`));
  lines.push("");
  const shown = [
    lines.join("\n") + "\n",
    ...changes.changed.map((c) => unifiedDiff(c.file.path, c.before, c.file.content)),
    ...changes.added.map((f) => unifiedDiff(f.path, "", f.content)),
    ...changes.removed.map((r) => unifiedDiff(r.path, r.before, "")),
  ].join("");
  const count = changes.added.length + changes.changed.length + changes.removed.length + leftovers.length;
  diagnose({ code: "GANTRY5003", severity: "error", message: `${count} file${count === 1 ? "" : "s"} in ${out} ${count === 1 ? "differs" : "differ"} from what the sources compile to`, hint: "Run `gantry compile` and commit the result." });
  if (io.githubActions) {
    // The annotations (stderr) before the fenced difference (stdout): while the runner takes no
    // commands, it would drop any of them it read.
    report(`nothing was written (--check)${kept}.`);
    io.stdout(withoutWorkflowCommands(shown));
  } else {
    io.stdout(shown);
    report(`nothing was written (--check)${kept}.`);
  }
  return 1;
}
