/**
 * "One run reports every independent problem": when the schema rejects some fields of a
 * declaration, the other fields still get their value checks (quantities, durations, names...) in
 * the same run. The part that validated is the declaration without every field a schema issue is
 * about, checked again; the rejected fields are reported by their schema issue alone, so nothing
 * is reported twice.
 */
import type { z } from "zod";
import { setOwn } from "../../../util/own-property.js";

type Issue = z.core.$ZodIssue;

/**
 * The fields of the value at `under` that an issue is about: the next key of each issue's path
 * below it (an unknown field: its name). `undefined` when an issue is about that value as a whole
 * (not an object, say): then no part of it validated.
 */
export function invalidFields(issues: readonly Issue[], under: readonly PropertyKey[] = []): Set<PropertyKey> | undefined {
  const out = new Set<PropertyKey>();
  for (const issue of issues) {
    if (issue.path.length < under.length || under.some((k, i) => issue.path[i] !== k)) continue;
    const next = issue.path[under.length];
    if (next !== undefined) out.add(next);
    else if (issue.code === "unrecognized_keys") for (const k of issue.keys) out.add(k);
    else return undefined;
  }
  return out;
}

/** A copy of a plain object's own fields but those in `drop`; `undefined` if `value` is not an object. */
export function without(value: unknown, drop: ReadonlySet<PropertyKey>): Record<string, unknown> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) if (!drop.has(k)) setOwn(out, k, (value as Record<string, unknown>)[k]);
  return out;
}

/**
 * The fields of `value` no issue is about, parsed with `schema` (every field optional), and the
 * names of the fields left out. `undefined` when nothing of it validated.
 */
export function validPart<T>(value: unknown, issues: readonly Issue[], schema: z.ZodType<T>): { data: T; invalid: ReadonlySet<PropertyKey> } | undefined {
  const invalid = invalidFields(issues);
  const rest = invalid && without(value, invalid);
  if (!invalid || !rest) return undefined;
  const parsed = schema.safeParse(rest);
  return parsed.success ? { data: parsed.data, invalid } : undefined;
}
