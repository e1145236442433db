/**
 * The Gantry DSL. Pipelines import from here; `gantry compile` reads them without running them,
 * and running them builds the same `PipelineDefinition`.
 */
export { pipeline, PipelineDefinition, parameterPlaceholder } from "./dsl/pipeline.js";
export type { PipelineBuilder, DeclaredTask } from "./dsl/pipeline.js";
export { TaskHandle } from "./dsl/handle.js";
export type { TaskRole } from "./dsl/handle.js";
export { secretEnv, configMapEnv } from "./dsl/env.js";
export type * from "./dsl/types.js";
