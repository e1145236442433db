import type { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

/** `(x)`, `x as T`, `x satisfies T`, `<T>x`, `x!`: types do not change values. */
export const Transparent: ExpressionVisitor<
  ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.TypeAssertion | ts.NonNullExpression
> = (node, scope, ev) => ev.evaluate(node.expression, scope);
