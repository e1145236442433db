export * from "./plan.js";
export { allSettled, both, tasksIn, type Condition, type Guard, type Leaf } from "./conditions.js";
export { declaredDefaults, holds, itemsOf, listValue, residual, skipClosure, withoutSkipped, type OutputValues, type ParameterValues } from "./skips.js";
export { computeScopes, waitsFor, type Scopes } from "../../ir/scopes.js";
export { evaluate, outputValues, topologicalOrder, type Evaluation, type Outcome, type TaskState } from "./reference-evaluator.js";
export { effectiveRetry, isRetried, type AttemptEnd } from "./retry.js";
export { canonicalJson, pipelineHash, scopeChains } from "./metadata.js";
export { METRIC_NAMES, runMetrics, taskMetrics, type MetricSpec } from "./metrics.js";
export { annotationSizeProblem } from "./metadata-checks.js";
