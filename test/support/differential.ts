/**
 * Differential runs of the static evaluator: many small pipeline modules in one temporary project,
 * compiled statically in one `compile()` call, then each imported for real. Task "t"'s `args` must
 * agree exactly, or the static side must have rejected the module with a coded diagnostic.
 */
import path from "node:path";
import { compile } from "../../src/compile.js";
import { PipelineDefinition } from "../../src/dsl/pipeline.js";
import { tempProject } from "./cli.js";

/** A program: top-level declarations, statements at the start of the pipeline body, and the args expression. */
export interface Program {
  prelude: string;
  body: string;
  args: string;
}

export type Outcome =
  /** Both sides computed the same args. */
  | { kind: "match" }
  /** The static evaluator reported errors (fine: outside the subset, or the code fails when run). */
  | { kind: "rejected"; codes: string[]; messages: string[]; jsThrew: string | undefined }
  /** Both computed args, and they differ. */
  | { kind: "mismatch"; static: unknown; js: unknown }
  /** The static side computed args without a diagnostic; running the module throws. */
  | { kind: "js-throws"; static: unknown; error: string }
  /** compile() threw, or reported an internal error. */
  | { kind: "crash"; error: string };

export const moduleSource = (p: Program, name: string): string =>
  `import { pipeline } from "gantry";\n${p.prelude}\nexport default pipeline(${JSON.stringify(name)}, {}, (p) => {\n${p.body}\n  p.task("t", { image: "busybox", args: ${p.args} });\n});\n`;

const fileName = (i: number) => `p${String(i).padStart(5, "0")}.ts`;
const pipelineName = (i: number) => `p${i}`;

async function staticArgs(programs: readonly Program[]): Promise<{ crash?: string; perFile: Map<string, { args?: unknown; errors: { code: string; message: string }[] }>; cwd: string }> {
  const files: Record<string, string> = {};
  programs.forEach((p, i) => (files[fileName(i)] = moduleSource(p, pipelineName(i))));
  const cwd = tempProject(files);
  const perFile = new Map<string, { args?: unknown; errors: { code: string; message: string }[] }>();
  for (let i = 0; i < programs.length; i++) perFile.set(fileName(i), { errors: [] });
  let result;
  try {
    result = await compile({ cwd, paths: ["."], target: "argo", kind: "auto" });
  } catch (e) {
    return { crash: e instanceof Error ? (e.stack ?? e.message) : String(e), perFile, cwd };
  }
  for (const d of result.diagnostics) {
    if (d.severity !== "error") continue;
    const file = d.span?.file;
    const entry = file && perFile.get(file);
    if (!entry) return { crash: `diagnostic without a program's file: ${d.code} ${d.message}`, perFile, cwd };
    entry.errors.push({ code: d.code, message: d.message });
  }
  for (const c of result.pipelines) {
    const i = Number(c.name.slice(1));
    const t = c.ir.tasks.find((x) => x.name === "t");
    perFile.get(fileName(i))!.args = t?.args;
  }
  return { perFile, cwd };
}

async function executedArgs(file: string): Promise<{ args?: unknown; error?: string }> {
  try {
    const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    const definition = Object.values(mod).find((v) => v instanceof PipelineDefinition) as PipelineDefinition;
    const t = definition.tasks.find((x) => x.handle.name === "t");
    return { args: (t?.spec as { args?: unknown } | undefined)?.args };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

const isInternal = (code: string, message: string) => !/^GANTRY\d{4}$/.test(code) || /internal error/i.test(message);

function sameArgs(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return Object.is(a, b);
  return a.every((x, i) => Object.is(x, b[i]));
}

/** Runs every program both ways; a compile that throws is retried program by program to blame one. */
export async function runDifferential(programs: readonly Program[]): Promise<Outcome[]> {
  const { crash, perFile, cwd } = await staticArgs(programs);
  if (crash !== undefined) {
    if (programs.length === 1) return [{ kind: "crash", error: crash }];
    const mid = Math.ceil(programs.length / 2);
    return [...(await runDifferential(programs.slice(0, mid))), ...(await runDifferential(programs.slice(mid)))];
  }
  const outcomes: Outcome[] = [];
  for (let i = 0; i < programs.length; i++) {
    const s = perFile.get(fileName(i))!;
    const internal = s.errors.find((e) => isInternal(e.code, e.message));
    if (internal) {
      outcomes.push({ kind: "crash", error: `${internal.code} ${internal.message}` });
      continue;
    }
    const js = await executedArgs(path.join(cwd, fileName(i)));
    if (s.errors.length > 0) {
      outcomes.push({ kind: "rejected", codes: s.errors.map((e) => e.code), messages: s.errors.map((e) => `${e.code} ${e.message}`), jsThrew: js.error });
    } else if (js.error !== undefined) outcomes.push({ kind: "js-throws", static: s.args, error: js.error });
    else if (!sameArgs(s.args, js.args)) outcomes.push({ kind: "mismatch", static: s.args, js: js.args });
    else outcomes.push({ kind: "match" });
  }
  return outcomes;
}
