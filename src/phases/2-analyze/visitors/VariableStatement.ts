import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { NORMAL } from "../evaluator.js";
import type { StatementVisitor } from "./types.js";

/**
 * `var` in a function or block: JavaScript scopes it to the whole function, so a block's `var`
 * is visible after the block, which Gantry's block scopes would not reproduce. (At module level
 * the two agree, and `var` is evaluated there.) And `using`, in a statement or a loop's head:
 * disposal is not evaluated.
 */
export function rejectVar(list: ts.VariableDeclarationList): void {
  // AwaitUsing shares bits with Const, so compare the whole block-scope field.
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  if (kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing) throw new StaticError("GANTRY1100", list, "`using` declarations are not evaluated at compile time");
  if (!(list.flags & ts.NodeFlags.BlockScoped)) {
    throw new StaticError("GANTRY1100", list, "`var` inside a function or block is not evaluated at compile time", "Use `const` (or `let` never reassigned): `var` is scoped to the whole function, not the block.");
  }
}

export const VariableStatement: StatementVisitor<ts.VariableStatement> = (node, scope, ev) => {
  const list = node.declarationList;
  rejectVar(list);
  for (const decl of list.declarations) {
    const value = decl.initializer ? ev.evaluate(decl.initializer, scope) : undefined;
    ev.bind(decl.name, value, scope, decl, decl.initializer && ev.originOf(decl.initializer, scope));
  }
  return NORMAL;
};
