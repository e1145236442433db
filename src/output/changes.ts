/**
 * What changed between committed manifests and fresh output: a unified diff per file (the `diff`
 * library) and, per pipeline, one line saying what changed in meaning: tasks added or removed,
 * dependencies, run-time conditions, images, resources, retry policies, the schedule.
 */
import { createTwoFilesPatch } from "diff";
import { parseAllDocuments } from "yaml";
import { leavesOf } from "../ir/condition-tree.js";

export function unifiedDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
}

interface TaskFacts {
  depends: string;
  /** What the task tests once it may start (a `when` left for the run), "" for nothing. */
  condition: string;
  image: string;
  resources: string;
  retry: string;
}

/** What a manifest says a pipeline does: its tasks, and its schedule ("" for none). */
interface PipelineFacts {
  tasks: Map<string, TaskFacts>;
  schedule: string;
}

/**
 * Facts of a manifest. Argo: DAG tasks of every DAG template, with their `when` (and a fan-out's `withParam`) and their leaf
 * template's image, resources and retry; a CronWorkflow's schedule. Jobs: each task's Job (also
 * those a scheduled run's driver creates), its start condition and `runsIf`, image, resources,
 * backoffLimit and podFailurePolicy; each CronJob's schedule.
 */
function facts(yaml: string): PipelineFacts | undefined {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(yaml).map((d) => d.toJS() as unknown);
  } catch {
    return undefined;
  }
  const out = new Map<string, TaskFacts>();
  const schedules: string[] = [];
  for (const doc of docs) {
    jobFacts(doc, out);
    const o = doc as Json | null;
    if (o?.kind === "CronWorkflow" || o?.kind === "CronJob") {
      const { schedules: list, schedule, timezone, timeZone, concurrencyPolicy, suspend, startingDeadlineSeconds } = (o.spec ?? {}) as Json;
      schedules.push(JSON.stringify([list ?? schedule, timezone ?? timeZone, concurrencyPolicy, suspend ?? false, startingDeadlineSeconds]));
    }
    const spec = (doc as { spec?: Record<string, unknown> } | null)?.spec;
    const wf = (spec?.workflowSpec ?? spec) as { templates?: Record<string, unknown>[] } | undefined;
    const templates = wf?.templates ?? [];
    const byName = new Map(templates.map((t) => [t.name as string, t]));
    for (const t of templates) {
      const dag = t.dag as { tasks?: { name: string; template: string; depends?: string; when?: string; withParam?: string }[] } | undefined;
      for (const task of dag?.tasks ?? []) {
        if (task.name.startsWith("gantry-")) continue;
        const leaf = byName.get(task.template) ?? {};
        const container = (leaf.container ?? leaf.script ?? {}) as { image?: string; resources?: unknown };
        // A fan-out's list carries its guard (argo/when.ts fanOutList): a change of either is a change of condition.
        const condition = task.withParam === undefined ? task.when ?? "" : JSON.stringify([task.when ?? "", task.withParam]);
        out.set(task.name, { depends: task.depends ?? "", condition, image: container.image ?? "", resources: JSON.stringify(container.resources ?? null), retry: JSON.stringify(leaf.retryStrategy ?? null) });
      }
    }
  }
  return { tasks: out, schedule: schedules.sort().join("\n") };
}

type Json = Record<string, any>;

function jobFacts(doc: unknown, out: Map<string, TaskFacts>): void {
  const o = doc as Json | null;
  if (o?.kind === "ConfigMap" && typeof o.data?.["objects.json"] === "string") {
    try {
      for (const job of JSON.parse(o.data["objects.json"]) as unknown[]) jobFacts(job, out);
    } catch {
      // Not a driver's objects: nothing to report.
    }
    return;
  }
  if (o?.kind !== "Job") return;
  const labels = (o.metadata?.labels ?? {}) as Record<string, string>;
  const task = Object.entries(labels).find(([k]) => k.endsWith("/task"))?.[1];
  if (task === undefined) return;
  const pod = o.spec?.template?.spec ?? {};
  const wait = (pod.initContainers ?? []).find((c: Json) => c.name === "await-deps");
  const config = wait?.env?.find((e: Json) => e.name === "GANTRY_AWAIT")?.value;
  const parsed = typeof config === "string" ? (JSON.parse(config) as Json) : undefined;
  const when = parsed ? JSON.stringify(parsed.when ?? null) : "";
  const condition = parsed?.runsIf ? JSON.stringify([parsed.runsIf, testedDefaults(parsed.runsIf, parsed.outputs)]) : "";
  const main = (pod.containers ?? []).find((c: Json) => c.name === "main") ?? {};
  out.set(task, { depends: when, condition, image: main.image ?? "", resources: JSON.stringify(main.resources ?? null), retry: JSON.stringify({ backoffLimit: o.spec?.backoffLimit, podFailurePolicy: o.spec?.podFailurePolicy }) });
}

/**
 * What an output test falls back on, per task it tests (`default`, or `value` for a task skipped when
 * compiling): on Argo that is folded into the `when` text, on jobs it sits in the await's `outputs`.
 */
function testedDefaults(runsIf: Json, outputs: unknown): Json[] {
  const tested = new Set(leavesOf<Json>(runsIf).map((leaf) => leaf.output as unknown));
  return (Array.isArray(outputs) ? (outputs as Json[]) : []).filter((o) => tested.has(o.task)).map((o) => ({ task: o.task, default: o.default, value: o.value }));
}

/** One line per pipeline file saying what changed in meaning, or undefined if only formatting did. */
export function meaningChange(pipeline: string, before: string | undefined, after: string | undefined): string | undefined {
  if (before === undefined) return `${pipeline}: new pipeline`;
  if (after === undefined) return `${pipeline}: pipeline removed`;
  const oldFacts = facts(before);
  const nowFacts = facts(after);
  if (!oldFacts || !nowFacts) return `${pipeline}: changed (previous manifest could not be read)`;
  const [old, now] = [oldFacts.tasks, nowFacts.tasks];
  const parts: string[] = [];
  if (oldFacts.schedule !== nowFacts.schedule) parts.push(!oldFacts.schedule ? "schedule added" : !nowFacts.schedule ? "schedule removed" : "schedule changed");
  const added = [...now.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  if (added.length) parts.push(`tasks added: ${added.join(", ")}`);
  if (removed.length) parts.push(`tasks removed: ${removed.join(", ")}`);
  const kept = [...now.keys()].filter((k) => old.has(k));
  const which = (f: keyof TaskFacts) => kept.filter((k) => old.get(k)![f] !== now.get(k)![f]);
  const deps = which("depends");
  if (deps.length) parts.push(`dependencies changed: ${deps.join(", ")}`);
  const conditions = which("condition");
  if (conditions.length) parts.push(`conditions changed: ${conditions.join(", ")}`);
  for (const k of which("image")) parts.push(`image of ${k}: ${old.get(k)!.image} -> ${now.get(k)!.image}`);
  const resources = which("resources");
  if (resources.length) parts.push(`resources changed: ${resources.join(", ")}`);
  const retry = which("retry");
  if (retry.length) parts.push(`retry policy changed: ${retry.join(", ")}`);
  return `${pipeline}: ${parts.length ? parts.join("; ") : "changed (no task, dependency, condition, image, resource, retry or schedule change)"}`;
}
