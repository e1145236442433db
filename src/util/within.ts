import path from "node:path";

/**
 * Whether a path given relative to a folder (`path.relative(folder, p)`, or the same with `/`
 * separators) lies within that folder, or is the folder itself (""). Exact: a child named `..x` is
 * within; `..`, `../x` (`..\x`) and an absolute path (another drive on Windows) are not.
 */
export function isWithin(relative: string): boolean {
  return relative !== ".." && !relative.startsWith("../") && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** Whether `inner` is `outer` or lies within it (both absolute, or both relative to one folder). */
export const contains = (outer: string, inner: string): boolean => isWithin(path.relative(outer, inner));
