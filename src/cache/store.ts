/**
 * The cache folder: one folder per generation (generation.ts), one gzipped JSON record per entry
 * file in it (`zcat` shows one). Compressed, a record is about a sixteenth of its manifests' size:
 * what a CI cache uploads and downloads. Records are written to a temporary name and renamed, so a reader (another
 * compile at the same time) sees a whole record or none. Only the folders Gantry made there are
 * ever deleted.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fsFailure } from "../util/fs-errors.js";
import { parseRecord, type EntryRecord } from "./record.js";

/**
 * A record's temporary file older than this was left by a compile that was killed between its
 * write and its rename (a write takes milliseconds), and is removed; a younger one may be another
 * compile's, still being written.
 */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;
const TEMPORARY = /\.tmp$/;
/** Generations kept besides the current one: a repository compiled for two targets, or by two Gantry versions, keeps both warm. */
const KEEP_GENERATIONS = 4;
const GENERATION = /^gen-[0-9a-f]{24}$/;
/**
 * A record not used (written, or read by a compile that reused it) for this long is removed when its
 * generation is opened: one of an entry renamed or deleted would stay forever (cache review finding).
 */
const STALE_RECORD_MS = 30 * 24 * 60 * 60 * 1000;
/** The Cache Directory Tagging Specification's tag: backup tools skip a folder holding it. */
const TAG = "CACHEDIR.TAG";
const TAG_TEXT = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache tag created by gantry compile --cache.\n# For information about cache directory tags see https://bford.info/cachedir/\n";

export class CacheStore {
  private writes = 0;

  private constructor(
    private readonly folder: string,
    /** The records there when the store was opened: a compile reads no other (the rest would be misses, each a failed open). */
    private readonly present: ReadonlySet<string>,
  ) {}

  /**
   * The store of `generation` under `dir`, created if missing; older generations beyond the few kept
   * are removed. A problem (not a folder, not writable) is returned, to be reported, not thrown.
   */
  static open(dir: string, generation: string): CacheStore | { problem: string } {
    const folder = path.join(dir, generation);
    try {
      // Only a folder Gantry makes is tagged: `--cache-location .` must not hide a project from backups.
      const made = fs.mkdirSync(dir, { recursive: true }) !== undefined;
      if (made) fs.writeFileSync(path.join(dir, TAG), TAG_TEXT);
      fs.mkdirSync(folder, { recursive: true });
      try {
        const now = new Date();
        fs.utimesSync(folder, now, now); // most recently used: kept by the next prune
        prune(dir, generation);
      } catch {
        // A cache restored read-only is still read; its writes fail, and say so.
      }
      const names = fs.readdirSync(folder);
      removeOlder(folder, names.filter((name) => TEMPORARY.test(name)), ABANDONED_AFTER_MS);
      const records = names.filter((name) => !TEMPORARY.test(name));
      const removed = removeOlder(folder, records, STALE_RECORD_MS);
      return new CacheStore(folder, new Set(records.filter((name) => !removed.has(name))));
    } catch (e) {
      return { problem: describe(e) };
    }
  }

  /** The record of `entry` (relative to cwd), if there is a readable, well-formed one. */
  read(entry: string): EntryRecord | undefined {
    const name = this.name(entry);
    if (!this.present.has(name)) return undefined;
    let text: string;
    try {
      text = zlib.gunzipSync(fs.readFileSync(path.join(this.folder, name))).toString("utf8");
    } catch {
      return undefined; // none yet, or unreadable, or damaged (gzip checks its CRC)
    }
    const record = parseRecord(text);
    if (record?.entry !== entry) return undefined;
    try {
      const now = new Date();
      fs.utimesSync(path.join(this.folder, name), now, now); // used: not stale (STALE_RECORD_MS)
    } catch {
      // A cache restored read-only: its records age, and are read all the same.
    }
    return record;
  }

  /** Stores the record of `entry`; a problem is returned, to be reported, not thrown. */
  write(entry: string, record: EntryRecord): string | undefined {
    const file = path.join(this.folder, this.name(entry));
    const temporary = `${file}.${process.pid}.${this.writes++}.tmp`;
    try {
      // Level 1: most of the size gone (the manifests repeat themselves) for a fraction of the time of the default.
      fs.writeFileSync(temporary, zlib.gzipSync(JSON.stringify(record), { level: 1 }));
      fs.renameSync(temporary, file);
      return undefined;
    } catch (e) {
      fs.rmSync(temporary, { force: true });
      return describe(e);
    }
  }

  private name(entry: string): string {
    return `${crypto.createHash("sha256").update(entry).digest("hex").slice(0, 32)}.json.gz`;
  }
}

/**
 * Removes the generations least recently used beyond KEEP_GENERATIONS (never `current`, never
 * anything else), but none used within ABANDONED_AFTER_MS: compiles with other options may be
 * writing to them now (cache review finding: eight at once removed each other's folders).
 */
function prune(dir: string, current: string): void {
  const busy = Date.now() - ABANDONED_AFTER_MS;
  const generations = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && GENERATION.test(d.name) && d.name !== current)
    .map((d) => ({ name: d.name, used: fs.statSync(path.join(dir, d.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of generations.slice(KEEP_GENERATIONS)) if (old.used < busy) fs.rmSync(path.join(dir, old.name), { recursive: true, force: true });
}

/**
 * Removes the files among `names` not modified for `ageMs` (temporary files of killed compiles,
 * stale records); one that cannot be removed (a read-only cache) is left. Returns those removed.
 */
function removeOlder(folder: string, names: readonly string[], ageMs: number): Set<string> {
  const before = Date.now() - ageMs;
  const removed = new Set<string>();
  for (const name of names) {
    const file = path.join(folder, name);
    try {
      if (fs.statSync(file).mtimeMs < before) (fs.rmSync(file, { force: true }), removed.add(name));
    } catch {
      // Gone already (another compile removed it), or not ours to remove.
    }
  }
  return removed;
}

/** An error as a reason: no stack, and no path (Node's messages name temporary files by absolute path). */
function describe(e: unknown): string {
  // Writes: a file or folder where the cache needs the other is "in the way".
  return fsFailure(e, "writing", { ENOTDIR: "a file is in the way", EEXIST: "a file is in the way", EISDIR: "a folder is in the way", ENOTEMPTY: "a folder is in the way" });
}
