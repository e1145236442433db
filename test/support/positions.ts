/** Compiling small in-memory projects and naming source positions, for diagnostics tests. */
import { compile, type CompileResult } from "../../src/compile.js";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { tempProject } from "./cli.js";

export type Files = Record<string, string>;

/** Writes `files` to a fresh temporary project and compiles `paths` in it. */
export async function compileFiles(files: Files, paths: readonly string[] = ["."]): Promise<CompileResult & { cwd: string }> {
  const cwd = tempProject(files);
  return { ...(await compile({ cwd, paths, target: "argo", kind: "auto" })), cwd };
}

/** `CODE file:line:column` for each diagnostic: compact enough to compare whole lists. */
export const where = (d: Diagnostic) => `${d.code} ${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : "-"}`;

/** Position of the `nth` occurrence of `needle` in `source`, as `file:line:column` (1-based). */
export function loc(file: string, source: string, needle: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${nth} times`);
  }
  const before = source.slice(0, index).split("\n");
  return `${file}:${before.length}:${before[before.length - 1]!.length + 1}`;
}
