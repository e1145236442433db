/**
 * Phase 1: read TypeScript files into syntax trees, with the TypeScript compiler that ts-morph
 * bundles. No type checker, no program, no module resolution beyond what the analyzer asks for:
 * parsing is the dominant cost of a compile. A ts-morph Project (language-service source files and
 * wrappers) made parsing 1.5x slower and bought nothing here; `--typecheck` builds one (typecheck.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { editorPosition } from "../../util/editor-lines.js";
import { withoutBom } from "../../util/bom.js";
import { fsFailure } from "../../util/fs-errors.js";
import type { Diagnostic } from "../../diagnostics/index.js";
import { earlyErrors } from "./early-errors.js";

export interface SourceProgram {
  /** The working directory: where relative paths in output start. */
  readonly cwd: string;
  /** The syntax tree of a file by absolute path, parsing it on first request; undefined if unreadable. */
  file(absolutePath: string): ts.SourceFile | undefined;
  /** Why `file()` gave no tree ("permission denied", "nested too deeply to parse"...), if it did not. */
  failure(absolutePath: string): string | undefined;
  /** Path relative to the working directory with POSIX separators: how files are named in output. */
  relative(absolutePath: string): string;
  /** Syntax errors of a file already read with `file()`. */
  syntaxDiagnostics(absolutePath: string): Diagnostic[];
  /** Forgets a file, so the next `file()` reads it again (for --watch). */
  invalidate(absolutePath: string): void;
  /** Drops a file's syntax tree to save memory, keeping its text: the next `file()` parses that text again. */
  release(absolutePath: string): void;
  /** The text of every file parsed, by relative path, for code frames. */
  texts(): Map<string, string>;
  /** The text a file was parsed from (what the compile saw), if it was read. */
  text(absolutePath: string): string | undefined;
  /** Keeps the text of a file read other than as a module (a JSON module with an error), for code frames. */
  keepText(absolutePath: string, text: string): void;
}

