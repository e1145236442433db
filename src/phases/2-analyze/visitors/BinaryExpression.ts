import { ts } from "ts-morph";
import { isStandIn } from "../builtins.js";
import { hostFailure, StaticError } from "../errors.js";
import { unsupported, type Evaluator } from "../evaluator.js";
import { ModuleNamespace } from "../modules.js";
import { assignment } from "./assignment.js";
import { holdsParameter, parameterName, requireStatic } from "../runtime-values.js";
import type { ExpressionVisitor } from "./types.js";

const K = ts.SyntaxKind;

/** Arithmetic, comparison and logical operators with JavaScript's semantics; assignment to properties (`./assignment.ts`). */
export const BinaryExpression: ExpressionVisitor<ts.BinaryExpression> = (node, scope, ev) => {
  const op = node.operatorToken.kind;
  if (op >= K.FirstAssignment && op <= K.LastAssignment) {
    return assignment(node, scope, ev, (binary, l, r) => operate(binary, l as never, r as never, node));
  }
  // Short-circuiting operators evaluate the right side only when JavaScript would.
  if (op === K.AmpersandAmpersandToken) {
    const l = ev.evaluate(node.left, scope);
    requireStatic(l, node.left, `\`${node.getText()}\``);
    return l ? ev.evaluate(node.right, scope) : l;
  }
  if (op === K.BarBarToken) {
    const l = ev.evaluate(node.left, scope);
    requireStatic(l, node.left, `\`${node.getText()}\``);
    return l ? l : ev.evaluate(node.right, scope);
  }
  if (op === K.QuestionQuestionToken) {
    const l = ev.evaluate(node.left, scope);
    requireStatic(l, node.left, `\`${node.getText()}\``);
    return l ?? ev.evaluate(node.right, scope);
  }
  const l = ev.evaluate(node.left, scope) as never;
  const r = ev.evaluate(node.right, scope) as never;
  // `+` concatenates a placeholder into a string, which is fine; every other operator computes with it.
  if (op !== K.PlusToken && op !== K.CommaToken) {
    requireStatic(l, node.left, `\`${node.getText()}\``);
    requireStatic(r, node.right, `\`${node.getText()}\``);
  } else if (op === K.PlusToken) warnNumberJoined(l, r, node, ev);
  try {
    return operate(op, l, r, node);
  } catch (e) {
    // A conversion JavaScript rejects (an object without a callable toString), a string past its limit.
    throw hostFailure(node, e);
  }
};

export function operate(op: ts.BinaryOperator, l: never, r: never, node: ts.BinaryExpression): unknown {
  switch (op) {
    case K.PlusToken: return (l as number) + (r as number);
    case K.MinusToken: return (l as number) - (r as number);
    case K.AsteriskToken: return (l as number) * (r as number);
    case K.SlashToken: return (l as number) / (r as number);
    case K.PercentToken: return (l as number) % (r as number);
    case K.AsteriskAsteriskToken: return (l as number) ** (r as number);
    case K.EqualsEqualsEqualsToken: return l === r;
    case K.ExclamationEqualsEqualsToken: return l !== r;
    case K.EqualsEqualsToken: return l == r;
    case K.ExclamationEqualsToken: return l != r;
    case K.LessThanToken: return l < r;
    case K.LessThanEqualsToken: return l <= r;
    case K.GreaterThanToken: return l > r;
    case K.GreaterThanEqualsToken: return l >= r;
    case K.CommaToken: return r;
    case K.InKeyword: return has(r, l, node);
    default: throw unsupported(node.operatorToken);
  }
}

/**
 * `key in obj`, prototype chain included (`"toString" in {}` is true), as JavaScript answers it. A
 * module namespace has a null prototype in a run, so only its exports are in it. Built-ins and
 * functions are refused: their stand-ins lack members the real ones have. A primitive on the
 * right is JavaScript's own TypeError.
 */
function has(obj: object, key: PropertyKey, node: ts.BinaryExpression): boolean {
  if (isStandIn(obj)) {
    throw new StaticError("GANTRY1102", node, `\`${node.getText()}\` is not evaluated: \`in\` asks a built-in or a function, whose members Gantry does not model`, "Use `in` with plain objects and arrays.");
  }
  if (obj instanceof ModuleNamespace) return Object.hasOwn(obj, key);
  return key in obj;
}

/**
 * `p.params.n + 1` joins the number to the placeholder's text, as a run does (`"{{n}}1"`, so "31"
 * for 3): almost certainly meant as arithmetic, which a parameter cannot take at compile time.
 */
function warnNumberJoined(l: unknown, r: unknown, node: ts.BinaryExpression, ev: Evaluator): void {
  // The cheap test first: this runs on every `+`.
  const parameter = typeof r === "number" && holdsParameter(l) ? l : typeof l === "number" && holdsParameter(r) ? r : undefined;
  if (parameter === undefined) return;
  // No value in the message: reported once per place, not once per loop pass.
  ev.warn(
    "GANTRY1123",
    node,
    `\`${node.getText()}\` joins a number to parameter "${parameterName(parameter)}" as text rather than adding it, since the parameter's value is only known when a run starts`,
    "To add at run time, do it inside the task (e.g. `$((n + 1))` in a shell command); to join text, write a template literal (`${...}`) so the intent is clear.",
  );
}
