/**
 * Configuration: gantry.config.json or a "gantry" key in package.json, validated with coded,
 * positioned diagnostics; flags override it; the shipped JSON Schema matches the zod schema.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configJsonSchema } from "../src/config/schema.js";
import { gantry, repoRoot, snapshotDir, tempProject } from "./support/cli.js";

const PIPELINE = `import { pipeline } from "gantry";
export default pipeline("cfg", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });
`;

describe("configuration", () => {
  it("gantry.config.json sets inputs, output, kind, a default namespace and the label prefix", () => {
    const dir = tempProject({
      "flows/cfg.ts": PIPELINE,
      "gantry.config.json": JSON.stringify({ include: ["flows"], out: "deploy", kind: "workflow", namespace: "batch", labelPrefix: "platform.acme.com", kustomization: false }, null, 2),
    });
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(snapshotDir(path.join(dir, "deploy")))).toEqual(["cfg.yaml"]);
    const obj = parse(fs.readFileSync(path.join(dir, "deploy/cfg.yaml"), "utf8").split("---\n")[1]!);
    expect(obj.kind).toBe("Workflow");
    expect(obj.metadata.namespace).toBe("batch");
    expect(obj.metadata.labels["platform.acme.com/pipeline"]).toBe("cfg");
    expect(obj.metadata.annotations["platform.acme.com/source"]).toBe("flows/cfg.ts:2");
  });

  it("hardenArgoExecutor: false leaves out the workflow's podSpecPatch, for controllers whose workflowDefaults set one (review finding); gantry/testing reads it too", async () => {
    const hardened = tempProject({ "pipelines/cfg.ts": PIPELINE });
    const plain = tempProject({ "pipelines/cfg.ts": PIPELINE, "gantry.config.json": JSON.stringify({ hardenArgoExecutor: false }) });
    const spec = (dir: string) => {
      const r = gantry(["compile", "--stdout"], dir);
      expect(r.code, r.stderr).toBe(0);
      return parse(r.stdout.split("---\n")[1]!).spec as Record<string, unknown>;
    };
    expect(JSON.parse(spec(hardened)["podSpecPatch"] as string)).toEqual({
      initContainers: [{ name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
      containers: [{ name: "wait", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    });
    expect(spec(plain)["podSpecPatch"]).toBeUndefined();
    const { compilePipeline } = await import("../src/testing.js");
    expect((await compilePipeline("pipelines/cfg.ts", { cwd: plain })).yaml).not.toContain("podSpecPatch");
  });

  it("the \"gantry\" key of package.json works the same; flags given on the command line win", () => {
    const dir = tempProject({ "flows/cfg.ts": PIPELINE, "package.json": JSON.stringify({ name: "x", gantry: { include: ["flows"], out: "deploy", kind: "workflow" } }) });
    expect(gantry(["compile", "--out", "elsewhere", "--kind", "template"], dir).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "deploy"))).toBe(false);
    const obj = parse(fs.readFileSync(path.join(dir, "elsewhere/cfg.yaml"), "utf8").split("---\n")[1]!);
    expect(obj.kind).toBe("WorkflowTemplate");
  });

  it("an unknown setting and a wrong value are GANTRY5004 at their line and column; nothing is written", () => {
    const text = `{\n  "include": ["pipelines"],\n  "outt": "x",\n  "kind": "pod"\n}\n`;
    const dir = tempProject({ "pipelines/cfg.ts": PIPELINE, "gantry.config.json": text });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gantry.config.json:3:3: error GANTRY5004: gantry.config.json: unknown setting "outt"');
    expect(r.stderr).toContain('hint: Did you mean "out"? See docs/configuration.md'); // new-user trial: "grpah"
    expect(r.stderr).toMatch(/gantry\.config\.json:4:11: error GANTRY5004: gantry\.config\.json: kind: .*"auto"/);
    expect(r.stderr).toMatch(/> 3 \|\s+"outt"/);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    // In file order, and closed by the summary line (adversarial finding: neither).
    expect(r.stderr.match(/^gantry\.config\.json:\d+:\d+/gm)).toEqual(["gantry.config.json:3:3", "gantry.config.json:4:11"]);
    expect(r.stderr.endsWith("2 errors, 0 warnings; nothing was written.\n")).toBe(true);
  });

  it("ignoreWarnings hides warning codes (never errors); --warnings-as-errors / warningsAsErrors fails on the rest, writing nothing (dogfooding finding)", async () => {
    // Warning GANTRY4005 (a teardown under argo stop) and GANTRY1122 (console.log); error GANTRY2006 in a second project.
    const warned = `import { pipeline } from "gantry";
console.log("hi");
export default pipeline("cfg", {}, (p) => {
  const s = p.setup("make", { image: "busybox:1.36" });
  p.task("t", { image: "busybox:1.36", after: [s] });
  p.teardown("drop", { image: "busybox:1.36", setups: [s] });
});
`;
    const config = (c: object) => JSON.stringify(c);
    const plain = tempProject({ "pipelines/cfg.ts": warned });
    const all = gantry(["compile", "--format", "json"], plain);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stderr) as { code: string }[]).map((d) => d.code).sort()).toEqual(["GANTRY1122", "GANTRY4005"]);

    const ignoring = tempProject({ "pipelines/cfg.ts": warned, "gantry.config.json": config({ ignoreWarnings: ["GANTRY4005"] }) });
    // The rest fail the compile with the flag, and nothing is written.
    const strict = gantry(["compile", "--warnings-as-errors"], ignoring);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("1 error, 0 warnings (--warnings-as-errors: 1 warning reported as an error); nothing was written.");
    expect(strict.stderr).toContain("error GANTRY1122");
    // Reported as an error in every format, so a CI annotation or SARIF alert says why it failed (diagnostics review).
    const json = gantry(["compile", "--warnings-as-errors", "--format", "json"], ignoring);
    expect((JSON.parse(json.stderr) as { code: string; severity: string }[]).map((d) => `${d.severity} ${d.code}`)).toEqual(["error GANTRY1122"]);
    expect(gantry(["compile", "--warnings-as-errors", "--format", "github"], ignoring).stderr).toMatch(/^::error file=pipelines\/cfg\.ts,.*title=GANTRY1122::/);
    expect(fs.existsSync(path.join(ignoring, "manifests"))).toBe(false);
    const some = gantry(["compile", "--format", "json"], ignoring);
    expect(some.code).toBe(0);
    expect((JSON.parse(some.stderr) as { code: string }[]).map((d) => d.code)).toEqual(["GANTRY1122"]);
    // All ignored: the strict compile passes. From the configuration too.
    const quiet = tempProject({ "pipelines/cfg.ts": warned, "gantry.config.json": config({ ignoreWarnings: ["GANTRY4005", "GANTRY1122"], warningsAsErrors: true }) });
    const ok = gantry(["compile"], quiet);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe("compiled 1 pipeline into manifests: 2 written, 0 unchanged.\n");
    const byConfig = tempProject({ "pipelines/cfg.ts": warned, "gantry.config.json": config({ warningsAsErrors: true }) });
    expect(gantry(["compile"], byConfig).code).toBe(1);
    // An error is reported whatever the list says; an unknown code is a configuration error.
    const failing = tempProject({ "pipelines/cfg.ts": warned.replace('p.task("t", { image: "busybox:1.36"', 'p.task("t", { image: "busybox:1.36", resources: { limits: { memory: "1GB" } }'), "gantry.config.json": config({ ignoreWarnings: ["GANTRY2006"] }) });
    expect(gantry(["compile"], failing).stderr).toContain("error GANTRY2006");
    const unknown = tempProject({ "pipelines/cfg.ts": warned, "gantry.config.json": config({ ignoreWarnings: ["GANTRY9999"] }) });
    const bad = gantry(["compile"], unknown);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error GANTRY5004: gantry\.config\.json: ignoreWarnings\.0: is not a Gantry diagnostic code \(see/);
    // `gantry explain` takes any case; the configuration says which spelling it wants (docs audit).
    const lower = gantry(["compile"], tempProject({ "pipelines/cfg.ts": warned, "gantry.config.json": config({ ignoreWarnings: ["gantry4005"] }) }));
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain('error GANTRY5004: gantry.config.json: ignoreWarnings.0: is not a Gantry diagnostic code as written: codes are in capitals ("GANTRY4005")');
  });

  it("invalid JSON and a bad namespace are diagnostics too", () => {
    const broken = tempProject({ "pipelines/cfg.ts": PIPELINE, "gantry.config.json": `{ "out": "x", }` });
    const r = gantry(["compile", "--format", "json"], broken);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)[0]).toMatchObject({ code: "GANTRY5004", span: { file: "gantry.config.json", line: 1 } });
    const ns = tempProject({ "pipelines/cfg.ts": PIPELINE, "gantry.config.json": `{ "namespace": "Data_Team" }` });
    expect(gantry(["compile"], ns).stderr).toMatch(/namespace: must be a lowercase DNS label/);
  });

  // CLI review findings: a gantry.config.json linking nowhere was skipped for the defaults (or
  // package.json's key), and runtimeImage took any string, which every Job's pods then could not pull.
  it("a gantry.config.json that is a broken symbolic link is GANTRY5004, not skipped", () => {
    const dir = tempProject({ "pipelines/cfg.ts": PIPELINE, "package.json": JSON.stringify({ name: "x", gantry: { out: "elsewhere" } }) });
    fs.symlinkSync("../shared/gantry.config.json", path.join(dir, "gantry.config.json"));
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY5004: gantry.config.json cannot be read: it is a symbolic link to ../shared/gantry.config.json, which does not exist");
    expect(fs.readdirSync(dir).sort()).toEqual(["gantry.config.json", "package.json", "pipelines"]);
  });

  it("runtimeImage, in the configuration or as --runtime-image, must be an image reference the kubelet can pull", () => {
    const dir = tempProject({ "pipelines/cfg.ts": PIPELINE, "gantry.config.json": `{\n  "target": "jobs",\n  "runtimeImage": "Node:22 alpine "\n}\n` });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gantry.config.json:3:19: error GANTRY5004: gantry.config.json: runtimeImage: must not have leading or trailing whitespace");
    fs.writeFileSync(path.join(dir, "gantry.config.json"), `{ "target": "jobs", "runtimeImage": "mirror.example.com:5000/library/node:22-alpine" }`);
    expect(gantry(["compile", "--stdout"], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining("image: mirror.example.com:5000/library/node:22-alpine") });
    const flag = gantry(["compile", "--runtime-image", "https://node:22"], dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("option '--runtime-image <image>' argument 'https://node:22' is invalid. It has an invalid registry");
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
  });

  it("the shipped JSON Schema refuses in the editor what the compiler refuses: names, the idle timeout's syntax, unknown codes (review finding)", async () => {
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(repoRoot, "gantry.config.schema.json"), "utf8")) as object);
    const { configSchema } = await import("../src/config/schema.js");
    const refused = [{ namespace: "Bad_NS" }, { namespace: "" }, { namespace: "a".repeat(64) }, { labelPrefix: "-x-" }, { labelPrefix: "a..b" }, { idleTimeout: "1 day" }, { ignoreWarnings: ["GANTRY9999"] }, { ignoreWarnings: ["gantry4005"] }];
    for (const c of refused) {
      expect(configSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
      expect(validate(c), JSON.stringify(c)).toBe(false);
    }
    const accepted = [{ namespace: "data-team" }, { labelPrefix: "platform.acme.com" }, { idleTimeout: "1h30m" }, { ignoreWarnings: ["GANTRY4005"] }];
    for (const c of accepted) {
      expect(configSchema.safeParse(c).success, JSON.stringify(c)).toBe(true);
      expect(validate(c), JSON.stringify(c)).toBe(true);
    }
  });

  it("a pipeline's own namespace wins over the configured default", () => {
    const dir = tempProject({ "pipelines/cfg.ts": PIPELINE.replace("{}, (p)", '{ namespace: "own" }, (p)'), "gantry.config.json": `{ "namespace": "batch" }` });
    const r = gantry(["compile", "--stdout"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("namespace: own");
  });

  it("gantry.config.schema.json (shipped for editors) is generated from the zod schema: npm run schema", () => {
    expect(fs.readFileSync(path.join(repoRoot, "gantry.config.schema.json"), "utf8")).toBe(configJsonSchema());
  });
});
