/**
 * Retry rules (GANTRY2030-2036). Rules inside one `retry` as written (durations, ranges, backoff
 * shape) run on each declaration; rules between fields run on the policy a task ends up with, its
 * own `retry` merged over `defaults.retry`, and are reported where one of the fields was written:
 * at the task when the task wrote one of them, else once at the defaults.
 */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";
import type { RetryInput, TaskDefaultsInput } from "../input-schema.js";
import { mergeRetry } from "../normalize.js";
import * as rules from "../rules/index.js";
import { reportRuntimeParameter } from "./runtime-parameters.js";
import type { Where } from "./where.js";

type Path = readonly PropertyKey[];

interface Finding {
  code: "GANTRY2030" | "GANTRY2032" | "GANTRY2033" | "GANTRY2035" | "GANTRY2036";
  severity: "error" | "warning";
  message: string;
  /** The fields involved, the one to point at first. */
  fields: readonly Path[];
  hint?: string;
}

/** Exit codes a container can end with after failing: 0 is success, and codes are one byte. */
const MIN_EXIT = 1;
const MAX_EXIT = 255;

/** Rules inside one `retry` (and `timeout`) as written, in a task or in the defaults. */
export function checkRetryValues(bag: DiagnosticBag, spec: TaskDefaultsInput, subject: string, where: Where): void {
  const retry = spec.retry;
  if (!retry) return;
  const at = (...path: PropertyKey[]) => where.value(["retry", ...path]);
  const b = retry.backoff;
  if (b) {
    const duration = duration_(bag, b.duration, `${subject}: retry.backoff.duration`, at("backoff", "duration"));
    const cap = b.cap === undefined ? undefined : duration_(bag, b.cap, `${subject}: retry.backoff.cap`, at("backoff", "cap"));
    if (b.maxDuration !== undefined) duration_(bag, b.maxDuration, `${subject}: retry.backoff.maxDuration`, at("backoff", "maxDuration"));
    if (b.factor !== undefined && b.factor < 1) {
      bag.error("GANTRY2034", `${subject}: retry.backoff.factor ${b.factor} would shorten the wait after each retry`, at("backoff", "factor"), "Use a factor of at least 1; 1 keeps the wait constant.");
    }
    if (duration !== undefined && cap !== undefined && cap < duration) {
      bag.error("GANTRY2034", `${subject}: retry.backoff.cap "${b.cap}" is shorter than the first wait, retry.backoff.duration "${b.duration}"`, at("backoff", "cap"), "Make cap at least as long as duration, or lower duration.");
    }
  }
  if (retry.totalTimeout !== undefined) wholeSeconds(bag, retry.totalTimeout, `${subject}: retry.totalTimeout`, at("totalTimeout"));
  for (const key of ["onExitCodes", "exceptExitCodes"] as const) {
    const codes = retry[key];
    if (!codes) continue;
    // Under on: "error" an empty list is how a task clears one it inherits (GANTRY2033 otherwise).
    if (key === "onExitCodes" && codes.length === 0 && retry.on !== "error") {
      bag.error("GANTRY2031", `${subject}: retry.onExitCodes is empty, so no failure would be retried`, at(key), "List the exit codes to retry, or leave onExitCodes out to retry any.");
    }
    codes.forEach((c, i) => {
      if (c < MIN_EXIT || c > MAX_EXIT) {
        const why = c === 0 ? "0 means success, which is never retried" : `exit codes are ${MIN_EXIT}-${MAX_EXIT}`;
        bag.error("GANTRY2031", `${subject}: retry.${key}: ${c} is not an exit code a failed task can have (${why})`, at(key, i), "Containers exit with 1-255 when they fail; 137 is a SIGKILL (out of memory), 143 a SIGTERM.");
      }
    });
  }
}

/**
 * Rules between fields. `defaults` are the pipeline's; `own` is the task's own spec, or undefined
 * to check the defaults themselves.
 */
export function checkRetryCombination(bag: DiagnosticBag, defaults: TaskDefaultsInput | undefined, own: TaskDefaultsInput | undefined, subject: string, where: Where): void {
  if (own === undefined) {
    if (!defaults) return;
    for (const f of findings(defaults.retry, defaults.timeout)) report(bag, f, subject, where);
    return;
  }
  const retry = mergeRetry(defaults?.retry, own.retry);
  // As mergeDefaults: a timeout written as `undefined` keeps the default.
  const timeout = own.timeout ?? defaults?.timeout;
  // Only findings about a field the task wrote itself; the rest were reported at the defaults.
  const writtenByTask = (path: Path) =>
    path[0] === "timeout" ? own.timeout !== undefined : own.retry !== undefined && (path.length === 1 || (own.retry as Record<PropertyKey, unknown>)[path[1]!] !== undefined);
  for (const f of findings(retry, timeout)) {
    const mine = f.fields.filter(writtenByTask);
    if (mine.length > 0) report(bag, { ...f, fields: mine }, subject, where);
  }
}

