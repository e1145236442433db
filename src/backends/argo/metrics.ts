/**
 * The lowering's metrics as Argo custom Prometheus metrics (shared/reference/argo.md §4.1): a task's
 * on its leaf template, emitted by the controller when each attempt (and, for a retried task, the
 * Retry node) completes; the run's on the workflow spec, emitted when the workflow completes.
 */
import type { MetricSpec } from "../../phases/4-lower/index.js";

const VARIABLES = {
  task: { duration: "{{duration}}", status: "{{status}}" },
  run: { duration: "{{workflow.duration}}", status: "{{workflow.status}}" },
} as const;

/**
 * Not `namespace`: Prometheus' Kubernetes scrape configurations (kube-prometheus' ServiceMonitors)
 * set a target label of that name, the controller's namespace, and rename a scraped one to
 * `exported_namespace`.
 */
const NAMESPACE = { key: "workflow_namespace", value: "{{workflow.namespace}}" };

export function prometheusMetrics(metrics: readonly MetricSpec[], of: keyof typeof VARIABLES) {
  if (metrics.length === 0) return undefined;
  const v = VARIABLES[of];
  return {
    prometheus: metrics.map((m) => ({
      name: m.name,
      help: m.help,
      labels: [...m.labels, ...(m.byNamespace ? [NAMESPACE] : []), ...(m.byStatus ? [{ key: "status", value: v.status }] : [])],
      // Not realtime: set once, when the attempt or the run has ended.
      ...(m.type === "gauge" ? { gauge: { realtime: false, value: v.duration } } : { counter: { value: "1" } }),
    })),
  };
}
