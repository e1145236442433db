import type { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

export const ConditionalExpression: ExpressionVisitor<ts.ConditionalExpression> = (node, scope, ev) =>
  ev.evaluate(node.condition, scope) ? ev.evaluate(node.whenTrue, scope) : ev.evaluate(node.whenFalse, scope);
