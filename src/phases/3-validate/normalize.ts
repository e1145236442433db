/**
 * Turns a schema-checked declaration into IR: pipeline defaults merged into every task, handles
 * resolved to names, maps turned into the ordered lists Kubernetes wants. Pure; reports nothing.
 */
import type { TaskRole } from "../../dsl/handle.js";
import type * as IR from "../../ir/index.js";
import { setOwn } from "../../util/own-property.js";
import type { EnvFrom, EnvVar, Volume } from "../../ir/index.js";
import { durationSeconds, normalizeQuantity } from "./rules/index.js";
import type { PipelineOptionsInput, RetryInput, TaskDefaultsInput, TaskSpecInput, WhenInput } from "./input-schema.js";
import { outputOf, parameterOf } from "../../ir/placeholders.js";

/** The non-root identity Gantry's pods run as unless told otherwise (the distroless "nonroot" user). */
export const DEFAULT_UID = 65532;

type VolumeInput = NonNullable<TaskSpecInput["volumes"]>[number];

export function mergeDefaults(defaults: TaskDefaultsInput | undefined, task: TaskSpecInput): TaskSpecInput {
  if (!defaults) return task;
  // A field written as `undefined` means "not set": it must not clear the default.
  task = stripUndefined({ ...task });
  const mergeMap = <T>(a?: Record<string, T>, b?: Record<string, T>) => (a || b ? { ...a, ...b } : undefined);
  const byName = (a: readonly VolumeInput[] = [], b: readonly VolumeInput[] = []) => {
    const names = new Set(b.map((v) => v.name));
    return [...a.filter((v) => !names.has(v.name)), ...b];
  };
  const merged: TaskSpecInput = {
    ...defaults,
    ...task,
    env: mergeMap(defaults.env, task.env),
    envFrom: [...(defaults.envFrom ?? []), ...(task.envFrom ?? [])],
    volumes: byName(defaults.volumes, task.volumes),
    nodeSelector: mergeMap(defaults.nodeSelector, task.nodeSelector),
    tolerations: [...(defaults.tolerations ?? []), ...(task.tolerations ?? [])],
    imagePullSecrets: [...new Set([...(defaults.imagePullSecrets ?? []), ...(task.imagePullSecrets ?? [])])],
    labels: mergeMap(defaults.labels, task.labels),
    annotations: mergeMap(defaults.annotations, task.annotations),
    securityContext: mergeMap<number | boolean | undefined>(defaults.securityContext, task.securityContext),
    retry: mergeRetry(defaults.retry, task.retry),
    resources:
      defaults.resources || task.resources
        ? {
            requests: mergeMap(defaults.resources?.requests, task.resources?.requests),
            limits: mergeMap(defaults.resources?.limits, task.resources?.limits),
          }
        : undefined,
  };
  return merged;
}

/**
 * A checked `when` in one vocabulary: `equals` is `in` one value, `notEquals` is `not` of that;
 * values are strings, as a run gives them (`true` is "true").
 */
export function normalizeWhen(w: WhenInput): IR.When {
  if (w.all) return { all: w.all.map(normalizeWhen) };
  if (w.any) return { any: w.any.map(normalizeWhen) };
  if (w.not) return { not: normalizeWhen(w.not) };
  if (w.runStatus) return { runStatus: w.runStatus };
  const subject = w.output !== undefined ? { output: outputOf(w.output)! } : { param: parameterOf(w.param!)! };
  if (w.in) return { ...subject, in: w.in.map(String) };
  const is = { ...subject, in: [String(w.equals ?? w.notEquals)] };
  return w.notEquals !== undefined ? { not: is } : is;
}

/** A checked `forEach` (checks/for-each.ts): a list parameter's placeholder, or an output's. */
function listSource(forEach: string): IR.ListSource {
  const output = outputOf(forEach);
  return output ? { output } : { param: parameterOf(forEach)! };
}

