/**
 * JavaScript's early errors that TypeScript's parser leaves to its binder and checker, which a plain
 * compile never runs: a name declared twice, a duplicate export, `break` outside a loop, a strict
 * mode reserved word as a name, and the like. A run refuses to load such a module (a SyntaxError
 * before any of it executes), so Gantry must not read it either: it used to take the last
 * declaration, or let a callback's `break` end the callback. Messages are V8's.
 *
 * Only what survives TypeScript's emit counts: types, `declare`, overload signatures and type-only
 * imports and exports are erased, so they never clash. Modules are strict-mode code.
 */
import { ts } from "ts-morph";
import { bindingIdentifiers } from "./binding-names.js";

// Read once: the `ts` namespace's members are getters, too slow to ask for every node.
const K = ts.SyntaxKind;
const NodeFlags = ts.NodeFlags;
const { forEachChild, isBlock, isImportEqualsDeclaration, isClassDeclaration, isClassLike, isClassStaticBlockDeclaration, isDoStatement, isEnumDeclaration, isExportAssignment, isExportDeclaration, isForInStatement, isForOfStatement, isForStatement, isFunctionDeclaration, isFunctionExpression, isFunctionLike, isIdentifier, isImportDeclaration, isInterfaceDeclaration, isLabeledStatement, isModuleDeclaration, isNamespaceExport, isNamespaceImport, isTypeAliasDeclaration, isVariableDeclarationList, isVariableStatement, isWhileStatement } = ts;

export interface EarlyError {
  start: number;
  message: string;
}

/** Reserved in strict mode (all module code), so not a name a module can declare. */
const STRICT_RESERVED = new Set(["implements", "interface", "let", "package", "private", "protected", "public", "static", "yield"]);

/** Jump targets in reach of a `break` or `continue`: they do not cross a function. */
interface Jumps {
  breakable: boolean;
  iteration: boolean;
  labels: readonly { name: string; iteration: boolean }[];
}

const NO_JUMPS: Jumps = { breakable: false, iteration: false, labels: [] };

