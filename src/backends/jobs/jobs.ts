/**
 * The Jobs backend: a plan becomes plain `batch/v1` Jobs that run the pipeline with the same
 * semantics as on Argo, on a cluster without a workflow engine (docs/targets.md).
 *
 * One Job per task. A task that must wait has an `await-deps` init container, the runtime shim,
 * which watches the run's Jobs and evaluates the task's start condition from the plan: proceed, or
 * exit with a cascade code that fails the Job at once through podFailurePolicy, so failures travel
 * down the DAG and waiting teardowns are released. A last status Job succeeds iff the run did.
 * Scheduled pipelines become a CronJob whose driver creates each run's Jobs.
 *
 * Objects are built with cdk8s-plus-27's typed Kubernetes constructs; names are Gantry's own and
 * DAG edges live in the shim's configuration, never in the construct graph (reference §4.5).
 */
import { createHash } from "node:crypto";
import { App, Chart, JsonPatch } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { GANTRY_PREFIX, allSettled, both, sortKeys, tasksIn, type Condition, type Guard, type Plan, type PlannedTask } from "../../phases/4-lower/index.js";
import { durationSeconds } from "../../phases/3-validate/rules/duration.js";
import { andList } from "../../util/and-list.js";
import { computeScopes, waitsFor } from "../../ir/scopes.js";
import * as pod from "../common/pod.js";
import { jobsLiteralTags } from "../common/template-tags.js";
import * as c from "./containers.js";
import { MAX_CRONJOB_NAME, fitName, runIdProblem, runNames, shortHash, type RunNames } from "./names.js";
import { IGNORE_DISRUPTION, failJobOn, retryCapabilities, taskPolicyRules, type PolicyRule } from "./retry.js";
import { notEnforced, timeoutUnenforced } from "./enforcement.js";
import { OUTPUTS_DIR, RUN_STATUS_DIR, RUN_STATUS_FILE, outputFile, rewriteTask } from "./rewrite.js";
import { testedOutputs, type OutputRead } from "../../ir/output-reads.js";
import { leavesOf } from "../../ir/condition-tree.js";
import { DEFAULT_IDLE_TIMEOUT_SECONDS, idleSecondsProblem } from "./idle-timeout.js";
import { DEFAULT_RUNTIME_IMAGE, SHIM_DIR, SHIM_EXIT, SHIM_FILE, runtime } from "./runtime.js";

export interface JobsOptions {
  /** Run id in every Job name; default: a hash of the compiled pipeline (`--run-id`). */
  runId?: string;
  /** `argocd`: sync waves by DAG depth and Argo CD hook annotations (reference §2.5). */
  gitops?: "argocd";
  /** Image of the shim containers. */
  runtimeImage?: string;
  /** Prefix of Gantry's labels, as given to the lowering. */
  labelPrefix?: string;
  /** How long the run may be idle (no Job changed, no task at work) before waits give up (shim exit 92; idle-timeout.ts). */
  idleTimeoutSeconds?: number;
}

export interface BackendResult {
  objects: Record<string, unknown>[];
  diagnostics: Diagnostic[];
}

/** Stands for the run id in a scheduled pipeline's Job templates; the driver replaces it (same length as a run id). */
export const RUN_ID_TOKEN = "@RUN_ID@";
const STATUS_TASK = "gantry-status";
/** An upstream Job absent this long will never exist (deleted, or never applied). */
const MISSING_GRACE = 300;
/** Under Argo CD hooks, Jobs of waves that never synced are absent for good: give up on them sooner. */
const MISSING_GRACE_HOOKS = 30;
const STATUS_FAIL_CODES = [SHIM_EXIT.runFailed, SHIM_EXIT.waitTimeout, SHIM_EXIT.apiUnusable];
const DRIVER_OBJECTS_DIR = "/gantry-run";
/** ConfigMaps hold at most 1 MiB; leave room for metadata. */
const MAX_CONFIGMAP_DATA = 1_000_000;

type Obj = Record<string, unknown>;

/** GANTRY4033 for each task that declares more than one output: a container has one termination message. */
function severalOutputs(tasks: readonly IR.Task[]): Diagnostic[] {
  return tasks
    .filter((t) => (t.outputs?.length ?? 0) > 1)
    .map((t) => ({
      code: "GANTRY4033" as const,
      severity: "error" as const,
      message: `task "${t.name}" declares ${t.outputs!.length} outputs (${t.outputs!.map((o) => `"${o.name}"`).join(", ")}); on the jobs target a task passes one, through its container's termination message`,
      span: { file: t.source.file, line: t.source.line, column: t.source.column },
      field: { task: t.name, path: ["outputs"] },
      hint: "Write the values into one output (as JSON, say), or compile for the Argo target.",
    }));
}

