/**
 * Shrinks a crashing project found by the crash fuzzer to a small one that still shows the same
 * failure: whole files first, then lines, then tokens (greedy delta debugging).
 */
import fs from "node:fs";
import { compile } from "../../src/compile.js";
import { contractViolations, writeProject, type Mutant } from "./crash-fuzz.js";
import { tokenize } from "./mutate.js";

type Files = Record<string, string>;

/** What a project does wrong, reduced to a comparable key; undefined when it compiles within the contract. */
export async function failureKey(files: Files, options: Mutant["options"]): Promise<string | undefined> {
  const cwd = writeProject(files);
  try {
    const result = await compile({ cwd, paths: ["."], ...options });
    const violations = contractViolations(result, cwd);
    // "diagnostic without position: GANTRY1001 (no span) cannot read m0-x.ts: ..." -> kind and code.
    return violations.length > 0 ? violations.map((v) => v.replace(/^([^:]+): (GANTRY\d{4}).*$/s, "$1: $2")).sort()[0] : undefined;
  } catch (e) {
    const err = e as Error;
    const frame = (err.stack ?? "").split("\n").find((l) => /^\s+at /.test(l)) ?? "";
    return `throw ${err.name}: ${err.message.replace(/\d+/g, "N").slice(0, 80)} ${frame.replace(/:\d+:\d+\)?$/, "").trim()}`;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function shrinkList<T>(units: T[], holds: (units: T[]) => Promise<boolean>): Promise<T[]> {
  let chunk = Math.max(1, Math.floor(units.length / 2));
  for (;;) {
    for (let i = 0; i < units.length; ) {
      const candidate = [...units.slice(0, i), ...units.slice(i + chunk)];
      if (candidate.length < units.length && (await holds(candidate))) units = candidate;
      else i += chunk;
    }
    if (chunk === 1) return units;
    chunk = Math.max(1, Math.floor(chunk / 2));
  }
}

export async function minimize(files: Files, options: Mutant["options"], key?: string): Promise<{ files: Files; key: string | undefined }> {
  const target = key ?? (await failureKey(files, options));
  if (target === undefined) return { files, key: undefined };
  const holds = async (f: Files) => (await failureKey(f, options)) === target;
  // Whole files.
  let names = await shrinkList(Object.keys(files), (ns) => holds(Object.fromEntries(ns.map((n) => [n, files[n]!]))));
  let current: Files = Object.fromEntries(names.map((n) => [n, files[n]!]));
  for (const name of names) {
    // Lines, then tokens (joined by spaces, or newlines where the original had one between them).
    const lines = await shrinkList(current[name]!.split("\n"), (ls) => holds({ ...current, [name]: ls.join("\n") }));
    current = { ...current, [name]: lines.join("\n") };
    const text = current[name]!;
    const tokens = tokenize(text).map((t, i, all) => ({ text: t.text, nl: i > 0 && text.slice(all[i - 1]!.end, t.start).includes("\n") }));
    const join = (ts: typeof tokens) => ts.map((t, i) => (i === 0 ? "" : t.nl ? "\n" : " ") + t.text).join("");
    if (await holds({ ...current, [name]: join(tokens) })) {
      const kept = await shrinkList(tokens, (ts) => holds({ ...current, [name]: join(ts) }));
      current = { ...current, [name]: join(kept) };
    }
  }
  names = Object.keys(current);
  return { files: current, key: target };
}