export function createSourceProgram(cwd: string): SourceProgram {
  const cache = new Map<string, ts.SourceFile | undefined>();
  /** Text of every file read, kept when its tree is released (code frames, a second parse). */
  const sources = new Map<string, string>();
  const syntax = new Map<string, Diagnostic[]>();
  const failures = new Map<string, string>();
  const relatives = new Map<string, string>();
  const relative = (p: string) => {
    let r = relatives.get(p);
    if (r === undefined) relatives.set(p, (r = path.relative(cwd, p).split(path.sep).join("/")));
    return r;
  };

  return {
    cwd,
    relative,
    file(absolutePath) {
      if (cache.has(absolutePath)) return cache.get(absolutePath);
      let sf: ts.SourceFile | undefined;
      let text = sources.get(absolutePath);
      try {
        // Without a byte-order mark, as TypeScript reads files: it would count as a column of line 1 and show in code frames.
        if (text === undefined) sources.set(absolutePath, (text = withoutBom(fs.readFileSync(absolutePath, "utf8"))));
        sf = ts.createSourceFile(absolutePath, text, ts.ScriptTarget.Latest, true, scriptKind(absolutePath));
      } catch (e) {
        sf = undefined;
        failures.set(absolutePath, text === undefined ? readFailure(e) : parseFailure(e));
      }
      cache.set(absolutePath, sf);
      return sf;
    },
    failure(absolutePath) {
      return failures.get(absolutePath);
    },
    text(absolutePath) {
      return sources.get(absolutePath);
    },
    keepText(absolutePath, text) {
      if (!sources.has(absolutePath)) sources.set(absolutePath, text);
    },
    texts() {
      const out = new Map<string, string>();
      for (const [p, text] of sources) out.set(relative(p), text);
      return out;
    },
    syntaxDiagnostics(absolutePath) {
      const sf = cache.get(absolutePath);
      if (!sf) return [];
      let out = syntax.get(absolutePath);
      if (!out) {
        // parseDiagnostics is internal to TypeScript but has been stable for years; it avoids building a Program.
        const found = isJavaScript(sf.fileName) ? javaScriptSyntaxErrors(sf) : ((sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []);
        const errors = [...found.map((d) => ({ start: d.start, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") })), ...unparenthesizedNullishMixes(sf), ...earlyErrors(sf)].sort((a, b) => a.start - b.start);
        out = errors.map((d) => {
          const start = editorPosition(sf, d.start);
          return {
            code: "GANTRY1002" as const,
            severity: "error" as const,
            message: d.message,
            span: { file: relative(sf.fileName), line: start.line, column: start.column },
            // TypeScript's word for text with NUL characters, which a UTF-16 file (PowerShell's `>`) is when read as UTF-8.
            ...(d.message === "File appears to be binary." && sf.text.includes("\u0000") && { hint: "If this is a source file, it is not UTF-8: save it as UTF-8 (files written by Windows PowerShell's `>` are UTF-16)." }),
          };
        });
        syntax.set(absolutePath, out);
      }
      return out;
    },
    invalidate(absolutePath) {
      cache.delete(absolutePath);
      sources.delete(absolutePath);
      syntax.delete(absolutePath);
      failures.delete(absolutePath);
    },
    release(absolutePath) {
      cache.delete(absolutePath);
    },
  };
}

/**
 * `a || b ?? c` and the like: JavaScript refuses to parse `??` mixed with `||` or `&&` without
 * parentheses, but TypeScript's parser accepts it (its checker reports TS5076), so a module Gantry
 * would read could not even load. Only files that contain `??` are walked.
 */
function unparenthesizedNullishMixes(sf: ts.SourceFile): { start: number; message: string }[] {
  if (!sf.text.includes("??")) return [];
  const out: { start: number; message: string }[] = [];
  const K = ts.SyntaxKind;
  const logical = (n: ts.Node): n is ts.BinaryExpression =>
    ts.isBinaryExpression(n) && (n.operatorToken.kind === K.BarBarToken || n.operatorToken.kind === K.AmpersandAmpersandToken || n.operatorToken.kind === K.QuestionQuestionToken);
  const visit = (node: ts.Node): void => {
    if (logical(node)) {
      const nullish = node.operatorToken.kind === K.QuestionQuestionToken;
      for (const operand of [node.left, node.right]) {
        if (logical(operand) && (operand.operatorToken.kind === K.QuestionQuestionToken) !== nullish) {
          const [a, b] = [operand.operatorToken.getText(sf), node.operatorToken.getText(sf)];
          out.push({ start: operand.getStart(sf), message: `'${a}' and '${b}' operations cannot be mixed without parentheses.` });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  try {
    visit(sf);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e; // nested deeper than this walk's stack: report what was found
  }
  return out;
}

/** Why a file or folder could not be read, in words, without its absolute path (output never holds one). */
export const readFailure = (e: unknown): string => fsFailure(e, "read");

/** Why TypeScript's parser gave up on a file it could read. */
function parseFailure(e: unknown): string {
  return e instanceof RangeError ? "it is nested too deeply to parse (the parser ran out of stack)" : `TypeScript could not parse it (${e instanceof Error ? e.message : String(e)})`;
}

/** A JavaScript module (read as JavaScript, and never transpiled by a run). */
export const isJavaScript = (p: string) => /\.m?js$/.test(p);
/** A declaration file (`.d.ts`, `.d.mts`, `.d.cts`): types only, no values. */
export const isDeclarationFile = (p: string) => /\.d\.[mc]?ts$/.test(p);
const scriptKind = (p: string): ts.ScriptKind => (isJavaScript(p) ? ts.ScriptKind.JS : p.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

/**
 * A JavaScript module's syntax errors, TypeScript-only syntax among them (a type annotation or an
 * `interface` in a .js file, which Node refuses), as TypeScript reports them: that takes a program,
 * here one of this file alone that reads and resolves nothing else.
 */
function javaScriptSyntaxErrors(sf: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  const options: ts.CompilerOptions = { allowJs: true, noLib: true, noResolve: true, types: [] };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (f) => (f === sf.fileName ? sf : undefined);
  host.fileExists = (f) => f === sf.fileName;
  host.readFile = (f) => (f === sf.fileName ? sf.text : undefined);
  return [...ts.createProgram({ rootNames: [sf.fileName], options, host }).getSyntacticDiagnostics(sf), ...beyondNode(sf)];
}

/**
 * Syntax TypeScript accepts in a .js file but Node 20 does not parse (JSX, decorators, `accessor`
 * fields, `using`), with V8's message; TypeScript would have compiled it away in a .ts file.
 */
function beyondNode(sf: ts.SourceFile): ts.DiagnosticWithLocation[] {
  const out: ts.DiagnosticWithLocation[] = [];
  const report = (node: ts.Node, messageText: string): void => void out.push({ file: sf, start: node.getStart(sf), length: node.getWidth(sf), messageText, category: ts.DiagnosticCategory.Error, code: 0 });
  const visit = (node: ts.Node): void => {
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) return report(node, "Unexpected token '<'");
    if (ts.isDecorator(node)) report(node, "Invalid or unexpected token");
    else if (node.kind === ts.SyntaxKind.AccessorKeyword && ts.isPropertyDeclaration(node.parent)) report(node.parent.name, `Unexpected identifier '${node.parent.name.getText(sf)}'`);
    else if (ts.isVariableDeclarationList(node) && [ts.NodeFlags.Using, ts.NodeFlags.AwaitUsing].includes(node.flags & ts.NodeFlags.BlockScoped) && node.declarations[0]) {
      report(node.declarations[0].name, `Unexpected identifier '${node.declarations[0].name.getText(sf)}'`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
