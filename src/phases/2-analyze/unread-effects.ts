/**
 * Effects of top-level declarations nothing reads. Gantry never evaluates those (their errors and
 * effects would not be a run's of the exports it compiles), but a run executes them when the module
 * loads: one that changes a module-level value (`const added = names.push("b")`, or a helper that
 * does, `const a = register("b")`) would make a run read the changed value where Gantry reads it
 * unchanged. Found from the syntax alone, so the answer does not depend on what else is compiled.
 */
import { ts } from "ts-morph";
import { editorPosition } from "../../util/editor-lines.js";
import { MUTATING_ARRAY_METHODS } from "./builtins.js";
import { FixedValueChange, isStackOverflow, outOfStack, runFailsHere, StaticError } from "./errors.js";
import type { Evaluator } from "./evaluator.js";
import type { ModuleLoader, ModuleRecord } from "./modules.js";
import { failedIn, readBinding } from "./scope.js";
import { accessRoot, assignedNames, assignmentTarget, boundNames, declarationSite, declaredWithin, hasModifier, perFile, isBinaryAssignment, isCalledOnTheSpot, isIncrement } from "./syntax.js";
import { skipTransparent } from "./visitors/transparent.js";

/**
 * GANTRY1104 for each unread top-level declaration of `record` that would change a module value when
 * run, found from its syntax and not ruled out by running it (a branch not taken); returns the names
 * reported. See `ModuleLoader.checkUnreadDeclarations`.
 */
export function reportUnreadMutations(record: ModuleRecord, ev: Evaluator, loader: ModuleLoader): Set<string> {
  const reported = new Set<string>();
  for (const statement of record.file.statements) {
    if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) continue;
    for (const { name, runs } of declarationCode(statement)) {
      if (name === undefined) continue;
      const binding = record.scope.lookup(name);
      if (binding?.state !== "pending") continue;
      for (const code of runs) {
        let change: ReturnType<typeof mutationOfModuleValue>;
        try {
          change = mutationOfModuleValue(code, record.file, loader);
        } catch (e) {
          // The scan walks the syntax recursively, as the parser built it (ifs nested thousands deep).
          if (!isStackOverflow(e)) throw e;
          ev.recover(outOfStack(code, "this declaration", "statements"));
          reported.add(name);
          break;
        }
        if (!change) continue;
        // The syntax sees every branch, a run takes one: if the declaration, run, completes, it changed
        // nothing (module values are frozen: a change fails), so the change is in code a run does not
        // reach (`EXTRA ? LIST.push("b") : 0` with EXTRA false). Classes are never evaluated.
        if (!ts.isClassDeclaration(statement) && ev.speculate(() => readBinding(binding, name, statement)).ran) break;
        ev.recover(
          new StaticError("GANTRY1104", change.at, `${change.what} when the module runs, in a declaration nothing reads (so Gantry never runs it, and would read the value unchanged)`, "Build the value complete in its own declaration (with a spread or concat), or change a copy."),
        );
        reported.add(name);
        break;
      }
    }
  }
  return reported;
}

/**
 * Runs each top-level declaration of `record` that nothing read, in order, as loading the module
 * does (`Evaluator.speculate`, so nothing it computes is kept), and reports what would make the
 * run differ: a check that throws (`const checked = assertUnique(TABLES)`: the module fails to
 * load), an operation JavaScript rejects, a change to a module value the syntax did not show
 * (handed inside another value, a rest parameter, a helper's condition that holds), or a limit of
 * the evaluation (GANTRY1108: past it, what the rest would change is unknown). Anything Gantry
 * cannot evaluate there (`const home = process.env.HOME`) stays silent, as before: no export needs
 * it. `skip`: names `reportUnreadMutations` reported already.
 */
