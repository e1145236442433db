import type { Span } from "../../diagnostics/index.js";
import type { TaskHandle } from "../../dsl/handle.js";
import type { PipelineDefinition } from "../../dsl/pipeline.js";

/**
 * Answers "where was this written?" for values of a declaration. The static front end implements it
 * from the origins it recorded while evaluating; a declaration built by running a module has none.
 * This interface is all the model phase knows about source code.
 */
export interface SourceLocator {
  /** Where `root` at `path` was written, else where its nearest written ancestor was. */
  valueAt(root: unknown, path: readonly PropertyKey[]): Span | undefined;
  /** Where the last key of `path` was written (`{ imagePullPolicyy: ... }`), else as `valueAt`. */
  keyAt(root: unknown, path: readonly PropertyKey[]): Span | undefined;
  /** Where the task was declared (its `p.task(...)` call). */
  task(handle: TaskHandle): Span | undefined;
  /** Where the pipeline was declared (its `pipeline(...)` call). */
  pipeline(definition: PipelineDefinition): Span | undefined;
}

/** For declarations built by executing a module: no positions, only the file. */
export const noLocations: SourceLocator = {
  valueAt: () => undefined,
  keyAt: () => undefined,
  task: () => undefined,
  pipeline: () => undefined,
};

/** One declaration to validate, with the file (relative, POSIX) it came from. */
export interface DeclarationUnit {
  definition: PipelineDefinition;
  file: string;
  locator: SourceLocator;
  /** Where the definition was made, the same in every analysis that reaches it (ModuleLoader.idOf). */
  id?: string;
}
