import { TaskHandle } from "./handle.js";
import type { ParameterSpec, PipelineOptions, TaskSpec } from "./types.js";

/** One `p.task(...)` call as written: the handle it returned and the spec it was given, untouched. */
export interface DeclaredTask {
  readonly handle: TaskHandle;
  readonly spec: TaskSpec;
}

/**
 * What `pipeline(...)` returns: the pipeline as declared, before validation. The compiler validates
 * and normalises it; this object only records, so that executing a module and reading it statically
 * produce the same declaration.
 */
export class PipelineDefinition {
  /** @internal */
  constructor(
    readonly name: string,
    readonly options: PipelineOptions,
    readonly tasks: readonly DeclaredTask[],
  ) {
    Object.freeze(this);
  }
}

/** The object a pipeline body receives: declares tasks and reads parameters. */
export interface PipelineBuilder<P extends Readonly<Record<string, ParameterSpec>>> {
  /**
   * Placeholders for the pipeline's parameters, usable in any string of a task spec
   * (`args: [p.params.date]`, `` `--date=${p.params.date}` ``). Each is replaced by the run's value.
   */
  readonly params: { readonly [K in keyof P]: string };
  /**
   * Declares a task and returns its handle, for use in other tasks' `after`.
   * @param name Unique within the pipeline: lowercase letters, digits and '-', starting with a letter.
   */
  task(name: string, spec: TaskSpec): TaskHandle;
}

/** The placeholder a parameter reads as inside strings; backends rewrite it for their target. */
export const parameterPlaceholder = (name: string): string => `{{params.${name}}}`;

/**
 * Declares a pipeline. Export the result (`export default pipeline(...)`) for `gantry compile` to find it.
 *
 * @param name The pipeline's name: a lowercase DNS label, used for the emitted objects and file.
 * @param options Namespace, parameters, task defaults, schedule, labels and annotations.
 * @param body Declares the tasks through `p`. Runs once, synchronously.
 */
export function pipeline<const P extends Readonly<Record<string, ParameterSpec>> = {}>(
  name: string,
  options: PipelineOptions<P>,
  body: (p: PipelineBuilder<P>) => void,
): PipelineDefinition {
  const builder = new PipelineBuilderImpl(Object.keys(options?.parameters ?? {}));
  body(builder as unknown as PipelineBuilder<P>);
  return new PipelineDefinition(name, options, builder.tasks);
}

/** @internal The object behind `p`. Its prototype methods are the builder calls static analysis may make. */
export class PipelineBuilderImpl {
  readonly params: Readonly<Record<string, string>>;
  /** @internal */
  readonly tasks: DeclaredTask[] = [];

  constructor(parameterNames: readonly string[]) {
    this.params = Object.freeze(Object.fromEntries(parameterNames.map((n) => [n, parameterPlaceholder(n)])));
  }

  task(name: string, spec: TaskSpec): TaskHandle {
    const handle = new TaskHandle(name, "work");
    this.tasks.push({ handle, spec });
    return handle;
  }
}
