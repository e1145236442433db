/**
 * Opt-in type checking (`gantry compile --typecheck`): builds a TypeScript program over the pipeline
 * files and reports its errors as GANTRY1130. Only here is a Program built; a plain compile parses
 * files one by one and never pays for type checking.
 *
 * Each file is checked with the compiler options of its nearest tsconfig.json, as an editor checks
 * it (and as the analysis resolves its aliases): one program per tsconfig, so a monorepo's packages
 * are each checked with their own options from its root.
 */
import path from "node:path";
import { Project, ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";

export function typecheck(files: readonly string[], relative: (p: string) => string): Diagnostic[] {
  const byConfig = new Map<string | undefined, string[]>();
  for (const f of files) {
    const config = ts.findConfigFile(path.dirname(f), ts.sys.fileExists);
    byConfig.set(config, [...(byConfig.get(config) ?? []), f]);
  }
  const out: Diagnostic[] = [];
  // A module shared by two programs reports its errors once.
  const seen = new Set<string>();
  for (const [config, group] of byConfig) {
    for (const d of check(config, group, relative)) {
      const key = `${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

function check(tsconfig: string | undefined, files: readonly string[], relative: (p: string) => string): Diagnostic[] {
  const project = tsconfig
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
