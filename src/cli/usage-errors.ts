/**
 * Usage errors of `gantry compile` (exit 2) in the diagnostics format the command line asked for.
 *
 * A CI step that runs `gantry compile --format sarif 2> gantry.sarif` (or parses `--format json`)
 * reads stderr as one document: a typo in a flag must not turn that file into a line of plain text
 * that the upload or the parser then rejects with an unrelated error. Under `json`, `sarif` and
 * `github`, a usage error is therefore GANTRY5007 in that format; under `text` it stays one line.
 */
import { formatDiagnostics, type Diagnostic, type DiagnosticFormat, type FormatOptions } from "../diagnostics/index.js";

const FORMATS: readonly DiagnosticFormat[] = ["text", "json", "github", "sarif"];
const isFormat = (s: string | undefined): s is DiagnosticFormat => FORMATS.includes(s as DiagnosticFormat);

/**
 * The `--format` of a `gantry compile` command line, read before commander parses it, since
 * commander may fail on another option first: the last valid `--format X`, `--format=X`, `-f X` or
 * `-fX` before `--`, as commander takes the last. Undefined for other commands, or with no valid one.
 */
export function requestedFormat(argv: readonly string[]): DiagnosticFormat | undefined {
  if (argv[0] !== "compile") return undefined;
  let format: DiagnosticFormat | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    let value: string | undefined;
    if (arg === "--format" || arg === "-f") value = argv[++i];
    else if (arg.startsWith("--format=")) value = arg.slice("--format=".length);
    else if (/^-f[^-]/.test(arg)) value = arg.slice(2);
    else continue;
    if (isFormat(value)) format = value;
  }
  return format;
}

/** The text commander gives an error ("error: unknown option '--x'"), as a diagnostic's message. */
export const commanderMessage = (message: string): string => message.replace(/^error:\s*/, "").trim();

/** `message` as a usage error of `gantry compile` in `format`: one plain line for text, else GANTRY5007. */
export function usageReport(message: string, format: DiagnosticFormat, options: FormatOptions): string {
  if (format === "text") return `gantry compile: ${message}\n`;
  const diagnostic: Diagnostic = { code: "GANTRY5007", severity: "error", message, hint: "Run `gantry compile --help` for the options and their values." };
  return formatDiagnostics([diagnostic], format, { ...options, readSource: () => undefined });
}
