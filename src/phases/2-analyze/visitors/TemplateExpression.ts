import type { ts } from "ts-morph";
import { hostFailure } from "../errors.js";
import type { ExpressionVisitor } from "./types.js";

/** `a${b}c`: the same string conversion JavaScript applies, failing where it would fail. */
export const TemplateExpression: ExpressionVisitor<ts.TemplateExpression> = (node, scope, ev) => {
  let out = node.head.text;
  for (const span of node.templateSpans) {
    const value = ev.evaluate(span.expression, scope);
    try {
      out += String(value) + span.literal.text;
    } catch (e) {
      throw hostFailure(span.expression, e);
    }
  }
  return out;
};
