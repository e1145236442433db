import { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import { Scope } from "../scope.js";
import type { StatementVisitor } from "./types.js";

/**
 * `switch`, as JavaScript runs it: the case expressions are evaluated in order until one is `===`
 * the value (those after `default` too), else `default` is entered wherever it stands; statements
 * then run on through the following clauses until `break`. The clauses share one block scope.
 */
export const SwitchStatement: StatementVisitor<ts.SwitchStatement> = (node, scope, ev) => {
  const value = ev.evaluate(node.expression, scope);
  requireStatic(value, node.expression, "this switch");
  const clauses = node.caseBlock.clauses;
  let entered = clauses.findIndex((clause) => {
    if (!ts.isCaseClause(clause)) return false;
    const label = ev.evaluate(clause.expression, scope);
    requireStatic(label, clause.expression, "this case");
    return label === value;
  });
  if (entered < 0) entered = clauses.findIndex(ts.isDefaultClause);
  if (entered < 0) return NORMAL;
  const statements = clauses.flatMap((clause) => clause.statements);
  const from = clauses.slice(0, entered).reduce((n, clause) => n + clause.statements.length, 0);
  const completion = ev.executeBlock(statements, new Scope(scope), from);
  // An unlabelled `break` ends the switch; `continue` and `return` belong to what encloses it.
  return completion.kind === "break" ? NORMAL : completion;
};
