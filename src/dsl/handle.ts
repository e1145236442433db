/** What a task is for. Only "work" tasks exist so far; setup/teardown/finally come with scopes. */
export type TaskRole = "work";

/**
 * A reference to a task, returned by `p.task(...)`. Handles are the only way to name a task in
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
