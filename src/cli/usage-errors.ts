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

/** Whether an option of the command takes a value: "required" (`<x>`), "optional" (`[x]`), or not at all. */
export type TakesValue = (flag: string) => "required" | "optional" | undefined;

/**
 * The `--format` of a `gantry compile` command line, read before commander parses it, since
 * commander may fail on another option first; read as commander reads it: the value of each option
 * that takes one is skipped (`--out -f` names a folder "-f"), short options may be clustered
 * (`-wf json`, `-wfjson`), and the last valid `--format` before `--` wins. Undefined for other
 * commands, or with no valid one.
 */
export function requestedFormat(argv: readonly string[], takesValue: TakesValue): DiagnosticFormat | undefined {
  if (argv[0] !== "compile") return undefined;
  let format: DiagnosticFormat | undefined;
  /** The value of the option in `argv[i]`: the rest of that argument (`rest`, "" if none), else the next one; and where reading goes on. */
  const valueAt = (i: number, kind: "required" | "optional", rest: string | undefined): [string | undefined, number] => {
    if (rest !== undefined && rest !== "") return [rest, i];
    const next = argv[i + 1];
    // commander takes the next argument for a required value whatever it is, for an optional one unless it is an option
    return next !== undefined && (kind === "required" || !next.startsWith("-")) ? [next, i + 1] : [undefined, i];
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const kind = takesValue(name);
      if (kind === undefined) continue;
      const [value, at] = valueAt(i, kind, eq < 0 ? undefined : arg.slice(eq + 1));
      i = at;
      if (name === "--format" && isFormat(value)) format = value;
    } else if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of short options: booleans until the first that takes a value, which takes the rest.
      for (let j = 1; j < arg.length; j++) {
        const flag = `-${arg[j]}`;
        const kind = takesValue(flag);
        if (kind === undefined) continue;
        const [value, at] = valueAt(i, kind, arg.slice(j + 1));
        i = at;
        if (flag === "-f" && isFormat(value)) format = value;
        break;
      }
    }
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
