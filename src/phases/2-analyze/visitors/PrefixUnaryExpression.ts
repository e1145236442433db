import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { unsupported } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

export const PrefixUnaryExpression: ExpressionVisitor<ts.PrefixUnaryExpression> = (node, scope, ev) => {
  if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
    throw new StaticError("GANTRY1104", node, "increments and decrements are not evaluated at compile time", "Loop with `for...of` or `.map` over a static array instead of a counter.");
  }
  const v = ev.evaluate(node.operand, scope) as number;
  requireStatic(v, node, `\`${node.getText()}\``);
  switch (node.operator) {
    case ts.SyntaxKind.ExclamationToken: return !v;
    case ts.SyntaxKind.MinusToken: return -v;
    case ts.SyntaxKind.PlusToken: return +v;
    default: throw unsupported(node);
  }
};

export const PostfixUnaryExpression: ExpressionVisitor<ts.PostfixUnaryExpression> = (node) => {
  throw new StaticError("GANTRY1104", node, "increments and decrements are not evaluated at compile time", "Loop with `for...of` or `.map` over a static array instead of a counter.");
};

export const TypeOfExpression: ExpressionVisitor<ts.TypeOfExpression> = (node, scope, ev) => typeof ev.evaluate(node.expression, scope);