export function runUnreadDeclarations(record: ModuleRecord, ev: Evaluator, skip: ReadonlySet<string>): void {
  // One speculation for the module: a declaration that failed stays failed for the ones after it
  // (which then stop at once) rather than being computed again for each, until all are undone.
  ev.withinSpeculation(() => {
    for (const statement of record.file.statements) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword) || ts.isClassDeclaration(statement)) continue; // classes are never evaluated
      for (const { name, runs } of declarationCode(statement)) {
        if (name === undefined || runs.length === 0 || skip.has(name)) continue;
        const binding = record.scope.lookup(name);
        if (binding?.state !== "pending") continue;
        const result = ev.speculate(() => readBinding(binding, name, statement));
        if (result.ran || !result.first) continue;
        const { first } = result;
        // A failure while another declaration was being made (`const n = added + 1` reads `added`) is that one's to report.
        if (failedIn.get(first) !== binding) continue;
        if (runFailsHere(first)) ev.recover(first); // where the run fails, as for a declaration that is read
        else if (first instanceof FixedValueChange) ev.recover(unreadChange(runs[0]!, first, ev.modules));
        // Past a limit (the stack, the step budget), Gantry cannot tell what the rest would change.
        else if (first.code === "GANTRY1108") ev.recover(first);
      }
    }
  });
}

/**
 * What a top-level declaration runs when the module loads, by the name it binds: a variable's
 * initialiser; an enum's member initialisers; a class's `extends` expression, computed member
 * names, decorators, static field initialisers and static blocks (not its methods).
 */
function declarationCode(statement: ts.Statement): { name: string | undefined; runs: ts.Node[] }[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => ({ name: boundNames(d.name)[0], runs: d.initializer ? [d.initializer] : [] }));
  }
  if (ts.isEnumDeclaration(statement)) return [{ name: statement.name.text, runs: statement.members.flatMap((m) => (m.initializer ? [m.initializer] : [])) }];
  if (ts.isExportAssignment(statement) && !statement.isExportEquals) return [{ name: "*default*", runs: [statement.expression] }];
  if (ts.isClassDeclaration(statement)) return [{ name: statement.name?.text ?? "default", runs: classLoadCode(statement) }];
  return [];
}

/** GANTRY1104 at an unread declaration whose code, run, changes a fixed value somewhere (`change`). */
function unreadChange(init: ts.Node, change: StaticError, loader: ModuleLoader): StaticError {
  const text = change.node.getText();
  const what = `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\` in ${fileAndLine(change.node, loader)}`;
  return new StaticError(
    "GANTRY1104",
    init,
    `this declaration changes a value fixed once made when the module runs (${what}), but nothing reads it (so Gantry never keeps what it computes, and reads the value unchanged)`,
    "Build the value complete in its own declaration (with a spread or concat), or change a copy.",
  );
}

/** What defining a class runs: its `extends` expression, computed member names, decorators, static field initialisers and static blocks (not its methods or instance fields). */
function classLoadCode(node: ts.ClassLikeDeclaration): ts.Node[] {
  const runs: ts.Node[] = [...(node.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression)), ...(ts.getDecorators(node) ?? [])];
  for (const m of node.members) {
    if (m.name && ts.isComputedPropertyName(m.name)) runs.push(m.name.expression);
    if (ts.canHaveDecorators(m)) runs.push(...(ts.getDecorators(m) ?? []));
    if (ts.isClassStaticBlockDeclaration(m)) runs.push(m.body);
    else if (ts.isPropertyDeclaration(m) && m.initializer && hasModifier(m, ts.SyntaxKind.StaticKeyword)) runs.push(m.initializer);
  }
  return runs;
}

/** A change to a module-level value found in code: the node that makes it, and what to call it. */
export interface Change {
  node: ts.Node;
  text: string;
  kind: "array" | "value";
}

/**
 * The first change in `init` (code a top-level declaration runs), as a run would execute it, to one
 * of the module's own values: a mutating array method (MUTATING_ARRAY_METHODS) called on it
 * (`names.push(x)`, `cfg.list["sort"]()`), `Object.assign` onto it, or an assignment (`=`, `+=`,
 * `++`, ...) to a part of it; or a call of a module-level helper that makes one (`register("b")`,
 * `registry.add("b")`, here or imported). With where to report it and what to say.
 */
function mutationOfModuleValue(init: ts.Node, file: ts.SourceFile, loader: ModuleLoader): { at: ts.Node; what: string } | undefined {
  const found = scanForChange(init, { top: init, file, loader, inHelper: false, thisIsModule: false, moduleParams: NONE });
  if (!found) return undefined;
  if (!found.via) return { at: found.change.node, what: `${found.change.text} changes a module-level ${found.change.kind}` };
  const { change, via } = found;
  return { at: via.expression, what: `${via.expression.getText()}(...) changes a module-level ${change.kind} (${change.text} in ${fileAndLine(change.node, loader)})` };
}

