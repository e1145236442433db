/**
 * Why a file-system call failed, in words for a diagnostic: the reason for its errno code, else the
 * code itself. Callers that know more about the context (a write that found a file in the way, a
 * config file that vanished between lookup and read) pass their own words for some codes.
 */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  ENOTDIR: "a folder on its path is a file",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "its name is too long",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

export function fsFailure(e: unknown, what: string, words: Readonly<Record<string, string>> = {}): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code) return words[code] ?? REASONS[code] ?? `${what} failed (${code})`;
  return e instanceof Error ? e.message : `${what} failed`;
}
