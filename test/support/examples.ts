/** The bundled examples, compiled in-process the way `gantry compile examples` does. */
import fs from "node:fs";
import path from "node:path";
import { compile, type CompileOptions } from "../../src/compile.js";
import { repoRoot } from "./cli.js";

export const examplesDir = path.join(repoRoot, "examples");

export const exampleFiles = (): string[] =>
  fs.readdirSync(examplesDir).filter((f) => f.endsWith(".ts")).sort().map((f) => path.join(examplesDir, f));

export async function compileExamples(kind: CompileOptions["kind"] = "auto", extra: Partial<CompileOptions> = {}) {
  const result = await compile({ cwd: repoRoot, paths: ["examples"], target: "argo", kind, ...extra });
  if (!result.ok) throw new Error(`examples do not compile:\n${JSON.stringify(result.diagnostics, null, 2)}`);
  return result;
}