/** `lib.ts:4`: where a node is, for a message that points into another place. */
function fileAndLine(node: ts.Node, loader: ModuleLoader): string {
  const sf = node.getSourceFile();
  return `${loader.program.relative(sf.fileName)}:${editorPosition(sf, node.getStart()).line}`;
}

interface ScanContext {
  /** The function (or initialiser) scanned: names declared inside it are not the module's. */
  top: ts.Node;
  file: ts.SourceFile;
  loader: ModuleLoader;
  /**
   * Scanning a helper's body: only changes it makes on every call count (not under an `if`, a
   * `?:`, `&&`, a loop, a callback, or after an early `return`), so a helper that changes a module
   * value only when asked (`if (track) seen.push(x)`) is not reported where a run would not change it.
   */
  inHelper: boolean;
  /** `this` is a module-level object: the helper is a method called on one (`registry.add(...)`). */
  thisIsModule: boolean;
  /** Parameters of the helper that were given a module-level value (`addTo(names, "b")`): changing one changes that value. */
  moduleParams: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/** Array methods that call the function they are given (`names.map(register)` calls `register`). */
const CALLING_METHODS = new Set(["map", "forEach", "flatMap", "filter", "reduce", "reduceRight", "some", "every", "find", "findIndex", "findLast", "findLastIndex"]);

function scanForChange(root: ts.Node, ctx: ScanContext): { change: Change; via?: ts.CallExpression } | undefined {
  const { top, file, loader, inHelper } = ctx;
  const names = topLevelNames(file);
  const isModuleValue = (target: ts.Expression): boolean => {
    const r = accessRoot(target);
    if (r.kind === ts.SyntaxKind.ThisKeyword) return ctx.thisIsModule && thisOf(r) === top;
    if (!ts.isIdentifier(r)) return false;
    const site = declarationSite(r, top);
    if (site !== undefined) return site === top && ctx.moduleParams.has(r.text);
    const declaration = names.get(r.text);
    return declaration !== undefined && !loader.isPackageImport(declaration);
  };
  const helperChange = (call: ts.CallExpression | undefined, callee: ts.Expression) => {
    const called = calledFunction(callee, top, file, loader);
    if (!called) return undefined;
    // Parameters the call gives a module-level value to, by name (not rest or destructured ones,
    // nor any after a spread argument, whose position is unknown; TypeScript's `this` parameter is no parameter).
    const given = new Set<string>();
    const params = called.fn.parameters.filter((param) => !(ts.isIdentifier(param.name) && param.name.text === "this"));
    const args = call?.arguments ?? [];
    const spread = args.findIndex((a) => ts.isSpreadElement(a));
    params.forEach((param, i) => {
      const arg = args[i];
      if (arg && (spread < 0 || i < spread) && !param.dotDotDotToken && ts.isIdentifier(param.name) && isModuleValue(arg) && !reassigned(param.name, called.fn)) given.add(param.name.text);
    });
    return changeInHelper(called.fn, called.thisIsModule, given, loader);
  };
  // A work list, not recursion: an initialiser can nest deeper than the stack.
  const pending: ts.Node[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isCallExpression(node)) {
      const callee = skipTransparent(node.expression);
      const own = helperChange(node, callee);
      if (own) return { change: own, via: node };
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) ? callee.argumentExpression.text : undefined;
      const receiver = method !== undefined ? (callee as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression : undefined;
      // Not when the callee is the module's own function of that name (`queue.push` of `const queue = { push(x) {...} }`).
      if (receiver && MUTATING_ARRAY_METHODS.has(method!) && isModuleValue(receiver) && !calledFunction(callee, top, file, loader)) {
        return { change: { node: node.expression, text: node.expression.getText(), kind: "array" } };
      }
      if (isObjectAssign(callee, top, names) && node.arguments[0] && isModuleValue(node.arguments[0])) {
        return { change: { node: node.expression, text: node.expression.getText(), kind: "value" } };
      }
      // A module-level function handed to an array method that calls it (`["b"].forEach(register)`).
      if (!inHelper && method !== undefined && CALLING_METHODS.has(method)) {
        for (const arg of node.arguments) {
          const passed = skipTransparent(arg);
          const change = ts.isIdentifier(passed) || ts.isPropertyAccessExpression(passed) ? helperChange(undefined, passed) : undefined;
          if (change) return { change, via: node };
        }
      }
    }
    if ((isBinaryAssignment(node) && isModuleValue(node.left)) || (isIncrement(node) && isModuleValue(node.operand))) {
      return { change: { node, text: node.getText(), kind: "value" } };
    }
    if (ts.isFunctionLike(node) && !isCalledOnTheSpot(node)) continue;
    for (const child of inHelper ? unconditionalChildren(node) : childrenOf(node)) pending.push(child);
  }
  return undefined;
}

