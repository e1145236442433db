import type { ts } from "ts-morph";
import type { StatementVisitor } from "./types.js";

export const ReturnStatement: StatementVisitor<ts.ReturnStatement> = (node, scope, ev) => ({
  kind: "return",
  value: node.expression ? ev.evaluate(node.expression, scope) : undefined,
});
