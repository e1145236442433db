/**
 * What the files a compile depends on hold, as the compile cache compares them: a hash of a file's
 * text, or that nothing, a folder or something else (a FIFO, a socket) is at its path.
 */
import crypto from "node:crypto";
import fs from "node:fs";

/** A SHA-256 of the text (base64url), "absent", "folder" or "special". */
export type FileState = string;

const ABSENT = "absent";
const FOLDER = "folder";
/** Not a file nor a folder: never read (reading a FIFO would block), and nothing Gantry resolves to. */
const SPECIAL = "special";
const TIMESTAMP_MARGIN_MS = 2000;

export const hashText = (text: string): FileState => crypto.createHash("sha256").update(text, "utf8").digest("base64url");

export class FileStates {
  /** undefined: the path exists but cannot be read, a state that matches nothing. */
  private readonly states = new Map<string, FileState | undefined>();
  private readonly texts = new Map<string, string>();

  /** The state of `file` when this compile first asked (each path is read once per compile). */
  current(file: string): FileState | undefined {
    if (this.states.has(file)) return this.states.get(file);
    const state = this.read(file);
    this.states.set(file, state);
    return state;
  }

  /** The text `current` read, if the path was a readable file. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /**
   * The state of `file` now, read again: what a compile that has just read it saw, unless it
   * changed meanwhile (see `changedSince`).
   */
  now(file: string): FileState | undefined {
    return this.read(file);
  }

  /**
   * Whether `file` may have changed since `since` (ms since the epoch): what a compile that started
   * then read of it may not be what `now` reads, so that compile must not be recorded. Modified
   * times are compared with a margin for file systems that keep them in whole seconds (or two): a
   * file changed just before a compile is only recorded by the next one, as git treats racily clean files.
   */
  changedSince(file: string, since: number): boolean {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs >= since - TIMESTAMP_MARGIN_MS;
  }

  private read(file: string): FileState | undefined {
    try {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat === undefined) return ABSENT;
      if (stat.isDirectory()) return FOLDER;
      if (!stat.isFile()) return SPECIAL;
      // The text as the compile reads it (UTF-8), so a hash of the text it parsed compares equal.
      const text = fs.readFileSync(file, "utf8");
      this.texts.set(file, text);
      return hashText(text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? ABSENT : undefined;
    }
  }
}