export function toJobs(plan: Plan, options: JobsOptions = {}): BackendResult {
  const { pipeline } = plan;
  const diagnostics: Diagnostic[] = [];
  const span = { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column };
  const scheduled = pipeline.schedule !== undefined;
  const badRunId = options.runId === undefined ? undefined : runIdProblem(options.runId);
  if (badRunId) {
    diagnostics.push({ code: "GANTRY4016", severity: "error", message: `run id "${options.runId}" ${badRunId.message}`, hint: badRunId.hint });
    return { objects: [], diagnostics };
  }
  const badIdle = options.idleTimeoutSeconds === undefined ? undefined : idleSecondsProblem(options.idleTimeoutSeconds);
  if (badIdle) {
    diagnostics.push({ code: "GANTRY4020", severity: "error", message: `idle timeout ${badIdle}`, hint: "Set idleTimeout in gantry.config.json or --idle-timeout to a duration such as \"36h\"." });
    return { objects: [], diagnostics };
  }
  // The declared tasks, those the defaults skip included: whether a pipeline compiles must not depend on the defaults.
  const several = severalOutputs(plan.declared.tasks);
  if (several.length > 0) return { objects: [], diagnostics: [...diagnostics, ...several] };
  if (options.runId !== undefined && scheduled) {
    diagnostics.push({ code: "GANTRY4016", severity: "warning", message: `--run-id is ignored for the scheduled pipeline "${pipeline.name}": each scheduled run gets its own id`, span });
  }
  if (scheduled || options.runId !== undefined) return { objects: build(plan, options, scheduled ? RUN_ID_TOKEN : options.runId!, diagnostics), diagnostics };
  // The default run id is a hash of the Jobs themselves, built with the token in its place: any change
  // to what is emitted (pipeline, shim, settings, or Gantry's own output) gives new names, as
  // immutable Jobs need, and an unchanged pipeline keeps its names under GitOps.
  // The token is substituted in every object but the shim's ConfigMap, whose source names it.
  const [shimConfigMap, ...rest] = build(plan, options, RUN_ID_TOKEN, diagnostics);
  if (!shimConfigMap) return { objects: [], diagnostics };
  const text = JSON.stringify(rest);
  // The hash is of all the objects: `text` with the ConfigMap spliced in is JSON.stringify of them all.
  const all = `[${JSON.stringify(shimConfigMap)}${rest.length > 0 ? `,${text.slice(1)}` : "]"}`;
  const runId = createHash("sha256").update(all).digest("hex").slice(0, RUN_ID_TOKEN.length);
  return { objects: [shimConfigMap, ...(JSON.parse(text.replaceAll(RUN_ID_TOKEN, runId)) as Obj[])], diagnostics };
}

/** The pipeline's objects for one run id (or the token standing for it). */
function build(plan: Plan, options: JobsOptions, runId: string, diagnostics: Diagnostic[]): Obj[] {
  const { pipeline } = plan;
  const shim = runtime();
  const image = options.runtimeImage ?? DEFAULT_RUNTIME_IMAGE;
  const prefix = options.labelPrefix ?? GANTRY_PREFIX;
  const scheduled = pipeline.schedule !== undefined;
  const names = runNames(pipeline.name, runId);
  const labels = { run: `${prefix}/run`, role: `${prefix}/role` };
  const selector = `${labels.run}=${names.run}`;
  const hooks = options.gitops === "argocd" && !scheduled;
  const ctx: Context = {
    plan,
    runId,
    names,
    image,
    selector,
    runLabels: { [labels.run]: names.run },
    roleLabel: labels.role,
    shimConfigMap: names.object(`runtime-${shim.hash}`),
    accounts: { await: names.object("await"), status: names.object("status"), driver: names.object("driver") },
    awaitTimeout: options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
    missingGrace: hooks ? MISSING_GRACE_HOOKS : MISSING_GRACE,
    diagnostics,
  };

  checkNames(plan, names, diagnostics);
  diagnostics.push(...controllerLabels(pipeline, prefix));
  if (hooks) argoCdCaveats(pipeline, diagnostics);

  // The retry annotation states the declared policy; beside it, what of it this target cannot apply.
  const unenforced = notEnforced(plan);
  const annotations = (p: PlannedTask) => {
    const fields = unenforced.get(p.task.name);
    return fields ? sortKeys({ ...p.annotations, [plan.keys.notEnforced]: fields.join(",") }) : p.annotations;
  };
  const built = plan.tasks.map((p) => taskJob(ctx, p.task, p.labels, annotations(p), p.startsWhen, p.runsIf));
  const waits = new Map(plan.tasks.map((p, i) => [p.task, built[i]!.waits]));
  diagnostics.push(...retryCapabilities([...waits.keys()], (t) => waits.get(t) === true));
  const jobs: JobParts[] = [...built, statusJob(ctx)];
  if (diagnostics.some((d) => d.severity === "error")) return [];

  const app = new App();
  // Every object is named explicitly, so the id only has to be unique in its App, which holds one
  // chart. Not the pipeline's name: constructs keys children by id in a plain object, where a
  // pipeline named "constructor" collided with Object.prototype's (found by the crash fuzzer).
  const chart = new Chart(app, "pipeline", { disableResourceNameHashes: true });
  const ns = pipeline.namespace;
  const meta = (name: string) => ({ name, namespace: ns, labels: plan.labels, annotations: pod.nonEmptyMap({ ...plan.annotations, ...(hooks ? ARGOCD_BEFORE_HOOKS : {}) }) });

  // First: toJobs relies on it (the one object the run id is not substituted into).
  new k8s.KubeConfigMap(chart, "runtime", { metadata: meta(ctx.shimConfigMap), data: { [SHIM_FILE]: shim.source } });

  // Who may read the run's Jobs: the pods that wait (the task's own ServiceAccount, or Gantry's).
  const waiting = built.filter((b) => b.waits);
  const waiterAccounts = [...new Set(waiting.map((b) => b.serviceAccount))].sort();
  const patchesPods = waiting.some((b) => b.attemptTimeout);
  const roles: { name: string; rules: k8s.PolicyRule[]; subjects: string[] }[] = [];
  if (waiterAccounts.length > 0) {
    roles.push({ name: ctx.accounts.await, rules: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] }], subjects: waiterAccounts });
  }
  if (waiting.some((b) => b.readsOutputs)) {
    // Task outputs: a reading task's await-deps finds the producer's pod and reads its termination
    // message. Only Gantry's own account, never one the task's code runs as (GANTRY4033).
    roles.push({ name: names.object("await-outputs"), rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }], subjects: [ctx.accounts.await] });
  }
  if (patchesPods) {
    // Per-attempt timeouts: a waiting task sets its own pod's deadline once it starts (docs/targets.md).
    // Only Gantry's own account, never one the task's code runs as (GANTRY4019).
    roles.push({ name: names.object("await-pods"), rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "patch"] }], subjects: [ctx.accounts.await] });
  }
  roles.push({
    name: ctx.accounts.status,
    rules: [
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
    ],
    subjects: [ctx.accounts.status],
  });
  if (scheduled) {
    roles.push({ name: ctx.accounts.driver, rules: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch"] }], subjects: [ctx.accounts.driver] });
  }
  const ownAccounts = new Set([ctx.accounts.await, ctx.accounts.status, ctx.accounts.driver]);
  for (const sa of [...new Set(roles.flatMap((r) => r.subjects))].filter((s) => ownAccounts.has(s)).sort()) {
    new k8s.KubeServiceAccount(chart, `sa-${sa}`, { metadata: meta(sa), automountServiceAccountToken: false });
  }
  for (const r of roles) {
    new k8s.KubeRole(chart, `role-${r.name}`, { metadata: meta(r.name), rules: r.rules });
    new k8s.KubeRoleBinding(chart, `binding-${r.name}`, {
      metadata: meta(r.name),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: r.name },
      subjects: r.subjects.map((name) => ({ kind: "ServiceAccount", name, namespace: ns })),
    });
  }

  if (scheduled) {
    schedule(ctx, chart, jobs, meta);
  } else {
    const waves = hooks ? argoCdAnnotations(plan, jobs.length - 1) : undefined;
    jobs.forEach(({ job, podFailurePolicy }, i) => {
      const metadata = { ...job.metadata, annotations: pod.nonEmptyMap({ ...(job.metadata?.annotations ?? {}), ...(waves?.[i] ?? {}) }) };
      new k8s.KubeJob(chart, `job-${i}`, { ...job, metadata }).addJsonPatch(JsonPatch.add("/spec/podFailurePolicy", podFailurePolicy));
    });
  }
  if (diagnostics.some((d) => d.severity === "error")) return [];
  return chart.toJson() as Obj[];
}

