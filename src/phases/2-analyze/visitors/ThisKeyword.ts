import type { ts } from "ts-morph";
import { StaticError } from "../errors.js";
import { THIS } from "../scope.js";
import type { ExpressionVisitor } from "./types.js";

/**
 * `this`: the receiver the nearest enclosing non-arrow function was called with (`o.m()` gives `o`;
 * a plain call `undefined`, as in strict mode), found lexically, so an arrow sees its surroundings'.
 * Outside any function it depends on how the module is loaded (`undefined` as an ES module, the
 * exports object as CommonJS), so it is refused there.
 */
export const ThisKeyword: ExpressionVisitor<ts.ThisExpression> = (node, scope) => {
  const binding = scope.lookup(THIS);
  if (!binding) {
    throw new StaticError("GANTRY1100", node, "`this` outside a function depends on how the module is loaded (undefined in an ES module, the exports object in CommonJS)", "Refer to the value by name.");
  }
  return binding.value;
};
