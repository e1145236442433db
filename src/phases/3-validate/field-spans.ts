import type { Diagnostic, FieldRef, Span } from "../../diagnostics/index.js";
import type { DeclarationUnit } from "./locator.js";

/**
 * Places the findings of lowering and the backends (`Diagnostic.field`) at the value the author
 * wrote, as validation places its own. A task field the task leaves out is looked for in the
 * pipeline's `defaults`, where it came from. Without a position (a declaration built by running a
 * module, or evaluated without recording origins) a finding keeps its span: the task or pipeline.
 */
export function placeFields(diagnostics: readonly Diagnostic[], unit: DeclarationUnit): Diagnostic[] {
  return diagnostics.map((d) => {
    if (!d.field) return d;
    const { field, ...rest } = d;
    const span = fieldSpan(field, unit);
    return span ? { ...rest, span } : rest;
  });
}

/** The diagnostics without their `field`, for callers that have no declaration to place them in. */
export const withoutFields = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  diagnostics.map((d) => {
    if (!d.field) return d;
    const { field: _, ...rest } = d;
    return rest;
  });

function fieldSpan(field: FieldRef, { definition, locator }: DeclarationUnit): Span | undefined {
  const options: unknown = definition.options;
  const at = (root: unknown, path: readonly (PropertyKey | { name: string })[]): Span | undefined => {
    const keys = concrete(root, path);
    if (!keys) return undefined;
    return field.key ? locator.keyAt(root, keys) : locator.valueAt(root, keys);
  };
  if (field.task === undefined) return at(options, field.path);
  const spec = definition.tasks.find((t) => t.handle.name === field.task)?.spec;
  return at(spec, field.path) ?? at(options, ["defaults", ...field.path]);
}

/** `path` with each `{ name }` turned into the index of the item of that name; undefined when a step is not there. */
function concrete(root: unknown, path: readonly (PropertyKey | { name: string })[]): PropertyKey[] | undefined {
  const keys: PropertyKey[] = [];
  let current = root;
  for (const step of path) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = typeof step === "object" ? (Array.isArray(current) ? current.findIndex((item) => nameOf(item) === step.name) : -1) : step;
    if (key === -1 || !Object.hasOwn(current, key)) return undefined;
    const next: unknown = (current as Record<PropertyKey, unknown>)[key];
    if (next === undefined) return undefined;
    keys.push(key);
    current = next;
  }
  return keys;
}

const nameOf = (item: unknown): unknown => (typeof item === "object" && item !== null ? (item as { name?: unknown }).name : undefined);
