import type { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

/** Arrow functions and function expressions become closures over the current scope. */
export const FunctionLike: ExpressionVisitor<ts.ArrowFunction | ts.FunctionExpression> = (node, scope, ev) => ev.closure(node, scope);
