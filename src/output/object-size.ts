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

export function objectSizeDiagnostics(objects: readonly Record<string, unknown>[], yaml: string, ir: IR.Pipeline): Diagnostic[] {
  if (yaml.length * 3 < YAML_CHECK_FROM || Buffer.byteLength(yaml, "utf8") < YAML_CHECK_FROM) return [];
  const out: Diagnostic[] = [];
  for (const object of objects) {
    const bytes = Buffer.byteLength(JSON.stringify(object), "utf8");
    if (bytes <= ANNOTATION_LIMIT_BYTES) continue;
    const meta = object["metadata"] as { name?: string; generateName?: string } | undefined;
    out.push({
      code: "GANTRY4026",
      severity: "warning",
      message: `pipeline "${ir.name}": its ${String(object["kind"])} ${meta?.name ?? meta?.generateName ?? ""} is ${Math.ceil(bytes / 1024)} KiB as JSON, more than the 256 KiB that client-side \`kubectl apply\` (and Argo CD by default) can record in its last-applied-configuration annotation, so applying it that way fails`,
      span: { file: ir.source.file, line: ir.source.line, column: ir.source.column },
      hint: "Apply it server-side (`kubectl apply --server-side`; in Argo CD, the `ServerSideApply=true` sync option), or split the pipeline. Long task names make every `depends` that lists them longer.",
    });
  }
  return out;
}
