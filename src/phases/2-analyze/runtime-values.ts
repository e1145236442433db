/**
 * `p.params.x` evaluates to a placeholder string: the parameter's value exists only once a run
 * starts. Embedding it in strings is fine; computing with it would silently compute with the
 * placeholder's text, so those uses are reported where they happen.
 */
import type { ts } from "ts-morph";
import { PARAMETER_MARK, PARAMETER_PATTERN } from "../../ir/placeholders.js";
import { StaticError } from "./errors.js";

export const holdsParameter = (v: unknown): v is string => typeof v === "string" && v.includes(PARAMETER_MARK);

/** The name of the first parameter a string's placeholders name. */
export const parameterName = (value: string): string => [...value.matchAll(PARAMETER_PATTERN)][0]?.[1] ?? "?";

/** Throws GANTRY1112 if `value` holds a parameter placeholder; `use` says what was attempted. */
export function requireStatic(value: unknown, node: ts.Node, use: string): void {
  if (!holdsParameter(value)) return;
  const name = parameterName(value);
  throw new StaticError(
    "GANTRY1112",
    node,
    `${use} uses parameter "${name}", whose value is only known when a run starts`,
    `Parameters can be embedded in strings (template literals, \`+\`, join). To run a task only for some values, give it \`when: { param: p.params.${name}, equals: "..." }\` (docs/dsl.md, "Run-time conditions"); otherwise decide at run time inside the task (e.g. a shell test in its command), or make it a compile-time constant.`,
  );
}
