/**
 * The outputs a task reads (`{{tasks.TASK.outputs.NAME}}` in its command, args, script or env
 * values, the only fields validation lets hold them), each once, in the order first written.
 */
import { OUTPUT_MARK, OUTPUT_PATTERN } from "./placeholders.js";
import type { Task } from "./schema.js";

export interface OutputRead {
  task: string;
  output: string;
}

export function outputReads(task: Task): OutputRead[] {
  const reads = new Map<string, OutputRead>();
  const scan = (s: string | undefined) => {
    if (s === undefined || !s.includes(OUTPUT_MARK)) return;
    for (const m of s.matchAll(OUTPUT_PATTERN)) {
      const key = `${m[1]}.${m[2]}`;
      if (!reads.has(key)) reads.set(key, { task: m[1]!, output: m[2]! });
    }
  };
  task.command?.forEach(scan);
  task.args?.forEach(scan);
  scan(task.script);
  for (const e of task.env) scan(e.value);
  return [...reads.values()];
}

/**
 * The name a read takes as a parameter of the reading task's template on Argo: `TASK-NAME`. Output
 * names hold no `-` (GANTRY2043), so distinct reads never share one.
 */
export const outputParameterName = (read: OutputRead): string => `${read.task}-${read.output}`;
