#!/usr/bin/env node
/**
 * The `gantry` command. Exit codes: 0 success, 1 diagnostics (bad pipelines), 2 usage errors.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import fs from "node:fs";
import os from "node:os";
import v8 from "node:v8";
import { CONFIG_FILE, configuredCompileOptions, formatConfigDiagnostics, loadConfig } from "../config/load.js";
import { codes, formatDiagnostics, isDiagnosticCode, summarize, type Diagnostic, type DiagnosticFormat } from "../diagnostics/index.js";
import { DEFAULT_CACHE_LOCATION, runCompile, type CompileFlags } from "./compile-command.js";
import { registerGraph } from "./graph-command.js";
import { registerInit } from "./init-command.js";
import { nonEmpty } from "./non-empty.js";
import { repositoryPrefix } from "./repository-root.js";
import { idleTimeoutProblem } from "../backends/jobs/idle-timeout.js";
import { runIdProblem } from "../backends/jobs/names.js";
import { imageReference } from "../phases/3-validate/rules/image.js";
import { commanderMessage, requestedFormat, usageReport } from "./usage-errors.js";
import { runWatch } from "./watch-command.js";

const EXIT_USAGE = 2;

/** `--runtime-image`: a reference the kubelet can pull, as a task's image must be (GANTRY2040). */
function imageArgument(value: string): string {
  const problem = imageReference(nonEmpty(value));
  if (problem) throw new InvalidArgumentError(`It ${problem} (an image reference such as node:22-alpine).`);
  return value;
}

