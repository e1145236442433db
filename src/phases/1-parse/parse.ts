/**
 * Phase 1: read TypeScript files into syntax trees with ts-morph. No type checker, no program, no
 * module resolution beyond what the analyzer asks for: parsing is the dominant cost of a compile.
 */
import path from "node:path";
import { Project, ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";

export interface SourceProgram {
  /** The syntax tree of a file by absolute path, parsing it on first request; undefined if unreadable. */
  file(absolutePath: string): ts.SourceFile | undefined;
  /** Path relative to the working directory with POSIX separators: how files are named in output. */
  relative(absolutePath: string): string;
  /** Syntax errors of the files parsed so far, each reported once. */
  takeSyntaxDiagnostics(): Diagnostic[];
  /** The ts-morph project, for opt-in type checking. */
  readonly project: Project;
}

export function createSourceProgram(cwd: string): SourceProgram {
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true, noEmit: true },
  });
  const cache = new Map<string, ts.SourceFile | undefined>();
  const pending: ts.SourceFile[] = [];
  const relative = (p: string) => path.relative(cwd, p).split(path.sep).join("/");

  return {
    project,
    relative,
    file(absolutePath) {
      if (cache.has(absolutePath)) return cache.get(absolutePath);
      let sf: ts.SourceFile | undefined;
      try {
        sf = project.addSourceFileAtPath(absolutePath).compilerNode;
        pending.push(sf);
      } catch {
        sf = undefined;
      }
      cache.set(absolutePath, sf);
      return sf;
    },
    takeSyntaxDiagnostics() {
      const out: Diagnostic[] = [];
      for (const sf of pending.splice(0)) {
        // parseDiagnostics is internal to TypeScript but has been stable for years; it avoids building a Program.
        const found = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
        for (const d of found) {
          const start = sf.getLineAndCharacterOfPosition(d.start);
          out.push({
            code: "GANTRY1002",
            severity: "error",
            message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
            span: { file: relative(sf.fileName), line: start.line + 1, column: start.character + 1 },
          });
        }
      }
      return out;
    },
  };
}
