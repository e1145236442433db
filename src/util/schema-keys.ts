import type { z } from "zod";

/**
 * The keys the object schema at `path` inside `schema` accepts, for "did you mean" hints on an
 * unknown key: through optional, nullable and default wrappers, arrays, records and unions (the
 * keys of every object option), lazy schemas and preprocessing. Empty where the path leads to no object schema.
 */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType[] = [schema];
  for (const step of path) at = at.flatMap((s) => childOf(s, step));
  return [...new Set(at.flatMap((s) => objectsOf(s).flatMap((o) => Object.keys(o._zod.def.shape))))];
}

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType>; in?: z.ZodType; out?: z.ZodType; getter?: () => z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** What a pipe validates with: its input schema, or for `z.preprocess` (a transform piped into a schema) the schema. */
const pipedTo = (def: Def): z.ZodType | undefined => (def.in && defOf(def.in).type === "transform" ? def.out : def.in);

/** The schema itself, or what its wrappers wrap, as object schemas (a union gives each option). */
function objectsOf(s: z.ZodType): { _zod: { def: { shape: Record<string, z.ZodType> } } }[] {
  const def = defOf(s);
  if (def.type === "object" && def.shape) return [s as unknown as { _zod: { def: { shape: Record<string, z.ZodType> } } }];
  if (def.innerType) return objectsOf(def.innerType);
  if (def.type === "pipe" && pipedTo(def)) return objectsOf(pipedTo(def)!);
  if (def.type === "lazy" && def.getter) return objectsOf(def.getter());
  if (def.type === "union" && def.options) return def.options.flatMap(objectsOf);
  return [];
}

function childOf(s: z.ZodType, step: PropertyKey): z.ZodType[] {
  const def = defOf(s);
  if (def.innerType) return childOf(def.innerType, step);
  if (def.type === "pipe" && pipedTo(def)) return childOf(pipedTo(def)!, step);
  if (def.type === "lazy" && def.getter) return childOf(def.getter(), step);
  if (def.type === "union" && def.options) return def.options.flatMap((o) => childOf(o, step));
  if (def.type === "array" && def.element && typeof step === "number") return [def.element];
  if (def.type === "record" && def.valueType) return [def.valueType];
  if (def.type === "object" && def.shape && typeof step === "string" && def.shape[step]) return [def.shape[step]];
  return [];
}
