import { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

type TransparentNode = ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.TypeAssertion | ts.NonNullExpression;

/** `(x)`, `x as T`, `x satisfies T`, `<T>x`, `x!`: types do not change values. */
export const Transparent: ExpressionVisitor<TransparentNode> = (node, scope, ev) => ev.evaluate(node.expression, scope);

/** Whether a node only wraps its expression (parentheses or type-only syntax), as far as values go. */
export const isTransparent = (n: ts.Node): n is TransparentNode =>
  ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n) || ts.isNonNullExpression(n);

/** The expression inside any transparent wrappers. */
export function skipTransparent(e: ts.Expression): ts.Expression {
  while (isTransparent(e)) e = e.expression;
  return e;
}
