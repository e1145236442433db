import { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import { Scope } from "../scope.js";
import type { StatementVisitor } from "./types.js";

/**
 * `switch`, as JavaScript runs it: the case expressions are evaluated in order until one is `===`
 * the value (those after `default` too), else `default` is entered wherever it stands; statements
 * then run on through the following clauses until `break`. The clauses share one block scope, in
 * which the case expressions are evaluated too: they see its hoisted functions, and its `let` and
 * `const` names in their dead zone, not an outer binding of the same name.
 */
export const SwitchStatement: StatementVisitor<ts.SwitchStatement> = (node, scope, ev) => {
  const value = ev.evaluate(node.expression, scope);
  requireStatic(value, node.expression, "this switch");
  const clauses = node.caseBlock.clauses;
  const statements = clauses.flatMap((clause) => clause.statements);
  const block = new Scope(scope);
  ev.declareBlock(statements, block);
  let entered = clauses.findIndex((clause) => {
    if (!ts.isCaseClause(clause)) return false;
    const label = ev.evaluate(clause.expression, block);
    requireStatic(label, clause.expression, "this case");
    return label === value;
  });
  if (entered < 0) entered = clauses.findIndex(ts.isDefaultClause);
  if (entered < 0) return NORMAL;
  const from = clauses.slice(0, entered).reduce((n, clause) => n + clause.statements.length, 0);
  const completion = ev.runDeclared(statements, block, from);
  // An unlabelled `break` ends the switch; `continue` and `return` belong to what encloses it.
  return completion.kind === "break" ? NORMAL : completion;
};
