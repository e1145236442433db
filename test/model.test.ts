/**
 * The model phase (src/phases/3-validate): every diagnostic it reports, at the position where the
 * offending value (or name) was written, including values that came through a spread, a constant or a
 * helper's parameter in another file; then what a valid declaration becomes in the IR.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics/index.js";
import type * as IR from "../src/ir/index.js";
import { compile } from "../src/compile.js";
import { tempProject } from "./support/cli.js";
import { compileFiles, loc, where, type Files } from "./support/positions.js";





/** A module `main.ts` declaring one pipeline with the given options and body. */
const pipelineSource = (options: string, body: string, prelude = "") =>
  `import { pipeline } from "gantry";\n${prelude}export default pipeline("model", ${options}, (p) => {\n${body}\n});\n`;

/** Compiles `main.ts` (plus other files) and returns its diagnostics, which must all be errors of the model phase. */
async function modelDiagnostics(main: string, extra: Files = {}): Promise<Diagnostic[]> {
  const r = await compileFiles({ "main.ts": main, ...extra });
  expect(r.ok).toBe(false);
  expect(r.pipelines).toEqual([]);
  expect(r.diagnostics.every((d) => d.code.startsWith("GANTRY2") && d.severity === "error")).toBe(true);
  return r.diagnostics;
}

async function irOf(main: string, extra: Files = {}): Promise<IR.Pipeline> {
  const r = await compileFiles({ "main.ts": main, ...extra });
  expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  return r.pipelines[0]!.ir;
}

describe("GANTRY2001: invalid option", () => {
  it("a key named __proto__ in a map (env, labels, annotations, parameters, resources) is reported at the key's value, not dropped (review finding)", async () => {
    const src = pipelineSource(
      '{ parameters: { ["__proto__"]: { default: "x" }, ok: { default: "y" } }, labels: Object.fromEntries([["__proto__", "v"]]) }',
      '  p.task("t", { image: "x", env: { ["__proto__"]: "e", A: "b" }, annotations: { ["__proto__"]: "an" }, resources: { limits: { ["__proto__"]: "1" } } });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => d.message)).toEqual([
      expect.stringContaining('pipeline "model": parameters.__proto__: a key named __proto__ is not supported'),
      expect.stringContaining('pipeline "model": labels.__proto__: a key named __proto__ is not supported'),
      expect.stringContaining('task "t": env.__proto__: a key named __proto__ is not supported'),
      expect.stringContaining('task "t": annotations.__proto__: a key named __proto__ is not supported'),
      expect.stringContaining('task "t": resources.limits.__proto__: a key named __proto__ is not supported'),
    ]);
    expect(ds.map(where)).toEqual([
      `GANTRY2001 ${loc("main.ts", src, '{ default: "x" }')}`,
      `GANTRY2001 ${loc("main.ts", src, 'Object.fromEntries')}`,
      `GANTRY2001 ${loc("main.ts", src, '"e"')}`,
      `GANTRY2001 ${loc("main.ts", src, '"an"')}`,
      `GANTRY2001 ${loc("main.ts", src, '"1"')}`,
    ]);
  });

  it("an unknown task field points at its name, with a spelling hint", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", imagePullPolicyy: "Always" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "imagePullPolicyy")}`]);
    expect(ds[0]!.message).toBe('task "t": unknown field imagePullPolicyy');
    expect(ds[0]!.hint).toBe("Did you mean `imagePullPolicy`?");
  });

  it("an unknown field that came through a spread of an object from another file points there", async () => {
    const lib = `export const base = {\n  image: "x",\n  workDir: "/w",\n};\n`;
    const src = pipelineSource("{}", '  p.task("t", { ...base, args: ["a"] });', 'import { base } from "./lib";\n');
    const ds = await modelDiagnostics(src, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("lib.ts", lib, "workDir")}`]);
  });

  it("an unknown pipeline option points at its name", async () => {
    const src = pipelineSource('{ namspace: "data" }', '  p.task("t", { image: "x" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "namspace")}`]);
    expect(ds[0]!.message).toBe('pipeline "model": unknown field namspace');
  });

  it("a value of the wrong type points at the value", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: 5 as unknown as string });\n  p.task("u", { image: "x", env: { A: ["no"] as unknown as string } });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "5 as")}`, `GANTRY2001 ${loc("main.ts", src, '["no"]')}`]);
    expect(ds[0]!.message).toMatch(/^task "t": image: .*expected string/);
    expect(ds[1]!.message).toMatch(/^task "u": env\.A: /);
  });

  it("`after` with something other than a handle", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", after: ["a" as never] });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, '"a" as')}`]);
    expect(ds[0]!.message).toBe('task "t": after[0]: `after` takes task handles returned by p.task(...)');
  });

  it("a script task (with source) cannot have args", async () => {
    const src = pipelineSource("{}", '  p.task("s", { image: "python:3.12", source: "print(1)", args: ["x"] } as never);');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, '["x"]')}`]);
    expect(ds[0]!.message).toBe('task "s": args: a script task (with `source`) cannot also have `args`');
  });

  it("a missing required field points at the task", async () => {
    const src = pipelineSource("{}", '  p.task("t", {} as never);');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "{} as never")}`]);
    expect(ds[0]!.message).toMatch(/^task "t": image: /);
  });

  it("runAsUser 0 is rejected (restricted profile), in a task and in defaults", async () => {
    const src = pipelineSource("{ defaults: { securityContext: { runAsUser: 0 } } }", '  p.task("t", { image: "x", securityContext: { runAsUser: 0, runAsGroup: 0 } });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, "0 }")}`, `GANTRY2001 ${loc("main.ts", src, "0, runAsGroup")}`]);
    expect(ds.map((d) => d.message)).toEqual([
      "pipeline defaults: securityContext.runAsUser 0 (root) is not allowed by the Pod Security Standards restricted profile",
      'task "t": securityContext.runAsUser 0 (root) is not allowed by the Pod Security Standards restricted profile',
    ]);
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("a relative mountPath", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", volumes: [{ name: "d", mountPath: "data", emptyDir: {} }] });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2001 ${loc("main.ts", src, '"data"')}`]);
  });
});