export function earlyErrors(sf: ts.SourceFile): EarlyError[] {
  const out: EarlyError[] = [];
  const report = (node: ts.Node, message: string) => out.push({ start: node.getStart(sf), message });
  // `var` and enums (emitted as `var`) are rare in pipeline code: look for var-scoped clashes only where they can occur.
  const hasVar = /\bvar\b/.test(sf.text);
  const mayHaveVars = hasVar || /\benum\b/.test(sf.text);

  /** Names a list of statements declares in one scope; with their clashes reported. */
  const declareScope = (statements: readonly ts.Statement[], kind: "module" | "function" | "block", outer: ReadonlyMap<string, ts.Node> = new Map()) => {
    const lexical = new Map<string, ts.Node>();
    const enums = new Set<string>();
    const declare = (id: ts.Identifier) => {
      const earlier = lexical.get(id.text) ?? outer.get(id.text);
      if (earlier) report(id, `Identifier '${id.text}' has already been declared`);
      else lexical.set(id.text, id);
    };
    for (const st of statements) {
      if (isErased(st)) continue;
      if (isVariableStatement(st) && st.declarationList.flags & NodeFlags.BlockScoped) {
        for (const d of st.declarationList.declarations) bindingIdentifiers(d.name).forEach(declare);
      } else if (isClassDeclaration(st) && st.name) declare(st.name);
      else if (isFunctionDeclaration(st) && st.name && st.body && kind !== "function") declare(st.name); // lexical at module and block level in strict code
      else if (isImportDeclaration(st)) importedNames(st).forEach(declare);
      // Below the module's top level TypeScript emits an enum as one `let` (its declarations merge).
      else if (isEnumDeclaration(st) && kind !== "module" && !enums.has(st.name.text)) {
        enums.add(st.name.text);
        declare(st.name);
      }
    }
    // A function body's own function declarations are var-scoped, and need no `var` in the file to clash.
    const varScoped = mayHaveVars ? varNames(statements, kind) : kind === "function" ? statements.flatMap((st) => (isFunctionDeclaration(st) && st.name && st.body ? [st.name] : [])) : [];
    if (lexical.size > 0) {
      for (const id of varScoped) {
        const clash = lexical.get(id.text);
        if (clash) report(clash.pos > id.pos ? clash : id, `Identifier '${id.text}' has already been declared`);
      }
    }
    return lexical;
  };

  const checkFunction = (fn: ts.SignatureDeclaration & { body?: ts.Node }) => {
    const params = new Map<string, ts.Node>();
    for (const p of fn.parameters) {
      if (isIdentifier(p.name) && p.name.text === "this") continue; // TypeScript's `this` type, erased
      for (const id of bindingIdentifiers(p.name)) {
        if (params.has(id.text)) report(id, "Duplicate parameter name not allowed in this context");
        else params.set(id.text, id);
      }
    }
    if (fn.body && isBlock(fn.body)) {
      declareScope(fn.body.statements, "function", params);
      // Parameters with defaults, patterns or a rest are evaluated before the body could switch to strict mode.
      const nonSimple = fn.parameters.some((p) => p.initializer || p.dotDotDotToken || !isIdentifier(p.name));
      const strict = nonSimple && directives(fn.body).find((d) => d.text === "use strict" && d.getText(sf).length === 12);
      if (strict) report(strict, "Illegal 'use strict' directive in function with non-simple parameter list");
    }
  };

  // The walk's context, saved and restored around a subtree that changes it: one callback for
  // every node, rather than a closure per node, since this walks every file a compile reads.
  let jumps = NO_JUMPS;
  let inFunction = false;
  /** What the code in reach may use: `super.x`, `super()`, `new.target`, `for await`; and the private names of the classes around it. */
  let reach: Reach = TOP_LEVEL;
  let privateNames: readonly ReadonlySet<string>[] = [];
  const within = (node: ts.Node | undefined, j: Jumps, f: boolean) => {
    if (!node) return;
    const saved = [jumps, inFunction] as const;
    [jumps, inFunction] = [j, f];
    visit(node);
    [jumps, inFunction] = saved;
  };
  const visitChildren = (node: ts.Node) => forEachChild(node, visit);

  /** V8 compiles every regular expression literal when it parses the module: an invalid one stops it loading. */
  const checkRegularExpression = (node: ts.RegularExpressionLiteral) => {
    const end = node.text.lastIndexOf("/");
    try {
      new RegExp(node.text.slice(1, end), node.text.slice(end + 1));
    } catch (e) {
      report(node, /^Invalid flags/.test((e as Error).message) ? "Invalid regular expression flags" : (e as Error).message);
    }
  };

  /**
   * What an assignment or `++`/`--` may change, after TypeScript's emit drops `as`, `!` and the like:
   * a name other than `eval` or `arguments`, or a property read without `?.` anywhere in it.
   */
  const checkAssignmentTarget = (target: ts.Expression, message: string, pattern = false) => {
    let t = target;
    while (TRANSPARENT.has(t.kind)) t = (t as ts.ParenthesizedExpression).expression;
    if (isIdentifier(t)) {
      if (t.text === "eval" || t.text === "arguments") report(t, "Unexpected eval or arguments in strict mode");
      return;
    }
    if ((t.kind === K.PropertyAccessExpression || t.kind === K.ElementAccessExpression) && !(t.flags & NodeFlags.OptionalChain)) return;
    // A destructuring pattern (after `=` only), and a call, which V8 refuses only when it runs (web compatibility).
    if ((pattern && (t.kind === K.ObjectLiteralExpression || t.kind === K.ArrayLiteralExpression)) || t.kind === K.CallExpression) return;
    report(t, message);
  };

  const visit = (node: ts.Node): void => {
    // Tokens, names and literals (most of a tree) hold nothing to check: leave them first.
    if (node.kind === K.RegularExpressionLiteral) return checkRegularExpression(node as ts.RegularExpressionLiteral);
    if (node.kind < K.FirstNode || isErased(node)) return;
    switch (node.kind) {
      case K.SourceFile:
        declareScope((node as ts.SourceFile).statements, "module");
        checkExports(node as ts.SourceFile, hasVar, report);
        break;
      case K.Block:
        if (!isFunctionBody(node)) declareScope((node as ts.Block).statements, "block");
        break;
      case K.CaseBlock:
        declareScope((node as ts.CaseBlock).clauses.flatMap((c) => c.statements), "block");
        break;
      case K.CatchClause: {
        const c = node as ts.CatchClause;
        const param = new Map<string, ts.Node>();
        for (const id of c.variableDeclaration ? bindingIdentifiers(c.variableDeclaration.name) : []) {
          if (param.has(id.text)) report(id, `Identifier '${id.text}' has already been declared`);
          param.set(id.text, id);
          checkBindingName(id, report);
        }
        declareScope(c.block.statements, "block", param);
        // `catch (e) { var e }` is allowed (web legacy), but not a `var` of a name a destructured parameter binds.
        if (hasVar && c.variableDeclaration && !isIdentifier(c.variableDeclaration.name)) {
          for (const id of varNames(c.block.statements, "block")) if (param.has(id.text)) report(id, `Identifier '${id.text}' has already been declared`);
        }
        if (c.variableDeclaration) visitChildren(c.variableDeclaration);
        c.block.statements.forEach(visit);
        return;
      }
      case K.VariableDeclarationList: {
        const list = node as ts.VariableDeclarationList;
        const head = isForStatement(list.parent) || isForInStatement(list.parent) || isForOfStatement(list.parent);
        if (head && list.flags & NodeFlags.BlockScoped) {
          const seen = new Set<string>();
          for (const id of list.declarations.flatMap((d) => bindingIdentifiers(d.name))) {
            if (seen.has(id.text)) report(id, `Identifier '${id.text}' has already been declared`);
            seen.add(id.text);
          }
        }
        for (const d of list.declarations) {
          for (const id of bindingIdentifiers(d.name)) checkBindingName(id, report);
          if (list.flags & NodeFlags.Const && !d.initializer && !head) report(d, "Missing initializer in const declaration");
        }
        const loop = isForOfStatement(list.parent) ? "for-of" : isForInStatement(list.parent) ? "for-in" : undefined;
        if (loop && list.declarations.some((d) => d.initializer)) report(list, `${loop} loop variable declaration may not have an initializer.`);
        break;
      }
      case K.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op >= K.FirstAssignment && op <= K.LastAssignment) checkAssignmentTarget(b.left, "Invalid left-hand side in assignment", op === K.EqualsToken);
        if (op === K.InKeyword && b.left.kind === K.PrivateIdentifier) checkPrivateName(b.left as ts.PrivateIdentifier);
        break;
      }
      case K.PrefixUnaryExpression:
      case K.PostfixUnaryExpression: {
        const u = node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression;
        if (u.operator === K.PlusPlusToken || u.operator === K.MinusMinusToken) {
          checkAssignmentTarget(u.operand, `Invalid left-hand side expression in ${node.kind === K.PrefixUnaryExpression ? "prefix" : "postfix"} operation`);
        }
        break;
      }
      case K.ReturnStatement:
        if (!inFunction) report(node, "Illegal return statement");
        break;
      case K.WithStatement:
        report(node, "Strict mode code may not include a with statement");
        break;
      case K.BreakStatement:
      case K.ContinueStatement:
        checkJump(node as ts.BreakOrContinueStatement, jumps, report);
        return;
      case K.LabeledStatement: {
        const l = node as ts.LabeledStatement;
        if (jumps.labels.some((outer) => outer.name === l.label.text)) report(l.label, `Label '${l.label.text}' has already been declared`);
        const labels = [...jumps.labels, { name: l.label.text, iteration: isIteration(unlabelled(l.statement)) }];
        within(l.statement, { ...jumps, labels }, inFunction);
        return;
      }
      case K.SwitchStatement: {
        const s = node as ts.SwitchStatement;
        visit(s.expression);
        within(s.caseBlock, { ...jumps, breakable: true }, inFunction);
        return;
      }
      case K.ObjectLiteralExpression: {
        // One `__proto__: value` sets the prototype; a second is an early error (not a computed,
        // shorthand or method one, nor in a destructuring assignment's pattern, where it is a plain key).
        if (isAssignmentPattern(node)) break;
        // `{ a = 1 }` is only a destructuring pattern's default: as a value, V8 refuses it.
        for (const p of (node as ts.ObjectLiteralExpression).properties) {
          if (p.kind === K.ShorthandPropertyAssignment && (p as ts.ShorthandPropertyAssignment).objectAssignmentInitializer) report(p, "Invalid shorthand property initializer");
        }
        let protos = 0;
        for (const p of (node as ts.ObjectLiteralExpression).properties) {
          if (p.kind === K.PropertyAssignment && p.name.kind !== K.ComputedPropertyName && (p.name as ts.Identifier | ts.StringLiteral).text === "__proto__" && ++protos === 2) {
            report(p.name, "Duplicate __proto__ fields are not allowed in object literals");
          }
        }
        break;
      }
      case K.DeleteExpression: {
        // Through what TypeScript's emit removes (`x!`, `x as T`, `<T>x`, `x satisfies T`) or keeps (parentheses).
        let operand: ts.Expression = (node as ts.DeleteExpression).expression;
        while (TRANSPARENT.has(operand.kind)) operand = (operand as ts.ParenthesizedExpression).expression;
        if (isIdentifier(operand)) report(node, "Delete of an unqualified identifier in strict mode.");
        break;
      }

      case K.PropertyAccessExpression:
      case K.ElementAccessExpression: {
        const e = (node as ts.PropertyAccessExpression).expression;
        if (e.kind === K.SuperKeyword && !reach.superProperty) report(e, "'super' keyword unexpected here");
        const name = (node as ts.PropertyAccessExpression).name;
        if (node.kind === K.PropertyAccessExpression && name.kind === K.PrivateIdentifier) checkPrivateName(name as ts.PrivateIdentifier);
        break;
      }
      case K.CallExpression:
        if ((node as ts.CallExpression).expression.kind === K.SuperKeyword && !reach.superCall) report((node as ts.CallExpression).expression, "'super' keyword unexpected here");
        break;
      case K.MetaProperty:
        if ((node as ts.MetaProperty).keywordToken === K.NewKeyword && !reach.newTarget) report(node, "new.target expression is not allowed here");
        break;
      case K.ForOfStatement:
        if ((node as ts.ForOfStatement).awaitModifier && inFunction && !reach.async) report((node as ts.ForOfStatement).awaitModifier!, "Unexpected reserved word");
        break;
      case K.ImportDeclaration:
        importedNames(node as ts.ImportDeclaration).forEach((id) => checkBindingName(id, report));
        return;
      case K.ClassStaticBlockDeclaration: {
        // A function-like boundary where `return` is illegal too.
        declareScope((node as ts.ClassStaticBlockDeclaration).body.statements, "function");
        const saved = reach;
        reach = IN_CLASS_BODY;
        within((node as ts.ClassStaticBlockDeclaration).body, NO_JUMPS, false);
        reach = saved;
        return;
      }
      case K.PropertyDeclaration: {
        // A field's initializer runs as a method of the class would.
        const saved = reach;
        reach = IN_CLASS_BODY;
        visitChildren(node);
        reach = saved;
        return;
      }
    }
    if (isIteration(node)) {
      const saved = jumps;
      jumps = { ...jumps, breakable: true, iteration: true };
      visitChildren(node);
      jumps = saved;
      return;
    }
    if (isFunctionDeclaration(node) && !isBlockLike(node.parent)) report(node, "In strict mode code, functions can only be declared at top level or inside a block.");
    if (isFunctionLike(node)) {
      if (!("body" in node) || !node.body) return; // an overload or abstract signature: erased
      checkFunction(node as ts.SignatureDeclaration & { body?: ts.Node });
      if ((isFunctionDeclaration(node) || isFunctionExpression(node)) && node.name) checkBindingName(node.name, report);
      for (const p of (node as ts.SignatureDeclaration).parameters) for (const id of bindingIdentifiers(p.name)) checkBindingName(id, report);
      const saved = [jumps, inFunction, reach] as const;
      [jumps, inFunction, reach] = [NO_JUMPS, true, reachIn(node, reach)];
      visitChildren(node);
      [jumps, inFunction, reach] = saved;
      return;
    }
    if (isClassLike(node)) {
      if (node.name) checkBindingName(node.name, report);
      checkClassMembers(node);
      const saved = privateNames;
      privateNames = [...privateNames, new Set(node.members.flatMap((m) => (m.name && ts.isPrivateIdentifier(m.name) ? [m.name.text] : [])))];
      visitChildren(node);
      privateNames = saved;
      return;
    }
    visitChildren(node);
  };

  const checkPrivateName = (name: ts.PrivateIdentifier) => {
    if (!privateNames.some((names) => names.has(name.text))) report(name, `Private field '${name.text}' must be declared in an enclosing class`);
  };

  /** V8's early errors about a class's own members (what TypeScript leaves to its checker). */
  const checkClassMembers = (c: ts.ClassLikeDeclaration) => {
    let constructors = 0;
    const privates = new Map<string, string>(); // #name -> "field" | "method" | "get static" ...
    for (const m of c.members) {
      const flags = ts.getCombinedModifierFlags(m as ts.Declaration);
      // What TypeScript's emit drops: overload signatures, abstract and `declare` members, index signatures.
      if (isErased(m) || flags & (ts.ModifierFlags.Abstract | ts.ModifierFlags.Ambient) || m.kind === K.IndexSignature || m.kind === K.SemicolonClassElement) continue;
      if ((m.kind === K.MethodDeclaration || m.kind === K.Constructor || m.kind === K.GetAccessor || m.kind === K.SetAccessor) && !(m as ts.FunctionLikeDeclaration).body) continue;
      const isStatic = flags & ts.ModifierFlags.Static;
      const name = m.name && (isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : ts.isPrivateIdentifier(m.name) ? m.name.text : undefined);
      if (m.kind === K.Constructor && ++constructors === 2) report(m, "A class may only have one constructor");
      if (isStatic && name === "prototype" && m.name && !ts.isPrivateIdentifier(m.name)) report(m.name, "Classes may not have a static property named 'prototype'");
      if (!isStatic && name === "constructor" && (m.kind === K.GetAccessor || m.kind === K.SetAccessor)) report(m.name!, "Class constructor may not be an accessor");
      if (m.kind === K.GetAccessor || m.kind === K.SetAccessor) {
        const params = (m as ts.AccessorDeclaration).parameters.filter((p) => !(isIdentifier(p.name) && p.name.text === "this"));
        if (m.kind === K.GetAccessor && params.length > 0) report(params[0]!, "Getter must not have any formal parameters.");
        if (m.kind === K.SetAccessor && params.length !== 1) report((m as ts.AccessorDeclaration).name, "Setter must have exactly one formal parameter.");
        else if (m.kind === K.SetAccessor && params[0]!.dotDotDotToken) report(params[0]!, "Setter function argument must not be a rest parameter");
      }
      if (m.name && ts.isPrivateIdentifier(m.name)) {
        if (m.name.text === "#constructor") report(m.name, "Classes may not have a private field named '#constructor'");
        // A getter and a setter of one name (both static or both not) are one private name.
        const kind = m.kind === K.GetAccessor ? "get" : m.kind === K.SetAccessor ? "set" : "other";
        const earlier = privates.get(m.name.text);
        const pair = earlier !== undefined && earlier !== "other" && kind !== "other" && earlier.slice(0, 3) !== kind && earlier.endsWith(isStatic ? "static" : "instance");
        if (earlier !== undefined && !pair) report(m.name, `Identifier '${m.name.text}' has already been declared`);
        else privates.set(m.name.text, pair ? "other" : `${kind} ${isStatic ? "static" : "instance"}`);
      }
    }
  };

  try {
    visit(sf);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // nested deeper than this walk's stack: report what was found
  }
  return out;
}

