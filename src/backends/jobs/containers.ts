/**
 * Pod parts of the Jobs target: the task's own container, the shim containers (`await-deps`,
 * `status`, `drive`) and the volumes that feed them. Every container meets the restricted Pod
 * Security Standards profile; the API token is mounted only into containers that call the API.
 */
import { k8s } from "cdk8s-plus-27";
import type * as IR from "../../ir/index.js";
import * as pod from "../common/pod.js";
import { SHIM_DIR, SHIM_FILE } from "./runtime.js";
import { OUTPUTS_DIR, RUN_STATUS_DIR } from "./rewrite.js";

/** The shim runs as this non-root user (the task's own container keeps the task's). */
const SHIM_USER = 65532;
export const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
export const VOLUMES = { shim: "gantry-runtime", token: "gantry-api-token", runStatus: "gantry-run-status", outputs: "gantry-outputs", objects: "gantry-run-objects" } as const;

const quantities = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length > 0 ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) : undefined;

/** The shared pod fragments with quantities as cdk8s-plus-27's typed constructs want them. */
const typedResources = (r: { requests?: Record<string, string>; limits?: Record<string, string> } | undefined): k8s.ResourceRequirements | undefined =>
  r && { requests: quantities(r.requests), limits: quantities(r.limits) };

/**
 * The task's container, `main`, as on the Argo target; a script runs through its interpreter's `-c`.
 * `outputPath`: the file of the task's output, which becomes its termination message (read by the
 * await-deps of the tasks that read it); the kubelet mounts a file there, so it exists even unwritten.
 */
export function mainContainer(task: IR.Task, extraMounts: k8s.VolumeMount[], outputPath?: string): k8s.Container {
  const command = task.script !== undefined ? [...(task.command ?? ["sh"]), scriptFlag(task.command), task.script] : task.command;
  const mounts = [...(pod.volumeMounts(task) ?? []), ...extraMounts];
  return {
    name: "main",
    image: task.image,
    command,
    args: task.args,
    workingDir: task.workingDir,
    env: pod.env(task),
    envFrom: pod.envFrom(task),
    resources: typedResources(pod.resources(task)),
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    imagePullPolicy: task.imagePullPolicy,
    securityContext: pod.containerSecurityContext(task.security),
    terminationMessagePath: outputPath,
    // A crashed container's last log lines become its termination message, for the run record
    // (unless it is a producer that wrote its output file: then what it wrote).
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

/** `node -e`, everything else (sh, bash, python) `-c`. */
const scriptFlag = (command: readonly string[] | undefined) => (command && /(^|\/)node$/.test(command[0]!) ? "-e" : "-c");

export interface ShimContainer {
  name: "await-deps" | "status" | "drive";
  image: string;
  /** The shim command and the env var holding its JSON configuration. */
  command: "await" | "status" | "drive";
  config: unknown;
  /** Extra env, e.g. the pod's own name for the attempt timeout. */
  env?: k8s.EnvVar[];
  mounts?: k8s.VolumeMount[];
}

const CONFIG_ENV = { await: "GANTRY_AWAIT", status: "GANTRY_STATUS", drive: "GANTRY_DRIVE" } as const;

export function shimContainer(c: ShimContainer): k8s.Container {
  return {
    name: c.name,
    image: c.image,
    command: ["node", `${SHIM_DIR}/${SHIM_FILE}`, c.command],
    env: [
      { name: "GANTRY_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ...(c.env ?? []),
      // JSON in a fixed key order (the order these objects are built in): byte-stable output.
      { name: CONFIG_ENV[c.command], value: JSON.stringify(c.config) },
    ],
    volumeMounts: [
      { name: VOLUMES.shim, mountPath: SHIM_DIR, readOnly: true },
      { name: VOLUMES.token, mountPath: TOKEN_DIR, readOnly: true },
      ...(c.mounts ?? []),
    ],
    // Waiting is cheap, but a waiting pod holds these for as long as it waits (docs/targets.md).
    // A CPU limit too: namespaces with a `limits.cpu` quota refuse containers without one.
    resources: typedResources({ requests: { cpu: "10m", memory: "48Mi" }, limits: { cpu: "250m", memory: "128Mi" } }),
    securityContext: pod.containerSecurityContext({ runAsUser: SHIM_USER, runAsGroup: SHIM_USER, readOnlyRootFilesystem: true }),
  };
}

export const fieldEnv = (name: string, fieldPath: string): k8s.EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

export const shimVolume = (shimConfigMap: string): k8s.Volume => ({ name: VOLUMES.shim, configMap: { name: shimConfigMap, defaultMode: 0o444 } });

/** A short-lived token of the pod's ServiceAccount; pods set automountServiceAccountToken: false and mount this only where it is used. */
export const tokenVolume: k8s.Volume = {
  name: VOLUMES.token,
  projected: {
    defaultMode: 0o444,
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
    ],
  },
};
export const tokenMount: k8s.VolumeMount = { name: VOLUMES.token, mountPath: TOKEN_DIR, readOnly: true };

export const runStatusVolume: k8s.Volume = { name: VOLUMES.runStatus, emptyDir: { medium: "Memory", sizeLimit: k8s.Quantity.fromString("1Mi") } };
export const runStatusMount = (readOnly: boolean): k8s.VolumeMount => ({ name: VOLUMES.runStatus, mountPath: RUN_STATUS_DIR, readOnly: readOnly || undefined });

/** The outputs a task reads, written by its await-deps (a termination message is at most 4 KiB each). */
export const outputsVolume: k8s.Volume = { name: VOLUMES.outputs, emptyDir: { medium: "Memory", sizeLimit: k8s.Quantity.fromString("1Mi") } };
export const outputsMount = (readOnly: boolean): k8s.VolumeMount => ({ name: VOLUMES.outputs, mountPath: OUTPUTS_DIR, readOnly: readOnly || undefined });

export function userVolumes(task: IR.Task): k8s.Volume[] {
  return (pod.volumes(task) ?? []).map((v) => {
    const ed = (v as { emptyDir?: { medium?: string; sizeLimit?: string } }).emptyDir;
    return (ed ? { ...v, emptyDir: { medium: ed.medium, sizeLimit: ed.sizeLimit ? k8s.Quantity.fromString(ed.sizeLimit) : undefined } } : v) as k8s.Volume;
  });
}
