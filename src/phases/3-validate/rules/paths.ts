/**
 * Paths and file modes inside a pod's volumes, as pkg/apis/core/validation/validation.go checks them:
 * `validateLocalDescendingPath` (a mount's `subPath`), `ValidateLocalNonReservedPath` (a ConfigMap or
 * Secret item's `path`) and the file modes (`defaultMode`, an item's `mode`).
 */

/** Largest file mode: 0777. */
export const MAX_FILE_MODE = 0o777;

/** Relative, without a `..` element (`a/../b`, `..`); `undefined` when it is. */
export function localDescendingPath(s: string): string | undefined {
  if (s.startsWith("/")) return "must be a relative path";
  if (s.includes("..")) {
    for (const part of s.split("/")) if (part === "..") return 'must not contain a ".." element';
  }
  return undefined;
}

/** As `localDescendingPath`, not empty, and not starting with `..` (the kubelet's `..data` and its kin are reserved). */
export function localNonReservedPath(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const r = localDescendingPath(s);
  if (r) return r;
  if (s.startsWith("..")) return 'must not start with ".."';
  return undefined;
}

/** A file mode: 0 to 0777 (511). */
export function fileMode(n: number): string | undefined {
  if (n >= 0 && n <= MAX_FILE_MODE) return undefined;
  // 644 written in decimal is the common slip: name its octal form.
  const octal = n > MAX_FILE_MODE && /^[0-7]{3}$/.test(String(n)) ? `; if that was meant as octal, write 0o${n}` : "";
  return `must be between 0 and 0o777 (511), both inclusive (got ${n}${octal})`;
}