/**
 * The change a module-level helper makes on every call, given whether `this` is a module value and
 * which parameters are; scanned once per loader: not longer, since under --watch a helper's answer
 * changes with the files it calls into, not only its own.
 */
function changeInHelper(fn: ts.FunctionLikeDeclaration, thisIsModule: boolean, moduleParams: ReadonlySet<string>, loader: ModuleLoader): Change | undefined {
  const self = thisIsModule && !ts.isArrowFunction(fn);
  const key = `${self ? "this," : ""}${[...moduleParams].join(",")}`;
  let memo = loader.helperChanges.get(fn);
  if (!memo) loader.helperChanges.set(fn, (memo = new Map()));
  const known = memo.get(key);
  if (known !== undefined) return known ?? undefined;
  memo.set(key, null); // recursion: a helper calling itself adds nothing
  const body = fn.body;
  const found = body && scanForChange(body, { top: fn, file: fn.getSourceFile(), loader, inHelper: true, thisIsModule: self, moduleParams });
  memo.set(key, found?.change ?? null);
  return found?.change;
}

/**
 * The parts of `node` that run whenever it does: an `if`'s condition but not its branches, the left
 * of `&&`, a loop's iterable but not its body, the statements of a block up to the first that may
 * leave it early, a call's callee and arguments but not callbacks it may call zero times.
 */
function unconditionalChildren(node: ts.Node): ts.Node[] {
  if (ts.isIfStatement(node) || ts.isSwitchStatement(node) || ts.isWhileStatement(node)) return [node.expression];
  if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return [node.initializer, node.expression];
  if (ts.isForStatement(node)) return node.initializer ? [node.initializer] : [];
  if (ts.isDoStatement(node) || ts.isTryStatement(node)) return [];
  if (ts.isConditionalExpression(node)) return [node.condition];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind)) return [node.left];
  if (ts.isBlock(node) || ts.isSourceFile(node)) {
    const statements: ts.Node[] = [];
    for (const st of node.statements) {
      statements.push(st);
      if (mayLeaveEarly(st)) break;
    }
    return statements;
  }
  if ((ts.isCallExpression(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && node.questionDotToken) return [];
  if (ts.isCallExpression(node)) {
    // Callbacks (`xs.forEach(x => names.push(x))`) may run zero times; a function called where it is written runs once.
    return [node.expression, ...node.arguments.filter((a) => !ts.isFunctionLike(skipTransparent(a)))];
  }
  return childrenOf(node);
}

function childrenOf(node: ts.Node): ts.Node[] {
  if (ts.isClassLike(node)) return classLoadCode(node); // instance fields and methods do not run when it is defined
  const children: ts.Node[] = [];
  ts.forEachChild(node, (child) => {
    children.push(child);
  });
  return children;
}

/** Whether a statement may end its block before the next one runs: a `return`, `throw`, `break` or `continue` in it. */
function mayLeaveEarly(statement: ts.Statement): boolean {
  let leaves = false;
  const visit = (n: ts.Node): void => {
    if (leaves || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n)) leaves = true;
    else ts.forEachChild(n, visit);
  };
  visit(statement);
  return leaves;
}

/**
 * Whether the parameter `name` of `fn` is assigned anywhere in it (`list = [...list]`, `[list] = ...`,
 * `for (list of ...)`): then it may no longer hold what it was given.
 */
function reassigned(name: ts.Identifier, fn: ts.FunctionLikeDeclaration): boolean {
  const pending: ts.Node[] = fn.body ? [fn.body] : [];
  for (let n = pending.pop(); n; n = pending.pop()) {
    const target = assignmentTarget(n);
    // The parameter itself, not a variable of the same name an inner function or block declares.
    if (target && assignedNames(target).some((id) => id.text === name.text && declarationSite(id, fn) === fn)) return true;
    pending.push(...childrenOf(n));
  }
  return false;
}

