/**
 * Monitoring metadata, for every target: the labels and annotations of the pipeline's objects and of
 * each task's pod (docs/monitoring.md). Everything is computed from the IR, so it is the same bytes
 * on every compile: no timestamps, and the content hash is of the IR, never of output carrying it.
 */
import { createHash } from "node:crypto";
import type * as IR from "../../ir/index.js";
import { memoize } from "../../util/memo.js";
import { sortedKeys } from "../../util/sorted-keys.js";
import { effectiveRetry } from "./retry.js";
import type { Scopes } from "../../ir/scopes.js";

/** Label and annotation keys Gantry owns. */
export const GANTRY_PREFIX = "gantry.dev";

/** Gantry's label and annotation keys under a prefix (configurable: `labelPrefix`). */
export function metadataKeys(prefix = GANTRY_PREFIX) {
  return {
    // Kubernetes' recommended labels.
    name: "app.kubernetes.io/name",
    partOf: "app.kubernetes.io/part-of",
    component: "app.kubernetes.io/component",
    managedBy: "app.kubernetes.io/managed-by",
    // Labels.
    pipeline: `${prefix}/pipeline`,
    task: `${prefix}/task`,
    role: `${prefix}/role`,
    scope: `${prefix}/scope`,
    // A fan-out task's pods, and on the jobs target its copies' Jobs: the fan-out's name.
    fanOut: `${prefix}/fan-out`,
    // Annotations.
    source: `${prefix}/source`,
    pipelineHash: `${prefix}/pipeline-hash`,
    retry: `${prefix}/retry`,
    // Jobs target: the fields of that policy (and the timeout) the Job controller does not apply.
    notEnforced: `${prefix}/not-enforced`,
    scopes: `${prefix}/scopes`,
    // Jobs target: the item a fan-out's copy runs for.
    item: `${prefix}/item`,
    owner: `${prefix}/owner`,
    team: `${prefix}/team`,
    runbookUrl: `${prefix}/runbook-url`,
  } as const;
}

export type MetadataKeys = ReturnType<typeof metadataKeys>;

/**
 * Label keys under Gantry's prefix that Gantry sets, or leaves out on purpose (`scope` outside
 * scopes, `task` on the pipeline's objects, `fan-out` off fan-outs; `run` on the jobs target): selectors rely on them, so a
 * pipeline's or task's own value for one is never used (GANTRY2028).
 */
export function reservedLabelKeys(keys: MetadataKeys): ReadonlySet<string> {
  const prefix = keys.pipeline.slice(0, -"/pipeline".length);
  return new Set([keys.pipeline, keys.task, keys.role, keys.scope, keys.fanOut, `${prefix}/run`]);
}

/** `labels` without the reserved keys; the same object when it has none. */
export function withoutReserved(labels: Record<string, string>, reserved: ReadonlySet<string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k in labels) {
    if (!reserved.has(k)) continue;
    out ??= { ...labels };
    delete out[k];
  }
  return out ?? labels;
}

/** `app.kubernetes.io/component` of the pipeline's own objects; a task's pod has the task's name. */
export const PIPELINE_COMPONENT = "pipeline";

/**
 * The setups whose scope a task belongs to, outermost first (`chain`): for a setup, the scopes around
 * it and its own; for a teardown, its setups' and the ones around it; otherwise the enclosing setups.
 * A label holds one value, so `scope` is one of them: a setup's own, the innermost of a teardown's
 * setups (the scope it closes), else the innermost enclosing setup. Innermost: the setup with the
 * most setups around it, the later declared on a tie.
 */
export function scopeChains(pipeline: IR.Pipeline, scopes: Scopes): Map<string, { chain: string[]; scope?: string }> {
  const order = new Map(pipeline.tasks.map((t, i) => [t.name, i]));
  const depth = (s: string) => scopes.enclosing.get(s)?.length ?? 0;
  const nested = (xs: Iterable<string>) => [...new Set(xs)].sort((a, b) => depth(a) - depth(b) || order.get(a)! - order.get(b)!);
  return new Map(
    pipeline.tasks.map((t) => {
      const own = t.role === "setup" ? [t.name] : t.role === "teardown" ? nested(t.setups) : [];
      const chain = nested([...(scopes.enclosing.get(t.name) ?? []), ...own]);
      const scope = own.length > 0 ? own[own.length - 1] : chain[chain.length - 1];
      return [t.name, scope === undefined ? { chain } : { chain, scope }];
    }),
  );
}

/** A task as canonical JSON without its source position: what the pipeline hash is made of. */
export const taskJson = (task: IR.Task): string => writeObject(task as unknown as Record<string, unknown>, "source");

/**
 * `sha256:<hex>` of the IR as canonical JSON (keys sorted), without source positions: it changes
 * when what the pipeline does changes, not when its code moves down a line. Written without copying
 * the IR, from each task's `taskJson` when the caller has them: this runs over every field of every task.
 */
export function pipelineHash(pipeline: IR.Pipeline, tasksJson: readonly string[] = pipeline.tasks.map(taskJson)): string {
  const json = writeObject(pipeline as unknown as Record<string, unknown>, "source", "tasks", "[" + tasksJson.join(",") + "]");
  return `sha256:${createHash("sha256").update(json).digest("hex")}`;
}

/**
 * JSON with object keys sorted, so equal data prints equal bytes however it was built. The same
 * bytes as `JSON.stringify` over copies with sorted keys (integer-like keys first, in numeric order,
 * as JavaScript objects order them), written directly: hashing every pipeline must stay cheap.
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

const INDEX_KEY = /^(0|[1-9]\d{0,9})$/;
/** Integer-like keys ("0", "10"), which JavaScript objects enumerate first, in numeric order. */
const isIndex = (k: string) => {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_KEY.test(k) && Number(k) < 4294967295;
};
const byNumber = (a: string, b: string) => Number(a) - Number(b);

/** Keys repeat across every task of every pipeline: quote each once. */
const quoted = memoize((k: string): string => JSON.stringify(k), 10_000);

function write(v: unknown): string | undefined {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      if (Array.isArray(v)) {
        let out = "[";
        for (let i = 0; i < v.length; i++) out += (i > 0 ? "," : "") + (write(v[i]) ?? "null");
        return out + "]";
      }
      return writeObject(v as Record<string, unknown>);
    }
    default:
      return undefined; // undefined and functions are left out, as JSON.stringify does
  }
}

/** An object, without the key `omit`, and with `replaced` written as the given JSON. */
function writeObject(o: Record<string, unknown>, omit?: string, replaced?: string, replacement?: string): string {
  let keys = sortedKeys(o);
  if (keys.some(isIndex)) keys = [...keys.filter(isIndex).sort(byNumber), ...keys.filter((k) => !isIndex(k))];
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === omit) continue;
    const s = k === replaced ? replacement : write(o[k]);
    if (s !== undefined) out += (out.length > 1 ? "," : "") + quoted(k) + ":" + s;
  }
  return out + "}";
}

export function ownershipAnnotations(o: IR.Ownership, keys: MetadataKeys): Record<string, string> {
  return {
    ...(o.owner !== undefined && { [keys.owner]: o.owner }),
    ...(o.team !== undefined && { [keys.team]: o.team }),
    ...(o.runbookUrl !== undefined && { [keys.runbookUrl]: o.runbookUrl }),
  };
}

/** The effective retry policy as the `retry` annotation's JSON. */
export const retryAnnotation = (task: IR.Task): string => canonicalJson(effectiveRetry(task.retry));
