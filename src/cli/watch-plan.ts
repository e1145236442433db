/**
 * What `gantry compile --watch` watches: the input folders recursively, and the folder of every
 * file the pipelines depend on outside them (a shared `lib/` beside `pipelines/`, a tsconfig.json,
 * a module an import looked for in vain). A path that does not exist yet is watched through its
 * nearest existing folder, so creating it (or a folder on the way) is seen.
 */
import fs from "node:fs";
import path from "node:path";
import { isDynamicPattern } from "tinyglobby";

export interface WatchPlan {
  /** Folders watched with everything below them. */
  recursive: string[];
  /** Folders watched for their own entries only. */
  flat: string[];
  /** Paths whose events matter besides sources under `recursive`: dependencies, missing inputs, and the folders on their way. */
  relevant: Set<string>;
}

/** The plan for input `paths` (relative to `cwd`, globs allowed) and the absolute `dependencies` of the last compile. */
export function watchPlan(cwd: string, paths: readonly string[], dependencies: Iterable<string>): WatchPlan {
  const recursive = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const base = path.resolve(cwd, staticBase(p));
    const kind = statKind(base);
    if (kind === "dir") recursive.add(base);
    else if (kind === "file") recursive.add(path.dirname(base));
    else missing.push(base);
  }
  const roots = [...recursive];
  const under = (p: string) => roots.some((r) => p === r || p.startsWith(r + path.sep));
  const flat = new Set<string>();
  const relevant = new Set<string>();
  for (const target of [...missing, ...dependencies]) {
    if (under(target)) continue;
    // The target, and every folder on its way that a creation could be reported for.
    for (let p = target; !relevant.has(p); p = path.dirname(p)) {
      relevant.add(p);
      if (p !== target && statKind(p) === "dir") {
        if (!under(p)) flat.add(p);
        break;
      }
      if (path.dirname(p) === p) break;
    }
  }
  return { recursive: roots.sort(), flat: [...flat].sort(), relevant };
}

/** The part of a path or glob before its first pattern segment: `teams` of `teams/*\/flows/**\/*.ts`. */
function staticBase(p: string): string {
  if (!isDynamicPattern(p)) return p;
  const segments = p.split("/");
  const stop = segments.findIndex((s) => isDynamicPattern(s));
  return segments.slice(0, stop).join("/") || ".";
}

function statKind(p: string): "dir" | "file" | undefined {
  try {
    const stat = fs.statSync(p);
    return stat.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}
