import type { ts } from "ts-morph";
import { POISON, Poisoned, RunFailure } from "./errors.js";

/** A binding's value is computed on first read (module top level and imports) or when its declaration runs. */
export interface Binding {
  state: "pending" | "evaluating" | "ready" | "uninitialized";
  value: unknown;
  /** Computes the value for lazily initialised bindings. */
  init?: () => unknown;
  /** The declaration, for diagnostics. */
  node: ts.Node;
  /** Where the value was written (a literal, or where another binding's value was), for diagnostics. */
  origin?: ts.Node;
  /** Runs before every read: a module's `const`/`let` may not be read before its declaration executes. */
  guard?: (at: ts.Node) => void;
}

/** The binding of `this` in a function's scope: a reserved word, so no declaration can take the name. */
export const THIS = "this";

/** Lexical scope: a name-to-binding map chained to its parent. */
export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(readonly parent?: Scope) {}

  declare(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }

  /** Declares a binding that already has its value. */
  define(name: string, value: unknown, node: ts.Node, origin?: ts.Node): void {
    this.bindings.set(name, { state: "ready", value, node, ...(origin && { origin }) });
  }

  /** The values of this scope's own bindings that have one (not those still pending, or in their dead zone). */
  *values(): Iterable<unknown> {
    for (const b of this.bindings.values()) if (b.state === "ready") yield b.value;
  }

  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return undefined;
  }
}

/**
 * The scope each closure was made in. A closure held by a module-level value keeps what it captured
 * alive across pipelines, so `freezeModuleValue` freezes that too.
 */
export const capturedScopes = new WeakMap<Function, Scope>();

/** Undoes one change a speculation made. */
export type UndoStep = () => void;

/**
 * Where the running speculation (`Evaluator.withinSpeculation`) logs how to undo what it did to
 * lazily initialised bindings, in order; undefined outside one. Module-level because bindings are
 * read far from any evaluator; evaluation is synchronous, so one log is active at a time.
 */
let undoLog: UndoStep[] | undefined;

/** Runs `fn` with `log` collecting undo steps (undefined: none). */
export function withUndo<T>(log: UndoStep[] | undefined, fn: () => T): T {
  const outer = undoLog;
  undoLog = log;
  try {
    return fn();
  } finally {
    undoLog = outer;
  }
}

/** Records how to undo a change to lazily initialised state, if a speculation is running. */
export function recordUndo(step: UndoStep): void {
  undoLog?.push(step);
}

/** Bindings whose initialiser is running now, innermost last. */
const initializing: Binding[] = [];
/** For a failure: the binding whose initialiser it happened in (innermost), if any. */
export const failedIn = new WeakMap<Error, Binding>();

/** Notes where a failure recovered inside a function happened (it never passes through `readBinding`). */
export function noteFailedIn(e: Error): void {
  const current = initializing.at(-1);
  if (current && !failedIn.has(e)) failedIn.set(e, current);
}

/** Reads a binding, computing it on first use and detecting initialisation cycles. */
export function readBinding(binding: Binding, name: string, at: ts.Node): unknown {
  binding.guard?.(at);
  switch (binding.state) {
    case "ready":
      return binding.value;
    case "uninitialized":
      throw new RunFailure("GANTRY1109", at, `"${name}" is used before its declaration runs`);
    case "evaluating":
      // Within a module the guard reports this first (as JavaScript would); across modules it means an
      // import cycle, which the analyzer reports with its whole path.
      throw new Poisoned();
    case "pending": {
      recordUndo(() => {
        binding.state = "pending";
        binding.value = undefined;
        delete binding.origin;
      });
      binding.state = "evaluating";
      initializing.push(binding);
      try {
        binding.value = binding.init!();
        binding.state = "ready";
      } catch (e) {
        binding.value = POISON;
        binding.state = "ready";
        if (e instanceof Error && !failedIn.has(e)) failedIn.set(e, binding);
        throw e;
      } finally {
        initializing.pop();
      }
      return binding.value;
    }
  }
}
