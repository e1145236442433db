/**
 * `gantry init [dir]`: scaffolds a project from `templates/init/` (an example pipeline,
 * `gantry.config.json`, a vitest snapshot test over `manifests/` and a GitHub Actions workflow
 * running `gantry compile --check`). It never overwrites: if any file it would write exists, it
 * lists them and writes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { fsFailure } from "../util/fs-errors.js";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { Io } from "./compile-command.js";
import { nonEmpty } from "./non-empty.js";
import { isWithin } from "../util/within.js";

/** The scaffold, shipped as data (package.json "files": "templates"). Same relative path from src/cli and dist/cli. */
const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/init", import.meta.url));

/** Gantry is not on the public npm registry: the first step says where else it comes from. */
const NEXT_STEPS = ["npm install --save-dev vitest <gantry>", "npx gantry compile", "npx vitest run"];
const WHERE_GANTRY_COMES_FROM = [
  "<gantry> is where your team gets Gantry (it is not on the public npm registry): your own",
  "registry's `gantry`, a tarball that `npm pack` made in a Gantry checkout, or `git+<its repository URL>`.",
];

/** Every file under `templates/init`, as POSIX paths relative to it, in a fixed (code unit) order. */
export function templateFiles(root: string = TEMPLATE_DIR): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk("");
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A path whose existence cannot be checked (permission denied, a symlink loop, a name too long). */
class Unreadable extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(fsFailure(cause, "checking it"));
  }
}

