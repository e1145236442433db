import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { propertyKey, unsupported } from "../evaluator.js";
import { setOwn } from "../../../util/own-property.js";
import type { ExpressionVisitor } from "./types.js";

/** Builds a plain object. `__proto__` is an ordinary property of it (`setOwn`), as in a literal. */
export const ObjectLiteralExpression: ExpressionVisitor<ts.ObjectLiteralExpression> = (node, scope, ev) => {
  const out: Record<PropertyKey, unknown> = {};
  ev.origins.created(out, node);
  for (const prop of node.properties) {
    if (ts.isPropertyAssignment(prop)) {
      const key = propertyKey(prop.name, scope, ev);
      setOwn(out, key, ev.evaluate(prop.initializer, scope));
      ev.origins.property(out, key, ev.originOf(prop.initializer, scope), prop.name);
    } else if (ts.isShorthandPropertyAssignment(prop)) {
      setOwn(out, prop.name.text, ev.evaluate(prop.name, scope));
      ev.origins.property(out, prop.name.text, ev.originOf(prop.name, scope), prop.name);
    } else if (ts.isSpreadAssignment(prop)) {
      const source = ev.evaluate(prop.expression, scope);
      // As in JavaScript: nullish and boolean/number values spread nothing (`...(flag && {...})`),
      // a string spreads its characters by index.
      if (source === null || source === undefined || typeof source === "boolean" || typeof source === "number") continue;
      if (typeof source !== "object" && typeof source !== "string") throw new StaticError("GANTRY1109", prop, `cannot spread a ${typeof source} into an object`);
      for (const [k, v] of Object.entries(source)) {
        setOwn(out, k, v);
        if (typeof source === "object") ev.origins.copyProperty(source, k, out, k);
      }
    } else if (ts.isMethodDeclaration(prop)) {
      const key = propertyKey(prop.name, scope, ev);
      setOwn(out, key, ev.closure(prop, scope));
      ev.origins.property(out, key, prop, prop.name);
    } else {
      throw unsupported(prop, "Getters and setters are not evaluated; use a plain property.");
    }
  }
  return out;
};
