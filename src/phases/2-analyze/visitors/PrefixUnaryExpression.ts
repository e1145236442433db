import { ts } from "ts-morph";
import { hostFailure, StaticError } from "../errors.js";
import { unsupported } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import type { Evaluator } from "../evaluator.js";
import type { Scope } from "../scope.js";
import { increment } from "./assignment.js";
import { skipTransparent } from "./transparent.js";
import type { ExpressionVisitor } from "./types.js";

export const PrefixUnaryExpression: ExpressionVisitor<ts.PrefixUnaryExpression> = (node, scope, ev) => {
  if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) return counted(node, scope, ev);
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

export const PostfixUnaryExpression: ExpressionVisitor<ts.PostfixUnaryExpression> = (node, scope, ev) => counted(node, scope, ev);

/** `o.k++` counts in an object the code built; `i++` would reassign a variable, which has one value. */
function counted(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, scope: Scope, ev: Evaluator): unknown {
  const target = skipTransparent(node.operand);
  if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) return increment(node, scope, ev);
  throw new StaticError("GANTRY1104", node, "increments and decrements of a variable are not evaluated at compile time", "Loop with `for...of` or `.map` over a static array instead of a counter; to count, use an object property (`counts[k] = (counts[k] ?? 0) + 1`).");
}

export const TypeOfExpression: ExpressionVisitor<ts.TypeOfExpression> = (node, scope, ev) => typeof ev.evaluate(node.expression, scope);
