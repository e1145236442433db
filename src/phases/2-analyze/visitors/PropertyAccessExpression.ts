import { ts } from "ts-morph";
import { SHORT_CIRCUIT, StaticError } from "../errors.js";
import type { ExpressionVisitor } from "./types.js";

export const PropertyAccessExpression: ExpressionVisitor<ts.PropertyAccessExpression> = (node, scope, ev) => {
  if (ts.isIdentifier(node.expression) && node.expression.text === "Math" && node.name.text === "random" && !scope.lookup("Math")) {
    throw new StaticError("GANTRY1105", node, "`Math.random` has no value at compile time: random values differ on every run", "Pass the value as a pipeline parameter, or derive it from static data.");
  }
  const obj = ev.evaluate(node.expression, scope);
  if (obj === SHORT_CIRCUIT || (node.questionDotToken && (obj === null || obj === undefined))) return SHORT_CIRCUIT;
  return ev.member(obj, node.name.text, node);
};

