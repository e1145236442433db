/**
 * Questions about TypeScript syntax that the module loader and the checks of unread declarations
 * both ask: what a declaration binds, where a name is declared, what counts as an assignment.
 * Syntax only: nothing here evaluates or loads anything.
 */
import { bindingIdentifiers, moduleVarNames } from "../1-parse/index.js";
import { ts } from "ts-morph";
import { isTransparent, skipTransparent } from "./visitors/transparent.js";

/** Whether a declaration has a modifier (`export`, `default`, `declare`, `static`, ...). */
export const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);

/** The specifier of the import a declaration belongs to (`"./lib"` for `x` of `import { x } from "./lib"`), if it is part of one. */
export function importSpecifierOf(declaration: ts.Node): string | undefined {
  let node: ts.Node | undefined = declaration;
  while (node && !ts.isImportDeclaration(node)) node = node.parent;
  return node && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
}

/** `a = b`, `a += b`, `a ??= b`, ... */
export const isBinaryAssignment = (e: ts.Node): e is ts.BinaryExpression =>
  ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment;

/** `++a`, `a--`, ... */
export const isIncrement = (e: ts.Node): e is ts.PrefixUnaryExpression | ts.PostfixUnaryExpression =>
  (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken);

export const isAssignment = (e: ts.Expression): boolean => isBinaryAssignment(e) || isIncrement(e);

/** What `node` assigns to, if it assigns: the left of `a = b` (or `+=`, ...), the operand of `a++`, the target of `for (a of ...)`. */
export function assignmentTarget(node: ts.Node): ts.Expression | undefined {
  if (isBinaryAssignment(node)) return node.left;
  if (isIncrement(node)) return node.operand;
  if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) return node.initializer;
  return undefined;
}

/** The variables an assignment target assigns: a name, or the names of an array or object pattern written as a literal. */
export function assignedNames(target: ts.Expression): ts.Identifier[] {
  const t = skipTransparent(target);
  if (ts.isIdentifier(t)) return [t];
  if (ts.isArrayLiteralExpression(t)) return t.elements.flatMap((e) => assignedNames(ts.isSpreadElement(e) ? e.expression : e));
  if (ts.isObjectLiteralExpression(t)) {
    return t.properties.flatMap((p) =>
      ts.isShorthandPropertyAssignment(p) ? [p.name] : ts.isPropertyAssignment(p) ? assignedNames(p.initializer) : ts.isSpreadAssignment(p) ? assignedNames(p.expression) : [],
    );
  }
  // `[x = 1] = ...`: a default.
  return isBinaryAssignment(t) && t.operatorToken.kind === ts.SyntaxKind.EqualsToken ? assignedNames(t.left) : [];
}

/** The names a declaration binds, destructuring patterns included, in source order. */
export function boundNames(name: ts.BindingName): string[] {
  return ts.isIdentifier(name) ? [name.text] : bindingIdentifiers(name).map((id) => id.text);
}

/** What a property access chain starts from, through type-only wrappers: `cfg` of `(cfg as any).a["b"]`. */
export function accessRoot(expression: ts.Expression): ts.Expression {
  let root = expression;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || isTransparent(root)) root = root.expression;
  return root;
}

/** The call a function is handed to as an argument (`callee: false`) or called by where it is written (`callee: true`, an IIFE), through type-only wrappers. */
export function callOf(fn: ts.Node): { call: ts.CallExpression; callee: boolean } | undefined {
  let child = fn;
  while (isTransparent(child.parent)) child = child.parent;
  const call = child.parent;
  if (!ts.isCallExpression(call)) return undefined;
  if (call.expression === child) return { call, callee: true };
  return call.arguments.some((a) => a === child) ? { call, callee: false } : undefined;
}

/** A function passed to a call (a callback) or called where it is written (an IIFE): its body runs. */
export const isCalledOnTheSpot = (fn: ts.Node): boolean => callOf(fn) !== undefined;

/**
 * Whether `id` names something declared between it and `top` (inclusive): a parameter or the name
 * of a function, a `const`/`let`/function of a block or `case`, a `catch` binding, or a loop variable.
 */
export function declaredWithin(id: ts.Identifier, top: ts.Node): boolean {
  return declarationSite(id, top) !== undefined;
}

