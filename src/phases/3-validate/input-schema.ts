/**
 * zod schemas for what a pipeline author writes (the DSL's shapes, `src/dsl/types.ts`). Objects are
 * strict, so a misspelt field is reported instead of silently dropped.
 */
import { z } from "zod";
import { TaskHandle } from "../../dsl/handle.js";

const str = z.string();

/**
 * How deep a term passed through as written (`affinity`) may nest. Kubernetes' own terms go about
 * eight levels down; a value built by `reduce` can go thousands, deeper than the JavaScript stack
 * that every later phase (checks, copying, YAML) walks it with.
 */
export const MAX_TERM_DEPTH = 32;

/**
 * `z.record`, but a key named `__proto__` is an error rather than lost: zod copies a record by
 * assignment, which sets the copy's prototype instead of keeping the key (JavaScript keeps it as
 * an own key for a computed `["__proto__"]`, `Object.fromEntries` or JSON).
 */
function record<V extends z.ZodType>(value: V) {
  return z.preprocess((v, ctx) => {
    if (typeof v === "object" && v !== null && Object.hasOwn(v, "__proto__")) {
      ctx.addIssue({ code: "custom", path: ["__proto__"], message: "a key named __proto__ is not supported (it would become the object's prototype, not a key)", input: v });
    }
    return v;
  }, z.record(z.string(), value));
}

/** Plain data passed through unchecked, but bounded in depth (and so free of cycles) and free of anything YAML cannot carry. */
const term = record(z.unknown()).superRefine((value, ctx) => {
  const problem = firstProblem(value, MAX_TERM_DEPTH);
  if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
});

const PLAIN = "plain data (strings, numbers, booleans, null, arrays and objects)";

/** What a non-plain object is, for a message: its tag (`Array Iterator`) or its class (`TaskHandle`). */
function kindOf(v: object): string {
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  return tag !== "Object" ? tag : (v.constructor as { name?: string } | undefined)?.name || "an object with a prototype";
}

/**
 * A value in `value` that is not plain data (a function, a symbol, NaN, an iterator), or the
 * first array or object `limit` levels down. Iterative: see MAX_TERM_DEPTH.
 */
function firstProblem(value: unknown, limit: number): { path: PropertyKey[]; message: string } | undefined {
  const pending: { v: unknown; path: PropertyKey[] }[] = [{ v: value, path: [] }];
  while (pending.length > 0) {
    const { v, path } = pending.pop()!;
    if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") return { path, message: `must be ${PLAIN}, not a ${typeof v}` };
    if (typeof v === "number" && !Number.isFinite(v)) return { path, message: `must be ${PLAIN}, not ${v}` };
    if (v === null || typeof v !== "object") continue;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return { path, message: `must be ${PLAIN}, not ${kindOf(v)}` };
    if (path.length >= limit) return { path, message: `nested more than ${limit} levels deep` };
    for (const [k, child] of Object.entries(v)) pending.push({ v: child, path: [...path, Array.isArray(v) ? Number(k) : k] });
  }
  return undefined;
}
const quantity = z.union([z.string(), z.number()]);
const stringMap = record(z.string());
const keyToPath = z.strictObject({ key: str, path: str, mode: z.number().int().optional() });
const keyRef = z.strictObject({ name: str, key: str, optional: z.boolean().optional() });

const envValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.strictObject({ secretKeyRef: keyRef }),
  z.strictObject({ configMapKeyRef: keyRef }),
  z.strictObject({ fieldRef: z.strictObject({ fieldPath: str }) }),
], { error: "an environment value is a string, number, boolean, secretEnv(name, key), configMapEnv(name, key) or { fieldRef: { fieldPath } }" });

const envFrom = z.union([
  z.strictObject({ secret: str, prefix: str.optional(), optional: z.boolean().optional() }),
  z.strictObject({ configMap: str, prefix: str.optional(), optional: z.boolean().optional() }),
], { error: "an envFrom entry is { secret: name } or { configMap: name }, with an optional prefix and optional flag" });

