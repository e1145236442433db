/**
 * The project configuration: `gantry.config.json`, or a `"gantry"` key in package.json. The zod
 * schema is the single source: it validates, types, and generates the JSON Schema shipped as
 * gantry.config.schema.json for editor completion (`npm run schema`).
 */
import { z } from "zod";
import { idleTimeoutProblem } from "../backends/jobs/idle-timeout.js";
import { codes } from "../diagnostics/codes.js";
import * as rules from "../phases/3-validate/rules/index.js";

/**
 * What editors check through gantry.config.schema.json, where the rules below (refinements) do not
 * carry over: the same constraints as patterns, lengths and an enum. The rules stay the source of
 * the messages; these only let the editor agree with the compiler (review finding: it accepted
 * values every compile refused).
 */
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const EDITOR = {
  namespace: { pattern: `^${LABEL}$`, maxLength: rules.DNS1123_LABEL_MAX_LENGTH },
  labelPrefix: { pattern: `^${LABEL}(\\.${LABEL})*$`, maxLength: rules.DNS1123_SUBDOMAIN_MAX_LENGTH },
  // A Go duration's syntax (the 10m minimum stays the compiler's to say).
  idleTimeout: { pattern: "^([0-9]*(\\.[0-9]*)?(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$" },
  ignoreWarnings: { enum: Object.keys(codes).sort() },
} as const;

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this file's JSON Schema, for editors."),
    include: z.array(z.string().min(1)).min(1).optional().describe("Files, folders or globs (\"teams/*/pipelines/**/*.ts\") holding pipelines, relative to this file. Default: [\"pipelines\"]."),
    out: z.string().min(1).optional().describe("Output directory, relative to this file. Default: \"manifests\"."),
    target: z.enum(["argo", "jobs"]).optional().describe("What to emit: Argo Workflows objects (\"argo\", the default) or plain Kubernetes Jobs (\"jobs\"); see docs/targets.md."),
    kind: z.enum(["auto", "template", "workflow", "cron"]).optional().describe("Argo object kind. auto: CronWorkflow if scheduled, else WorkflowTemplate."),
    namespace: z.string().refine((s) => rules.dns1123Label(s) === undefined, { error: "must be a lowercase DNS label (a-z, 0-9, '-'), at most 63 characters" }).meta(EDITOR.namespace).optional().describe("Namespace for pipelines that set none."),
    labelPrefix: z
      .string()
      .refine((s) => rules.dns1123Subdomain(s) === undefined, { error: "must be a DNS subdomain such as \"gantry.dev\" or \"platform.acme.com\"" })
      .meta(EDITOR.labelPrefix)
      .optional()
      .describe("Prefix of the labels and annotations Gantry adds (pipeline, task, role, scope, source, pipeline-hash, retry, ...; docs/monitoring.md). Default: \"gantry.dev\"."),
    kustomization: z.boolean().optional().describe("Write kustomization.yaml listing the manifests. Default: true."),
    hardenArgoExecutor: z
      .boolean()
      .optional()
      .describe("Argo target: give each workflow a podSpecPatch that hardens Argo's own init and wait containers for the restricted Pod Security Standard (docs/dsl.md). false leaves podSpecPatch unset, for an installation whose workflowDefaults set one (a workflow's own would replace it) and whose controller hardens those containers itself. Default: true."),
    graph: z.boolean().optional().describe("Also write <pipeline>.md with the task graph as a Mermaid picture beside each manifest. Default: false. Set it here rather than as a flag so every compile agrees on whether the .md files exist."),
    gitops: z.enum(["none", "argocd"]).optional().describe("Jobs target: \"argocd\" adds Argo CD sync waves and hook annotations. Default: \"none\"."),
    runtimeImage: z
      .string()
      .superRefine((s, ctx) => {
        // The same rule as a task's image (GANTRY2040): a reference the kubelet cannot pull leaves every pod of a run waiting.
        const problem = rules.imageReference(s);
        if (problem) ctx.addIssue({ code: "custom", message: `${problem}: an image reference such as "node:22-alpine" or "registry.example.com/mirror/node:22-alpine"` });
      })
      .optional()
      .describe("Jobs target: image of the runtime shim's containers, which needs Node 18 or later. Default: \"node:22-alpine\"."),
    idleTimeout: z
      .string()
      .superRefine((s, ctx) => {
        const problem = idleTimeoutProblem(s);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .meta(EDITOR.idleTimeout)
      .optional()
      .describe("Jobs target: how long a run may go without any of its Jobs changing and without any task at work before its waits give up (teardowns and finally tasks then run anyway; docs/targets.md). A duration of at least 10m, such as \"36h\". Default: \"24h\"."),
    metadata: z.boolean().optional().describe("Also write <pipeline>.metadata.json (tasks, scopes, retry policies, labels, metric names; schema gantry.metadata.schema.json) beside each manifest. Default: false. Set it here rather than as a flag so every compile agrees on whether the files exist."),
    metrics: z.boolean().optional().describe("Emit the default Prometheus metrics (docs/monitoring.md); false is --no-metrics. Default: true."),
    typecheck: z.boolean().optional().describe("Run the TypeScript type checker on every compile. Default: false."),
    cache: z.boolean().optional().describe("Reuse the result of each file whose text, and every file it reads, are unchanged since the last compile (--cache; docs/configuration.md). Default: false."),
    cacheLocation: z.string().min(1).optional().describe("Folder of the cache, relative to this file. Default: \"node_modules/.cache/gantry\"."),
    ignoreWarnings: z
      .array(
        z.string().refine((c) => Object.hasOwn(codes, c), {
          // `gantry explain` takes any case; the configuration keeps the one spelling the output uses.
          error: (issue) =>
            typeof issue.input === "string" && Object.hasOwn(codes, issue.input.toUpperCase())
              ? `is not a Gantry diagnostic code as written: codes are in capitals ("${issue.input.toUpperCase()}")`
              : "is not a Gantry diagnostic code (see `gantry explain`)",
        }).meta(EDITOR.ignoreWarnings),
      )
      .optional()
      .describe("Warning codes not to report (\"GANTRY4005\" once the team knows what it says). Errors are always reported. Default: none."),
    warningsAsErrors: z.boolean().optional().describe("Fail the compile (exit 1, nothing written) when a warning is reported that ignoreWarnings does not name; --warnings-as-errors. Default: false."),
  })
  .describe("Gantry configuration; see docs/configuration.md. Command-line flags override it.");

export type GantryConfig = z.infer<typeof configSchema>;

/** The JSON Schema of the configuration, as shipped in gantry.config.schema.json. */
export function configJsonSchema(): string {
  return JSON.stringify(z.toJSONSchema(configSchema, { io: "input" }), null, 2) + "\n";
}
