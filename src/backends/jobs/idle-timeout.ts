/**
 * The jobs target's idle limit (`idleTimeout`, `--idle-timeout`): how long a run may go without any
 * Job changing and without any task at work before its waits give up (shim exit 92; teardowns and
 * finally tasks then run anyway). Kept apart from the backend so the CLI and the configuration can
 * check it without loading cdk8s.
 */
import { durationSeconds, goDuration } from "../../phases/3-validate/rules/duration.js";

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 24 * 3600;
/** Scheduling, image pulls and node scale-up take minutes: less would give up on runs still starting. */
const MIN_SECONDS = 600;

const TOO_SHORT = "at least 10m, since scheduling, image pulls and node scale-up take minutes and a run still starting would look idle";

/** Why `text` is not a usable idle limit, or undefined when it is. */
export function idleTimeoutProblem(text: string): string | undefined {
  const invalid = goDuration(text);
  if (invalid) return `${invalid}; write a duration such as "36h" or "90m"`;
  if (durationSeconds(text) < MIN_SECONDS) return `"${text}" is too short: ${TOO_SHORT}`;
  return undefined;
}

/** The same rule for the seconds a library caller passes to toJobs (`idleTimeoutSeconds`). */
export function idleSecondsProblem(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) return `${seconds} is not a number of seconds`;
  return seconds < MIN_SECONDS ? `${seconds} seconds is too short: ${TOO_SHORT}` : undefined;
}

/** Whole seconds of a valid idle limit. */
export const idleTimeoutSeconds = (text: string): number => Math.ceil(durationSeconds(text));