/** The function whose `this` a `this` expression is: the nearest enclosing function that is not an arrow. */
function thisOf(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n) && !ts.isArrowFunction(n)) return n;
  return undefined;
}

/**
 * `Object.assign`, with the global `Object`: `Object.assign`, `Object["assign"]`, or a module-level
 * name bound to it (`const { assign } = Object`, `const assign = Object.assign`).
 */
function isObjectAssign(callee: ts.Expression, top: ts.Node, names: ReadonlyMap<string, ts.Node>): boolean {
  if (ts.isIdentifier(callee)) {
    const declaration = declaredWithin(callee, top) ? undefined : names.get(callee.text);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    const init = skipTransparent(declaration.initializer);
    // `const assign = Object.assign`: the initialiser is itself the callee form.
    if (ts.isIdentifier(declaration.name)) return !ts.isIdentifier(init) && isObjectAssign(init, declaration, names);
    const element = ts.isObjectBindingPattern(declaration.name) ? declaration.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === callee.text) : undefined;
    const key = element && (element.propertyName ?? element.name);
    return key !== undefined && ts.isIdentifier(key) && key.text === "assign" && !element!.dotDotDotToken && isGlobalObject(init, declaration, names);
  }
  const assign = ts.isPropertyAccessExpression(callee) ? callee.name.text === "assign" : ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) && callee.argumentExpression.text === "assign";
  return assign && isGlobalObject(skipTransparent((callee as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression), top, names);
}

const isGlobalObject = (e: ts.Expression, top: ts.Node, names: ReadonlyMap<string, ts.Node>) => ts.isIdentifier(e) && e.text === "Object" && !names.has("Object") && !declaredWithin(e, top);

/**
 * What each top-level name of a file is declared by (the last one, as a module scope holds it),
 * from its syntax; `declare`d names are not the module's.
 */
const topLevelNames = perFile((file): ReadonlyMap<string, ts.Node> => {
  const out = new Map<string, ts.Node>();
  for (const st of file.statements) {
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) continue;
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) for (const n of boundNames(d.name)) out.set(n, d);
    else if ((ts.isFunctionDeclaration(st) && st.body) || ts.isEnumDeclaration(st) || ts.isClassDeclaration(st)) {
      out.set(st.name?.text ?? "default", st);
      if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) out.set("default", st);
    } else if (ts.isImportDeclaration(st) && st.importClause && !st.importClause.isTypeOnly) {
      const clause = st.importClause;
      if (clause.name) out.set(clause.name.text, clause);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) out.set(bindings.name.text, bindings);
      else if (bindings) for (const el of bindings.elements) if (!el.isTypeOnly) out.set(el.name.text, el);
    }
  }
  return out;
});

/**
 * The module-level function a call names, from the syntax alone: a function declaration, a `const`
 * bound to a function, or a method (or function-valued property) of a `const` object literal
 * (`registry.add(...)`, `registry["add"](...)`, `lib.register(...)` through `import * as lib`), in
 * this file or, through imports and re-exports, in another local module (`ModuleLoader.peek`).
 * Nothing is loaded as a module or evaluated, so the answer does not depend on what else is compiled.
 */
