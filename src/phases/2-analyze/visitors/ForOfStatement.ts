import { ts } from "ts-morph";
import { arrayIterators } from "../builtins.js";
import { StaticError } from "../errors.js";
import { LIMITS, NORMAL, iterate, unsupported } from "../evaluator.js";
import { Scope } from "../scope.js";
import { boundNames } from "../syntax.js";
import type { Completion, Evaluator } from "../evaluator.js";
import type { StatementVisitor } from "./types.js";
import { rejectVar } from "./VariableStatement.js";

/** `for (const x of items)`: bounded by the static array it walks. */
export const ForOfStatement: StatementVisitor<ts.ForOfStatement> = (node, scope, ev) => {
  if (node.awaitModifier) throw new StaticError("GANTRY1107", node, "`for await` is not evaluated at compile time");
  const init = node.initializer;
  if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1) throw unsupported(init, "Declare the loop variable with `const`.");
  rejectVar(init);
  const decl = init.declarations[0]!;
  const source = ev.evaluate(node.expression, headScope(decl, scope));
  // An array's entries()/keys()/values() are walked step by step, as JavaScript does: it sees the
  // array grow under it, as a loop over the array itself does.
  const iterator = arrayIterators.has(source as object) ? (source as Iterator<unknown>) : undefined;
  const items = iterator ? undefined : iterate(source, node.expression, ev);
  if (items && items.length > LIMITS.loopIterations) {
    throw new StaticError("GANTRY1108", node, `loop over ${items.length} items exceeds the limit of ${LIMITS.loopIterations}`, "A pipeline needs far fewer tasks than that; loop over a smaller list.");
  }
  // Live, as JavaScript iterates an array: the body may push to the array it walks. The limit still
  // bounds a loop that keeps growing it.
  for (let i = 0; ; i++) {
    let item: unknown;
    if (iterator) {
      const step = iterator.next();
      if (step.done) break;
      item = step.value;
    } else if (i < items!.length) item = items![i];
    else break;
    if (i === LIMITS.loopIterations) {
      throw iterator
        ? new StaticError("GANTRY1108", node, `loop over more than ${LIMITS.loopIterations} items exceeds the limit`, "Loop over a smaller list; if the loop body adds to the array it iterates, build the list before the loop.")
        : new StaticError("GANTRY1108", node, `loop grew past the limit of ${LIMITS.loopIterations} items`, "The loop body adds to the array it iterates; build the list before the loop.");
    }
    const completion = iteration(node, decl, item, scope, ev, items && ev.origins.propertyNode(items, i));
    if (completion.kind === "break") break;
    if (completion.kind === "return") return completion;
  }
  return NORMAL;
};

/**
 * Where a `for...of` or `for...in` evaluates what it walks: the loop's names exist there, in their
 * dead zone, so `for (const x of x)` fails as in JavaScript rather than reading an outer `x`.
 */
export function headScope(decl: ts.VariableDeclaration, scope: Scope): Scope {
  const head = new Scope(scope);
  for (const name of boundNames(decl.name)) head.declare(name, { state: "uninitialized", value: undefined, node: decl });
  return head;
}

/** One pass of a `for...of` or `for...in` body, its variable bound to `item` in a scope of its own. */
export function iteration(node: ts.ForOfStatement | ts.ForInStatement, decl: ts.VariableDeclaration, item: unknown, scope: Scope, ev: Evaluator, origin?: ts.Node): Completion {
  ev.tick(node);
  const inner = new Scope(scope);
  ev.bind(decl.name, item, inner, decl, origin);
  return ev.executeBlock([node.statement], inner);
}

/** `while` and `do` loops could only end through a changed variable, which Gantry never has: refused with a pointer to the loops it runs. */
export const UnboundedLoop: StatementVisitor<ts.WhileStatement | ts.DoStatement> = (node) => {
  throw new StaticError("GANTRY1100", node, "this loop has no static bound and is not evaluated at compile time", "Loop with `for (const x of items)`, `items.map(...)` or a counted `for (let i = 0; i < n; i++)`.");
};
