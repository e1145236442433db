/**
 * Static analysis agrees with execution on a corpus of realistic pipeline modules
 * (test/fixtures/static, helpers in its lib/ folder): for every module, the IR that `gantry compile`
 * reads statically equals the IR built by importing the module and validating what it exports.
 * Source positions are the only difference allowed, since only reading knows them.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import { PipelineDefinition } from "../src/dsl/pipeline.js";
import type * as IR from "../src/ir/index.js";
import { noLocations, validate } from "../src/phases/3-validate/index.js";
import { repoRoot } from "./support/cli.js";

const fixtureDir = path.join(repoRoot, "test/fixtures/static");
const libDir = path.join(fixtureDir, "lib");
const toRel = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/");

/** Every pipeline module of the corpus (helper modules under lib/ excluded), sorted. */
function fixtureModules(): string[] {
  return fs
    .readdirSync(fixtureDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|cts)$/.test(e.name) && !/\.d\.[mc]?ts$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.startsWith(libDir + path.sep))
    .sort();
}

/** Whether a module imports (or re-exports from) the shared lib/ folder. */
const importsLib = (file: string) => /\bfrom\s+["']\.\/lib(?:\/|["'])/.test(fs.readFileSync(file, "utf8"));

/** The same IR with every source position (`{ file, line, column }`) reduced to its file. */
function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  if (typeof o.file === "string" && typeof o.line === "number" && typeof o.column === "number") return { ...o, line: 0, column: 0 };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withoutPositions(v)]));
}

/** The pipelines a module exports, directly or in exported arrays, each once. */
function exportedPipelines(mod: Record<string, unknown>): PipelineDefinition[] {
  const values = Object.values(mod).flat();
  return [...new Set(values.filter((v): v is PipelineDefinition => v instanceof PipelineDefinition))];
}

describe("static analysis agrees with execution on test/fixtures/static", async () => {
  const files = fixtureModules();
  // One static compile for the whole folder, as `gantry compile test/fixtures/static` runs it.
  const result = await compile({ cwd: repoRoot, paths: [toRel(fixtureDir)], target: "argo", kind: "auto" });
  const staticByFile = new Map<string, IR.Pipeline[]>();
  for (const p of result.pipelines) staticByFile.set(p.source, [...(staticByFile.get(p.source) ?? []), p.ir]);

  it("compiles the whole folder without any diagnostic", () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("has at least 30 fixture modules, at least 10 of them cross-file", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter(importsLib).length).toBeGreaterThanOrEqual(10);
  });

  it("declares no pipelines in lib/", () => {
    const fromLib = result.pipelines.filter((p) => p.source.startsWith(toRel(libDir) + "/"));
    expect(fromLib.map((p) => p.name)).toEqual([]);
  });

  for (const file of files) {
    const rel = toRel(file);
    it(rel, async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const definitions = exportedPipelines(mod);
      expect(definitions.length, "pipelines exported when executed").toBeGreaterThan(0);
      const executed = validate(definitions.map((definition) => ({ definition, file: rel, locator: noLocations })));
      expect(executed.diagnostics).toEqual([]);

      const statics = staticByFile.get(rel) ?? [];
      expect(statics.length, "pipelines found statically").toBeGreaterThan(0);
      const sortedNames = (ps: readonly IR.Pipeline[]) => ps.map((p) => p.name).sort();
      expect(sortedNames(statics)).toEqual(sortedNames(executed.pipelines));
      for (const ir of executed.pipelines) {
        const fromStatic = statics.find((s) => s.name === ir.name);
        expect(withoutPositions(fromStatic), ir.name).toEqual(withoutPositions(ir));
      }
    });
  }
});
