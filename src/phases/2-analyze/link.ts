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
 * used as a type, or not at all, so only bindings referenced as values count.
 */
import { ts } from "ts-morph";
import { Poisoned, StaticError } from "./errors.js";
import type { Evaluator } from "./evaluator.js";
import type { ModuleLoader, ModuleRecord } from "./modules.js";

/** Loads what the imports and re-exports of `record` name, and checks that each name a value import reads is exported. */
export function linkModule(record: ModuleRecord, loader: ModuleLoader, ev: Evaluator): void {
  const file = record.file;
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly || !ts.isStringLiteral(statement.moduleSpecifier) || !isLinked(statement.moduleSpecifier.text)) continue;
      const specifier = statement.moduleSpecifier;
      if (!clause) {
        attempt(ev, () => loader.importFrom(file, specifier.text, specifier));
        continue;
      }
      // Bindings read already were resolved then; only pending ones a run still links are checked.
      const names: [imported: string, at: ts.Node][] = [];
      if (clause.name && isPendingValue(record, clause.name)) names.push(["default", clause.name]);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && isPendingValue(record, bindings.name)) names.push(["*", bindings.name]);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if (!el.isTypeOnly && isPendingValue(record, el.name)) names.push([(el.propertyName ?? el.name).text, el]);
      }
      if (names.length === 0) continue;
      attempt(ev, () => {
        const target = loader.importFrom(file, specifier.text, specifier);
        for (const [name, at] of names) {
          if (name === "*") continue;
          const has = "hasExport" in target ? target.hasExport(name) : Object.hasOwn(target.values, name);
          if (!has) attempt(ev, () => target.readExport(name, at)); // its GANTRY1111, worded as for a read
        }
      });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      // Re-exported names are not checked: `export { T } from` of a type is dropped by some transpilers and kept by others.
      const specifier = statement.moduleSpecifier;
      if (isLinked(specifier.text)) attempt(ev, () => loader.importFrom(file, specifier.text, specifier));
    }
  }
}

/** Local modules and the DSL: other packages are never loaded (reading one of their values is GANTRY1103). */
const isLinked = (specifier: string) => specifier.startsWith(".") || specifier.startsWith("/") || specifier === "gantry";

function attempt(ev: Evaluator, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof StaticError || e instanceof Poisoned) ev.recover(e);
    else throw e;
  }
}

/** An import binding nothing has read yet that the file references as a value (so a run keeps the import). */
function isPendingValue(record: ModuleRecord, name: ts.Identifier): boolean {
  return record.scope.lookup(name.text)?.state === "pending" && valueReferences(record.file).has(name.text);
}

const references = new WeakMap<ts.SourceFile, ReadonlySet<string>>();

/**
 * Names a file uses as values: identifiers outside types, declarations' own names, property names
 * and import specifiers. Shadowing is ignored, so a name only a local of the same name uses counts:
 * the check then asks a run's question of an import a transpiler would drop, never the other way.
 */
function valueReferences(file: ts.SourceFile): ReadonlySet<string> {
  let found = references.get(file);
  if (found) return found;
  const out = new Set<string>();
  const pending: ts.Node[] = [...file.statements];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node)) continue;
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) continue;
    if (ts.isIdentifier(node)) {
      if (isValuePosition(node)) out.add(node.text);
      continue;
    }
    ts.forEachChild(node, (child) => {
      pending.push(child);
    });
  }
  references.set(file, out);
  return out;
}

function isValuePosition(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if (ts.isExportSpecifier(parent)) return !parent.parent.parent.moduleSpecifier && (parent.propertyName ?? parent.name) === id; // `export { x }`
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === id;
  if (ts.isQualifiedName(parent)) return parent.left === id;
  if (ts.isBindingElement(parent)) return parent.initializer === id; // a default value, not a name or the property read
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  // The name of a declaration, property or member (`const x`, `{ x: 1 }`, `class { x() {} }`).
  return (parent as ts.Node & { name?: ts.Node }).name !== id;
}
