/**
 * `--check` under `--format json|github|sarif`: one GANTRY5003 per output file that differs, placed
 * where a reviewer acts on it. GitHub shows an annotation, and code scanning a SARIF result, only at
 * a file and line of the repository: a manifest out of date points at the `pipeline(...)` call that
 * makes it, one that no pipeline makes any more at the manifest itself (still in the checkout;
 * unplaced when the output folder lies outside the repository, where GitHub could not show it).
 * The text format lists the files on stdout instead.
 */
import path from "node:path";
import type { CompiledPipeline } from "../compile.js";
import type { Diagnostic, Span } from "../diagnostics/index.js";
import { meaningChange } from "../output/changes.js";
import { KUSTOMIZATION } from "../output/kustomization.js";
import type { OutputChanges } from "../output/ownership.js";
import { isWithin } from "../util/within.js";

const HINT = "Run `gantry compile` and commit the result.";

/** The files `--graph` and `--metadata` write beside a pipeline's manifest `<pipeline>.yaml`. */
export const graphFile = (p: Pick<CompiledPipeline, "file">): string => p.file.replace(/\.yaml$/, ".md");
export const metadataFile = (p: Pick<CompiledPipeline, "file">): string => p.file.replace(/\.yaml$/, ".metadata.json");

/** Where each output file of a compiled pipeline comes from: its manifest, graph and metadata file. */
export function outputOrigins(pipelines: readonly CompiledPipeline[]): Map<string, CompiledPipeline> {
  const origins = new Map<string, CompiledPipeline>();
  for (const p of pipelines) for (const file of [p.file, graphFile(p), metadataFile(p)]) origins.set(file, p);
  return origins;
}

/** The flag that writes an output file beside a pipeline's manifest. */
const besideManifest = (file: string): string | undefined => (file.endsWith(".md") ? "--graph" : file.endsWith(".metadata.json") ? "--metadata" : undefined);

/**
 * A GANTRY5003 per added, changed and removed file and per leftover of an interrupted compile.
 * `out` is the output folder as given, `outDir` absolute; spans are relative to `cwd`, which is
 * `repositoryPrefix` (FormatOptions) from the repository's root.
 */
export function staleFileDiagnostics(
  changes: OutputChanges,
  leftovers: readonly string[],
  where: { out: string; outDir: string; cwd: string; repositoryPrefix?: string; origins: ReadonlyMap<string, CompiledPipeline> },
): Diagnostic[] {
  const shown = (file: string) => path.posix.join(where.out.split(path.sep).join("/"), file);
  // The file in the checkout, for one that is there (changed or removed), if in the repository.
  const inCheckout = (file: string): Span | undefined => {
    const relative = path.relative(where.cwd, path.join(where.outDir, file)).split(path.sep).join("/");
    const fromRoot = path.posix.normalize(where.repositoryPrefix ? `${where.repositoryPrefix}/${relative}` : relative);
    return !path.isAbsolute(relative) && isWithin(fromRoot) ? { file: relative, line: 1, column: 1 } : undefined;
  };
  const atPipeline = (p: CompiledPipeline): Span => ({ file: p.source, line: p.line, column: 1 });
  const stale = (message: string, span?: Span): Diagnostic => ({ code: "GANTRY5003", severity: "error", message, hint: HINT, ...(span && { span }) });
  const meaning = (file: string, before: string | undefined, after: string | undefined) =>
    file.endsWith(".yaml") && file !== KUSTOMIZATION ? meaningChange(file.replace(/\.yaml$/, ""), before, after) : undefined;
  const why = (m: string | undefined) => (m === undefined ? "" : ` (${m})`);
  return [
    ...changes.added.map((f) => {
      const origin = where.origins.get(f.path);
      return stale(`${shown(f.path)} is missing: ${origin ? `pipeline "${origin.name}" compiles to it` : "the compile writes it"}`, origin && atPipeline(origin));
    }),
    ...changes.changed.map((c) => {
      const origin = where.origins.get(c.file.path);
      return stale(`${shown(c.file.path)} is out of date${why(meaning(c.file.path, c.before, c.file.content))}`, origin ? atPipeline(origin) : inCheckout(c.file.path));
    }),
    ...changes.removed.map((r) => {
      // A graph or metadata file of a pipeline that still compiles: only its flag is off now.
      const origin = besideManifest(r.path) && where.origins.get(r.path);
      if (origin) return stale(`${shown(r.path)} is no longer written (${besideManifest(r.path)} is off)`, atPipeline(origin));
      return stale(`${shown(r.path)} is stale: no compiled pipeline makes it any more${why(meaning(r.path, r.before, undefined))}`, inCheckout(r.path));
    }),
    ...leftovers.map((name) => stale(`${shown(name)} was left over by an interrupted compile`)),
  ];
}
