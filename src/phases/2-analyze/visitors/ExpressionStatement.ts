import type { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import type { StatementVisitor } from "./types.js";

export const ExpressionStatement: StatementVisitor<ts.ExpressionStatement> = (node, scope, ev) => {
  ev.evaluate(node.expression, scope);
  return NORMAL;
};