/** What code may use where it is: `super.x` (methods), `super()` (a derived class's constructor), `new.target` (functions), `for await` (async functions). */
interface Reach {
  superProperty: boolean;
  superCall: boolean;
  newTarget: boolean;
  async: boolean;
}

const TOP_LEVEL: Reach = { superProperty: false, superCall: false, newTarget: false, async: true }; // top-level await: modules
const IN_CLASS_BODY: Reach = { superProperty: true, superCall: false, newTarget: true, async: false };

/** The reach inside a function: an arrow keeps its surroundings' (but its own `async`); a method gains `super.x`; a derived class's constructor `super()`. */
function reachIn(fn: ts.SignatureDeclaration, outer: Reach): Reach {
  const async = (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
  if (fn.kind === K.ArrowFunction) return { ...outer, async };
  if (fn.kind === K.Constructor) {
    const derived = (fn.parent as ts.ClassLikeDeclaration).heritageClauses?.some((h) => h.token === K.ExtendsKeyword) ?? false;
    return { superProperty: true, superCall: derived, newTarget: true, async: false };
  }
  const method = fn.kind === K.MethodDeclaration || fn.kind === K.GetAccessor || fn.kind === K.SetAccessor;
  return { superProperty: method, superCall: false, newTarget: true, async };
}

const TRANSPARENT = new Set([K.ParenthesizedExpression, K.NonNullExpression, K.AsExpression, K.SatisfiesExpression, K.TypeAssertionExpression]);

/** The string-literal statements a function body starts with (its directive prologue). */
function directives(body: ts.Block): ts.StringLiteral[] {
  const out: ts.StringLiteral[] = [];
  for (const st of body.statements) {
    if (st.kind !== K.ExpressionStatement || (st as ts.ExpressionStatement).expression.kind !== K.StringLiteral) break;
    out.push((st as ts.ExpressionStatement).expression as ts.StringLiteral);
  }
  return out;
}

/** Whether an object or array literal is (part of) the target of a destructuring assignment: `({ a } = o)`, `for ({ a } of xs)`. */
function isAssignmentPattern(node: ts.Node): boolean {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.kind === K.BinaryExpression) return (p as ts.BinaryExpression).operatorToken.kind === K.EqualsToken && (p as ts.BinaryExpression).left === child;
    if (p.kind === K.ForOfStatement || p.kind === K.ForInStatement) return (p as ts.ForOfStatement).initializer === child;
    if (![K.ObjectLiteralExpression, K.ArrayLiteralExpression, K.PropertyAssignment, K.ShorthandPropertyAssignment, K.SpreadAssignment, K.SpreadElement, K.ParenthesizedExpression].includes(p.kind)) return false;
  }
  return false;
}

