/**
 * What the files a compile depends on hold, as the compile cache compares them: a hash of a file's
 * text, or that nothing, a folder or something else (a FIFO, a socket) is at its path.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { withoutBom } from "../util/bom.js";

/** A SHA-256 of the text (base64url) and, for a path through a link, where it leads; "absent", "folder" or "special". */
export type FileState = string;

const ABSENT = "absent";
const FOLDER = "folder";
/** Not a file nor a folder: never read (reading a FIFO would block), and nothing Gantry resolves to. */
const SPECIAL = "special";
const TIMESTAMP_MARGIN_MS = 2000;

export const hashText = (text: string): FileState => crypto.createHash("sha256").update(text, "utf8").digest("base64url");

/** The hash of the text in a file's state, without where a link on its path leads (`linkedTo`); undefined for a path that holds no file. */
export const textOf = (state: FileState): string | undefined => (state === ABSENT || state === FOLDER || state === SPECIAL ? undefined : state.split(">", 1)[0]);

/** The states of the paths a compile asks about, each read once, with the texts of the files among them. */
export class FileStates {
  /** undefined: the path exists but cannot be read, a state that matches nothing. */
  private readonly states = new Map<string, FileState | undefined>();
  private readonly texts = new Map<string, string>();

  /** The state of `file` when this compile first asked. */
  current(file: string): FileState | undefined {
    if (this.states.has(file)) return this.states.get(file);
    const { state, text } = readState(file);
    this.states.set(file, state);
    if (text !== undefined) this.texts.set(file, text);
    return state;
  }

  /** The text `current` read, if the path was a readable file. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }
}

/** The state of `file` now, read again: what a compile that has just read it saw, unless it changed meanwhile (see `modifiedSince`). */
export const stateNow = (file: string): FileState | undefined => readState(file).state;

/**
 * Whether `file` may have changed since `since` (ms since the epoch), so that what a compile that
 * started then read of it may not be what `stateNow` reads: "no"; "yes"; or "future", a modified
 * time ahead of the clock (clock skew, an unpacked archive), which tells nothing. Times are compared
 * with a margin for file systems that keep them in whole seconds (or two): a file changed just
 * before a compile is recorded only by the next one, as git treats racily clean files.
 */
export function modifiedSince(file: string, since: number): "no" | "yes" | "future" {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined || stat.mtimeMs < since - TIMESTAMP_MARGIN_MS) return "no";
  return stat.mtimeMs > Date.now() + TIMESTAMP_MARGIN_MS ? "future" : "yes";
}

/**
 * For a path through a symbolic link (the file's, or a folder's on the way), where it leads, from
 * the path's folder: the compile reads a module at its real path, and imports relative to it and
 * the manifest's source annotation follow, so the same text behind a retargeted link is another
 * dependency. Empty for a path without links, the common case, which keeps such a state movable.
 */
function linkedTo(file: string, real: string): string {
  return real === path.resolve(file) ? "" : `>${path.relative(path.dirname(path.resolve(file)), real).split(path.sep).join("/")}`;
}

function readState(file: string): { state: FileState | undefined; text?: string } {
  try {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat === undefined) return { state: ABSENT };
    if (stat.isDirectory()) return { state: FOLDER };
    if (!stat.isFile()) return { state: SPECIAL };
    // The text as the compile reads it (UTF-8, no byte order mark), so a hash of the text it parsed compares equal.
    // Read at the real path found first: a link retargeted meanwhile cannot pair one target's text with another's path.
    const real = fs.realpathSync.native(file);
    const text = withoutBom(fs.readFileSync(real, "utf8"));
    return { state: hashText(text) + linkedTo(file, real), text };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { state: code === "ENOENT" || code === "ENOTDIR" ? ABSENT : undefined };
  }
}
