/**
 * A pipeline parameter (`p.params.x`, `parameterPlaceholder("x")`) is the text `{{params.x}}`
 * until a run starts. Where a field must be known when the pipeline is compiled (a namespace, a
 * schedule, a task or volume name, a quantity, a duration...), the field's rule rejects that text
 * with a reason about its characters (`contains invalid character "{"`), which hides the real
 * problem. Each rule's caller asks here first, and only once the rule has failed, so valid values
 * cost nothing.
 */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";
import { ITEM_PLACEHOLDER, PARAMETER_PATTERN } from "../../../ir/placeholders.js";

/**
 * The name of the first parameter placeholder in `value` (spaces inside the braces tolerated, as
 * written by hand), if any; `ITEM_PLACEHOLDER` for a value that holds `p.item` (a fan-out's item),
 * which is known at run time too, and which GANTRY2047 reports wherever a value must be fixed.
 */
export function parameterIn(value: string): string | undefined {
  if (!value.includes("{{")) return undefined;
  for (const m of value.matchAll(PARAMETER_PATTERN)) return m[1] ?? "";
  return value.includes(ITEM_PLACEHOLDER) ? ITEM_PLACEHOLDER : undefined;
}

const HINT = "Use a constant here. To vary it, declare one pipeline per value (for example a function that returns the pipeline for one environment, called for each).";

/**
 * GANTRY1112 (the code analysis uses for a parameter used as a static value) when `value`, which a
 * rule has rejected, holds a parameter placeholder. `what` names the field as written (with its
 * value), `kind` what it is ("a namespace"). Returns whether it reported: if not, the caller
 * reports the rule's own reason.
 */
export function reportRuntimeParameter(bag: DiagnosticBag, value: string, what: string, kind: string, span: Span | undefined): boolean {
  const name = parameterIn(value);
  if (name === undefined) return false;
  if (name === ITEM_PLACEHOLDER) return true; // checks/for-each.ts reports it, as GANTRY2047
  bag.error("GANTRY1112", `${what} uses pipeline parameter "${name}", whose value is only known when a run starts; ${kind} must be fixed when the pipeline is compiled`, span, HINT);
  return true;
}
