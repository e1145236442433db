import type { ts } from "ts-morph";
import { ARRAY_CONSTRUCTOR_HINT, notEvaluated } from "../builtins.js";
import { StaticError } from "../errors.js";
import { unsupported } from "../evaluator.js";
import type { ExpressionVisitor } from "./types.js";

/**
 * Constructs with a dedicated diagnostic, because users reach for them often. A built-in class
 * (one the module does not declare itself) gets what to write instead.
 */
export const NewExpression: ExpressionVisitor<ts.NewExpression> = (node, scope) => {
  const name = node.expression.getText();
  const builtin = scope.lookup(name) === undefined;
  if (name === "Date" && builtin && !node.arguments?.length) {
    throw new StaticError("GANTRY1105", node, "`new Date()` has no value at compile time: the current date differs on every run", "Declare a pipeline parameter for the date, or use the target's runtime variables (e.g. Argo's `{{workflow.creationTimestamp}}`).");
  }
  if (name === "Date" && builtin) {
    // A fixed date is the same on every run, but Gantry keeps no Date objects, and most of their methods read the machine's time zone.
    throw new StaticError("GANTRY1106", node, "`new Date(...)` is not evaluated at compile time, even of a fixed date", "Write the date as the string you need (\"2024-01-01T00:00:00Z\"), or declare a pipeline parameter for it.");
  }
  const hint = !builtin ? undefined : name === "Array" ? ARRAY_CONSTRUCTOR_HINT : notEvaluated.get(name);
  throw new StaticError("GANTRY1106", node, `\`new ${name}(...)\` is not evaluated at compile time`, hint ?? "Use plain objects and functions instead of classes.");
};

export const AwaitExpression: ExpressionVisitor<ts.AwaitExpression> = (node) => {
  throw new StaticError("GANTRY1107", node, "`await` is not evaluated at compile time", "Pipelines are synchronous data; compute the value statically or pass it as a parameter.");
};

export const RegularExpressionLiteral: ExpressionVisitor<ts.RegularExpressionLiteral> = (node) => {
  throw unsupported(node, "Use string methods with string arguments (split, replaceAll, startsWith).");
};
