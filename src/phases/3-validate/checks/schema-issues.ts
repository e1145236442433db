import type { z } from "zod";
import { closestName } from "../../../util/closest-name.js";
import { schemaKeysAt } from "../../../util/schema-keys.js";
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import { reportRuntimeParameter } from "./runtime-parameters.js";
import type { Where } from "./where.js";

/**
 * Reports each zod issue as GANTRY2001 where the offending value (or, for an unknown field, its
 * name) was written; a pipeline parameter where the schema wants a number, a boolean or one of a
 * few words is GANTRY1112 instead (`retry.limit: p.params.n` read "expected number, received string").
 */
export function reportSchemaIssues(bag: DiagnosticBag, error: z.ZodError, subject: string, where: Where, input?: unknown, schema?: z.ZodType): void {
  for (const issue of error.issues) {
    const value = input === undefined ? undefined : valueIn(input, issue.path);
    // Not where no value is allowed (a teardown's `trigger`): a constant would not do either.
    if (typeof value === "string" && issue.code !== "unrecognized_keys" && !(issue.code === "invalid_type" && issue.expected === "never")) {
      const field = formatPath(issue.path);
      if (reportRuntimeParameter(bag, value, `${subject}: ${field} "${value}"`, `\`${field}\``, where.value(issue.path))) continue;
    }
    // Unknown keys are reported one by one, each at its own property.
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const field = formatPath(path);
      const message =
        key !== undefined
          ? `${subject}: unknown field ${field}`
          : `${subject}: ${field ? `${field}: ` : ""}${issue.message}`;
      const known = key !== undefined && schema ? schemaKeysAt(schema, issue.path) : [];
      bag.error("GANTRY2001", message, key !== undefined ? where.key(path) : where.value(path), key !== undefined ? hintForUnknown(String(key), path, known) : undefined);
    }
  }
}

/** The value at `path` in `input` (own properties only), if any. */
function valueIn(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** Task fields that are not `defaults` fields (docs/dsl.md "Defaults and how they merge"): each task says them itself. */
const TASK_ONLY = new Set(["image", "command", "args", "source", "after", "setups", "allowFailure", "trigger", "when"]);
/** Task fields whose defaults are the pipeline options of the same names. */
const FROM_PIPELINE = new Set(["owner", "team", "runbookUrl"]);

function hintForUnknown(key: string, path: readonly PropertyKey[], known: readonly string[]): string {
  const inDefaults = path.length === 2 && path[0] === "defaults";
  if (inDefaults && TASK_ONLY.has(key)) return `\`${key}\` is a task field that \`defaults\` does not take: each task gives its own (a shared spec spread into each, \`{ ...base, ... }\`, does the same).`;
  if (inDefaults && FROM_PIPELINE.has(key)) return `Set \`${key}\` among the pipeline options instead: that is the default of every task's \`${key}\`.`;
  const meant = closestName(key, known);
  if (meant !== undefined) return `Did you mean \`${meant}\`?`;
  return `Check the spelling of \`${key}\`; the editor lists the fields a task or pipeline accepts.`;
}
