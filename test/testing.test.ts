/** `gantry/testing`: the in-process helper for snapshot tests of users' pipelines. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { compilePipeline, compilePipelines, GantryCompileError } from "../src/testing.js";
import { repoRoot, tempProject } from "./support/cli.js";

const temps: string[] = [];
const project = (files: Record<string, string>): string => {
  const dir = tempProject(files);
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

const twoPipelines = `import { pipeline } from "gantry";

const task = { image: "busybox:1.36", command: ["true"] };

export const beta = pipeline("beta", {}, (p) => {
  p.task("b", task);
});
export const alpha = pipeline("alpha", { schedule: { cron: "@daily" } }, (p) => {
  p.task("a", task);
});
`;

// Two independent errors in one pipeline: both are reported.
const broken = `import { pipeline } from "gantry";

export default pipeline("broken", {}, (p) => {
  p.task("report", {
    image: "busybox:1.36",
    resources: {
      limits: { memory: "1GB", cpu: "lots" },
    },
  });
});
`;

const rejected = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the promise to reject");
};

describe("compilePipeline", () => {
  it("returns the objects and the YAML that gantry compile writes for an example", async () => {
    const m = await compilePipeline("examples/hello-world.ts", { cwd: repoRoot });
    expect(m.name).toBe("hello-world");
    expect(m.source).toBe("examples/hello-world.ts");
    expect(m.yaml).toBe(fs.readFileSync(path.join(repoRoot, "snapshots/argo/hello-world.yaml"), "utf8"));
    expect(m.yaml.split("\n")[0]).toContain("from examples/hello-world.ts.");
    expect(m.objects).toHaveLength(1);
    expect(m.objects[0]).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", metadata: { name: "hello-world" } });
    expect(m.ir.name).toBe("hello-world");
    expect(m.ir.tasks.map((t) => t.name)).toEqual(["hello"]);
    expect(m.warnings).toEqual([]);
  });

  it("passes kind through and resolves the file against cwd (default process.cwd())", async () => {
    const m = await compilePipeline("examples/hello-world.ts", { cwd: repoRoot, kind: "workflow" });
    expect(m.objects[0]).toMatchObject({ kind: "Workflow", metadata: { generateName: "hello-world-" } });

    const abs = path.join(repoRoot, "examples/hello-world.ts");
    const fromHere = await compilePipeline(abs);
    expect(fromHere.source).toBe(path.relative(process.cwd(), abs).split(path.sep).join("/"));
  });

  it("passes target, runId and metrics through", async () => {
    const jobs = await compilePipeline("examples/hello-world.ts", { cwd: repoRoot, target: "jobs", runId: "snap" });
    expect(jobs.objects.filter((o) => o.kind === "Job").map((o) => (o.metadata as { name: string }).name)).toEqual(["hello-world-snap-hello", "hello-world-snap-gantry-status"]);
    const withMetrics = await compilePipeline("examples/hello-world.ts", { cwd: repoRoot });
    const without = await compilePipeline("examples/hello-world.ts", { cwd: repoRoot, metrics: false });
    expect(withMetrics.yaml).toContain("gantry_task_result_total");
    expect(without.yaml).not.toContain("gantry_task_result_total");
  });

  it("selects a pipeline by name when the file exports several; compilePipelines returns them all, sorted", async () => {
    const cwd = project({ "pipelines/two.ts": twoPipelines });
    const beta = await compilePipeline("pipelines/two.ts", { cwd, name: "beta" });
    expect(beta.name).toBe("beta");
    expect(beta.objects[0]).toMatchObject({ kind: "WorkflowTemplate", metadata: { name: "beta" } });
    expect(beta.yaml.split("\n")[0]).toContain("from pipelines/two.ts.");
    const alpha = await compilePipeline("pipelines/two.ts", { cwd, name: "alpha" });
    expect(alpha.objects[0]).toMatchObject({ kind: "CronWorkflow" });

    const all = await compilePipelines("pipelines/two.ts", { cwd });
    expect(all.map((m) => m.name)).toEqual(["alpha", "beta"]);
    expect(all[1]!.yaml).toBe(beta.yaml);
  });

  it("a kind applies to the chosen pipeline only: kind cron compiles the scheduled one beside an unscheduled one (review finding)", async () => {
    const cwd = project({ "pipelines/two.ts": twoPipelines });
    const alpha = await compilePipeline("pipelines/two.ts", { cwd, name: "alpha", kind: "cron" });
    expect(alpha.objects.map((o) => o.kind)).toEqual(["CronWorkflow"]);
    const beta = await compilePipeline("pipelines/two.ts", { cwd, name: "beta", kind: "workflow" });
    expect(beta.objects.map((o) => o.kind)).toEqual(["Workflow"]);
    // The unscheduled one itself still cannot be a CronWorkflow, and every pipeline of the file is still checked.
    const e = await rejected(compilePipeline("pipelines/two.ts", { cwd, name: "beta", kind: "cron" }));
    expect(e).toBeInstanceOf(GantryCompileError);
    expect((e as GantryCompileError).diagnostics.map((d) => d.message).join("\n")).toContain('"beta"');
    const all = await rejected(compilePipelines("pipelines/two.ts", { cwd, kind: "cron" }));
    expect(all).toBeInstanceOf(GantryCompileError);
    const unknown = await rejected(compilePipeline("pipelines/two.ts", { cwd, name: "gamma", kind: "cron" }));
    expect(unknown.message).toBe('gantry: pipelines/two.ts exports no pipeline named "gamma"; it exports "alpha", "beta"');
  });

  it("refuses to guess between several pipelines, and names them", async () => {
    const cwd = project({ "pipelines/two.ts": twoPipelines });
    const e = await rejected(compilePipeline("pipelines/two.ts", { cwd }));
    expect(e).not.toBeInstanceOf(GantryCompileError);
    expect(e.message).toBe('gantry: pipelines/two.ts exports 2 pipelines ("alpha", "beta"); pass { name } to choose one, or use compilePipelines()');

    const unknown = await rejected(compilePipeline("pipelines/two.ts", { cwd, name: "gamma" }));
    expect(unknown.message).toBe('gantry: pipelines/two.ts exports no pipeline named "gamma"; it exports "alpha", "beta"');
  });

  it("throws GantryCompileError with every diagnostic as readable text: code, file:line:col, code frame, no colour", async () => {
    const cwd = project({ "pipelines/broken.ts": broken });
    const e = await rejected(compilePipeline("pipelines/broken.ts", { cwd }));
    expect(e).toBeInstanceOf(GantryCompileError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("GantryCompileError");
    const err = e as GantryCompileError;
    expect(err.diagnostics.map((d) => [d.code, d.span?.line, d.span?.column])).toEqual([["GANTRY2006", 7, 25], ["GANTRY2006", 7, 37]]);
    expect(err.message).not.toMatch(/\x1b\[/);
    expect(err.message).toBe(
      [
        "gantry: pipelines/broken.ts does not compile (2 errors, 0 warnings):",
        "",
        'pipelines/broken.ts:7:25: error GANTRY2006: task "report": resources.limits.memory: "1GB" is not a Kubernetes quantity (did you mean "1G" or "1Gi"?)',
        "  6 |     resources: {",
        '> 7 |       limits: { memory: "1GB", cpu: "lots" },',
        "    |                         ^^^^^",
        "  8 |     },",
        "",
        'pipelines/broken.ts:7:37: error GANTRY2006: task "report": resources.limits.cpu: "lots" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)',
        "  6 |     resources: {",
        '> 7 |       limits: { memory: "1GB", cpu: "lots" },',
        "    |                                     ^^^^^^",
        "  8 |     },",
      ].join("\n"),
    );
  });

  it("reports a missing file and a file without pipelines", async () => {
    const cwd = project({ "pipelines/none.ts": `export const x = 1;\n` });
    const missing = await rejected(compilePipeline("pipelines/nope.ts", { cwd }));
    expect(missing).toBeInstanceOf(GantryCompileError);
    // Named as the CLI names it, not by an absolute path that differs between machines (adversarial finding).
    expect(missing.message).toMatch(/error GANTRY1001: no such file or directory: pipelines\/nope\.ts$/);
    expect(missing.message).not.toContain(cwd);

    const none = await rejected(compilePipelines("pipelines/none.ts", { cwd }));
    expect(none.message).toMatch(/^gantry: pipelines\/none\.ts exports no pipeline/);
  });

  it("returns warnings without failing", async () => {
    const cwd = project({
      "p.ts": `import { pipeline } from "gantry";\n\nconsole.log("hi");\n\nexport default pipeline("warned", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`,
    });
    const m = await compilePipeline("p.ts", { cwd });
    expect(m.name).toBe("warned");
    expect(m.warnings.map((d) => [d.code, d.severity, d.span?.line])).toEqual([["GANTRY1122", "warning", 3]]);
    // The configuration's ignoreWarnings leaves them out, as gantry compile does.
    const quiet = project({ "p.ts": `import { pipeline } from "gantry";\n\nconsole.log("hi");\n\nexport default pipeline("warned", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`, "gantry.config.json": '{ "ignoreWarnings": ["GANTRY1122"] }' });
    expect((await compilePipeline("p.ts", { cwd: quiet })).warnings).toEqual([]);
    // ...and out of the error's message and diagnostics too (adversarial finding).
    const failing = project({
      "p.ts": `import { pipeline } from "gantry";\n\nconsole.log("hi");\n\nexport default pipeline("bad", {}, (p) => {\n  p.task("t", { image: "busybox:1.36", resources: { limits: { memory: "1GB" } } });\n});\n`,
      "gantry.config.json": '{ "ignoreWarnings": ["GANTRY1122"] }',
    });
    const e = (await rejected(compilePipeline("p.ts", { cwd: failing }))) as GantryCompileError;
    expect(e.diagnostics.map((d) => d.code)).toEqual(["GANTRY2006"]);
    expect(e.message).toMatch(/^gantry: p\.ts does not compile \(1 error, 0 warnings\):/);
    expect(e.message).not.toContain("GANTRY1122");
  });

  it("refuses an option for the other target, as gantry compile does (adversarial finding: silently ignored)", async () => {
    expect((await rejected(compilePipeline("examples/hello-world.ts", { cwd: repoRoot, runId: "snap" }))).message).toBe('gantry: options.runId applies to target "jobs" only (the target here is "argo")');
    expect((await rejected(compilePipeline("examples/hello-world.ts", { cwd: repoRoot, target: "jobs", kind: "workflow" }))).message).toMatch(/^gantry: options\.kind applies to target "argo" only/);
  });
});

// Review of the testing API (helper-73): absolute paths in messages, `name` skipping the siblings'
// lowering and backend, the configuration's warningsAsErrors ignored, an empty path, and the jobs
// target's unknown name without the names it has.
describe("compilePipeline and compilePipelines as gantry compile sees the file (review findings)", () => {
  it("names files relative to cwd in every message, however the file was given, so error snapshots move between machines", async () => {
    const cwd = project({ "pipelines/broken.ts": broken, "pipelines/two.ts": twoPipelines, "pipelines/none.ts": "export const x = 1;\n" });
    const messages = [
      (await rejected(compilePipeline(path.join(cwd, "pipelines/broken.ts"), { cwd }))).message,
      (await rejected(compilePipeline(path.join(cwd, "pipelines/two.ts"), { cwd }))).message,
      (await rejected(compilePipeline(path.join(cwd, "pipelines/two.ts"), { cwd, name: "gamma" }))).message,
      (await rejected(compilePipelines(path.join(cwd, "pipelines/none.ts"), { cwd }))).message,
      (await rejected(compilePipeline("pipelines/[missing].ts", { cwd }))).message,
    ];
    expect(messages.map((m) => m.split("\n")[0])).toEqual([
      "gantry: pipelines/broken.ts does not compile (2 errors, 0 warnings):",
      'gantry: pipelines/two.ts exports 2 pipelines ("alpha", "beta"); pass { name } to choose one, or use compilePipelines()',
      'gantry: pipelines/two.ts exports no pipeline named "gamma"; it exports "alpha", "beta"',
      "gantry: pipelines/none.ts exports no pipeline (export the value of pipeline(...), or an array of them)",
      "gantry: pipelines/[missing].ts does not compile (1 error, 0 warnings):",
    ]);
    expect(messages[4]).toContain("GANTRY1003: no TypeScript sources match pipelines/[missing].ts");
    for (const m of messages) expect(m).not.toContain(cwd);
    const config = project({ "pipelines/two.ts": twoPipelines, "gantry.config.json": '{ "namespace": "Data" }' });
    const invalid = await rejected(compilePipelines("pipelines/two.ts", { cwd: config }));
    expect(invalid.message.split("\n")[0]).toBe("gantry: the configuration (gantry.config.json) is invalid (1 error, 0 warnings):");
    expect(invalid.message).not.toContain(config);
  });

  it("with name, a sibling's error of any phase throws and the warnings are the file's, as gantry compile reports them", async () => {
    const siblings = `import { pipeline } from "gantry";
export const alpha = pipeline("alpha", {}, (p) => {
  p.task("a", { image: "busybox:1.36" });
});
export const beta = pipeline("beta", { schedule: { cron: "@daily" }, parameters: { day: {} } }, (p) => {
  p.task("b", { image: "busybox:1.36", args: [p.params.day] });
});
`;
    const cwd = project({ "pipelines/team.ts": siblings });
    const cli = spawnSync(process.execPath, [path.join(repoRoot, "dist/cli/main.js"), "compile", "--format", "json"], { cwd, encoding: "utf8" });
    expect(cli.status).toBe(1);
    const codes = (JSON.parse(cli.stderr) as { code: string }[]).map((d) => d.code);
    expect(codes).toContain("GANTRY4011"); // a lowering error: the CronWorkflow's parameter has no default
    const e = await rejected(compilePipeline("pipelines/team.ts", { cwd, name: "alpha" }));
    expect(e).toBeInstanceOf(GantryCompileError);
    expect((e as GantryCompileError).diagnostics.map((d) => d.code)).toEqual(codes);
    // An unknown name on the jobs target lists the names too.
    const unknown = await rejected(compilePipeline("pipelines/two.ts", { cwd: project({ "pipelines/two.ts": twoPipelines }), target: "jobs", name: "gamma" }));
    expect(unknown.message).toBe('gantry: pipelines/two.ts exports no pipeline named "gamma"; it exports "alpha", "beta"');
    // Warnings of a sibling are the file's warnings, for the chosen pipeline too.
    const warned = project({ "pipelines/w.ts": `import { pipeline } from "gantry";\nexport const alpha = pipeline("alpha", {}, (p) => { p.task("a", { image: "busybox:1.36" }); });\nexport const beta = pipeline("beta", {}, (p) => { const s = p.setup("up", { image: "busybox:1.36" }); p.task("b", { image: "busybox:1.36", after: [s] }); p.teardown("down", { image: "busybox:1.36", setups: [s] }); });\n` });
    const all = await compilePipelines("pipelines/w.ts", { cwd: warned });
    expect(all[0]!.warnings.map((d) => d.code)).toEqual(["GANTRY4005"]); // a lowering warning of beta's teardown
    expect((await compilePipeline("pipelines/w.ts", { cwd: warned, name: "alpha" })).warnings).toEqual(all[0]!.warnings);
  });

  it("with name and kind, a configured kind that refuses the chosen pipeline does not stand in the way of the kind asked for (second reader's finding)", async () => {
    const cwd = project({ "pipelines/two.ts": twoPipelines, "gantry.config.json": '{ "kind": "cron" }' });
    const beta = await compilePipeline("pipelines/two.ts", { cwd, name: "beta", kind: "template" });
    expect(beta.objects.map((o) => o.kind)).toEqual(["WorkflowTemplate"]);
    const warned = project({ "pipelines/two.ts": twoPipelines, "gantry.config.json": '{ "kind": "template", "warningsAsErrors": true }' });
    const alpha = await compilePipeline("pipelines/two.ts", { cwd: warned, name: "alpha", kind: "cron" });
    expect(alpha.objects.map((o) => o.kind)).toEqual(["CronWorkflow"]);
    expect(alpha.warnings).toEqual([]);
  });

  it("the configuration's warningsAsErrors throws on a warning, as gantry compile fails then; the option wins", async () => {
    const warnedSource = `import { pipeline } from "gantry";\n\nconsole.log("hi");\n\nexport default pipeline("warned", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`;
    const cwd = project({ "p.ts": warnedSource, "gantry.config.json": '{ "warningsAsErrors": true }' });
    const e = await rejected(compilePipeline("p.ts", { cwd }));
    expect(e).toBeInstanceOf(GantryCompileError);
    expect(e.message.split("\n")[0]).toBe("gantry: p.ts compiles with warnings, and warnings fail the compile (warningsAsErrors) (0 errors, 1 warning):");
    expect((e as GantryCompileError).diagnostics.map((d) => d.code)).toEqual(["GANTRY1122"]);
    expect((await compilePipeline("p.ts", { cwd, warningsAsErrors: false })).warnings.map((d) => d.code)).toEqual(["GANTRY1122"]);
    await expect(compilePipeline("p.ts", { cwd: project({ "p.ts": warnedSource }), warningsAsErrors: true })).rejects.toBeInstanceOf(GantryCompileError);
  });

  it("an empty path is refused, as gantry compile refuses it, rather than compiling the whole folder", async () => {
    const cwd = project({ "pipelines/two.ts": twoPipelines });
    expect((await rejected(compilePipelines("", { cwd }))).message).toBe("gantry: the file to compile must not be empty");
    expect((await rejected(compilePipeline("", { cwd }))).message).toBe("gantry: the file to compile must not be empty");
  });
});

describe("the project configuration", () => {
  const single = `import { pipeline } from "gantry";\nexport default pipeline("etl", { schedule: { cron: "@daily" } }, (p) => {\n  p.task("extract", { image: "busybox:1.36" });\n});\n`;

  it("is read as gantry compile reads it, so the snapshot equals the manifest the CLI writes (from review: init's scaffolded test failed once a config was set)", async () => {
    const config = { namespace: "data", labelPrefix: "acme.io", metrics: false, kind: "template" };
    const dir = project({ "pipelines/etl.ts": single, "gantry.config.json": JSON.stringify(config) });
    const cli = spawnSync(process.execPath, [path.join(repoRoot, "dist/cli/main.js"), "compile"], { cwd: dir, encoding: "utf8" });
    expect(cli.status, cli.stderr).toBe(0);
    const written = fs.readFileSync(path.join(dir, "manifests/etl.yaml"), "utf8");
    const m = await compilePipeline("pipelines/etl.ts", { cwd: dir });
    expect(m.yaml).toBe(written);
    expect(m.objects[0]).toMatchObject({ kind: "WorkflowTemplate", metadata: { namespace: "data", labels: { "acme.io/pipeline": "etl" } } });
    expect(m.yaml).not.toContain("prometheus");
    // Options win; config: false ignores the file.
    expect((await compilePipeline("pipelines/etl.ts", { cwd: dir, kind: "cron" })).objects[0]!["kind"]).toBe("CronWorkflow");
    const plain = await compilePipeline("pipelines/etl.ts", { cwd: dir, config: false });
    expect(plain.objects[0]).toMatchObject({ kind: "CronWorkflow", metadata: { labels: { "gantry.dev/pipeline": "etl" } } });
    expect(plain.yaml).toContain("prometheus");
  });

  it("the jobs settings too, and from package.json's \"gantry\" key", async () => {
    const dir = project({ "pipelines/etl.ts": single, "package.json": JSON.stringify({ name: "x", gantry: { target: "jobs", runtimeImage: "mirror.example/node:22", idleTimeout: "36h" } }) });
    const m = await compilePipeline("pipelines/etl.ts", { cwd: dir, runId: "r1" });
    const text = JSON.stringify(m.objects);
    expect(text).toContain('"image":"mirror.example/node:22"');
    expect(text).toContain('\\"timeoutSeconds\\":129600');
  });

  it("an invalid configuration throws GantryCompileError with its located diagnostic; unknown option values throw", async () => {
    const dir = project({ "pipelines/etl.ts": single, "gantry.config.json": `{\n  "target": "kubeflow"\n}\n` });
    const error = await compilePipeline("pipelines/etl.ts", { cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GantryCompileError);
    expect((error as GantryCompileError).diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}`)).toEqual(["GANTRY5004 gantry.config.json:2"]);
    expect((error as Error).message).toContain("gantry.config.json:2:");
    await expect(compilePipeline("pipelines/etl.ts", { cwd: dir, config: false, kind: "bogus" as never })).rejects.toThrow('options.kind must be one of "auto", "template", "workflow", "cron", not "bogus"');
    await expect(compilePipeline("pipelines/etl.ts", { cwd: dir, config: false, target: "x" as never })).rejects.toThrow('options.target must be one of "argo", "jobs"');
  });
});

describe('a user project importing "gantry/testing"', () => {
  // node_modules/gantry is this checkout, as after `npm install gantry`; dist/ is built by the global setup.
  const userProject = () => {
    const dir = project({
      "pipelines/nightly.ts": `import { pipeline } from "gantry";\n\nexport default pipeline("nightly", { namespace: "data" }, (p) => {\n  p.task("extract", { image: "busybox:1.36", command: ["true"] });\n});\n`,
      "pipelines/broken.ts": broken,
      "print.mjs": [
        `import { compilePipeline, GantryCompileError } from "gantry/testing";`,
        `const m = await compilePipeline("pipelines/nightly.ts");`,
        `process.stdout.write(m.yaml);`,
        `try {`,
        `  await compilePipeline("pipelines/broken.ts");`,
        `} catch (e) {`,
        `  if (!(e instanceof GantryCompileError)) throw e;`,
        `  process.stderr.write(e.message + "\\n");`,
        `}`,
        ``,
      ].join("\n"),
      "types.ts": [
        `import { compilePipeline, GantryCompileError, type CompiledManifests, type Diagnostic } from "gantry/testing";`,
        `export async function check(): Promise<string> {`,
        `  const m: CompiledManifests = await compilePipeline("pipelines/nightly.ts", { cwd: ".", kind: "template", name: "nightly", typecheck: false });`,
        `  const warnings: Diagnostic[] = m.warnings;`,
        `  const e = new GantryCompileError("x", warnings);`,
        `  return m.yaml + m.objects.length + m.ir.name + e.diagnostics.length;`,
        `}`,
        `// @ts-expect-error: kind is checked`,
        `compilePipeline("x.ts", { kind: "job" });`,
        ``,
      ].join("\n"),
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"), "dir");
    return dir;
  };

  it("runs under plain node: prints the YAML and a readable error", () => {
    const dir = userProject();
    const r = spawnSync(process.execPath, ["print.mjs"], { cwd: dir, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "1" }, timeout: 60_000 });
    expect(r.stderr).toContain("pipelines/broken.ts:7:25: error GANTRY2006");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("# Generated by gantry from pipelines/nightly.ts. Do not edit: change the source and run `gantry compile`.");
    expect(r.stdout).toContain("kind: WorkflowTemplate\nmetadata:\n  name: nightly\n  namespace: data\n");
    expect(r.stderr).toContain('> 7 |       limits: { memory: "1GB", cpu: "lots" },');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it("type-checks against the published declarations (exports types condition)", () => {
    const dir = userProject();
    const program = ts.createProgram([path.join(dir, "types.ts")], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const resolved = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.endsWith("testing.d.ts"));
    expect(resolved).toEqual([path.join(repoRoot, "dist/testing.d.ts").split(path.sep).join("/")]);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).toEqual([]);
  });
});
