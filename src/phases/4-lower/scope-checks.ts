/**
 * Compile-time checks of setup/teardown wiring (issue: setup/teardown on Argo, point 2). They need
 * scopes, so they live with the semantics rather than in the model phase.
 */
import type { Diagnostic, FieldRef } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";
import { findCycles } from "../../ir/cycles.js";
import { reach, waitsFor, type Scopes } from "../../ir/scopes.js";
import { andList } from "../../util/and-list.js";
import { RUN_ID_PLACEHOLDER } from "../../ir/placeholders.js";


/**
 * `readsRunStatus`: the tasks with `p.runStatus` in any of their strings (found once, by `lower`);
 * `tasksJson`: each task as `lower` wrote it for the pipeline hash, in the pipeline's order.
 */
export function checkScopes(pipeline: IR.Pipeline, scopes: Scopes, readsRunStatus: ReadonlySet<string>, tasksJson: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(pipeline.tasks.map((t) => [t.name, t]));
  const at = (t: IR.Task) => ({ file: t.source.file, line: t.source.line, column: t.source.column });
  // `field`: where in the task's spec the mistake is, for the front end to point at (Diagnostic.field).
  const report = (code: Diagnostic["code"], severity: Diagnostic["severity"], t: IR.Task, message: string, hint?: string, field?: FieldRef) =>
    out.push({ code, severity, message, span: at(t), ...(hint && { hint }), ...(field && { field }) });

  for (const t of pipeline.tasks) {
    if (t.role === "setup") {
      if (!(scopes.teardownsOf.get(t.name)?.length)) report("GANTRY2021", "warning", t, `setup "${t.name}" has no teardown`, "Declare one with `p.teardown(name, { ..., setups: [handle] })`, or make this a plain task.");
      if (t.allowFailure) report("GANTRY2024", "error", t, `setup "${t.name}" cannot allowFailure: its scope does not run when it fails`, undefined, { task: t.name, path: ["allowFailure"] });
    }
    if (t.role === "teardown" && (scopes.ofTeardown.get(t.name)?.size ?? 0) === 0) {
      report("GANTRY2023", "warning", t, `teardown "${t.name}" has an empty scope: it runs right after ${t.setups.map((s) => `"${s}"`).join(", ")}`, "Make the work depend on the setup (`after: [setup]`).");
    }
    if (t.role !== "finally" && readsRunStatus.has(t.name)) {
      report("GANTRY2026", "error", t, `task "${t.name}" reads p.runStatus, which is only known to finally tasks`, "Read the run's result in a `p.finally(...)` task.");
    }
    if (t.role === "finally" && t.dependencies.length > 0) {
      report("GANTRY2025", "error", t, `finally task "${t.name}" cannot have \`after\`: it runs after everything else`, undefined, { task: t.name, path: ["after"] });
    }
    for (const d of t.dependencies) {
      const dep = byName.get(d);
      if (dep?.role === "finally") report("GANTRY2025", "error", t, `task "${t.name}" depends on finally task "${d}", which runs after everything else`, undefined, { task: t.name, path: ["after", { name: d }] });
      // As in Airflow: a task right after a setup needs its resource, so it cannot run regardless.
      if (dep?.role === "setup" && t.role !== "teardown" && t.trigger === "allDone") {
        report("GANTRY2024", "error", t, `task "${t.name}" runs right after setup "${d}" but has trigger "allDone"`, "Tasks that need a setup's resource use the default trigger; put the allDone task after the work instead.", { task: t.name, path: ["trigger"] });
      }
    }
  }

  // A task that needs a setup's resource (reached from it without passing its teardowns) yet waits
  // for that teardown, directly or through other tasks, would need the resource and its removal at
  // once. "Through" as a run waits: `after`, and a teardown's setups and scope.
  const waitsOf = waitsFor(pipeline, scopes);
  // A dependency on a finally task (GANTRY2025 above) would also close a cycle, as finally tasks
  // wait for everything; leave it out so one mistake gets one error.
  const waits = new Map([...waitsOf].map(([n, ws]) => [n, ws.filter((w) => byName.get(w)?.role !== "finally")]));
  const [cycle] = findCycles(waits);
  for (const [setup, teardowns] of scopes.teardownsOf) {
    const inside = reach(setup, scopes.successors, new Set(teardowns));
    for (const name of inside) {
      const t = byName.get(name)!;
      // Ordering teardowns (drop the temp table, then the backup) is not using a torn-down resource.
      if (t.role === "teardown") continue;
      // Through other tasks, for a task right after the setup, which surely uses its resource (as for
      // GANTRY2024): one further down may come after the teardown on purpose (the astronomer example's last task).
      // In a cycle every task waits for every other: that is GANTRY2004's one error.
      const usesIt = t.dependencies.includes(setup) && cycle === undefined;
      for (const d of t.dependencies) {
        const upstream = teardowns.includes(d) || !usesIt ? undefined : reach(d, waitsOf);
        const td = upstream ? teardowns.find((x) => upstream.has(x)) : teardowns.includes(d) ? d : undefined;
        if (td === undefined) continue;
        const through = td === d ? "" : ` through "${d}"`;
        report("GANTRY2022", "error", t, `task "${name}" is downstream of setup "${setup}" and also waits for its teardown "${td}"${through}`, "Depend on the work rather than the teardown, or drop the dependency on the setup.", { task: name, path: ["after", { name: d }] });
      }
    }
  }

  if (cycle) {
    report("GANTRY2004", "error", byName.get(cycle[0]!)!, `dependency cycle through setup/teardown scopes: ${cycle.join(" -> ")}`, "A teardown waits for every task in its scope; one of these tasks waits, through `after`, for that teardown.");
  }

  // "Replace" ends a run still going when the next is due: Argo terminates it (no exit handler
  // runs), and a CronJob deletes its driver Job, whose Jobs go with it. No cleanup runs.
  const cleanups = pipeline.schedule?.concurrencyPolicy === "Replace" ? pipeline.tasks.filter((t) => t.role === "teardown" || t.role === "finally") : [];
  const cleanup = cleanups[0];
  if (cleanup) {
    const named = cleanups.map((t) => `${t.role} "${t.name}"`);
    const which = `${andList(named)} ${named.length === 1 ? "does" : "do"}`;
    report(
      "GANTRY2027",
      "warning",
      cleanup,
      `schedule concurrencyPolicy "Replace" ends a run still going when the next is due without its cleanup: ${which} not run then`,
      "Use \"Forbid\" (the default), which lets a run finish, cleanup included, before the next starts; or make each setup clean up what an earlier run left.",
      { path: ["schedule", "concurrencyPolicy"] },
    );
  }
  // "Allow" lets runs overlap: two runs' setups make the same resource (a table, a namespace, a
  // cluster of a fixed name), and one run's teardown removes it under the other's work.
  // Only setups a teardown removes: a cache warmed and left in place is shared on purpose.
  const torn = (t: IR.Task) => (scopes.teardownsOf.get(t.name)?.length ?? 0) > 0;
  const shared = pipeline.schedule?.concurrencyPolicy === "Allow" ? pipeline.tasks.filter((t, i) => t.role === "setup" && torn(t) && !tasksJson[i]!.includes(RUN_ID_PLACEHOLDER)) : [];
  if (shared[0]) {
    const named = andList(shared.map((t) => `"${t.name}"`));
    report(
      "GANTRY2029",
      "warning",
      shared[0],
      `schedule concurrencyPolicy "Allow" lets runs overlap, and setup${shared.length === 1 ? "" : "s"} ${named} make${shared.length === 1 ? "s" : ""} the same resource in every run: one run's teardown can remove it while another run's work uses it`,
      "Name what a setup makes after the run (`p.runId`, e.g. `tmp_${p.runId}`), or use \"Forbid\" (the default).",
      { path: ["schedule", "concurrencyPolicy"] },
    );
  }
  return out;
}

