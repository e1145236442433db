import { ts } from "ts-morph";
import { SHORT_CIRCUIT } from "../errors.js";
import { iterate, unsupported } from "../evaluator.js";
import type { ExpressionVisitor } from "./types.js";

export const CallExpression: ExpressionVisitor<ts.CallExpression> = (node, scope, ev) => {
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) throw unsupported(node, "Use a static `import` declaration.");
  const callee = ev.evaluate(node.expression, scope);
  if (callee === SHORT_CIRCUIT || (node.questionDotToken && (callee === null || callee === undefined))) return SHORT_CIRCUIT;
  const args: unknown[] = [];
  // Where each argument was written, so a helper's parameter carries it into what the helper builds.
  const origins: (ts.Node | undefined)[] | undefined = ev.origins.properties ? [] : undefined;
  for (const arg of node.arguments) {
    if (ts.isSpreadElement(arg)) {
      const items = iterate(ev.evaluate(arg.expression, scope), arg, ev);
      args.push(...items);
      origins?.push(...items.map(() => undefined));
    } else {
      args.push(ev.evaluate(arg, scope));
      origins?.push(ev.originOf(arg, scope));
    }
  }
  return ev.call(callee, args, node, origins);
};
