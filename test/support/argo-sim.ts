/**
 * Argo Workflows semantics simulator (test support; not shipped).
 *
 * Executes a parsed Workflow / WorkflowTemplate / ClusterWorkflowTemplate / CronWorkflow (or a
 * bare WorkflowSpec, e.g. a CronWorkflow's `workflowSpec`) by the controller's rules, without a
 * cluster and without running containers: every leaf template invocation (container, script,
 * resource, data, containerSet, http, plugin) is a "pod" whose attempt results are injected by
 * the caller through `Outcomes`. The test then checks which pods ran and the final phases.
 *
 * References: `shared/reference/argo.md` (cited as §n below) and the controller sources it names
 * (`workflow/controller/{operator,dag,steps,hooks,exit_handler,workflowpod}.go`,
 * `workflow/common/ancestry.go`). The simulator mirrors the controller's structure on purpose:
 * every "pass" re-walks the template tree from the entrypoint exactly like `operate()` does, and
 * nodes carry the same `children` / `outboundNodes` edges, so `assessDAGPhase` can be the same
 * BFS as upstream (including its known bugs, e.g. #13239 retry + exit hook).
 *
 * Time model (deterministic): pods are started in creation order and kept in a FIFO queue.
 * Between two passes exactly one thing happens: either every Pending pod becomes Running (so
 * `Running`-expression hooks can observe them), or the oldest Running pod completes with its next
 * injected result. Stop / deadline triggers are checked before every pass.
 *
 * Deliberately NOT modelled (documented, not silently wrong):
 *  - wall-clock: template `timeout` / `activeDeadlineSeconds`, retry `backoff`/`maxDuration`,
 *    `parallelism`, `synchronization`, `memoize` (always a cache miss) do not change which
 *    phases are reachable, only when; inject "Failed" for a leaf that would time out.
 *    (`parallelism` together with stop/deadline options is rejected: it would change which pods
 *    had started.)
 *  - data: outputs, artifacts, parameters passed as data. Only values that steer control flow
 *    are resolved (`when`, `dag.target`, `withParam`, `inputs.parameters` from literal
 *    arguments, `workflow.parameters`, `tasks/steps.X.status`, `workflow.status`, and the
 *    output parameters of succeeded DAG tasks given in `SimOptions.outputs`).
 * Anything outside the supported subset throws `UnsupportedError` ("unsupported: ...").
 */

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** `Failed:<code>`: failed with that exit code (plain `Failed` exits 1), seen by `retryStrategy.expression` as `lastRetry.exitCode`. */
export type AttemptResult = "Succeeded" | "Failed" | "Error" | `Failed:${number}`;
/** "Running": the node was still running when the workflow completed (possible under stop, §1.2 #15088). */
export type NodePhase = "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted" | "Running";
export type WorkflowPhase = "Succeeded" | "Failed" | "Error";

export type InvocationKind =
  | "entrypoint" // the entrypoint template itself is a leaf
  | "task" // DAG task (also each withItems/withParam expansion of it)
  | "step" // steps-template step
  | "exit-hook" // task/step `hooks.exit` or legacy `onExit`
  | "hook" // task/step expression lifecycle hook
  | "onExit" // workflow `spec.onExit` / `spec.hooks.exit`
  | "workflow-hook"; // workflow expression lifecycle hook

/** One leaf template invocation, as shown to an `Outcomes` function. */
export interface Invocation {
  /** Unique node key, as in `SimResult.nodes` (e.g. `"work"`, `"outer.inner"`, `"work.onExit"`, `"onExit"`). */
  key: string;
  /** Task/step name; for hooks and exit handlers the template name (templateRef: its `template`). */
  name: string;
  /** Resolved template name. */
  template: string;
  kind: InvocationKind;
}

/** One result per attempt; the last one repeats (so `"Failed"` = fails on every retry). */
export type OutcomeSpec = AttemptResult | readonly AttemptResult[];
/**
 * Map form: looked up by the invocation's `key`, then by its `name` (task/step name, or the
 * template name for hooks and exit handlers). Missing ⇒ every attempt "Succeeded".
 */
export type Outcomes =
  | Readonly<Record<string, OutcomeSpec>>
  | ((inv: Invocation) => OutcomeSpec | undefined);

export interface SimOptions {
  /** `argo stop` (exit handlers and exit hooks still run) or `argo terminate` (nothing runs). */
  stop?: "stop" | "terminate";
  /**
   * Issue the stop once every listed node (key or name, as for `Outcomes`) has finished;
   * before the controller reacts to that completion. `[]` = before anything starts.
   * Giving `stopAfter` without `stop` means `stop: "stop"`; `stop` without `stopAfter` = `[]`.
   */
  stopAfter?: readonly string[];
  /** `spec.activeDeadlineSeconds` expires once the listed nodes have finished (§3.2). */
  deadlineAfter?: readonly string[];
  /** WorkflowTemplate / ClusterWorkflowTemplate objects for `templateRef` / `workflowTemplateRef`. */
  templates?: readonly object[];
  /**
   * Output parameters by DAG task name: what the task's pod leaves when it succeeds, in scope as
   * `tasks.X.outputs.parameters.N` for the tasks after it (the only data simulated).
   */
  outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type SimNodeType =
  | "Pod"
  | "HTTP"
  | "Plugin"
  | "Suspend"
  | "Retry"
  | "DAG"
  | "Steps"
  | "StepGroup"
  | "TaskGroup"
  | "Skipped";

export interface SimNode {
  phase: NodePhase;
  /** Pods/attempts started: Retry ⇒ number of attempts; leaf ⇒ 1 if its pod was created. */
  attempts: number;
  /** A pod of this node (or one of its retry attempts) was created. */
  ran: boolean;
  /** Argo node type ("Skipped" is the type of Skipped/Omitted placeholder nodes). */
  type: SimNodeType;
  template?: string;
  message?: string;
}

export interface SimResult {
  phase: WorkflowPhase;
  /** Keyed by node key: `task`, `outer.inner`, `step`, `task.onExit`, `task.hooks.h`, `onExit`, ... */
  nodes: Record<string, SimNode>;
  /** Keys of nodes whose pods ran, first start order, each once. */
  ran: string[];
  /** Every pod start in order; retry attempts as `key(i)`. */
  pods: string[];
  /** Phase of the workflow exit handler node (`spec.onExit`/`spec.hooks.exit`), if it was started. */
  exitHandlerPhase?: NodePhase;
  message?: string;
}

export class UnsupportedError extends Error {
  constructor(what: string) {
    super(`unsupported: ${what}`);
    this.name = "UnsupportedError";
  }
}

/** dag.go expandTask's error: a `withParam` that is no JSON list makes the task's node Error. */
class ExpandError extends Error {}

/** The input is not a valid workflow (what `argo lint` / the controller would reject). */
export class InvalidWorkflowError extends Error {
  constructor(what: string) {
    super(`invalid: ${what}`);
    this.name = "InvalidWorkflowError";
  }
}

export function simulate(workflow: object, outcomes: Outcomes = {}, options: SimOptions = {}): SimResult {
  return new Simulator(workflow, outcomes, options).run();
}

// ---------------------------------------------------------------------------------------------
// Input shapes (loose: parsed YAML)
// ---------------------------------------------------------------------------------------------

type Dict = Record<string, unknown>;

interface Param {
  name: string;
  value?: unknown;
  default?: unknown;
}
interface Arguments {
  parameters?: Param[];
}
interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}
interface ContinueOn {
  failed?: boolean;
  error?: boolean;
}
interface LifecycleHook {
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  expression?: string;
}
/** DAGTask / WorkflowStep / hook: anything that invokes a template. */
interface Holder {
  name?: string;
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
  arguments?: Arguments;
  when?: string;
  withItems?: unknown[];
  withParam?: unknown;
  withSequence?: { count?: unknown; start?: unknown; end?: unknown };
  continueOn?: ContinueOn;
  hooks?: Record<string, LifecycleHook>;
  onExit?: string;
  depends?: string;
  dependencies?: string[];
  expression?: string;
}
interface RetryStrategy {
  limit?: unknown;
  retryPolicy?: string;
  expression?: string;
}
interface Template {
  name?: string;
  inputs?: { parameters?: Param[] };
  retryStrategy?: RetryStrategy;
  dag?: { tasks?: Holder[]; target?: string; failFast?: boolean | string };
  steps?: unknown[];
  suspend?: { duration?: unknown };
  daemon?: boolean;
  parallelism?: unknown;
  [k: string]: unknown;
}
interface WorkflowSpec {
  entrypoint?: string;
  templates?: Template[];
  arguments?: Arguments;
  onExit?: string;
  hooks?: Record<string, LifecycleHook>;
  workflowTemplateRef?: { name: string; clusterScope?: boolean };
  templateDefaults?: unknown;
  retryStrategy?: unknown;
  parallelism?: unknown;
  suspend?: unknown;
  shutdown?: unknown;
  [k: string]: unknown;
}

const LEAF_TYPES = ["container", "script", "resource", "data", "containerSet", "http", "plugin"] as const;

// ---------------------------------------------------------------------------------------------
// Internal node model (mirrors wfv1.NodeStatus where it matters)
// ---------------------------------------------------------------------------------------------

type Phase = "Pending" | "Running" | "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";

interface SNode {
  /** Argo-style node name: `wf.A`, `wf[0].step`, `wf.A(1)`, `wf.A.onExit`, `wf.A.hooks.h`. */
  name: string;
  /** User-facing key (see SimResult.nodes). */
  key: string;
  /** Key used for `ran` and triggers: leaf retry attempts report their Retry node's key. */
  logicalKey: string;
  displayName: string;
  type: SimNodeType;
  phase: Phase;
  message?: string;
  children: string[];
  outbound: string[];
  /** NodeFlag.Hooked */
  hooked: boolean;
  /** Created under an exit handler (onExitTemplate): exempt from Stop and the deadline. */
  onExit: boolean;
  template?: string;
  inv?: Invocation;
  attempt: number;
  podCreated: boolean;
  visible: boolean;
  /** outputs.exitCode of a finished pod (what `lastRetry.exitCode` reads). */
  exitCode?: string;
}

