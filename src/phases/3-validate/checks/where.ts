import type { Span } from "../../../diagnostics/index.js";

/** Positions inside one declaration (a task spec, the pipeline options), by path from its root. */
export interface Where {
  /** Where the value at `path` was written. */
  value(path: readonly PropertyKey[]): Span | undefined;
  /** Where the name of the last key of `path` was written: for findings about a name, not its value. */
  key(path: readonly PropertyKey[]): Span | undefined;
}

/** The same declaration one level down, e.g. the `defaults` inside the pipeline options. */
export const below = (where: Where, base: readonly PropertyKey[]): Where => ({
  value: (path) => where.value([...base, ...path]),
  key: (path) => where.key([...base, ...path]),
});
