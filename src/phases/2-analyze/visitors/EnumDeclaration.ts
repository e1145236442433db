import { ts } from "ts-morph";
import { setOwn } from "../../../util/own-property.js";
import { StaticError } from "../errors.js";
import { NORMAL, type Evaluator } from "../evaluator.js";
import { Scope } from "../scope.js";
import type { StatementVisitor } from "./types.js";

/** An `enum` inside a function body: its object, bound where the declaration runs. */
export const EnumDeclaration: StatementVisitor<ts.EnumDeclaration> = (node, scope, ev) => {
  scope.define(node.name.text, enumObject(node, scope, ev), node);
  return NORMAL;
};

/**
 * The object TypeScript emits for an enum: each member by name, numbered from 0 (or from the member
 * before, plus one) unless initialised, and numeric members also by value (`E[0] === "A"`). An
 * initialiser may read earlier members by bare name or through the enum (`B = A * 2`, `C = E.B`).
 */
export function enumObject(node: ts.EnumDeclaration, scope: Scope, ev: Evaluator): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  ev.origins.created(out, node);
  const members = new Scope(scope);
  members.define(node.name.text, out, node);
  // Every member name shadows outer names from the start; one read before its own member runs is an error, as TypeScript says.
  for (const member of node.members) {
    const name = memberName(member);
    if (name !== undefined) members.declare(name, { state: "uninitialized", value: undefined, node: member });
  }
  let next: number | undefined = 0;
  for (const member of node.members) {
    const name = memberName(member);
    if (name === undefined) throw new StaticError("GANTRY1100", member.name, "a computed enum member name is not evaluated at compile time", "Name the member with an identifier or a string.");
    // The emitted `E["__proto__"] = 1` sets E's prototype instead of a member.
    if (name === "__proto__") throw new StaticError("GANTRY1100", member.name, "an enum member named __proto__ is not evaluated at compile time", "Give the member another name.");
    let value: unknown;
    if (member.initializer) value = ev.evaluate(member.initializer, members);
    else if (next === undefined) throw new StaticError("GANTRY1109", member, `enum member "${name}" needs an initializer: the member before it is a string`);
    else value = next;
    if (typeof value === "number") {
      next = value + 1;
      setOwn(out, name, value);
      setOwn(out, String(value), name); // the reverse mapping, as emitted: E[E["A"] = 0] = "A"
    } else if (typeof value === "string") {
      next = undefined;
      setOwn(out, name, value);
    } else {
      throw new StaticError("GANTRY1109", member.initializer ?? member, `enum member "${name}" must be a number or a string`);
    }
    ev.origins.property(out, name, member.initializer ?? member.name);
    members.define(name, value, member, member.initializer);
  }
  return out;
}

/** A member named by an identifier or a string; a computed name has none here. */
const memberName = (member: ts.EnumMember): string | undefined => (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : undefined);
