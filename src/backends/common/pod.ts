/**
 * Kubernetes pod and container fragments shared by every backend: env, volumes, resources and the
 * security contexts that meet the Pod Security Standards `restricted` profile.
 */
import type * as IR from "../../ir/index.js";
import { sortKeys } from "../../phases/4-lower/index.js";

export const nonEmpty = <T>(xs: readonly T[]): T[] | undefined => (xs.length > 0 ? [...xs] : undefined);
export const nonEmptyMap = <T>(m: Record<string, T>): Record<string, T> | undefined => (Object.keys(m).length > 0 ? sortKeys(m) : undefined);

/** A container's security context, for a task's container (`task.security`) or one Gantry adds. */
export function containerSecurityContext(security: Pick<IR.Task["security"], "runAsUser" | "runAsGroup" | "readOnlyRootFilesystem">) {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: security.readOnlyRootFilesystem || undefined,
    runAsNonRoot: true,
    runAsUser: security.runAsUser,
    runAsGroup: security.runAsGroup,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function podSecurityContext(fsGroup?: number) {
  return { runAsNonRoot: true, fsGroup, seccompProfile: { type: "RuntimeDefault" } };
}

export function env(task: IR.Task) {
  return nonEmpty(task.env.map((e) => (e.valueFrom ? { name: e.name, valueFrom: e.valueFrom } : { name: e.name, value: e.value })));
}

export function envFrom(task: IR.Task) {
  return nonEmpty(
    task.envFrom.map((e) => ({
      [e.kind === "secret" ? "secretRef" : "configMapRef"]: { name: e.name, optional: e.optional },
      prefix: e.prefix,
    })),
  );
}

export function resources(task: IR.Task) {
  const requests = nonEmptyMap(task.resources.requests);
  const limits = nonEmptyMap(task.resources.limits);
  return requests || limits ? { limits, requests } : undefined;
}

export function volumeMounts(task: IR.Task) {
  return nonEmpty(task.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: v.readOnly || undefined, subPath: v.subPath })));
}

export function volumes(task: IR.Task) {
  return nonEmpty(task.volumes.map((v) => ({ name: v.name, ...volumeSource(v.source) })));
}

function volumeSource(s: IR.VolumeSource): Record<string, unknown> {
  switch (s.type) {
    case "configMap":
      return { configMap: { name: s.name, items: s.items, defaultMode: s.defaultMode, optional: s.optional } };
    case "secret":
      return { secret: { secretName: s.name, items: s.items, defaultMode: s.defaultMode, optional: s.optional } };
    case "emptyDir":
      return { emptyDir: { medium: s.medium, sizeLimit: s.sizeLimit } };
    case "persistentVolumeClaim":
      return { persistentVolumeClaim: { claimName: s.claimName, readOnly: s.readOnly } };
  }
}