interface Context {
  plan: Plan;
  runId: string;
  names: RunNames;
  image: string;
  selector: string;
  runLabels: Record<string, string>;
  roleLabel: string;
  shimConfigMap: string;
  accounts: { await: string; status: string; driver: string };
  awaitTimeout: number;
  missingGrace: number;
  diagnostics: Diagnostic[];
}

/**
 * cdk8s-plus-27's Kubernetes 1.27 types mark `onPodConditions` as required in every rule (an
 * upstream schema bug), so the policy is added as raw JSON: the escape hatch reference §4.1 names.
 */
type PodFailurePolicy = { rules: PolicyRule[] };

interface JobParts {
  job: k8s.KubeJobProps;
  podFailurePolicy: PodFailurePolicy;
}

/** The Job as JSON, policy included: for the scheduled driver's ConfigMap. */
const jobManifest = ({ job, podFailurePolicy }: JobParts): Obj => {
  const m = k8s.KubeJob.manifest(job) as { spec: Obj };
  return { ...m, spec: { ...m.spec, podFailurePolicy } };
};

interface BuiltJob extends JobParts {
  /** Whether the pod has an `await-deps` init container. */
  waits: boolean;
  /** Whether its await-deps reads other tasks' outputs from their pods (`list pods`). */
  readsOutputs: boolean;
  serviceAccount: string;
  attemptTimeout: boolean;
}

/**
 * Task names are unique lowercase labels, so Job names collide only with the status Job's, or, in
 * principle, after cutting long names; say so rather than emit two objects with one name.
 */
function checkNames(plan: Plan, names: RunNames, diagnostics: Diagnostic[]) {
  const seen = new Map<string, string>([[names.job(STATUS_TASK), STATUS_TASK]]);
  for (const { task } of plan.tasks) {
    const name = names.job(task.name);
    const other = seen.get(name);
    if (other !== undefined) {
      diagnostics.push({
        code: "GANTRY4010",
        severity: "error",
        message: other === STATUS_TASK ? `task "${task.name}" would become the Job "${name}", the run's status Job` : `tasks "${other}" and "${task.name}" would both become the Job "${name}"`,
        span: { file: task.source.file, line: task.source.line, column: task.source.column },
        hint: other === STATUS_TASK ? `"${STATUS_TASK}" is the name of the run's status Job; rename the task.` : "Rename one of the tasks.",
      });
    } else seen.set(name, task.name);
  }
}

