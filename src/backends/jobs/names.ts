/**
 * Object names of the Jobs target, chosen by Gantry (never by cdk8s: reference/k8s-jobs.md §4.4).
 * A Job is `<pipeline>-<run>-<task>`: a DNS label of at most 63 characters. When that is too long
 * the pipeline and task parts are cut and a hash of the full name is appended, so distinct tasks
 * keep distinct names; the run id is never cut, so a scheduled run can substitute its own id into
 * a name computed at compile time (`@RUN_ID@` has the same length as a real run id).
 */
import { createHash } from "node:crypto";

export const MAX_NAME = 63;
/** CronJob names: the controller appends `-<minutes since epoch>` (11 characters) to make Job names. */
export const MAX_CRONJOB_NAME = 52;
const HASH_LENGTH = 6;

export const shortHash = (s: string, length = HASH_LENGTH): string => createHash("sha256").update(s).digest("hex").slice(0, length);

/** A name part as DNS label characters: lowercase, anything else (`.`, `_`) becomes `-`. */
export function labelPart(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
}

const trimDashes = (s: string) => s.replace(/-+$/, "");

/** `parts` joined by `-`, cut to `max` with a hash of the full name when too long; `keep` parts are never cut. */
export function fitName(parts: readonly string[], max = MAX_NAME, keep: ReadonlySet<number> = new Set()): string {
  // Kept parts are used verbatim: a run id is already a label, and `@RUN_ID@` must survive intact.
  const norm = parts.map((p, i) => (keep.has(i) ? p : labelPart(p)));
  const full = norm.join("-");
  if (full.length <= max) return full;
  const kept = norm.reduce((n, p, i) => n + (keep.has(i) ? p.length : 0), 0);
  const cuttable = norm.map((p, i) => (keep.has(i) ? 0 : p.length));
  // Room for the cut parts: the maximum minus separators, kept parts and the `-<hash>` suffix.
  let room = max - (parts.length - 1) - kept - (HASH_LENGTH + 1);
  const budget = cuttable.map(() => 0);
  // Share the room fairly: short parts keep their whole length, long ones split what is left.
  const order = cuttable.map((len, i) => ({ len, i })).filter((x) => !keep.has(x.i)).sort((a, b) => a.len - b.len);
  order.forEach(({ len, i }, k) => {
    const share = Math.floor(room / (order.length - k));
    budget[i] = Math.min(len, share);
    room -= budget[i]!;
  });
  const cut = norm.map((p, i) => (keep.has(i) ? p : trimDashes(p.slice(0, budget[i]))));
  return `${cut.filter((p) => p.length > 0).join("-")}-${shortHash(full)}`;
}

export interface RunNames {
  /** The run's label value, `<pipeline>-<run>`: every Job and pod of the run carries it. */
  run: string;
  job: (task: string) => string;
  /** Per-pipeline objects (ServiceAccount, Role, ConfigMap): `<pipeline>-gantry-<what>`. */
  object: (what: string, max?: number) => string;
}

export function runNames(pipeline: string, runId: string): RunNames {
  return {
    run: fitName([pipeline, runId], MAX_NAME, new Set([1])),
    job: (task) => fitName([pipeline, runId, task], MAX_NAME, new Set([1])),
    object: (what, max = MAX_NAME) => fitName([pipeline, "gantry", what], max),
  };
}

/**
 * Why a run id cannot be one (GANTRY4016), or undefined: it becomes part of every Job name. Here,
 * apart from the backend (which loads cdk8s), so that the CLI checks `--run-id` before compiling.
 */
export function runIdProblem(runId: string): { message: string; hint: string } | undefined {
  if (/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/.test(runId)) return undefined;
  return { message: `must be 1-20 lowercase letters, digits or "-", starting and ending with a letter or digit`, hint: "It becomes part of every Job name, e.g. --run-id 2026-11-21." };
}
