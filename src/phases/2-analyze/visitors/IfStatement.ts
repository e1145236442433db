import type { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import { Scope } from "../scope.js";
import type { StatementVisitor } from "./types.js";

export const IfStatement: StatementVisitor<ts.IfStatement> = (node, scope, ev) => {
  const branch = ev.evaluate(node.expression, scope) ? node.thenStatement : node.elseStatement;
  return branch ? ev.executeBlock([branch], new Scope(scope)) : NORMAL;
};