/** `--idle-timeout`: an unusable value is a usage error (exit 2), as an invalid choice is. */
function idleTimeoutArgument(value: string): string {
  const problem = idleTimeoutProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** This package's version, from its package.json (beside dist/ and src/ alike). */
function gantryVersion(): string {
  try {
    const manifest = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}



/**
 * Colour for the text format: only on a terminal, and there not when `NO_COLOR` is set to anything
 * but "" (no-color.org), `FORCE_COLOR` is "0" or "false" (as Node and chalk read it), or `TERM` is
 * "dumb". Never off a terminal, whatever FORCE_COLOR says: a log or a file gets plain text.
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const forcedOff = ["0", "false"].includes((env.FORCE_COLOR ?? "").toLowerCase());
  return Boolean(stream.isTTY) && !env.NO_COLOR && !forcedOff && env.TERM !== "dumb";
}

export async function main(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  const io = {
    cwd,
    stdout: (s: string) => void process.stdout.write(s),
    stderr: (s: string) => void process.stderr.write(s),
    color: useColor(process.stderr, process.env),
    repositoryPrefix: repositoryPrefix(cwd),
    githubActions: process.env.GITHUB_ACTIONS === "true",
  };
  let exitCode = 0;
  // Under a document format (json, github, sarif), commander's own errors are reported as
  // GANTRY5007 once it gives up (below); the format is read from the command line once the options are declared.
  let documentFormat: Exclude<DiagnosticFormat, "text"> | undefined;
  const formatOptions = { color: io.color, repositoryPrefix: io.repositoryPrefix, cwd: io.cwd };
  const program = new Command("gantry")
    .description("Compile TypeScript pipelines into Kubernetes manifests, without running them.")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: (s) => void (documentFormat ?? io.stderr(s)) })
    .version(gantryVersion(), "-V, --version", "print Gantry's version");

  program
    .command("compile")
    .description("Compile pipelines into manifests, one YAML file per pipeline.")
    .argument("[paths...]", "files, folders or globs holding pipelines (default: the configuration's include, else pipelines)")
    .addOption(new Option("-o, --out <dir>", "output directory").default("manifests").argParser(nonEmpty))
    .addOption(new Option("-t, --target <target>", "what to emit: Argo Workflows objects, or plain Kubernetes Jobs (docs/targets.md)").choices(["argo", "jobs"]).default("argo"))
    .addOption(
      new Option("-k, --kind <kind>", "Argo target: the object kind; auto = CronWorkflow if scheduled, else WorkflowTemplate")
        .choices(["auto", "template", "workflow", "cron"])
        .default("auto"),
    )
    .option("--run-id <id>", "jobs target: the run id in every Job name (default: a hash of the compiled pipeline)")
    .addOption(new Option("--gitops <tool>", "jobs target: annotate for a GitOps tool (Argo CD sync waves and hooks; default none)").choices(["none", "argocd"]))
    .addOption(new Option("--runtime-image <image>", "jobs target: image of the runtime shim's containers (default node:22-alpine)").argParser(imageArgument))
    .addOption(new Option("--idle-timeout <duration>", "jobs target: how long a run may be idle (no Job changed, no task at work) before its waits give up (default 24h)").argParser(idleTimeoutArgument))
    .option("--stdout", "print the manifests instead of writing files", false)
    .option("--typecheck", "also run the TypeScript type checker over the pipelines (slower)")
    .option("--no-typecheck", "do not run the type checker, whatever the configuration says")
    .addOption(new Option("--check", "compare with the output directory instead of writing; exit 1 and show the difference if it is out of date").default(false).conflicts("stdout"))
    .option("--no-kustomization", "do not write kustomization.yaml listing the manifests")
    .option("--no-metrics", "do not emit the default Prometheus metrics (docs/monitoring.md)")
    .option("--cache", "reuse the result of each file whose text, and every file it reads, are unchanged since the last compile (docs/configuration.md)")
    .option("--no-cache", "compile every file, whatever the configuration says")
    .addOption(new Option("--cache-location <dir>", `folder of the --cache records (default ${DEFAULT_CACHE_LOCATION})`).argParser(nonEmpty))
    .addOption(new Option("--metadata", "also write <pipeline>.metadata.json beside each manifest: tasks, scopes, retry policies, labels, metric names").default(false).conflicts("stdout"))
    .addOption(new Option("--graph", "also write <pipeline>.md beside each manifest: the task graph as a Mermaid picture").default(false).conflicts("stdout"))
    .addOption(new Option("-w, --watch", "keep running: recompile the changed files and the pipelines that import them").default(false).conflicts(["stdout", "check"]))
    .addOption(new Option("-f, --format <format>", "diagnostics format").choices(["text", "json", "github", "sarif"]).default("text"))
    .option("--warnings-as-errors", "fail (exit 1, nothing written) when a warning is reported; codes in the configuration's ignoreWarnings are not reported")
    .addHelpText("after", "\nExit codes: 0 compiled, 1 diagnostics reported or output not writable, 2 usage error (including an invalid option value).")
    .addHelpText("after", `\nSettings can also come from ${CONFIG_FILE} (or a "gantry" key in package.json); flags given here win.`)
    .action(async (paths: string[], flags: CompileFlags, command: Command) => {
      const usage = (message: string) => {
        io.stderr(usageReport(message, flags.format, formatOptions));
        exitCode = EXIT_USAGE;
      };
      // Usage errors first, as commander reports its own before any action runs.
      if (paths.includes("")) {
        // path.resolve(cwd, "") is the working directory: every source under it would be compiled.
        return usage("a path must not be empty");
      }
      const loaded = loadConfig(io.cwd);
      if (loaded.diagnostics.length > 0) {
        // In file order, closed by the summary a compile's diagnostics get (adversarial finding: neither).
        io.stderr(formatConfigDiagnostics(loaded, flags.format, { color: io.color, repositoryPrefix: io.repositoryPrefix }));
        if (flags.format === "text") io.stderr(`${summarize(loaded.diagnostics)}; nothing was written.\n`);
        exitCode = 1;
        return;
      }
      const c = loaded.config;
      // Flags typed on the command line win; then the configuration; then commander's defaults.
      const given = (key: string) => command.getOptionValueSource(key) === "cli";
      const settings: CompileFlags = {
        ...flags,
        out: given("out") ? flags.out : (c.out ?? flags.out),
        target: given("target") ? flags.target : (c.target ?? flags.target),
        kind: given("kind") ? flags.kind : (c.kind ?? flags.kind),
        typecheck: given("typecheck") ? flags.typecheck : (c.typecheck ?? false),
        kustomization: given("kustomization") ? flags.kustomization : (c.kustomization ?? flags.kustomization),
        graph: given("graph") ? flags.graph : (c.graph ?? flags.graph),
        metrics: given("metrics") ? flags.metrics : (c.metrics ?? flags.metrics),
        metadata: given("metadata") ? flags.metadata : (c.metadata ?? flags.metadata),
        gitops: flags.gitops ?? c.gitops,
        runtimeImage: flags.runtimeImage ?? c.runtimeImage,
        idleTimeout: flags.idleTimeout ?? c.idleTimeout,
        cache: given("cache") ? flags.cache : (c.cache ?? false),
        ...((flags.cacheLocation ?? c.cacheLocation) !== undefined && { cacheLocation: flags.cacheLocation ?? c.cacheLocation }),
        ...configuredCompileOptions(c),
        ...(c.ignoreWarnings !== undefined && { ignoreWarnings: c.ignoreWarnings }),
        warningsAsErrors: given("warningsAsErrors") ? true : (c.warningsAsErrors ?? false),
      };
      const jobsOnly = (["runId", "gitops", "runtimeImage", "idleTimeout"] as const).filter((k) => given(k)).map((k) => `--${k.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)}`);
      if (settings.target !== "jobs" && jobsOnly.length > 0) {
        // Typed on the command line for a target that ignores them: surely a mistake.
        return usage(`${jobsOnly.join(", ")} appl${jobsOnly.length === 1 ? "ies" : "y"} to --target jobs only`);
      }
      if (settings.target === "jobs" && given("kind")) {
        // The jobs target has no kinds: a scheduled pipeline is a CronJob, any other plain Jobs.
        return usage("--kind applies to --target argo only (the jobs target emits a CronJob for a scheduled pipeline, else Jobs)");
      }
      // After the target is known: for the Argo target, --run-id is the mistake, whatever its value.
      const badRunId = flags.runId === undefined ? undefined : runIdProblem(flags.runId);
      if (badRunId) {
        // An invalid option value: exit 2 like an invalid choice, with the code `gantry explain` knows.
        const diagnostic: Diagnostic = { code: "GANTRY4016", severity: "error", message: `--run-id "${flags.runId}" ${badRunId.message}`, hint: badRunId.hint };
        io.stderr(formatDiagnostics([diagnostic], flags.format, { ...formatOptions, readSource: () => undefined }));
        exitCode = EXIT_USAGE;
        return;
      }
      if (given("cacheLocation") && !settings.cache) {
        return usage('--cache-location needs --cache (or "cache": true in the configuration)');
      }
      const inputs = paths.length > 0 ? paths : (c.include ?? []);
      // What this run compiles decides which generated files in the output it may remove (emitResult).
      settings.paths = inputs;
      settings.projectPaths = c.include ?? [];
      if (settings.watch) {
        const stop = new AbortController();
        process.once("SIGINT", () => stop.abort());
        process.once("SIGTERM", () => stop.abort());
        exitCode = await runWatch(inputs, settings, io, stop.signal);
        return;
      }
      exitCode = await runCompile(inputs, settings, io);
    });

  program
    .command("explain")
    .description("Explain a diagnostic code, e.g. `gantry explain GANTRY2004`; `--list` lists them all.")
    .argument("[code]", "diagnostic code")
    .option("--list", "list every code with its title")
    .action((code: string | undefined, options: { list?: boolean }) => {
      if (options.list && code !== undefined) {
        io.stderr(`gantry explain: give a code or --list, not both\n`);
        exitCode = EXIT_USAGE;
        return;
      }
      if (options.list) {
        io.stdout(Object.entries(codes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, { title }]) => `${c}  ${title}\n`).join(""));
        return;
      }
      if (code === undefined) {
        io.stderr("gantry explain: give a code (gantry explain GANTRY2004), or --list for all of them\n");
        exitCode = EXIT_USAGE;
        return;
      }
      // The number alone names the code too: annotations and titles show `GANTRY2004`, people type `2004`.
      const normalized = /^\d+$/.test(code.trim()) ? `GANTRY${code.trim()}` : code.trim().toUpperCase();
      if (!isDiagnosticCode(normalized)) {
        io.stderr(`unknown diagnostic code: ${code} (gantry explain --list lists them)\n`);
        exitCode = EXIT_USAGE;
        return;
      }
      const { title, explain } = codes[normalized];
      io.stdout(`${normalized}: ${title}\n\n${explain}\n`);
    });

  registerInit(program, io, (code) => {
    exitCode = code;
  });
  registerGraph(program, io, (code) => {
    exitCode = code;
  });

  const compileOptions = program.commands.find((c) => c.name() === "compile")?.options ?? [];
  const requested = requestedFormat(argv, (flag) => {
    const option = compileOptions.find((o) => o.short === flag || o.long === flag);
    return option?.required ? "required" : option?.optional ? "optional" : undefined;
  });
  documentFormat = requested === "text" ? undefined : requested;
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0; every other commander error is a usage error.
      if (e.exitCode === 0) return 0;
      if (documentFormat) io.stderr(usageReport(commanderMessage(e.message), documentFormat, formatOptions));
      return EXIT_USAGE;
    }
    throw e;
  }
  return exitCode;
}

/** Resolves once everything written to `stream` so far has been handed to the system. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write("", () => resolve())));
}

/** The signal a compile's exit code says it was interrupted by (130 SIGINT, 143 SIGTERM), if any. */
function interruptedBy(code: number): NodeJS.Signals | undefined {
  return (["SIGINT", "SIGTERM"] as const).find((s) => code === 128 + os.constants.signals[s]);
}

// `gantry compile --stdout | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// V8 moves an allocation site's objects straight to the old generation once they have survived a
// collection ("pretenuring"). A compile's syntax trees and values live for one entry file each, so
// they then die in the old generation and the process grows with garbage until a full collection:
// with it, 1,000 pipelines peak at 460-560 MB, without it at about 405 MB, in the same CPU time
// (`npm run bench`, the CLI runs). This process only; the library never changes V8 flags.
v8.setFlagsFromString("--no-allocation-site-pretenuring");

main(process.argv.slice(2)).then(
  async (code) => {
    process.exitCode = code;
    // A compile interrupted while writing finished the write first (compile-command.ts) and ends
    // with 128 + the signal's number. It then ends by that signal, as a shell expects of a program
    // that caught one to clean up: a shell loop or `make` stops on a child killed by SIGINT, but
    // carries on after one that merely exited 130. Once what it printed has reached the pipes
    // (a write to a full pipe is pending, and would be cut off). Nothing handles the signal by now;
    // should something still, the exit code above stands. Not on Windows, where a process
    // signalling itself ends at once with status 1.
    const signal = interruptedBy(code);
    if (signal && process.platform !== "win32") {
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.kill(process.pid, signal);
    }
  },
  (e: unknown) => {
    // Only a bug in Gantry gets here; user errors are diagnostics.
    process.stderr.write(`gantry: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nPlease report this with the input that caused it.\n`);
    process.exitCode = 70;
  },
);
