/**
 * The runtime shim (templates/runtime/gantry-shim.mjs) as the Jobs target ships it: its source goes
 * into a ConfigMap whose name carries its content hash, so a new shim gets a new ConfigMap and
 * never changes what an existing run's pods mount.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export const SHIM_FILE = "gantry-shim.mjs";
/** Where the shim ConfigMap is mounted in every pod that runs it. */
export const SHIM_DIR = "/gantry";
/** Default image of the shim containers: an official Node image (the shim needs Node >= 18, nothing else). */
export const DEFAULT_RUNTIME_IMAGE = "node:22-alpine";

/** The shim's exit codes (templates/runtime/README.md); podFailurePolicy rules refer to them. */
export const SHIM_EXIT = { runFailed: 1, upstreamFailed: 90, upstreamMissing: 91, waitTimeout: 92, apiUnusable: 93, skipped: 94 } as const;

export interface Runtime {
  source: string;
  /** First 10 hex digits of the source's sha256. */
  hash: string;
}

let cached: Runtime | undefined;

/** Both `src/backends/jobs` and `dist/backends/jobs` sit three levels below the package root. */
export function runtime(): Runtime {
  if (!cached) {
    // Line endings normalised: a checkout with CRLF (git on Windows) must not change the ConfigMap or the run id.
    const source = fs.readFileSync(fileURLToPath(new URL(`../../../templates/runtime/${SHIM_FILE}`, import.meta.url)), "utf8").replace(/\r\n/g, "\n");
    cached = { source, hash: createHash("sha256").update(source).digest("hex").slice(0, 10) };
  }
  return cached;
}