/** What TypeScript's emit drops: types, `declare`d things, const enums, namespaces (Gantry does not read them). */
function isErased(node: ts.Node): boolean {
  switch (node.kind) {
    case K.InterfaceDeclaration:
    case K.TypeAliasDeclaration:
    case K.ModuleDeclaration:
      return true;
    case K.EnumDeclaration:
      return hasModifier(node, K.ConstKeyword) || hasModifier(node, K.DeclareKeyword);
    case K.VariableStatement:
    case K.FunctionDeclaration:
    case K.ClassDeclaration:
      return hasModifier(node, K.DeclareKeyword);
    default:
      return node.kind >= K.FirstTypeNode && node.kind <= K.LastTypeNode;
  }
}

/** By the modifiers array itself: `ts.getModifiers` copies it, and this runs for every statement. */
function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers?.some((m) => m.kind === kind) ?? false;
}

/** Where a statement list is: a function declaration anywhere else (`if (c) function f() {}`) is refused in strict code. */
const isBlockLike = (n: ts.Node) => n.kind === K.SourceFile || n.kind === K.Block || n.kind === K.ModuleBlock || n.kind === K.CaseClause || n.kind === K.DefaultClause;

const isFunctionBody = (block: ts.Node) => isFunctionLike(block.parent) || isClassStaticBlockDeclaration(block.parent);