const isFulfilled = (p: Phase) => p !== "Pending" && p !== "Running";
const isCompleted = (p: Phase) => p === "Succeeded" || p === "Failed" || p === "Error";
const isFailedOrError = (p: Phase | "") => p === "Failed" || p === "Error";

interface TmplCtx {
  label: string;
  templates: Map<string, Template>;
}

interface ExecOpts {
  onExit: boolean;
  hooked?: boolean;
  ctx: TmplCtx;
  /** Key of the node being executed. */
  key: string;
  /** Prefix for the keys of this node's tasks/steps ("" for the entrypoint). */
  prefix: string;
  inv: { name: string; kind: InvocationKind };
  visible?: boolean;
  logicalKey?: string;
  attempt?: number;
}

type Vars = Map<string, string>;

interface DepsInfo {
  names: string[];
  ast?: DepAst;
}

interface DagCtx {
  boundaryName: string;
  node: SNode;
  tmpl: Template;
  tasks: Map<string, Holder>;
  taskOrder: string[];
  visited: Set<string>;
  vars: Vars;
  ctx: TmplCtx;
  onExit: boolean;
  prefix: string;
  deps: Map<string, DepsInfo>;
}

const MAX_PASSES = 200_000;
const MAX_ATTEMPTS = 10_000;

class Simulator {
  private readonly spec: WorkflowSpec;
  private readonly rootCtx: TmplCtx;
  private readonly library = new Map<string, TmplCtx>();
  private readonly librarySpecs = new Map<string, WorkflowSpec>();
  private readonly nodes = new Map<string, SNode>();
  private readonly queue: string[] = [];
  private readonly ranKeys: string[] = [];
  private readonly podLog: string[] = [];
  private readonly globals: Vars = new Map();
  private shutdown: "Stop" | "Terminate" | null = null;
  private deadlineExceeded = false;
  private stopPlan: { strategy: "Stop" | "Terminate"; after: readonly string[] } | null = null;
  private deadlinePlan: readonly string[] | null = null;
  private wfPhase: WorkflowPhase | null = null;
  private wfMessage: string | undefined;
  private readonly wfName = "wf";
  private readonly outputs: NonNullable<SimOptions["outputs"]>;

  constructor(
    workflow: object,
    private readonly outcomes: Outcomes,
    options: SimOptions,
  ) {
    for (const doc of options.templates ?? []) this.addLibraryDoc(doc as Dict);
    this.outputs = options.outputs ?? {};
    this.spec = this.resolveSpec(workflow as Dict);
    this.rootCtx = { label: "workflow", templates: indexTemplates(this.spec.templates ?? [], "workflow") };

    // Spec-level features whose semantics are not simulated.
    if (this.spec.templateDefaults !== undefined)
      throw new UnsupportedError("spec.templateDefaults (merged into every template, incl. steps/dag ⇒ nested Retry nodes, §3.1)");
    if (this.spec.retryStrategy !== undefined)
      throw new UnsupportedError("spec.retryStrategy (applies to every template incl. steps/dag, §3.1)");
    if (this.spec.suspend) throw new UnsupportedError("spec.suspend (needs a manual resume)");
    if (this.spec.shutdown !== undefined) throw new UnsupportedError("spec.shutdown set in the manifest (use options.stop)");
    if (!this.spec.entrypoint) throw new InvalidWorkflowError("no spec.entrypoint: not a runnable workflow");

    if (options.stop !== undefined || options.stopAfter !== undefined) {
      this.stopPlan = { strategy: options.stop === "terminate" ? "Terminate" : "Stop", after: options.stopAfter ?? [] };
    }
    if (options.deadlineAfter !== undefined) this.deadlinePlan = options.deadlineAfter;
    if ((this.stopPlan || this.deadlinePlan) && this.usesParallelism())
      throw new UnsupportedError("parallelism together with stop/deadline (which pods had started depends on timing)");

    // Global variables (data only as far as control flow needs them).
    const meta = (workflow as Dict).metadata as Dict | undefined;
    this.globals.set("workflow.name", String(meta?.name ?? `${String(meta?.generateName ?? "wf-")}sim`));
    this.globals.set("workflow.status", "Running"); // §1.1: "During the run it is `Running`"
    for (const p of this.spec.arguments?.parameters ?? []) {
      if (p.value !== undefined) this.globals.set(`workflow.parameters.${p.name}`, str(p.value));
    }
  }

  // ----- input handling ------------------------------------------------------------------------

  private addLibraryDoc(doc: Dict): void {
    const kind = doc.kind;
    if (kind !== "WorkflowTemplate" && kind !== "ClusterWorkflowTemplate") return;
    const name = String((doc.metadata as Dict | undefined)?.name ?? "");
    const spec = (doc.spec ?? {}) as WorkflowSpec;
    const scope = kind === "ClusterWorkflowTemplate" ? "cluster" : "namespace";
    const label = `${kind}/${name}`;
    this.library.set(`${scope}/${name}`, { label, templates: indexTemplates(spec.templates ?? [], label) });
    this.librarySpecs.set(`${scope}/${name}`, spec);
  }

  private resolveSpec(doc: Dict): WorkflowSpec {
    let spec: WorkflowSpec;
    if (doc.kind === "CronWorkflow") spec = ((doc.spec as Dict | undefined)?.workflowSpec ?? {}) as WorkflowSpec;
    else if (typeof doc.kind === "string") {
      if (!["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"].includes(doc.kind))
        throw new UnsupportedError(`kind ${doc.kind}`);
      spec = (doc.spec ?? {}) as WorkflowSpec;
    } else spec = doc as WorkflowSpec; // a bare WorkflowSpec (e.g. a CronWorkflow's workflowSpec)

    const ref = spec.workflowTemplateRef;
    if (ref) {
      // §5: the referenced template's whole spec is inherited; the Workflow's own fields and
      // arguments (by name) win; `spec.templates` must then be empty.
      if ((spec.templates ?? []).length > 0)
        throw new InvalidWorkflowError("spec.templates must be empty with spec.workflowTemplateRef");
      const key = `${ref.clusterScope ? "cluster" : "namespace"}/${ref.name}`;
      const base = this.librarySpecs.get(key);
      if (!base) throw new UnsupportedError(`workflowTemplateRef ${key} not provided in options.templates`);
      const merged: WorkflowSpec = { ...base, ...spec };
      delete merged.workflowTemplateRef;
      const params = new Map<string, Param>();
      for (const p of base.arguments?.parameters ?? []) params.set(p.name, p);
      for (const p of spec.arguments?.parameters ?? []) params.set(p.name, { ...params.get(p.name), ...p });
      merged.arguments = { ...base.arguments, ...spec.arguments, parameters: [...params.values()] };
      merged.templates = base.templates;
      return merged;
    }
    return spec;
  }

  private usesParallelism(): boolean {
    if (this.spec.parallelism !== undefined) return true;
    const all = [...this.rootCtx.templates.values(), ...[...this.library.values()].flatMap((c) => [...c.templates.values()])];
    return all.some((t) => t.parallelism !== undefined);
  }

  private resolveTemplate(holder: Holder, ctx: TmplCtx): { tmpl: Template; ctx: TmplCtx; name: string } {
    if (holder.inline) return { tmpl: holder.inline, ctx, name: holder.inline.name ?? `${holder.name ?? "inline"}-inline` };
    if (holder.templateRef) {
      const r = holder.templateRef;
      const key = `${r.clusterScope ? "cluster" : "namespace"}/${r.name}`;
      const lib = this.library.get(key);
      if (!lib) throw new UnsupportedError(`templateRef to ${key} not provided in options.templates`);
      const tmpl = lib.templates.get(r.template);
      if (!tmpl) throw new InvalidWorkflowError(`template ${r.template} not found in ${lib.label}`);
      return { tmpl, ctx: lib, name: r.template };
    }
    if (!holder.template) throw new InvalidWorkflowError(`'${holder.name ?? "?"}' names no template`);
    const tmpl = ctx.templates.get(holder.template);
    if (!tmpl) throw new InvalidWorkflowError(`template '${holder.template}' not found in ${ctx.label}`);
    return { tmpl, ctx, name: holder.template };
  }

  // ----- main loop -----------------------------------------------------------------------------

  run(): SimResult {
    this.checkOutcomeKeys();
    for (let pass = 0; ; pass++) {
      if (pass > MAX_PASSES) throw new Error("argo-sim: too many passes (non-terminating workflow?)");
      this.checkTriggers();
      this.operate();
      if (this.wfPhase) break;
      this.advanceTime();
    }
    // A trigger that never fired is a mistake in the test, not a scenario: say so.
    if (this.stopPlan && !this.shutdown)
      throw new Error(`argo-sim: stopAfter [${this.stopPlan.after.join(", ")}] never all finished; the stop was never issued`);
    if (this.deadlinePlan && !this.deadlineExceeded)
      throw new Error(`argo-sim: deadlineAfter [${this.deadlinePlan.join(", ")}] never all finished; the deadline never expired`);
    return this.result();
  }

  /** Map-form outcomes must name something that exists (a typo would silently mean "Succeeded"). */
  private checkOutcomeKeys(): void {
    if (typeof this.outcomes === "function") return;
    const known = new Set<string>(["onExit", ...Object.keys(this.spec.hooks ?? {})]);
    const holders = (t: Template): Holder[] => [
      ...(t.dag?.tasks ?? []),
      ...(t.steps ?? []).flatMap((g, i) => stepGroupOf(g, t.name ?? "?", i)),
    ];
    for (const ctx of [this.rootCtx, ...this.library.values()])
      for (const t of ctx.templates.values()) {
        known.add(t.name ?? "");
        for (const h of holders(t)) {
          if (h.name) known.add(h.name);
          for (const hook of Object.keys(h.hooks ?? {})) known.add(hook);
        }
      }
    const names = (key: string) => key.split(".").map((seg) => seg.replace(/\(.*\)$/, ""));
    const unknown = Object.keys(this.outcomes).filter((k) => !names(k).every((seg) => known.has(seg) || seg === "hooks"));
    if (unknown.length > 0) throw new Error(`argo-sim: outcomes name no task, step or template: ${unknown.join(", ")}`);
  }

