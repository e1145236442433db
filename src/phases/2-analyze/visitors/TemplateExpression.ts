import type { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

/** `a${b}c`: the same string conversion JavaScript applies. */
export const TemplateExpression: ExpressionVisitor<ts.TemplateExpression> = (node, scope, ev) => {
  let out = node.head.text;
  for (const span of node.templateSpans) out += String(ev.evaluate(span.expression, scope)) + span.literal.text;
  return out;
};
