/**
 * The generation of the compile cache: everything besides the files an entry reads that decides
 * what compiling it gives. Records are kept per generation, so a record is only ever read by a
 * compile of the same Gantry code, libraries, Node.js and options.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { globSync } from "tinyglobby";
import { ts } from "ts-morph";
import type { CompileOptions } from "../compile.js";

/** Raised when the record layout changes (src/cache/record.ts). */
const RECORD_FORMAT = 3;

/** Libraries whose code shapes the output: the parser, the schemas, the YAML and cdk8s writers. */
const LIBRARIES = ["ts-morph", "zod", "yaml", "cdk8s", "cdk8s-plus-27", "constructs"];

/** The code folder this module runs from (dist/ when built, src/ under the tests), and the shim source the jobs target embeds. */
const CODE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SHIM_ROOT = fileURLToPath(new URL("../../templates/runtime", import.meta.url));

/** A name for the generation of `options`: `gen-` and 24 hex digits. */
export function cacheGeneration(options: CompileOptions): string {
  const identity = {
    format: RECORD_FORMAT,
    node: process.version,
    compiler: compilerFingerprint(),
    libraries: libraryVersions(),
    typescript: ts.version,
    options: {
      target: options.target,
      kind: options.target === "argo" ? options.kind : null, // the jobs target has no kinds
      hardenArgoExecutor: options.target === "argo" ? options.hardenArgoExecutor !== false : null,
      namespace: options.namespace ?? null,
      labelPrefix: options.labelPrefix ?? null,
      metrics: options.metrics !== false,
      metadata: options.metadata === true,
      keepIr: options.keepIr !== false,
      only: options.only ?? null,
      jobs:
        options.target === "jobs"
          ? { runId: options.jobs?.runId ?? null, gitops: options.jobs?.gitops ?? null, runtimeImage: options.jobs?.runtimeImage ?? null, idleTimeoutSeconds: options.jobs?.idleTimeoutSeconds ?? null }
          : null,
    },
  };
  return `gen-${crypto.createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 24)}`;
}

let fingerprint: string | undefined;

/**
 * A hash of Gantry's own code, not its version: a rebuilt checkout of the same version must not
 * read records its old code wrote. Reading the ~120 modules takes a few milliseconds, once per process.
 */
function compilerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = crypto.createHash("sha256");
  for (const root of [CODE_ROOT, SHIM_ROOT]) {
    const files = globSync("**/*.{js,mjs,ts}", { cwd: root, ignore: ["**/*.d.ts"] }).sort();
    for (const file of files) hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update("\0");
  }
  return (fingerprint = hash.digest("hex"));
}

/** `name@version` of each library, as installed where Gantry resolves it from. */
function libraryVersions(): string[] {
  const require = createRequire(import.meta.url);
  return LIBRARIES.map((name) => {
    try {
      return `${name}@${manifestVersion(path.dirname(require.resolve(name)), name)}`;
    } catch {
      return `${name}@missing`;
    }
  });
}

/** The version in the package.json of `name` found above `dir`, the folder of its main module. */
function manifestVersion(dir: string, name: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(d, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === name && typeof manifest.version === "string") return manifest.version;
    } catch {
      // no package.json here, or not one to read: keep looking up
    }
    if (path.dirname(d) === d) return "unknown";
  }
}
