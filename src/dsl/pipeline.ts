import { ITEM_PLACEHOLDER, parameterPlaceholder, RUN_ID_PLACEHOLDER, RUN_STATUS_PLACEHOLDER } from "../ir/placeholders.js";
import { own, runBody } from "./building.js";
import { TaskHandle, type TaskRole } from "./handle.js";
import type { FinallySpec, OutputSpec, ParameterSpec, PipelineOptions, TaskSpec, TeardownSpec } from "./types.js";

/** The `outputs` of a task spec as written, whose keys name its handle's outputs. */
type Outputs = Readonly<Record<string, OutputSpec>>;

/** One `p.task(...)` call as written: the handle it returned and the spec it was given, untouched. */
export interface DeclaredTask {
  readonly handle: TaskHandle;
  readonly spec: TaskSpec | TeardownSpec | FinallySpec;
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
   * Declares a task and returns its handle, for use in other tasks' `after` (and, when it declares
   * `outputs`, for reading them: `handle.output("rows")`).
   * @param name Unique within the pipeline: lowercase letters, digits and '-', starting with a letter.
   */
  task<const O extends Outputs = {}>(name: string, spec: TaskSpec & { outputs?: O }): TaskHandle<keyof O & string>;
  /**
   * Declares a setup: a task that creates something the tasks downstream of it need. Its scope is
   * every task downstream of it (through `after`) up to its teardowns; a scoped task runs only if
   * the setup succeeded.
   */
  setup<const O extends Outputs = {}>(name: string, spec: TaskSpec & { outputs?: O; forEach?: never }): TaskHandle<keyof O & string>;
  /**
   * Declares a teardown of `setups`: it waits until every task in their scopes has finished (or will
   * never run) and runs if at least one of its setups succeeded, whatever happened to the work.
   * Its failure is reported but fails the run only with `failsRun: true`.
   */
  teardown<const O extends Outputs = {}>(name: string, spec: TeardownSpec & { outputs?: O }): TaskHandle<keyof O & string>;
  /**
   * Declares a pipeline-level exit handler: it runs after everything else, whatever happened,
   * and can read the run's result through `p.runStatus`.
   */
  finally(name: string, spec: FinallySpec): TaskHandle<never>;
  /**
   * The run's result as a placeholder string (`Succeeded`, `Failed` or `Error` when the run ends),
   * for `p.finally(...)` tasks only.
   */
  readonly runStatus: string;
  /**
   * A unique id of the run as a placeholder string (lowercase letters, digits and '-', at most 36
   * characters), for names of things a run creates, e.g. a namespace `spark-${p.runId}`.
   */
  readonly runId: string;
  /**
   * In a task with `forEach`, the item this copy of the task runs for, as a placeholder string:
   * `args: ["--table", p.item]`. Only in that task's `command`, `args`, `source` and env values.
   */
  readonly item: string;
}

export { parameterPlaceholder };

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
  runBody(builder, () => body(builder as unknown as PipelineBuilder<P>));
  // Fixed once made: a later module must not add tasks to a pipeline another one may already have
  // compiled (nor may a `p` kept past its body).
  return new PipelineDefinition(name, options, Object.freeze(builder.tasks));
}

/**
 * `this` of a builder method. A method taken off `p` (`const { task } = p`) has none: say so, rather
 * than fail inside with a message about Gantry's internals.
 */
function builderOf(self: unknown, method: string): PipelineBuilderImpl {
  if (self instanceof PipelineBuilderImpl) return self;
  throw new TypeError(`${method}() must be called on the pipeline's builder, as p.${method}(...): a method taken off p has no pipeline to add to`);
}

/** @internal The object behind `p`. Its prototype methods are the builder calls static analysis may make. */
export class PipelineBuilderImpl {
  readonly params: Readonly<Record<string, string>>;
  /** @internal */
  readonly tasks: DeclaredTask[] = [];

  constructor(parameterNames: readonly string[]) {
    this.params = Object.freeze(Object.fromEntries(parameterNames.map((n) => [n, parameterPlaceholder(n)])));
  }

  readonly runStatus = RUN_STATUS_PLACEHOLDER;
  readonly runId = RUN_ID_PLACEHOLDER;
  readonly item = ITEM_PLACEHOLDER;

  task(name: string, spec: TaskSpec): TaskHandle {
    return builderOf(this, "task").declare(name, "work", spec);
  }

  setup(name: string, spec: TaskSpec): TaskHandle {
    return builderOf(this, "setup").declare(name, "setup", spec);
  }

  teardown(name: string, spec: TeardownSpec): TaskHandle {
    return builderOf(this, "teardown").declare(name, "teardown", spec);
  }

  finally(name: string, spec: FinallySpec): TaskHandle {
    return builderOf(this, "finally").declare(name, "finally", spec);
  }

  private declare(name: string, role: TaskRole, spec: TaskSpec | TeardownSpec | FinallySpec): TaskHandle {
    if (Object.isFrozen(this.tasks)) throw new Error(`task "${name}" is declared after its pipeline's body returned; declare every task inside the body`);
    const handle = new TaskHandle(name, role);
    own(handle, this);
    this.tasks.push(Object.freeze({ handle, spec }));
    return handle;
  }
}
