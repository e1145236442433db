/**
 * One run reports every independent problem: a field the schema rejects (GANTRY2001) does not hide
 * the value checks of the task's or the options' other fields, and is not reported a second time
 * by them, nor does leaving it out make up a problem elsewhere (a retry limit or a parameter that
 * the rejected part would have given). Through the real CLI.
 */
import { describe, expect, it } from "vitest";
import { gantry, tempProject } from "./support/cli.js";

interface Json {
  code: string;
  message: string;
  span?: { file: string; line: number; column: number };
}

const header = `import { pipeline } from "gantry";\n`;

const files: Record<string, string> = {
  // The reviewer's task: three independent problems, one of them a schema error.
  "pipelines/task.ts": `${header}export default pipeline("task", {}, (p) => {
  p.task("d", { image: "busybox", imagePullPolicy: "Sometimes", timeout: "5 minutes", resources: { limits: { memory: "1GB" } } });
  p.task("e", { image: "", imagePulPolicy: "Always", resources: { requests: { cpu: "lots" } }, env: { "1X": "a" } });
  p.task("s", { image: "busybox:1.36", source: "echo", args: ["a"], imagePullPolicy: "Sometimes" });
  p.task("u", { image: "busybox:1.36", source: "echo", args: ["a"], bogus: 1 });
});
`,
  // Schema errors in the options and in defaults: the rest of both is still checked, and the
  // retry limit the defaults give still counts for the task.
  "pipelines/options.ts": `${header}export default pipeline("options", {
  namespace: 5,
  schedule: { cron: "* * *" },
  defaults: { imagePullPolicy: "Sometimes", retry: { limit: 2 }, timeout: "1 hour" },
}, (p) => {
  p.task("t", { image: "busybox:1.36", retry: { backoff: { duration: "10s" } } });
});
`,
  // A rejected defaults.retry: the task's retry without a limit is not called limitless.
  "pipelines/retry.ts": `${header}export default pipeline("retry", {
  defaults: { retry: { limit: -1 } },
}, (p) => {
  p.task("t", { image: "busybox:1.36", retry: { backoff: { duration: "10s" } }, resources: { limits: { cpu: "1 core" } } });
});
`,
  // A parameter whose spec is rejected is still declared: no "unknown parameter" for its uses.
  "pipelines/params.ts": `${header}export default pipeline("params", {
  parameters: { env: { default: "staging", enum: "staging" } },
}, (p) => {
  p.task("t", { image: "busybox:1.36", args: [p.params.env], timeout: "soon" });
});
`,
  // A teardown whose setups the schema rejects: that one error, not also "needs a setup".
  "pipelines/teardown.ts": `${header}export default pipeline("teardown", {}, (p) => {
  const s = p.setup("s", { image: "busybox:1.36" });
  p.task("w", { image: "busybox:1.36", after: [s] });
  p.teardown("t", { image: "busybox:1.36", setups: "s", timeout: "1 hour" });
});
`,
  // A cycle beside another task's bad value: both (adversarial finding: the cycle came only once the value was fixed).
  "pipelines/cycle.ts": `${header}export default pipeline("cycle", {}, (p) => {
  const deps: ReturnType<typeof p.task>[] = [];
  const a = p.task("a", { image: "busybox:1.36", after: deps });
  deps.push(p.task("b", { image: "busybox:1.36", after: [a] }));
  p.task("c", { image: "busybox:1.36", timeout: "1d" });
});
`,
  // Two pipelines of one name, the first with an error: the duplicate is reported now, not once the error is fixed.
  "pipelines/dup-a.ts": `${header}export default pipeline("dup", {}, (p) => {
  p.task("t", { image: "busybox:1.36", timeout: "1d" });
});
`,
  "pipelines/dup-b.ts": `${header}export default pipeline("dup", {}, (p) => {
  p.task("t", { image: "busybox:1.36" });
});
`,
};

