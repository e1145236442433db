/**
 * The static evaluator: computes the values of a TypeScript subset from syntax trees, never running
 * user code. Each syntax node kind has a visitor in ./visitors; this class holds what they share:
 * dispatch, calls and closures, member access, limits, and diagnostics with statement-level recovery.
 */
import { ts } from "ts-morph";
import type { Diagnostic, DiagnosticCode, Severity, Span } from "../../diagnostics/index.js";
import { PipelineDefinition } from "../../dsl/pipeline.js";
import { arrayIterators, callable, inaccessibleMember, MUTATING_ARRAY_METHODS, numericBuiltins, objectAssign, parameterObjects, readMember, reordersItems } from "./builtins.js";
import { FixedValueChange, RunFailure, hostFailure, isStackOverflow, LimitError, outOfStack, POISON, Poisoned, SHORT_CIRCUIT, sourceTextError, StaticError, Thrown, Unwinding } from "./errors.js";
import { freezePipelineData, ModuleNamespace, type ModuleLoader } from "./modules.js";
import { boundNames } from "./syntax.js";
import type { Origins } from "./origins.js";
import { requireStatic } from "./runtime-values.js";
import { capturedScopes, noteFailedIn, Scope, THIS, withUndo, type UndoStep } from "./scope.js";
import { setOwn } from "../../util/own-property.js";
import { expressionVisitors, statementVisitors } from "./visitors/index.js";
import { isTransparent, skipTransparent } from "./visitors/transparent.js";

/** How a statement finished. */
export type Completion =
  | { kind: "normal" }
  | { kind: "return"; value: unknown }
  | { kind: "break" }
  | { kind: "continue" };

export const NORMAL: Completion = Object.freeze({ kind: "normal" });

/**
 * `nesting` bounds expressions being evaluated inside one another, calls included: past a few
 * thousand, the evaluator's own recursion would exhaust the JavaScript stack (a 6,000-term `+` chain did).
 */
export const LIMITS = { callDepth: 200, loopIterations: 10_000, steps: 1_000_000, nesting: 2_000 } as const;