/** The node between `id` and `top` (inclusive) that declares what `id` names (see `declaredWithin`), if any. */
export function declarationSite(id: ts.Identifier, top: ts.Node): ts.Node | undefined {
  const declares = (name: ts.BindingName | undefined) => name !== undefined && boundNames(name).includes(id.text);
  const statementDeclares = (st: ts.Statement) =>
    (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => declares(d.name))) || ((ts.isFunctionDeclaration(st) || ts.isEnumDeclaration(st)) && st.name?.text === id.text);
  for (let n: ts.Node = id.parent; ; n = n.parent) {
    if (ts.isFunctionLike(n) && (n.parameters.some((p) => declares(p.name)) || (ts.isFunctionExpression(n) && n.name?.text === id.text))) return n;
    if ((ts.isBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) && n.statements.some(statementDeclares)) return n;
    if (ts.isCaseBlock(n) && n.clauses.some((c) => c.statements.some(statementDeclares))) return n;
    if (ts.isCatchClause(n) && declares(n.variableDeclaration?.name)) return n;
    if ((ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) && n.initializer && ts.isVariableDeclarationList(n.initializer) && n.initializer.declarations.some((d) => declares(d.name))) return n;
    if (n === top || !n.parent) return undefined;
  }
}

/** `build`, run once per syntax tree: a file's answers are the same for every question asked of it. */
export function perFile<T>(build: (file: ts.SourceFile) => T): (file: ts.SourceFile) => T {
  const cache = new WeakMap<ts.SourceFile, T>();
  return (file) => {
    let value = cache.get(file);
    if (value === undefined) cache.set(file, (value = build(file)));
    return value;
  };
}

/**
 * The import a binding's declaration node makes, if it is one: the module specifier and the name
 * it imports (`"default"` for a default import, undefined for `import * as ns`).
 */
export function importedBinding(node: ts.Node): { from: ts.StringLiteral; imported: string | undefined } | undefined {
  const declaration = ts.isImportSpecifier(node) ? node.parent.parent.parent : ts.isImportClause(node) ? node.parent : ts.isNamespaceImport(node) ? node.parent.parent : undefined;
  const from = declaration?.moduleSpecifier;
  if (!from || !ts.isStringLiteral(from)) return undefined;
  return { from, imported: ts.isImportSpecifier(node) ? (node.propertyName ?? node.name).text : ts.isImportClause(node) ? "default" : undefined };
}

/**
 * Why a name no scope binds is still declared around `id`: a TypeScript `namespace` (which Gantry
 * does not evaluate), or a `declare`d name (whose value a run takes from elsewhere). Asked only on
 * the way to "cannot find name", for a better message.
 */
export function unboundDeclaration(id: ts.Identifier): "namespace" | "ambient" | undefined {
  for (let node: ts.Node | undefined = id.parent; node; node = node.parent) {
    if (!ts.isSourceFile(node) && !ts.isBlock(node) && !ts.isModuleBlock(node)) continue;
    for (const st of node.statements) {
      if (!statementNames(st).includes(id.text)) continue;
      if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) return "ambient";
      if (ts.isModuleDeclaration(st)) return "namespace";
    }
  }
  return undefined;
}

/** The names a statement declares: a variable statement's bindings, or a declaration's own name. */
function statementNames(st: ts.Statement): string[] {
  if (ts.isVariableStatement(st)) return st.declarationList.declarations.flatMap((d) => boundNames(d.name));
  const name = (st as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? [name.text] : [];
}

/**
 * Module variables Gantry does not model: a name declared by `var` more than once at module level,
 * or by a `var` nested in a top-level statement (a loop's head, a block, a `switch`). JavaScript
 * makes all of them one module variable, which the later declaration assigns (or, without a value,
 * leaves as it was); Gantry's top-level bindings are one declaration each. By name: the
 * declaration after the first (the one a diagnostic points at).
 */
export function redeclaredModuleVars(file: ts.SourceFile): Map<string, ts.Identifier> {
  const out = new Map<string, ts.Identifier>();
  if (!/\bvar\b/.test(file.text)) return out;
  const seen = new Set<string>();
  for (const id of moduleVarNames(file)) {
    if (ts.isEnumDeclaration(id.parent)) continue; // an enum declared twice is refused where it is read
    if ((seen.has(id.text) || !inTopLevelStatement(id)) && !out.has(id.text)) out.set(id.text, id);
    seen.add(id.text);
  }
  return out;
}

/** Whether a name a `var` binds is declared by a statement of the module itself, not by one nested in another. */
function inTopLevelStatement(id: ts.Identifier): boolean {
  let node: ts.Node = id.parent;
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) node = node.parent;
  return ts.isVariableDeclaration(node) && ts.isVariableStatement(node.parent.parent) && ts.isSourceFile(node.parent.parent.parent);
}
