import type { ts } from "ts-morph";
import { SHORT_CIRCUIT, StaticError } from "../errors.js";
import { requireStatic } from "../runtime-values.js";
import type { Evaluator } from "../evaluator.js";
import type { Scope } from "../scope.js";
import type { ExpressionVisitor } from "./types.js";

export const ElementAccessExpression: ExpressionVisitor<ts.ElementAccessExpression> = (node, scope, ev) => {
  const obj = ev.evaluate(node.expression, scope);
  if (obj === SHORT_CIRCUIT || (node.questionDotToken && (obj === null || obj === undefined))) return SHORT_CIRCUIT;
  return ev.member(obj, elementKey(node, obj, scope, ev), node);
};

/** The key of `obj[k]`, read or assigned: static, never an object or a function, converted as JavaScript converts it. */
export function elementKey(node: ts.ElementAccessExpression, obj: unknown, scope: Scope, ev: Evaluator): PropertyKey {
  const key = ev.evaluate(node.argumentExpression, scope);
  requireStatic(key, node.argumentExpression, "this index");
  if ((typeof key === "object" && key !== null) || typeof key === "function") {
    throw new StaticError("GANTRY1109", node.argumentExpression, `cannot index with a${typeof key === "object" ? "n object" : " function"}`, "Index with a string or a number.");
  }
  // `o[true]` is "true", `a[undefined]` "undefined"; an index stays a number for arrays and strings.
  return typeof key === "number" && (Array.isArray(obj) || typeof obj === "string") ? key : String(key);
}