const isIteration = (n: ts.Node) => isForStatement(n) || isForOfStatement(n) || isForInStatement(n) || isWhileStatement(n) || isDoStatement(n);

const unlabelled = (s: ts.Statement): ts.Statement => (isLabeledStatement(s) ? unlabelled(s.statement) : s);

function checkJump(jump: ts.BreakOrContinueStatement, jumps: Jumps, report: (node: ts.Node, message: string) => void): void {
  const isBreak = jump.kind === K.BreakStatement;
  if (jump.label) {
    const target = jumps.labels.findLast((l) => l.name === jump.label!.text);
    if (!target) report(jump.label, `Undefined label '${jump.label.text}'`);
    else if (!isBreak && !target.iteration) report(jump.label, `Illegal continue statement: '${jump.label.text}' does not denote an iteration statement`);
  } else if (isBreak ? !jumps.breakable : !jumps.iteration) {
    report(jump, isBreak ? "Illegal break statement" : "Illegal continue statement: no surrounding iteration statement");
  }
}

/** A declared name that strict mode (all module code) refuses. */
function checkBindingName(id: ts.Identifier, report: (node: ts.Node, message: string) => void): void {
  if (id.text === "eval" || id.text === "arguments") report(id, "Unexpected eval or arguments in strict mode");
  else if (id.text === "await") report(id, "Unexpected reserved word"); // reserved in module code
  else if (STRICT_RESERVED.has(id.text)) report(id, "Unexpected strict mode reserved word");
}

