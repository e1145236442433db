import type { ts } from "ts-morph";
import { globals, notEvaluated, runtimeOnly } from "../builtins.js";
import { StaticError } from "../errors.js";
import { readBinding } from "../scope.js";
import type { ExpressionVisitor } from "./types.js";

export const Identifier: ExpressionVisitor<ts.Identifier> = (node, scope) => {
  const name = node.text;
  const binding = scope.lookup(name);
  if (binding) return readBinding(binding, name, node);
  if (globals.has(name)) return globals.get(name);
  const why = runtimeOnly.get(name);
  if (why) {
    throw new StaticError("GANTRY1105", node, `\`${name}\` has no value at compile time: ${why}`, "Declare a pipeline parameter (`parameters: { x: { default: ... } }`, read as `p.params.x`) or use a runtime expression of the target.");
  }
  if (name === "console") {
    throw new StaticError("GANTRY1102", node, "`console` is not available at compile time, except to call its logging methods directly", "Call it as `console.log(x)` (evaluated, printing nothing), or remove it.");
  }
  const instead = notEvaluated.get(name);
  if (instead) throw new StaticError("GANTRY1102", node, `\`${name}\` is a JavaScript built-in Gantry does not evaluate at compile time`, instead);
  throw new StaticError("GANTRY1101", node, `cannot find name "${name}"`, "Declare it in this file with `const`, or import it from a local module or from \"gantry\".");
};
