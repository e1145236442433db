/** One Argo template per task: a container or script template whose container is named `main`. */
import type { PlannedTask } from "../../phases/4-lower/index.js";
import { outputParameterName, type OutputRead } from "../../ir/output-reads.js";
import * as pod from "../common/pod.js";
import { prometheusMetrics } from "./metrics.js";
import { retryStrategy, totalTimeout } from "./retry.js";

/** The input of a fan-out task's template that holds its item (`p.item`); no output read's input has this name, which has no `-`. */
export const ITEM_INPUT = "item";

/** A fan-out task's item, and the outputs it reads. */
function inputs(fanOut: boolean, reads: readonly OutputRead[]) {
  const parameters = [...(fanOut ? [{ name: ITEM_INPUT }] : []), ...reads.map((r) => ({ name: outputParameterName(r) }))];
  return parameters.length > 0 ? { parameters } : undefined;
}

/** `reads`: the outputs the task reads (outputReads), which its template takes as inputs. */
export function taskTemplate({ task, labels, annotations, metrics }: PlannedTask, reads: readonly OutputRead[]) {
  const container = {
    name: "main",
    image: task.image,
    command: task.command,
    args: task.args,
    workingDir: task.workingDir,
    env: pod.env(task),
    envFrom: pod.envFrom(task),
    resources: pod.resources(task),
    volumeMounts: pod.volumeMounts(task),
    imagePullPolicy: task.imagePullPolicy,
    securityContext: pod.containerSecurityContext(task.security),
  };
  return {
    name: task.name,
    // The outputs it reads arrive as inputs, which its DAG task fills in (workflow.ts): a leaf template cannot name other tasks.
    inputs: inputs(task.forEach !== undefined, reads),
    outputs: task.outputs ? { parameters: task.outputs.map((o) => ({ name: o.name, valueFrom: { path: o.path, default: o.default } })) } : undefined,
    metadata: { labels, annotations },
    ...(task.script !== undefined ? { script: { ...container, source: task.script } } : { container }),
    volumes: pod.volumes(task),
    serviceAccountName: task.pod.serviceAccountName,
    nodeSelector: pod.nonEmptyMap(task.pod.nodeSelector),
    tolerations: pod.nonEmpty(task.pod.tolerations),
    affinity: task.pod.affinity,
    securityContext: task.security.fsGroup !== undefined ? pod.podSecurityContext(task.security.fsGroup) : undefined,
    // IntOrString fields as strings: accepted by the API server and by Argo's JSON schema alike.
    activeDeadlineSeconds: task.timeoutSeconds !== undefined ? String(task.timeoutSeconds) : undefined,
    timeout: totalTimeout(task.retry, task.timeoutSeconds),
    retryStrategy: retryStrategy(task.retry),
    metrics: prometheusMetrics(metrics, "task"),
  };
}
