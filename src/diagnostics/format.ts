import path from "node:path";
import { highlight } from "@babel/code-frame";
import pc from "picocolors";
import stringWidth from "string-width";
import type { Diagnostic, Span } from "./diagnostic.js";
import { sarifLog } from "./sarif.js";

export type DiagnosticFormat = "text" | "json" | "github" | "sarif";

/** Formats that are one document, printed even when there is nothing to report. */
export const isDocumentFormat = (format: DiagnosticFormat): boolean => format === "json" || format === "sarif";

export interface FormatOptions {
  /** Colour the text format. The CLI enables this only on a TTY without NO_COLOR. */
  color: boolean;
  /** Source text by the diagnostic's (relative) file name, for code frames. */
  readSource?: (file: string) => string | undefined;
  /**
   * The working directory's path from the repository root (POSIX, "" for the root itself). The
   * `github` and `sarif` formats name files from there, as GitHub resolves them; text and JSON keep
   * them relative to the working directory.
   */
  repositoryPrefix?: string;
  /**
   * The working directory: messages and hints that quote Node's or TypeScript's errors name
   * absolute paths (`open '/home/.../manifests/.x.yaml.tmp'`), shown from here, as everything else
   * is, so the output (SARIF too) does not depend on where the checkout is.
   */
  cwd?: string;
}

export function formatDiagnostics(all: readonly Diagnostic[], format: DiagnosticFormat, options: FormatOptions): string {
  const diagnostics = options.cwd === undefined ? all : fromWorkingDirectory(all, options.cwd);
  switch (format) {
    case "json":
      return JSON.stringify(diagnostics, null, 2) + "\n";
    case "github":
      return inRepository(diagnostics, options.repositoryPrefix).map(githubAnnotation).join("");
    case "sarif":
      return JSON.stringify(sarifLog(inRepository(diagnostics, options.repositoryPrefix)), null, 2) + "\n";
    case "text":
      return diagnostics.map((d) => textDiagnostic(d, options)).join("\n");
  }
}

function fromWorkingDirectory(diagnostics: readonly Diagnostic[], cwd: string): readonly Diagnostic[] {
  const here = path.resolve(cwd) + path.sep;
  const local = (d: Diagnostic): Diagnostic => (d.message.includes(here) || d.hint?.includes(here) ? { ...d, message: d.message.replaceAll(here, ""), ...(d.hint !== undefined && { hint: d.hint.replaceAll(here, "") }) } : d);
  return diagnostics.map(local);
}

/** Diagnostics with their files named from the repository root, `prefix` being the working directory's path from there. */
function inRepository(diagnostics: readonly Diagnostic[], prefix: string | undefined): readonly Diagnostic[] {
  if (!prefix) return diagnostics;
  const moved = <T extends Span>(span: T): T => ({ ...span, file: path.posix.normalize(`${prefix}/${span.file}`) });
  return diagnostics.map((d) => ({ ...d, ...(d.span && { span: moved(d.span) }), ...(d.calledFrom && { calledFrom: d.calledFrom.map(moved) }) }));
}

function textDiagnostic(d: Diagnostic, { color, readSource }: FormatOptions): string {
  const c = pc.createColors(color);
  const where = d.span ? `${escapeControls(d.span.file)}:${d.span.line}:${d.span.column}: ` : "";
  const sev = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  let out = `${c.bold(where)}${sev} ${c.dim(d.code)}: ${textOf(d.message)}\n`;
  const source = d.span && readSource?.(d.span.file);
  if (d.span && source !== undefined) {
    const frame = codeFrame(source, d.span, color);
    if (frame !== undefined) out += frame + "\n";
  }
  for (const call of d.calledFrom ?? []) out += `  ${c.dim("called from")} ${escapeControls(call.file)}:${call.line}:${call.column}\n`;
  if (d.hint) out += `  ${c.cyan("hint")}: ${textOf(d.hint)}\n`;
  return out;
}

