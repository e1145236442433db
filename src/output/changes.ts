/**
 * What changed between committed manifests and fresh output: a unified diff per file (the `diff`
 * library) and, per pipeline, one line saying what changed in meaning: tasks added or removed,
 * dependencies, images, retry policies.
 */
import { createTwoFilesPatch } from "diff";
import { parseAllDocuments } from "yaml";

export function unifiedDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
}

interface TaskFacts {
  depends: string;
  image: string;
  retry: string;
}

/** Task facts of an Argo manifest: DAG tasks of every DAG template, with their leaf template's image and retry. */
function facts(yaml: string): Map<string, TaskFacts> | undefined {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(yaml).map((d) => d.toJS() as unknown);
  } catch {
    return undefined;
  }
  const out = new Map<string, TaskFacts>();
  for (const doc of docs) {
    const spec = (doc as { spec?: Record<string, unknown> } | null)?.spec;
    const wf = (spec?.workflowSpec ?? spec) as { templates?: Record<string, unknown>[] } | undefined;
    const templates = wf?.templates ?? [];
    const byName = new Map(templates.map((t) => [t.name as string, t]));
    for (const t of templates) {
      const dag = t.dag as { tasks?: { name: string; template: string; depends?: string }[] } | undefined;
      for (const task of dag?.tasks ?? []) {
        if (task.name.startsWith("gantry-")) continue;
        const leaf = byName.get(task.template) ?? {};
        const container = (leaf.container ?? leaf.script ?? {}) as { image?: string };
        out.set(task.name, { depends: task.depends ?? "", image: container.image ?? "", retry: JSON.stringify(leaf.retryStrategy ?? null) });
      }
    }
  }
  return out;
}

/** One line per pipeline file saying what changed in meaning, or undefined if only formatting did. */
export function meaningChange(pipeline: string, before: string | undefined, after: string | undefined): string | undefined {
  if (before === undefined) return `${pipeline}: new pipeline`;
  if (after === undefined) return `${pipeline}: pipeline removed`;
  const old = facts(before);
  const now = facts(after);
  if (!old || !now) return `${pipeline}: changed (previous manifest could not be read)`;
  const parts: string[] = [];
  const added = [...now.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  if (added.length) parts.push(`tasks added: ${added.join(", ")}`);
  if (removed.length) parts.push(`tasks removed: ${removed.join(", ")}`);
  const kept = [...now.keys()].filter((k) => old.has(k));
  const which = (f: keyof TaskFacts) => kept.filter((k) => old.get(k)![f] !== now.get(k)![f]);
  const deps = which("depends");
  if (deps.length) parts.push(`dependencies changed: ${deps.join(", ")}`);
  for (const k of which("image")) parts.push(`image of ${k}: ${old.get(k)!.image} -> ${now.get(k)!.image}`);
  const retry = which("retry");
  if (retry.length) parts.push(`retry policy changed: ${retry.join(", ")}`);
  return `${pipeline}: ${parts.length ? parts.join("; ") : "changed (no task, dependency, image or retry change)"}`;
}
