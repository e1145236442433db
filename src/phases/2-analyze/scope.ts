import type { ts } from "ts-morph";
import { POISON, StaticError } from "./errors.js";

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
}

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

  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return undefined;
  }
}

/** Reads a binding, computing it on first use and detecting initialisation cycles. */
export function readBinding(binding: Binding, name: string, at: ts.Node): unknown {
  switch (binding.state) {
    case "ready":
      return binding.value;
    case "uninitialized":
      throw new StaticError("GANTRY1109", at, `"${name}" is used before its declaration runs`);
    case "evaluating":
      throw new StaticError("GANTRY1110", at, `"${name}" depends on itself through its own initialiser or an import cycle`, "Move the shared value into a module that both sides import.");
    case "pending": {
      binding.state = "evaluating";
      try {
        binding.value = binding.init!();
        binding.state = "ready";
      } catch (e) {
        binding.value = POISON;
        binding.state = "ready";
        throw e;
      }
      return binding.value;
    }
  }
}