/*
 * Control characters in the text format. Messages and hints quote what the author wrote (task
 * names, values, file names), which may hold any character: a raw line break would let a name
 * start a line of its own, which GitHub Actions reads from a log as a workflow command
 * (`::error file=...::`, even after leading spaces) and which looks like a diagnostic of its own;
 * ESC and the C1 controls drive the terminal. The `json` and `sarif` formats escape them already
 * (JSON), and `github` as below (`data`). Here they are shown escaped as in JSON (`\n`, `\u001b`), where the text is printed,
 * because the strings come from every phase: escaping where each name enters a message would
 * need every message of every phase to get it right. Backslashes are left as they are: this makes
 * the text safe to print, it is not an encoding to read back.
 */

/**
 * C0 controls (tab and line breaks included), DEL, the C1 controls, the line and paragraph
 * separators, and the bidirectional overrides and isolates, which reorder what a terminal shows
 * ("Trojan Source").
 */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same without the tab, which a code frame shows as it is, to keep the source's indentation. */
const FRAME_CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };
const escapeControl = (ch: string): string => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `s` with every control character escaped: for text that is one line (file names). */
function escapeControls(s: string): string {
  return defuseLegacyCommand(CONTROL.test(s) ? s.replace(CONTROLS, escapeControl) : s);
}

/**
 * The GitHub runner also reads its older command syntax, `##[error]...`, anywhere in a line (its
 * ActionCommand.TryParse): `[` after `##` is shown escaped, so quoted source cannot issue one.
 */
const defuseLegacyCommand = (s: string): string => (s.includes("##[") ? s.replaceAll("##[", "##\\u005b") : s);

/**
 * A message or hint as the text format prints it: control characters escaped, but for the line
 * breaks of a message that continues on indented lines, as TypeScript lays out the chain of a type
 * error (`TS2322: ...\n  Types of property 'a' are incompatible.`). A line break before anything
 * else is escaped, and so is one before an indented `::`, which the GitHub runner would still read
 * as a command: message text starts a line of output only indented, under its diagnostic.
 */
function textOf(s: string): string {
  if (!CONTROL.test(s)) return defuseLegacyCommand(s);
  const lines = s.split("\n");
  let out = escapeControls(lines[0]!);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    out += (CONTINUATION.test(line) ? "\n" : "\\n") + escapeControls(line);
  }
  return out;
}
const CONTINUATION = /^ +(?! |::)/;

/** Lines a code frame shows in full; longer ones (generated or minified code) are cut around the column. */
const MAX_FRAME_LINE = 160;
/** Line breaks as spans count them (src/util/editor-lines.ts): not U+2028/U+2029, which a frame shows escaped. */
const NEWLINE = /\r\n|[\n\r]/;

/**
 * The code frame under a diagnostic: the span's line with one line on each side, the span
 * underlined with carets, as @babel/code-frame draws it (and with its syntax colours). Drawn here
 * because the caret is placed by what the terminal shows before it, not by UTF-16 units: an emoji
 * or a CJK character takes two columns, a combining accent none. When one of these lines is longer
 * than MAX_FRAME_LINE, each is cut to the same window around the column (on whole characters),
 * marked `…`; an empty line stays empty. Control characters in the source but tabs are shown
 * escaped, as in messages. `undefined` when the span's line is not in the source.
 */