/** The local names an import binds, each with whether it is a type only (`import type`, `{ type X }`), which TypeScript erases. */
function importBindings(st: ts.ImportDeclaration): { id: ts.Identifier; typeOnly: boolean }[] {
  const clause = st.importClause;
  if (!clause) return [];
  const out = clause.name ? [{ id: clause.name, typeOnly: clause.isTypeOnly }] : [];
  const bindings = clause.namedBindings;
  if (bindings && isNamespaceImport(bindings)) out.push({ id: bindings.name, typeOnly: clause.isTypeOnly });
  else if (bindings) for (const el of bindings.elements) out.push({ id: el.name, typeOnly: clause.isTypeOnly || el.isTypeOnly });
  return out;
}

/** The local names a value import binds. */
const importedNames = (st: ts.ImportDeclaration): ts.Identifier[] => importBindings(st).flatMap((b) => (b.typeOnly ? [] : [b.id]));

/** The var-scoped names a module declares (see `varNames`), in source order: its `var`s wherever they stand outside functions, and its enums. */
export const moduleVarNames = (file: ts.SourceFile): ts.Identifier[] => varNames(file.statements, "module");

/**
 * Var-scoped names declared in a scope's statements: `var` anywhere in them outside nested
 * functions, enums (emitted as `var`), and in a function body its own function declarations.
 */
