import type { ts } from "ts-morph";
import { SHORT_CIRCUIT, StaticError } from "../errors.js";
import { requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

export const ElementAccessExpression: ExpressionVisitor<ts.ElementAccessExpression> = (node, scope, ev) => {
  const obj = ev.evaluate(node.expression, scope);
  if (obj === SHORT_CIRCUIT || (node.questionDotToken && (obj === null || obj === undefined))) return SHORT_CIRCUIT;
  const key = ev.evaluate(node.argumentExpression, scope);
  requireStatic(key, node.argumentExpression, "this index");
  if (typeof key !== "string" && typeof key !== "number") {
    throw new StaticError("GANTRY1109", node.argumentExpression, `cannot index with a ${key === null ? "null" : typeof key}`);
  }
  return ev.member(obj, typeof key === "number" && !Array.isArray(obj) && typeof obj !== "string" ? String(key) : key, node);
};
