import { ts } from "ts-morph";
import { isStandIn } from "../builtins.js";
import { StaticError } from "../errors.js";
import { LIMITS, NORMAL, unsupported } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import { headScope, iteration } from "./ForOfStatement.js";
import type { StatementVisitor } from "./types.js";
import { rejectVar } from "./VariableStatement.js";

/**
 * `for (const key in obj)`: the keys `Object.keys` gives, taken when the loop starts (V8 does not
 * visit keys added while it runs), each skipped if it is gone by its turn (an array the body
 * shortened), as JavaScript specifies. The objects Gantry builds inherit no enumerable keys, so
 * these are all a run visits; `null` and `undefined` give no iterations. Built-ins and functions are
 * refused, as for `in`: their stand-ins lack members.
 */
export const ForInStatement: StatementVisitor<ts.ForInStatement> = (node, scope, ev) => {
  const init = node.initializer;
  if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1) throw unsupported(init, "Declare the loop variable with `const`.");
  rejectVar(init);
  const decl = init.declarations[0]!;
  const source = ev.evaluate(node.expression, headScope(decl, scope));
  requireStatic(source, node.expression, "`for...in`");
  if (typeof source === "function" || (source !== null && typeof source === "object" && isStandIn(source))) {
    throw new StaticError("GANTRY1102", node.expression, "`for...in` over a built-in or a function is not evaluated: Gantry's stand-ins for them lack members the real ones have", "Loop over your own objects, or over `Object.keys(obj)`.");
  }
  // A string's keys are its indices: its length is the count, known before listing them.
  const count = typeof source === "string" ? source.length : undefined;
  const keys = source === null || source === undefined || (count ?? 0) > LIMITS.loopIterations ? [] : Object.keys(source);
  if ((count ?? keys.length) > LIMITS.loopIterations) {
    throw new StaticError("GANTRY1108", node, `loop over ${count ?? keys.length} keys exceeds the limit of ${LIMITS.loopIterations}`, "A pipeline needs far fewer tasks than that; loop over a smaller object.");
  }
  for (const key of keys) {
    if (typeof source === "object" && !Object.hasOwn(source as object, key)) continue;
    const completion = iteration(node, decl, key, scope, ev);
    if (completion.kind === "break") break;
    if (completion.kind === "return") return completion;
  }
  return NORMAL;
};
