import type { ts } from "ts-morph";
import type { Completion, Evaluator } from "../evaluator.js";
import type { Scope } from "../scope.js";

export type ExpressionVisitor<N extends ts.Node = ts.Node> = (node: N, scope: Scope, ev: Evaluator) => unknown;
export type StatementVisitor<N extends ts.Node = ts.Node> = (node: N, scope: Scope, ev: Evaluator) => Completion;