/** What already exists where a file, or a folder on the way to it, must be created; throws Unreadable. */
function conflicts(targetDir: string, files: readonly string[]): string[] {
  const found = new Set<string>();
  /** `follow`: a symlink counts as what it points to (a symlinked folder can be written into). */
  const kind = (p: string, follow: boolean): "none" | "dir" | "other" => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return "none";
      throw new Unreadable(p, e);
    }
    if (follow && st.isSymbolicLink()) {
      try {
        st = fs.statSync(p);
      } catch {
        return "other"; // a dangling symlink is still something in the way
      }
    }
    return st.isDirectory() ? "dir" : "other";
  };
  if (kind(targetDir, true) === "other") return ["."];
  for (const rel of files) {
    const parts = rel.split("/");
    // Folders on the way (followed, so a symlinked folder is fine to write into), then the file itself.
    let blocked = false;
    for (let i = 1; i < parts.length && !blocked; i++) {
      const folder = parts.slice(0, i).join("/");
      if (kind(path.join(targetDir, folder), true) === "other") {
        found.add(folder);
        blocked = true;
      }
    }
    if (!blocked && kind(path.join(targetDir, rel), false) !== "none") found.add(rel);
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Runs `gantry init`: copies every file under `templates/init` into `dir` (resolved against
 * `io.cwd`; created if missing). Returns 0 when every file was created, 1 when any of them (or a
 * file where one of its folders must go) exists, in which case nothing is written.
 */
export async function runInit(dir: string, _flags: { force?: never }, io: Io): Promise<number> {
  const targetDir = path.resolve(io.cwd, dir || ".");
  const shown = (rel: string): string => {
    const abs = rel === "." ? targetDir : path.join(targetDir, rel);
    const fromCwd = path.relative(io.cwd, abs);
    if (fromCwd === "") return ".";
    return isWithin(fromCwd) ? fromCwd.split(path.sep).join("/") : abs;
  };
  const files = templateFiles();

  let existing: string[];
  try {
    existing = conflicts(targetDir, files);
  } catch (e) {
    if (!(e instanceof Unreadable)) throw e;
    io.stderr(`cannot check ${shown(path.relative(targetDir, e.path) || ".")}: ${e.message}\nnothing was written.\n`);
    return 1;
  }
  // gantry.config.json wins over package.json's "gantry" key: writing it would silently replace that configuration.
  const configured = hasPackageConfiguration(targetDir);
  if (existing.length > 0 || configured) {
    io.stderr(
      [
        "refusing to overwrite existing files:",
        ...existing.map((rel) => `  ${shown(rel)}`),
        ...(configured ? [`  ${shown("package.json")} (its "gantry" key is a configuration, which gantry.config.json would replace)`] : []),
        "nothing was written. Move them away, or run `gantry init <dir>` to scaffold into another folder.",
        "",
      ].join("\n"),
    );
    return 1;
  }

  const created: string[] = [];
  const createdDirs: string[] = [];
  try {
    for (const rel of files) {
      const target = path.join(targetDir, rel);
      const firstNew = fs.mkdirSync(path.dirname(target), { recursive: true });
      if (firstNew !== undefined) createdDirs.push(firstNew);
      // "wx": fail rather than overwrite a file that appeared since the check.
      fs.writeFileSync(target, fs.readFileSync(path.join(TEMPLATE_DIR, rel)), { flag: "wx" });
      created.push(target);
    }
  } catch (e) {
    // Leave the folder as it was: remove what this run created, newest first.
    for (const f of created.reverse()) fs.rmSync(f, { force: true });
    for (const d of createdDirs.reverse()) fs.rmSync(d, { recursive: true, force: true });
    io.stderr(`could not write the scaffold: ${e instanceof Error ? e.message : String(e)}\nnothing was written.\n`);
    return 1;
  }

  const where = shown(".");
  const steps = where === "." ? NEXT_STEPS : [`cd ${shellWord(where)}`, ...NEXT_STEPS];
  const repository = gitRoot(targetDir);
  const workflowNote =
    repository !== undefined && repository !== targetDir
      ? [
          "",
          `GitHub runs workflows only from the repository's root (${shown(path.relative(targetDir, repository) || ".")}): move`,
          `${shown(".github/workflows/gantry.yml")} to its .github/workflows/, and in it run the steps in this folder`,
          `(\`defaults: { run: { working-directory: ${subfolder(repository, targetDir)} } }\` under \`check:\`) and point`,
          `setup-node's cache at its lock file (\`cache-dependency-path: ${subfolder(repository, targetDir)}/package-lock.json\`).`,
        ]
      : [];
  io.stdout(
    [
      `created ${files.length} files${where === "." ? "" : ` in ${where}`}:`,
      ...files.map((rel) => `  ${shown(rel)}`),
      "",
      "Next steps:",
      ...steps.map((s) => `  ${s}`),
      "",
      ...WHERE_GANTRY_COMES_FROM,
      "",
      "`gantry compile` writes manifests/; commit it with your pipelines. CI then fails when they",
      "disagree (`gantry compile --check`, and the snapshot test in test/pipelines.test.ts).",
      "Commit package.json and package-lock.json too: the workflow installs with `npm ci`.",
      "Keep node_modules/ out of git (a .gitignore line).",
      ...workflowNote,
      "",
    ].join("\n"),
  );
  return 0;
}

/** `dir` relative to the repository's root, with `/`, as a workflow names it. */
const subfolder = (repository: string, dir: string): string => path.relative(repository, dir).split(path.sep).join("/");

/** A path as one word of a POSIX shell command line: as it is when it holds nothing the shell reads, else single-quoted. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Whether `dir`'s package.json has a "gantry" key (an unreadable or malformed one is left to compile to report). */
function hasPackageConfiguration(dir: string): boolean {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8").replace(/^\uFEFF/, ""));
    return json !== null && typeof json === "object" && !Array.isArray(json) && "gantry" in json;
  } catch {
    return false;
  }
}

/** The folder holding `.git` at or above `dir` (a file, for a worktree or submodule), if any. */
function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Adds `init [dir]` to the `gantry` program; the action's exit code goes to `setExit`. */
export function registerInit(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("init")
    .description("Scaffold a project: an example pipeline, gantry.config.json, a snapshot test and a GitHub Actions workflow.")
    .argument("[dir]", "folder to scaffold into (created if missing)", nonEmpty, ".")
    .addHelpText(
      "after",
      () =>
        [
          "",
          "Files written:",
          ...templateFiles().map((rel) => `  ${rel}`),
          "",
          "Existing files are never overwritten: if any of these exists, or package.json holds a \"gantry\" configuration, init lists them and writes nothing.",
          "",
          "Exit codes: 0 created, 1 a file exists (nothing written), 2 usage error.",
        ].join("\n"),
    )
    .action(async (dir: string) => {
      setExit(await runInit(dir, {}, io));
    });
}
