/**
 * Name rules for Kubernetes objects, Argo templates/tasks/parameters, labels,
 * annotations and environment variables.
 *
 * Every function returns `undefined` when the value is valid, or a short English
 * reason (no trailing period) saying exactly what is wrong.
 *
 * Sources: Kubernetes apimachinery `pkg/util/validation` (IsDNS1123Label,
 * IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue, IsEnvVarName) and
 * Argo's `workflow/validate` + CRD patterns (shared/reference/argo.md §5, §7).
 */

/** Longest DNS-1123 label (and label value / qualified-name name part). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain (and qualified-name prefix). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Argo template / step / DAG task names (CRD `maxLength`). */
export const ARGO_TASK_NAME_MAX_LENGTH = 128;
/** metadata.name of Workflow, WorkflowTemplate, ClusterWorkflowTemplate. */
export const WORKFLOW_NAME_MAX_LENGTH = 63;
/** metadata.name of CronWorkflow: Argo appends `-<unix-seconds>` (11 chars) to child names. */
export const CRON_WORKFLOW_NAME_MAX_LENGTH = 52;

/** Quote a character or string for a message, making invisible characters visible. */
function show(s: string): string {
  return JSON.stringify(s);
}

function firstChar(s: string): string {
  // Code point aware, so an astral character is shown whole.
  return String.fromCodePoint(s.codePointAt(0) ?? 0);
}

function lastChar(s: string): string {
  const chars = Array.from(s);
  return chars[chars.length - 1] ?? "";
}

/** First character of `s` not matched by `allowed` (a single-character regex), if any. */
function firstInvalid(s: string, allowed: RegExp): string | undefined {
  for (const ch of s) {
    if (!allowed.test(ch)) return ch;
  }
  return undefined;
}

function tooLong(s: string, max: number): string | undefined {
  return s.length > max ? `must be at most ${max} characters (got ${s.length})` : undefined;
}

const LOWER_ALNUM = /^[a-z0-9]$/;
const LOWER_ALNUM_DASH = /^[-a-z0-9]$/;
const UPPER = /[A-Z]/;

/**
 * Shared DNS-1123 label checks (without the empty/length checks).
 * `what` prefixes messages about a part of a larger value (e.g. `part "Foo" `).
 */
function dns1123LabelChars(s: string, what = ""): string | undefined {
  const upper = UPPER.exec(s);
  if (upper) return `${what}must be lowercase (found uppercase letter ${show(upper[0])})`;
  const bad = firstInvalid(s, LOWER_ALNUM_DASH);
  if (bad !== undefined) {
    return `${what}contains invalid character ${show(bad)} (allowed: lowercase letters, digits and "-")`;
  }
  if (!LOWER_ALNUM.test(firstChar(s))) {
    return `${what}must start with a lowercase letter or digit (got ${show(firstChar(s))})`;
  }
  if (!LOWER_ALNUM.test(lastChar(s))) {
    return `${what}must end with a lowercase letter or digit (got ${show(lastChar(s))})`;
  }
  return undefined;
}

/** DNS-1123 label: at most 63 characters, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`. */
export function dns1123Label(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  return tooLong(s, DNS1123_LABEL_MAX_LENGTH) ?? dns1123LabelChars(s);
}

