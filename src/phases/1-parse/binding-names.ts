import { ts } from "ts-morph";

/**
 * The identifiers a binding name declares (`x`, or every name in a destructuring pattern), in
 * source order. A work list, not recursion: a pattern can nest deeper than the stack (`[[[[...x]]]]`).
 */
export function bindingIdentifiers(name: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  const out: ts.Identifier[] = [];
  const pending: ts.BindingName[] = [name];
  while (pending.length > 0) {
    const n = pending.pop()!;
    if (ts.isIdentifier(n)) out.push(n);
    else for (let i = n.elements.length - 1; i >= 0; i--) {
      const el = n.elements[i]!;
      if (!ts.isOmittedExpression(el)) pending.push(el.name);
    }
  }
  return out;
}
