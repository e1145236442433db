import { codeFrameColumns } from "@babel/code-frame";
import pc from "picocolors";
import type { Diagnostic } from "./diagnostic.js";
import { sarifLog } from "./sarif.js";

export type DiagnosticFormat = "text" | "json" | "github" | "sarif";

/** Formats that are one document, printed even when there is nothing to report. */
export const isDocumentFormat = (format: DiagnosticFormat): boolean => format === "json" || format === "sarif";

export interface FormatOptions {
  /** Colour the text format. The CLI enables this only on a TTY without NO_COLOR. */
  color: boolean;
  /** Source text by the diagnostic's (relative) file name, for code frames. */
  readSource?: (file: string) => string | undefined;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, options: FormatOptions): string {
  switch (format) {
    case "json":
      return JSON.stringify(diagnostics, null, 2) + "\n";
    case "github":
      return diagnostics.map(githubAnnotation).join("");
    case "sarif":
      return JSON.stringify(sarifLog(diagnostics), null, 2) + "\n";
    case "text":
      return diagnostics.map((d) => textDiagnostic(d, options)).join("\n");
  }
}

function textDiagnostic(d: Diagnostic, { color, readSource }: FormatOptions): string {
  const c = pc.createColors(color);
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : "";
  const sev = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  let out = `${c.bold(where)}${sev} ${c.dim(d.code)}: ${d.message}\n`;
  const source = d.span && readSource?.(d.span.file);
  if (d.span && source !== undefined) {
    const loc = {
      start: { line: d.span.line, column: d.span.column },
      // Underline the whole construct when it fits on one line; a multi-line block would bury the point.
      ...(d.span.endLine === d.span.line && d.span.endColumn !== undefined && { end: { line: d.span.line, column: d.span.endColumn } }),
    };
    const shown = cropLongLines(source, loc);
    out += codeFrameColumns(shown.source, shown.loc, { highlightCode: color, forceColor: color, linesAbove: 1, linesBelow: 1 }) + "\n";
  }
  for (const call of d.calledFrom ?? []) out += `  ${c.dim("called from")} ${call.file}:${call.line}:${call.column}\n`;
  if (d.hint) out += `  ${c.cyan("hint")}: ${d.hint}\n`;
  return out;
}

type FrameLocation = { start: { line: number; column: number }; end?: { line: number; column: number } };

/** Lines a code frame shows in full; longer ones (generated or minified code) are cut around the column. */
const MAX_FRAME_LINE = 160;

/**
 * The source and location for a code frame, with the lines it shows (the diagnostic's and one on
 * each side) cut to a window around the column when one is longer than MAX_FRAME_LINE, marked `…`.
 * Other sources are returned as they are.
 */
function cropLongLines(source: string, loc: FrameLocation): { source: string; loc: FrameLocation } {
  const lines = source.split("\n");
  const shown = [loc.start.line - 1, loc.start.line, loc.start.line + 1].filter((n) => n >= 1 && n <= lines.length);
  if (shown.every((n) => lines[n - 1]!.length <= MAX_FRAME_LINE)) return { source, loc };
  const from = Math.max(0, loc.start.column - 1 - MAX_FRAME_LINE / 4);
  const to = from + MAX_FRAME_LINE;
  for (const n of shown) {
    const line = lines[n - 1]!;
    if (line.length <= MAX_FRAME_LINE && from === 0) continue;
    lines[n - 1] = (from > 0 ? "…" : "") + line.slice(from, to) + (line.length > to ? "…" : "");
  }
  const column = (c: number) => Math.min(Math.max(1, c - from + (from > 0 ? 1 : 0)), MAX_FRAME_LINE + 2);
  const cropped: FrameLocation = { start: { line: loc.start.line, column: column(loc.start.column) } };
  if (loc.end) cropped.end = { line: loc.end.line, column: column(loc.end.column) };
  return { source: lines.join("\n"), loc: cropped };
}

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
function githubAnnotation(d: Diagnostic): string {
  const props = d.span ? `file=${prop(d.span.file)},line=${d.span.line},col=${d.span.column},` : "";
  const calls = (d.calledFrom ?? []).map((call) => `\ncalled from ${call.file}:${call.line}:${call.column}`).join("");
  const body = `${d.message}${calls}${d.hint ? `\n${d.hint}` : ""}`;
  return `::${d.severity} ${props}title=${prop(d.code)}::${data(body)}\n`;
}

const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