  /** One unit of simulated time: all Pending pods start, or the oldest Running pod finishes. */
  private advanceTime(): void {
    const pending = this.queue.map((n) => this.node(n)).filter((n) => n.phase === "Pending");
    if (pending.length > 0) {
      for (const n of pending) n.phase = "Running";
      return;
    }
    const head = this.queue.shift();
    if (head === undefined) {
      const stuck = [...this.nodes.values()].filter((n) => !isFulfilled(n.phase)).map((n) => `${n.name} (${n.type})`);
      throw new Error(`argo-sim: workflow cannot progress; unfulfilled nodes: ${stuck.join(", ")}`);
    }
    const node = this.node(head);
    if (node.type === "Suspend") {
      node.phase = "Succeeded";
      return;
    }
    const [phase, code] = this.outcomeFor(node).split(":") as [Phase, string | undefined];
    node.phase = phase;
    // operator.go: lastRetry.exitCode is "0" when the attempt reported none (an Error).
    node.exitCode = phase === "Succeeded" ? "0" : phase === "Failed" ? (code ?? "1") : "0";
  }

  private outcomeFor(node: SNode): AttemptResult {
    const inv = node.inv;
    if (!inv) return "Succeeded";
    let spec: OutcomeSpec | undefined;
    if (typeof this.outcomes === "function") spec = this.outcomes(inv);
    else spec = this.outcomes[inv.key] ?? this.outcomes[inv.name];
    if (spec === undefined) return "Succeeded";
    if (typeof spec === "string") return checkResult(spec);
    if (spec.length === 0) return "Succeeded";
    return checkResult(spec[Math.min(node.attempt, spec.length - 1)]!);
  }

  /** Applies `argo stop/terminate` and the workflow deadline once their trigger nodes are done. */
  private checkTriggers(): void {
    if (this.stopPlan && !this.shutdown && this.allDone(this.stopPlan.after)) {
      // §0/§1.1: Stop ⇒ only exit-handler pods may still be created, other running pods are
      // killed; Terminate ⇒ nothing is created and exit pods are killed too (exec_control.go).
      this.shutdown = this.stopPlan.strategy;
      for (const name of [...this.queue]) {
        const n = this.node(name);
        if (this.shutdown === "Terminate" || !n.onExit) this.kill(n, `workflow shutdown with strategy: ${this.shutdown}`);
      }
    }
    if (this.deadlinePlan && !this.deadlineExceeded && this.allDone(this.deadlinePlan)) {
      // §3.2: running non-exit pods are terminated; no new ordinary pods; exit handlers and exit
      // hooks still run (they ignore the workflow deadline).
      this.deadlineExceeded = true;
      for (const name of [...this.queue]) {
        const n = this.node(name);
        if (!n.onExit) this.kill(n, "Step exceeded its deadline");
      }
    }
  }

