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
 * gone, or once it is older than any write takes; one of another host (a container sharing the
 * folder, or a lock committed by mistake) once it has not changed for 30 s of waiting. A stale lock
 * is taken over. A folder this process cannot write is compiled against without a lock.
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
/**
 * A lock of another host (a folder shared between machines or containers) cannot be checked by its
 * process: unchanged this long while waited for, it is left over (a compile writes for seconds; a
 * lock committed by mistake has the checkout's time, so its age says nothing).
 */
const FOREIGN_UNCHANGED_MS = 30_000;
/** Breakers of stale locks take turns through this file; one older than this is a killed breaker's. */
const BREAK_STALE_MS = 10_000;
/** A lock file is written right after it is created: one still empty this long after is a writer's that died in between. */
const UNWRITTEN_MS = 5_000;

export interface LockOptions {
  /** How long to wait for another compile's lock before giving up with GANTRY5006 (default 60 s). */
  waitMs?: number;
  /** How often to look again meanwhile (default 100 ms). */
  pollMs?: number;
  /** How long another host's lock must stay unchanged, while waited for, to count as left over (default 30 s). */
  foreignMs?: number;
  /** Called once when the lock is found held, before waiting (the CLI says what it waits for). */
  onWait?: (holder: string) => void;
  /** Ends a wait for a held lock (--watch's Ctrl-C): the result is then not ok, without a diagnostic. A free lock is still taken. */
  signal?: AbortSignal;
}

/** Not ok: the lock was not taken, nothing ran; `diagnostic` says why, none when `signal` stopped the wait. */
export type LockResult<T> = { ok: true; value: T } | { ok: false; diagnostic?: Diagnostic };

/** Errors creating the lock that mean this process cannot write the folder at all. */
const READ_ONLY = new Set(["EACCES", "EPERM", "EROFS"]);

/**
 * Runs `work` holding the output directory's lock (creating the directory if need be), and releases
 * it after, also when `work` throws; `work` learns whether a stale lock was removed to take it.
 * Fails, running nothing, when the directory cannot be made or another compile holds the lock for
 * longer than `waitMs`.
 */
export async function withOutputLock<T>(outDir: string, work: (took: { brokeStale: boolean }) => T | Promise<T>, options: LockOptions = {}): Promise<LockResult<T>> {
  const { waitMs = 60_000, pollMs = 100, foreignMs = FOREIGN_UNCHANGED_MS, signal } = options;
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    return { ok: false, diagnostic: cannotWrite(outDir, e as NodeJS.ErrnoException, []) };
  }
  const file = path.join(outDir, LOCK);
  const token = `${process.pid} ${os.hostname()} ${randomBytes(8).toString("hex")}`;
  const started = Date.now();
  let brokeStale = false;
  let announced = false;
  /** A foreign lock's text and since when it has been seen unchanged. */
  let seen: { text: string; since: number } | undefined;
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
      const code = (e as NodeJS.ErrnoException).code ?? "";
      // A folder this process cannot write: a compile with nothing to change still runs (it only
      // reads), and one with changes fails to write them as it would have anyway.
      if (READ_ONLY.has(code)) return { ok: true, value: await work({ brokeStale }) };
      if (code !== "EEXIST") return { ok: false, diagnostic: cannotWrite(outDir, e as NodeJS.ErrnoException, []) };
    }
    const held = readLock(file);
    if (held === undefined) continue; // released meanwhile
    if (seen?.text !== held.text) seen = { text: held.text, since: Date.now() };
    const stale = isStale(held) || (isForeign(held.text) && Date.now() - seen.since >= foreignMs);
    if (stale && breakStale(file, held.text)) {
      brokeStale = true;
      continue;
    }
    // Held, or stale but another compile is breaking it right now: look again shortly.
    if (Date.now() - started >= waitMs) return { ok: false, diagnostic: lockedOut(outDir, held.text, waitMs) };
    // The signal ends only a wait: a free lock is taken even after it, so a write under way is finished.
    if (signal?.aborted) return { ok: false };
    if (!stale && !announced) (options.onWait?.(holderOf(held.text)), (announced = true));
    await sleep(pollMs, undefined, signal && { signal }).catch(() => undefined);
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
  // Another host's lock is reported too: what --check sees in a checkout is a committed one.
  return held !== undefined && (isStale(held) || isForeign(held.text));
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

/** The owner a lock's text names (`<pid> <host> <token>`); undefined while it is not written yet. */
function ownerOf(text: string): { pid: number; host: string } | undefined {
  const [pid, host] = text.trim().split(" ");
  return pid !== undefined && /^\d+$/.test(pid) && host !== undefined ? { pid: Number(pid), host } : undefined;
}

/** Whether a lock names another host, whose processes this one cannot see. */
function isForeign(text: string): boolean {
  const owner = ownerOf(text);
  return owner !== undefined && owner.host !== os.hostname();
}

function isStale({ text, ageMs }: HeldLock): boolean {
  const owner = ownerOf(text);
  if (owner === undefined) return ageMs > UNWRITTEN_MS;
  if (ageMs > STALE_MS) return true;
  // This process holds no lock while it asks: its own id in one is a killed process's (PID 1 in every container run).
  if (owner.host === os.hostname()) return owner.pid === process.pid || !running(owner.pid);
  return false;
}

/**
 * Removes a stale lock, unless another compile replaced it since it was read. Breakers take turns
 * through `<lock>.break`, created exclusively: under it the lock is read again and removed only if
 * it is still the one judged stale, so a breaker never removes (or moves away) a lock another
 * compile has just taken. True when it removed the stale one.
 */
function breakStale(file: string, staleText: string): boolean {
  const turn = `${file}.break`;
  try {
    fs.closeSync(fs.openSync(turn, "wx"));
  } catch {
    // Another breaker's turn; one left by a breaker killed in it is removed once old.
    const age = Date.now() - (fs.statSync(turn, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > BREAK_STALE_MS) fs.rmSync(turn, { force: true });
    return false;
  }
  try {
    if (readLock(file)?.text !== staleText) return false;
    fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(turn, { force: true });
  }
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
  const owner = ownerOf(text);
  return owner ? `process ${owner.pid} on ${owner.host}` : "another process";
}

function lockedOut(outDir: string, text: string, waitMs: number): Diagnostic {
  return {
    code: "GANTRY5006",
    severity: "error",
    message: `another gantry compile (${holderOf(text)}) is writing to ${outDir}; gave up after waiting ${Math.round(waitMs / 1000)} s`,
    hint: `Compile again once it is done. If no compile is running there, remove ${path.join(outDir, LOCK)}. No file was changed.`,
  };
}
