/**
 * One entry file's compile, as the cache keeps it: the batch (src/batch.ts) with every path made
 * relative to cwd, so a project may move, and the state of every file it depends on. Records are
 * checked with a schema when read: a damaged or foreign file is a cache miss, never a wrong result.
 */
import path from "node:path";
import { z } from "zod";
import type { Batch, Claim } from "../batch.js";
import type { CompiledPipeline } from "../compile.js";
import { isDiagnosticCode, type DiagnosticCode } from "../diagnostics/index.js";
import type * as IR from "../ir/index.js";
import type { FileState } from "./file-states.js";
import { isWithin } from "../util/within.js";

const span = z.object({ file: z.string(), line: z.number(), column: z.number(), endLine: z.number().optional(), endColumn: z.number().optional() });

const diagnostic = z.object({
  code: z.custom<DiagnosticCode>((v) => typeof v === "string" && isDiagnosticCode(v)),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  span: span.optional(),
  hint: z.string().optional(),
  calledFrom: z.array(span).optional(),
});

const pipeline = z.object({ name: z.string(), source: z.string(), line: z.number(), file: z.string(), yaml: z.string(), metadata: z.string().optional(), ir: z.unknown().optional() });

const recordSchema = z.object({
  /** The entry, relative to cwd: a record found under another entry's name (a hash collision) is not its. */
  entry: z.string(),
  /** Every file the compile read or looked for in vain, relative to cwd, and its state then. */
  deps: z.array(z.tuple([z.string(), z.string()])),
  /**
   * The absolute cwd, only when some dependency lies outside it: which folders above a file are
   * searched (for a tsconfig.json, say) depends on where the project is, so such a record holds only there.
   */
  root: z.string().optional(),
  /** The files whose texts code frames need (the modules among deps). */
  sources: z.array(z.string()),
  claims: z.array(
    z.object({ name: z.string(), id: z.string().optional(), where: z.string(), span: span.optional(), pipeline: pipeline.optional(), objects: z.array(z.string()).optional(), diagnostics: z.array(diagnostic) }),
  ),
  validations: z.array(z.object({ id: z.string().optional(), diagnostics: z.array(diagnostic) })),
  diagnostics: z.array(diagnostic),
  /** The import graph: [module, [[imported module, where], ...]]. */
  imports: z.array(z.tuple([z.string(), z.array(z.tuple([z.string(), span]))])),
});

export type EntryRecord = z.infer<typeof recordSchema>;

/** A record read back from JSON text; undefined if it is not one (damaged, truncated, of another layout). */
export function parseRecord(text: string): EntryRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The record of `entry`'s batch: `deps` holds the state of each of `batch.loadedFiles`, relative to
 * cwd; the IR is kept when the compile keeps it (`keepIr` is part of the generation).
 */
export function toRecord({ entry, batch, deps, cwd, relative, keepIr }: { entry: string; batch: Batch; deps: [string, FileState][]; cwd: string; relative: (file: string) => string; keepIr: boolean }): EntryRecord {
  const outside = deps.some(([file]) => !isWithin(file));
  // A message that quotes an absolute path (TypeScript's "Cannot read file '/abs/...'") holds only here too.
  const absolute = outside || mentions(path.resolve(cwd), batch);
  return {
    entry,
    deps,
    ...(absolute && { root: path.resolve(cwd) }),
    sources: [...batch.sources.keys()],
    claims: batch.claims.map(({ pipeline, ...claim }) => ({ ...claim, ...(pipeline && { pipeline: pipelineFields(pipeline, keepIr) }) })),
    validations: batch.validations,
    diagnostics: batch.diagnostics,
    imports: [...batch.imports].map(([file, edges]) => [relative(file), [...edges].map(([target, at]) => [relative(target), at])]),
  };
}

/** Whether any diagnostic of `batch` quotes `text`. */
function mentions(text: string, batch: Batch): boolean {
  const all = [...batch.diagnostics, ...batch.validations.flatMap((v) => v.diagnostics), ...batch.claims.flatMap((c) => c.diagnostics)];
  return all.some((d) => `${d.message}\n${d.hint ?? ""}`.includes(text));
}

/** What a cached pipeline keeps: `ir` only when the compile keeps it (`keepIr` is part of the cache generation). */
function pipelineFields(p: CompiledPipeline, keepIr: boolean): z.infer<typeof pipeline> {
  return { name: p.name, source: p.source, line: p.line, file: p.file, yaml: p.yaml, ...(p.metadata !== undefined && { metadata: p.metadata }), ...(keepIr && { ir: p.ir }) };
}

/**
 * The batch a record holds, paths made absolute again under `cwd`. `text` gives the current text of
 * a source (equal to the recorded one, whose hash matched); `revive` makes the caller's pipeline objects.
 */
export function fromRecord(record: EntryRecord, cwd: string, text: (file: string) => string | undefined, revive: (p: Omit<CompiledPipeline, "objects" | "ir">, ir: IR.Pipeline | undefined) => CompiledPipeline): Batch {
  const absolute = (file: string) => path.resolve(cwd, file);
  const sources = new Map<string, string>();
  for (const file of record.sources) {
    const t = text(absolute(file));
    if (t !== undefined) sources.set(file, t);
  }
  const claims: Claim[] = record.claims.map(({ pipeline, ...claim }) => {
    if (!pipeline) return claim;
    // The IR is as the compile that wrote the record made it: plain JSON data (test/ir-contract.test.ts).
    const { ir, ...fields } = pipeline;
    return { ...claim, pipeline: revive(fields, ir as IR.Pipeline | undefined) };
  });
  return {
    claims,
    validations: record.validations,
    diagnostics: record.diagnostics,
    sources,
    loadedFiles: record.deps.map(([file]) => absolute(file)),
    imports: new Map(record.imports.map(([file, edges]) => [absolute(file), new Map(edges.map(([target, at]) => [absolute(target), at]))])),
  };
}
