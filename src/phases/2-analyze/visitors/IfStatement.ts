import type { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import { Scope } from "../scope.js";
import { requireStatic } from "../runtime-values.js";
import type { StatementVisitor } from "./types.js";

export const IfStatement: StatementVisitor<ts.IfStatement> = (node, scope, ev) => {
  const condition = ev.evaluate(node.expression, scope);
  requireStatic(condition, node.expression, "this condition");
  const branch = condition ? node.thenStatement : node.elseStatement;
  return branch ? ev.executeBlock([branch], new Scope(scope)) : NORMAL;
};