/** A task's retry over the defaults', field by field; `backoff` and each exit code list as a whole. */
export function mergeRetry(defaults: RetryInput | undefined, task: RetryInput | undefined): RetryInput | undefined {
  if (!defaults || !task) return task ?? defaults;
  return { ...defaults, ...stripUndefined({ ...task }) };
}

export function normalizeTask(name: string, role: TaskRole, spec: TaskSpecInput, dependencies: string[], source: IR.SourceRef, ownership: IR.Ownership = {}): IR.Task {
  const quantities = (m?: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, normalizeQuantity(v)]));
  return stripUndefined({
    name,
    role,
    dependencies,
    setups: [...new Set((spec.setups ?? []).map((s) => s.name))],
    failsRun: spec.failsRun ?? false,
    allowFailure: spec.allowFailure ?? false,
    trigger: spec.trigger ?? "allSucceeded",
    when: spec.when && normalizeWhen(spec.when),
    forEach: spec.forEach === undefined ? undefined : listSource(spec.forEach),
    // Absent rather than empty when none are declared: the pipeline hash of every task without outputs stays as it was.
    outputs: spec.outputs && Object.entries(spec.outputs).map(([outputName, o]) => (typeof o === "string" ? { name: outputName, path: o } : stripUndefined({ name: outputName, path: o.path, default: o.default }))),
    image: spec.image,
    command: spec.command ? [...spec.command] : spec.source !== undefined ? ["sh"] : undefined,
    args: spec.args ? [...spec.args] : undefined,
    script: spec.source,
    env: Object.entries(spec.env ?? {}).map(([envName, value]): EnvVar =>
      typeof value === "object" ? { name: envName, valueFrom: value } : { name: envName, value: String(value) },
    ),
    envFrom: (spec.envFrom ?? []).map((e): EnvFrom =>
      stripUndefined("secret" in e
        ? { kind: "secret" as const, name: e.secret, prefix: e.prefix, optional: e.optional }
        : { kind: "configMap" as const, name: e.configMap, prefix: e.prefix, optional: e.optional }),
    ),
    resources: { requests: quantities(spec.resources?.requests), limits: quantities(spec.resources?.limits) },
    volumes: (spec.volumes ?? []).map(normalizeVolume),
    workingDir: spec.workingDir,
    imagePullPolicy: spec.imagePullPolicy,
    pod: stripUndefined({
      serviceAccountName: spec.serviceAccountName,
      nodeSelector: { ...spec.nodeSelector },
      tolerations: (spec.tolerations ?? []).map((t) => stripUndefined({ ...t })),
      affinity: spec.affinity ? stripUndefined(plainCopy(spec.affinity)) : undefined,
      imagePullSecrets: [...(spec.imagePullSecrets ?? [])],
      labels: { ...spec.labels },
      annotations: { ...spec.annotations },
    }),
    security: stripUndefined({
      runAsUser: spec.securityContext?.runAsUser ?? DEFAULT_UID,
      runAsGroup: spec.securityContext?.runAsGroup ?? DEFAULT_UID,
      fsGroup: spec.securityContext?.fsGroup,
      readOnlyRootFilesystem: spec.securityContext?.readOnlyRootFilesystem ?? false,
    }),
    retry: spec.retry && normalizeRetry(spec.retry),
    timeoutSeconds: spec.timeout === undefined ? undefined : durationSeconds(spec.timeout),
    ownership: normalizeOwnership(spec, ownership),
    source,
  });
}

/** Owner, team and runbook: the spec's own, else `inherited`, field by field. */
export function normalizeOwnership(spec: Partial<IR.Ownership>, inherited: IR.Ownership = {}): IR.Ownership {
  return stripUndefined({ owner: spec.owner ?? inherited.owner, team: spec.team ?? inherited.team, runbookUrl: spec.runbookUrl ?? inherited.runbookUrl });
}

