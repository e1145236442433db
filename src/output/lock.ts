/**
 * One writer at a time per output directory. A compile surveys the directory (what is there, what
 * the kustomization must keep listing, what to remove), then writes: two compiles into one directory
 * at once (a `--watch` and a pre-commit hook's compile; `make -j` over parts of a project) each
 * plan from what was there before the other wrote, and the later write silently drops the earlier
 * one's manifest from kustomization.yaml, or removes it as stale. So a compile holds
 * `<out>/.gantry.lock` from its survey to the end of its write, and one that finds it held waits.
 *
 * The lock is a file created exclusively, holding its owner's process id, host and a random token.
 * A lock left by a compile killed outright (SIGKILL, a lost machine) is stale when its process is
 * gone, or, for a process this host cannot see (another container sharing the folder), once it is
 * older than any write takes; a stale lock is taken over, never waited for.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Diagnostic } from "../diagnostics/index.js";
import { cannotWrite, running } from "./write.js";

export const LOCK = ".gantry.lock";

/** A write holds the lock for seconds; one older than this is left over, whoever it names. */
const STALE_MS = 10 * 60 * 1000;
/** A lock file is written right after it is created: one still empty this long after is a writer's that died in between. */
const UNWRITTEN_MS = 5_000;

export interface LockOptions {
  /** How long to wait for another compile's lock before giving up with GANTRY5006 (default 60 s). */
  waitMs?: number;
  /** How often to look again meanwhile (default 100 ms). */
  pollMs?: number;
  /** Called once when the lock is found held, before waiting (the CLI says what it waits for). */
  onWait?: (holder: string) => void;
}

export type LockResult<T> = { ok: true; value: T } | { ok: false; diagnostic: Diagnostic };

/**
 * Runs `work` holding the output directory's lock (creating the directory if need be), and releases
 * it after, also when `work` throws; `work` learns whether a stale lock was removed to take it.
 * Fails, running nothing, when the directory cannot be made or another compile holds the lock for
 * longer than `waitMs`.
 */
export async function withOutputLock<T>(outDir: string, work: (took: { brokeStale: boolean }) => T | Promise<T>, options: LockOptions = {}): Promise<LockResult<T>> {
  const { waitMs = 60_000, pollMs = 100 } = options;
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    return { ok: false, diagnostic: cannotWrite(outDir, e as NodeJS.ErrnoException, []) };
  }
  const file = path.join(outDir, LOCK);
  const token = `${process.pid} ${os.hostname()} ${randomBytes(8).toString("hex")}`;
  const deadline = Date.now() + waitMs;
  let brokeStale = false;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, "wx");
      try {
        fs.writeFileSync(fd, `${token}\n`);
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") return { ok: false, diagnostic: cannotWrite(outDir, e as NodeJS.ErrnoException, []) };
    }
    const held = readLock(file);
    if (held === undefined) continue; // released meanwhile
    if (isStale(held)) {
      brokeStale = breakStale(file, held.text) || brokeStale;
      continue;
    }
    if (Date.now() >= deadline) return { ok: false, diagnostic: lockedOut(outDir, held.text, waitMs) };
    if (!announced) (options.onWait?.(holderOf(held.text)), (announced = true));
    await sleep(pollMs);
  }
  try {
    return { ok: true, value: await work({ brokeStale }) };
  } finally {
    release(file, token);
  }
}

/**
 * Whether `<out>/.gantry.lock` is there and left over (its compile was killed): the next compile
 * into the folder removes it, and `--check` reports it, since it would be committed with the
 * manifests. A live lock (a compile writing right now) is not left over.
 */
export function staleLock(outDir: string): boolean {
  const held = readLock(path.join(outDir, LOCK));
  return held !== undefined && isStale(held);
}

interface HeldLock {
  text: string;
  ageMs: number;
}

function readLock(file: string): HeldLock | undefined {
  try {
    const { mtimeMs } = fs.statSync(file);
    return { text: fs.readFileSync(file, "utf8"), ageMs: Date.now() - mtimeMs };
  } catch {
    return undefined;
  }
}

function isStale({ text, ageMs }: HeldLock): boolean {
  const [pid, host] = text.trim().split(" ");
  if (pid === undefined || !/^\d+$/.test(pid) || host === undefined) return ageMs > UNWRITTEN_MS;
  if (ageMs > STALE_MS) return true;
  // This process holds no lock while it asks: its own id in one is a killed process's (PID 1 in every container run).
  if (host === os.hostname()) return Number(pid) === process.pid || !running(Number(pid));
  return false;
}

/**
 * Removes a stale lock, unless another compile replaced it since it was read: it is moved aside
 * first (one of several compiles doing this at once wins the move), then its text compared with
 * what was judged stale, and a live one moved back. True when it removed the stale one.
 */
function breakStale(file: string, staleText: string): boolean {
  const aside = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false; // gone already: another compile took it over
  }
  let removed = false;
  try {
    if (fs.readFileSync(aside, "utf8") === staleText) removed = true;
    // A fresh lock taken by mistake goes back, unless yet another compile holds the name by now.
    else fs.linkSync(aside, file);
  } catch {
    // Someone else holds the lock now; theirs stands.
  } finally {
    fs.rmSync(aside, { force: true });
  }
  return removed;
}

function release(file: string, token: string): void {
  try {
    if (fs.readFileSync(file, "utf8") === `${token}\n`) fs.rmSync(file, { force: true });
  } catch {
    // Gone (taken over after the stale limit): nothing of ours to remove.
  }
}

/** "process 1234 on build-7" from a lock's text. */
function holderOf(text: string): string {
  const [pid, host] = text.trim().split(" ");
  return pid && host ? `process ${pid} on ${host}` : "another process";
}

function lockedOut(outDir: string, text: string, waitMs: number): Diagnostic {
  return {
    code: "GANTRY5006",
    severity: "error",
    message: `another gantry compile (${holderOf(text)}) is writing to ${outDir}; gave up after waiting ${Math.round(waitMs / 1000)} s`,
    hint: `Compile again once it is done. If no compile is running there, remove ${path.join(outDir, LOCK)}. No file was changed.`,
  };
}
