/**
 * What `gantry compile --watch` watches: every folder under the input folders, and the folder of
 * each input file and of every file the pipelines depend on outside them (a shared `lib/` beside `pipelines/`, a tsconfig.json,
 * a module an import looked for in vain). A path that does not exist yet is watched through its
 * nearest existing folder, so creating it (or a folder on the way) is seen. A dependency that is a
 * symbolic link to a file is also watched by its real file's folder: editing it changes that file;
 * and a link on the way to an input or dependency by the folder holding it: retargeting it changes
 * what the path names.
 *
 * Each folder is watched on its own, never with `recursive: true`: on Linux, Node 20 emulates that
 * with a watch per file, which loses a file for good once an editor saves it by renaming a
 * temporary file over it. A folder's own watch sees that rename.
 */
import fs from "node:fs";
import path from "node:path";
import { globSync, isDynamicPattern } from "tinyglobby";

export interface WatchPlan {
  /** The input folders and every folder under them that a compile looks in for sources. */
  tree: string[];
  /** Other folders, watched for the dependencies among their entries. */
  flat: string[];
  /** Paths whose events matter besides sources in `tree` folders: dependencies, missing inputs, and the folders on their way. */
  relevant: Set<string>;
  /**
   * The real file behind each dependency that is a symbolic link, and the paths the compile reads it
   * by: an edit changes the real file, whose folder is watched, not the link's.
   */
  aliases: Map<string, string[]>;
}

/** Folders the compile never looks in for sources (`expandPaths` ignores them), so neither does the watch. */
export const skippedFolder = (name: string) => name === "node_modules" || name.startsWith(".");

/** The plan for input `paths` (relative to `cwd`, globs allowed) and the absolute `dependencies` of the last compile. */
export function watchPlan(cwd: string, paths: readonly string[], dependencies: Iterable<string>): WatchPlan {
  const roots = new Set<string>();
  /** Files named, and paths that do not exist yet: watched through their folder. */
  const missing: string[] = [];
  for (const p of paths) {
    const base = path.resolve(cwd, staticBase(p));
    const kind = statKind(base);
    if (kind === "dir") roots.add(base);
    // A file, as a dependency is: its folder, for its own events (not every folder under that one).
    else missing.push(base);
  }
  const tree = new Set<string>();
  for (const root of roots) {
    tree.add(root);
    // Symbolic links are not followed (the compile follows them): a file added under a linked
    // folder is seen at the next change elsewhere. Following them would need each folder once by
    // its real path, and events mapped back to the paths the compile uses.
    const below = globSync("**", { cwd: root, onlyDirectories: true, followSymbolicLinks: false, ignore: ["**/node_modules/**"] });
    // (Dot folders are skipped by default, as in `expandPaths`.)
    for (const d of below) tree.add(path.join(root, d.replace(/\/$/, "")));
  }
  const flat = new Set<string>();
  const relevant = new Set<string>();
  const aliases = new Map<string, string[]>();
  const targets = [...missing, ...dependencies];
  for (const link of targets) {
    const real = linkTarget(link);
    if (real === undefined) continue;
    aliases.set(real, [...(aliases.get(real) ?? []), link]);
    targets.push(real);
  }
  // A link on the way to an input or a dependency (`pipelines -> envs/prod`, `lib -> v1`), inside the
  // project: retargeted, it names other files, an event seen only in the folder that holds the link.
  const isLink = new Map<string, boolean>(); // folders are shared by many dependencies: one lstat each
  for (const target of [...roots, ...targets]) {
    for (const link of linksOnTheWay(cwd, target, isLink)) {
      relevant.add(link);
      if (!tree.has(path.dirname(link))) flat.add(path.dirname(link));
    }
  }
  for (const target of targets) {
    // The target, and every folder on its way that a creation could be reported for.
    for (let p = target; !relevant.has(p); p = path.dirname(p)) {
      relevant.add(p);
      if (p !== target && statKind(p) === "dir") {
        if (!tree.has(p)) flat.add(p);
        break;
      }
      if (path.dirname(p) === p) break;
    }
  }
  return { tree: [...tree].sort(), flat: [...flat].sort(), relevant, aliases };
}

/** The symbolic links among `p` and the folders above it, below `cwd` (`known`: answers so far). */
function linksOnTheWay(cwd: string, p: string, known: Map<string, boolean>): string[] {
  const links: string[] = [];
  for (let at = p; at.startsWith(cwd + path.sep); at = path.dirname(at)) {
    let link = known.get(at);
    if (link === undefined) {
      try {
        link = fs.lstatSync(at).isSymbolicLink();
      } catch {
        link = false; // not there (yet), or under a file: nothing to follow
      }
      known.set(at, link);
    }
    if (link) links.push(at);
  }
  return links;
}

/** The real path behind `p` when `p` itself is a symbolic link (to anything that exists), else undefined. */
function linkTarget(p: string): string | undefined {
  try {
    return fs.lstatSync(p).isSymbolicLink() ? fs.realpathSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/** The part of a path or glob before its first pattern segment: `teams` of `teams/*\/flows/**\/*.ts`. */
function staticBase(p: string): string {
  if (!isDynamicPattern(p)) return p;
  const segments = p.split("/");
  const stop = segments.findIndex((s) => isDynamicPattern(s));
  return segments.slice(0, stop).join("/") || ".";
}

/** What is at a path: a folder, something else, or nothing. */
export function statKind(p: string): "dir" | "file" | undefined {
  try {
    const stat = fs.statSync(p);
    return stat.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}
