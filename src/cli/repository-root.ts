/**
 * Where the working directory sits in its repository, for the diagnostic formats whose readers
 * resolve paths from the repository's root: GitHub annotations (`file=`) and SARIF for code
 * scanning. Diagnostics name files relative to the working directory, which is right for people
 * and `--format json`, but a compile run in a subfolder (a monorepo package, `working-directory:`
 * in a workflow, as `gantry init` advises) would annotate files that do not exist at the root.
 */
import fs from "node:fs";
import path from "node:path";
import { contains } from "../util/within.js";

/**
 * The working directory's path from the repository root, POSIX-style ("" at the root, or outside
 * any repository): from `GITHUB_WORKSPACE` when the working directory is inside it (GitHub
 * Actions' checkout), else from the nearest folder above it holding `.git` (a folder, or the file
 * of a worktree or submodule).
 */
export function repositoryPrefix(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const here = real(cwd);
  const workspace = env.GITHUB_WORKSPACE ? real(env.GITHUB_WORKSPACE) : undefined;
  const root = workspace !== undefined && contains(workspace, here) ? workspace : gitRoot(here);
  return root === undefined ? "" : path.relative(root, here).split(path.sep).join("/");
}

function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Its real path, so a symbolic link on the way (a checkout under a linked folder) cannot make `..` of it. */
function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}
