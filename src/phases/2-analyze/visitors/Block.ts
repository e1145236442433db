import type { ts } from "ts-morph";
import { NORMAL } from "../evaluator.js";
import { Scope } from "../scope.js";
import type { StatementVisitor } from "./types.js";

export const Block: StatementVisitor<ts.Block> = (node, scope, ev) => ev.executeBlock(node.statements, new Scope(scope));

/** Declarations that only exist for the type checker, and hoisted functions, do nothing when reached. */
export const NoOp: StatementVisitor = () => NORMAL;

export const BreakStatement: StatementVisitor<ts.BreakStatement> = () => ({ kind: "break" });
export const ContinueStatement: StatementVisitor<ts.ContinueStatement> = () => ({ kind: "continue" });
