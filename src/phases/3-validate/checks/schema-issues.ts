import type { z } from "zod";
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import type { Where } from "./where.js";

/** Reports each zod issue as GANTRY2001 where the offending value (or, for an unknown field, its name) was written. */
export function reportSchemaIssues(bag: DiagnosticBag, error: z.ZodError, subject: string, where: Where): void {
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
      bag.error("GANTRY2001", message, key !== undefined ? where.key(path) : where.value(path), key !== undefined ? hintForUnknown(String(key)) : undefined);
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
