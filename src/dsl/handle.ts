/**
 * What a task is for: `setup` creates something (a cluster, a table) that the tasks downstream of it
 * need; `teardown` removes it once they have all finished, whatever happened to them; `finally`
 * runs after everything else; `work` is everything else.
 */
export type TaskRole = "setup" | "work" | "teardown" | "finally";

/**
 * A reference to a task, returned by `p.task(...)`, `p.setup(...)`, `p.teardown(...)` or `p.finally(...)`. Handles are the only way to name a task in
 * `after`, so a misspelt dependency is a type error rather than a broken manifest.
 */
export class TaskHandle {
  /** @internal */
  constructor(
    /** The task's name. */
    readonly name: string,
    /** The task's role. */
    readonly role: TaskRole,
  ) {
    Object.freeze(this);
  }
}
