/**
 * `gantry compile --watch`: compiles, then recompiles whenever a watched file changes: the changed
 * files and the pipelines that import them (CompileSession), writing the output each time.
 */
import fs from "node:fs";
import path from "node:path";
import { CompileSession } from "../session.js";
import { compileOptions, emitResult, type CompileFlags, type Io } from "./compile-command.js";

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
  const flush = () => {
    const changed = [...pending];
    pending.clear();
    running = running.then(async () => {
      const t = performance.now();
      const result = await session.update(changed);
      code = await emitResult(result, flags, io);
      io.stderr(`recompiled ${result.recompiled.length} file${result.recompiled.length === 1 ? "" : "s"} in ${Math.round(performance.now() - t)} ms${result.recompiled.length ? `: ${result.recompiled.join(", ")}` : ""}\n`);
    });
  };
  // Recursive fs.watch works on Linux from Node 20; editors save in bursts, so changes are batched.
  const watchers = options.paths.map((p) => {
    const abs = path.resolve(io.cwd, p);
    const dir = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
    return fs.watch(dir, { recursive: true, signal }, (_event, name) => {
      // Sources, and JSON documents they may import.
      if (!name || !/\.((m|c)?tsx?|json)$/.test(name)) return;
      pending.add(path.join(dir, name.toString()));
      clearTimeout(timer);
      timer = setTimeout(flush, 100);
    });
  });
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await running;
  return code;
}
