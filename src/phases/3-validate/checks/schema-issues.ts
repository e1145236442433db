import type { z } from "zod";
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";

/** Reports each zod issue as GANTRY2001 at the position where the offending value was written. */
export function reportSchemaIssues(
  bag: DiagnosticBag,
  error: z.ZodError,
  subject: string,
  at: (path: readonly PropertyKey[]) => Span | undefined,
): void {
  for (const issue of error.issues) {
    // Unknown keys are reported one by one, each at its own property.
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const field = formatPath(path);
      const message =
        key !== undefined
          ? `${subject}: unknown field ${field}`
          : `${subject}: ${field ? `${field}: ` : ""}${issue.message}`;
      bag.error("GANTRY2001", message, at(path), key !== undefined ? hintForUnknown(String(key)) : undefined);
    }
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

const hintForUnknown = (key: string) =>
  `Check the spelling of \`${key}\`; the editor lists the fields a task or pipeline accepts.`;
