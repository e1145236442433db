/**
 * `gantry graph <file>`: the task graph of every pipeline in a file (or a folder's files), as Mermaid or DOT, on stdout.
 * Diagnostics go to stderr in the text format, as `gantry compile` prints them.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { compile } from "../compile.js";
import { formatDiagnostics, summarize } from "../diagnostics/index.js";
import { toDot, toMermaid } from "../output/graph.js";
import type { Io } from "./compile-command.js";

export type GraphFormat = "mermaid" | "dot";

export interface GraphFlags {
  format: GraphFormat;
}

/** Runs `gantry graph`; returns the exit code (0 ok, 1 diagnostics with an error). */
export async function runGraph(file: string, flags: GraphFlags, io: Io): Promise<number> {
  const result = await compile({ cwd: io.cwd, paths: [file], target: "argo", kind: "auto" });
  const report = (extra: string) => {
    if (result.diagnostics.length > 0) {
      io.stderr(formatDiagnostics(result.diagnostics, "text", { color: io.color, readSource: (f) => result.sources.get(f) }));
    }
    io.stderr(extra);
  };
  if (!result.ok) {
    report(`${summarize(result.diagnostics)}; no graph was printed.\n`);
    return 1;
  }
  const render = flags.format === "dot" ? toDot : toMermaid;
  // One graph per pipeline, by pipeline name (compile() sorts them), separated by a blank line.
  io.stdout(result.pipelines.map((p) => render(p.ir)).join("\n"));
  report(result.pipelines.length === 0 ? `no pipeline found in ${file}.\n` : result.diagnostics.length > 0 ? `${summarize(result.diagnostics)}.\n` : "");
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
    .addHelpText("after", "\nExit codes: 0 printed, 1 diagnostics reported (nothing printed), 2 usage error.")
    .action(async (file: string, flags: GraphFlags) => {
      setExit(await runGraph(file, flags, io));
    });
}