const mount = { name: str, mountPath: str, readOnly: z.boolean().optional(), subPath: str.optional() };
const fileSource = z.union([str, z.strictObject({ name: str, items: z.array(keyToPath).optional(), defaultMode: z.number().int().optional(), optional: z.boolean().optional() })]);
export const volumeSchema = z.union([
  z.strictObject({ ...mount, configMap: fileSource }),
  z.strictObject({ ...mount, secret: fileSource }),
  z.strictObject({ ...mount, emptyDir: z.strictObject({ medium: z.enum(["", "Memory"]).optional(), sizeLimit: quantity.optional() }) }),
  z.strictObject({ ...mount, persistentVolumeClaim: z.union([str, z.strictObject({ claimName: str, readOnly: z.boolean().optional() })]) }),
], { error: "a volume needs `name`, `mountPath` and exactly one of `configMap`, `secret`, `emptyDir`, `persistentVolumeClaim`" });

const toleration = z.strictObject({
  key: str.optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: str.optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const exitCodes = z.array(z.number().int({ error: "exit codes are whole numbers" }));
/** Only shapes here; the rules between fields (limit, overlaps, ranges, timings) are in checks/retry.ts. */
/** Argo reads `limit` and `factor` as 32-bit integers (larger ones wrap around), Kubernetes `backoffLimit` too. */
const INT32_MAX = 2_147_483_647;
const retry = z.strictObject({
  limit: z.number().int().nonnegative().max(INT32_MAX, { error: `at most ${INT32_MAX} (Argo and Kubernetes read it as a 32-bit number)` }).optional(),
  on: z.enum(["failure", "error", "transient", "any"]).optional(),
  backoff: z
    .strictObject({
      duration: str,
      factor: z.number().finite().max(INT32_MAX, { error: `at most ${INT32_MAX} (Argo reads it as a 32-bit number)` }).optional(),
      cap: str.optional(),
      maxDuration: str.optional(),
    })
    .optional(),
  onExitCodes: exitCodes.optional(),
  exceptExitCodes: exitCodes.optional(),
  totalTimeout: str.optional(),
});

/** A task's `when` (DSL `WhenCondition`), as written. */
export interface WhenInput {
  param?: string;
  output?: string;
  equals?: string | number | boolean;
  notEquals?: string | number | boolean;
  in?: (string | number | boolean)[];
  all?: WhenInput[];
  any?: WhenInput[];
  not?: WhenInput;
  runStatus?: "Succeeded" | "Failed";
}

/** How deep `all`/`any`/`not` may nest; a hand-written condition is a few levels. */
export const MAX_WHEN_DEPTH = 16;

const whenValue = z.union([str, z.number().finite(), z.boolean()], { error: "a value to compare with is a string, number or boolean" });
const COMPARISONS = ["equals", "notEquals", "in"] as const;
const COMBINATORS = ["all", "any", "not"] as const;
/** What a comparison compares: a parameter's value, or another task's output. */
const SUBJECTS = ["param", "output"] as const;

/**
 * One object per condition, every key optional, and the form checked after: a union of the six
 * forms would answer a misspelt key with "invalid input" instead of naming it.
 */
const whenSchema: z.ZodType<WhenInput> = z
  .strictObject({
    param: str.optional(),
    output: str.optional(),
    equals: whenValue.optional(),
    notEquals: whenValue.optional(),
    in: z.array(whenValue).min(1, { error: "`in` needs at least one value" }).optional(),
    all: z.lazy(() => z.array(whenSchema).min(1, { error: "`all` needs at least one condition" })).optional(),
    any: z.lazy(() => z.array(whenSchema).min(1, { error: "`any` needs at least one condition" })).optional(),
    not: z.lazy(() => whenSchema).optional(),
    runStatus: z.enum(["Succeeded", "Failed"], { error: '`runStatus` is "Succeeded" or "Failed" (every result but success: Argo\'s Failed and Error alike)' }).optional(),
  }, { error: (issue) => (issue.code === "invalid_type" ? "a condition is an object such as `{ param: p.params.env, equals: \"prod\" }`, not an expression's text" : undefined) })
  .superRefine((w, ctx) => {
    const problem = whenShapeProblem(w);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** What keeps a condition's keys from being one form: one comparison with `param` or `output`, or one of all/any/not alone. */
function whenShapeProblem(w: WhenInput): string | undefined {
  const has = (k: keyof WhenInput) => w[k] !== undefined;
  const comparisons = COMPARISONS.filter(has);
  const combinators = COMBINATORS.filter(has);
  const subjects = SUBJECTS.filter(has);
  if (has("runStatus")) {
    const other = [...subjects, ...comparisons, ...combinators][0];
    return other === undefined ? undefined : `\`runStatus\` stands alone in its object, without \`${other}\`; nest the other condition in \`all\` or \`any\``;
  }
  if (combinators.length > 0) {
    const alone = combinators.length === 1 && subjects.length === 0 && comparisons.length === 0;
    return alone ? undefined : `\`${combinators[0]}\` stands alone in its object; nest the other condition in \`all\` or \`any\``;
  }
  if (subjects.length > 1) return "give one of `param` and `output`, the value compared; to test both, nest two conditions in `all` or `any`";
  if (comparisons.length > 1) return `give one of \`equals\`, \`notEquals\` and \`in\`, not ${comparisons.map((c) => `\`${c}\``).join(" and ")}`;
  if (comparisons.length === 1) return subjects.length === 1 ? undefined : `\`${comparisons[0]}\` needs \`param\` or \`output\`, the value it compares: \`param: p.params.NAME\` or \`output: handle.output("name")\``;
  if (subjects.length === 1) return `\`${subjects[0]}\` needs \`equals\`, \`notEquals\` or \`in\`: what to compare the ${subjects[0] === "param" ? "parameter's" : "output's"} value with`;
  return "an empty condition: give `param` or `output` with `equals`, `notEquals` or `in`, `runStatus` (finally tasks), or one of `all`, `any` and `not`";
}

/** `when`, bounded in depth before zod recurses into it (a condition built by `reduce` can nest thousands deep). */
const when = z.preprocess((v, ctx) => {
  const depth = whenDepth(v, MAX_WHEN_DEPTH + 1);
  if (depth > MAX_WHEN_DEPTH) ctx.addIssue({ code: "custom", message: `conditions nest more than ${MAX_WHEN_DEPTH} levels deep`, input: v });
  return v;
}, whenSchema);

/** Levels of `all`/`any`/`not` in a value, counting no further than `limit`. */
function whenDepth(v: unknown, limit: number): number {
  if (limit === 0 || typeof v !== "object" || v === null) return 0;
  let deepest = 0;
  for (const k of COMBINATORS) {
    const child = (v as Record<string, unknown>)[k];
    for (const c of Array.isArray(child) ? child : [child]) deepest = Math.max(deepest, whenDepth(c, limit - 1));
  }
  return deepest + 1;
}

/** Fields every task and `defaults` may carry. */
const common = {
  env: record(envValue).optional(),
  envFrom: z.array(envFrom).optional(),
  resources: z.strictObject({ requests: record(quantity).optional(), limits: record(quantity).optional() }).optional(),
  volumes: z.array(volumeSchema).optional(),
  workingDir: str.optional(),
  imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
  serviceAccountName: str.optional(),
  nodeSelector: stringMap.optional(),
  tolerations: z.array(toleration).optional(),
  affinity: z
    .strictObject({
      nodeAffinity: term.optional(),
      podAffinity: term.optional(),
      podAntiAffinity: term.optional(),
    })
    .optional(),
  imagePullSecrets: z.array(str).optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  securityContext: z
    .strictObject({
      runAsUser: z.number().int().nonnegative().optional(),
      runAsGroup: z.number().int().nonnegative().optional(),
      fsGroup: z.number().int().nonnegative().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
    })
    .optional(),
  retry: retry.optional(),
  timeout: str.optional(),
};

/** Who answers for a pipeline or task: pipeline options, overridable per task (not in `defaults`). */
const ownership = {
  owner: str.min(1).optional(),
  team: str.min(1).optional(),
  runbookUrl: str.optional(),
};

const handle = (error: string) => z.instanceof(TaskHandle, { error });

/** Where a task leaves an output: a path, or a path and a default (its rules: checks/outputs.ts). */
const output = z.union([str, z.strictObject({ path: str, default: str.optional() })], {
  error: 'an output is the path of the file the task writes it to ("/tmp/rows"), or { path, default }',
});

const taskFields = {
  ...common,
  image: str.min(1, { error: "`image` must not be empty" }),
  command: z.array(str).optional(),
  args: z.array(str).optional(),
  source: str.optional(),
  after: z.array(handle("`after` takes task handles returned by p.task(...)")).optional(),
  outputs: record(output).optional(),
  allowFailure: z.boolean().optional(),
  trigger: z.enum(["allSucceeded", "allDone"]).optional(),
  when: when.optional(),
  /** Its rules (a list parameter or an output, a work task, no outputs): checks/for-each.ts. */
  forEach: z
    .string({
      // The two likely slips: the producer's handle for its output, and a list written out.
      error: (issue) =>
        issue.input instanceof TaskHandle
          ? `takes an output of task "${issue.input.name}", written handle.output("name"), not the task's handle`
          : Array.isArray(issue.input)
            ? "takes a list each run gives: a list parameter (p.params.NAME) or a task's output (handle.output(\"name\")); a list written in the pipeline needs no forEach: declare one task per item with a loop or `.map`"
            : undefined,
    })
    .optional(),
  ...ownership,
};

/** The one rule between a task's fields the schema has. Zod skips it when another field was rejected; validate.ts then applies it to the fields that validated. */
export const noArgsWithScript = (t: { source?: string | undefined; args?: string[] | undefined }) => !(t.source !== undefined && t.args !== undefined);
export const noArgsWithScriptError = { error: "a script task (with `source`) cannot also have `args`", path: ["args"] };

export const taskSpecSchema = z.strictObject(taskFields).refine(noArgsWithScript, noArgsWithScriptError);

/** A teardown names its setups; its trigger is fixed by the scope rules, so it takes none. */
const teardownFields = {
  ...taskFields,
  trigger: z.never({ error: "a teardown's trigger is fixed: it runs once its scope has finished, if one of its setups succeeded" }).optional(),
  when: z.never({ error: "a teardown has no `when`: it runs whenever one of its setups succeeded, so that nothing a setup made is left behind; put the condition on the setups" }).optional(),
  forEach: z.never({ error: "a teardown runs once for its setups: it has no `forEach`; fan out the work, and tear down what the setups made once" }).optional(),
  setups: z.array(handle("`setups` takes handles returned by p.setup(...)")),
  failsRun: z.boolean().optional(),
};
export const teardownSpecSchema = z.strictObject(teardownFields).refine(noArgsWithScript, noArgsWithScriptError);

/**
 * Every field optional, and no rule between fields: for the fields of a task that did validate
 * when others did not (validate.ts), so their own checks still run in the same compile.
 */
export const taskPartSchema = z.strictObject(taskFields).partial();
export const teardownPartSchema = z.strictObject(teardownFields).partial();

export const taskDefaultsSchema = z.strictObject(common);

const schedule = z.strictObject({
  cron: z.union([str, z.array(str).min(1)]),
  timezone: str.optional(),
  concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"]).optional(),
  startingDeadlineSeconds: z.number().int().nonnegative().optional(),
  suspend: z.boolean().optional(),
});

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const parameter = z.strictObject({
  // A list makes a list parameter, for `forEach` (checks/for-each.ts).
  default: z.union([scalar, z.array(scalar)], { error: "a parameter's default is a string, a number, a boolean, or a list of them" }).optional(),
  description: str.optional(),
  enum: z.array(str).optional(),
});

export const pipelineOptionsSchema = z.strictObject({
  namespace: str.optional(),
  description: str.optional(),
  serviceAccountName: str.optional(),
  parameters: record(parameter).optional(),
  defaults: taskDefaultsSchema.optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  schedule: schedule.optional(),
  ...ownership,
  partOf: str.optional(),
  metrics: z.boolean().optional(),
});

export type TaskSpecInput = z.infer<typeof taskSpecSchema> & { setups?: TaskHandle[]; failsRun?: boolean };
/** What of a task validated: all of it, or the fields no schema issue was about. */
export type TaskPartInput = Partial<TaskSpecInput>;
export type TaskDefaultsInput = z.infer<typeof taskDefaultsSchema>;
export type RetryInput = z.infer<typeof retry>;
export type PipelineOptionsInput = z.infer<typeof pipelineOptionsSchema>;