/**
 * `runsIf`: what is left of the task's `when` once the lowering decided it from the defaults
 * (LowerOptions.decideWhen), with the skips it inherits: tests of other tasks' outputs and final
 * states, and a finally task's test of the run's result, which its `await-deps` makes once it may start.
 */
function taskJob(ctx: Context, declared: IR.Task, taskLabels: Record<string, string>, annotations: Record<string, string>, startsWhen: Condition | undefined, runsIf: Guard | undefined): BuiltJob {
  const { plan, names } = ctx;
  const { pipeline } = plan;
  const { task, readsRunStatus, reads } = rewriteTask(declared, pipeline, ctx.runId, ctx.diagnostics);
  const others = pipeline.tasks.filter((t) => t.role !== "finally").map((t) => t.name);
  // Finally tasks run after everything else, whatever happened (DESIGN §5 rule 6); every one waits,
  // as waitsForOthers says: with nothing else left, `allSettled([])` holds at once.
  // The outputs it reads, which its await-deps copies from the producers' pods into files (rewrite.ts);
  // an output of a task the defaults skipped is its default, known now.
  // Outputs its `when` tests are read the same way, into memory only unless the script reads them too.
  const tested = testedOutputs(task).filter((t) => !reads.some((r) => r.task === t.task && r.output === t.output));
  const outputs = [...reads.map((r) => outputSource(plan, r, true)), ...tested.map((t) => outputSource(plan, t, false))];
  // Its producers are upstream, so settled once it may start; waiting for that too makes the shim
  // read their final state even for a producer further up than its own `after`.
  const producers = outputs.flatMap((o) => ("value" in o ? [] : [o.task]));
  // A task that reads outputs waits even with nothing to wait for (its producers all skipped): its
  // await-deps writes the files, at once (`allSettled([])`).
  const base = task.role === "finally" ? allSettled(others) : (startsWhen ?? (outputs.length > 0 ? allSettled([]) : undefined));
  const when = base && task.role !== "finally" && producers.length > 0 ? both(base, allSettled(producers)) : base;
  const runStatus = task.role === "finally" && (readsRunStatus || (runsIf !== undefined && testsRunStatus(runsIf))) ? plan.succeedsWhen : undefined;
  // The file with the result, for a task that reads it (p.runStatus); a `when` alone needs none.
  const statusFile = runStatus !== undefined && readsRunStatus;
  // The status Job's rule: a teardown the result depends on that should have run but did not failed.
  const counted = new Set(tasksIn(runStatus));
  const cleanups = runStatus
    ? pipeline.tasks.filter((t) => t.role === "teardown" && counted.has(t.name)).map((t) => ({ name: t.name, mustRunWhen: cleanupRunsWhen(t)! }))
    : [];
  const waits = when !== undefined; // as waitsForOthers (enforcement.ts) decides it for the metadata file
  const userAccount = task.pod.serviceAccountName ?? pipeline.serviceAccountName;
  const serviceAccount = userAccount ?? (waits ? ctx.accounts.await : undefined);
  // Setting its own pod's deadline needs `patch pods`, which Gantry never grants to an account the
  // task's own code runs as: with it, that code could change any pod in the namespace.
  const attemptTimeout = waits && task.timeoutSeconds !== undefined && userAccount === undefined;
  if (timeoutUnenforced(task, waits, userAccount)) {
    ctx.diagnostics.push({
      code: "GANTRY4019",
      severity: "warning",
      message: `the jobs target cannot enforce the timeout of task "${task.name}": it waits for upstream tasks and runs as the ServiceAccount "${userAccount}"`,
      span: { file: declared.source.file, line: declared.source.line, column: declared.source.column },
      field: { task: task.name, path: ["timeout"] },
      hint: "The timeout of a waiting task is set by the shim, which needs `patch pods`; Gantry grants that only to its own ServiceAccount, never to one your code runs as. Drop serviceAccountName, or accept no timeout on this target.",
    });
  }
  if (producers.length > 0 && userAccount !== undefined) {
    ctx.diagnostics.push({
      code: "GANTRY4033",
      severity: "error",
      message: `task "${task.name}" reads (or its \`when\` tests) another task's output and runs as the ServiceAccount "${userAccount}"; on the jobs target its await-deps finds the output in the producer's pod, which needs \`list pods\`, granted only to Gantry's own ServiceAccount`,
      span: { file: declared.source.file, line: declared.source.line, column: declared.source.column },
      field: { task: task.name, path: ["serviceAccountName"] },
      hint: "Drop serviceAccountName from the task (and from the pipeline, if it is set there), or compile for the Argo target.",
    });
  }
  const labels = sortKeys({ ...taskLabels, ...ctx.runLabels });
  ctx.diagnostics.push(...reservedNames(declared), ...jobsLiteralTags(declared));
  // After a wait that timed out, a teardown still runs if one of its setups succeeded, a finally
  // task always (DESIGN §5 rule 7); other tasks give up.
  const timeoutWhen = cleanupRunsWhen(task);

  const named = [...new Set([...tasksIn(when), ...tasksIn(runStatus), ...cleanups.flatMap((t) => tasksIn(t.mustRunWhen)), ...guardTasks(runsIf)])];
  const init = waits
    ? [
        c.shimContainer({
          name: "await-deps",
          image: ctx.image,
          command: "await",
          config: {
            task: task.name,
            selector: ctx.selector,
            jobs: Object.fromEntries(named.map((n) => [n, names.job(n)])),
            when,
            timeoutSeconds: ctx.awaitTimeout,
            missingGraceSeconds: ctx.missingGrace,
            // Its pod is Ready while it only waits: not a sign that the run is moving.
            statusJob: names.job(STATUS_TASK),
            ...(attemptTimeout && { attemptTimeoutSeconds: task.timeoutSeconds }),
            ...(timeoutWhen && { timeoutWhen }),
            ...(runStatus && {
              runStatus: {
                when: runStatus,
                ...(statusFile && { file: RUN_STATUS_FILE }),
                ...(cleanups.length > 0 && { cleanups }),
              },
            }),
            ...(runsIf && { runsIf: shimGuard(task.name, runsIf) }),
            ...(outputs.length > 0 && { outputs }),
          },
          env: attemptTimeout ? [c.fieldEnv("GANTRY_POD_NAME", "metadata.name")] : undefined,
          mounts: [...(statusFile ? [c.runStatusMount(false)] : []), ...(reads.length > 0 ? [c.outputsMount(false)] : [])],
        }),
      ]
    : undefined;
  const mainMounts = [...(userAccount ? [c.tokenMount] : []), ...(statusFile ? [c.runStatusMount(true)] : []), ...(reads.length > 0 ? [c.outputsMount(true)] : [])];
  const volumes = [
    ...c.userVolumes(task),
    ...(waits ? [c.shimVolume(ctx.shimConfigMap)] : []),
    ...(waits || userAccount ? [c.tokenVolume] : []),
    ...(statusFile ? [c.runStatusVolume] : []),
    ...(reads.length > 0 ? [c.outputsVolume] : []),
  ];
  return {
    waits,
    readsOutputs: producers.length > 0,
    serviceAccount: serviceAccount ?? "",
    attemptTimeout,
    podFailurePolicy: { rules: taskPolicyRules(waits, task.retry) },
    job: {
      metadata: { name: names.job(task.name), namespace: pipeline.namespace, labels, annotations: pod.nonEmptyMap(annotations) },
      spec: {
        // Jobs default to 6 retries; Gantry's default, as on Argo, is none.
        backoffLimit: task.retry?.limit ?? 0,
        // All attempts together: exact only when the Job does not wait first (else GANTRY4017).
        activeDeadlineSeconds: !waits ? task.retry?.totalTimeoutSeconds : undefined,
        template: {
          metadata: { labels, annotations: pod.nonEmptyMap(annotations) },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: serviceAccount,
            automountServiceAccountToken: false,
            securityContext: pod.podSecurityContext(task.security.fsGroup),
            imagePullSecrets: pod.nonEmpty(task.pod.imagePullSecrets.map((name) => ({ name }))),
            nodeSelector: pod.nonEmptyMap(task.pod.nodeSelector),
            tolerations: pod.nonEmpty(task.pod.tolerations) as k8s.Toleration[] | undefined,
            affinity: task.pod.affinity as k8s.Affinity | undefined,
            // Without a wait, the pod's deadline is the attempt's; with one, the shim sets it when the task starts.
            activeDeadlineSeconds: !waits ? task.timeoutSeconds : undefined,
            volumes: volumes.length > 0 ? volumes : undefined,
            initContainers: init,
            containers: [c.mainContainer(task, mainMounts, task.outputs?.[0]?.path)],
          },
        },
      },
    },
  };
}

