import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { LIMITS, NORMAL, unsupported } from "../evaluator.js";
import type { Evaluator } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import { Scope } from "../scope.js";
import { COMPOUND, compound, stepped } from "./assignment.js";
import { operate } from "./BinaryExpression.js";
import { skipTransparent } from "./transparent.js";
import type { StatementVisitor } from "./types.js";
import { rejectVar } from "./VariableStatement.js";

/**
 * `for (let i = 0; i < n; i++)`: a counted loop. Its variables are its own `let`s, and only its
 * update changes them (`i++`, `i += 2`, `i = i * 2`, several joined by commas): the body may not
 * (GANTRY1104, as for any variable). Each pass has its own copy of them, made before the update
 * runs, as JavaScript's per-iteration bindings give closures made in the body. Bounded like every
 * loop: past LIMITS.loopIterations passes it is GANTRY1108.
 */
export const ForStatement: StatementVisitor<ts.ForStatement> = (node, scope, ev) => {
  const init = node.initializer;
  if (init && !ts.isVariableDeclarationList(init)) {
    throw unsupported(init, "Declare the loop's variables in the loop, with `let`: `for (let i = 0; i < n; i++)`.");
  }
  if (init) rejectVar(init);
  // What the update may step: `let`s (a `const` the update assigns fails in a run, and is refused here).
  const names = new Set<string>();
  const stepped = init !== undefined && (init.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Let;
  let current = new Scope(scope);
  for (const decl of init?.declarations ?? []) {
    if (!ts.isIdentifier(decl.name)) throw unsupported(decl.name, "Declare each loop variable by name: `let i = 0, j = n`.");
    if (stepped) names.add(decl.name.text);
    current.declare(decl.name.text, { state: "uninitialized", value: undefined, node: decl });
  }
  // In order, each in the dead zone until its turn: `let i = 0, j = i + 1` works, `let i = j, j = 0` fails as in a run.
  for (const decl of init?.declarations ?? []) {
    const value = decl.initializer ? ev.evaluate(decl.initializer, current) : undefined;
    current.define((decl.name as ts.Identifier).text, value, decl, decl.initializer && ev.originOf(decl.initializer, current));
  }
  for (let pass = 0; ; pass++) {
    if (node.condition) {
      const test = ev.evaluate(node.condition, current);
      requireStatic(test, node.condition, "this condition");
      if (!test) break;
    }
    if (pass === LIMITS.loopIterations) {
      throw new StaticError("GANTRY1108", node, `loop ran more than ${LIMITS.loopIterations} times`, "A pipeline needs far fewer tasks than that; check the loop's condition and update.");
    }
    ev.tick(node);
    const completion = ev.executeBlock([node.statement], new Scope(current));
    if (completion.kind === "break") break;
    if (completion.kind === "return") return completion;
    const next = new Scope(scope);
    for (const decl of init?.declarations ?? []) {
      const name = (decl.name as ts.Identifier).text;
      const b = current.lookup(name)!;
      next.define(name, b.value, b.node, b.origin);
    }
    current = next;
    if (node.incrementor) update(node.incrementor, names, current, ev);
  }
  return NORMAL;
};

/** Runs a counted loop's update: only `++`, `--`, `=` and arithmetic `op=` of the loop's own variables, joined by commas. */
function update(expression: ts.Expression, names: ReadonlySet<string>, scope: Scope, ev: Evaluator): void {
  const e = skipTransparent(expression);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    update(e.left, names, scope, ev);
    update(e.right, names, scope, ev);
    return;
  }
  const own = (target: ts.Expression) => {
    const t = skipTransparent(target);
    return ts.isIdentifier(t) && names.has(t.text) ? t : undefined;
  };
  const step = (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken) ? e : undefined;
  const target = step && own(step.operand);
  if (step && target) {
    const binding = scope.lookup(target.text)!;
    scope.define(target.text, stepped(step, binding.value).after, binding.node, step);
    return;
  }
  const assigned = ts.isBinaryExpression(e) ? own(e.left) : undefined;
  if (ts.isBinaryExpression(e) && assigned) {
    const op = e.operatorToken.kind;
    const binding = scope.lookup(assigned.text)!;
    if (op === ts.SyntaxKind.EqualsToken) {
      scope.define(assigned.text, ev.evaluate(e.right, scope), binding.node, e);
      return;
    }
    const binary = COMPOUND[op];
    if (binary !== undefined) {
      const value = compound(e, binary, binding.value, ev.evaluate(e.right, scope), (b, l, r) => operate(b, l as never, r as never, e));
      scope.define(assigned.text, value, binding.node, e);
      return;
    }
  }
  throw new StaticError("GANTRY1100", expression, "a counted loop's update may only step its own `let` variables", "Write it as `i++`, `i += step` or `i = i * 2`, with a variable the loop declares.");
}
