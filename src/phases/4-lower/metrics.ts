/**
 * The default Prometheus metrics, as target-neutral data (docs/monitoring.md). Names, help texts and
 * label keys are fixed: Prometheus keeps one type and help text per name across all pipelines, so
 * nothing pipeline-specific goes there. Label values are names the model already validated, and
 * never a run id or a time, so the number of series stays bounded by the pipelines' definitions.
 */
import type * as IR from "../../ir/index.js";

/** What a metric measures when the thing it belongs to (an attempt of a task, or the run) ends. */
export interface MetricSpec {
  /** `^[a-zA-Z_][a-zA-Z0-9_]*$`; counters end in `_total`. Exporters may add a prefix (Argo: `argo_workflows_`). */
  name: string;
  help: string;
  /** `gauge`: set to the duration in seconds; `counter`: +1. */
  type: "gauge" | "counter";
  /** Static labels, in this order. */
  labels: { key: string; value: string }[];
  /** Also labelled `status` with how it ended (Argo: Succeeded, Failed, Error). */
  byStatus: boolean;
  /**
   * Also labelled `workflow_namespace` with the namespace the run is in (Argo: `{{workflow.namespace}}`):
   * copies of a pipeline in two namespaces (staging, prod) on one controller are otherwise one series.
   */
  byNamespace: boolean;
}

export const METRIC_NAMES = {
  taskDuration: "gantry_task_duration_seconds",
  taskResult: "gantry_task_result_total",
  teardownResult: "gantry_teardown_result_total",
  runDuration: "gantry_run_duration_seconds",
  runResult: "gantry_run_result_total",
} as const;

/** Metrics of one task, emitted when each of its attempts ends. */
export function taskMetrics(pipeline: IR.Pipeline, task: IR.Task): MetricSpec[] {
  const labels = [
    { key: "pipeline", value: pipeline.name },
    { key: "task", value: task.name },
    { key: "role", value: task.role },
  ];
  const metrics: MetricSpec[] = [
    {
      name: METRIC_NAMES.taskDuration,
      help: "Seconds the last finished attempt of a Gantry task took; for a retried task, all its attempts and waits once it is done",
      type: "gauge",
      labels,
      byStatus: false,
      byNamespace: true,
    },
    {
      name: METRIC_NAMES.taskResult,
      help: "Finished attempts of Gantry tasks by status; every attempt of a retried task counts",
      type: "counter",
      labels,
      byStatus: true,
      byNamespace: true,
    },
  ];
  if (task.role === "teardown") {
    // A teardown's failure does not fail the run unless failsRun: this is where it shows.
    metrics.push({
      name: METRIC_NAMES.teardownResult,
      help: "Finished attempts of Gantry teardowns by status, and whether a failure fails the run",
      type: "counter",
      labels: [
        { key: "pipeline", value: pipeline.name },
        { key: "teardown", value: task.name },
        { key: "fails_run", value: String(task.failsRun) },
      ],
      byStatus: true,
      byNamespace: true,
    });
  }
  return metrics;
}

/** Metrics of the run, emitted once when it ends. */
export function runMetrics(pipeline: IR.Pipeline): MetricSpec[] {
  const labels = [{ key: "pipeline", value: pipeline.name }];
  return [
    { name: METRIC_NAMES.runDuration, help: "Seconds the last finished run of a Gantry pipeline took", type: "gauge", labels, byStatus: false, byNamespace: true },
    { name: METRIC_NAMES.runResult, help: "Finished runs of Gantry pipelines by status", type: "counter", labels, byStatus: true, byNamespace: true },
  ];
}
