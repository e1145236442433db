/**
 * `gantry compile --watch`: compiles, then recompiles whenever a watched file changes: the changed
 * files and the pipelines that import them (CompileSession), writing the output each time. What is
 * watched follows each compile's dependencies (`watchPlan`).
 */
import fs from "node:fs";
import path from "node:path";
import { CompileSession } from "../session.js";
import { compileOptions, emitResult, type CompileFlags, type Io } from "./compile-command.js";
import { watchPlan } from "./watch-plan.js";

/** Runs until `signal` aborts (SIGINT in the CLI); returns the last compile's exit code. */
export async function runWatch(paths: string[], flags: CompileFlags, io: Io, signal: AbortSignal): Promise<number> {
  const options = compileOptions(paths, flags, io);
  const session = new CompileSession(options);
  const start = performance.now();
  let code = await emitResult(await session.full(), flags, io);
  io.stderr(`watching ${options.paths.join(", ")} (compiled in ${Math.round(performance.now() - start)} ms; Ctrl-C to stop)\n`);

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  // Recursive fs.watch works on Linux from Node 20; editors save in bursts, so changes are batched.
  const watchers = new Map<string, fs.FSWatcher>();
  let plan = watchPlan(io.cwd, options.paths, session.dependencies());
  const onEvent = (dir: string, recursive: boolean) => (_event: string, name: string | Buffer | null) => {
    if (!name) return;
    const changed = path.join(dir, name.toString());
    // Sources, and JavaScript and JSON modules they may import, under the inputs; elsewhere, what the pipelines depend on.
    if (!(recursive && /\.((m|c)?tsx?|m?js|json)$/.test(changed)) && !plan.relevant.has(changed)) return;
    pending.add(changed);
    clearTimeout(timer);
    timer = setTimeout(flush, 100);
  };
  /** Watches what the plan of the last compile names, and stops watching what it no longer does. */
  const reconcile = () => {
    plan = watchPlan(io.cwd, options.paths, session.dependencies());
    const wanted = new Map<string, string>([...plan.recursive.map((d) => [`r ${d}`, d] as const), ...plan.flat.map((d) => [`f ${d}`, d] as const)]);
    for (const [key, w] of watchers) if (!wanted.has(key)) (w.close(), watchers.delete(key));
    for (const [key, dir] of wanted) {
      if (watchers.has(key)) continue;
      const recursive = key.startsWith("r");
      try {
        const w = fs.watch(dir, { recursive, signal }, onEvent(dir, recursive));
        // A watched folder that is removed ends its watcher; the next plan watches its parent.
        w.on("error", () => (w.close(), watchers.delete(key)));
        watchers.set(key, w);
      } catch {
        // Gone between the plan and now: the next compile plans again.
      }
    }
  };
  const flush = () => {
    const changed = [...pending];
    pending.clear();
    running = running.then(async () => {
      const t = performance.now();
      const result = await session.update(changed);
      code = await emitResult(result, flags, io);
      io.stderr(`recompiled ${result.recompiled.length} file${result.recompiled.length === 1 ? "" : "s"} in ${Math.round(performance.now() - t)} ms${result.recompiled.length ? `: ${result.recompiled.join(", ")}` : ""}\n`);
      reconcile();
    });
  };
  reconcile();
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  clearTimeout(timer);
  for (const w of watchers.values()) w.close();
  await running;
  return code;
}
