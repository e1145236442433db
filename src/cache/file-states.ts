/**
 * What the files a compile depends on hold, as the compile cache compares them: a hash of a file's
 * text, or that nothing, or a folder, is at its path. Each path is read at most once per compile.
 */
import crypto from "node:crypto";
import fs from "node:fs";

/** A SHA-256 of the text (base64url), "absent" or "folder". */
export type FileState = string;

const ABSENT = "absent";
const TIMESTAMP_MARGIN_MS = 2000;
const FOLDER = "folder";

export const hashText = (text: string): FileState => crypto.createHash("sha256").update(text, "utf8").digest("base64url");

export class FileStates {
  /** undefined: the path exists but cannot be read, a state that matches nothing. */
  private readonly states = new Map<string, FileState | undefined>();
  private readonly texts = new Map<string, string>();

  /** The state of `file` now (read once per compile). */
  current(file: string): FileState | undefined {
    if (this.states.has(file)) return this.states.get(file);
    let state: FileState | undefined;
    try {
      // The text as the compile reads it (UTF-8), so a hash of the text it parsed compares equal.
      const text = fs.readFileSync(file, "utf8");
      this.texts.set(file, text);
      state = hashText(text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      state = code === "ENOENT" || code === "ENOTDIR" ? ABSENT : code === "EISDIR" ? FOLDER : undefined;
    }
    this.states.set(file, state);
    return state;
  }

  /** The text `current` read, if the path was a readable file. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /**
   * Whether `file` may have changed since `since` (ms since the epoch): what a compile that started
   * then read of it may not be what `current` reads, so that compile must not be recorded. Modified
   * times are compared with a margin for file systems that keep them in whole seconds (or two): a
   * file changed just before a compile is only recorded by the next one, as git treats racily clean files.
   */
  changedSince(file: string, since: number): boolean {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs >= since - TIMESTAMP_MARGIN_MS;
  }
}
