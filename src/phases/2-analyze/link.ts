/**
 * What a run loads that no value Gantry read needed. Bindings are lazy, so Gantry loads a module
 * when code reads one of its values; a run loads, links and executes every module its imports name
 * before anything runs. A module imported only for its effects (`import "./steps/extract"`, which
 * pushes into a shared registry), only re-exported, or through an import that only code Gantry
 * never runs reads, would otherwise go unseen: its top-level statements unchecked, a name it lacks
 * (a run's link error) unreported. Linking loads them (so `reportTopLevelStatements` and the unread
 * check see them) and checks the names, without evaluating anything but their top-level checks.
 *
 * Which imports a run keeps is TypeScript's rule: a transpiler drops an import binding that is only
 * used as a type, or not at all, so only bindings referenced as values count, and a name that is
 * a type (`import { T } from "./t"; export { T }`) is never a missing export.
 */
import { ts } from "ts-morph";
import { isJavaScript } from "../1-parse/index.js";
import { isStackOverflow, Poisoned, StaticError } from "./errors.js";
import type { Evaluator } from "./evaluator.js";
import { ModuleRecord, type ModuleLoader } from "./modules.js";
import { declaredWithin, hasModifier, perFile } from "./syntax.js";

/** Loads what the imports and re-exports of `record` name, and checks that each name a kept import asks for is exported. */
export function linkModule(record: ModuleRecord, loader: ModuleLoader, ev: Evaluator): void {
  const file = record.file;
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly || !ts.isStringLiteral(statement.moduleSpecifier) || !loader.resolver.isLinked(file.fileName, statement.moduleSpecifier.text)) continue;
      const specifier = statement.moduleSpecifier;
      // Bindings read already were resolved then; only pending ones a run keeps are left to link.
      let kept = !clause; // `import "./x"` is always kept
      const named: [imported: string, at: ts.Node][] = [];
      if (clause?.name && isPendingValue(record, clause.name)) named.push(["default", clause.name]);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && isPendingValue(record, bindings.name)) kept = true;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if (!el.isTypeOnly && isPendingValue(record, el.name)) named.push([(el.propertyName ?? el.name).text, el]);
      }
      if (!kept && named.length === 0) continue;
      attempt(ev, () => {
        const target = loader.importFrom(file, specifier.text, specifier);
        for (const [name, at] of named) {
          let has: boolean;
          try {
            // A type is dropped (or a type error, which --typecheck reports), not a run's link error.
            has = target instanceof ModuleRecord ? target.hasExport(name) || exportsNamespace(target.file, name) || target.exportsOnlyAType(name) : Object.hasOwn(target.values, name);
          } catch (e) {
            // A chain of `export *` too deep for the stack: a read reports it, as GANTRY1108 (second reader's finding).
            if (!isStackOverflow(e)) throw e;
            has = false;
          }
          // Its GANTRY1111, worded as for a read (which throws before evaluating anything).
          if (!has || (target instanceof ModuleRecord && target.isAmbiguous(name))) attempt(ev, () => target.readExport(name, at));
        }
      });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      // Re-exported names are not checked: `export { T } from` of a type is dropped by some transpilers and kept by others.
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((el) => el.isTypeOnly)) continue;
      const specifier = statement.moduleSpecifier;
      if (loader.resolver.isLinked(file.fileName, specifier.text)) attempt(ev, () => loader.importFrom(file, specifier.text, specifier));
    }
  }
}

function attempt(ev: Evaluator, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof StaticError || e instanceof Poisoned) ev.recover(e);
    else throw e;
  }
}

/** `export namespace name { ... }`: an export of a run that Gantry's module records do not list (reading it is refused there). */
function exportsNamespace(file: ts.SourceFile, name: string): boolean {
  return file.statements.some((st) => ts.isModuleDeclaration(st) && ts.isIdentifier(st.name) && st.name.text === name && hasModifier(st, ts.SyntaxKind.ExportKeyword) && !hasModifier(st, ts.SyntaxKind.DeclareKeyword));
}

/**
 * An import binding nothing has read yet that a run keeps: one the file uses as a value, or any in
 * a JavaScript module, which nothing transpiles (Node loads and links every import it names).
 */
function isPendingValue(record: ModuleRecord, name: ts.Identifier): boolean {
  return record.scope.lookup(name.text)?.state === "pending" && (isJavaScript(record.file.fileName) || valueUses(record.file).has(name.text));
}

/**
 * The import bindings a file uses as values: identifiers outside types that name one, not
 * shadowed by a local declaration (a local `export { x }` counts). Not a declaration's own name or a property name.
 */
const valueUses = perFile((file): ReadonlySet<string> => {
  const imported = new Set<string>();
  for (const st of file.statements) {
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) imported.add(clause.name.text);
    const b = clause.namedBindings;
    if (b && ts.isNamespaceImport(b)) imported.add(b.name.text);
    else if (b) for (const el of b.elements) if (!el.isTypeOnly) imported.add(el.name.text);
  }
  const out = new Set<string>();
  const pending: ts.Node[] = imported.size > 0 ? [...file.statements] : [];
  for (let node = pending.pop(); node; node = pending.pop()) {
    // A class's `extends Base` and an instantiation expression (`make<T>`) are values; `implements` is not.
    if ((ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node)) continue;
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) continue;
    if (ts.isIdentifier(node)) {
      if (imported.has(node.text) && !out.has(node.text) && isValuePosition(node) && !declaredWithin(node, file)) out.add(node.text);
      continue;
    }
    ts.forEachChild(node, (child) => {
      pending.push(child);
    });
  }
  return out;
});

function isValuePosition(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  // `export { x }`: tsc keeps the import when x is a value (a missing one is a link error); one of a type is skipped by the caller.
  if (ts.isExportSpecifier(parent)) return !parent.parent.parent.moduleSpecifier && (parent.propertyName ?? parent.name) === id;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === id;
  if (ts.isQualifiedName(parent)) return parent.left === id;
  if (ts.isBindingElement(parent)) return parent.initializer === id; // a default value, not a name or the property read
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  // The name of a declaration, property or member (`const x`, `{ x: 1 }`, `class { x() {} }`).
  return (parent as ts.Node & { name?: ts.Node }).name !== id;
}
