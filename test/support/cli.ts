/** Runs the built `gantry` binary as a subprocess, as users and CI do. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const gantryBin = path.join(repoRoot, "dist/cli/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function gantry(args: readonly string[], cwd = repoRoot, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [gantryBin, ...args], {
    cwd,
    encoding: "utf8",
    // Hermetic: a run inside GitHub Actions would fence --check's output and name files from its workspace.
    env: { ...process.env, NO_COLOR: "1", GITHUB_ACTIONS: "", GITHUB_WORKSPACE: "", ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * For tests of files the compile cannot read: as root, only a process of another user sees
 * chmod 000. `gantry` run as nobody (through setpriv) when this runs as root; as itself otherwise;
 * undefined where neither works (no setpriv, or that user cannot read this checkout, as in a CI
 * clone under a private temporary folder). The project folder must be readable by that user.
 */
export function gantryAsOtherUser(): ((args: readonly string[], cwd: string) => CliResult) | undefined {
  const setpriv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
  const canRun = () => fs.existsSync(setpriv[0]!) && spawnSync(setpriv[0]!, [...setpriv.slice(1), process.execPath, "-e", `require("fs").accessSync(${JSON.stringify(gantryBin)}, require("fs").constants.R_OK)`]).status === 0;
  const prefix = process.getuid?.() !== 0 ? [] : canRun() ? setpriv : undefined;
  if (!prefix) return undefined;
  return (args, cwd) => {
    const [cmd, ...pre] = [...prefix, process.execPath];
    const r = spawnSync(cmd!, [...pre, gantryBin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", GITHUB_ACTIONS: "", GITHUB_WORKSPACE: "" }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

/** Temporary projects made in this test file; removed after it (test/support/temp-cleanup.ts). */
const tempProjects: string[] = [];

/** A fresh temporary directory holding the given files (paths relative to it). */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gantry-test-"));
  tempProjects.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/**
 * Removes every temporary project made so far. Tests make some files and folders unreadable
 * (chmod 000), which a non-root user cannot delete through, so permissions are restored first.
 */
export function removeTempProjects(): void {
  for (const dir of tempProjects.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      restoreAccess(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function restoreAccess(dir: string): void {
  fs.chmodSync(dir, 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) restoreAccess(path.join(dir, entry.name));
  }
}

/** Every file under a directory with its content, for before/after comparisons. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
  }
  return out;
}