/**
 * Where the await-deps gets the output `read` names: the producer's pods, with the default for when
 * it did not succeed; or, for a producer the defaults skipped (decideWhen), its default as `value`.
 */
/**
 * Where a task's await-deps finds an output: the producer's pods, or, for a producer the defaults
 * skipped, its default, known now. `toFile`: the script reads it (a file); else only its `when` does.
 */
function outputSource(plan: Plan, read: OutputRead, toFile: boolean): { task: string; file?: string; default?: string } | { task: string; file?: string; value: string } {
  const file = toFile ? { file: outputFile(read) } : {};
  const planned = plan.pipeline.tasks.find((t) => t.name === read.task);
  const declared = planned ?? plan.declared.tasks.find((t) => t.name === read.task);
  const d = declared?.outputs?.find((o) => o.name === read.output)?.default;
  if (planned) return { task: read.task, ...file, ...(d !== undefined && { default: d }) };
  // Validation asks for a default on any read that can run without its producer (GANTRY2045).
  if (d === undefined) throw new Error(`jobs backend: task "${read.task}" was skipped, and its output "${read.output}", which is read, has no default`);
  return { task: read.task, ...file, value: d };
}

/** A leaf of a guard: another task's final state, a parameter, an output, the run's result. */
type GuardLeaf = Exclude<Guard, { all: Guard[] } | { any: Guard[] } | { not: Guard }>;

/** The tasks whose final state a guard tests (already named by the start condition, which waits for them). */
const guardTasks = (g: Guard | undefined): string[] => (g === undefined ? [] : leavesOf<GuardLeaf>(g).flatMap((leaf) => ("task" in leaf ? [leaf.task] : [])));

/** Whether a guard tests the run's result (a finally task's `when`). */
const testsRunStatus = (g: Guard): boolean => leavesOf<GuardLeaf>(g).some((leaf) => "runStatus" in leaf);

