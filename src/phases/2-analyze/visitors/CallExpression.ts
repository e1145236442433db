import { ts } from "ts-morph";
import { SHORT_CIRCUIT } from "../errors.js";
import { iterate, unsupported } from "../evaluator.js";
import { skipTransparent } from "./transparent.js";
import type { Evaluator } from "../evaluator.js";
import type { Scope } from "../scope.js";
import type { ExpressionVisitor } from "./types.js";

/** `console` methods a call of which is evaluated as a no-op (with a warning) rather than refused. */
const LOGGING = new Set(["log", "info", "warn", "error", "debug"]);

export const CallExpression: ExpressionVisitor<ts.CallExpression> = (node, scope, ev) => {
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) throw unsupported(node, "Use a static `import` declaration.");
  const logging = loggingCall(node, scope);
  if (logging) {
    // What it prints cannot reach a manifest: its arguments are evaluated, as a run does, and nothing is printed.
    evaluateArguments(node, scope, ev);
    ev.warn("GANTRY1122", node.expression, `\`console.${logging}\` prints nothing at compile time: Gantry reads the module without running it`, "Keep it if it helps when the module runs (in a test, say); remove it to silence this warning.");
    return undefined;
  }
  const callee = ev.evaluate(node.expression, scope);
  if (callee === SHORT_CIRCUIT || (node.questionDotToken && (callee === null || callee === undefined))) return SHORT_CIRCUIT;
  // `a.b(...)` (also `(a.b)(...)`, `a.b!(...)`) calls b with `a` as `this`: taken before the arguments read other members.
  const receiver = isMember(node.expression) ? ev.receiver : undefined;
  const { args, origins } = evaluateArguments(node, scope, ev);
  return ev.call(callee, args, node, origins, receiver);
};

/** The arguments of a call, spreads expanded, with where each was written (when origins are kept). */
function evaluateArguments(node: ts.CallExpression, scope: Scope, ev: Evaluator): { args: unknown[]; origins: (ts.Node | undefined)[] | undefined } {
  const args: unknown[] = [];
  // Where each argument was written, so a helper's parameter carries it into what the helper builds.
  const origins: (ts.Node | undefined)[] | undefined = ev.origins.properties ? [] : undefined;
  for (const arg of node.arguments) {
    if (ts.isSpreadElement(arg)) {
      const items = iterate(ev.evaluate(arg.expression, scope), arg, ev);
      // One by one: `push(...items)` runs out of stack past about 100,000 items.
      for (let i = 0; i < items.length; i++) {
        args.push(items[i]);
        origins?.push(undefined);
      }
    } else {
      args.push(ev.evaluate(arg, scope));
      origins?.push(ev.originOf(arg, scope));
    }
  }
  return { args, origins };
}

/** `console.log(...)` and its kind, when `console` is the global one: the method's name. */
export function loggingCall(node: ts.CallExpression, scope: Scope): string | undefined {
  const e = skipTransparent(node.expression);
  if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== "console") return undefined;
  return LOGGING.has(e.name.text) && !scope.lookup("console") ? e.name.text : undefined;
}

/** Whether a callee is a member access, through the wrappers that keep `this` (parentheses, type-only syntax). */
function isMember(expression: ts.Expression): boolean {
  const e = skipTransparent(expression);
  return ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e);
}