export class Evaluator {
  /** Functions being invoked, outermost first: the call depth, and where a runaway recursion began. */
  private stack: ts.Node[] = [];
  /**
   * Calls being evaluated, outermost first, for the "called from" of a diagnostic in a helper; a
   * `null` marks where a module's top-level code starts running (its load is not the caller's doing).
   */
  readonly callSites: (ts.Node | null)[] = [];
  /** Calls and loop iterations since the last `resetBudget()`: bounds total work, not just depth. */
  private steps = 0;
  /** Expressions being evaluated now, one inside the other (LIMITS.nesting). */
  private nesting = 0;
  /**
   * The object of the last member read (`member`). A call whose callee is a member (`a.b(...)`)
   * takes it right after evaluating the callee and passes it as `this`, as JavaScript does: built-in
   * methods are read unbound, so `"a".at === "b".at` and a detached method fails as when run.
   */
  receiver: unknown;
  /** Origins of the arguments of the closure about to be invoked (set by `call`, taken by `invoke`). */
  private pendingArgOrigins: readonly (ts.Node | undefined)[] | undefined;
  private readonly closures = capturedScopes;
  private readonly reported = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];
  /**
   * Failures recovered so far, reported or not. A repeated failure (a poisoned value, a helper that
   * fails again for a second pipeline) adds no diagnostic but still leaves the declaration incomplete.
   */
  failures = 0;

  constructor(
    readonly origins: Origins,
    readonly modules: ModuleLoader,
  ) {}

  evaluate(node: ts.Expression, scope: Scope): unknown {
    const visit = expressionVisitors[node.kind];
    if (!visit) throw unsupported(node);
    if (this.nesting >= LIMITS.nesting) {
      throw new LimitError(node, `expressions nested more than ${LIMITS.nesting.toLocaleString("en-US")} deep (calls included)`, 0, "Split it: collect the parts in an array and `.join(\"\")` them, or name intermediate values with `const`.");
    }
    this.nesting++;
    let value: unknown;
    try {
      value = visit(node as never, scope, this);
    } catch (e) {
      // Below this node a built-in (String of a template, say) ran out of stack; here there is stack again.
      throw isStackOverflow(e) ? outOfStack(node, "this expression") : e;
    } finally {
      this.nesting--;
    }
    if (value === POISON) throw new Poisoned();
    if (value === SHORT_CIRCUIT && !continuesOptionalChain(node)) return undefined;
    return value;
  }

  execute(node: ts.Statement, scope: Scope): Completion {
    const visit = statementVisitors[node.kind];
    if (!visit) throw unsupported(node);
    try {
      return visit(node as never, scope, this);
    } catch (e) {
      // Statements nested thousands deep (`if (a) if (b) ...`) use the stack as expressions do.
      throw isStackOverflow(e) ? outOfStack(node, "this statement", "statements") : e;
    }
  }

  /**
   * Runs statements in order, hoisting function declarations. A statement that fails is reported and
   * skipped, so one run reports every independent error.
   */
  executeBlock(statements: readonly ts.Statement[], scope: Scope): Completion {
    this.declareBlock(statements, scope);
    return this.runDeclared(statements, scope);
  }

  /** Declares a block's names in its scope: functions hoisted, `let`/`const` and enums in their dead zone. */
  declareBlock(statements: readonly ts.Statement[], scope: Scope): void {
    for (const s of statements) {
      if (ts.isFunctionDeclaration(s) && s.name) scope.define(s.name.text, this.hoist(s, scope), s);
      // let/const exist from the block's start but cannot be read before their declaration runs (TDZ),
      // so an outer binding of the same name is not silently read instead.
      else if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.BlockScoped) {
        for (const d of s.declarationList.declarations) for (const name of boundNames(d.name)) scope.declare(name, { state: "uninitialized", value: undefined, node: s });
      } else if (ts.isEnumDeclaration(s)) scope.declare(s.name.text, { state: "uninitialized", value: undefined, node: s }); // block-scoped too
    }
  }

  /** Runs a block whose names `declareBlock` declared, from statement `from` (a `switch` enters at the matching case). */
  runDeclared(statements: readonly ts.Statement[], scope: Scope, from = 0): Completion {
    for (let i = from; i < statements.length; i++) {
      const s = statements[i]!;
      let completion: Completion;
      try {
        completion = this.execute(s, scope);
      } catch (e) {
        // A runaway call unwinds to the frame that started it; recovering inside would re-run it.
        if (e instanceof LimitError && this.stack.length > e.unwindTo) throw e;
        if ((e instanceof Thrown || e instanceof Unwinding) && this.stack.length > 0) throw e; // ends every function it leaves, as the exception would

        this.recover(e);
        markPoisoned(s, scope);
        continue;
      }
      if (completion.kind !== "normal") return completion;
    }
    return NORMAL;
  }

  /** A hoisted function declaration as a closure; a failure making it is reported where it is declared. */
  private hoist(node: ts.FunctionDeclaration, scope: Scope): unknown {
    try {
      return this.closure(node, scope);
    } catch (e) {
      this.recover(e);
      return POISON;
    }
  }

  /** Turns an evaluation failure into a diagnostic (once per location); rethrows anything else. */
  recover(e: unknown): void {
    if (this.deferred && (e instanceof StaticError || e instanceof Poisoned)) {
      if (e instanceof StaticError) {
        noteFailedIn(e);
        e.callSites ??= this.callSites.slice();
        this.deferred.push(e);
      }
      this.failures++;
      return;
    }
    if (e instanceof Poisoned) {
      this.failures++;
      return;
    }
    if (e instanceof StaticError) {
      this.failures++;
      this.report("error", e.code, e.node, e.message, e.hint, e.callSites ?? this.callSites);
      return;
    }
    throw e;
  }

  /**
   * A diagnostic, once per place and message: a shared helper that fails the same way for every
   * pipeline is reported once (with the first call site), one whose message depends on its
   * arguments (a thrown "unknown region eu-west-9") once per message.
   */
  private report(severity: Severity, code: DiagnosticCode, node: ts.Node, message: string, hint: string | undefined, sites: readonly (ts.Node | null)[]): void {
    const span = this.origins.span(node);
    const key = `${code}@${span.file}:${span.line}:${span.column}|${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const calledFrom = this.calledFrom(span.file, sites);
    this.diagnostics.push({ code, severity, message, span, ...(hint && { hint }), ...(calledFrom.length > 0 && { calledFrom }) });
  }

  /**
   * Where the code of `file` that failed was called from, innermost first, as far as the module
   * code running started: one call per file in a row (a helper's own inner calls, recursion and the
   * pipeline body's `pipeline(...)` add nothing the frame does not show), none in `file` itself at
   * the innermost end, and each call once (a recursion through two files would repeat them).
   */
  private calledFrom(file: string, sites: readonly (ts.Node | null)[]): Span[] {
    const out: Span[] = [];
    const listed = new Set<ts.Node>();
    let last = file;
    for (let i = sites.length - 1; i >= 0; i--) {
      const site = sites[i];
      if (!site) break;
      if (listed.has(site)) continue;
      const span = this.origins.span(site);
      if (span.file === last) continue;
      last = span.file;
      listed.add(site);
      out.push(span);
    }
    return out;
  }

  /** Failures met while speculating (`speculate`), in order, instead of diagnostics; undefined otherwise. */
  private deferred: StaticError[] | undefined;
  /** How many speculations (`withinSpeculation`) are running; what they did is undone when the outermost ends. */
  private speculating = 0;
  private readonly undo: UndoStep[] = [];
  /** Work that must see no speculation's state (a module's load checks), run once the outermost ends. */
  private readonly afterSpeculation: (() => void)[] = [];

  /**
   * Runs `body`, in which `speculate` calls share one undo log: when the outermost ends, every
   * binding initialised meanwhile returns to pending, so a later read makes it afresh, with its own
   * budget, origins and failures, and nothing an entry compiles depends on what was speculated for
   * another. (Keeping some values would leave others pointing into copies that were undone.) Within
   * it, a value is made once, so a module's unread declarations share what they read. A module
   * first loaded meanwhile has its load checks run only then, so they never read an undone value.
   */
  withinSpeculation<T>(body: () => T): T {
    this.speculating++;
    try {
      return withUndo(this.undo, body);
    } finally {
      if (--this.speculating === 0) {
        const steps = this.undo.splice(0);
        for (let i = steps.length - 1; i >= 0; i--) steps[i]!();
        for (let next = this.afterSpeculation.shift(); next; next = this.afterSpeculation.shift()) next();
      }
    }
  }

  /** Runs `fn` now, or, during a speculation, once the outermost one has ended and been undone. */
  whenNotSpeculating(fn: () => void): void {
    if (this.speculating > 0) this.afterSpeculation.push(fn);
    else fn();
  }

  /**
   * Runs `run`, code a run executes but no export needs (a top-level statement, a declaration
   * nothing reads), to learn what the run does there (`withinSpeculation` says what is undone).
   * Its failures are neither counted nor reported, and it has a budget of its own.
   * `ran`: it completed, so it changed nothing Gantry reads (module values are frozen: a change
   * fails). Otherwise `first` is its first failure, which the caller may report: evaluation is
   * exact up to that point, so a failure a run meets too (`runFailsHere`, FixedValueChange) is
   * where the run fails or changes a value; any other says only that Gantry cannot tell.
   */
  speculate(run: () => unknown): { ran: true } | { ran: false; first: StaticError | undefined } {
    return this.withinSpeculation(() => {
      const outer = this.deferred;
      const deferred: StaticError[] = [];
      const failures = this.failures;
      const spent = this.takeBudget();
      // From the top, as loading the module runs it: not on top of whatever call loaded it.
      const [stack, nesting] = [this.stack, this.nesting];
      [this.stack, this.nesting] = [[], 0];
      this.callSites.push(null);
      this.deferred = deferred;
      let failed: unknown;
      try {
        run();
      } catch (e) {
        if (!(e instanceof StaticError) && !(e instanceof Poisoned)) throw e;
        failed = e;
      } finally {
        this.deferred = outer;
        [this.stack, this.nesting] = [stack, nesting];
        this.callSites.pop();
        this.restoreBudget(spent);
      }
      if (failed instanceof StaticError) deferred.push(failed);
      const ran = failed === undefined && this.failures === failures;
      this.failures = failures;
      return ran ? { ran } : { ran, first: deferred[0] };
    });
  }

  /** The value of `node`, read speculatively: undefined if it fails, and nothing it made stays (a failed binding is not left failed). */
  peek(node: ts.Expression, scope: Scope): unknown {
    let value: unknown;
    this.speculate(() => (value = this.evaluate(node, scope)));
    return value;
  }

  /** Reports a warning: evaluation goes on, nothing fails. */
  warn(code: DiagnosticCode, node: ts.Node, message: string, hint?: string): void {
    this.report("warning", code, node, message, hint, this.callSites);
  }

  /** A user function as a real JavaScript function that interprets its body when called. */
  closure(node: ts.FunctionLikeDeclaration, scope: Scope): Function {
    // Declaring one computes nothing (an exported helper no pipeline calls is fine); calling one is the error.
    const unsupported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || node.asteriskToken;
    // A function other than an arrow takes `this` from its call (`o.m()`, a built-in's thisArg), as in
    // strict mode: undefined when called plainly. An arrow reads its surroundings' (`ThisKeyword`).
    const ev = this;
    // A named function expression sees its own name (`function f(n) { ... f(n - 1) }`), in a scope between it and its surroundings.
    const own = ts.isFunctionExpression(node) && node.name ? new Scope(scope) : scope;
    const fn = unsupported
      ? () => {
          throw new StaticError("GANTRY1107", node, "async and generator functions are not evaluated at compile time", "Write the helper as a plain synchronous function that returns the value.");
        }
      : ts.isArrowFunction(node)
        ? (...args: unknown[]) => this.invoke(node, own, args)
        : function (this: unknown, ...args: unknown[]) {
            return ev.invoke(node, own, args, this);
          };
    if (own !== scope) own.define((node.name as ts.Identifier).text, fn, node);
    callable.add(fn);
    this.closures.set(fn, own);
    // What JavaScript would report for the function: its (inferred) name and arity.
    Object.defineProperty(fn, "name", { value: functionName(node), configurable: true }); // configurable, as JavaScript's: see nameFunction
    Object.defineProperty(fn, "length", { value: arity(node) });
    // Its text when run is the transpiled JavaScript, which static analysis cannot reproduce exactly.
    Object.defineProperty(fn, "toString", {
      value: () => {
        throw sourceTextError(node);
      },
    });
    this.origins.object(fn, node);
    return fn;
  }

  /** Whether `value` is a user function this evaluator made. */
  isClosure(value: unknown): value is Function {
    return typeof value === "function" && this.closures.has(value);
  }

  private invoke(node: ts.FunctionLikeDeclaration, closureScope: Scope, args: unknown[], self?: unknown): unknown {
    const argOrigins = this.pendingArgOrigins;
    this.pendingArgOrigins = undefined;
    if (this.stack.length >= LIMITS.callDepth) {
      // Unwind to the caller of the outermost frame of this recursion.
      throw new LimitError(node, `call depth exceeded ${LIMITS.callDepth} (unbounded recursion?)`, Math.max(0, this.stack.indexOf(node)));
    }
    this.tick(node);
    this.stack.push(node);
    try {
      const scope = new Scope(closureScope);
      if (!ts.isArrowFunction(node)) scope.define(THIS, self, node);
      const skip = thisParameter(node); // TypeScript's `this: T` is a type, not a parameter
      // A default runs before the parameters after it exist (`(a = b, b) => ...` throws in a run),
      // so those are in their dead zone, not read from around the function.
      const parameterExpressions = node.parameters.some((param) => param.initializer || !ts.isIdentifier(param.name));
      if (parameterExpressions) {
        for (const param of node.parameters.slice(skip)) for (const name of boundNames(param.name)) scope.declare(name, { state: "uninitialized", value: undefined, node: param });
      }
      node.parameters.forEach((param, p) => {
        const i = p - skip;
        if (i < 0) return;
        if (param.dotDotDotToken) this.bind(param.name, args.slice(i), scope, param);
        else {
          let value = args[i];
          let origin = argOrigins?.[i];
          if (value === undefined && param.initializer) {
            value = this.evaluate(param.initializer, scope);
            origin = this.originOf(param.initializer, scope);
          }
          this.bind(param.name, value, scope, param, origin);
        }
      });
      const body = node.body;
      if (!body) throw unsupported(node);
      if (!ts.isBlock(body)) return this.evaluate(body, scope);
      const failuresBefore = this.failures;
      let completion: Completion;
      try {
        // With defaults or patterns, the body's declarations live in a scope of their own, as in
        // JavaScript: a closure in a default does not see them (`(f = () => x) => { const x = 1; ... }`).
        completion = this.executeBlock(body.statements, parameterExpressions ? new Scope(scope) : scope);
      } catch (e) {
        if (!(e instanceof Thrown)) throw e;
        this.recover(e);
        throw new Unwinding();
      }
      // A statement was skipped (and reported): the rest of the body still ran, so its independent
      // errors are reported too, but what it returns is not what a run returns. The call fails
      // silently, so its caller adds no second error ("cannot read "x" of undefined").
      if (this.failures !== failuresBefore) throw new Poisoned();
      return completion.kind === "return" ? completion.value : undefined;
    } finally {
      this.stack.pop();
    }
  }

  /** Counts one unit of work (a call or a loop iteration) against the budget. */
  tick(node: ts.Node): void {
    if (++this.steps > LIMITS.steps) {
      throw new LimitError(node, `evaluation exceeded ${LIMITS.steps.toLocaleString("en-US")} calls and loop iterations`, 0);
    }
  }

  /** The work spent so far, and a fresh budget from now on; `restoreBudget` gives the old one back. */
  takeBudget(): number {
    const spent = this.steps;
    this.steps = 0;
    return spent;
  }

  restoreBudget(spent: number): void {
    this.steps = spent;
  }

  /** Starts a fresh work budget: each exported value is evaluated within its own. */
  resetBudget(): void {
    this.steps = 0;
  }

  /**
   * Where the value of an (evaluated) expression was written: through type-only wrappers, and for a
   * name holding a string, number or boolean, where its binding's value was written. Diagnostics then
   * point at the literal an author typed, even when it came through a constant or a helper's
   * parameter. Objects and handles keep the use site: their insides carry their own positions.
   */
  originOf(node: ts.Expression, scope: Scope): ts.Node {
    if (!this.origins.properties) return node; // nothing would record it
    const n = skipTransparent(node);
    if (!ts.isIdentifier(n)) return n;
    const binding = scope.lookup(n.text);
    const primitive = binding?.state === "ready" && (typeof binding.value !== "object" || binding.value === null) && typeof binding.value !== "function";
    return (primitive && binding.origin) || n;
  }

  /** Calls a value that static evaluation may call: closures, the DSL, and allowed built-ins. */
  call(callee: unknown, args: unknown[], node: ts.CallExpression, argOrigins?: readonly (ts.Node | undefined)[], receiver?: unknown): unknown {
    if (numericBuiltins.has(callee as Function)) args.forEach((a, i) => requireStatic(a, node.arguments[i] ?? node, describe(node.expression)));
    if (typeof callee !== "function" || !callable.has(callee)) {
      throw new StaticError("GANTRY1102", node.expression, `${describe(node.expression)} is not a function Gantry can evaluate at compile time`, "Only your own helper functions, the gantry DSL and pure built-ins (array, string and Object methods) can be called.");
    }
    // A built-in handed a pipeline (`Object.values(other)`, `Object.assign({}, other)`) reads into it.
    if (!this.closures.has(callee)) for (const a of args) if (a instanceof PipelineDefinition) freezePipelineData(a);
    let result: unknown;
    // Only a closure takes them, and at once: a host function (map, pipeline) calls with its own arguments.
    this.pendingArgOrigins = this.closures.has(callee) ? argOrigins : undefined;
    this.callSites.push(node);
    try {
      result = receiver === undefined ? callee(...args) : Reflect.apply(callee, receiver, args);
    } catch (e) {
      const failure = hostFailure(node, e, describe(node.expression));
      if (failure instanceof StaticError) failure.callSites ??= this.callSites.slice();
      throw failure;
    } finally {
      this.callSites.pop();
    }
    if (reordersItems(callee) && Array.isArray(receiver)) this.origins.forgetProperties(receiver);
    if (callee === objectAssign) this.copyOrigins(args);
    if (result !== null && typeof result === "object") {
      this.origins.object(result, node);
      if (result instanceof PipelineDefinition) this.modules.noteMade(result);
    }
    return result;
  }

  /** Where `Object.assign(target, ...sources)` copied each property from, as a spread records it. */
  private copyOrigins([target, ...sources]: unknown[]): void {
    if (!this.origins.properties) return;
    for (const source of sources) {
      if (source === null || typeof source !== "object") continue;
      // A new length moves where items end: where each index was written is no longer known.
      if (Array.isArray(target) && Object.hasOwn(source, "length")) this.origins.forgetProperties(target);
      for (const k of Object.keys(source)) this.origins.copyProperty(source, k, target as object, k);
    }
  }

  member(obj: unknown, key: PropertyKey, node: ts.Node): unknown {
    const value = this.memberOf(obj, key, node);
    this.receiver = obj; // after reading: a module namespace's read may evaluate other members
    return value;
  }

  private memberOf(obj: unknown, key: PropertyKey, node: ts.Node): unknown {
    // Only string-building members keep a placeholder intact; `length`, `split`, `toUpperCase`... would not.
    if (key !== "concat" && key !== "toString") requireStatic(obj, node, `\`.${String(key)}\``);
    if (obj === undefined || obj === null) {
      throw new RunFailure("GANTRY1109", node, `cannot read "${String(key)}" of ${obj}`, "Use optional chaining (`?.`) or a default (`??`) if the value may be missing.");
    }
    if (obj instanceof ModuleNamespace) return obj.read(String(key), node);
    if (obj instanceof PipelineDefinition) freezePipelineData(obj); // `other.tasks[0].spec` must not change other's manifest
    if (Array.isArray(obj) && typeof key === "string" && MUTATING_ARRAY_METHODS.has(key) && Object.isFrozen(obj)) {
      throw new FixedValueChange("GANTRY1104", node, `${describe(node)} changes an array that is fixed once made (one declared at module level or kept by a module-level function, or a pipeline's tasks)`, "Build the array where it is used (inside the pipeline body or a helper's call), or derive a new one with concat/spread.");
    }
    const member = readMember(obj, key);
    if (member.found) return member.value;
    // JavaScript would find it on a built-in prototype (or on a host function): report it rather
    // than read `undefined` where running the module reads something else.
    const reason = inaccessibleMember(obj, key);
    if (reason) throw new StaticError("GANTRY1102", node, `${describe(node)} is not available at compile time: ${reason.why}`, reason.hint);
    if (parameterObjects.has(obj as object)) {
      const declared = Object.keys(obj as object).map((n) => `"${n}"`).join(", ");
      throw new StaticError("GANTRY2010", node, `unknown parameter "${String(key)}"`, declared ? `Declared parameters: ${declared}.` : "Declare it under `parameters` in the pipeline options.");
    }
    return undefined;
  }

  /** Binds a declaration name or destructuring pattern. `origin` is where the value was written. */
  bind(name: ts.BindingName, value: unknown, scope: Scope, decl: ts.Node, origin?: ts.Node): void {
    if (ts.isIdentifier(name)) {
      scope.define(name.text, value, decl, origin);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      if (value === null || value === undefined) throw new RunFailure("GANTRY1109", name, `cannot destructure ${value}`);
      const used = new Set<PropertyKey>();
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          const rest: Record<string, unknown> = {};
          if (value instanceof PipelineDefinition) freezePipelineData(value);
          for (const [k, v] of Object.entries(value as object)) if (!used.has(k)) setOwn(rest, k, v);
          this.bind(el.name, rest, scope, el);
          continue;
        }
        const keyNode = el.propertyName ?? el.name;
        const key = propertyKey(keyNode, scope, this);
        used.add(key);
        let v = this.member(value, key, el);
        let origin = this.origins.propertyNode(value, key);
        if (v === undefined && el.initializer) {
          v = this.evaluate(el.initializer, scope);
          origin = this.originOf(el.initializer, scope);
        }
        this.bind(el.name, v, scope, el, origin);
      }
      return;
    }
    // Stepped once per element (a hole too), as JavaScript's iterator is: an array is read live (a
    // default may push to it), and once it has run out it stays done. An iterator is drained only by
    // a rest element: what the pattern leaves stays in it (array iterators have no `return`).
    const iterator = arrayIterators.has(value as object) ? (value as Iterator<unknown>) : undefined;
    const items = iterator ? undefined : iterate(value, name, this);
    let done = false;
    const next = (i: number): unknown => {
      if (done) return undefined;
      const step = iterator ? iterator.next() : i < items!.length ? { done: false, value: items![i] } : { done: true, value: undefined };
      if (step.done) done = true;
      return step.value;
    };
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return void next(i);
      if (el.dotDotDotToken) {
        // Holes become undefined, as iterating gives them.
        const rest = done ? [] : iterator ? [...(iterator as unknown as Iterable<unknown>)] : Array.from(items!.slice(i));
        return this.bind(el.name, rest, scope, el);
      }
      let v = next(i);
      let origin = this.origins.propertyNode(value, i);
      if (v === undefined && el.initializer) {
        v = this.evaluate(el.initializer, scope);
        origin = this.originOf(el.initializer, scope);
      }
      this.bind(el.name, v, scope, el, origin);
    });
  }
}