/**
 * A task's guard as the shim's `runsIf` (templates/runtime/README.md): other tasks' final states,
 * the run's result, and outputs, each named by its task (one output per task on this target,
 * GANTRY4033). Parameters were decided when compiling (decideWhen), so none is left.
 */
type ShimGuard = { all: ShimGuard[] } | { any: ShimGuard[] } | { not: ShimGuard } | { task: string; was: "skipped" | "succeeded" } | { runStatus: "Succeeded" | "Failed" } | { output: string; in: string[] };
function shimGuard(taskName: string, g: Guard): ShimGuard {
  if ("all" in g) return { all: g.all.map((x) => shimGuard(taskName, x)) };
  if ("any" in g) return { any: g.any.map((x) => shimGuard(taskName, x)) };
  if ("not" in g) return { not: shimGuard(taskName, g.not) };
  if ("output" in g) return { output: g.output.task, in: g.in };
  if ("param" in g || "items" in g) throw new Error(`jobs backend: task "${taskName}" tests ${JSON.stringify("param" in g ? g.param : g.items)} at run time; the lowering decides those (decideWhen, expandFanOut)`);
  return g;
}

/** When a cleanup task must run whatever else happened: a teardown once one of its setups succeeded, a finally task always. */
function cleanupRunsWhen(task: IR.Task): Condition | undefined {
  if (task.role === "teardown") return { any: task.setups.map((s) => ({ task: s, is: "succeeded" as const })) };
  return task.role === "finally" ? { all: [] } : undefined;
}

/** The run's last Job: succeeds iff the run succeeded (DESIGN §5 rule 5), so `kubectl wait` on it tells CI. */
function statusJob(ctx: Context): JobParts {
  const { plan, names } = ctx;
  const { pipeline } = plan;
  const labels = sortKeys({ ...plan.labels, ...ctx.runLabels, [ctx.roleLabel]: "status" });
  const when = both(plan.succeedsWhen, plan.finallySucceedsWhen);
  return {
    // Retries only for the pod itself failing (API trouble); a failed run fails the Job at once.
    podFailurePolicy: { rules: [failJobOn("status", STATUS_FAIL_CODES), IGNORE_DISRUPTION] },
    job: {
    metadata: { name: names.job(STATUS_TASK), namespace: pipeline.namespace, labels, annotations: pod.nonEmptyMap(plan.annotations) },
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: ctx.accounts.status,
          automountServiceAccountToken: false,
          securityContext: pod.podSecurityContext(),
          volumes: [c.shimVolume(ctx.shimConfigMap), c.tokenVolume],
          containers: [
            c.shimContainer({
              name: "status",
              image: ctx.image,
              command: "status",
              config: {
                pipeline: pipeline.name,
                runId: ctx.runId,
                selector: ctx.selector,
                // A cleanup task that should have run but did not counts as failed (its Job deleted or refused).
                tasks: pipeline.tasks.map((t) => {
                  const mustRunWhen = cleanupRunsWhen(t);
                  return { name: t.name, job: names.job(t.name), role: t.role, ...(mustRunWhen && { mustRunWhen }) };
                }),
                when,
                timeoutSeconds: ctx.awaitTimeout,
                missingGraceSeconds: ctx.missingGrace,
              },
            }),
          ],
        },
      },
    },
    },
  };
}