/** Subdomain grammar with a caller-chosen maximum length; `what` prefixes every message. */
function subdomainWithMax(s: string, max: number, what = ""): string | undefined {
  if (s.length === 0) return `${what}must not be empty`;
  const long = tooLong(s, max);
  if (long !== undefined) return `${what}${long}`;
  const upper = UPPER.exec(s);
  if (upper) return `${what}must be lowercase (found uppercase letter ${show(upper[0])})`;
  const bad = firstInvalid(s, /^[-a-z0-9.]$/);
  if (bad !== undefined) {
    return `${what}contains invalid character ${show(bad)} (allowed: lowercase letters, digits, "-" and ".")`;
  }
  if (s.startsWith(".")) return `${what}must not start with "."`;
  if (s.endsWith(".")) return `${what}must not end with "."`;
  if (s.includes("..")) return `${what}must not contain ".."`;
  const parts = s.split(".");
  if (parts.length === 1) return dns1123LabelChars(s, what);
  for (const part of parts) {
    const reason = dns1123LabelChars(part, `${what}part ${show(part)} `);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * DNS-1123 subdomain: at most 253 characters, one or more DNS-1123 labels joined by ".".
 * (Kubernetes does not limit the length of the individual labels here.)
 */
export function dns1123Subdomain(s: string): string | undefined {
  return subdomainWithMax(s, DNS1123_SUBDOMAIN_MAX_LENGTH);
}

/**
 * `metadata.name` of a generated object: DNS-1123 subdomain grammar with a caller-chosen
 * maximum (63 for Workflow/WorkflowTemplate/ClusterWorkflowTemplate because Argo copies the
 * name into label values; 52 for CronWorkflow because Argo appends `-<unix-seconds>`).
 */
export function resourceName(s: string, maxLength: number): string | undefined {
  return subdomainWithMax(s, Math.min(maxLength, DNS1123_SUBDOMAIN_MAX_LENGTH));
}

/**
 * Argo template, step and DAG task names: `^[a-zA-Z0-9][-a-zA-Z0-9]*$`, at most 128
 * characters, and (because we emit `depends`) not starting with a digit.
 */
/**
 * Operators and literals of expr-lang, which evaluates Argo's `depends` after `-` becomes `_`
 * (shared/reference/argo.md §2.1): a task by one of these names cannot be referred to there.
 */
const EXPR_WORDS: ReadonlySet<string> = new Set(["in", "not", "and", "or", "matches", "contains", "startsWith", "endsWith", "true", "false", "nil", "let", "if", "else"]);

export function argoTaskName(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const long = tooLong(s, ARGO_TASK_NAME_MAX_LENGTH);
  if (long !== undefined) return long;
  const bad = firstInvalid(s, /^[-a-zA-Z0-9]$/);
  if (bad !== undefined) {
    return `contains invalid character ${show(bad)} (allowed: letters, digits and "-")`;
  }
  const first = firstChar(s);
  if (first === "-") return `must start with a letter (got "-")`;
  if (/^[0-9]$/.test(first)) {
    return `must start with a letter (got ${show(first)}); Argo rejects task names starting with a digit when "depends" is used`;
  }
  if (EXPR_WORDS.has(s)) {
    return `is a word of the expression language Argo evaluates "depends" with, where it is not read as a task name: every task after it would fail with an error at run time, its teardowns included`;
  }
  return undefined;
}

/** Argo parameter names: `^[-a-zA-Z0-9_]+$`. */
export function argoParameterName(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const bad = firstInvalid(s, /^[-a-zA-Z0-9_]$/);
  if (bad !== undefined) {
    return `contains invalid character ${show(bad)} (allowed: letters, digits, "-" and "_")`;
  }
  return undefined;
}

/**
 * Kubernetes environment variable names (and `envFrom` prefixes): `[-._a-zA-Z][-._a-zA-Z0-9]*`, and
 * not `.`, `..` or a name starting with `..` (IsEnvVarName's hasChDirPrefix).
 */
export function envVarName(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const bad = firstInvalid(s, /^[-._a-zA-Z0-9]$/);
  if (bad !== undefined) {
    return `contains invalid character ${show(bad)} (allowed: letters, digits, "_", "-" and ".")`;
  }
  const first = firstChar(s);
  if (/^[0-9]$/.test(first)) return `must not start with a digit (got ${show(first)})`;
  if (s === "." || s === "..") return `must not be ${show(s)}`;
  if (s.startsWith("..")) return `must not start with ".."`;
  return undefined;
}

/**
 * A key of a ConfigMap or Secret, as an environment variable reads it (IsConfigMapKey): at most
 * 253 characters of `[-._a-zA-Z0-9]`, and not `.`, `..` or a key starting with `..`.
 */
export function configMapKey(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const long = tooLong(s, DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (long !== undefined) return long;
  const bad = firstInvalid(s, /^[-._a-zA-Z0-9]$/);
  if (bad !== undefined) return `contains invalid character ${show(bad)} (allowed: letters, digits, "-", "_" and ".")`;
  if (s === "." || s === "..") return `must not be ${show(s)}`;
  if (s.startsWith("..")) return `must not start with ".."`;
  return undefined;
}

/**
 * The name of the ConfigMap or Secret an `envFrom` entry reads (ValidateConfigMapName with
 * prefix): a DNS subdomain, but for a trailing "-", which the API server allows there. Its
 * maskTrailingDash replaces the last two characters with "a" before checking, and so does this.
 */
export function envFromSourceName(s: string): string | undefined {
  return dns1123Subdomain(s.length > 1 && s.endsWith("-") ? `${s.slice(0, -2)}a` : s);
}

const QUALIFIED_CHAR = /^[-A-Za-z0-9_.]$/;
const ALNUM = /^[A-Za-z0-9]$/;

/**
 * Label-value-like grammar `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?` (non-empty input),
 * used for label values and the name part of qualified names.
 */
function qualifiedChars(s: string, what = ""): string | undefined {
  const long = tooLong(s, DNS1123_LABEL_MAX_LENGTH);
  if (long !== undefined) return `${what}${long}`;
  const bad = firstInvalid(s, QUALIFIED_CHAR);
  if (bad !== undefined) {
    return `${what}contains invalid character ${show(bad)} (allowed: letters, digits, "-", "_" and ".")`;
  }
  if (!ALNUM.test(firstChar(s))) {
    return `${what}must start with a letter or digit (got ${show(firstChar(s))})`;
  }
  if (!ALNUM.test(lastChar(s))) {
    return `${what}must end with a letter or digit (got ${show(lastChar(s))})`;
  }
  return undefined;
}

/**
 * Kubernetes qualified name (label and annotation keys): optional DNS-1123 subdomain
 * prefix (≤253) and "/", then a name part of at most 63 characters matching
 * `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
 */
export function labelKey(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  const parts = s.split("/");
  if (parts.length > 2) return `must contain at most one "/" (prefix/name), found ${parts.length - 1}`;
  let name = s;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) return `prefix before "/" must not be empty`;
    const reason = subdomainWithMax(prefix, DNS1123_SUBDOMAIN_MAX_LENGTH, `prefix ${show(prefix)} `);
    if (reason !== undefined) return reason;
    if (name.length === 0) return `name after "/" must not be empty`;
  }
  return qualifiedChars(name, parts.length === 2 ? `name part ${show(name)} ` : "");
}

/** Annotation keys follow the same qualified-name rule as label keys. */
export function annotationKey(s: string): string | undefined {
  return labelKey(s);
}

/** Kubernetes label value: empty, or at most 63 characters of `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. */
export function labelValue(s: string): string | undefined {
  if (s.length === 0) return undefined;
  return qualifiedChars(s);
}