function varNames(statements: readonly ts.Statement[], kind: "module" | "function" | "block"): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  const visit = (node: ts.Node, top: boolean): void => {
    if (isErased(node) || isFunctionLike(node) || isClassLike(node)) {
      if (top && kind === "function" && isFunctionDeclaration(node) && node.name && node.body) out.push(node.name);
      return;
    }
    if (isEnumDeclaration(node)) {
      if (kind === "module" && top) out.push(node.name); // `var` only at the module's top level
    } else if (isVariableDeclarationList(node) && !(node.flags & NodeFlags.BlockScoped)) for (const d of node.declarations) out.push(...bindingIdentifiers(d.name));
    forEachChild(node, (child) => visit(child, false));
  };
  for (const st of statements) visit(st, true);
  return out;
}

/** A module exports each name once, and only names it declares (types and `declare`d names are erased). */
function checkExports(sf: ts.SourceFile, hasVar: boolean, report: (node: ts.Node, message: string) => void): void {
  const exported = new Set<string>();
  const add = (name: string, at: ts.Node) => {
    if (exported.has(name)) report(at, `Duplicate export of '${name}'`);
    exported.add(name);
  };
  const declared = new Set(hasVar ? varNames(sf.statements, "module").map((id) => id.text) : []); // a `var` in a block is the module's too
  const types = new Set<string>();
  for (const st of sf.statements) {
    // A `declare`d name has no value when the module runs: exporting it is the same error as an undeclared one.
    if (hasModifier(st, K.DeclareKeyword)) continue;
    for (const name of topLevelNames(st)) (isErased(st) && !isModuleDeclaration(st) ? types : declared).add(name);
    if (isImportDeclaration(st)) for (const { id, typeOnly } of importBindings(st)) (typeOnly ? types : declared).add(id.text);
  }
  const enums = new Set<string>();
  for (const st of sf.statements) {
    const isExport = hasModifier(st, K.ExportKeyword);
    if (isErased(st)) continue;
    // Declarations of one enum merge into one binding, exported once.
    if (isEnumDeclaration(st) && isExport && enums.has(st.name.text)) continue;
    if (isEnumDeclaration(st)) enums.add(st.name.text);
    if (isExportAssignment(st)) {
      if (!st.isExportEquals) add("default", st);
    } else if (isExport && hasModifier(st, K.DefaultKeyword)) {
      if (!isFunctionDeclaration(st) || st.body) add("default", st);
    } else if (isExport) {
      if (isFunctionDeclaration(st) && !st.body) continue; // an overload signature
      const name = isVariableStatement(st) ? undefined : (st as ts.DeclarationStatement).name;
      if (isVariableStatement(st)) for (const d of st.declarationList.declarations) for (const id of bindingIdentifiers(d.name)) add(id.text, id);
      else if (name) add(name.getText(sf), name);
    } else if (isExportDeclaration(st) && !st.isTypeOnly) {
      const clause = st.exportClause;
      if (clause && isNamespaceExport(clause)) add(clause.name.text, clause.name);
      else if (clause) {
        for (const el of clause.elements) {
          if (el.isTypeOnly) continue;
          const local = (el.propertyName ?? el.name).text;
          if (!st.moduleSpecifier) {
            if (types.has(local) && !declared.has(local)) continue; // a type: the specifier is erased
            if (!declared.has(local)) report(el.propertyName ?? el.name, `Export '${local}' is not defined in module`);
          }
          add(el.name.text, el.name);
        }
      }
    }
  }
}

/** The names a top-level statement declares, values and types alike. */
function topLevelNames(st: ts.Statement): string[] {
  if (isVariableStatement(st)) return st.declarationList.declarations.flatMap((d) => bindingIdentifiers(d.name).map((id) => id.text));
  if ((isFunctionDeclaration(st) || isClassDeclaration(st) || isEnumDeclaration(st) || isInterfaceDeclaration(st) || isTypeAliasDeclaration(st)) && st.name) return [st.name.text];
  if (isModuleDeclaration(st) && isIdentifier(st.name)) return [st.name.text];
  if (isImportEqualsDeclaration(st) && !st.isTypeOnly) return [st.name.text]; // `import EU = Regions.EU` is a value alias
  return [];
}