  private kill(n: SNode, message: string): void {
    n.phase = "Failed";
    n.message = message;
    const i = this.queue.indexOf(n.name);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private allDone(names: readonly string[]): boolean {
    for (const want of names) {
      const matches = [...this.nodes.values()].filter(
        (n) => n.visible && (n.key === want || n.logicalKey === want || n.inv?.name === want),
      );
      if (matches.length === 0 || !matches.every((n) => isFulfilled(n.phase))) return false;
    }
    return true;
  }

  /** `ShutdownStrategy.ShouldExecute(isOnExitPod)` */
  private shouldExecute(isOnExit: boolean): boolean {
    if (this.shutdown === null) return true;
    return this.shutdown === "Stop" && isOnExit;
  }

  // ----- operate() (operator.go) ---------------------------------------------------------------

  private operate(): void {
    const entryName = this.spec.entrypoint!;
    const entry = this.executeTemplate(
      this.wfName,
      { template: entryName },
      this.paramArgs(this.spec.arguments, this.globals),
      {
        onExit: false,
        ctx: this.rootCtx,
        key: entryName,
        prefix: "",
        inv: { name: entryName, kind: "entrypoint" },
      },
    );
    // §1.1: workflow.status = entry node phase; Skipped/Omitted map to Succeeded; Running while running.
    const wfStatus = workflowStatusOf(entry.phase);
    this.globals.set("workflow.status", wfStatus);

    // §1.1 "Other workflow hooks": the workflow waits for them before onExit/completion.
    if (!this.executeWfLifeCycleHooks()) return;
    if (!isFulfilled(entry.phase)) return;

    // §1.1: spec.onExit wins over spec.hooks.exit; runs whatever the outcome, not under Terminate.
    const exitHook: LifecycleHook | undefined = this.spec.onExit
      ? { template: this.spec.onExit, arguments: this.spec.arguments }
      : this.spec.hooks?.exit;
    let onExitNode: SNode | undefined;
    if (exitHook) {
      const name = `${this.wfName}.onExit`;
      onExitNode = this.nodes.get(name);
      if (onExitNode || this.shouldExecute(true)) {
        onExitNode = this.executeTemplate(name, exitHook, this.paramArgs(exitHook.arguments, this.globals), {
          onExit: true,
          hooked: true,
          ctx: this.rootCtx,
          key: "onExit",
          prefix: "onExit",
          inv: { name: hookTemplateName(exitHook), kind: "onExit" },
        });
        if (!isFulfilled(onExitNode.phase)) return;
      }
    }

    // §1.1 effect on the final phase: entry Succeeded + exit node Failed ⇒ Failed (Error ⇒ Error);
    // entry Failed/Error keeps its phase whatever the exit handler does.
    const stopped = this.shutdown !== null && isFailedOrError(entry.phase);
    if (wfStatus === "Succeeded") {
      if (onExitNode && isFailedOrError(onExitNode.phase)) {
        this.wfPhase = onExitNode.phase === "Failed" ? "Failed" : "Error";
        this.wfMessage = onExitNode.message;
      } else this.wfPhase = "Succeeded";
    } else {
      this.wfPhase = wfStatus === "Error" ? "Error" : "Failed";
      this.wfMessage = stopped ? `Stopped with strategy '${this.shutdown}'` : entry.message;
    }
  }

  private executeWfLifeCycleHooks(): boolean {
    const hooks = this.spec.hooks ?? {};
    const out: SNode[] = [];
    for (const hookName of Object.keys(hooks).sort()) {
      if (hookName === "exit") continue; // run by the onExit logic (§1.1); its expression is ignored (#8742)
      const hook = hooks[hookName]!;
      const name = `${this.wfName}.hooks.${hookName}`;
      if (!hook.expression) throw new InvalidWorkflowError(`Expression required for hook ${name}`);
      const execute = evalExprBool(hook.expression, this.globals);
      if (execute || this.nodes.has(name)) {
        out.push(
          this.executeTemplate(name, hook, this.paramArgs(hook.arguments, this.globals), {
            onExit: false,
            hooked: true,
            ctx: this.rootCtx,
            key: `hooks.${hookName}`,
            prefix: `hooks.${hookName}`,
            inv: { name: hookTemplateName(hook), kind: "workflow-hook" },
          }),
        );
      }
    }
    return out.every((n) => isFulfilled(n.phase));
  }

  // ----- executeTemplate (operator.go) ---------------------------------------------------------

  private executeTemplate(nodeName: string, holder: Holder, args: Vars, opts: ExecOpts): SNode {
    const existing = this.nodes.get(nodeName);
    if (existing && isFulfilled(existing.phase)) return existing;
    const { tmpl, ctx, name: tmplName } = this.resolveTemplate(holder, opts.ctx);
    checkTemplateSupported(tmpl, tmplName);
    const o: ExecOpts = { ...opts, ctx };
    const vars = this.inputVars(tmpl, args);

    const rs = tmpl.retryStrategy;
    if (!rs) return this.executeBody(nodeName, tmpl, tmplName, vars, o);

    // §3.1 retries: a Retry node whose children are the attempts `<name>(i)`.
    const node = existing ?? this.createNode(nodeName, "Retry", "Running", o, tmplName);
    const attempts = node.children.map((c) => this.node(c)).filter((c) => !c.hooked);
    const last = attempts.at(-1);
    if (last && isFulfilled(last.phase)) {
      if (last.phase === "Succeeded" || last.phase === "Skipped" || last.phase === "Omitted") {
        return this.mark(node, last.phase === "Succeeded" ? "Succeeded" : last.phase, last.message);
      }
      const limit = retryLimit(rs, tmplName);
      const more =
        retryPolicyAllows(rs, last.phase, tmplName) &&
        attempts.length <= limit && // limit = retries after the first attempt
        retryExpressionAllows(rs, last) && // AND-ed with the policy, evaluated after the limit (§3.1)
        this.shutdown === null && // "Retries stop when the workflow is shutting down or past its deadline"
        !this.deadlineExceeded;
      if (!more) return this.mark(node, last.phase, last.message);
      if (attempts.length >= MAX_ATTEMPTS)
        throw new Error(`argo-sim: ${node.key} retried ${MAX_ATTEMPTS} times (unlimited retries that never succeed?)`);
    }
    const i = last && !isFulfilled(last.phase) ? attempts.length - 1 : attempts.length;
    const childName = `${nodeName}(${i})`;
    if (!node.children.includes(childName)) node.children.push(childName);
    const leaf = leafType(tmpl) !== null || tmpl.suspend !== undefined;
    const child = this.executeBody(childName, tmpl, tmplName, vars, {
      ...o,
      key: `${o.key}(${i})`,
      prefix: `${o.key}(${i})`,
      visible: !leaf,
      logicalKey: o.key,
      attempt: i,
      hooked: false,
    });
    // operator.go: "if the retry child has completed we need to update ourself" (same pass).
    if (isFulfilled(child.phase)) return this.executeTemplate(nodeName, holder, args, opts);
    return node;
  }

  private executeBody(nodeName: string, tmpl: Template, tmplName: string, vars: Vars, o: ExecOpts): SNode {
    if (tmpl.dag) return this.executeDAG(nodeName, tmpl, tmplName, vars, o);
    if (tmpl.steps) return this.executeSteps(nodeName, tmpl, tmplName, vars, o);
    if (tmpl.suspend !== undefined) return this.executeSuspend(nodeName, tmpl, tmplName, o);
    const lt = leafType(tmpl);
    if (lt === null) throw new InvalidWorkflowError(`template '${tmplName}' has no known type`);
    return this.executeLeaf(nodeName, lt === "http" ? "HTTP" : lt === "plugin" ? "Plugin" : "Pod", tmplName, o);
  }

  private executeLeaf(nodeName: string, type: SimNodeType, tmplName: string, o: ExecOpts): SNode {
    const existing = this.nodes.get(nodeName);
    if (existing) return existing; // its phase is driven by the pod (advanceTime)
    const node = this.createNode(nodeName, type, "Pending", o, tmplName);
    if (!this.shouldExecute(o.onExit)) {
      // workflowpod.go: "Do not create pods if we are shutting down" ⇒ node Failed (§0).
      node.phase = "Failed";
      node.message = `workflow shutdown with strategy: ${this.shutdown}`;
      return node;
    }
    if (this.deadlineExceeded && !o.onExit) {
      // §3.2: no new ordinary pods after the deadline; the Pending node fails
      // (failNodesWithoutCreatedPodsAfterDeadlineOrShutdown). Exit pods ignore the deadline.
      node.phase = "Failed";
      node.message = "Step exceeded its deadline";
      return node;
    }
    node.podCreated = true;
    this.queue.push(nodeName);
    this.podLog.push(node.visible ? node.key : `${node.logicalKey}(${node.attempt})`);
    if (!this.ranKeys.includes(node.logicalKey)) this.ranKeys.push(node.logicalKey);
    return node;
  }

  private executeSuspend(nodeName: string, tmpl: Template, tmplName: string, o: ExecOpts): SNode {
    const existing = this.nodes.get(nodeName);
    if (existing) return existing;
    const d = tmpl.suspend?.duration;
    if (d === undefined || d === null || d === "")
      throw new UnsupportedError(`suspend template '${tmplName}' without duration (needs a manual resume)`);
    const node = this.createNode(nodeName, "Suspend", "Running", o, tmplName);
    if (/^0+(s|m|h)?$/.test(String(d).trim())) node.phase = "Succeeded";
    else if (this.shutdown !== null || (this.deadlineExceeded && !o.onExit)) node.phase = "Failed";
    else this.queue.push(nodeName); // resumes (Succeeded) after one unit of time; no pod
    return node;
  }

  // ----- DAG (dag.go) --------------------------------------------------------------------------

  private executeDAG(nodeName: string, tmpl: Template, tmplName: string, vars: Vars, o: ExecOpts): SNode {
    const node = this.nodes.get(nodeName) ?? this.createNode(nodeName, "DAG", "Running", o, tmplName);
    const tasks = new Map<string, Holder>();
    for (const t of tmpl.dag?.tasks ?? []) {
      if (!t.name) throw new InvalidWorkflowError(`a task of '${tmplName}' has no name`);
      if (tasks.has(t.name)) throw new InvalidWorkflowError(`duplicate task '${t.name}' in '${tmplName}'`);
      tasks.set(t.name, t);
    }
    const d: DagCtx = {
      boundaryName: nodeName,
      node,
      tmpl,
      tasks,
      taskOrder: [...tasks.keys()],
      visited: new Set(),
      vars,
      ctx: o.ctx,
      onExit: o.onExit,
      prefix: o.prefix,
      deps: new Map(),
    };
    this.validateDag(d, tmplName);

    // §2.2.1 / §2.3: targets = dag.target split on " ", else leaf tasks (sorted, dag.go findLeafTaskNames).
    let targets: string[];
    const target = tmpl.dag?.target;
    if (target !== undefined && target !== "") {
      const t = substitute(String(target), vars);
      if (t.includes("{{")) throw new UnsupportedError(`dag.target '${target}' of '${tmplName}' is not resolvable`);
      targets = t.split(" ");
      for (const x of targets)
        if (!tasks.has(x)) throw new InvalidWorkflowError(`target '${x}' is not defined in '${tmplName}'`);
    } else {
      const depended = new Set(d.taskOrder.flatMap((t) => this.taskDeps(d, t).names));
      targets = d.taskOrder.filter((t) => !depended.has(t)).sort();
    }

    // Kick off the targets (and, recursively, their ancestors only: §2.3 "only targets and their
    // ancestors execute"); run exit hooks of completed targets.
    let onExitCompleted = true;
    for (const t of targets) {
      this.executeDAGTask(d, t);
      const tn = this.taskNode(d, t);
      if (!tn) continue;
      const task = d.tasks.get(t)!;
      const scope = this.taskScope(d, t, tn);
      this.executeTmplLifeCycleHooks(scope, task.hooks, tn, d.ctx);
      if (isFulfilled(tn.phase) && isCompleted(tn.phase)) {
        const [has, hn] = this.runOnExitNode(exitHookOf(task, this.spec), tn, d.ctx, scope);
        if (has && (!hn || !isFulfilled(hn.phase))) onExitCompleted = false;
      }
    }

    // §2.2.2: shutting down and the targets' exit hooks are done ⇒ Failed (not inside an exit handler:
    // v3.7.17 / v4.0.8 and later, argo-workflows#16488; earlier controllers fail an exit DAG here too).
    const isShutdown = this.shutdown !== null && onExitCompleted && !o.onExit;
    const phase = this.assessDAGPhase(d, targets, isShutdown);
    if (phase === "Running") return node;
    node.outbound = targets
      .map((t) => this.taskNode(d, t))
      .filter((n): n is SNode => n !== undefined)
      .flatMap((n) => this.getOutboundNodes(n.name));
    return this.mark(node, phase);
  }

  /** §2.2 `assessDAGPhase`, line by line. */
  private assessDAGPhase(d: DagCtx, targets: string[], isShutdown: boolean): Phase {
    if (isShutdown) return "Failed";
    const targetPhases = new Map<string, Phase | "">();
    for (const t of targets) targetPhases.set(this.taskNodeName(d, t), "");
    // §2.2.3: BFS from the DAG's root nodes; unique per (node, branch phase).
    const seen = new Set<string>();
    const queue: Array<[string, Phase]> = [];
    const add = (ids: string[], phase: Phase) => {
      for (const id of ids) {
        const k = `${id}\u0000${phase}`;
        if (!seen.has(k)) {
          seen.add(k);
          queue.push([id, phase]);
        }
      }
    };
    add(d.node.children, "Succeeded");
    while (queue.length > 0) {
      const [id, inherited] = queue.shift()!;
      const node = this.nodes.get(id);
      if (!node || !isFulfilled(node.phase)) return "Running"; // the DAG waits for every created node, hooks included
      // A Completed node hands on its own phase; Skipped/Omitted hand on what they inherited.
      const branch: Phase = isCompleted(node.phase) ? node.phase : inherited;
      // §2.2.4: target's deduced phase; Failed/Error wins over Succeeded across parents.
      if (targetPhases.has(id)) {
        const prev = targetPhases.get(id)!;
        if (!isFailedOrError(prev)) targetPhases.set(id, branch);
      }
      if (node.type === "Retry") add(this.getRetryNodeChildrenIds(node), branch);
      else add(node.children, branch);
    }
    // §2.2.5 / §2.3: scan targets; failFast=true: first failing target wins and a missing phase
    // does not stop the scan; failFast=false: last failing target wins, a missing phase ⇒ Running.
    const ff = d.tmpl.dag?.failFast;
    const failFast = ff === undefined || ff === true || ff === "true";
    let result: Phase = "Succeeded";
    for (const t of targets) {
      const bp = targetPhases.get(this.taskNodeName(d, t)) ?? "";
      if (bp === "") {
        result = "Running";
        if (!failFast) break;
      } else if (isFailedOrError(bp)) {
        // §2.1 continueOn: a target with continueOn for its (possibly inherited) phase does not fail the DAG.
        if (continuesOn(d.tasks.get(t)!, bp)) continue;
        result = bp;
        if (failFast) break;
      }
    }
    return result;
  }

  /** §2.2.3 "Retry nodes: continue from the last attempt's children and hook nodes" (getRetryNodeChildrenIds). */
  private getRetryNodeChildrenIds(node: SNode): string[] {
    const out: string[] = [];
    for (let i = node.children.length - 1; i >= 0; i--) {
      const c = this.nodes.get(node.children[i]!);
      if (!c) continue;
      if (c.hooked) out.push(c.name);
      else out.push(...c.children);
    }
    return out;
  }

  /** operator.go getOutboundNodes (incl. Retry ⇒ last child, which may be a hook node: #13239). */
  private getOutboundNodes(name: string): string[] {
    const node = this.nodes.get(name);
    if (!node) return [];
    switch (node.type) {
      case "Pod":
      case "HTTP":
      case "Plugin":
      case "Skipped":
      case "Suspend":
        return [name];
      case "TaskGroup":
        return node.children.length === 0 ? [name] : node.children.flatMap((c) => this.getOutboundNodes(c));
      case "Retry":
        if (node.children.length > 0) return [node.children[node.children.length - 1]!];
        break;
      default:
        break;
    }
    return node.outbound.flatMap((o) => (this.nodes.get(o)?.type === "Pod" ? [o] : this.getOutboundNodes(o)));
  }

  private taskNodeName(d: DagCtx, task: string): string {
    return `${d.boundaryName}.${task}`;
  }
  private taskNode(d: DagCtx, task: string): SNode | undefined {
    return this.nodes.get(this.taskNodeName(d, task));
  }

  /** dag.go executeDAGTask: traverses and executes the upward chain of dependencies of a task. */
  private executeDAGTask(d: DagCtx, taskName: string): void {
    if (d.visited.has(taskName)) return;
    d.visited.add(taskName);
    const task = d.tasks.get(taskName)!;
    const existing = this.taskNode(d, taskName);
    if (existing && (isFulfilled(existing.phase) || existing.phase === "Running")) {
      const scope = this.taskScope(d, taskName, existing);
      if (!this.executeTmplLifeCycleHooks(scope, task.hooks, existing, d.ctx)) return;
    }
    if (existing && isFulfilled(existing.phase)) {
      // §1.2: the exit hook fires when the hooked node Completed (not Skipped/Omitted).
      if (isCompleted(existing.phase)) this.runOnExitNode(exitHookOf(task, this.spec), existing, d.ctx, this.taskScope(d, taskName, existing));
      return;
    }

    const nodeName = this.taskNodeName(d, taskName);
    const deps = this.taskDeps(d, taskName);
    let taskGroup = existing?.type === "TaskGroup" ? existing : undefined;
    const connect = (childName: string) => {
      if (deps.names.length === 0 || taskGroup) {
        this.addChild(taskGroup ? taskGroup.name : d.boundaryName, childName);
      } else {
        // Children of every outbound node of every dependency (this is what the BFS walks).
        for (const dep of deps.names) {
          const dn = this.taskNode(d, dep);
          if (!dn) continue;
          for (const out of this.getOutboundNodes(dn.name)) this.addChild(out, childName);
        }
      }
    };
    const common = { onExit: d.onExit, ctx: d.ctx };

    if (deps.ast) {
      for (const dep of deps.names) this.executeDAGTask(d, dep);
      const r = this.evaluateDependsLogic(d, taskName);
      if (!r.proceed) return; // §2.1: waits until every referenced task (and its hooks) is fulfilled
      if (!r.execute) {
        // §2.1: depends false ⇒ node Omitted (type Skipped).
        this.createNode(nodeName, "Skipped", "Omitted", this.childOpts(d.prefix, taskName, taskName, "task", common), undefined, "omitted: depends condition not met");
        connect(nodeName);
        return;
      }
    }

    const vars = this.taskVars(d, taskName);
    let expanded: ReturnType<Simulator["expand"]>;
    try {
      expanded = this.expand(task, vars, `task '${taskName}'`);
    } catch (e) {
      if (!(e instanceof ExpandError)) throw e;
      this.createNode(nodeName, "Skipped", "Error", this.childOpts(d.prefix, taskName, taskName, "task", common), undefined, e.message);
      connect(nodeName);
      return;
    }
    if (expanded.isExpansion) {
      if (expanded.items.length === 0) {
        if (!this.nodes.has(nodeName)) {
          this.createNode(nodeName, "Skipped", "Skipped", this.childOpts(d.prefix, taskName, taskName, "task", common), undefined, "Skipped, empty params");
          connect(nodeName);
        }
        return;
      }
      if (!taskGroup) {
        connect(nodeName);
        taskGroup = this.createNode(nodeName, "TaskGroup", "Running", this.childOpts(d.prefix, taskName, taskName, "task", common));
      }
    }
    for (const item of expanded.items) {
      const childName = `${d.boundaryName}.${item.name}`;
      const copts = this.childOpts(d.prefix, item.name, taskName, "task", common);
      if (!this.nodes.has(childName)) {
        connect(childName);
        // §2.1 `when` is evaluated after depends; false ⇒ Skipped.
        const w = evalWhen(task.when, item.vars, `task '${taskName}'`);
        if (w !== true) {
          if (w === false) this.createNode(childName, "Skipped", "Skipped", copts, undefined, `when '${task.when}' evaluated false`);
          else this.createNode(childName, "Skipped", "Error", copts, undefined, w.error);
          continue;
        }
      }
      const n = this.executeTemplate(childName, task, this.paramArgs(task.arguments, item.vars), copts);
      if (isCompleted(n.phase)) {
        const [has, hn] = this.runOnExitNode(exitHookOf(task, this.spec), n, d.ctx, this.taskScope(d, taskName, n));
        if (has && (!hn || !isFulfilled(hn.phase))) return;
      }
    }
    if (taskGroup) {
      let groupPhase: Phase = "Succeeded";
      for (const item of expanded.items) {
        const n = this.nodes.get(`${d.boundaryName}.${item.name}`);
        if (!n || !isFulfilled(n.phase)) return;
        if (isFailedOrError(n.phase)) groupPhase = n.phase;
      }
      this.mark(taskGroup, groupPhase);
    }
  }

  /** dag.go evaluateDependsLogic. */
  private evaluateDependsLogic(d: DagCtx, taskName: string): { proceed: boolean; execute: boolean } {
    if (this.taskNode(d, taskName)) return { proceed: true, execute: true };
    const deps = this.taskDeps(d, taskName);
    const results = new Map<string, TaskResults>();
    for (const dep of deps.names) {
      const dn = this.taskNode(d, dep);
      // §1.2: dependents are not evaluated until all the dependency's hook nodes are fulfilled.
      if (!dn || !isFulfilled(dn.phase) || !this.allHooksFulfilled(dn)) return { proceed: false, execute: false };
      let anySucceeded = false;
      let allFailed = false;
      if (dn.type === "TaskGroup") {
        allFailed = dn.children.length > 0;
        for (const c of dn.children) {
          const p = this.nodes.get(c)?.phase;
          anySucceeded ||= p === "Succeeded";
          allFailed &&= p === "Failed";
        }
      }
      results.set(dep, {
        Succeeded: dn.phase === "Succeeded",
        Failed: dn.phase === "Failed",
        Errored: dn.phase === "Error",
        Skipped: dn.phase === "Skipped",
        Omitted: dn.phase === "Omitted",
        Daemoned: false, // daemon templates are rejected as unsupported
        AnySucceeded: anySucceeded,
        AllFailed: allFailed,
      });
    }
    return { proceed: true, execute: evalDepends(deps.ast!, results, (name) => d.tasks.get(name)!) };
  }

  private allHooksFulfilled(n: SNode): boolean {
    return n.children.every((c) => {
      const x = this.nodes.get(c);
      return !x || !x.hooked || isFulfilled(x.phase);
    });
  }

  /** §2.1 `dependencies` ≡ `depends: "A && B"`; bare names are expanded at evaluation. */
  private taskDeps(d: DagCtx, taskName: string): DepsInfo {
    const cached = d.deps.get(taskName);
    if (cached) return cached;
    const task = d.tasks.get(taskName)!;
    let logic = "";
    if (task.depends !== undefined && task.depends !== null && String(task.depends).trim() !== "") logic = String(task.depends);
    else if (task.dependencies && task.dependencies.length > 0) logic = task.dependencies.join(" && ");
    const info: DepsInfo = { names: [] };
    if (logic) {
      info.ast = parseDepends(logic, `task '${taskName}'`);
      info.names = collectDepNames(info.ast);
      for (const n of info.names)
        if (!d.tasks.has(n)) throw new InvalidWorkflowError(`task '${taskName}': dependency '${n}' not defined`);
    }
    d.deps.set(taskName, info);
    return info;
  }

  private validateDag(d: DagCtx, tmplName: string): void {
    for (const [name, t] of d.tasks) {
      if (t.depends && t.dependencies && t.dependencies.length > 0)
        throw new InvalidWorkflowError(`task '${name}' of '${tmplName}' uses both depends and dependencies`);
      this.taskDeps(d, name);
    }
    // cycles ⇒ the DAG could never finish
    const state = new Map<string, number>();
    const visit = (n: string, path: string[]) => {
      if (state.get(n) === 2) return;
      if (state.get(n) === 1) throw new InvalidWorkflowError(`dependency cycle in '${tmplName}': ${[...path, n].join(" -> ")}`);
      state.set(n, 1);
      for (const dep of this.taskDeps(d, n).names) visit(dep, [...path, n]);
      state.set(n, 2);
    };
    for (const n of d.taskOrder) visit(n, []);
  }

  /** GetTaskAncestry: transitive dependencies, whose `tasks.X.status` are in scope. */
  private ancestors(d: DagCtx, taskName: string): string[] {
    const out: string[] = [];
    const walk = (t: string) => {
      for (const dep of this.taskDeps(d, t).names) {
        if (!out.includes(dep)) {
          out.push(dep);
          walk(dep);
        }
      }
    };
    walk(taskName);
    return out;
  }

  private taskVars(d: DagCtx, taskName: string): Vars {
    const v = new Map(d.vars);
    for (const a of this.ancestors(d, taskName)) {
      const n = this.taskNode(d, a);
      if (n) v.set(`tasks.${a}.status`, n.phase);
      if (n?.phase === "Succeeded") for (const [name, value] of Object.entries(this.outputs[a] ?? {})) v.set(`tasks.${a}.outputs.parameters.${name}`, value);
    }
    return v;
  }

  private taskScope(d: DagCtx, taskName: string, node: SNode): Vars {
    const v = this.taskVars(d, taskName);
    v.set(`tasks.${taskName}.status`, node.phase);
    return v;
  }

  // ----- steps (steps.go) ----------------------------------------------------------------------

  private executeSteps(nodeName: string, tmpl: Template, tmplName: string, vars: Vars, o: ExecOpts): SNode {
    const node = this.nodes.get(nodeName) ?? this.createNode(nodeName, "Steps", "Running", o, tmplName);
    const groups = (tmpl.steps ?? []).map((g, i) => stepGroupOf(g, tmplName, i));
    const scope = new Map(vars);
    for (let i = 0; i < groups.length; i++) {
      const sgName = `${nodeName}[${i}]`;
      if (!this.nodes.has(sgName)) this.createNode(sgName, "StepGroup", "Running", { ...o, key: `${o.key}[${i}]`, visible: false });
      if (i === 0) this.addChild(nodeName, sgName);
      else {
        const prev = this.node(`${nodeName}[${i - 1}]`);
        if (prev.children.length === 0) this.addChild(prev.name, sgName);
        else for (const c of prev.children) for (const out of this.getOutboundNodes(c)) this.addChild(out, sgName);
      }
      const sg = this.executeStepGroup(groups[i]!, sgName, scope, o);
      if (!isFulfilled(sg.phase)) return node;
      if (isFailedOrError(sg.phase)) {
        this.updateStepsOutbound(node, groups.length);
        return this.mark(node, "Failed", sg.message); // steps.go: an unsuccessful group fails the steps node
      }
      for (const c of sg.children) {
        const cn = this.node(c);
        scope.set(`steps.${cn.displayName}.status`, cn.phase);
      }
    }
    this.updateStepsOutbound(node, groups.length);
    return this.mark(node, "Succeeded");
  }

  private updateStepsOutbound(node: SNode, groups: number): void {
    for (let i = groups - 1; i >= 0; i--) {
      const sg = this.nodes.get(`${node.name}[${i}]`);
      if (sg) {
        node.outbound = sg.children.flatMap((c) => this.getOutboundNodes(c));
        return;
      }
    }
  }

  private executeStepGroup(group: Holder[], sgName: string, scope: Vars, o: ExecOpts): SNode {
    const sg = this.node(sgName);
    if (isFulfilled(sg.phase) && sg.children.every((c) => isFulfilled(this.node(c).phase))) return sg;
    const common = { onExit: o.onExit, ctx: o.ctx };
    const nodeSteps = new Map<string, Holder>();
    for (const step of group) {
      if (!step.name) throw new InvalidWorkflowError(`a step in ${sgName} has no name`);
      const expanded = this.expanded(step, scope, `step '${step.name}'`);
      if (expanded.isExpansion && expanded.items.length === 0) {
        const childName = `${sgName}.${step.name}`;
        if (!this.nodes.has(childName)) {
          this.createNode(childName, "Skipped", "Skipped", this.childOpts(o.prefix, step.name, step.name, "step", common), undefined, "Skipped, empty params");
          this.addChild(sgName, childName);
        }
        continue;
      }
      for (const item of expanded.items) {
        const childName = `${sgName}.${item.name}`;
        const copts = this.childOpts(o.prefix, item.name, step.name, "step", common);
        // steps.go shouldExecute(step.When): false ⇒ Skipped; evaluation error ⇒ child and group Error.
        const w = evalWhen(step.when, item.vars, `step '${step.name}'`);
        if (w !== true) {
          if (w === false) {
            if (!this.nodes.has(childName)) {
              this.createNode(childName, "Skipped", "Skipped", copts, undefined, `when '${step.when}' evaluated false`);
              this.addChild(sgName, childName);
            }
            continue;
          }
          if (!this.nodes.has(childName)) this.createNode(childName, "Skipped", "Error", copts, undefined, w.error);
          this.addChild(sgName, childName);
          return this.mark(sg, "Error", w.error);
        }
        this.executeTemplate(childName, step, this.paramArgs(step.arguments, item.vars), copts);
        nodeSteps.set(childName, step);
        this.addChild(sgName, childName);
      }
    }
    let completed = true;
    for (const c of sg.children) {
      const child = this.node(c);
      const step = nodeSteps.get(c);
      scope.set(`steps.${child.displayName}.status`, child.phase);
      // §1.2: the group does not complete while a hook node under it is unfulfilled.
      if (!this.executeTmplLifeCycleHooks(scope, step?.hooks, child, o.ctx)) return sg;
      if (!isFulfilled(child.phase)) completed = false;
      else if (isCompleted(child.phase) && step) {
        const [has, hn] = this.runOnExitNode(exitHookOf(step, this.spec), child, o.ctx, scope);
        if (has && (!hn || !isFulfilled(hn.phase))) completed = false;
      }
    }
    if (!completed) {
      if (isFulfilled(sg.phase)) sg.phase = "Running";
      return sg;
    }
    // §1.2: hook phases never enter the step-group phase: only step nodes + continueOn.
    for (const c of sg.children) {
      const child = this.node(c);
      const step = nodeSteps.get(c);
      if (isFailedOrError(child.phase) && !(step && continuesOn(step, child.phase)))
        return this.mark(sg, "Failed", `child '${child.name}' failed`);
    }
    return this.mark(sg, "Succeeded");
  }

  // ----- hooks (hooks.go, exit_handler.go) ------------------------------------------------------

  /** §1.2 task/step exit hook (`hooks.exit` or legacy `onExit`): node `<parent>.onExit`, child of the hooked node. */
  private runOnExitNode(hook: LifecycleHook | undefined, parent: SNode, ctx: TmplCtx, scope: Vars): [boolean, SNode?] {
    if (!hook || !this.shouldExecute(true)) return [false];
    // §1.2: its optional `expression` is evaluated here.
    if (hook.expression && !evalExprBool(hook.expression, scope)) return [false];
    const name = `${parent.name}.onExit`;
    const n = this.executeTemplate(name, hook, this.paramArgs(hook.arguments, scope), {
      onExit: true,
      hooked: true,
      ctx,
      key: `${parent.key}.onExit`,
      prefix: `${parent.key}.onExit`,
      inv: { name: hookTemplateName(hook), kind: "exit-hook" },
    });
    this.addChild(parent.name, name);
    return [true, n];
  }

  /** §1.2 expression hooks (`hooks.<name>` other than exit): fire once when the expression holds. */
  private executeTmplLifeCycleHooks(scope: Vars, hooks: Record<string, LifecycleHook> | undefined, parent: SNode, ctx: TmplCtx): boolean {
    if (!hooks) return true;
    const out: SNode[] = [];
    for (const hookName of Object.keys(hooks).sort()) {
      if (hookName === "exit") continue;
      const hook = hooks[hookName]!;
      const name = `${parent.name}.hooks.${hookName}`;
      if (!hook.expression) throw new InvalidWorkflowError(`Expression required for hook ${name}`);
      const execute = evalExprBool(hook.expression, scope);
      if (execute || this.nodes.has(name)) {
        out.push(
          this.executeTemplate(name, hook, this.paramArgs(hook.arguments, scope), {
            onExit: false, // hooks.go passes no onExitTemplate: expression hooks are ordinary pods
            hooked: true,
            ctx,
            key: `${parent.key}.hooks.${hookName}`,
            prefix: `${parent.key}.hooks.${hookName}`,
            inv: { name: hookTemplateName(hook), kind: "hook" },
          }),
        );
        this.addChild(parent.name, name);
      }
    }
    return out.every((n) => isFulfilled(n.phase));
  }

  // ----- helpers -------------------------------------------------------------------------------

  private childOpts(
    prefix: string,
    childName: string,
    name: string,
    kind: InvocationKind,
    common: { onExit: boolean; ctx: TmplCtx },
  ): ExecOpts {
    const key = prefix ? `${prefix}.${childName}` : childName;
    return { ...common, key, prefix: key, inv: { name, kind } };
  }

  private createNode(
    name: string,
    type: SimNodeType,
    phase: Phase,
    o: ExecOpts,
    template?: string,
    message?: string,
  ): SNode {
    if (this.nodes.has(name)) throw new Error(`argo-sim internal: node ${name} created twice`);
    const visible = o.visible ?? true;
    const n: SNode = {
      name,
      key: o.key,
      logicalKey: o.logicalKey ?? o.key,
      displayName: displayNameOf(name),
      type,
      phase,
      children: [],
      outbound: [],
      hooked: o.hooked ?? false,
      onExit: o.onExit,
      attempt: o.attempt ?? 0,
      podCreated: false,
      visible,
    };
    if (template !== undefined) n.template = template;
    if (message !== undefined) n.message = message;
    n.inv = { key: o.logicalKey ?? o.key, name: o.inv.name, template: template ?? "", kind: o.inv.kind };
    this.nodes.set(name, n);
    return n;
  }

  private mark(n: SNode, phase: Phase, message?: string): SNode {
    n.phase = phase;
    if (message !== undefined) n.message = message;
    return n;
  }

  private node(name: string): SNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`argo-sim internal: no node ${name}`);
    return n;
  }

  private addChild(parent: string, child: string): void {
    const p = this.nodes.get(parent);
    if (p && !p.children.includes(child)) p.children.push(child);
  }

  /** Resolved `arguments.parameters` (values substituted in the caller's scope; data stays raw). */
  private paramArgs(args: Arguments | undefined, vars: Vars): Vars {
    const out: Vars = new Map();
    for (const p of args?.parameters ?? []) {
      if (p.value !== undefined) out.set(p.name, substitute(str(p.value), vars));
    }
    return out;
  }

  /** Globals + `inputs.parameters.*` of the invoked template. */
  private inputVars(tmpl: Template, args: Vars): Vars {
    const v = new Map(this.globals);
    for (const p of tmpl.inputs?.parameters ?? []) {
      const val = args.get(p.name) ?? (p.value !== undefined ? str(p.value) : p.default !== undefined ? str(p.default) : undefined);
      if (val !== undefined) v.set(`inputs.parameters.${p.name}`, val);
    }
    return v;
  }

  /** `expand` for a step, whose failed expansion (steps.go) is not simulated. */
  private expanded(h: Holder, vars: Vars, what: string): ReturnType<Simulator["expand"]> {
    try {
      return this.expand(h, vars, what);
    } catch (e) {
      throw e instanceof ExpandError ? new UnsupportedError(`${what}: ${e.message}`) : e;
    }
  }

  /** withItems / withParam / withSequence expansion (`name(i:item)`), or the holder itself. */
  private expand(h: Holder, vars: Vars, what: string): { isExpansion: boolean; items: Array<{ name: string; vars: Vars }> } {
    const name = h.name!;
    let items: unknown[] | undefined;
    if (h.withItems !== undefined) items = h.withItems;
    else if (h.withParam !== undefined) {
      // `{{= expr }}` tags are computed by expr-lang first, as in `when` (a fan-out that carries its guard).
      // A tag left unresolved (an output not in scope) stays in the text, which is then no JSON list.
      const raw = substitute(str(h.withParam).replace(/\{\{=(.*?)\}\}/g, (_, e: string) => String(evalExpr(e, vars))), vars);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      // Go's json.Unmarshal reads `null` into a nil slice without an error: no items.
      if (parsed === null) parsed = [];
      if (!Array.isArray(parsed)) throw new ExpandError(`withParam value could not be parsed as a JSON list: ${raw.trim()}`);
      items = parsed;
    } else if (h.withSequence !== undefined) {
      const num = (x: unknown): number | undefined => {
        if (x === undefined) return undefined;
        const s = substitute(str(x), vars);
        if (!/^-?\d+$/.test(s)) throw new UnsupportedError(`${what}: withSequence value '${s}'`);
        return Number(s);
      };
      const count = num(h.withSequence.count);
      const start = num(h.withSequence.start) ?? 0;
      const end = count !== undefined ? start + count - 1 : num(h.withSequence.end) ?? 0;
      items = [];
      if (count === undefined || count > 0) {
        if (start <= end) for (let i = start; i <= end; i++) items.push(String(i));
        else for (let i = start; i >= end; i--) items.push(String(i));
      }
    }
    if (items === undefined) return { isExpansion: false, items: [{ name, vars }] };
    return {
      isExpansion: true,
      items: items.map((item, i) => {
        const v = new Map(vars);
        v.set("item", itemString(item));
        if (item && typeof item === "object" && !Array.isArray(item))
          for (const [k, x] of Object.entries(item as Dict)) v.set(`item.${k}`, str(x));
        return { name: `${name}(${i}:${itemString(item)})`, vars: v };
      }),
    };
  }

  private result(): SimResult {
    const nodes: Record<string, SimNode> = {};
    for (const n of this.nodes.values()) {
      if (!n.visible) continue;
      if (n.name === this.wfName && (n.type === "DAG" || n.type === "Steps")) continue;
      if (Object.prototype.hasOwnProperty.call(nodes, n.key)) throw new Error(`argo-sim internal: duplicate node key ${n.key}`);
      const attemptsOf = n.type === "Retry" ? n.children.map((c) => this.node(c)).filter((c) => !c.hooked) : [];
      const sn: SimNode = {
        phase: n.phase === "Pending" || n.phase === "Running" ? "Running" : n.phase,
        attempts:
          n.type === "Retry"
            ? attemptsOf.length
            : n.type === "Skipped"
              ? 0
              : n.type === "Pod" || n.type === "HTTP" || n.type === "Plugin"
                ? n.podCreated
                  ? 1
                  : 0
                : 1,
        ran: n.type === "Retry" ? attemptsOf.some((c) => c.podCreated) : n.podCreated,
        type: n.type,
      };
      if (n.template !== undefined) sn.template = n.template;
      if (n.message !== undefined) sn.message = n.message;
      nodes[n.key] = sn;
    }
    const res: SimResult = { phase: this.wfPhase!, nodes, ran: [...this.ranKeys], pods: [...this.podLog] };
    if (this.nodes.has(`${this.wfName}.onExit`)) res.exitHandlerPhase = nodes.onExit!.phase;
    if (this.wfMessage !== undefined) res.message = this.wfMessage;
    return res;
  }
}