function findings(retry: RetryInput | undefined, timeout: string | undefined): Finding[] {
  if (!retry) return [];
  const out: Finding[] = [];
  const b = retry.backoff;
  if (retry.limit === undefined) {
    out.push({
      code: "GANTRY2030",
      severity: "error",
      message: b ? "retry.backoff is set, but there is no retry.limit, so there are no retries to space out" : "retry has no limit",
      fields: [["retry"]],
      hint: "Add `limit` (retries after the first attempt), here or in the pipeline's defaults.retry.",
    });
    return out;
  }
  const on = new Set(retry.onExitCodes ?? []);
  (retry.exceptExitCodes ?? []).forEach((c, i) => {
    if (on.has(c)) {
      out.push({
        code: "GANTRY2032",
        severity: "error",
        message: `exit code ${c} is both retried (retry.onExitCodes) and never retried (retry.exceptExitCodes)`,
        fields: [["retry", "exceptExitCodes", i], ["retry", "onExitCodes", (retry.onExitCodes ?? []).indexOf(c)]],
        hint: "Keep each exit code in one list.",
      });
    }
  });
  if (retry.on === "error") {
    for (const key of ["onExitCodes", "exceptExitCodes"] as const) {
      // An empty list filters nothing: it is how a task clears a list it would inherit.
      if (retry[key] === undefined || retry[key].length === 0) continue;
      out.push({
        code: "GANTRY2033",
        severity: "error",
        message: `retry.${key} filters failures by exit code, but retry.on "error" retries only errors, which have no exit code of the task`,
        fields: [["retry", key], ["retry", "on"]],
        hint: `Use on: "failure" (or "any") to retry failures with these exit codes, or drop the list; a list from the pipeline's defaults is cleared with \`${key}: []\`.`,
      });
    }
  }
  if (retry.limit === 0) return out;
  const seconds = (d: string | undefined) => (d !== undefined && rules.goDuration(d) === undefined ? rules.durationSeconds(d) : undefined);
  const first = seconds(b?.duration);
  const maxDuration = seconds(b?.maxDuration);
  const total = seconds(retry.totalTimeout);
  const attempt = seconds(timeout);
  if (first !== undefined && maxDuration !== undefined && first >= maxDuration) {
    out.push({
      code: "GANTRY2035",
      severity: "error",
      message: `the first wait (retry.backoff.duration "${b!.duration}") already reaches retry.backoff.maxDuration "${b!.maxDuration}", so no retry can ever start`,
      fields: [["retry", "backoff", "duration"], ["retry", "backoff", "maxDuration"]],
      hint: "Make maxDuration longer than the first wait plus an attempt, or shorten the wait.",
    });
  }
  if (first !== undefined && total !== undefined && first >= total) {
    out.push({
      code: "GANTRY2035",
      severity: "error",
      message: `the first wait (retry.backoff.duration "${b!.duration}") already reaches retry.totalTimeout "${retry.totalTimeout}", so no retry can ever start`,
      fields: [["retry", "backoff", "duration"], ["retry", "totalTimeout"]],
      hint: "Make totalTimeout longer than the first wait plus an attempt, or shorten the wait.",
    });
  }
  if (maxDuration !== undefined && total !== undefined && maxDuration >= total) {
    out.push({
      code: "GANTRY2036",
      severity: "warning",
      message: `retry.backoff.maxDuration "${b!.maxDuration}" is not shorter than retry.totalTimeout "${retry.totalTimeout}", so it never takes effect`,
      fields: [["retry", "backoff", "maxDuration"], ["retry", "totalTimeout"]],
      hint: "Drop maxDuration: totalTimeout already stops retrying (and the running attempt) at that time.",
    });
  }
  if (attempt !== undefined && total !== undefined && attempt >= total) {
    out.push({
      code: "GANTRY2036",
      severity: "warning",
      message: `timeout "${timeout}" (per attempt) is not shorter than retry.totalTimeout "${retry.totalTimeout}" (all attempts), so it never takes effect`,
      fields: [["timeout"], ["retry", "totalTimeout"]],
      hint: "Make the per-attempt timeout shorter than the total, or drop one of them.",
    });
  }
  return out;
}

function report(bag: DiagnosticBag, f: Finding, subject: string, where: Where): void {
  const span = where.value(f.fields[0]!);
  if (f.severity === "error") bag.error(f.code, `${subject}: ${f.message}`, span, f.hint);
  else bag.warning(f.code, `${subject}: ${f.message}`, span, f.hint);
}

/** Seconds in a valid duration, else reports GANTRY2015 and returns undefined. */
function duration_(bag: DiagnosticBag, value: string, subject: string, span: Span | undefined): number | undefined {
  const r = rules.goDuration(value);
  if (r) {
    if (!reportRuntimeParameter(bag, value, `${subject} "${value}"`, "a duration", span)) bag.error("GANTRY2015", `${subject}: ${r}`, span);
    return undefined;
  }
  return rules.durationSeconds(value);
}

/** A deadline: a valid duration of whole seconds, at least one (pod and Argo deadlines count seconds). */
export function wholeSeconds(bag: DiagnosticBag, value: string, subject: string, span: Span | undefined): void {
  const seconds = duration_(bag, value, subject, span);
  if (seconds !== undefined && (seconds < 1 || !Number.isInteger(seconds))) {
    bag.error("GANTRY2015", `${subject}: "${value}" is not a whole number of seconds`, span, "Deadlines are counted in seconds; write e.g. \"30s\" or \"2m\".");
  } else if (seconds !== undefined && seconds > MAX_DEADLINE_SECONDS) {
    bag.error("GANTRY2015", `${subject}: "${value}" is longer than Kubernetes allows a pod's deadline (${MAX_DEADLINE_SECONDS} seconds, about 68 years)`, span, "Leave the timeout out for no deadline.");
  }
}

/**
 * A deadline becomes a pod's `activeDeadlineSeconds` (the per-attempt timeout on both targets, the
 * total timeout through Argo's template deadline), which the API server refuses past an int32.
 */
const MAX_DEADLINE_SECONDS = 2 ** 31 - 1;
