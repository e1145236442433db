import type { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { unsupported } from "../evaluator.js";
import type { ExpressionVisitor } from "./types.js";

/** Constructs with a dedicated diagnostic, because users reach for them often. */
export const NewExpression: ExpressionVisitor<ts.NewExpression> = (node) => {
  const name = node.expression.getText();
  if (name === "Date") {
    throw new StaticError("GANTRY1105", node, "`new Date()` has no value at compile time: the current date differs on every run", "Declare a pipeline parameter for the date, or use the target's runtime variables (e.g. Argo's `{{workflow.creationTimestamp}}`).");
  }
  throw new StaticError("GANTRY1106", node, `\`new ${name}(...)\` is not evaluated at compile time`, "Use plain objects and functions instead of classes.");
};

export const AwaitExpression: ExpressionVisitor<ts.AwaitExpression> = (node) => {
  throw new StaticError("GANTRY1107", node, "`await` is not evaluated at compile time", "Pipelines are synchronous data; compute the value statically or pass it as a parameter.");
};

export const RegularExpressionLiteral: ExpressionVisitor<ts.RegularExpressionLiteral> = (node) => {
  throw unsupported(node, "Use string methods with string arguments (split, replaceAll, startsWith).");
};