describe("graph checks", () => {
  it("GANTRY2002: a duplicate task name, naming the first declaration's position", async () => {
    const src = pipelineSource("{}", '  p.task("load", { image: "x" });\n  p.task("other", { image: "x" });\n  p.task("load", { image: "y" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2002 ${loc("main.ts", src, '"load"', 2)}`]);
    expect(ds[0]!.message).toBe(`duplicate task name "load" (first declared at ${loc("main.ts", src, '"load"')})`);
  });

  it("GANTRY2003: a handle from another pipeline", async () => {
    const src = `import { pipeline } from "gantry";
export const first = pipeline("first", {}, (p) => { p.task("a", { image: "x" }); });
const foreign = first.tasks[0]!.handle;
export const second = pipeline("second", {}, (p) => {
  const b = p.task("b", { image: "x" });
  p.task("c", { image: "x", after: [b, foreign] });
});
`;
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2003 ${loc("main.ts", src, "foreign]")}`]);
    expect(r.diagnostics[0]!.message).toBe('task "c" depends on "a", which is not a task of pipeline "second"');
    expect(r.diagnostics[0]!.hint).toBeTruthy();
    expect(r.pipelines.map((p) => p.name)).toEqual(["first"]);
  });

  it("GANTRY2004: a cycle made by pushing to an `after` array after the fact", async () => {
    const src = pipelineSource("{}", '  const deps: ReturnType<typeof p.task>[] = [];\n  const a = p.task("a", { image: "x", after: deps });\n  const b = p.task("b", { image: "x", after: [a] });\n  deps.push(b);');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2004 ${loc("main.ts", src, '"a"')}`]);
    expect(ds[0]!.message).toBe("dependency cycle: a -> b -> a");
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY2004: a task that waits for itself", async () => {
    const src = pipelineSource("{}", '  const deps: ReturnType<typeof p.task>[] = [];\n  p.task("ok", { image: "x" });\n  deps.push(p.task("self", { image: "x", after: deps }));');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2004 ${loc("main.ts", src, '"self"')}`]);
    expect(ds[0]!.message).toBe("dependency cycle: self -> self");
  });

  it("GANTRY2013: a pipeline without tasks", async () => {
    const src = `import { pipeline } from "gantry";\nexport default pipeline("empty", {}, () => {});\n`;
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2013 ${loc("main.ts", src, '"empty"')}`]);
    expect(ds[0]!.message).toBe('pipeline "empty" declares no tasks');
  });

  it("GANTRY2013: a pipeline of finally tasks alone (Argo refused its empty main DAG; the jobs target read a run status nothing wrote)", async () => {
    const src = `import { pipeline } from "gantry";
export default pipeline("after-nothing", {}, (p) => {
  p.finally("report", { image: "x", source: \`echo \${p.runStatus}\` });
});
`;
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2013 ${loc("main.ts", src, '"after-nothing"')}`]);
    expect(ds[0]!.message).toBe('pipeline "after-nothing" declares only finally tasks, which run after the pipeline\'s work: it has none');
  });

  it("GANTRY2009: the same pipeline name in two files, naming the first", async () => {
    const a = `import { pipeline } from "gantry";\n\nexport default pipeline("nightly", {}, (p) => { p.task("t", { image: "x" }); });\n`;
    const b = `import { pipeline } from "gantry";\nexport default pipeline("nightly", {}, (p) => { p.task("u", { image: "y" }); });\n`;
    const r = await compileFiles({ "a.ts": a, "b.ts": b });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2009 ${loc("b.ts", b, '"nightly"')}`]);
    expect(r.diagnostics[0]!.message).toBe('pipeline name "nightly" is already used by the pipeline at a.ts:3');
    expect(r.diagnostics[0]!.hint).toBeTruthy();
    expect(r.pipelines.map((p) => [p.name, p.source])).toEqual([["nightly", "a.ts"]]);
  });
});

