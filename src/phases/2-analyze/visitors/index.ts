/** Dispatch tables: one visitor per syntax node kind the static subset supports. */
import { ts } from "ts-morph";
import { ArrayLiteralExpression } from "./ArrayLiteralExpression.js";
import { BinaryExpression } from "./BinaryExpression.js";
import { Block, BreakStatement, ContinueStatement, NoOp } from "./Block.js";
import { CallExpression } from "./CallExpression.js";
import { ConditionalExpression } from "./ConditionalExpression.js";
import { ElementAccessExpression } from "./ElementAccessExpression.js";
import { EnumDeclaration } from "./EnumDeclaration.js";
import { ExpressionStatement } from "./ExpressionStatement.js";
import { ForInStatement } from "./ForInStatement.js";
import { ForOfStatement, UnboundedLoop } from "./ForOfStatement.js";
import { ForStatement } from "./ForStatement.js";
import { FunctionLike } from "./functions.js";
import { Identifier } from "./Identifier.js";
import { IfStatement } from "./IfStatement.js";
import { FalseKeyword, NullKeyword, NumericLiteral, StringLiteral, TrueKeyword } from "./literal.js";
import { ObjectLiteralExpression } from "./ObjectLiteralExpression.js";
import { PostfixUnaryExpression, PrefixUnaryExpression, TypeOfExpression } from "./PrefixUnaryExpression.js";
import { PropertyAccessExpression } from "./PropertyAccessExpression.js";
import { AwaitExpression, NewExpression, RegularExpressionLiteral } from "./rejected.js";
import { ReturnStatement } from "./ReturnStatement.js";
import { SwitchStatement } from "./SwitchStatement.js";
import { ThrowStatement } from "./ThrowStatement.js";
import { TemplateExpression } from "./TemplateExpression.js";
import { ThisKeyword } from "./ThisKeyword.js";
import { Transparent } from "./transparent.js";
import type { ExpressionVisitor, StatementVisitor } from "./types.js";
import { VariableStatement } from "./VariableStatement.js";

const K = ts.SyntaxKind;

export const expressionVisitors: Partial<Record<ts.SyntaxKind, ExpressionVisitor<never>>> = {
  [K.StringLiteral]: StringLiteral,
  [K.NoSubstitutionTemplateLiteral]: StringLiteral,
  [K.NumericLiteral]: NumericLiteral,
  [K.TrueKeyword]: TrueKeyword,
  [K.FalseKeyword]: FalseKeyword,
  [K.NullKeyword]: NullKeyword,
  [K.TemplateExpression]: TemplateExpression,
  [K.Identifier]: Identifier,
  [K.ArrayLiteralExpression]: ArrayLiteralExpression,
  [K.ObjectLiteralExpression]: ObjectLiteralExpression,
  [K.PropertyAccessExpression]: PropertyAccessExpression,
  [K.ElementAccessExpression]: ElementAccessExpression,
  [K.CallExpression]: CallExpression,
  [K.ArrowFunction]: FunctionLike,
  [K.FunctionExpression]: FunctionLike,
  [K.ConditionalExpression]: ConditionalExpression,
  [K.BinaryExpression]: BinaryExpression,
  [K.PrefixUnaryExpression]: PrefixUnaryExpression,
  [K.PostfixUnaryExpression]: PostfixUnaryExpression,
  [K.TypeOfExpression]: TypeOfExpression,
  [K.ThisKeyword]: ThisKeyword,
  [K.ParenthesizedExpression]: Transparent,
  [K.AsExpression]: Transparent,
  [K.SatisfiesExpression]: Transparent,
  [K.TypeAssertionExpression]: Transparent,
  [K.NonNullExpression]: Transparent,
  [K.NewExpression]: NewExpression,
  [K.AwaitExpression]: AwaitExpression,
  [K.RegularExpressionLiteral]: RegularExpressionLiteral,
};

export const statementVisitors: Partial<Record<ts.SyntaxKind, StatementVisitor<never>>> = {
  [K.VariableStatement]: VariableStatement,
  [K.ExpressionStatement]: ExpressionStatement,
  [K.ReturnStatement]: ReturnStatement,
  [K.IfStatement]: IfStatement,
  [K.SwitchStatement]: SwitchStatement,
  [K.EnumDeclaration]: EnumDeclaration,
  [K.ThrowStatement]: ThrowStatement,
  [K.Block]: Block,
  [K.ForOfStatement]: ForOfStatement,
  [K.ForStatement]: ForStatement,
  [K.ForInStatement]: ForInStatement,
  [K.WhileStatement]: UnboundedLoop,
  [K.DoStatement]: UnboundedLoop,
  [K.BreakStatement]: BreakStatement,
  [K.ContinueStatement]: ContinueStatement,
  [K.FunctionDeclaration]: NoOp,
  [K.EmptyStatement]: NoOp,
  [K.TypeAliasDeclaration]: NoOp,
  [K.InterfaceDeclaration]: NoOp,
};
