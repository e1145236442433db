import type { ts } from "ts-morph";
import { SHORT_CIRCUIT, StaticError } from "../errors.js";
import { requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

export const ElementAccessExpression: ExpressionVisitor<ts.ElementAccessExpression> = (node, scope, ev) => {
  const obj = ev.evaluate(node.expression, scope);
  if (obj === SHORT_CIRCUIT || (node.questionDotToken && (obj === null || obj === undefined))) return SHORT_CIRCUIT;
  const key = ev.evaluate(node.argumentExpression, scope);
  requireStatic(key, node.argumentExpression, "this index");
  if ((typeof key === "object" && key !== null) || typeof key === "function") {
    throw new StaticError("GANTRY1109", node.argumentExpression, `cannot index with a${typeof key === "object" ? "n object" : " function"}`, "Index with a string or a number.");
  }
  // As JavaScript converts a key: `o[true]` reads "true", `a[undefined]` reads "undefined".
  return ev.member(obj, typeof key === "number" && (Array.isArray(obj) || typeof obj === "string") ? key : String(key), node);
};
