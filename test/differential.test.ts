/**
 * Static analysis and execution agree: for every example, the IR built from reading the module
 * equals the IR built from running it (source positions aside, which only reading knows).
 */
import { describe, expect, it } from "vitest";
import { PipelineDefinition } from "../src/dsl/pipeline.js";
import { noLocations, validate } from "../src/phases/3-validate/index.js";
import { pipelineHash } from "../src/phases/4-lower/index.js";
import type * as IR from "../src/ir/index.js";
import { repoRoot } from "./support/cli.js";
import { compileExamples, exampleFiles } from "./support/examples.js";
import path from "node:path";

const withoutPositions = (p: IR.Pipeline) => ({
  ...p,
  source: { ...p.source, line: 0, column: 0 },
  tasks: p.tasks.map((t) => ({ ...t, source: { ...t.source, line: 0, column: 0 } })),
});

describe("static analysis agrees with execution", async () => {
  const statics = new Map((await compileExamples()).pipelines.map((p) => [p.name, p.ir]));
  for (const file of exampleFiles()) {
    const rel = path.relative(repoRoot, file);
    it(rel, async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const definitions = Object.values(mod).flat().filter((v): v is PipelineDefinition => v instanceof PipelineDefinition);
      expect(definitions.length).toBeGreaterThan(0);
      const executed = validate(definitions.map((definition) => ({ definition, file: rel, locator: noLocations })));
      expect(executed.diagnostics).toEqual([]);
      for (const ir of executed.pipelines) {
        const fromStatic = statics.get(ir.name);
        expect(fromStatic, `static analysis found ${ir.name}`).toBeDefined();
        expect(withoutPositions(fromStatic!)).toEqual(withoutPositions(ir));
        // The content hash annotation leaves positions out, so it is the same both ways.
        expect(pipelineHash(fromStatic!)).toBe(pipelineHash(ir));
      }
    });
  }
});
