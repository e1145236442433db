/**
 * `gantry graph <file>`: the task graph of every pipeline in a file (or a folder's files), as Mermaid or DOT, on stdout.
 * Diagnostics go to stderr in the text format, as `gantry compile` prints them.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { compile } from "../compile.js";
import { configuredCompileOptions, formatConfigDiagnostics, loadConfig } from "../config/load.js";
import { formatDiagnostics, summarize, withoutIgnored } from "../diagnostics/index.js";
import { graphMarkdown, toDot, toMermaid } from "../output/graph.js";
import type { Io } from "./compile-command.js";

export type GraphFormat = "mermaid" | "dot";

export interface GraphFlags {
  format: GraphFormat;
}

/** Runs `gantry graph`; returns the exit code (0 ok, 1 diagnostics with an error). */
export async function runGraph(file: string, flags: GraphFlags, io: Io): Promise<number> {
  // The project's configuration, as `gantry compile` reads it: its target's checks, its namespace and
  // label prefix, and its ignoreWarnings (adversarial finding: graph refused what compile accepted).
  const loaded = loadConfig(io.cwd);
  if (loaded.diagnostics.length > 0) {
    io.stderr(formatConfigDiagnostics(loaded, "text", { color: io.color }));
    io.stderr(`${summarize(loaded.diagnostics)}; no graph was printed.\n`);
    return 1;
  }
  const c = loaded.config;
  const result = await compile({
    cwd: io.cwd,
    paths: [file],
    target: c.target ?? "argo",
    kind: c.kind ?? "auto",
    ...configuredCompileOptions(c),
    ...(c.metrics === false && { metrics: false }),
  });
  const diagnostics = withoutIgnored(result.diagnostics, c.ignoreWarnings);
  const report = (extra: string) => {
    if (diagnostics.length > 0) io.stderr(formatDiagnostics(diagnostics, "text", { color: io.color, readSource: (f) => result.sources.get(f) }));
    io.stderr(extra);
  };
  if (!result.ok) {
    report(`${summarize(diagnostics)}; no graph was printed.\n`);
    return 1;
  }
  if (result.pipelines.length === 0) {
    report(`no pipeline found in ${file}; no graph was printed.\n`);
    return 1;
  }
  // One graph per pipeline, by pipeline name (compile() sorts them). DOT reads several graphs from
  // one file; Mermaid draws one diagram per document, so several become a Markdown page of them.
  const [only] = result.pipelines;
  if (flags.format === "dot") io.stdout(result.pipelines.map((p) => toDot(p.ir)).join("\n"));
  else if (result.pipelines.length === 1 && only) io.stdout(toMermaid(only.ir));
  else io.stdout(result.pipelines.map((p) => graphMarkdown(p.ir, p.source)).join("\n"));
  report(diagnostics.length > 0 ? `${summarize(diagnostics)}.\n` : "");
  return 0;
}

/** Adds `graph <file>` to the `gantry` program; the action's exit code goes to `setExit`. */
export function registerGraph(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("graph")
    .description("Print the task graph of the pipelines in a file (or every file of a folder): roles, setup/teardown scopes and finally tasks.")
    .argument("<file>", "file, or folder, holding pipelines", (file: string) => {
      // "" would be the working directory: every pipeline under it.
      if (file === "") throw new InvalidArgumentError("It must not be empty.");
      return file;
    })
    .addOption(new Option("--format <format>", "graph language").choices(["mermaid", "dot"]).default("mermaid"))
    .addHelpText(
      "after",
      "\nOne pipeline prints as a Mermaid (or DOT) document; several, with Mermaid, as a Markdown page of one Mermaid block each (Mermaid draws one diagram per document).\nSettings come from gantry.config.json (or package.json's \"gantry\" key), as for compile: the target, namespace, label prefix and ignoreWarnings.\n\nExit codes: 0 printed, 1 diagnostics reported or no pipeline found (nothing printed), 2 usage error.",
    )
    .action(async (file: string, flags: GraphFlags) => {
      setExit(await runGraph(file, flags, io));
    });
}
