/**
 * Placeholders: strings in the IR that stand for values known only once a run starts. The DSL
 * writes them, the analyzer and the model phase check their use, and each backend rewrites them
 * into its target's syntax. Plain strings, so the IR stays plain data.
 */

/** What `p.params.NAME` evaluates to. */
export const parameterPlaceholder = (name: string): string => `{{params.${name}}}`;

/** The parameter a string names when it is exactly one placeholder, `{{params.NAME}}`; else undefined. */
export const parameterOf = (s: string): string | undefined => /^\{\{params\.([^{}\s]+)\}\}$/.exec(s)?.[1];

/** The start every parameter placeholder shares, for cheap "holds a parameter?" checks. */
export const PARAMETER_MARK = "{{params.";

/** Every parameter placeholder in a string, its name in group 1 (spaces inside the braces tolerated, as written by hand). */
export const PARAMETER_PATTERN = /\{\{\s*params\.([^}\s]*)\s*\}\}/g;

/** What `p.runId` evaluates to: a unique id of the run. */
export const RUN_ID_PLACEHOLDER = "{{run.id}}";

/** What `p.runStatus` evaluates to: the run's result, for finally tasks. */
export const RUN_STATUS_PLACEHOLDER = "{{run.status}}";
