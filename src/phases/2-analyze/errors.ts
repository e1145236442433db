import type { ts } from "ts-morph";
import type { DiagnosticCode } from "../../diagnostics/index.js";

/** Thrown when an expression is outside the static subset or fails on its values. Becomes a diagnostic. */
export class StaticError extends Error {
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
 * A built-in ran out of stack walking a value at `node` (`${deep}`, `String(deep)`, `deep.flat(Infinity)`
 * on an array nested thousands deep). Reported there, as a limit, not as a crash.
 */
export function nestedTooDeeply(node: ts.Node, subject: string): StaticError {
  return new StaticError("GANTRY1108", node, `${subject} walks a value nested too deeply for JavaScript's stack`, "Build flatter values: a `reduce` that wraps its accumulator (`[acc]`, `{ a: acc }`) nests one level per step.");
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

/** Marks the value of a binding whose initialiser failed. */
export const POISON: unique symbol = Symbol("gantry.poison");

/** Result of an optional chain (`a?.b`) that short-circuited; becomes `undefined` at the chain's end. */
export const SHORT_CIRCUIT: unique symbol = Symbol("gantry.short-circuit");
