import { ts } from "ts-morph";
import { SHORT_CIRCUIT } from "../errors.js";
import { iterate, unsupported } from "../evaluator.js";
import { skipTransparent } from "./transparent.js";
import type { ExpressionVisitor } from "./types.js";

export const CallExpression: ExpressionVisitor<ts.CallExpression> = (node, scope, ev) => {
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) throw unsupported(node, "Use a static `import` declaration.");
  const callee = ev.evaluate(node.expression, scope);
  if (callee === SHORT_CIRCUIT || (node.questionDotToken && (callee === null || callee === undefined))) return SHORT_CIRCUIT;
  // `a.b(...)` (also `(a.b)(...)`, `a.b!(...)`) calls b with `a` as `this`: taken before the arguments read other members.
  const receiver = isMember(node.expression) ? ev.receiver : undefined;
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
  return ev.call(callee, args, node, origins, receiver);
};

/** Whether a callee is a member access, through the wrappers that keep `this` (parentheses, type-only syntax). */
function isMember(expression: ts.Expression): boolean {
  const e = skipTransparent(expression);
  return ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e);
}
