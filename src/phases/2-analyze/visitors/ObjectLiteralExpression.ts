import { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { nameFunction, propertyKey, unsupported } from "../evaluator.js";
import { setOwn } from "../../../util/own-property.js";
import { PipelineDefinition } from "../../../dsl/pipeline.js";
import { freezePipelineData } from "../modules.js";
import type { ExpressionVisitor } from "./types.js";

/**
 * Builds a plain object. A computed `["__proto__"]` key, a shorthand or a method of that name is an
 * ordinary property (`setOwn`), as in JavaScript; `__proto__: value` written plainly sets the
 * prototype in JavaScript, which Gantry does not model, so it is rejected.
 */
export const ObjectLiteralExpression: ExpressionVisitor<ts.ObjectLiteralExpression> = (node, scope, ev) => {
  const out: Record<PropertyKey, unknown> = {};
  ev.origins.created(out, node);
  for (const prop of node.properties) {
    if (ts.isPropertyAssignment(prop)) {
      if ((ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) && prop.name.text === "__proto__") {
        throw new StaticError("GANTRY1100", prop.name, "`__proto__: value` sets the object's prototype, which is not evaluated at compile time", 'Spread the other object in (`{ ...base, a: 1 }`); for a property named "__proto__", write the key computed: `["__proto__"]: value`.');
      }
      const key = propertyKey(prop.name, scope, ev);
      const value = ev.evaluate(prop.initializer, scope);
      if (ts.isComputedPropertyName(prop.name)) nameFunction(value, prop.initializer, key, ev);
      setOwn(out, key, value);
      ev.origins.property(out, key, ev.originOf(prop.initializer, scope), prop.name);
    } else if (ts.isShorthandPropertyAssignment(prop)) {
      setOwn(out, prop.name.text, ev.evaluate(prop.name, scope));
      ev.origins.property(out, prop.name.text, ev.originOf(prop.name, scope), prop.name);
    } else if (ts.isSpreadAssignment(prop)) {
      const source = ev.evaluate(prop.expression, scope);
      // As in JavaScript: nullish and boolean/number values spread nothing (`...(flag && {...})`),
      // a string spreads its characters by index.
      if (source === null || source === undefined || typeof source === "boolean" || typeof source === "number") continue;
      if (typeof source === "function") {
        // A run would spread nothing ({}); far more likely the call was forgotten, so say so rather than drop it.
        throw new StaticError("GANTRY1109", prop, "spreading a function into an object copies nothing", "Call it (`...f()`) to spread what it returns.");
      }
      if (typeof source !== "object" && typeof source !== "string") throw new StaticError("GANTRY1109", prop, `cannot spread a ${typeof source} into an object`);
      if (source instanceof PipelineDefinition) freezePipelineData(source); // its options and tasks, shared with its own manifest
      for (const [k, v] of Object.entries(source)) {
        setOwn(out, k, v);
        if (typeof source === "object") ev.origins.copyProperty(source, k, out, k);
      }
    } else if (ts.isMethodDeclaration(prop)) {
      const key = propertyKey(prop.name, scope, ev);
      const method = ev.closure(prop, scope);
      if (ts.isComputedPropertyName(prop.name)) nameFunction(method, prop, key, ev);
      setOwn(out, key, method);
      ev.origins.property(out, key, prop, prop.name);
    } else {
      throw unsupported(prop, "Getters and setters are not evaluated; use a plain property.");
    }
  }
  return out;
};
