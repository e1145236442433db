/**
 * Diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), for GitHub
 * code scanning (`github/codeql-action/upload-sarif`), GitLab, Azure DevOps and other CI tools.
 *
 * Byte-stable like everything Gantry writes: no timestamps, no tool version, no absolute paths
 * (locations are relative to the repository root, under `%SRCROOT%`, as code scanning resolves them;
 * see FormatOptions.repositoryPrefix).
 *
 * Code scanning rejects a whole upload when one result has no location, so a diagnostic without a
 * span (no sources found, output not writable) is a tool execution notification instead of a result.
 */
import { codes, type DiagnosticCode } from "./codes.js";
import type { Diagnostic, Span } from "./diagnostic.js";

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

interface Message {
  text: string;
}

interface Location {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId: string };
    region: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
  };
}

interface Rule {
  id: DiagnosticCode;
  shortDescription: Message;
  fullDescription: Message;
  help: Message;
}

interface Result {
  ruleId: DiagnosticCode;
  ruleIndex: number;
  level: "error" | "warning";
  message: Message;
  locations: Location[];
  /** The calls that led to a finding in a helper (`Diagnostic.calledFrom`), linked from the message as `[text](id)`. */
  relatedLocations?: (Location & { id: number; message: Message })[];
}

interface Notification {
  level: "error" | "warning";
  message: Message;
  associatedRule: { id: DiagnosticCode; index: number };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: {
    tool: { driver: { name: string; rules: Rule[] } };
    originalUriBaseIds: Record<string, { description: Message }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: Notification[] }[];
    results: Result[];
    columnKind: "utf16CodeUnits";
  }[];
}

export function sarifLog(diagnostics: readonly Diagnostic[]): SarifLog {
  // Only the rules the log refers to, by code, so the log does not change when unrelated codes are added.
  const ruleIds = [...new Set(diagnostics.map((d) => d.code))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const results: Result[] = [];
  const notifications: Notification[] = [];
  for (const d of diagnostics) {
    const index = ruleIndex.get(d.code)!;
    const calls = (d.calledFrom ?? []).map((span, id) => ({ id, text: `${span.file}:${span.line}:${span.column}`, span }));
    // SARIF's embedded links: "[text](id)" names a related location, and a literal bracket (or
    // backslash) is escaped (SARIF 2.1.0, 3.11.6), in every message: unescaped, a quoted
    // `[x](https://...)` would be a link a viewer shows (diagnostics review finding).
    const plain = (t: string) => t.replace(/[\\[\]]/g, "\\$&");
    const callLines = calls.map((c) => `\ncalled from [${plain(c.text)}](${c.id})`).join("");
    const message = { text: `${plain(d.message)}${callLines}${d.hint ? `\nhint: ${plain(d.hint)}` : ""}` };
    const relatedLocations = calls.map((c) => ({ id: c.id, ...location(c.span), message: { text: "called from here" } }));
    if (d.span) results.push({ ruleId: d.code, ruleIndex: index, level: d.severity, message, locations: [location(d.span)], ...(relatedLocations.length > 0 && { relatedLocations }) });
    else notifications.push({ level: d.severity, message, associatedRule: { id: d.code, index } });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "gantry", rules: ruleIds.map(rule) } },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The repository's root: GITHUB_WORKSPACE, else the nearest folder above the one gantry compile ran in that holds .git, else that folder." } } },
        // Diagnostics about the code are results; the run itself went wrong only if a span-less error
        // says so. Not `--check` finding stale manifests (GANTRY5003): that check ran, and code
        // scanning treats an unsuccessful run as one whose results it cannot trust.
        invocations: [{ executionSuccessful: !notifications.some((n) => n.level === "error" && n.associatedRule.id !== "GANTRY5003"), toolExecutionNotifications: notifications }],
        results,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

function rule(id: DiagnosticCode): Rule {
  const { title, explain } = codes[id];
  return { id, shortDescription: { text: title }, fullDescription: { text: explain }, help: { text: explain } };
}

/** Spans are 1-based; Gantry's end column is one past the construct, as SARIF's is. */
function location(span: Span): Location {
  const region: Location["physicalLocation"]["region"] = { startLine: span.line, startColumn: span.column };
  if (span.endLine !== undefined && span.endColumn !== undefined) {
    region.endLine = span.endLine;
    region.endColumn = span.endColumn;
  }
  return { physicalLocation: { artifactLocation: { uri: fileUri(span.file), uriBaseId: "%SRCROOT%" }, region } };
}

/** A relative POSIX path as a URI reference: each segment percent-encoded (spaces, `#`, `%`). */
const fileUri = (file: string) => file.split("/").map(encodeURIComponent).join("/");
