import { ts } from "ts-morph";
import { globals, notEvaluated, runtimeOnly, runtimeOnlyHints } from "../builtins.js";
import { StaticError } from "../errors.js";
import { readBinding } from "../scope.js";
import { unboundDeclaration } from "../syntax.js";
import type { ExpressionVisitor } from "./types.js";

export const Identifier: ExpressionVisitor<ts.Identifier> = (node, scope) => {
  const name = node.text;
  const binding = scope.lookup(name);
  if (binding) return readBinding(binding, name, node);
  if (globals.has(name)) return globals.get(name);
  const why = runtimeOnly.get(name);
  const parent = node.parent;
  const member =
    ts.isPropertyAccessExpression(parent) && parent.expression === node ? parent.name.text
    : ts.isElementAccessExpression(parent) && parent.expression === node && ts.isStringLiteralLike(parent.argumentExpression) ? parent.argumentExpression.text
    : undefined;
  if (name === "Date" && member !== undefined && member !== "now") {
    // Date.UTC(2024, 0, 1) and Date.parse("...") of fixed values are the same on every run: refused as not evaluated, not as a run-time value.
    throw new StaticError("GANTRY1102", node.parent, `\`Date.${member}\` is not evaluated at compile time`, "Write the timestamp or date string you need as a literal, or declare a pipeline parameter for it.");
  }
  if (why) {
    const hint = runtimeOnlyHints.get(name) ?? "Declare a pipeline parameter (`parameters: { x: { default: ... } }`, read as `p.params.x`) or use a runtime expression of the target.";
    throw new StaticError("GANTRY1105", node, `\`${name}\` has no value at compile time: ${why}`, hint);
  }
  if (name === "console") {
    throw new StaticError("GANTRY1102", node, "`console` is not available at compile time, except to call its logging methods directly", "Call it as `console.log(x)` (evaluated, printing nothing), or remove it.");
  }
  const instead = notEvaluated.get(name);
  if (instead) throw new StaticError("GANTRY1102", node, `\`${name}\` is a JavaScript built-in Gantry does not evaluate at compile time`, instead);
  const declared = unboundDeclaration(node);
  if (declared === "namespace") {
    throw new StaticError("GANTRY1100", node, `\`${name}\` is a TypeScript namespace, which Gantry does not evaluate at compile time`, `Use a plain object instead: \`export const ${name} = { ... } as const\`, or a module imported with \`import * as ${name}\`.`);
  }
  if (declared === "ambient") {
    throw new StaticError("GANTRY1101", node, `\`${name}\` is only declared (\`declare\`): a run takes its value from elsewhere, so it has none at compile time`, "Give it a value in a local module and import it, or make it a pipeline parameter.");
  }
  throw new StaticError("GANTRY1101", node, `cannot find name "${name}"`, "Declare it in this file with `const`, or import it from a local module or from \"gantry\".");
};
