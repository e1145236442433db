/**
 * `gantry compile --watch`: compiles, then recompiles whenever a watched file changes: the changed
 * files and the pipelines that import them (CompileSession), writing the output each time. What is
 * watched follows each compile's dependencies (`watchPlan`).
 */
import fs from "node:fs";
import path from "node:path";
import { CONFIG_FILE } from "../config/load.js";
import { CompileSession } from "../session.js";
import { compileOptions, emitResult, type CompileFlags, type Io } from "./compile-command.js";
import { skippedFolder, statKind, watchPlan } from "./watch-plan.js";

const SOURCE = /\.((m|c)?tsx?|m?js|json)$/;

/** Runs until `signal` aborts (SIGINT in the CLI); returns the last compile's exit code. */
export async function runWatch(paths: string[], given: CompileFlags, io: Io, signal: AbortSignal): Promise<number> {
  // Ctrl-C also ends a wait for another compile's lock on the output folder.
  const flags: CompileFlags = { ...given, stop: signal };
  const options = compileOptions(paths, flags, io);
  const session = new CompileSession(options);
  const start = performance.now();
  let code = await emitResult(await session.full(), flags, io);
  // Stopped during the first compile: an aborted signal fires no event, so do not start watching.
  if (signal.aborted) return code;

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  // Each folder is watched on its own (see watchPlan); editors save in bursts, so changes are batched.
  // Each watcher remembers which folder it watches: one removed, renamed or made again is another.
  const watchers = new Map<string, { watcher: fs.FSWatcher; dir: string; id: string | undefined }>();
  let plan = watchPlan(io.cwd, options.paths, session.dependencies());
  const queue = (changed: string) => {
    // After Ctrl-C nothing new starts: the recompile under way finishes, the rest is left.
    if (signal.aborted) return;
    pending.add(changed);
    clearTimeout(timer);
    timer = setTimeout(flush, 100);
  };
  const onEvent = (key: string, dir: string, tree: boolean) => (_event: string, name: string | Buffer | null) => {
    // The folder itself went (Linux reports that without an error, under its own name): everything under it changed.
    if (identity(dir) !== watchers.get(key)?.id) return queue(dir);
    if (!name) return;
    const entry = name.toString();
    const changed = path.join(dir, entry);
    // The real file behind linked dependencies: the compile reads it by the links' paths.
    for (const link of plan.aliases.get(changed) ?? []) queue(link);
    // Sources, and JavaScript and JSON modules they may import, in input folders; a folder made
    // or removed there (the recompile watches a new one and looks into it); elsewhere, what the pipelines depend on.
    if (tree && (SOURCE.test(entry) || (!skippedFolder(entry) && (watchers.has(`t ${changed}`) || statKind(changed) === "dir")))) queue(changed);
    else if (plan.relevant.has(changed)) queue(changed);
  };
  const unwatch = (key: string) => {
    watchers.get(key)?.watcher.close();
    watchers.delete(key);
  };
  const warned = new Set<string>();
  /**
   * Watches what the plan of the last compile names, and stops watching what it no longer does or
   * what is gone. A watcher started after a compile may have missed a change made in between (a
   * file written into a folder just made again): what it watches is looked at once more.
   */
  const reconcile = (catchUp: boolean) => {
    plan = watchPlan(io.cwd, options.paths, session.dependencies());
    const wanted = new Map<string, string>([...plan.tree.map((d) => [`t ${d}`, d] as const), ...plan.flat.map((d) => [`f ${d}`, d] as const)]);
    for (const [key, w] of watchers) if (!wanted.has(key) || identity(w.dir) !== w.id) unwatch(key);
    for (const [key, dir] of wanted) {
      if (watchers.has(key)) continue;
      const tree = key.startsWith("t");
      try {
        // Closed on exit below: an abort signal per watcher would add a listener Node never removes.
        const watcher = fs.watch(dir, onEvent(key, dir, tree));
        watcher.on("error", () => unwatch(key));
        watchers.set(key, { watcher, dir, id: identity(dir) });
        if (catchUp && tree) queue(dir);
        else if (catchUp) for (const p of plan.relevant) if (path.dirname(p) === dir) queue(p);
        // And the links whose real files are there: the compile reads those by the links' paths.
        if (catchUp) for (const [real, links] of plan.aliases) if (path.dirname(real) === dir || (tree && real.startsWith(dir + path.sep))) links.forEach(queue);
      } catch (e) {
        // Gone since the plan: the next compile plans again. Anything else (no inotify watches left) is said once.
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && !warned.has(dir)) {
          warned.add(dir);
          io.stderr(`warning: cannot watch ${path.relative(io.cwd, dir) || "."}: ${code ?? String(e)}; changes there are not seen\n`);
        }
      }
    }
  };
  const flush = () => {
    const changed = [...pending];
    pending.clear();
    running = running.then(async () => {
      if (signal.aborted) return;
      const t = performance.now();
      try {
        const result = await session.update(changed);
        code = await emitResult(result, flags, io);
        io.stderr(`recompiled ${result.recompiled.length} file${result.recompiled.length === 1 ? "" : "s"} in ${Math.round(performance.now() - t)} ms${result.recompiled.length ? `: ${result.recompiled.join(", ")}` : ""}\n`);
      } catch (e) {
        // Said, and the session goes on: one failed recompile must not stop every later one.
        io.stderr(`internal error while recompiling: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      }
      // Stopped meanwhile: watching again would keep the process alive after Ctrl-C.
      if (!signal.aborted) reconcile(true);
    });
  };
  reconcile(false);
  const configWatcher = watchConfig(io);
  // Only once the watchers are in place: a change made right after this line is seen.
  io.stderr(`watching ${options.paths.join(", ")} (compiled in ${Math.round(performance.now() - start)} ms; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  clearTimeout(timer);
  for (const key of [...watchers.keys()]) unwatch(key);
  configWatcher?.close();
  // A recompile under way when Ctrl-C came finishes its write (the output is never left half new).
  await running;
  return code;
}

/** How long a configuration file's events must pause before it is read. */
const SETTLE_MS = 100;

/**
 * The settings are read once, when --watch starts: a later edit of the configuration would make its
 * output differ from what `gantry compile --check` expects, so say so (once per change) rather than
 * go on quietly with the old settings.
 */
function watchConfig(io: Io): fs.FSWatcher | undefined {
  const files = [CONFIG_FILE, "package.json"];
  /** What in the file the settings come from: the whole configuration file, package.json's "gantry" key. */
  const read = (name: string) => {
    let text: string;
    try {
      text = fs.readFileSync(path.join(io.cwd, name), "utf8");
    } catch {
      return undefined;
    }
    if (name !== "package.json") return text;
    try {
      return JSON.stringify((JSON.parse(text) as { gantry?: unknown }).gantry) ?? "";
    } catch {
      return text;
    }
  };
  const seen = new Map(files.map((f) => [f, read(f)]));
  // A save is several events (truncate, then write): read once they have settled, so the half-written
  // file is not a change of its own and one edit gets one warning.
  const pending = new Map<string, NodeJS.Timeout>();
  const check = (file: string) => {
    pending.delete(file);
    const text = read(file);
    if (text === seen.get(file)) return;
    seen.set(file, text);
    // package.json's "gantry" key matters only without gantry.config.json.
    if (file === "package.json" && seen.get(CONFIG_FILE) !== undefined) return;
    io.stderr(`warning: ${file} changed; --watch keeps the settings it started with: restart it to use the new ones\n`);
  };
  try {
    const watcher = fs.watch(io.cwd, (_event, name) => {
      const file = name?.toString();
      if (file === undefined || !seen.has(file)) return;
      clearTimeout(pending.get(file));
      pending.set(file, setTimeout(() => check(file), SETTLE_MS).unref());
    });
    watcher.on("error", () => watcher.close());
    watcher.on("close", () => pending.forEach((t) => clearTimeout(t)));
    return watcher;
  } catch {
    return undefined;
  }
}

/** A folder's identity: its inode, which a folder made again may reuse at once, and its birth time. */
function identity(dir: string): string | undefined {
  try {
    const stat = fs.statSync(dir);
    return `${stat.ino}:${stat.birthtimeMs}`;
  } catch {
    return undefined;
  }
}