function codeFrame(source: string, span: Span, color: boolean): string | undefined {
  const lines = source.split(NEWLINE);
  const at = span.line;
  if (!(at >= 1 && at <= lines.length)) return undefined;
  const first = Math.max(1, at - 1);
  const last = Math.min(lines.length, at + 1);
  let long = false;
  for (let n = first; n <= last; n++) if (lines[n - 1]!.length > MAX_FRAME_LINE) long = true;
  const from = long ? Math.max(0, span.column - 1 - MAX_FRAME_LINE / 4) : 0;
  const to = long ? from + MAX_FRAME_LINE : Infinity;

  const shown: string[] = [];
  let caret: { pad: string; count: number } | undefined;
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1]!;
    const f = pointStart(text, Math.min(from, text.length));
    const t = pointEnd(text, Math.min(to, text.length));
    const head = f > 0 && text.length > 0 ? "…" : "";
    const tail = t < text.length ? "…" : "";
    shown.push(head + escapeFrame(text.slice(f, t)) + tail);
    if (n !== at || span.column < 1) continue;
    const start = clamp(span.column - 1, f, t);
    const end = span.endLine === span.line && span.endColumn !== undefined ? clamp(span.endColumn - 1, start, t) : start;
    caret = { pad: padding(head + escapeFrame(text.slice(f, start))), count: Math.max(1, stringWidth(escapeFrame(text.slice(start, end)))) };
  }

  const c = pc.createColors(color);
  const marker = (s: string) => c.red(c.bold(s));
  const digits = String(last).length;
  const code = color ? highlight(shown.join("\n")).split("\n") : shown;
  const frame = shown
    .map((text, i) => {
      const n = first + i;
      const gutter = ` ${String(n).padStart(digits)} |`;
      const line = text.length > 0 ? ` ${code[i]}` : "";
      if (n !== at) return ` ${c.gray(gutter)}${line}`;
      const under = caret ? `\n ${c.gray(gutter.replace(/\d/g, " "))} ${caret.pad}${marker("^").repeat(caret.count)}` : "";
      return `${marker(">")}${c.gray(gutter)}${line}${under}`;
    })
    .join("\n");
  return color ? c.reset(frame) : frame;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), hi);
const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;
/** `i`, or one back when it would split a surrogate pair: a cut's start keeps the whole character. */
const pointStart = (s: string, i: number) => (i > 0 && i < s.length && isLow(s.charCodeAt(i)) && isHigh(s.charCodeAt(i - 1)) ? i - 1 : i);
/** `i`, or one back when it would split a surrogate pair: a cut's end leaves the whole character out. */
const pointEnd = pointStart;

const escapeFrame = (s: string): string => defuseLegacyCommand(CONTROL.test(s) ? s.replace(FRAME_CONTROLS, escapeControl) : s);

/**
 * The blanks that put a caret under the character after `prefix`: its tabs as tabs (the terminal's
 * tab stops), the rest as wide as a terminal shows it (string-width: East Asian wide characters and
 * emoji take two columns, combining marks none).
 */
const padding = (prefix: string): string => prefix.split("\t").map((part) => " ".repeat(stringWidth(part))).join("\t");

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
function githubAnnotation(d: Diagnostic): string {
  const span = d.span;
  // Only on the start's line: the runner drops the columns of an annotation over several lines
  // (ValidateLinesAndColumns). GitHub's end column is the last one annotated; Gantry's is one past the construct.
  const end = span?.endLine === span?.line && span?.endColumn !== undefined && span.endColumn > span.column ? `endLine=${span.line},endColumn=${span.endColumn - 1},` : "";
  const props = span ? `file=${prop(span.file)},line=${span.line},col=${span.column},${end}` : "";
  const calls = (d.calledFrom ?? []).map((call) => `\ncalled from ${call.file}:${call.line}:${call.column}`).join("");
  const body = `${d.message}${calls}${d.hint ? `\n${d.hint}` : ""}`;
  return `::${d.severity} ${props}title=${prop(d.code)}::${data(body)}\n`;
}

/**
 * A workflow command's data: `%`, CR and LF percent-encoded, as the runner decodes them (a line
 * break is one in the annotation); the other controls and the bidirectional overrides escaped as in
 * the text format (the runner passes them on to the page and the log), and `##[` defused.
 */
const data = (s: string) => defuseLegacyCommand(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(DATA_CONTROLS, escapeControl));
const DATA_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