/** A scheduled pipeline: a CronJob per cron expression, whose driver Job creates each run's Jobs from a ConfigMap. */
function schedule(ctx: Context, chart: Chart, jobs: JobParts[], meta: (name: string) => k8s.ObjectMeta) {
  const { plan, names } = ctx;
  const { pipeline } = plan;
  const s = pipeline.schedule!;
  // Indented: one line per field keeps reviews of the committed manifest readable.
  const objects = JSON.stringify(jobs.map(jobManifest), null, 2) + "\n";
  if (objects.length > MAX_CONFIGMAP_DATA) {
    ctx.diagnostics.push({
      code: "GANTRY4015",
      severity: "error",
      message: `the run of the scheduled pipeline "${pipeline.name}" is ${objects.length} bytes of Jobs, more than a ConfigMap holds (1 MiB)`,
      span: { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column },
      hint: "Split the pipeline, or compile it for --target argo.",
    });
    return;
  }
  const at = { file: pipeline.source.file, line: pipeline.source.line, column: pipeline.source.column };
  if (s.crons.length > 1 && s.concurrencyPolicy !== "Allow") {
    ctx.diagnostics.push({
      code: "GANTRY4023",
      severity: "warning",
      message: `the jobs target makes a CronJob per schedule of "${pipeline.name}", so concurrencyPolicy "${s.concurrencyPolicy}" holds within each: runs of different schedules can overlap`,
      span: at,
      field: { path: ["schedule", "cron"] },
      hint: "Use one cron expression (a list in one field, e.g. \"0 1,13 * * *\"), or compile for --target argo, whose CronWorkflow applies the policy across all its schedules.",
    });
  }
  if (s.startingDeadlineSeconds !== undefined && s.startingDeadlineSeconds < 10) {
    ctx.diagnostics.push({
      code: "GANTRY4023",
      severity: "warning",
      message: `startingDeadlineSeconds ${s.startingDeadlineSeconds} of "${pipeline.name}" is under 10: the CronJob controller checks schedules about every 10 seconds, so runs may never be started`,
      span: at,
      field: { path: ["schedule", "startingDeadlineSeconds"] },
      hint: "Use at least 10 seconds (Kubernetes' CronJob documentation), or leave it out.",
    });
  }
  // The CronJob controller names a tick's Job by its minute: a second tick in the same minute finds
  // that Job and starts nothing (cronjob_controllerv2.go, getJobName).
  const subMinute = [...new Set(s.crons.filter((cron) => cron.startsWith("@every ") && durationSeconds(cron.slice("@every ".length)) < 60))];
  if (subMinute.length > 0) {
    ctx.diagnostics.push({
      code: "GANTRY4023",
      severity: "warning",
      message: `${andList(subMinute.map((cron) => `"${cron}"`))} of "${pipeline.name}" ${subMinute.length > 1 ? "run" : "runs"} at most once a minute on the jobs target: the CronJob controller names each run's Job by the minute it is due, so a second run within a minute is not started`,
      span: at,
      field: { path: ["schedule", "cron"] },
      hint: "Use an interval of at least one minute, or compile for --target argo.",
    });
  }
  const objectsConfigMap = names.object(`run-${shortHash(objects, 10)}`);
  new k8s.KubeConfigMap(chart, "run-objects", { metadata: meta(objectsConfigMap), data: { "objects.json": objects } });
  const labels = sortKeys({ ...plan.labels, [ctx.roleLabel]: "driver" });
  s.crons.forEach((cron, i) => {
    const name = fitName(s.crons.length > 1 ? [pipeline.name, String(i + 1)] : [pipeline.name], MAX_CRONJOB_NAME);
    const cronJob = new k8s.KubeCronJob(chart, `cron-${i}`, {
      metadata: { ...meta(name), labels },
      spec: {
        schedule: cron,
        timeZone: s.timezone,
        concurrencyPolicy: s.concurrencyPolicy,
        startingDeadlineSeconds: s.startingDeadlineSeconds,
        suspend: s.suspend || undefined,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 3,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                serviceAccountName: ctx.accounts.driver,
                automountServiceAccountToken: false,
                securityContext: pod.podSecurityContext(),
                volumes: [c.shimVolume(ctx.shimConfigMap), c.tokenVolume, { name: c.VOLUMES.objects, configMap: { name: objectsConfigMap, defaultMode: 0o444 } }],
                containers: [
                  c.shimContainer({
                    name: "drive",
                    image: ctx.image,
                    command: "drive",
                    config: { objects: `${DRIVER_OBJECTS_DIR}/objects.json`, statusJob: names.job(STATUS_TASK), timeoutSeconds: ctx.awaitTimeout },
                    env: [
                      c.fieldEnv("GANTRY_JOB_NAME", "metadata.labels['batch.kubernetes.io/job-name']"),
                      c.fieldEnv("GANTRY_JOB_UID", "metadata.labels['batch.kubernetes.io/controller-uid']"),
                    ],
                    mounts: [{ name: c.VOLUMES.objects, mountPath: DRIVER_OBJECTS_DIR, readOnly: true }],
                  }),
                ],
              },
            },
          },
        },
      },
    });
    const policy: PodFailurePolicy = { rules: [failJobOn("drive", STATUS_FAIL_CODES), IGNORE_DISRUPTION] };
    cronJob.addJsonPatch(JsonPatch.add("/spec/jobTemplate/spec/podFailurePolicy", policy));
  });
}

/** Shared objects (RBAC, ConfigMap) sync before every hook Job. */
const ARGOCD_BEFORE_HOOKS = { "argocd.argoproj.io/sync-wave": "-1" };

/**
 * `--gitops argocd` (reference §2.5): every Job is a hook, recreated (re-run) on each sync, in the
 * wave of its depth in the DAG. Teardowns nothing waits for, finally tasks and the status Job run
 * as `PostSync,SyncFail`, so they run whether the sync's Jobs succeeded or not; and so does every
 * task that waits for one of them: Argo CD creates PostSync hooks only once the Sync phase is
 * over, so a Sync hook waiting for one would find it missing and go on without it (an outer
 * teardown that a later task follows would delete the cluster before the inner teardown ran).
 */
function argoCdAnnotations(plan: Plan, statusIndex: number): Record<string, string>[] {
  const { pipeline } = plan;
  const waits = waitsFor(pipeline, computeScopes(pipeline));
  const depth = new Map<string, number>();
  const depthOf = (n: string): number => {
    if (!depth.has(n)) depth.set(n, Math.max(-1, ...(waits.get(n) ?? []).map(depthOf)) + 1);
    return depth.get(n)!;
  };
  const post = postSyncTasks(pipeline, waits);
  const out = pipeline.tasks.map((t) => ({
    "argocd.argoproj.io/hook": post.has(t.name) ? "PostSync,SyncFail" : "Sync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    "argocd.argoproj.io/sync-wave": String(depthOf(t.name)),
  }));
  out[statusIndex] = {
    "argocd.argoproj.io/hook": "PostSync,SyncFail",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    "argocd.argoproj.io/sync-wave": String(Math.max(0, ...pipeline.tasks.map((t) => depthOf(t.name))) + 1),
  };
  return out;
}

