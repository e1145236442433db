/**
 * Writes compiled files so that a failure changes nothing: everything goes to temporary files in the
 * output directory first, and only when all are written are they renamed over their targets.
 *
 * Synchronous on purpose: a compile writes up to thousands of small files one after the other with
 * nothing else to do meanwhile, and each asynchronous call is a thread-pool round trip (about 1.4 s
 * of waiting for the 1,001 files of 1,000 pipelines; the synchronous calls take a fraction of that).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../diagnostics/index.js";
import { isGenerated, readHead } from "./ownership.js";

export interface OutputFile {
  /** Path relative to the output directory. */
  path: string;
  content: string;
}

export interface WriteReport {
  /** Files replaced or created, also when a later step failed (then the diagnostic says so). */
  written: string[];
  /** Files removed, likewise. */
  removed: string[];
  /** Temporary files a killed compile had left, removed first (`leftoverTemporaries`). */
  cleaned: string[];
  diagnostics: Diagnostic[];
}

/**
 * Writes `files` and then deletes `remove` (paths relative to `outDir`, generated files no pipeline
 * produces any more). Deletions happen only after every write succeeded. The caller passes only the
 * files that differ from what is on disk (`planOutput` in ./ownership.ts decides that).
 *
 * On a failure, `written` and `removed` still list what was done before it: all-or-nothing holds
 * while staging (the usual failures: a full disk, a read-only or missing directory), but a rename
 * can fail after others succeeded (a target made immutable, a folder where a file was), and the
 * report must then say which files already changed.
 */
export function writeAtomically(outDir: string, files: readonly OutputFile[], remove: readonly string[] = []): WriteReport {
  const report: WriteReport = { written: [], removed: [], cleaned: [], diagnostics: [] };
  const staged: { tmp: string; target: string; path: string }[] = [];
  const made = new Set<string>();
  for (const name of leftoverTemporaries(outDir)) if (removeQuietly(path.join(outDir, name))) report.cleaned.push(name);
  // Unique per call: a process id alone repeats (PID 1 in every container run).
  const stage = `${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    for (const file of files) {
      const target = path.join(outDir, file.path);
      const dir = path.dirname(target);
      if (!made.has(dir)) (fs.mkdirSync(dir, { recursive: true }), made.add(dir));
      const tmp = path.join(dir, `.${path.basename(target)}.${stage}.tmp`);
      // Created exclusively before it is staged: a failure removes only files this call made,
      // including a half-written one, never someone else's file of the same name.
      const fd = fs.openSync(tmp, "wx");
      staged.push({ tmp, target, path: file.path });
      try {
        fs.writeFileSync(fd, file.content);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const s of staged) {
      fs.renameSync(s.tmp, s.target);
      report.written.push(s.path);
    }
    for (const p of remove) {
      fs.rmSync(path.join(outDir, p), { force: true });
      report.removed.push(p);
    }
  } catch (e) {
    for (const s of staged) removeQuietly(s.tmp);
    report.diagnostics.push(cannotWrite(outDir, e as NodeJS.ErrnoException, [...report.written, ...report.removed.map((p) => `${p} (removed)`)]));
  }
  return report;
}

/** A temporary file of this writer for one of the files Gantry writes: `.<name>.<pid>-<8 hex>.tmp` (or `.<name>.<pid>.tmp`, as earlier versions named them). */
const TEMPORARY = /^\..+\.(yaml|json|md)\.(\d+)(-[0-9a-f]{8})?\.tmp$/;
/** Staging takes seconds; a temporary file this old is left over whatever process id it names (PID 1 in every container). */
const STALE_MS = 60 * 60 * 1000;

/**
 * GANTRY5001 for a failed write. `done` names what was already changed (a removed file as
 * "<name> (removed)"): renames within one directory only fail in extraordinary cases; say so honestly.
 */
export function cannotWrite(outDir: string, err: NodeJS.ErrnoException, done: readonly string[]): Diagnostic {
  return {
    code: "GANTRY5001",
    severity: "error",
    // Node's message starts with the code already ("EACCES: permission denied, mkdir ...").
    message: `cannot write to ${outDir}: ${err.code && !err.message.startsWith(err.code) ? `${err.code} ` : ""}${err.message}`.replace(/\s+/g, " "),
    hint:
      done.length === 0
        ? "Check that the output directory is writable. No file was changed."
        : `Check that the output directory and its files are writable, then compile again. ${done.length === 1 ? "1 file was" : `${done.length} files were`} already changed: ${done.join(", ")}.`,
  };
}

/**
 * Temporary files a compile killed while writing left in `outDir` (they would be committed with
 * the manifests; the next write removes them, `--check` reports them): those of a process that no
 * longer runs, or older than an hour; and only when they are empty or start with Gantry's header,
 * so a user's file of a similar name stays.
 */
export function leftoverTemporaries(outDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(outDir);
  } catch {
    return []; // not there yet, or not readable: writing will say so
  }
  const now = Date.now();
  const out: string[] = [];
  for (const name of names.sort()) {
    const pid = TEMPORARY.exec(name)?.[2];
    if (pid === undefined) continue;
    const stat = statQuietly(path.join(outDir, name));
    if (!stat?.isFile() || (running(Number(pid)) && now - stat.mtimeMs < STALE_MS)) continue;
    // Unreadable (undefined): not ours to judge.
    const head = readHead(outDir, name);
    if (head === "" || (head !== undefined && isGenerated(head))) out.push(name);
  }
  return out;
}

/** A file's status; undefined when it is gone or cannot be read (a link loop). */
function statQuietly(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** Whether a process of this id runs on this host (another user's counts). */
export function running(pid: number): boolean {
  if (pid === process.pid) return true; // this process stages nothing until this cleanup is done
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // another user's process
  }
}

/** Cleanup after a failure must not fail in turn: the diagnostic about the first problem is what counts. True when removed. */
function removeQuietly(file: string): boolean {
  try {
    fs.rmSync(file, { force: true });
    return true;
  } catch {
    // Left behind; its name (`.<name>.<pid>-<hex>.tmp`) says what it is, and the next write removes it.
    return false;
  }
}
