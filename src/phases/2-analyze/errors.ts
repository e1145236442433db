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