// ---------------------------------------------------------------------------------------------
// Small pure helpers
// ---------------------------------------------------------------------------------------------

function indexTemplates(list: Template[], label: string): Map<string, Template> {
  const m = new Map<string, Template>();
  for (const t of list) {
    if (!t.name) throw new InvalidWorkflowError(`a template in ${label} has no name`);
    if (m.has(t.name)) throw new InvalidWorkflowError(`duplicate template '${t.name}' in ${label}`);
    m.set(t.name, t);
  }
  return m;
}

function leafType(t: Template): (typeof LEAF_TYPES)[number] | null {
  for (const k of LEAF_TYPES) if (t[k] !== undefined && t[k] !== null) return k;
  return null;
}

function checkTemplateSupported(t: Template, name: string): void {
  if (t.daemon) throw new UnsupportedError(`daemon template '${name}' (.Daemoned)`);
  if (t.templateRef !== undefined) throw new UnsupportedError(`template-level templateRef in '${name}'`);
  // Up front, not only when a retry is decided: an expression outside the subset is unsupported.
  if (t.retryStrategy?.expression !== undefined) retryExpressionAllows(t.retryStrategy, { phase: "Failed", exitCode: "1" } as SNode);
}

/** §3.1 `expression` over `lastRetry.exitCode` / `lastRetry.status` (the subset evalExprBool reads). */
function retryExpressionAllows(rs: RetryStrategy, last: SNode): boolean {
  if (rs.expression === undefined) return true;
  const scope: Vars = new Map([
    ["lastRetry.exitCode", last.exitCode ?? "0"],
    ["lastRetry.status", last.phase],
  ]);
  return evalExprBool(rs.expression, scope);
}