/**
 * A function's name, inferred from where an anonymous one is bound (`const f = () => ...`), as
 * JavaScript does, through parentheses and type-only wrappers. A computed key's name is only known
 * once the key is evaluated: the object literal sets it (`nameFunction`).
 */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return literalName(node.name) ?? "";
  let child: ts.Node = node;
  let parent = node.parent;
  while (isTransparent(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isExportAssignment(parent) || ts.isFunctionDeclaration(node)) return "default"; // `export default () => ...`, `export default function () {}`
  if ((ts.isVariableDeclaration(parent) || ts.isBindingElement(parent) || ts.isParameter(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === child) {
    return literalName(parent.name) ?? "";
  }
  // `f = () => ...` to a name (a counted loop's update is the one place Gantry evaluates such an assignment); not `o.f = ...`.
  const op = ts.isBinaryExpression(parent) ? parent.operatorToken.kind : undefined;
  const naming = op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken;
  if (naming && (parent as ts.BinaryExpression).right === child) {
    const target = skipTransparent((parent as ts.BinaryExpression).left);
    if (ts.isIdentifier(target)) return target.text;
  }
  return "";
}

/** A property or binding name written as an identifier or literal (`1` is "1", `1.50` is "1.5"). */
function literalName(name: ts.PropertyName | ts.BindingName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isNumericLiteral(name)) return String(Number(name.text));
  return undefined;
}

/** Gives a closure stored under a computed key that key as its name, as JavaScript does (`{ [k]: () => 1 }`). */
export function nameFunction(value: unknown, initializer: ts.Expression | ts.MethodDeclaration, key: PropertyKey, ev: Evaluator): void {
  const n = ts.isMethodDeclaration(initializer) ? initializer : skipTransparent(initializer);
  const anonymous = ts.isArrowFunction(n) || ((ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && (n.name === undefined || ts.isComputedPropertyName(n.name)));
  if (anonymous && ev.isClosure(value)) Object.defineProperty(value, "name", { value: String(key) });
}

/** 1 when the first parameter is TypeScript's `this: T` declaration, which is no parameter at run time. */
function thisParameter(node: ts.FunctionLikeDeclaration): number {
  const first = node.parameters[0];
  return first && ts.isIdentifier(first.name) && first.name.text === "this" ? 1 : 0;
}

/** `fn.length`: the parameters before the first optional or rest one (not counting `this: T`). */
function arity(node: ts.FunctionLikeDeclaration): number {
  const params = node.parameters.slice(thisParameter(node));
  const i = params.findIndex((p) => p.initializer || p.dotDotDotToken);
  return i < 0 ? params.length : i;
}

/** The key of a property name: identifiers and literals as written, computed names evaluated. */
export function propertyKey(node: ts.PropertyName | ts.BindingName, scope: Scope, ev: Evaluator): PropertyKey {
  const literal = literalName(node);
  if (literal !== undefined) return literal;
  if (ts.isComputedPropertyName(node)) {
    const k = ev.evaluate(node.expression, scope);
    // JavaScript converts primitives (`[true]` is "true"); an object would run its toString.
    if (typeof k === "object" && k !== null) throw new StaticError("GANTRY1109", node, "computed property keys must be strings, numbers or other primitives, not objects");
    if (typeof k === "function") throw new StaticError("GANTRY1109", node, "computed property keys must be strings, numbers or other primitives, not functions");
    return String(k);
  }
  throw unsupported(node);
}

/** The elements of an iterable static value: arrays, strings and an array's iterators (drained). */
export function iterate(value: unknown, node: ts.Node, _ev: Evaluator): unknown[] {
  if (Array.isArray(value)) return value;
  if (arrayIterators.has(value as object)) return [...(value as Iterable<unknown>)];
  requireStatic(value, node, "iterating over a string");
  if (typeof value === "string") return [...value];
  throw new RunFailure("GANTRY1109", node, `${value === null ? "null" : typeof value} is not iterable`, "Only arrays, strings and an array's entries(), keys() and values() can be spread or looped over.");
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
  if (text.length <= 40) return `\`${text}\``;
  // A long chain is cut in the middle: its end is the member or call the message is about
  // (adversarial finding: `REGIONS.map(...).filter(...).toLocaleString()` never named toLocaleString).
  return `\`${text.slice(0, 15)}...${text.slice(-22)}\``;
}

function continuesOptionalChain(node: ts.Node): boolean {
  const parent = node.parent;
  // `a?.b!.c` is one chain: the `!` only informs the type checker.
  if (ts.isNonNullChain(parent)) return true;
  return (
    (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent)) &&
    parent.expression === node &&
    (parent.flags & ts.NodeFlags.OptionalChain) !== 0
  );
}

/** After a failed declaration, its names read as poisoned instead of "unknown name" cascades. */
function markPoisoned(statement: ts.Statement, scope: Scope): void {
  if (!ts.isVariableStatement(statement)) return;
  for (const d of statement.declarationList.declarations) for (const name of boundNames(d.name)) scope.define(name, POISON, statement);
}