describe("GANTRY2005: names Kubernetes or Argo would reject", () => {
  const named = (name: string, options = "{}") => `import { pipeline } from "gantry";\nexport default pipeline(${name}, ${options}, (p) => { p.task("t", { image: "x" }); });\n`;

  it.each([
    ["uppercase", '"Nightly"', "{}", 'pipeline name "Nightly" must be lowercase (found uppercase letter "N")'],
    ["64 characters", `"${"a".repeat(64)}"`, "{}", `pipeline name "${"a".repeat(64)}" must be at most 63 characters (got 64)`],
    ["53 characters when scheduled", `"${"a".repeat(53)}"`, '{ schedule: { cron: "@daily" } }', `pipeline name "${"a".repeat(53)}" must be at most 52 characters (got 53)`],
  ])("a pipeline name: %s", async (_name, name, options, message) => {
    const src = named(name, options);
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2005 ${loc("main.ts", src, name)}`]);
    expect(ds[0]!.message).toBe(message);
  });

  it("the longest names are accepted: 63 characters, 52 when scheduled", async () => {
    const r = await compileFiles({
      "a.ts": named(`"${"a".repeat(63)}"`),
      "b.ts": named(`"${"b".repeat(52)}"`, '{ schedule: { cron: "@daily" } }'),
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.pipelines.map((p) => p.name.length)).toEqual([63, 52]);
  });

  it("the scheduled limit comes with a hint saying why", async () => {
    const ds = await modelDiagnostics(named(`"${"a".repeat(53)}"`, '{ schedule: { cron: "@daily" } }'));
    expect(ds[0]!.hint).toMatch(/timestamp/);
  });

  it.each([
    ["an underscore", "load_orders", 'task name "load_orders" contains invalid character "_" (allowed: lowercase letters, digits and "-")'],
    ["a leading digit", "1st", 'task name "1st" must start with a letter (got "1"); Argo rejects task names starting with a digit when "depends" is used'],
    ["uppercase", "Load", 'task name "Load" must be lowercase (found uppercase letter "L")'],
  ])("a task name with %s", async (_name, taskName, message) => {
    const src = pipelineSource("{}", `  p.task("ok", { image: "x" });\n  p.task("${taskName}", { image: "x" });`);
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2005 ${loc("main.ts", src, `"${taskName}"`)}`]);
    expect(ds[0]!.message).toBe(message);
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("a parameter name points at the name; a namespace and a volume name at the value", async () => {
    const src = pipelineSource('{ namespace: "Data", parameters: { "run date": { default: "x" } } }', '  p.task("t", { image: "x", volumes: [{ name: "Scratch", mountPath: "/s", emptyDir: {} }] });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([
      `GANTRY2005 ${loc("main.ts", src, '"Data"')}`,
      `GANTRY2005 ${loc("main.ts", src, '"run date"')}`,
      `GANTRY2005 ${loc("main.ts", src, '"Scratch"')}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      'namespace "Data" must be lowercase (found uppercase letter "D")',
      'parameter name "run date" contains invalid character " " (allowed: letters, digits, "-" and "_")',
      'task "t": volume name "Scratch" must be lowercase (found uppercase letter "S")',
    ]);
  });
});

describe("value rules", () => {
  it("GANTRY2006: a bad quantity, with a suggestion", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", resources: { requests: { cpu: "250m", memory: "512MB" }, limits: { cpu: -1 } } });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2006 ${loc("main.ts", src, '"512MB"')}`, `GANTRY2006 ${loc("main.ts", src, "-1")}`]);
    expect(ds.map((d) => d.message)).toEqual([
      'task "t": resources.requests.memory: "512MB" is not a Kubernetes quantity (did you mean "512M" or "512Mi"?)',
      'task "t": resources.limits.cpu: must not be negative (got -1)',
    ]);
  });

  it("GANTRY2006: a quantity passed to a helper in another file points at the argument as written", async () => {
    const lib = `export const sized = (memory: string) => ({ image: "x", resources: { limits: { memory } } });\n`;
    const src = pipelineSource("{}", '  p.task("t", sized("1 Gi"));', 'import { sized } from "./lib";\n');
    const ds = await modelDiagnostics(src, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([`GANTRY2006 ${loc("main.ts", src, '"1 Gi"')}`]);
  });

  it("GANTRY2007: a six-field cron, alone and in a list", async () => {
    const src = pipelineSource('{ schedule: { cron: ["0 3 * * *", "0 0 3 * * *"] } }', '  p.task("t", { image: "x" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2007 ${loc("main.ts", src, '"0 0 3 * * *"')}`]);
    expect(ds[0]!.message).toBe('schedule "0 0 3 * * *": has 6 fields, but schedules (Argo CronWorkflows and Kubernetes CronJobs alike) have 5 (minute hour day-of-month month day-of-week); a seconds field is not supported');
  });

  it("GANTRY2008: an unknown time zone, and a wrongly cased one", async () => {
    const a = `import { pipeline } from "gantry";\nexport default pipeline("a", { schedule: { cron: "@daily", timezone: "Europe/Berln" } }, (p) => { p.task("t", { image: "x" }); });\n`;
    const b = `import { pipeline } from "gantry";\nexport default pipeline("b", { schedule: { cron: "@daily", timezone: "europe/berlin" } }, (p) => { p.task("t", { image: "x" }); });\n`;
    const r = await compileFiles({ "a.ts": a, "b.ts": b });
    expect(r.diagnostics.map(where)).toEqual([`GANTRY2008 ${loc("a.ts", a, '"Europe/Berln"')}`, `GANTRY2008 ${loc("b.ts", b, '"europe/berlin"')}`]);
    expect(r.diagnostics[1]!.message).toBe('time zone "europe/berlin": time zone names are case-sensitive; did you mean "Europe/Berlin"?');
  });

  it("GANTRY2010: an unknown parameter placeholder, in a task and in defaults", async () => {
    const src = pipelineSource(
      '{ parameters: { date: { default: "today" } }, defaults: { env: { D: "{{params.day}}" } } }',
      '  p.task("t", { image: "x", args: [p.params.date, "{{params.nope}}"] });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2010 ${loc("main.ts", src, '"{{params.day}}"')}`, `GANTRY2010 ${loc("main.ts", src, '"{{params.nope}}"')}`]);
    expect(ds.map((d) => d.message)).toEqual(['pipeline defaults: unknown parameter "day"', 'task "t": unknown parameter "nope"']);
    expect(ds[1]!.hint).toBe('Declared parameters: "date".');
  });

  it("GANTRY2011: reserved task names", async () => {
    const src = pipelineSource("{}", '  p.task("main", { image: "x" });\n  p.task("gantry-exit", { image: "x" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2011 ${loc("main.ts", src, '"main"')}`, `GANTRY2011 ${loc("main.ts", src, '"gantry-exit"')}`]);
    expect(ds[0]!.message).toBe('task name "main" is reserved');
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  it("GANTRY2012: a bad label key points at the key, a bad value at the value; annotations too", async () => {
    const src = pipelineSource('{ labels: { "team name": "data", tier: "gold!" }, annotations: { "-bad": "any value" } }', '  p.task("t", { image: "x", labels: { ok: "y".repeat(64) } });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([
      `GANTRY2012 ${loc("main.ts", src, '"team name"')}`,
      `GANTRY2012 ${loc("main.ts", src, '"gold!"')}`,
      `GANTRY2012 ${loc("main.ts", src, '"-bad"')}`,
      `GANTRY2012 ${loc("main.ts", src, '"y".repeat')}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      'pipeline labels: key "team name" contains invalid character " " (allowed: letters, digits, "-", "_" and ".")',
      'pipeline labels: value of "tier" contains invalid character "!" (allowed: letters, digits, "-", "_" and ".")',
      'pipeline annotations: key "-bad" must start with a letter or digit (got "-")',
      'task "t": labels: value of "ok" must be at most 63 characters (got 64)',
    ]);
  });

  it("GANTRY2014: a duplicate mount path, a duplicate volume name, and a bad env var name (at the name)", async () => {
    const src = pipelineSource(
      "{}",
      '  p.task("t", {\n    image: "x",\n    env: { OK: "1", "2FA": "x" },\n    volumes: [\n      { name: "a", mountPath: "/data", emptyDir: {} },\n      { name: "b", mountPath: "/data", emptyDir: {} },\n      { name: "a", mountPath: "/other", emptyDir: {} },\n    ],\n  });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([
      `GANTRY2014 ${loc("main.ts", src, '"2FA"')}`,
      `GANTRY2014 ${loc("main.ts", src, '"/data"', 2)}`,
      `GANTRY2014 ${loc("main.ts", src, '"a"', 2)}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      'task "t": environment variable "2FA" must not start with a digit (got "2")',
      'task "t": volumes "a" and "b" are both mounted at /data',
      'task "t": volume name "a" is used twice',
    ]);
  });

  it("GANTRY2014: a task volume at the mount path of a default volume of another name", async () => {
    const src = pipelineSource(
      '{ defaults: { volumes: [{ name: "cache", mountPath: "/cache", emptyDir: {} }] } }',
      '  p.task("replaces", { image: "x", volumes: [{ name: "cache", mountPath: "/cache", emptyDir: { medium: "Memory" } }] });\n  p.task("clashes", { image: "x", volumes: [{ name: "tmp", mountPath: "/cache", emptyDir: {} }] });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2014 ${loc("main.ts", src, '"/cache"', 3)}`]);
    expect(ds[0]!.message).toBe('task "clashes": volume "tmp" and volume "cache" from the pipeline defaults are both mounted at /cache');
    expect(ds[0]!.hint).toBeTruthy();
  });

  it("GANTRY2015: bad durations: a timeout passed through a helper in another file, retry backoff and cap", async () => {
    const lib = `export function slow(timeout: string) {\n  return { image: "x", timeout };\n}\n`;
    const src = pipelineSource(
      '{ defaults: { retry: { limit: 2, backoff: { duration: "1d", cap: "5" } } } }',
      '  p.task("t", slow("10 minutes"));',
      'import { slow } from "./lib";\n',
    );
    const ds = await modelDiagnostics(src, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([
      `GANTRY2015 ${loc("main.ts", src, '"1d"')}`,
      `GANTRY2015 ${loc("main.ts", src, '"5"')}`,
      `GANTRY2015 ${loc("main.ts", src, '"10 minutes"')}`,
    ]);
    expect(ds.map((d) => d.message)).toEqual([
      'pipeline defaults: retry.backoff.duration: unknown unit "d" in "1d"; Go durations have no day unit, use hours (e.g. "24h")',
      'pipeline defaults: retry.backoff.cap: "5" has no unit; add one, e.g. "5s" (units: ns, us, µs, ms, s, m, h)',
      'task "t": timeout: unknown unit " minutes" in "10 minutes" (units: ns, us, µs, ms, s, m, h)',
    ]);
  });

  it("GANTRY2015: a timeout or total timeout past an int32 of seconds, which the API server refuses as a pod's activeDeadlineSeconds (review finding); the longest one passes", async () => {
    const src = pipelineSource(
      "{}",
      '  p.task("a", { image: "x", timeout: "600000h" });\n  p.task("b", { image: "x", retry: { limit: 1, totalTimeout: "596524h" } });\n  p.task("c", { image: "x", timeout: "2147483647s" });\n  p.task("d", { image: "x", retry: { limit: 1, totalTimeout: "596523h" } });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2015 ${loc("main.ts", src, '"600000h"')}`, `GANTRY2015 ${loc("main.ts", src, '"596524h"')}`]);
    expect(ds[0]!.message).toBe('task "a": timeout: "600000h" is longer than Kubernetes allows a pod\'s deadline (2147483647 seconds, about 68 years)');
  });

  it("a value bound to a constant, destructured, or imported points at its literal", async () => {
    const lib = `export const TIMEOUT = "1 hour";\n`;
    const src = pipelineSource(
      "{}",
      '  const local = "2 hours";\n  const alias = local;\n  const { nested } = { nested: "3 hours" };\n  p.task("a", { image: "x", timeout: alias });\n  p.task("b", { image: "x", timeout: nested });\n  p.task("c", { image: "x", timeout: TIMEOUT });',
      'import { TIMEOUT } from "./lib";\n',
    );
    const ds = await modelDiagnostics(src, { "lib.ts": lib });
    expect(ds.map(where)).toEqual([
      `GANTRY2015 ${loc("lib.ts", lib, '"1 hour"')}`,
      `GANTRY2015 ${loc("main.ts", src, '"2 hours"')}`,
      `GANTRY2015 ${loc("main.ts", src, '"3 hours"')}`,
    ]);
  });

  it("every finding of every task is reported in one run", async () => {
    const src = pipelineSource(
      "{}",
      '  p.task("a", { image: "x", timeout: "soon" });\n  p.task("b", { image: "x", resources: { limits: { cpu: "lots" } } });\n  p.task("c", { image: "x", labels: { "a b": "c" } });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => d.code)).toEqual(["GANTRY2015", "GANTRY2006", "GANTRY2012"]);
  });
});

describe("the IR of a valid declaration", () => {
  it("defaults merge into tasks: maps merged with task values winning, volumes by name, lists concatenated", async () => {
    const ir = await irOf(
      pipelineSource(
        `{
  defaults: {
    env: { A: "default-a", B: "default-b" },
    envFrom: [{ configMap: "common", prefix: "C_" }],
    labels: { team: "data", tier: "bronze" },
    annotations: { owner: "defaults" },
    nodeSelector: { pool: "batch" },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    volumes: [{ name: "cache", mountPath: "/cache", emptyDir: {} }, { name: "certs", mountPath: "/certs", secret: "ca" }],
    tolerations: [{ key: "batch", operator: "Exists" }],
    imagePullSecrets: ["ghcr", "quay"],
    timeout: "1h",
    securityContext: { runAsUser: 1000, fsGroup: 2000 },
    serviceAccountName: "default-sa",
  },
}`,
        `  p.task("t", {
    image: "app",
    env: { B: "task-b", C: 3 },
    envFrom: [{ secret: "own" }],
    labels: { tier: "gold" },
    resources: { requests: { cpu: 0.5 } },
    volumes: [{ name: "cache", mountPath: "/fast", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } }],
    tolerations: [{ key: "gpu", operator: "Equal", value: "yes", effect: "NoSchedule" }],
    imagePullSecrets: ["quay", "own"],
    securityContext: { runAsGroup: 3000 },
  });
  p.task("plain", { image: "app", command: ["other"], serviceAccountName: "own-sa" });`,
      ),
    );
    const [t, plain] = ir.tasks;
    expect(t!.command).toBeUndefined();
    expect(t!.timeoutSeconds).toBe(3600);
    expect(t!.env).toEqual([
      { name: "A", value: "default-a" },
      { name: "B", value: "task-b" },
      { name: "C", value: "3" },
    ]);
    expect(t!.envFrom).toEqual([
      { kind: "configMap", name: "common", prefix: "C_" },
      { kind: "secret", name: "own" },
    ]);
    expect(t!.resources).toEqual({ requests: { cpu: "0.5", memory: "256Mi" }, limits: { memory: "1Gi" } });
    expect(t!.volumes).toEqual([
      { name: "certs", mountPath: "/certs", readOnly: false, source: { type: "secret", name: "ca" } },
      { name: "cache", mountPath: "/fast", readOnly: false, source: { type: "emptyDir", medium: "Memory", sizeLimit: "1Gi" } },
    ]);
    expect(t!.pod).toEqual({
      serviceAccountName: "default-sa",
      nodeSelector: { pool: "batch" },
      tolerations: [
        { key: "batch", operator: "Exists" },
        { key: "gpu", operator: "Equal", value: "yes", effect: "NoSchedule" },
      ],
      imagePullSecrets: ["ghcr", "quay", "own"],
      labels: { team: "data", tier: "gold" },
      annotations: { owner: "defaults" },
    });
    expect(t!.security).toEqual({ runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, readOnlyRootFilesystem: false });
    expect(plain!.command).toEqual(["other"]);
    expect(plain!.pod.serviceAccountName).toBe("own-sa");
    expect(plain!.volumes.map((v) => v.name)).toEqual(["cache", "certs"]);
  });

  it("without defaults, a task gets the restricted-profile identity and nothing else", async () => {
    const ir = await irOf(pipelineSource("{}", '  p.task("t", { image: "app" });'));
    expect(ir.tasks[0]).toMatchObject({
      env: [],
      envFrom: [],
      volumes: [],
      resources: { requests: {}, limits: {} },
      pod: { nodeSelector: {}, tolerations: [], imagePullSecrets: [], labels: {}, annotations: {} },
      security: { runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: false },
    });
    expect(ir.tasks[0]!.retry).toBeUndefined();
  });

  it("retry: defaults' retry applies, a task's retry is merged over it field by field; `on` defaults to failure", async () => {
    const ir = await irOf(
      pipelineSource(
        '{ defaults: { retry: { limit: 2, backoff: { duration: "10s", factor: 2, cap: "5m" } } } }',
        '  p.task("inherits", { image: "x" });\n  p.task("own", { image: "x", retry: { limit: 5, on: "any" } });\n  p.task("none", { image: "x", retry: { limit: 0 } });',
      ),
    );
    expect(ir.tasks.map((t) => [t.name, t.retry])).toEqual([
      ["inherits", { limit: 2, on: "failure", backoff: { durationSeconds: 10, factor: 2, capSeconds: 300 }, onExitCodes: [], exceptExitCodes: [] }],
      ["own", { limit: 5, on: "any", backoff: { durationSeconds: 10, factor: 2, capSeconds: 300 }, onExitCodes: [], exceptExitCodes: [] }],
      ["none", { limit: 0, on: "failure", backoff: { durationSeconds: 10, factor: 2, capSeconds: 300 }, onExitCodes: [], exceptExitCodes: [] }],
    ]);
  });

  it("parameters: numeric and boolean defaults become strings; schedule defaults are filled in", async () => {
    const ir = await irOf(
      pipelineSource(
        '{ parameters: { "batch-size": { default: 5000 }, dry_run: { default: false }, env: { default: "prod", enum: ["prod", "dev"], description: "target" }, free: {} } }',
        '  p.task("t", { image: "x", args: [p.params["batch-size"], p.params.dry_run] });',
      ),
    );
    expect(ir.parameters).toEqual([
      { name: "batch-size", default: "5000" },
      { name: "dry_run", default: "false" },
      { name: "env", default: "prod", enum: ["prod", "dev"], description: "target" },
      { name: "free" },
    ]);
    expect(ir.tasks[0]!.args).toEqual(["{{params.batch-size}}", "{{params.dry_run}}"]);
    const scheduled = await irOf(pipelineSource('{ schedule: { cron: "0 3 * * *" } }', '  p.task("t", { image: "x" });'));
    expect(scheduled.schedule).toEqual({ crons: ["0 3 * * *"], timezone: "UTC", concurrencyPolicy: "Forbid", suspend: false });
  });

  it("names a pod refers to and node selectors follow Kubernetes' rules: serviceAccountName, imagePullSecrets (GANTRY2005), nodeSelector (GANTRY2012); a parameter in them is left to run time", async () => {
    const src = pipelineSource(
      '{ serviceAccountName: "Runner_SA", parameters: { sa: { default: "runner" } } }',
      '  p.task("a", { image: "x", serviceAccountName: "bad_sa!", imagePullSecrets: ["ok-secret", "Bad Secret"], nodeSelector: { pool: "has space", "bad key!": "x" } });\n  p.task("b", { image: "x", serviceAccountName: p.params.sa, nodeSelector: { pool: p.params.sa } });',
    );
    const r = await compileFiles({ "main.ts": src });
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message.replace(/ (must|is|contains) .*/, "")}`)).toEqual([
      `GANTRY2005 ${loc("main.ts", src, '"Runner_SA"')} pipeline serviceAccountName "Runner_SA"`,
      `GANTRY2005 ${loc("main.ts", src, '"bad_sa!"')} task "a": serviceAccountName "bad_sa!"`,
      `GANTRY2005 ${loc("main.ts", src, '"Bad Secret"')} task "a": imagePullSecrets "Bad Secret"`,
      `GANTRY2012 ${loc("main.ts", src, '"has space"')} task "a": nodeSelector: value of "pool"`,
      `GANTRY2012 ${loc("main.ts", src, '"bad key!"')} task "a": nodeSelector: key "bad key!"`,
    ]);
    expect(r.diagnostics.find((d) => d.message.includes("bad_sa!"))!.message).toContain('contains invalid character "_"');
  });

  it("GANTRY4011: a scheduled pipeline compiled as a CronWorkflow needs a default for every parameter; as a template it does not. GANTRY2016: an empty enum", async () => {
    const src = pipelineSource('{ parameters: { free: {}, set: { default: "x" } }, schedule: { cron: "0 3 * * *" } }', '  p.task("t", { image: "x" });');
    const cron = await compileFiles({ "main.ts": src });
    expect(cron.diagnostics.map((d) => `${d.code} ${d.severity}`)).toEqual(["GANTRY4011 error"]);
    expect(cron.diagnostics[0]!.message).toContain('parameter "free" of the scheduled pipeline "model" has no default');
    expect((await compile({ cwd: tempProject({ "main.ts": src }), paths: ["."], target: "argo", kind: "template" })).diagnostics.map((d) => d.code)).toEqual(["GANTRY4002"]);
    const empty = pipelineSource("{ parameters: { e: { enum: [] } } }", '  p.task("t", { image: "x" });');
    const r = await compileFiles({ "main.ts": empty });
    expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY2016 ${loc("main.ts", empty, "[] }")} parameter "e": enum is empty, so no value could be given`]);
  });

  it("a script task runs sh over its source unless a command is given; sources point at the declarations", async () => {
    const src = pipelineSource("{}", '  p.task("sh", { image: "alpine", source: "echo hi" });\n  p.task("py", { image: "python", source: "print(1)", command: ["python"] });');
    const ir = await irOf(src);
    expect(ir.tasks.map((t) => [t.name, t.command, t.script, t.args])).toEqual([
      ["sh", ["sh"], "echo hi", undefined],
      ["py", ["python"], "print(1)", undefined],
    ]);
    const [, line, column] = loc("main.ts", src, '"py"').split(":");
    expect(ir.tasks[1]!.source).toEqual({ file: "main.ts", line: Number(line), column: Number(column) });
    expect(ir.source).toMatchObject({ file: "main.ts", line: 2 });
  });
});

describe("review fixes", () => {
  it("reading an undeclared p.params name is GANTRY2010 at the read, listing what is declared", async () => {
    const src = pipelineSource('{ parameters: { date: { default: "x" } } }', '  p.task("t", { image: "x", args: [`--d=${p.params.dat}`] });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2010 ${loc("main.ts", src, "p.params.dat")}`]);
    expect(ds[0]!.message).toBe('unknown parameter "dat"');
    expect(ds[0]!.hint).toBe('Declared parameters: "date".');
  });

  it("a timeout that is not whole seconds is GANTRY2015; whole seconds reach the IR", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", timeout: "1500ms" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2015 ${loc("main.ts", src, '"1500ms"')}`]);
    expect(ds[0]!.message).toMatch(/not a whole number of seconds/);
    const ir = await irOf(pipelineSource("{}", '  p.task("t", { image: "x", timeout: "1m30s" });'));
    expect(ir.tasks[0]!.timeoutSeconds).toBe(90);
  });

  it("command is not a pipeline default (it would replace a script's interpreter)", async () => {
    const src = pipelineSource('{ defaults: { command: ["bash", "-c"] } }', '  p.task("t", { image: "x", source: "echo hi" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([`GANTRY2001 ${loc("main.ts", src, "command")} pipeline "model": unknown field defaults.command`]);
  });

  it("a field written as undefined keeps the default", async () => {
    const ir = await irOf(pipelineSource('{ defaults: { timeout: "1h", env: { A: "1" } } }', '  p.task("t", { image: "x", timeout: undefined, env: undefined });'));
    expect(ir.tasks[0]!.timeoutSeconds).toBe(3600);
    expect(ir.tasks[0]!.env).toEqual([{ name: "A", value: "1" }]);
  });

  it("a parameter default outside its enum is GANTRY2016", async () => {
    const src = pipelineSource('{ parameters: { env: { default: "prod", enum: ["dev", "staging"] } } }', '  p.task("t", { image: "x" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map(where)).toEqual([`GANTRY2016 ${loc("main.ts", src, '"prod"')}`]);
  });

  it("GANTRY2016: a parameter value Argo would write into a task as an escape JSON cannot read (\\a, \\v, \\x1b, a tag character); tab, newline and emoji are fine (adversarial finding)", async () => {
    const src = pipelineSource(
      '{ parameters: { bell: { default: "ding\\u0007" }, tab: { default: "a\\tb\\nc 😀" }, mode: { default: "x", enum: ["x", "esc\\u001b[0m", "\\u000b"] }, flag: { default: "🏴\\u{E0067}\\u{E0062}\\u{E007F}" } } }',
      '  p.task("t", { image: "x", args: [p.params.bell, p.params.tab, p.params.mode, p.params.flag] });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => `${where(d)} ${d.message}`)).toEqual([
      `GANTRY2016 ${loc("main.ts", src, '"ding')} parameter "bell": its default holds the character U+0007, which Argo writes into a task as "\\a", not valid JSON, so every task that uses the parameter would fail to start`,
      `GANTRY2016 ${loc("main.ts", src, '"esc')} parameter "mode": its enum value "esc\\u001b[0m" holds the character U+001B, which Argo writes into a task as "\\x1b", not valid JSON, so every task that uses the parameter would fail to start`,
      `GANTRY2016 ${loc("main.ts", src, '"\\u000b"')} parameter "mode": its enum value "\\u000b" holds the character U+000B, which Argo writes into a task as "\\v", not valid JSON, so every task that uses the parameter would fail to start`,
      `GANTRY2016 ${loc("main.ts", src, '"🏴')} parameter "flag": its default holds the character U+E0067, which Argo writes into a task as "\\U000e0067", not valid JSON, so every task that uses the parameter would fail to start`,
    ]);
  });

  it("a task-only field in defaults says so, rather than to check its spelling (adversarial finding)", async () => {
    const src = pipelineSource('{ defaults: { image: "x", owner: "me", imagePulPolicy: "Always" } }', '  p.task("t", { image: "x" });');
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => `${d.code} ${d.message} | ${d.hint}`)).toEqual([
      'GANTRY2001 pipeline "model": unknown field defaults.image | `image` is a task field that `defaults` does not take: each task gives its own (a shared spec spread into each, `{ ...base, ... }`, does the same).',
      'GANTRY2001 pipeline "model": unknown field defaults.owner | Set `owner` among the pipeline options instead: that is the default of every task\'s `owner`.',
      'GANTRY2001 pipeline "model": unknown field defaults.imagePulPolicy | Did you mean `imagePullPolicy`?',
    ]);
  });

  it("an unknown field names the field it most likely meant, at any depth; none when nothing is close or two are equally close", async () => {
    const src = pipelineSource(
      "{ schedul: { cron: \"@daily\" } }",
      '  p.task("t", { image: "x", imagPullPolicy: "Always", resources: { limit: { cpu: "1" } }, volumes: [{ name: "v", mountPath: "/v", emptyDir: {}, readonly: true }], retyr: { limit: 1 }, IMAGE: "y", zzzzzz: 1 });',
    );
    const ds = await modelDiagnostics(src);
    expect(ds.map((d) => `${d.message} | ${d.hint}`)).toEqual([
      'pipeline "model": unknown field schedul | Did you mean `schedule`?',
      'task "t": unknown field imagPullPolicy | Did you mean `imagePullPolicy`?',
      'task "t": unknown field resources.limit | Did you mean `limits`?',
      'task "t": unknown field volumes[0].readonly | Did you mean `readOnly`?',
      'task "t": unknown field retyr | Did you mean `retry`?',
      'task "t": unknown field IMAGE | Did you mean `image`?',
      'task "t": unknown field zzzzzz | Check the spelling of `zzzzzz`; the editor lists the fields a task or pipeline accepts.',
    ]);
  });

  it("a malformed env value says what an env value can be", async () => {
    const src = pipelineSource("{}", '  p.task("t", { image: "x", env: { X: { secretKeyRef: { name: "s" } } } });');
    const ds = await modelDiagnostics(src);
    expect(ds[0]!.message).toMatch(/env\.X: an environment value is a string, number, boolean, secretEnv\(name, key\)/);
  });

  it("the 52-character hint appears only when length is the problem", async () => {
    const upper = await modelDiagnostics(`import { pipeline } from "gantry";\nexport default pipeline("Upper", { schedule: { cron: "@daily" } }, (p) => { p.task("t", { image: "x" }); });\n`);
    expect(upper[0]!.hint).toBeUndefined();
    const long = await modelDiagnostics(`import { pipeline } from "gantry";\nexport default pipeline("${"a".repeat(53)}", { schedule: { cron: "@daily" } }, (p) => { p.task("t", { image: "x" }); });\n`);
    expect(long[0]!.hint).toMatch(/52 characters/);
  });
});