/** §3.1 limit (IntOrString): retries after the first attempt; omitted ⇒ unlimited. */
function retryLimit(rs: RetryStrategy, name: string): number {
  if (rs.limit === undefined || rs.limit === null) return Number.POSITIVE_INFINITY;
  if (typeof rs.limit === "number" && Number.isInteger(rs.limit)) return rs.limit;
  if (typeof rs.limit === "string" && /^\d+$/.test(rs.limit.trim())) return Number(rs.limit.trim());
  throw new UnsupportedError(`retryStrategy.limit '${String(rs.limit)}' in '${name}'`);
}

/** §3.1 retryPolicy: default OnFailure; OnTransientError is treated as "retry on Error" here. */
function retryPolicyAllows(rs: RetryStrategy, phase: Phase, name: string): boolean {
  const policy = rs.retryPolicy ?? "OnFailure";
  switch (policy) {
    case "Always":
      return phase === "Failed" || phase === "Error";
    case "OnFailure":
      return phase === "Failed";
    case "OnError":
    case "OnTransientError":
      return phase === "Error";
    default:
      throw new InvalidWorkflowError(`retryPolicy '${policy}' in '${name}'`);
  }
}

/** §2.1 continueOn {failed, error}. */
function continuesOn(h: Holder, phase: Phase | ""): boolean {
  if (!h.continueOn) return false;
  return (phase === "Failed" && !!h.continueOn.failed) || (phase === "Error" && !!h.continueOn.error);
}

