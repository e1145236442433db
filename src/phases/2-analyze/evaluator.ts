/**
 * The static evaluator: computes the values of a TypeScript subset from syntax trees, never running
 * user code. Each syntax node kind has a visitor in ./visitors; this class holds what they share:
 * dispatch, calls and closures, member access, limits, and diagnostics with statement-level recovery.
 */
import { ts } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/index.js";
import { callable, readMember } from "./builtins.js";
import { POISON, Poisoned, SHORT_CIRCUIT, StaticError } from "./errors.js";
import { ModuleNamespace, type ModuleLoader } from "./modules.js";
import type { Origins } from "./origins.js";
import { Scope } from "./scope.js";
import { expressionVisitors, statementVisitors } from "./visitors/index.js";

/** How a statement finished. */
export type Completion =
  | { kind: "normal" }
  | { kind: "return"; value: unknown }
  | { kind: "break" }
  | { kind: "continue" };

export const NORMAL: Completion = Object.freeze({ kind: "normal" });

export const LIMITS = { callDepth: 200, loopIterations: 10_000 } as const;

export class Evaluator {
  private depth = 0;
  private readonly reported = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly origins: Origins,
    readonly modules: ModuleLoader,
  ) {}

  evaluate(node: ts.Expression, scope: Scope): unknown {
    const visit = expressionVisitors[node.kind];
    if (!visit) throw unsupported(node);
    const value = visit(node as never, scope, this);
    if (value === POISON) throw new Poisoned();
    if (value === SHORT_CIRCUIT && !continuesOptionalChain(node)) return undefined;
    return value;
  }

  execute(node: ts.Statement, scope: Scope): Completion {
    const visit = statementVisitors[node.kind];
    if (!visit) throw unsupported(node);
    return visit(node as never, scope, this);
  }

  /**
   * Runs statements in order, hoisting function declarations. A statement that fails is reported and
   * skipped, so one run reports every independent error.
   */
  executeBlock(statements: readonly ts.Statement[], scope: Scope): Completion {
    for (const s of statements) if (ts.isFunctionDeclaration(s) && s.name) scope.define(s.name.text, this.closure(s, scope), s);
    for (const s of statements) {
      let completion: Completion;
      try {
        completion = this.execute(s, scope);
      } catch (e) {
        this.recover(e);
        markPoisoned(s, scope);
        continue;
      }
      if (completion.kind !== "normal") return completion;
    }
    return NORMAL;
  }

  /** Turns an evaluation failure into a diagnostic (once per location); rethrows anything else. */
  recover(e: unknown): void {
    if (e instanceof Poisoned) return;
    if (e instanceof StaticError) {
      const span = this.origins.span(e.node);
      const key = `${e.code}@${span.file}:${span.line}:${span.column}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      this.diagnostics.push({ code: e.code, severity: "error", message: e.message, span, ...(e.hint && { hint: e.hint }) });
      return;
    }
    throw e;
  }

  /** A user function as a real JavaScript function that interprets its body when called. */
  closure(node: ts.FunctionLikeDeclaration, scope: Scope): Function {
    if (node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || node.asteriskToken) {
      throw new StaticError("GANTRY1107", node, "async and generator functions are not evaluated at compile time");
    }
    const fn = (...args: unknown[]) => this.invoke(node, scope, args);
    callable.add(fn);
    Object.defineProperty(fn, "name", { value: node.name && ts.isIdentifier(node.name) ? node.name.text : "" });
    this.origins.object(fn, node);
    return fn;
  }

  private invoke(node: ts.FunctionLikeDeclaration, closureScope: Scope, args: unknown[]): unknown {
    if (++this.depth > LIMITS.callDepth) {
      this.depth = 0;
      throw new StaticError("GANTRY1108", node, `call depth exceeded ${LIMITS.callDepth} (unbounded recursion?)`);
    }
    try {
      const scope = new Scope(closureScope);
      node.parameters.forEach((param, i) => {
        if (param.dotDotDotToken) this.bind(param.name, args.slice(i), scope, param);
        else {
          let value = args[i];
          if (value === undefined && param.initializer) value = this.evaluate(param.initializer, scope);
          this.bind(param.name, value, scope, param);
        }
      });
      const body = node.body;
      if (!body) throw unsupported(node);
      if (!ts.isBlock(body)) return this.evaluate(body, scope);
      const completion = this.executeBlock(body.statements, scope);
      return completion.kind === "return" ? completion.value : undefined;
    } finally {
      this.depth = Math.max(0, this.depth - 1);
    }
  }

  /** Calls a value that static evaluation may call: closures, the DSL, and allowed built-ins. */
  call(callee: unknown, args: unknown[], node: ts.CallExpression): unknown {
    if (typeof callee !== "function" || !callable.has(callee)) {
      throw new StaticError("GANTRY1102", node.expression, `${describe(node.expression)} is not a function Gantry can evaluate at compile time`, "Only your own helper functions, the gantry DSL and pure built-ins (array, string and Object methods) can be called.");
    }
    let result: unknown;
    try {
      result = callee(...args);
    } catch (e) {
      if (e instanceof StaticError || e instanceof Poisoned) throw e;
      // A built-in rejected its arguments (e.g. Object.keys(undefined)); report it where the call is.
      throw new StaticError("GANTRY1109", node, `${describe(node.expression)} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (result !== null && typeof result === "object") this.origins.object(result, node);
    return result;
  }

  member(obj: unknown, key: PropertyKey, node: ts.Node): unknown {
    if (obj === undefined || obj === null) {
      throw new StaticError("GANTRY1109", node, `cannot read "${String(key)}" of ${obj}`, "Use optional chaining (`?.`) or a default (`??`) if the value may be missing.");
    }
    if (obj instanceof ModuleNamespace) return obj.module.readExport(String(key), node);
    return readMember(obj, key).value;
  }

  /** Binds a declaration name or destructuring pattern. */
  bind(name: ts.BindingName, value: unknown, scope: Scope, decl: ts.Node): void {
    if (ts.isIdentifier(name)) {
      scope.define(name.text, value, decl);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      if (value === null || value === undefined) throw new StaticError("GANTRY1109", name, `cannot destructure ${value}`);
      const used = new Set<PropertyKey>();
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          const rest: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(value as object)) if (!used.has(k)) rest[k] = v;
          this.bind(el.name, rest, scope, el);
          continue;
        }
        const keyNode = el.propertyName ?? el.name;
        const key = propertyKey(keyNode, scope, this);
        used.add(key);
        let v = this.member(value, key, el);
        if (v === undefined && el.initializer) v = this.evaluate(el.initializer, scope);
        this.bind(el.name, v, scope, el);
      }
      return;
    }
    const items = iterate(value, name, this);
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) return this.bind(el.name, items.slice(i), scope, el);
      let v = items[i];
      if (v === undefined && el.initializer) v = this.evaluate(el.initializer, scope);
      this.bind(el.name, v, scope, el);
    });
  }
}

