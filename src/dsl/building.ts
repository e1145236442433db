/**
 * Which pipeline each task handle belongs to, and whose body is running: a handle's output can be
 * read only while its own pipeline's body runs, since the placeholder names the task, not the
 * pipeline (a handle of another pipeline would read that pipeline's task of the same name).
 */
const owners = new WeakMap<object, object>();
const bodies: object[] = [];

/** Records that `builder` made `handle`. */
export function own(handle: object, builder: object): void {
  owners.set(handle, builder);
}

/** Runs `body` as the body of `builder`'s pipeline (bodies nest: a pipeline made inside another's body). */
export function runBody<T>(builder: object, body: () => T): T {
  bodies.push(builder);
  try {
    return body();
  } finally {
    bodies.pop();
  }
}

/** Whether `handle` was made by the pipeline whose body is running now. */
export const ownedByRunningBody = (handle: object): boolean => bodies.length > 0 && owners.get(handle) === bodies[bodies.length - 1];
