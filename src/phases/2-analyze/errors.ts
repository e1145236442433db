import type { ts } from "ts-morph";
import type { DiagnosticCode } from "../../diagnostics/index.js";

/** Thrown when an expression is outside the static subset or fails on its values. Becomes a diagnostic. */
export class StaticError extends Error {
  /** The calls it was met under, outermost first (`Evaluator.callSites` when it left the innermost call). */
  callSites: readonly (ts.Node | null)[] | undefined;

  constructor(
    readonly code: DiagnosticCode,
    readonly node: ts.Node,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * A `throw` that was reached (GANTRY1113). Like the real exception, it ends the function it is in:
 * statement-level recovery lets it pass, and the call reports it (`Evaluator.invoke`), so nothing
 * after it runs and adds an error a run would never reach.
 */
export class Thrown extends StaticError {}

/**
 * A change to a value Gantry holds fixed (GANTRY1104): one declared at module level (a run would
 * change it, where Gantry reads it unchanged), or one the author froze (a run throws).
 */
export class FixedValueChange extends StaticError {}

/**
 * An operation JavaScript rejects when the module runs (GANTRY1109: reading a property of
 * `undefined`, a `let` in its dead zone, a built-in that throws): the run fails at the same place.
 * Other GANTRY1109s are Gantry's own refusals of what a run accepts (`{ ...fn }`, an object as a key).
 */
export class RunFailure extends StaticError {}

/** Failures a run meets too, at the same place: a reached `throw`, or an operation JavaScript rejects. */
export const runFailsHere = (e: StaticError): boolean => e instanceof Thrown || e instanceof RunFailure;

/**
 * An evaluation limit (call depth, step budget). It unwinds to the frame that started the runaway
 * computation instead of being recovered statement by statement inside it, which would re-run the
 * runaway once per recovered statement (exponentially, for branching recursion).
 */
export class LimitError extends StaticError {
  constructor(
    node: ts.Node,
    message: string,
    /** Call depth whose statements may recover; deeper frames rethrow. */
    readonly unwindTo: number,
    hint = "Pipelines are finite data: look for recursion without a base case, or compute less at compile time.",
  ) {
    super("GANTRY1108", node, message, hint);
  }
}

/** Whether `e` is JavaScript's own stack running out (V8 throws a RangeError). */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes("call stack");
}

/**
 * JavaScript's stack ran out below `node`, in a built-in: walking a value nested thousands of
 * levels deep (`${deep}`, `String(deep)`, `deep.flat(Infinity)`) or spreading hundreds of thousands
 * of arguments (`f(...xs)`). Running the module would fail the same way; reported there, as a limit.
 */
/** `nesting`: what exhausted the stack, for the hint: deeply nested values and calls, or statements. */
export function outOfStack(node: ts.Node, subject: string, nesting: "values" | "statements" = "values"): StaticError {
  const hint = nesting === "statements"
    ? "Statements nested thousands of levels deep (`if (a) if (b) ...`, blocks in blocks) exhaust it. Flatten the nesting: combine conditions, or move parts into functions."
    : "A value nested thousands of levels deep (a `reduce` that wraps its accumulator, `[acc]`) or a call with hundreds of thousands of arguments (`f(...xs)`) exhausts it. Build flatter values, and pass arrays instead of spreading them.";
  return new StaticError("GANTRY1108", node, `${subject} runs out of JavaScript's stack`, hint);
}

/**
 * What host code threw while evaluating `node`, as a diagnostic there: running the module would fail
 * there too. With `callee` (its source, for messages), `node` is a call of a host function (a
 * built-in, the DSL), and anything it throws is reported. Without, `node` is a conversion or an
 * operator (`${{ toString: 1 }}`, a string grown past JavaScript's limit), and only the host's
 * TypeError and RangeError are; errors of evaluation itself pass through unchanged.
 */
export function hostFailure(node: ts.Node, e: unknown, callee?: string): unknown {
  if (e instanceof StaticError || e instanceof Poisoned) return e;
  if (e instanceof FunctionSourceError) return sourceTextError(node);
  if (isStackOverflow(e)) return outOfStack(node, callee ?? "this expression");
  if (e instanceof BuiltLimitError) return new StaticError("GANTRY1108", node, `${callee ?? "this expression"}: ${e.message}`, "Pipelines are finite data: compute less at compile time.");
  if (e instanceof BuiltinRefusal) return new (e.code === "GANTRY1104" ? FixedValueChange : StaticError)(e.code, node, `${callee ?? "this expression"} ${e.message}`, e.hint);
  const message = e instanceof Error ? e.message : String(e);
  // A built-in rejected its arguments (e.g. Object.keys(undefined)).
  if (callee !== undefined) return new RunFailure("GANTRY1109", node, `${callee} failed: ${message}`);
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  return new RunFailure("GANTRY1109", node, `this expression fails as it would when the module runs: ${message}`, "Running the module would throw here; convert the value explicitly or build a smaller one.");
}

/**
 * Thrown by the string form of Gantry's own functions (`String(pipeline)`): their text is that of
 * whichever build of Gantry runs, not something a module's reader can reproduce. Becomes GANTRY1102
 * where the conversion happens (`hostFailure`, `Evaluator.call`).
 */
export class FunctionSourceError extends Error {
  constructor() {
    super("the source text of Gantry's own functions is not evaluated at compile time");
  }
}

/**
 * Thrown by a built-in that would allocate past a bound (`Array.from({ length: 1e9 })`, a pipeline
 * of 100,000 tasks): native work the step budget cannot see, stopped before it exhausts memory.
 * Becomes GANTRY1108 at the call (`Evaluator.call`).
 */
export class BuiltLimitError extends Error {}

/**
 * Thrown by a built-in's stand-in that will not evaluate what it was given (`Object.assign` onto a
 * module-level object, `Array(3)`): becomes `code` at the call, its message following the callee's
 * name (`hostFailure`).
 */
export class BuiltinRefusal extends Error {
  constructor(
    readonly code: "GANTRY1100" | "GANTRY1102" | "GANTRY1104",
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function sourceTextError(node: ts.Node): StaticError {
  return new StaticError("GANTRY1102", node, "a function's source text is not evaluated at compile time", "Use a string constant instead of converting a function to a string.");
}

/**
 * Thrown when a value that already produced a diagnostic is used again, to stop evaluation of the
 * statement without reporting the same root cause twice.
 */
export class Poisoned extends Error {
  constructor() {
    super("value is poisoned by an earlier diagnostic");
  }
}

/**
 * A reported `throw` on its way out of every function it passes through: the callers' remaining
 * statements do not run either, as with the real exception. Past the outermost function it is an
 * ordinary failure (a `Poisoned` one: the diagnostic is out already).
 */
export class Unwinding extends Poisoned {}

/** Marks the value of a binding whose initialiser failed. */
export const POISON: unique symbol = Symbol("gantry.poison");

/** Result of an optional chain (`a?.b`) that short-circuited; becomes `undefined` at the chain's end. */
export const SHORT_CIRCUIT: unique symbol = Symbol("gantry.short-circuit");
