import type { DiagnosticCode } from "./codes.js";

/** A position in a source file. `file` is relative to the working directory, POSIX-style; line and column are 1-based. */
export interface Span {
  file: string;
  line: number;
  column: number;
  /** Where the span ends (same file), so code frames can underline the whole construct. */
  endLine?: number;
  endColumn?: number;
}

export type Severity = "error" | "warning";

/** One finding, from any phase. Plain data so it can be printed as JSON. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span?: Span;
  /** What to do about it, in one sentence. */
  hint?: string;
  /**
   * For a finding in a helper another file called: the calls that led there, innermost first (one
   * per file in a row), up to the pipeline or module code that made them.
   */
  calledFrom?: Span[];
  /**
   * Set by lowering and the backends, which see only the IR: the field of the declaration the
   * finding is about. The front end, which knows where each value was written, turns it into `span`
   * and removes it before the diagnostic is reported.
   */
  field?: FieldRef;
}

/** A field of a pipeline's declaration (`Diagnostic.field`). */
export interface FieldRef {
  /** The task whose spec holds it (or the pipeline's `defaults`, when the task leaves it out); none: the pipeline's options. */
  task?: string;
  /** Keys below the task spec or the options; `{ name }` is the array item of that name (a volume, an `after` handle). */
  path: readonly (PropertyKey | { name: string })[];
  /** Point at the key rather than its value (a label's name). */
  key?: boolean;
}

/** What makes two diagnostics the same finding wherever it was reached from: code, severity, place and words. */
export const findingKey = (d: Diagnostic): string => `${d.code}|${d.severity}|${d.span?.file}:${d.span?.line}:${d.span?.column}|${d.message}`;

/** The same finding reached the same way: `findingKey` and where a helper was called from. */
export const diagnosticKey = (d: Diagnostic): string => `${findingKey(d)}|${(d.calledFrom ?? []).map((c) => `${c.file}:${c.line}:${c.column}`).join(",")}`;

/** Whether `seen` has not had `d` (by `diagnosticKey`) yet; records it. */
export function firstTime(seen: Set<string>, d: Diagnostic): boolean {
  const key = diagnosticKey(d);
  return !seen.has(key) && Boolean(seen.add(key));
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");

/** What a compile reports: every diagnostic but the warnings the configuration's `ignoreWarnings` names. */
export function withoutIgnored(diagnostics: readonly Diagnostic[], ignoreWarnings: readonly string[] | undefined): Diagnostic[] {
  if (!ignoreWarnings || ignoreWarnings.length === 0) return [...diagnostics];
  const ignored = new Set(ignoreWarnings);
  return diagnostics.filter((d) => d.severity !== "warning" || !ignored.has(d.code));
}

/** Stable order for reporting: by file, position, then code, so output never depends on discovery order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => [d.span?.file ?? "", d.span?.line ?? 0, d.span?.column ?? 0] as const;
  return [...diagnostics].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return la - lb || ca - cb || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  });
}

/** Collects diagnostics for one phase; phases never throw for bad user input. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  report(d: Diagnostic): void {
    this.items.push(d);
  }

  error(code: DiagnosticCode, message: string, span?: Span, hint?: string): void {
    this.items.push(clean({ code, severity: "error", message, span, hint }));
  }

  warning(code: DiagnosticCode, message: string, span?: Span, hint?: string): void {
    this.items.push(clean({ code, severity: "warning", message, span, hint }));
  }

  get hasErrors(): boolean {
    return hasErrors(this.items);
  }
}

function clean(d: Diagnostic): Diagnostic {
  if (d.span === undefined) delete d.span;
  if (d.hint === undefined) delete d.hint;
  return d;
}