/** §1.2: legacy `onExit: <template>` (passes the workflow arguments) or `hooks.exit`. */
function exitHookOf(h: Holder, spec: WorkflowSpec): LifecycleHook | undefined {
  if (h.onExit) return { template: h.onExit, arguments: spec.arguments };
  return h.hooks?.exit;
}

function hookTemplateName(h: LifecycleHook): string {
  return h.template ?? h.templateRef?.template ?? "?";
}

function workflowStatusOf(p: Phase): "Running" | "Succeeded" | "Failed" | "Error" {
  switch (p) {
    case "Pending":
    case "Running":
      return "Running";
    case "Failed":
      return "Failed";
    case "Error":
      return "Error";
    default:
      return "Succeeded"; // Succeeded, Skipped, Omitted
  }
}

function checkResult(r: string): AttemptResult {
  if (r === "Succeeded" || r === "Failed" || r === "Error" || /^Failed:\d+$/.test(r)) return r as AttemptResult;
  throw new Error(`argo-sim: invalid attempt result '${r}' (Succeeded | Failed | Failed:<exit code> | Error)`);
}

function stepGroupOf(g: unknown, tmplName: string, i: number): Holder[] {
  if (Array.isArray(g)) return g as Holder[];
  if (g && typeof g === "object" && Array.isArray((g as Dict).steps)) return (g as Dict).steps as Holder[];
  throw new InvalidWorkflowError(`steps[${i}] of '${tmplName}' is not a list of steps`);
}

function displayNameOf(nodeName: string): string {
  // last segment after the last '.' that is not inside parentheses
  let depth = 0;
  for (let i = nodeName.length - 1; i >= 0; i--) {
    const c = nodeName[i];
    if (c === ")") depth++;
    else if (c === "(") depth--;
    else if (c === "." && depth === 0) return nodeName.slice(i + 1);
  }
  return nodeName;
}

function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

function itemString(item: unknown): string {
  if (item && typeof item === "object") return JSON.stringify(sortKeys(item));
  return str(item);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v as Dict).sort().map((k) => [k, sortKeys((v as Dict)[k])]));
  return v;
}

/** Replaces `{{name}}` for known names; unknown references are left in place. */
function substitute(s: string, vars: Vars): string {
  return s.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (m, name: string) => (vars.has(name) ? vars.get(name)! : m));
}

// ---------------------------------------------------------------------------------------------
// `depends` (§2.1; workflow/common/ancestry.go + dag.go evaluateDependsLogic)
// ---------------------------------------------------------------------------------------------

type DepAst =
  | { t: "or" | "and"; l: DepAst; r: DepAst }
  | { t: "not"; e: DepAst }
  | { t: "atom"; name: string; result?: string };

interface TaskResults {
  Succeeded: boolean;
  Failed: boolean;
  Errored: boolean;
  Skipped: boolean;
  Omitted: boolean;
  Daemoned: boolean;
  AnySucceeded: boolean;
  AllFailed: boolean;
}
const RESULTS = new Set(["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"]);

function parseDepends(src: string, what: string): DepAst {
  // Names: `[a-zA-Z0-9][-a-zA-Z0-9]*` (hyphens allowed), optionally `.Result`.
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||!|\(|\)|[a-zA-Z0-9][-a-zA-Z0-9]*(?:\.[A-Za-z]+)?)/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new InvalidWorkflowError(`${what}: cannot parse depends '${src}' at '${src.slice(pos)}'`);
    tokens.push(m[1]!);
    pos = re.lastIndex;
  }
  let i = 0;
  const peek = () => tokens[i];
  const parseOr = (): DepAst => {
    let l = parseAnd();
    while (peek() === "||") {
      i++;
      l = { t: "or", l, r: parseAnd() };
    }
    return l;
  };
  const parseAnd = (): DepAst => {
    let l = parseUnary();
    while (peek() === "&&") {
      i++;
      l = { t: "and", l, r: parseUnary() };
    }
    return l;
  };
  const parseUnary = (): DepAst => {
    const tok = peek();
    if (tok === "!") {
      i++;
      return { t: "not", e: parseUnary() };
    }
    if (tok === "(") {
      i++;
      const e = parseOr();
      if (peek() !== ")") throw new InvalidWorkflowError(`${what}: missing ')' in depends '${src}'`);
      i++;
      return e;
    }
    if (tok === undefined || tok === ")" || tok === "&&" || tok === "||")
      throw new InvalidWorkflowError(`${what}: unexpected '${tok ?? "end"}' in depends '${src}'`);
    i++;
    const dot = tok.indexOf(".");
    if (dot < 0) return { t: "atom", name: tok };
    const result = tok.slice(dot + 1);
    if (!RESULTS.has(result)) throw new InvalidWorkflowError(`${what}: unknown task result '.${result}' in depends '${src}'`);
    return { t: "atom", name: tok.slice(0, dot), result };
  };
  const ast = parseOr();
  if (i !== tokens.length) throw new InvalidWorkflowError(`${what}: unexpected '${tokens[i]}' in depends '${src}'`);
  return ast;
}

