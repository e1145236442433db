import { OUTPUT_NAME, outputPlaceholder } from "../ir/placeholders.js";
import { ownedByRunningBody } from "./building.js";

/**
 * What a task is for: `setup` creates something (a cluster, a table) that the tasks downstream of it
 * need; `teardown` removes it once they have all finished, whatever happened to them; `finally`
 * runs after everything else; `work` is everything else.
 */
export type TaskRole = "setup" | "work" | "teardown" | "finally";

/**
 * A reference to a task, returned by `p.task(...)`, `p.setup(...)`, `p.teardown(...)` or `p.finally(...)`. Handles are the only way to name a task in
 * `after`, so a misspelt dependency is a type error rather than a broken manifest. `O` is the
 * names of the task's `outputs`.
 */
export class TaskHandle<O extends string = string> {
  /** @internal */
  constructor(
    /** The task's name. */
    readonly name: string,
    /** The task's role. */
    readonly role: TaskRole,
  ) {
    Object.freeze(this);
  }

  /**
   * A placeholder for the task's output `name` (declared in its `outputs`), for the command, args,
   * env values or script of a task after it: `args: [`--rows=${count.output("rows")}`]`. The run
   * fills in what the task wrote.
   */
  output(name: O): string {
    if (!(this instanceof TaskHandle)) throw new TypeError("output() must be called on a task's handle, as handle.output(...)");
    if (typeof name !== "string") throw new TypeError(`output() takes the output's name as a string, got ${name === null ? "null" : typeof name}`);
    if (!OUTPUT_NAME.test(name)) throw new TypeError(`output() takes an output's name, letters, digits and '_' starting with a letter or '_', not ${JSON.stringify(name)}`);
    if (!ownedByRunningBody(this)) {
      throw new TypeError(`output() reads task "${this.name}" of another pipeline, or outside a pipeline's body: read outputs of this pipeline's tasks, inside its body`);
    }
    return outputPlaceholder(this.name, name);
  }
}