function calledFunction(callee: ts.Expression, top: ts.Node, file: ts.SourceFile, loader: ModuleLoader): { fn: ts.FunctionLikeDeclaration; thisIsModule: boolean } | undefined {
  let name: ts.Identifier;
  let member: string | undefined;
  if (ts.isIdentifier(callee)) name = callee;
  else if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && ts.isIdentifier(callee.expression)) {
    name = callee.expression;
    member = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isStringLiteralLike(callee.argumentExpression) ? callee.argumentExpression.text : undefined;
    if (member === undefined) return undefined;
  } else return undefined;
  if (declaredWithin(name, top)) return undefined;
  const thisIsModule = member !== undefined;
  let where = file;
  let local = name.text;
  for (let hops = 0; hops < 16; hops++) {
    const decl = topLevelNames(where).get(local) ?? localExports(where).get(local);
    if (decl === undefined) {
      // Maybe re-exported by an `export * from "./y"` (never `default`): only in a module reached
      // through an import, since a star binds no name in its own file.
      const next = hops === 0 || local === "default" ? undefined : starSource(where, local, loader);
      if (!next) return undefined;
      where = next;
      continue;
    }
    if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isExportSpecifier(decl) || ts.isNamespaceImport(decl)) {
      const statement = ts.isImportClause(decl) ? decl.parent : ts.isExportSpecifier(decl) || ts.isNamespaceImport(decl) ? decl.parent.parent : decl.parent.parent.parent;
      const from = (statement as ts.ImportDeclaration | ts.ExportDeclaration).moduleSpecifier;
      const target = from && ts.isStringLiteral(from) ? loader.peek(where.fileName, from.text) : undefined;
      if (!target) return undefined;
      if (ts.isNamespaceImport(decl)) {
        if (member === undefined) return undefined;
        [where, local, member] = [target, member, undefined];
      } else [where, local] = [target, ts.isImportClause(decl) ? "default" : (decl.propertyName ?? decl.name).text];
      continue;
    }
    let fn: ts.Node | undefined = decl;
    if (ts.isVariableDeclaration(decl)) fn = decl.initializer && skipTransparent(decl.initializer);
    if (member !== undefined) {
      const prop = fn && ts.isObjectLiteralExpression(fn) ? propertyOf(fn, member) : undefined;
      // `{ register }` or `{ add: register }`: the function of that name in the same file.
      if (prop && ts.isIdentifier(prop)) {
        [local, member] = [prop.text, undefined];
        continue;
      }
      fn = prop;
    }
    return fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) ? { fn, thisIsModule } : undefined;
  }
  return undefined;
}

/** The file that `export * from` statements of `file` take `name` from, followed through further stars; the first in source order. */
function starSource(file: ts.SourceFile, name: string, loader: ModuleLoader, seen = new Set<ts.SourceFile>()): ts.SourceFile | undefined {
  seen.add(file);
  for (const st of file.statements) {
    if (!ts.isExportDeclaration(st) || st.exportClause || st.isTypeOnly || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const target = loader.peek(file.fileName, st.moduleSpecifier.text);
    if (!target || seen.has(target)) continue;
    if (exportedNames(target).has(name)) return target;
    const deeper = starSource(target, name, loader, seen);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The names a file exports itself (not through `export *`), from its syntax. */
const exportedNames = perFile((file): ReadonlySet<string> => {
  const out = new Set<string>();
  for (const st of file.statements) {
    if (ts.isExportDeclaration(st)) {
      const clause = st.exportClause;
      if (st.isTypeOnly || !clause) continue;
      if (ts.isNamespaceExport(clause)) out.add(clause.name.text); // export * as ns
      else for (const el of clause.elements) if (!el.isTypeOnly) out.add(el.name.text);
    } else if (ts.isExportAssignment(st)) {
      if (!st.isExportEquals) out.add("default");
    } else if (hasModifier(st, ts.SyntaxKind.ExportKeyword) && !hasModifier(st, ts.SyntaxKind.DeclareKeyword)) {
      if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) out.add("default");
      else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) for (const n of boundNames(d.name)) out.add(n);
      else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) out.add(st.name.text);
    }
  }
  return out;
});

/**
 * Exports of a file that are not top-level names of the same name: `export { x } from "./y"` (the
 * specifier), `export { local as name }` (the local's declaration), `export default <expression>`.
 * Built once per file: every callee name that is not a top-level one (`Object.freeze`) asks.
 */
const localExports = perFile((file): ReadonlyMap<string, ts.Node> => {
  const out = new Map<string, ts.Node>();
  for (const st of file.statements) {
    if (ts.isExportAssignment(st) && !st.isExportEquals) {
      const e = skipTransparent(st.expression);
      const target = ts.isIdentifier(e) ? topLevelNames(file).get(e.text) : e;
      if (target) out.set("default", target);
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (el.isTypeOnly) continue;
        const target = st.moduleSpecifier ? el : el.propertyName ? topLevelNames(file).get(el.propertyName.text) : undefined;
        if (target) out.set(el.name.text, target);
      }
    }
  }
  return out;
});

/** What an object literal holds under `name`: a method, a property's value, or a shorthand's name. */
function propertyOf(literal: ts.ObjectLiteralExpression, name: string): ts.Node | undefined {
  for (const prop of literal.properties) {
    const key = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? prop.name.text : undefined;
    if (key !== name) continue;
    if (ts.isMethodDeclaration(prop)) return prop;
    if (ts.isPropertyAssignment(prop)) return skipTransparent(prop.initializer);
    if (ts.isShorthandPropertyAssignment(prop)) return prop.name;
  }
  return undefined;
}