function normalizeRetry(r: RetryInput): IR.Retry {
  const codes = (xs: readonly number[] = []) => [...new Set(xs)].sort((a, b) => a - b);
  const seconds = (d: string | undefined) => (d === undefined ? undefined : durationSeconds(d));
  const b = r.backoff;
  return stripUndefined({
    limit: r.limit ?? 0, // a missing limit is GANTRY2030, reported before normalisation
    on: r.on ?? "failure",
    backoff: b && stripUndefined({ durationSeconds: durationSeconds(b.duration), factor: b.factor ?? 1, capSeconds: seconds(b.cap), maxDurationSeconds: seconds(b.maxDuration) }),
    onExitCodes: codes(r.onExitCodes),
    exceptExitCodes: codes(r.exceptExitCodes),
    totalTimeoutSeconds: seconds(r.totalTimeout),
  });
}

function normalizeVolume(v: VolumeInput): Volume {
  const mount = { name: v.name, mountPath: v.mountPath, readOnly: v.readOnly ?? false, subPath: v.subPath };
  const fileSource = (type: "configMap" | "secret", s: string | { name: string; items?: { key: string; path: string; mode?: number | undefined }[] | undefined; defaultMode?: number | undefined; optional?: boolean | undefined }) =>
    typeof s === "string" ? { type, name: s } : stripUndefined({ type, name: s.name, items: s.items?.map((i) => stripUndefined({ ...i })), defaultMode: s.defaultMode, optional: s.optional });
  let source: IR.VolumeSource;
  if ("configMap" in v) source = fileSource("configMap", v.configMap);
  else if ("secret" in v) source = fileSource("secret", v.secret);
  else if ("emptyDir" in v)
    source = stripUndefined({ type: "emptyDir" as const, medium: v.emptyDir.medium || undefined, sizeLimit: v.emptyDir.sizeLimit === undefined ? undefined : normalizeQuantity(v.emptyDir.sizeLimit) });
  else {
    const pvc = v.persistentVolumeClaim;
    source = typeof pvc === "string" ? { type: "persistentVolumeClaim", claimName: pvc } : stripUndefined({ type: "persistentVolumeClaim" as const, claimName: pvc.claimName, readOnly: pvc.readOnly });
  }
  return stripUndefined({ ...mount, source });
}

export function normalizeSchedule(s: NonNullable<PipelineOptionsInput["schedule"]>): IR.Schedule {
  return stripUndefined({
    crons: typeof s.cron === "string" ? [s.cron] : [...s.cron],
    timezone: s.timezone ?? "UTC",
    concurrencyPolicy: s.concurrencyPolicy ?? "Forbid",
    startingDeadlineSeconds: s.startingDeadlineSeconds,
    suspend: s.suspend ?? false,
  });
}

export function normalizeParameters(p: PipelineOptionsInput["parameters"]): IR.Parameter[] {
  return Object.entries(p ?? {}).map(([name, spec]) =>
    stripUndefined({
      name,
      // A list is passed as JSON text, the form Argo's withParam reads.
      default: spec.default === undefined ? undefined : Array.isArray(spec.default) ? JSON.stringify(spec.default) : String(spec.default),
      description: spec.description,
      enum: spec.enum && [...spec.enum],
    }),
  );
}

/**
 * A deep copy of plain data. The schema passes affinity terms through as written (`z.unknown()`),
 * and the IR must not share objects with the evaluated module: those are keys of its origin
 * tables, which point into its syntax tree, and would keep the tree alive as long as the IR.
 */
function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, plainCopy(v));
  return out as T;
}

/**
 * Without the keys whose value is undefined, so the IR prints identically however it was built.
 * A copy, not `delete`: deleting a property turns an object into a slow dictionary for every later
 * read (the hash, the backend and YAML read each IR object several times).
 */
export function stripUndefined<T extends object>(o: T): T {
  let some = false;
  for (const k in o) if (o[k] === undefined) (some = true);
  if (!some) return o;
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) setOwn(out, k, o[k]);
  return out;
}