/** The key of a property name: identifiers and literals as written, computed names evaluated. */
export function propertyKey(node: ts.PropertyName | ts.BindingName, scope: Scope, ev: Evaluator): PropertyKey {
  if (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isNumericLiteral(node)) return String(Number(node.text));
  if (ts.isComputedPropertyName(node)) {
    const k = ev.evaluate(node.expression, scope);
    if (typeof k !== "string" && typeof k !== "number") throw new StaticError("GANTRY1109", node, "computed property keys must be strings or numbers");
    return String(k);
  }
  throw unsupported(node);
}

/** The elements of an iterable static value (arrays and strings). */
export function iterate(value: unknown, node: ts.Node, _ev: Evaluator): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [...value];
  throw new StaticError("GANTRY1109", node, `${value === null ? "null" : typeof value} is not iterable`, "Only arrays and strings can be spread or looped over.");
}

export function unsupported(node: ts.Node, hint?: string): StaticError {
  return new StaticError("GANTRY1100", node, `${syntaxName(node)} is not part of the static subset Gantry evaluates`, hint ?? "See `gantry explain GANTRY1100` for what is supported.");
}

function syntaxName(node: ts.Node): string {
  const name = ts.SyntaxKind[node.kind].replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return name.replace(/ (expression|statement|declaration)$/, (m) => m);
}

/** Source text of an expression, shortened, for messages. */
export function describe(node: ts.Node): string {
  const text = node.getText().replace(/\s+/g, " ");
  return `\`${text.length > 40 ? text.slice(0, 37) + "..." : text}\``;
}

function continuesOptionalChain(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent)) &&
    parent.expression === node &&
    (parent.flags & ts.NodeFlags.OptionalChain) !== 0
  );
}

/** After a failed declaration, its names read as poisoned instead of "unknown name" cascades. */
function markPoisoned(statement: ts.Statement, scope: Scope): void {
  if (!ts.isVariableStatement(statement)) return;
  const names: string[] = [];
  const collect = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
  };
  for (const d of statement.declarationList.declarations) collect(d.name);
  for (const name of names) scope.define(name, POISON, statement);
}