/** Names and paths of the volumes Gantry adds to a pod: a task's own must not take them. */
function reservedNames(task: IR.Task): Diagnostic[] {
  const reserved = (path: string) => [c.TOKEN_DIR, RUN_STATUS_DIR, OUTPUTS_DIR, SHIM_DIR].some((p) => path === p || path.startsWith(`${p}/`));
  const output = task.outputs?.find((o) => reserved(o.path));
  if (output) {
    return [
      {
        code: "GANTRY4018",
        severity: "error",
        message: `output "${output.name}" of task "${task.name}" (at ${output.path}) is in a folder the jobs target uses for its own volumes`,
        span: { file: task.source.file, line: task.source.line, column: task.source.column },
        field: { task: task.name, path: ["outputs", output.name] },
        hint: `On the jobs target the paths ${SHIM_DIR}, ${RUN_STATUS_DIR}, ${OUTPUTS_DIR} and ${c.TOKEN_DIR} are Gantry's; write the output elsewhere, e.g. /tmp.`,
      },
    ];
  }
  const clash = task.volumes.find((v) => v.name.startsWith("gantry-") || reserved(v.mountPath));
  if (!clash) return [];
  return [
    {
      code: "GANTRY4018",
      severity: "error",
      message: `volume "${clash.name}" of task "${task.name}" (at ${clash.mountPath}) takes a name or path the jobs target uses for its own volumes`,
      span: { file: task.source.file, line: task.source.line, column: task.source.column },
      field: { task: task.name, path: ["volumes", { name: clash.name }] },
      hint: `On the jobs target volume names starting with "gantry-" and the paths ${SHIM_DIR}, ${RUN_STATUS_DIR}, ${OUTPUTS_DIR} and ${c.TOKEN_DIR} are Gantry's.`,
    },
  ];
}

/** Pod labels the Job controller sets to the Job's name and uid; the API refuses a Job whose template has others. */
const CONTROLLER_LABELS = ["job-name", "controller-uid", "batch.kubernetes.io/job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index"];

/** Labels the pipeline (on the status Job's pod) or a task (on its pod) sets that belong to the Job controller. */
function controllerLabels(pipeline: IR.Pipeline, prefix: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [owner, labels, source, task] of [[`pipeline "${pipeline.name}"`, pipeline.labels, pipeline.source, undefined] as const, ...pipeline.tasks.map((t) => [`task "${t.name}"`, t.pod.labels, t.source, t.name] as const)]) {
    for (const key of CONTROLLER_LABELS.filter((k) => k in labels)) {
      out.push({
        code: "GANTRY4021",
        severity: "error",
        message: `${owner}: the label "${key}" belongs to the Job controller, which sets it on every pod to the Job's name or uid; the API refuses a Job whose pods carry another value`,
        span: { file: source.file, line: source.line, column: source.column },
        field: { ...(task !== undefined && { task }), path: ["labels", key], key: true },
        hint: `Drop the label for the jobs target: select a task's pods with ${prefix}/task, a run's with ${prefix}/run.`,
      });
    }
  }
  return out;
}

/** What Argo CD's hooks cannot do that the plain Jobs can: a failed hook Job ends the sync's later waves. */
/**
 * The tasks that are `PostSync,SyncFail` hooks: finally tasks, teardowns no task follows, and every
 * task that waits for one of them (Argo CD creates PostSync hooks only once the Sync phase is over).
 */
function postSyncTasks(pipeline: IR.Pipeline, waits: ReadonlyMap<string, readonly string[]>): Set<string> {
  const needed = new Set(pipeline.tasks.flatMap((t) => t.dependencies));
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const post = new Map<string, boolean>();
  const postSync = (n: string): boolean => {
    if (!post.has(n)) {
      const t = byName.get(n);
      post.set(n, false); // the graph has no cycles (validated); this only guards the recursion
      post.set(n, t !== undefined && (t.role === "finally" || (t.role === "teardown" && !needed.has(t.name)) || (waits.get(n) ?? []).some(postSync)));
    }
    return post.get(n)!;
  };
  return new Set(pipeline.tasks.filter((t) => postSync(t.name)).map((t) => t.name));
}

function argoCdCaveats(pipeline: IR.Pipeline, diagnostics: Diagnostic[]) {
  const needed = new Set(pipeline.tasks.flatMap((t) => t.dependencies));
  const lenient = pipeline.tasks.find((t) => t.allowFailure || t.trigger === "allDone");
  // A teardown that waits for a PostSync hook is one itself, and runs whether the sync failed or not.
  const post = postSyncTasks(pipeline, waitsFor(pipeline, computeScopes(pipeline)));
  const innerTeardown = pipeline.tasks.find((t) => t.role === "teardown" && needed.has(t.name) && !post.has(t.name));
  for (const [t, why] of [
    [lenient, "a failed Job fails the Argo CD sync, so tasks that would still run after it (allowFailure, trigger allDone) do not"],
    [innerTeardown, "a teardown other tasks run after is an ordinary Sync hook, so it does not run when the sync fails in an earlier wave"],
  ] as const) {
    if (!t) continue;
    diagnostics.push({
      code: "GANTRY4014",
      severity: "warning",
      message: `with --gitops argocd, ${why} (task "${t.name}")`,
      span: { file: t.source.file, line: t.source.line, column: t.source.column },
      hint: "Without --gitops argocd the same Jobs keep Gantry's full semantics under any GitOps tool; see docs/targets.md.",
    });
  }
}

