/**
 * GANTRY4026: an emitted object too large for `kubectl apply` as most GitOps setups run it.
 * Client-side apply (kubectl's default, and Argo CD's) stores the whole object as JSON in its
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server refuses
 * annotations above 256 KiB in total (apimachinery's TotalAnnotationSizeLimitB). Wide pipelines
 * with long task names get there: each teardown's `depends` names every task of its scope.
 */
import type { Diagnostic } from "../diagnostics/index.js";
import type * as IR from "../ir/index.js";

const ANNOTATION_LIMIT_BYTES = 256 * 1024;
/**
 * Below this many bytes of YAML no object can reach the limit as JSON: an object's JSON is shorter
 * than Gantry's block YAML of it (0.7-1.0 times on the examples), never twice as long, so most
 * compiles never serialise twice. (A UTF-16 code unit is at most 3 UTF-8 bytes.)
 */
const YAML_CHECK_FROM = 128 * 1024;

const LAST_APPLIED_KEY = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * The annotation bytes the API server counts once kubectl has recorded `object`: the recorded JSON
 * (Go's encoder writes each <, > and & as a six-byte \u003c escape) under its key, plus the
 * object's own annotations, keys and values, which the limit counts besides.
 */
function recordedBytes(json: string, bytes: number, object: Record<string, unknown>): number {
  let escaped = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26) escaped += 5;
  }
  const own = ((object["metadata"] as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
  const ownBytes = Object.entries(own).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  return bytes + escaped + LAST_APPLIED_KEY.length + ownBytes;
}

export function objectSizeDiagnostics(objects: readonly Record<string, unknown>[], yaml: string, ir: IR.Pipeline): Diagnostic[] {
  if (yaml.length * 3 < YAML_CHECK_FROM || Buffer.byteLength(yaml, "utf8") < YAML_CHECK_FROM) return [];
  const out: Diagnostic[] = [];
  for (const object of objects) {
    const json = JSON.stringify(object);
    const recorded = recordedBytes(json, Buffer.byteLength(json, "utf8"), object);
    if (recorded <= ANNOTATION_LIMIT_BYTES) continue;
    const meta = object["metadata"] as { name?: string; generateName?: string } | undefined;
    out.push({
      code: "GANTRY4026",
      severity: "warning",
      message: `pipeline "${ir.name}": its ${String(object["kind"])} ${meta?.name ?? meta?.generateName ?? ""} would need ${Math.ceil(recorded / 1024)} KiB of annotations once client-side \`kubectl apply\` (and Argo CD by default) records it as JSON in its last-applied-configuration annotation, more than the 256 KiB the API server accepts, so applying it that way fails`,
      span: { file: ir.source.file, line: ir.source.line, column: ir.source.column },
      hint: "Apply it server-side (`kubectl apply --server-side`; in Argo CD, the `ServerSideApply=true` sync option), or split the pipeline. Long task names make every `depends` that lists them longer.",
    });
  }
  return out;
}
