import { ts } from "ts-morph";
import { arrayIndex, BUILT_LIMITS, isPlainData } from "../builtins.js";
import { FixedValueChange, hostFailure, POISON, RunFailure, StaticError } from "../errors.js";
import type { Evaluator } from "../evaluator.js";
import { requireStatic } from "../runtime-values.js";
import type { Scope } from "../scope.js";
import { accessRoot } from "../syntax.js";
import { elementKey } from "./ElementAccessExpression.js";
import { skipTransparent } from "./transparent.js";

/**
 * Assignment to a property of an object or array the code built, as in
 * `const out = {}; for (const t of tables) out[t] = spec(t);`: `=`, the arithmetic and logical
 * compound operators (`+=`, `??=`, ...), `++` and `--`. The same rules as `push`: a value is changed
 * only before it is fixed, and module-level values are fixed once made (GANTRY1104), so no
 * pipeline sees another's changes. A variable is never reassigned (GANTRY1104): bindings are
 * `const`, or `let` never reassigned.
 */

/** Where an assignment writes: the object and the key, evaluated once, left to right. */
interface Place {
  obj: unknown;
  key: PropertyKey;
  node: ts.PropertyAccessExpression | ts.ElementAccessExpression;
}

export const COMPOUND: Partial<Record<ts.SyntaxKind, ts.BinaryOperator>> = {
  [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken,
  [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken,
  [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken,
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: ts.SyntaxKind.AsteriskAsteriskToken,
};

/** `target op= value`. `operate` applies a (non-logical) binary operator as BinaryExpression does. */
export function assignment(node: ts.BinaryExpression, scope: Scope, ev: Evaluator, operate: (op: ts.BinaryOperator, l: unknown, r: unknown) => unknown): unknown {
  const op = node.operatorToken.kind;
  const place = placeOf(node.left, node, scope, ev);
  if (op === ts.SyntaxKind.EqualsToken) {
    const value = valueOf(node, place, scope, ev);
    write(place, value, ev, ev.originOf(node.right, scope));
    return value;
  }
  const old = ev.member(place.obj, place.key, place.node);
  if (op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken) {
    // Short-circuiting, as JavaScript: no write (and the right side is not evaluated) when the value stands.
    requireStatic(old, node.left, `\`${node.getText()}\``);
    const stands = op === ts.SyntaxKind.QuestionQuestionEqualsToken ? old !== null && old !== undefined : op === ts.SyntaxKind.BarBarEqualsToken ? Boolean(old) : !old;
    if (stands) return old;
    const value = valueOf(node, place, scope, ev);
    write(place, value, ev, ev.originOf(node.right, scope));
    return value;
  }
  const binary = COMPOUND[op];
  if (binary === undefined) throw new StaticError("GANTRY1100", node.operatorToken, `\`${node.operatorToken.getText()}\` is not part of the static subset Gantry evaluates`, "Write the operation out: `o.k = o.k + 1`.");
  const value = compound(node, binary, old, valueOf(node, place, scope, ev), operate);
  write(place, value, ev, node);
  return value;
}

/** The value `old op= r` gives (`op` its binary operator), as JavaScript computes it; also a counted loop's update. */
export function compound(node: ts.BinaryExpression, binary: ts.BinaryOperator, old: unknown, r: unknown, operate: (op: ts.BinaryOperator, l: unknown, r: unknown) => unknown): unknown {
  // `+=` appends a placeholder to a string, which is fine; the others compute with it.
  if (binary !== ts.SyntaxKind.PlusToken) {
    requireStatic(old, node.left, `\`${node.getText()}\``);
    requireStatic(r, node.right, `\`${node.getText()}\``);
  }
  try {
    return operate(binary, old, r);
  } catch (e) {
    throw hostFailure(node, e);
  }
}

/** `o.k++`, `--o[k]`: the number before (postfix) or after (prefix), as JavaScript. */
export function increment(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, scope: Scope, ev: Evaluator): unknown {
  const place = placeOf(node.operand, node, scope, ev);
  const { before, after } = stepped(node, ev.member(place.obj, place.key, place.node));
  write(place, after, ev, node);
  return ts.isPrefixUnaryExpression(node) ? after : before;
}

/** The number `old` is, and the one `++`/`--` makes of it; also a counted loop's update. */
export function stepped(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, old: unknown): { before: number; after: number } {
  requireStatic(old, node, `\`${node.getText()}\``);
  let before: number;
  try {
    before = Number(old); // ToNumeric; an object JavaScript cannot convert throws here, as in a run
  } catch (e) {
    throw hostFailure(node, e);
  }
  return { before, after: node.operator === ts.SyntaxKind.PlusPlusToken ? before + 1 : before - 1 };
}

/**
 * The right side. When it fails (reported there), the variable holding the object reads as
 * poisoned for the rest of its block: the object is left without the property, and reading it
 * (`o.k.length`) would add errors a run, stopped at the failure, never reaches.
 */
function valueOf(node: ts.BinaryExpression, place: Place, scope: Scope, ev: Evaluator): unknown {
  try {
    return ev.evaluate(node.right, scope);
  } catch (e) {
    const root = accessRoot(place.node);
    if (ts.isIdentifier(root) && isPlainData(place.obj) && !Object.isFrozen(place.obj)) scope.define(root.text, POISON, node);
    throw e;
  }
}

function placeOf(target: ts.Expression, assignment: ts.Expression, scope: Scope, ev: Evaluator): Place {
  const node = skipTransparent(target);
  if (!ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) {
    const what = ts.isIdentifier(node) ? `"${node.text}" is assigned again` : "destructuring assignments are not evaluated";
    throw new StaticError("GANTRY1104", assignment, `${what}: a variable has one value at compile time`, "Bind each value once with `const` (build it with an expression: spread, map, concat, a conditional), or set a property of an object you built: `out[key] = value`.");
  }
  if (ts.isOptionalChain(node)) {
    // TypeScript parses it (its checker reports TS2779); JavaScript rejects the module when it loads.
    throw new StaticError("GANTRY1002", assignment, "Invalid left-hand side in assignment: an optional chain (`?.`) cannot be assigned to", "Check the object first: `if (o) o.x = v`.");
  }
  const obj = ev.evaluate(node.expression, scope);
  if (ts.isPropertyAccessExpression(node)) {
    if (!ts.isIdentifier(node.name)) throw new StaticError("GANTRY1100", node.name, "private names are not part of the static subset Gantry evaluates");
    return { obj, key: node.name.text, node };
  }
  return { obj, key: elementKey(node, obj, scope, ev), node };
}

/**
 * Sets the property, once the value is known (a run checks the target then too). Only plain objects
 * and arrays the code built can change: a frozen one (module-level, a pipeline's tasks, `p.params`,
 * a task handle) is GANTRY1104; the DSL's objects, built-ins and functions are not data to change.
 */
function write({ obj, key, node }: Place, value: unknown, ev: Evaluator, origin: ts.Node): void {
  if (obj === null || obj === undefined) {
    throw new RunFailure("GANTRY1109", node, `cannot set "${String(key)}" of ${obj}`, "Check that the object exists first (`if (o) o.k = v`), or build it with the property: `{ ...o, k: v }`.");
  }
  if (typeof obj !== "object" && typeof obj !== "function") {
    throw new RunFailure("GANTRY1109", node, `cannot set "${String(key)}" on a ${typeof obj}: only objects have properties`, "Running the module would throw here too.");
  }
  if (key === "__proto__") {
    throw new StaticError("GANTRY1100", node, "assigning `__proto__` sets the object's prototype, which is not evaluated at compile time", "Spread the other object in instead: `{ ...base, a: 1 }`.");
  }
  if (Object.isFrozen(obj)) {
    throw new FixedValueChange("GANTRY1104", node, `${node.getText()} changes ${Array.isArray(obj) ? "an array" : "an object"} that is fixed once made (one declared at module level or kept by a module-level function, a pipeline's tasks or parameters, a task handle, or one frozen with Object.freeze)`, "Build a changed copy where it is used: `{ ...o, k: v }`, or `[...xs]` and change that.");
  }
  if (!isPlainData(obj)) {
    throw new StaticError("GANTRY1102", node, `${node.getText()}: only objects and arrays your code built can be changed`, "Assign to properties of your own objects; pass settings to Gantry's functions as arguments.");
  }
  if (Array.isArray(obj)) {
    if (key === "length") {
      // Converted here once, as JavaScript converts it, so an object's `valueOf` of the author's does not run twice.
      if (typeof value === "object" || typeof value === "function") throw new RunFailure("GANTRY1109", node, "an array's length is set from a number, not an object", "Set it to a number: `xs.length = n`.");
      value = Number(value);
    }
    const length = key === "length" ? (value as number) : arrayIndex(key) + 1;
    if (length > BUILT_LIMITS.items) {
      throw new StaticError("GANTRY1108", node, `${node.getText()} would make an array of ${length.toLocaleString("en-US")} items, over the limit of ${BUILT_LIMITS.items.toLocaleString("en-US")}`, "Pipelines are finite data: compute less at compile time.");
    }
    if (key === "length") ev.origins.forgetProperties(obj);
  }
  try {
    (obj as Record<PropertyKey, unknown>)[key] = value;
  } catch (e) {
    throw hostFailure(node, e); // an array length JavaScript rejects (-1, 1.5)
  }
  ev.origins.property(obj, key, origin, node);
}