function collectDepNames(a: DepAst, out: string[] = []): string[] {
  if (a.t === "atom") {
    if (!out.includes(a.name)) out.push(a.name);
  } else if (a.t === "not") collectDepNames(a.e, out);
  else {
    collectDepNames(a.l, out);
    collectDepNames(a.r, out);
  }
  return out;
}

function evalDepends(a: DepAst, results: Map<string, TaskResults>, task: (n: string) => Holder): boolean {
  switch (a.t) {
    case "or":
      return evalDepends(a.l, results, task) || evalDepends(a.r, results, task);
    case "and":
      return evalDepends(a.l, results, task) && evalDepends(a.r, results, task);
    case "not":
      return !evalDepends(a.e, results, task);
    case "atom": {
      const r = results.get(a.name)!;
      if (a.result) return r[a.result as keyof TaskResults];
      // §2.1 expandDependency: bare name ⇒ (X.Succeeded || X.Skipped || X.Daemoned)
      //   [|| X.Errored if X.continueOn.error] [|| X.Failed if X.continueOn.failed]
      const c = task(a.name).continueOn;
      return r.Succeeded || r.Skipped || r.Daemoned || (!!c?.error && r.Errored) || (!!c?.failed && r.Failed);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// `when` (§2.1: govaluate after {{…}} substitution; unquoted words are strings) — subset
// ---------------------------------------------------------------------------------------------

type WVal = { k: "str"; v: string } | { k: "num"; v: number } | { k: "bool"; v: boolean };

/** true / false, or an evaluation error (⇒ node Error, as in the controller). Throws for unsupported forms. */
function evalWhen(when: string | undefined, vars: Vars, what: string): boolean | { error: string } {
  if (when === undefined || when === null || String(when).trim() === "") return true;
  const src = String(when);
  // `{{= expr }}` tags are computed by expr-lang first (§2.1), within evalExprBool's subset.
  const s = substitute(src.replace(/\{\{=(.*?)\}\}/g, (_, expr: string) => String(evalExprBool(expr, vars))), vars);
  const left = s.match(/\{\{[^}]*\}\}/g);
  if (left) throw new UnsupportedError(`${what}: when '${src}' references ${left.join(", ")} (not simulated)`);
  const tokens: string[] = [];
  const re = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|&&|\|\||==|!=|!|\(|\)|-?\d+(?:\.\d+)?(?![\w.])|[A-Za-z_][A-Za-z0-9_.]*)/y;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new UnsupportedError(`${what}: when '${src}' (after substitution '${s}') is outside the supported subset (==, !=, &&, ||, !, parentheses, literals)`);
    tokens.push(m[1]!);
    pos = re.lastIndex;
  }
  let i = 0;
  const unsupported = () =>
    new UnsupportedError(`${what}: when '${src}' (after substitution '${s}') is outside the supported subset`);
  const primary = (): WVal | boolean => {
    const t = tokens[i++];
    if (t === undefined) throw unsupported();
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") throw unsupported();
      return v;
    }
    if (t === "true" || t === "false") return { k: "bool", v: t === "true" };
    if (/^['"]/.test(t)) return { k: "str", v: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { k: "num", v: Number(t) };
    if (/^[A-Za-z_]/.test(t)) return { k: "str", v: t }; // govaluate VARIABLE ⇒ STRING (steps.go)
    throw unsupported();
  };
  const cmp = (): WVal | boolean => {
    const l = primary();
    const op = tokens[i];
    if (op === "==" || op === "!=") {
      i++;
      const r = primary();
      const lv = typeof l === "boolean" ? { k: "bool" as const, v: l } : l;
      const rv = typeof r === "boolean" ? { k: "bool" as const, v: r } : r;
      const eq = lv.k === rv.k && lv.v === rv.v;
      return op === "==" ? eq : !eq;
    }
    return l;
  };
  const asBool = (v: WVal | boolean): boolean => {
    if (typeof v === "boolean") return v;
    if (v.k === "bool") return v.v;
    throw new EvalError(`Expected boolean evaluation for '${s}'`);
  };
  const unary = (): WVal | boolean => {
    if (tokens[i] === "!") {
      i++;
      return !asBool(unary());
    }
    return cmp();
  };
  const and = (): WVal | boolean => {
    let l = unary();
    while (tokens[i] === "&&") {
      i++;
      const r = unary();
      l = asBool(l) && asBool(r);
    }
    return l;
  };
  const or = (): WVal | boolean => {
    let l = and();
    while (tokens[i] === "||") {
      i++;
      const r = and();
      l = asBool(l) || asBool(r);
    }
    return l;
  };
  try {
    const v = or();
    if (i !== tokens.length) throw unsupported();
    return asBool(v);
  } catch (e) {
    if (e instanceof EvalError) return { error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Hook `expression` and `retryStrategy.expression` (§1.1/§1.2/§3.1: plain expr-lang) — subset:
// member access, string/bool literals, ==, !=, `in [list]`, &&/and, ||/or, !/not, parentheses.
// Variables come from the flat scope (`tasks.work.status`, `steps.step-1.status`,
// `workflow.status`, `lastRetry.exitCode`, `lastRetry.status`).
// ---------------------------------------------------------------------------------------------

function evalExprBool(src: string, vars: Vars): boolean {
  const v = evalExpr(src, vars);
  if (typeof v !== "boolean") throw new UnsupportedError(`expression '${src}' is not a boolean`);
  return v;
}

/** An expr-lang expression's value, within the subset above plus `cond ? a : b` (a fan-out's withParam). */
function evalExpr(src: string, vars: Vars): unknown {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|&&|\|\||==|!=|!|\?|:|\(|\)|\[|\]|\.|,|[A-Za-z_][A-Za-z0-9_]*)/y;
  let pos = 0;
  const unsupported = () => new UnsupportedError(`hook expression '${src}' is outside the supported subset`);
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw unsupported();
    tokens.push(m[1]!);
    pos = re.lastIndex;
  }
  // Parsed into thunks, evaluated after: `&&` and `||` short-circuit as in expr-lang, so a
  // member a guarded branch never reaches need not be in scope.
  type Thunk = () => unknown;
  let i = 0;
  // expr-lang string literals take Go's escapes; JSON's cover the ones the compiler writes (\", \\, \u).
  const strLit = (t: string) => (t.startsWith('"') ? (JSON.parse(t) as string) : t.slice(1, -1));
  const primary = (): Thunk => {
    const t = tokens[i++];
    if (t === undefined) throw unsupported();
    if (t === "(") {
      const v = ternary();
      if (tokens[i++] !== ")") throw unsupported();
      return v;
    }
    if (t === "true" || t === "false") return () => t === "true";
    if (t === "nil") return () => null;
    if (/^['"]/.test(t)) {
      const v = strLit(t);
      return () => v;
    }
    if (/^[A-Za-z_]/.test(t)) {
      const path = [t];
      for (;;) {
        if (tokens[i] === ".") {
          const n = tokens[i + 1];
          if (!n || !/^[A-Za-z_]/.test(n)) throw unsupported();
          path.push(n);
          i += 2;
        } else if (tokens[i] === "[") {
          const n = tokens[i + 1];
          if (!n || !/^['"]/.test(n) || tokens[i + 2] !== "]") throw unsupported();
          path.push(strLit(n));
          i += 3;
        } else break;
      }
      const key = path.join(".");
      return () => {
        if (!vars.has(key)) throw new UnsupportedError(`hook expression '${src}': '${key}' is not in the simulated scope`);
        return vars.get(key);
      };
    }
    throw unsupported();
  };
  const list = (): Thunk[] => {
    if (tokens[i++] !== "[") throw unsupported();
    const items: Thunk[] = [];
    while (tokens[i] !== "]") {
      items.push(primary());
      if (tokens[i] === ",") i++;
      else if (tokens[i] !== "]") throw unsupported();
    }
    i++;
    return items;
  };
  const cmp = (): Thunk => {
    const l = primary();
    const op = tokens[i];
    if (op === "in") {
      i++;
      const items = list();
      return () => {
        const v = l();
        return items.some((x) => x() === v);
      };
    }
    if (op === "==" || op === "!=") {
      i++;
      const r = primary();
      return () => (op === "==" ? l() === r() : l() !== r());
    }
    return l;
  };
  const bool = (v: unknown): boolean => {
    if (typeof v !== "boolean") throw unsupported();
    return v;
  };
  const unary = (): Thunk => {
    if (tokens[i] === "!" || tokens[i] === "not") {
      i++;
      const v = unary();
      return () => !bool(v());
    }
    return cmp();
  };
  const and = (): Thunk => {
    let l = unary();
    while (tokens[i] === "&&" || tokens[i] === "and") {
      i++;
      const [a, b] = [l, unary()];
      l = () => bool(a()) && bool(b());
    }
    return l;
  };
  const or = (): Thunk => {
    let l = and();
    while (tokens[i] === "||" || tokens[i] === "or") {
      i++;
      const [a, b] = [l, and()];
      l = () => bool(a()) || bool(b());
    }
    return l;
  };
  // Lazy like `and`/`or`: only the branch taken is evaluated.
  const ternary = (): Thunk => {
    const c = or();
    if (tokens[i] !== "?") return c;
    i++;
    const a = ternary();
    if (tokens[i++] !== ":") throw unsupported();
    const b = ternary();
    return () => (bool(c()) ? a() : b());
  };
  const v = ternary();
  if (i !== tokens.length) throw unsupported();
  return v();
}
