import { ts } from "ts-morph";
import { hostFailure, StaticError } from "../errors.js";
import { unsupported } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

export const PrefixUnaryExpression: ExpressionVisitor<ts.PrefixUnaryExpression> = (node, scope, ev) => {
  if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
    throw new StaticError("GANTRY1104", node, "increments and decrements are not evaluated at compile time", "Loop with `for...of` or `.map` over a static array instead of a counter.");
  }
  const v = ev.evaluate(node.operand, scope) as number;
  requireStatic(v, node, `\`${node.getText()}\``);
  if (node.operator === ts.SyntaxKind.ExclamationToken) return !v;
  if (node.operator !== ts.SyntaxKind.MinusToken && node.operator !== ts.SyntaxKind.PlusToken) throw unsupported(node);
  try {
    return node.operator === ts.SyntaxKind.MinusToken ? -v : +v;
  } catch (e) {
    throw hostFailure(node, e); // an object JavaScript cannot convert to a number
  }
};

export const PostfixUnaryExpression: ExpressionVisitor<ts.PostfixUnaryExpression> = (node) => {
  throw new StaticError("GANTRY1104", node, "increments and decrements are not evaluated at compile time", "Loop with `for...of` or `.map` over a static array instead of a counter.");
};

export const TypeOfExpression: ExpressionVisitor<ts.TypeOfExpression> = (node, scope, ev) => typeof ev.evaluate(node.expression, scope);
