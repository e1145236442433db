/**
 * The jobs target's settings as written (command-line flags, or gantry.config.json for
 * `gantry/testing`), as compile options: one mapping for the CLI and the testing API.
 */
import { idleTimeoutSeconds } from "../backends/jobs/idle-timeout.js";
import type { CompileOptions } from "../compile.js";

export interface JobsSettings {
  runId?: string;
  gitops?: "none" | "argocd";
  runtimeImage?: string;
  /** A duration already checked (idleTimeoutProblem). */
  idleTimeout?: string;
}

export function jobsOptions(s: JobsSettings): NonNullable<CompileOptions["jobs"]> {
  return {
    ...(s.runId !== undefined && { runId: s.runId }),
    ...(s.gitops === "argocd" && { gitops: "argocd" as const }),
    ...(s.runtimeImage !== undefined && { runtimeImage: s.runtimeImage }),
    ...(s.idleTimeout !== undefined && { idleTimeoutSeconds: idleTimeoutSeconds(s.idleTimeout) }),
  };
}
