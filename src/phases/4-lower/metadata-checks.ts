/**
 * Checks of the metadata a plan puts on objects: labels a pipeline or task sets that Gantry owns
 * (`reservedLabelKeys`), which are left out of the output, so say so where they were written rather
 * than drop them silently; and annotations past Kubernetes' size limit.
 */
import type { Diagnostic, FieldRef } from "../../diagnostics/index.js";
import { oncePerFinding } from "../../diagnostics/once-per-finding.js";
import type * as IR from "../../ir/index.js";
import type { Plan } from "./plan.js";

export function checkReservedLabels(pipeline: IR.Pipeline, reserved: ReadonlySet<string>): Diagnostic[] {
  const report = (labels: Record<string, string>, owner: string, source: IR.SourceRef, task?: string): Diagnostic[] => {
    const out: Diagnostic[] = [];
    for (const key in labels) {
      if (!reserved.has(key)) continue;
      out.push({
        code: "GANTRY2028",
        severity: "warning",
        message: `${owner}: label "${key}" is Gantry's own, so its value "${labels[key]}" is not used`,
        span: { file: source.file, line: source.line, column: source.column },
        hint: "Gantry sets this label itself (or leaves it out where it does not apply), and selectors rely on it; use a key of your own.",
        field: { ...(task !== undefined && { task }), path: ["labels", key], key: true } satisfies FieldRef,
      });
    }
    return out;
  };
  // A label in defaults.labels reaches every task: one warning naming them.
  return [...report(pipeline.labels, `pipeline "${pipeline.name}"`, pipeline.source), ...oncePerFinding(pipeline.tasks, (t, subject) => report(t.pod.labels, subject, t.source, t.name))];
}

/** The API server refuses an object whose annotations (keys and values) pass 256 KiB. */
const MAX_ANNOTATION_BYTES = 256 * 1024;

export function checkAnnotationSizes(plan: Plan): Diagnostic[] {
  const problems = [annotationSizeProblem(plan.annotations, `pipeline "${plan.pipeline.name}"`, plan.pipeline.source)];
  for (const p of plan.tasks) problems.push(annotationSizeProblem(p.annotations, `task "${p.task.name}"`, p.task.source));
  return problems.filter((d) => d !== undefined);
}

/** GANTRY2012 when `annotations` pass the limit; backends check again after adding their own (Argo's description). */
export function annotationSizeProblem(annotations: Record<string, string>, owner: string, source: IR.SourceRef): Diagnostic | undefined {
  // Every task of every pipeline passes here: count UTF-16 units first (at most 3 UTF-8 bytes
  // each), and bytes only for the rare object that could be over.
  let units = 0;
  for (const k in annotations) units += k.length + annotations[k]!.length;
  if (units * 3 <= MAX_ANNOTATION_BYTES) return undefined;
  let bytes = 0;
  for (const k in annotations) bytes += Buffer.byteLength(k) + Buffer.byteLength(annotations[k]!);
  if (bytes <= MAX_ANNOTATION_BYTES) return undefined;
  return {
    code: "GANTRY2012",
    severity: "error",
    message: `${owner}: its annotations, Gantry's included, are ${bytes} bytes; Kubernetes refuses objects whose annotations pass ${MAX_ANNOTATION_BYTES} bytes (256 KiB)`,
    span: { file: source.file, line: source.line, column: source.column },
    hint: "Annotations are for short metadata: keep large text (owner, team, descriptions) in a ConfigMap or a linked document.",
  };
}
