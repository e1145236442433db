import { ts } from "ts-morph";
import type { ExpressionVisitor } from "./types.js";

export const StringLiteral: ExpressionVisitor<ts.StringLiteral | ts.NoSubstitutionTemplateLiteral> = (node) => node.text;

export const NumericLiteral: ExpressionVisitor<ts.NumericLiteral> = (node) => Number(node.text.replace(/_/g, ""));

export const TrueKeyword: ExpressionVisitor = () => true;
export const FalseKeyword: ExpressionVisitor = () => false;
export const NullKeyword: ExpressionVisitor = () => null;
