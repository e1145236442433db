import path from "node:path";
import { compile, type Target } from "../compile.js";
import type { ArgoKind } from "../backends/argo/index.js";
import { formatDiagnostics, hasErrors, summarize, type Diagnostic, type DiagnosticFormat } from "../diagnostics/index.js";
import { writeAtomically } from "../output/write.js";

export interface CompileFlags {
  out: string;
  target: Target;
  kind: ArgoKind;
  stdout: boolean;
  format: DiagnosticFormat;
  typecheck: boolean;
}

export interface Io {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

/** Runs `gantry compile`; returns the exit code (0 ok, 1 diagnostics). */
export async function runCompile(paths: string[], flags: CompileFlags, io: Io): Promise<number> {
  const result = await compile({ cwd: io.cwd, paths: paths.length > 0 ? paths : ["pipelines"], target: flags.target, kind: flags.kind, typecheck: flags.typecheck });
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  const report = (extra: string) => {
    // JSON consumers always get a document, even an empty one.
    if (diagnostics.length > 0 || flags.format === "json") {
      io.stderr(formatDiagnostics(diagnostics, flags.format, { color: io.color, readSource: (f) => result.sources.get(f) }));
    }
    if (flags.format === "text") io.stderr(extra);
  };

  if (!result.ok) {
    report(`${summarize(diagnostics)}; nothing was written.\n`);
    return 1;
  }
  if (flags.stdout) {
    io.stdout(result.pipelines.map((p) => p.yaml).join(""));
    report("");
    return 0;
  }
  const outDir = path.resolve(io.cwd, flags.out);
  const written = await writeAtomically(outDir, result.pipelines.map((p) => ({ path: p.file, content: p.yaml })));
  diagnostics.push(...written.diagnostics);
  if (hasErrors(written.diagnostics)) {
    report(`${summarize(diagnostics)}; nothing was written.\n`);
    return 1;
  }
  const n = result.pipelines.length;
  report(`compiled ${n} pipeline${n === 1 ? "" : "s"} into ${flags.out}: ${written.written.length} written, ${written.unchanged.length} unchanged${diagnostics.length ? ` (${summarize(diagnostics)})` : ""}.\n`);
  return 0;
}
