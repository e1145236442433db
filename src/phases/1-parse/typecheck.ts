/**
 * Opt-in type checking (`gantry compile --typecheck`): builds a TypeScript program over the pipeline
 * files and reports its errors as GANTRY1130. Only here is a Program built; a plain compile parses
 * files one by one and never pays for type checking.
 */
import fs from "node:fs";
import path from "node:path";
import { Project, ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";

export function typecheck(cwd: string, files: readonly string[], relative: (p: string) => string): Diagnostic[] {
  const tsconfig = path.join(cwd, "tsconfig.json");
  const project = fs.existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          allowJs: true, // JavaScript helpers a pipeline imports resolve, typed by inference (not checked)
        },
      });
  for (const f of files) project.addSourceFileAtPath(f);
  project.resolveSourceFileDependencies();
  const own = new Set(project.getSourceFiles().filter((sf) => !sf.isInNodeModules() && !sf.isDeclarationFile()).map((sf) => sf.getFilePath() as string));

  const out: Diagnostic[] = [];
  for (const d of project.getPreEmitDiagnostics()) {
    const sf = d.getSourceFile();
    // Errors inside dependencies are theirs, not the pipeline author's (skipLibCheck, but for .ts in node_modules).
    if (sf && !own.has(sf.getFilePath())) continue;
    const category = d.getCategory();
    if (category !== ts.DiagnosticCategory.Error && category !== ts.DiagnosticCategory.Warning) continue;
    // The compiler's own text: ts-morph wraps a message chain in a class of its own that TypeScript cannot flatten.
    const message = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
    const start = d.getStart();
    const pos = sf && start !== undefined ? sf.getLineAndColumnAtPos(start) : undefined;
    out.push({
      code: "GANTRY1130",
      severity: category === ts.DiagnosticCategory.Error ? "error" : "warning",
      message: `TS${d.getCode()}: ${message}`,
      ...(sf && pos && { span: { file: relative(sf.getFilePath()), line: pos.line, column: pos.column } }),
    });
  }
  return out;
}
