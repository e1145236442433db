import type { ts } from "ts-morph";
import { requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

export const ConditionalExpression: ExpressionVisitor<ts.ConditionalExpression> = (node, scope, ev) => {
  const condition = ev.evaluate(node.condition, scope);
  requireStatic(condition, node.condition, "this condition");
  return condition ? ev.evaluate(node.whenTrue, scope) : ev.evaluate(node.whenFalse, scope);
};
