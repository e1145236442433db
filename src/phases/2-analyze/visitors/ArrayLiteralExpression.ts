import { ts } from "ts-morph";
import { iterate } from "../evaluator.js";
import type { ExpressionVisitor } from "./types.js";

export const ArrayLiteralExpression: ExpressionVisitor<ts.ArrayLiteralExpression> = (node, scope, ev) => {
  const out: unknown[] = [];
  ev.origins.created(out, node);
  for (const el of node.elements) {
    if (ts.isSpreadElement(el)) {
      const source = ev.evaluate(el.expression, scope);
      const items = iterate(source, el, ev);
      // By index, not forEach: spreading reads a hole as undefined (`[...[1, , 3]]` has three items).
      for (let i = 0; i < items.length; i++) {
        ev.origins.copyProperty(source as object, i, out, out.length);
        out.push(items[i]);
      }
    } else if (ts.isOmittedExpression(el)) {
      out.length++; // a hole, as in JavaScript: skipped by map/filter/Object.keys

    } else {
      out.push(ev.evaluate(el, scope));
      ev.origins.property(out, out.length - 1, ev.originOf(el, scope));
    }
  }
  return out;
};