describe("a schema error does not hide the other errors of its task or options", () => {
  const dir = tempProject(files);
  const r = gantry(["compile", "--format", "json"], dir);
  const all = JSON.parse(r.stderr) as Json[];
  const of = (file: string) => all.filter((d) => d.span?.file === `pipelines/${file}.ts`).map((d) => `${d.code} ${d.span!.line}:${d.span!.column} ${d.message}`);
  const col = (file: string, line: number, needle: string) => `${line}:${files[`pipelines/${file}.ts`]!.split("\n")[line - 1]!.indexOf(needle) + 1}`;

  it("fails", () => expect(r.code).toBe(1));

  it("reports each field of a task once: the schema's finding, and the value checks of the other fields", () => {
    expect(of("task")).toEqual([
      `GANTRY2001 ${col("task", 3, '"Sometimes"')} task "d": imagePullPolicy: Invalid option: expected one of "Always"|"IfNotPresent"|"Never"`,
      `GANTRY2015 ${col("task", 3, '"5 minutes"')} task "d": timeout: unknown unit " minutes" in "5 minutes" (units: ns, us, µs, ms, s, m, h)`,
      `GANTRY2006 ${col("task", 3, '"1GB"')} task "d": resources.limits.memory: "1GB" is not a Kubernetes quantity (did you mean "1G" or "1Gi"?)`,
      `GANTRY2001 ${col("task", 4, '""')} task "e": image: \`image\` must not be empty`,
      `GANTRY2001 ${col("task", 4, "imagePulPolicy")} task "e": unknown field imagePulPolicy`,
      `GANTRY2006 ${col("task", 4, '"lots"')} task "e": resources.requests.cpu: "lots" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)`,
      `GANTRY2014 ${col("task", 4, '"1X"')} task "e": environment variable "1X" must not start with a digit (got "1")`,
      // The rule between two fields, which zod skips once another field is rejected, and applies otherwise: once either way.
      `GANTRY2001 ${col("task", 5, '["a"]')} task "s": args: a script task (with \`source\`) cannot also have \`args\``,
      `GANTRY2001 ${col("task", 5, '"Sometimes"')} task "s": imagePullPolicy: Invalid option: expected one of "Always"|"IfNotPresent"|"Never"`,
      `GANTRY2001 ${col("task", 6, '["a"]')} task "u": args: a script task (with \`source\`) cannot also have \`args\``,
      `GANTRY2001 ${col("task", 6, "bogus")} task "u": unknown field bogus`,
    ]);
  });

  it("checks the options and defaults that validated; a valid defaults.retry still gives the task its limit", () => {
    expect(of("options")).toEqual([
      `GANTRY2001 ${col("options", 3, "5")} pipeline "options": namespace: Invalid input: expected string, received number`,
      `GANTRY2007 ${col("options", 4, '"* * *"')} schedule "* * *": must have 5 fields (minute hour day-of-month month day-of-week), got 3`,
      `GANTRY2001 ${col("options", 5, '"Sometimes"')} pipeline "options": defaults.imagePullPolicy: Invalid option: expected one of "Always"|"IfNotPresent"|"Never"`,
      `GANTRY2015 ${col("options", 5, '"1 hour"')} pipeline defaults: timeout: unknown unit " hour" in "1 hour" (units: ns, us, µs, ms, s, m, h)`,
    ]);
  });

  it("does not call a task's retry limitless when the defaults' retry was rejected", () => {
    expect(of("retry").map((d) => d.split(" ")[0])).toEqual(["GANTRY2001", "GANTRY2006"]);
    expect(of("retry")[0]).toContain("defaults.retry.limit");
  });

  it("keeps the parameters whose spec was rejected declared", () => {
    expect(of("params").map((d) => d.split(" ")[0])).toEqual(["GANTRY2001", "GANTRY2015"]);
    expect(of("params")[0]).toContain("parameters.env.enum");
  });

  it("finds a cycle though another task has an error, and a duplicate pipeline name though the first pipeline has one", () => {
    expect(of("cycle").map((d) => d.split(" ").slice(0, 1).concat(d.split(" ").slice(2)).join(" "))).toEqual([
      "GANTRY2004 dependency cycle: a -> b -> a",
      'GANTRY2015 task "c": timeout: unknown unit "d" in "1d"; Go durations have no day unit, use hours (e.g. "24h")',
    ]);
    expect(of("dup-a").map((d) => d.split(" ")[0])).toEqual(["GANTRY2015"]);
    expect(of("dup-b")).toEqual([`GANTRY2009 2:25 pipeline name "dup" is already used by the pipeline at pipelines/dup-a.ts:2`]);
  });

  it("reports a rejected teardown `setups` once, and the teardown's other fields", () => {
    expect(of("teardown").map((d) => d.split(" ")[0])).toEqual(["GANTRY2001", "GANTRY2015"]);
    expect(of("teardown")[0]).toContain("setups");
  });
});
