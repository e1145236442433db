import { ts } from "ts-morph";
import { Thrown } from "../errors.js";
import { skipTransparent } from "./transparent.js";
import type { StatementVisitor } from "./types.js";

/** Error constructors whose message a `throw new X(message)` carries. */
const ERROR_CLASSES = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"]);

/**
 * `throw` reached: running the module would fail here, so the compile does, with the author's
 * message (a helper's input check: `throw new Error(`unknown region ${r}`)`). The diagnostic is a
 * `Thrown`, which ends the function and its callers as the exception would (Evaluator.invoke).
 */
export const ThrowStatement: StatementVisitor<ts.ThrowStatement> = (node, scope, ev) => {
  const thrown = skipTransparent(node.expression);
  let message: string;
  // `new Error(m)`, or `Error(m)`, which makes the same object.
  if ((ts.isNewExpression(thrown) || ts.isCallExpression(thrown)) && ts.isIdentifier(thrown.expression) && ERROR_CLASSES.has(thrown.expression.text) && !scope.lookup(thrown.expression.text)) {
    // As the constructor does: the message is the first argument (the second for AggregateError) converted to a string.
    const at = thrown.expression.text === "AggregateError" ? 1 : 0;
    const arg = thrown.arguments?.[at];
    const value = arg ? ev.evaluate(arg, scope) : undefined;
    message = `${thrown.expression.text}${value === undefined ? "" : `: ${convert(value, arg!, String)}`}`;
  } else {
    const value = ev.evaluate(node.expression, scope);
    message = convert(value, node.expression, (v) => (typeof v === "object" && v !== null ? JSON.stringify(v) ?? String(v) : String(v)));
  }
  throw new Thrown("GANTRY1113", node, `the code throws here when the module runs: ${message}`, "Running the module fails here too: fix the value the check rejects, or the check.");
};

/** The thrown value as a run would show it; one that cannot be converted still fails the compile here. */
function convert(value: unknown, node: ts.Node, show: (value: unknown) => string): string {
  try {
    return show(value);
  } catch {
    throw new Thrown("GANTRY1113", node, "the code throws here when the module runs (a value that cannot be shown)");
  }
}
