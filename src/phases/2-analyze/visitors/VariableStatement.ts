import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { NORMAL } from "../evaluator.js";
import type { StatementVisitor } from "./types.js";

export const VariableStatement: StatementVisitor<ts.VariableStatement> = (node, scope, ev) => {
  const list = node.declarationList;
  // AwaitUsing shares bits with Const, so compare the whole block-scope field.
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  if (kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing) throw new StaticError("GANTRY1100", node, "`using` declarations are not evaluated at compile time");
  for (const decl of list.declarations) {
    const value = decl.initializer ? ev.evaluate(decl.initializer, scope) : undefined;
    ev.bind(decl.name, value, scope, decl, decl.initializer && ev.originOf(decl.initializer, scope));
  }
  return NORMAL;
};
