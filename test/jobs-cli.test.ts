/** `gantry compile --target jobs` through the real CLI: files, idempotence, --check, config, usage errors. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { gantry, repoRoot, tempProject } from "./support/cli.js";

const source = `import { pipeline } from "gantry";
export default pipeline("etl", { namespace: "data" }, (p) => {
  const a = p.task("extract", { image: "busybox:1.36" });
  p.task("load", { image: "busybox:1.36", after: [a] });
});
`;

describe("gantry compile --target jobs", () => {
  it("writes every example as Jobs; a second run changes nothing and --check passes", () => {
    const out = path.join(tempProject(), "out");
    const first = gantry(["compile", "examples", "--target", "jobs", "--out", out], repoRoot);
    expect(first.stderr).toMatch(/compiled 8 pipelines into .*: 9 written, 0 unchanged/);
    expect(first.code).toBe(0);
    const files = fs.readdirSync(out).sort();
    expect(files).toEqual(["conditional-backfill.yaml", "create-rose-table.yaml", "hello-world.yaml", "kpo-two-pods.yaml", "kustomization.yaml", "nightly-etl.yaml", "per-table-load.yaml", "spark-on-k8s.yaml", "staging-handoff.yaml"]);
    const hello = parseAllDocuments(fs.readFileSync(path.join(out, "hello-world.yaml"), "utf8")).map((d) => d.toJS() as { kind: string });
    expect(hello.map((d) => d.kind)).toContain("Job");
    const again = gantry(["compile", "examples", "--target", "jobs", "--out", out], repoRoot);
    expect(again.stderr).toMatch(/0 written, 9 unchanged/);
    expect(gantry(["compile", "examples", "--target", "jobs", "--out", out, "--check"], repoRoot).code).toBe(0);
  });

  it("--check names what changed in meaning: a new dependency, an image", () => {
    const dir = tempProject({ "pipelines/etl.ts": source });
    expect(gantry(["compile", "--target", "jobs", "--run-id", "r1"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), source.replace(`p.task("load", { image: "busybox:1.36", after: [a] })`, `const b = p.task("load", { image: "busybox:1.37", after: [a] });\n  p.task("report", { image: "busybox:1.36", after: [b] })`));
    const check = gantry(["compile", "--target", "jobs", "--run-id", "r1", "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("etl: tasks added: report; image of load: busybox:1.36 -> busybox:1.37");
  });

  it("takes target, gitops and runtimeImage from gantry.config.json; flags win", () => {
    const dir = tempProject({ "pipelines/etl.ts": source, "gantry.config.json": JSON.stringify({ target: "jobs", gitops: "argocd", runtimeImage: "registry.example/node:22" }) });
    const r = gantry(["compile", "--stdout"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("argocd.argoproj.io/sync-wave");
    expect(r.stdout).toContain("image: registry.example/node:22");
    const flags = gantry(["compile", "--stdout", "--gitops", "none", "--runtime-image", "node:20-alpine"], dir);
    expect(flags.stdout).not.toContain("argocd.argoproj.io");
    expect(flags.stdout).toContain("image: node:20-alpine");
    const argo = gantry(["compile", "--stdout", "--target", "argo"], dir);
    expect(argo.code).toBe(0);
    expect(argo.stdout).toContain("kind: WorkflowTemplate");
  });

  it("idleTimeout (config) and --idle-timeout (flag, wins) set every wait's idle limit: await-deps, the status Job, the driver", () => {
    const scheduled = source.replace(`{ namespace: "data" }`, `{ namespace: "data", schedule: { cron: "0 3 * * *" } }`);
    const dir = tempProject({ "pipelines/etl.ts": source, "pipelines/nightly.ts": scheduled.replace(`"etl"`, `"nightly"`), "gantry.config.json": JSON.stringify({ target: "jobs", idleTimeout: "36h" }) });
    /** Every timeoutSeconds in the shim configurations of the emitted objects (and of the driver's Jobs). */
    const limits = (stdout: string): number[] => [...stdout.matchAll(/\\?"timeoutSeconds\\?":\s*(\d+)/g)].map((m) => Number(m[1]));
    const fromConfig = gantry(["compile", "--stdout"], dir);
    expect(fromConfig.code).toBe(0);
    const seen = limits(fromConfig.stdout);
    // etl: load's await-deps and the status Job; nightly: the same two inside the driver's objects, and the driver.
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen)).toEqual(new Set([36 * 3600]));
    const fromFlag = gantry(["compile", "--stdout", "--idle-timeout", "90m"], dir);
    expect(new Set(limits(fromFlag.stdout))).toEqual(new Set([5400]));
    const byDefault = gantry(["compile", "--stdout", "--target", "jobs"], tempProject({ "pipelines/etl.ts": source }));
    expect(new Set(limits(byDefault.stdout))).toEqual(new Set([86400]));
  });

  it("an unusable idle limit: a usage error on the command line, a located config error in the file; argo refuses the flag", () => {
    const dir = tempProject({ "pipelines/etl.ts": source });
    for (const [value, why] of [["5m", /"5m" is too short: at least 10m/], ["2d", /no day unit, use hours/], ["36", /has no unit/], ["", /must not be empty/]] as const) {
      const r = gantry(["compile", "--target", "jobs", "--idle-timeout", value], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    expect(gantry(["compile", "--idle-timeout", "36h"], dir).stderr).toBe("gantry compile: --idle-timeout applies to --target jobs only\n");
    fs.writeFileSync(path.join(dir, "gantry.config.json"), `{\n  "target": "jobs",\n  "idleTimeout": "1m"\n}\n`);
    const config = gantry(["compile"], dir);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/gantry\.config\.json:3:\d+/);
    expect(config.stderr).toContain(`"1m" is too short`);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
  });

  it("GANTRY4020: compile() refuses an idle limit under 10 minutes or not a number from a library caller", async () => {
    const { compile } = await import("../src/compile.js");
    const dir = tempProject({ "pipelines/etl.ts": source });
    const run = (idleTimeoutSeconds: number) => compile({ cwd: dir, paths: ["pipelines"], target: "jobs", kind: "auto", jobs: { idleTimeoutSeconds } });
    for (const bad of [0, -5, 599, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = await run(bad);
      expect(r.ok).toBe(false);
      expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["GANTRY4020", "error"]]);
    }
    expect((await run(5)).diagnostics[0]!.message).toBe("idle timeout 5 seconds is too short: at least 10m, since scheduling, image pulls and node scale-up take minutes and a run still starting would look idle");
    const ok = await run(600);
    expect(ok.ok).toBe(true);
    expect(JSON.stringify(ok.pipelines[0]!.objects)).toContain('\\"timeoutSeconds\\":600');
  });

  it("GANTRY4022: two pipelines that would emit the same object (CronJob foo-1; Job a-r-r-b under --run-id r), also from the cache", () => {
    const dir = tempProject({
      "pipelines/foo.ts": `import { pipeline } from "gantry";
export default pipeline("foo", { namespace: "data", schedule: { cron: ["0 1 * * *", "0 2 * * *"] } }, (p) => { p.task("a", { image: "busybox:1.36" }); });
`,
      "pipelines/foo-1.ts": `import { pipeline } from "gantry";
export default pipeline("foo-1", { namespace: "data", schedule: { cron: "0 3 * * *" } }, (p) => { p.task("a", { image: "busybox:1.36" }); });
`,
    });
    for (const run of [1, 2]) {
      const r = gantry(["compile", "--target", "jobs", "--cache"], dir);
      expect(r.code, `run ${run}`).toBe(1);
      expect(r.stderr).toContain('pipelines/foo.ts:2:25: error GANTRY4022: pipeline "foo" would emit CronJob data/foo-1, which pipeline "foo-1" (pipelines/foo-1.ts:2) emits too');
      expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    }
    // On Argo each pipeline is one object named after it: no clash.
    expect(gantry(["compile"], dir).code).toBe(0);

    // A compile of part of the project finds it against the manifests it keeps (from review).
    const parts = tempProject({ "pipelines/foo.ts": fs.readFileSync(path.join(dir, "pipelines/foo.ts"), "utf8") });
    expect(gantry(["compile", "--target", "jobs"], parts).code).toBe(0);
    fs.writeFileSync(path.join(parts, "pipelines/foo-1.ts"), fs.readFileSync(path.join(dir, "pipelines/foo-1.ts"), "utf8"));
    const before = fs.readdirSync(path.join(parts, "manifests")).sort();
    const part = gantry(["compile", "pipelines/foo-1.ts", "--target", "jobs"], parts);
    expect(part.code).toBe(1);
    expect(part.stderr).toContain('error GANTRY4022: pipeline "foo-1" of pipelines/foo-1.ts would emit CronJob data/foo-1, which foo.yaml (kept from an earlier compile) holds too');
    expect(fs.readdirSync(path.join(parts, "manifests")).sort()).toEqual(before);

    const jobs = tempProject({
      "pipelines/a.ts": `import { pipeline } from "gantry";\nexport default pipeline("a", { namespace: "data" }, (p) => { p.task("r-b", { image: "busybox:1.36" }); });\n`,
      "pipelines/a-r.ts": `import { pipeline } from "gantry";\nexport default pipeline("a-r", { namespace: "data" }, (p) => { p.task("b", { image: "busybox:1.36" }); });\n`,
    });
    const clash = gantry(["compile", "--target", "jobs", "--run-id", "r"], jobs);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/error GANTRY4022: pipeline "a(-r)?" would emit Job data\/a-r-r-b, which pipeline "a(-r)?" \(pipelines\/a(-r)?\.ts:2\) emits too/);
    // In different namespaces they are different objects.
    fs.writeFileSync(path.join(jobs, "pipelines/a-r.ts"), fs.readFileSync(path.join(jobs, "pipelines/a-r.ts"), "utf8").replace(`namespace: "data"`, `namespace: "other"`));
    expect(gantry(["compile", "--target", "jobs", "--run-id", "r"], jobs).code).toBe(0);
  });

  it("GANTRY4023: several crons under Forbid, a startingDeadlineSeconds under 10, or @every under a minute, on the jobs target; GANTRY2007 warns of a schedule listed twice", async () => {
    const { compile } = await import("../src/compile.js");
    const src = (schedule: string) => `import { pipeline } from "gantry";\nexport default pipeline("etl", { namespace: "data", schedule: ${schedule} }, (p) => { p.task("a", { image: "busybox:1.36" }); });\n`;
    const run = async (schedule: string, target: "jobs" | "argo" = "jobs") => {
      const r = await compile({ cwd: tempProject({ "pipelines/etl.ts": src(schedule) }), paths: ["pipelines"], target, kind: "auto" });
      return r.diagnostics.map((d) => `${d.code} ${d.severity} ${d.span?.line}: ${d.message}`);
    };
    expect(await run(`{ cron: ["0 1 * * *", "0 13 * * *"] }`)).toEqual([
      'GANTRY4023 warning 2: the jobs target makes a CronJob per schedule of "etl", so concurrencyPolicy "Forbid" holds within each: runs of different schedules can overlap',
    ]);
    expect(await run(`{ cron: ["0 1 * * *", "0 13 * * *"], concurrencyPolicy: "Allow" }`)).toEqual([]);
    expect(await run(`{ cron: ["0 1 * * *", "0 13 * * *"] }`, "argo")).toEqual([]);
    expect(await run(`{ cron: "0 1 * * *", startingDeadlineSeconds: 5 }`)).toEqual([
      'GANTRY4023 warning 2: startingDeadlineSeconds 5 of "etl" is under 10: the CronJob controller checks schedules about every 10 seconds, so runs may never be started',
    ]);
    expect(await run(`{ cron: "0 1 * * *", startingDeadlineSeconds: 10 }`)).toEqual([]);
    // The CronJob controller names a tick's Job by its minute (review finding: "@every 30s" silently ran once a minute).
    expect(await run(`{ cron: "@every 30s" }`)).toEqual([
      'GANTRY4023 warning 2: "@every 30s" of "etl" runs at most once a minute on the jobs target: the CronJob controller names each run\'s Job by the minute it is due, so a second run within a minute is not started',
    ]);
    expect(await run(`{ cron: "@every 1m" }`)).toEqual([]);
    // Every such schedule is named, not only the first.
    expect(await run(`{ cron: ["@every 30s", "@every 1m", "@every 45s"], concurrencyPolicy: "Allow" }`)).toEqual([
      'GANTRY4023 warning 2: "@every 30s" and "@every 45s" of "etl" run at most once a minute on the jobs target: the CronJob controller names each run\'s Job by the minute it is due, so a second run within a minute is not started',
    ]);
    expect(await run(`{ cron: "@every 30s" }`, "argo")).toEqual([]);
    expect((await run(`{ cron: ["@daily", "0 1 * * *", "@daily"], concurrencyPolicy: "Allow" }`, "argo"))).toEqual(['GANTRY2007 warning 2: schedule "@daily" is listed twice']);
    expect(await run(`{ cron: "0 0 31 feb *" }`, "argo")).toEqual(['GANTRY2007 warning 2: schedule "0 0 31 feb *" never fires: no month it names (feb) has a day 31']);
  });

  it("GANTRY4024: a parameter default that is not valid where the jobs target writes it in (image, serviceAccountName, imagePullSecrets, nodeSelector); Argo leaves it to the run", async () => {
    const { compile } = await import("../src/compile.js");
    const src = (defaults: Record<string, string>) => `import { pipeline } from "gantry";
export default pipeline("etl", { namespace: "data", parameters: ${JSON.stringify(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { default: v }])))} }, (p) => {
  p.task("a", { image: p.params.img, serviceAccountName: p.params.sa, imagePullSecrets: [p.params.pull], nodeSelector: { pool: p.params.pool } });
});
`;
    const run = async (defaults: Record<string, string>, target: "jobs" | "argo" = "jobs") =>
      (await compile({ cwd: tempProject({ "pipelines/etl.ts": src(defaults) }), paths: ["pipelines"], target, kind: "auto", jobs: { runId: "r1" } })).diagnostics.map((d) => `${d.code} ${d.span?.line}: ${d.message}`);
    const good = { img: "busybox:1.36", sa: "runner", pull: "ghcr-pull", pool: "batch" };
    expect(await run(good)).toEqual([]);
    const bad = { img: "", sa: "Runner_SA", pull: "Bad Secret", pool: "has space" };
    expect(await run(bad)).toEqual([
      'GANTRY4024 3: task "a": image is "" once the jobs target writes in the parameter defaults ("{{params.img}}"), and must not be empty',
      'GANTRY4024 3: task "a": serviceAccountName is "Runner_SA" once the jobs target writes in the parameter defaults ("{{params.sa}}"), and must be lowercase (found uppercase letter "R")',
      'GANTRY4024 3: task "a": imagePullSecrets[0] is "Bad Secret" once the jobs target writes in the parameter defaults ("{{params.pull}}"), and must be lowercase (found uppercase letter "B")',
      'GANTRY4024 3: task "a": nodeSelector.pool is "has space" once the jobs target writes in the parameter defaults ("{{params.pool}}"), and contains invalid character " " (allowed: letters, digits, "-", "_" and ".")',
    ]);
    expect(await run(bad, "argo")).toEqual([]);
  });

  // Left alone before: the defaults written into Secret and ConfigMap references, tolerations and
  // volume sources were not checked again, and a parameter as a node selector's key stayed
  // `{{params.zone}}` on both targets (only values were filled in).
  it("GANTRY4024 for Secret and ConfigMap references, envFrom, tolerations, volume sources and node selector keys; a parameter as a node selector's key is filled in on both targets", async () => {
    const { compile } = await import("../src/compile.js");
    const src = (defaults: Record<string, string>) => `import { configMapEnv, pipeline, secretEnv } from "gantry";
export default pipeline("etl", { namespace: "data", parameters: ${JSON.stringify(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { default: v }])))} }, (p) => {
  p.task("a", {
    image: "busybox:1.36",
    env: { PW: secretEnv(p.params.sec, p.params.key), URL: configMapEnv(\`\${p.params.cm}-config\`, "url") },
    envFrom: [{ configMap: p.params.cm, prefix: "CFG_" }],
    tolerations: [{ key: p.params.taint, operator: "Equal", value: p.params.tier, effect: "NoSchedule" }],
    nodeSelector: { [p.params.zone]: "eu-1" },
    volumes: [{ name: "creds", mountPath: "/creds", secret: p.params.sec }],
  });
});
`;
    const run = async (defaults: Record<string, string>, target: "jobs" | "argo" = "jobs") => {
      const r = await compile({ cwd: tempProject({ "pipelines/etl.ts": src(defaults) }), paths: ["pipelines"], target, kind: "auto", jobs: { runId: "r1" } });
      return { diagnostics: r.diagnostics.map((d) => `${d.code} ${d.span?.line}: ${d.message}`), yaml: r.pipelines.map((p) => p.yaml).join("") };
    };
    const good = await run({ sec: "warehouse", key: "password", cm: "etl", taint: "workload", tier: "batch", zone: "topology.kubernetes.io/zone" });
    expect(good.diagnostics).toEqual([]);
    expect(good.yaml).toContain("        topology.kubernetes.io/zone: eu-1\n");
    expect(good.yaml).not.toContain("{{");
    const argo = await run({ sec: "warehouse", key: "password", cm: "etl", taint: "workload", tier: "batch", zone: "topology.kubernetes.io/zone" }, "argo");
    expect(argo.yaml).toContain('        "{{workflow.parameters.zone}}": eu-1\n');
    expect(argo.yaml).not.toContain("{{params.");
    const bad = await run({ sec: "Warehouse", key: "pass word", cm: "", taint: "bad key!", tier: "has space", zone: "two/slashes/here" });
    expect(bad.diagnostics).toEqual([
      'GANTRY4024 3: task "a": nodeSelector key "{{params.zone}}" is "two/slashes/here" once the jobs target writes in the parameter defaults ("{{params.zone}}"), and must contain at most one "/" (prefix/name), found 2',
      'GANTRY4024 3: task "a": tolerations[0].key is "bad key!" once the jobs target writes in the parameter defaults ("{{params.taint}}"), and contains invalid character " " (allowed: letters, digits, "-", "_" and ".")',
      'GANTRY4024 3: task "a": tolerations[0].value is "has space" once the jobs target writes in the parameter defaults ("{{params.tier}}"), and contains invalid character " " (allowed: letters, digits, "-", "_" and ".")',
      'GANTRY4024 3: task "a": env.PW name is "Warehouse" once the jobs target writes in the parameter defaults ("{{params.sec}}"), and must be lowercase (found uppercase letter "W")',
      'GANTRY4024 3: task "a": env.PW key is "pass word" once the jobs target writes in the parameter defaults ("{{params.key}}"), and contains invalid character " " (allowed: letters, digits, "-", "_" and ".")',
      'GANTRY4024 3: task "a": env.URL name is "-config" once the jobs target writes in the parameter defaults ("{{params.cm}}-config"), and must start with a lowercase letter or digit (got "-")',
      'GANTRY4024 3: task "a": envFrom[0].configMap is "" once the jobs target writes in the parameter defaults ("{{params.cm}}"), and must not be empty',
    ]);
    // The volume's Secret name "Warehouse" is valid there: the API server only requires one.
    expect((await run({ sec: "Warehouse", key: "password", cm: "etl", taint: "workload", tier: "batch", zone: "zone" })).diagnostics).toEqual([
      'GANTRY4024 3: task "a": env.PW name is "Warehouse" once the jobs target writes in the parameter defaults ("{{params.sec}}"), and must be lowercase (found uppercase letter "W")',
    ]);
    expect((await run({ sec: "", key: "password", cm: "etl", taint: "workload", tier: "batch", zone: "zone" })).diagnostics).toContain(
      'GANTRY4024 3: task "a": volume "creds": secret is "" once the jobs target writes in the parameter defaults ("{{params.sec}}"), and must not be empty',
    );
    // An empty key tolerates every taint, which the API allows only with operator Exists (second reader's finding).
    expect((await run({ sec: "warehouse", key: "password", cm: "etl", taint: "", tier: "batch", zone: "zone" })).diagnostics).toEqual([
      'GANTRY4024 3: task "a": tolerations[0].key is "" once the jobs target writes in the parameter defaults ("{{params.taint}}"), and must not be empty with operator "Equal" (a toleration without a key needs operator "Exists")',
    ]);
    expect((await run({ sec: "Warehouse", key: "pass word", cm: "", taint: "bad key!", tier: "has space", zone: "two/slashes/here" }, "argo")).diagnostics).toEqual([]);
  });

  it("jobs-only flags with the Argo target, and --kind with the jobs target, are a usage error; a bad --run-id a usage error with its coded diagnostic", () => {
    const dir = tempProject({ "pipelines/etl.ts": source });
    const usage = gantry(["compile", "--run-id", "r1", "--gitops", "argocd"], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("gantry compile: --run-id, --gitops apply to --target jobs only\n");
    // And the other way round (docs audit: --kind cron was silently ignored on the jobs target).
    const kind = gantry(["compile", "--target", "jobs", "--kind", "cron"], dir);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toBe("gantry compile: --kind applies to --target argo only (the jobs target emits a CronJob for a scheduled pipeline, else Jobs)\n");
    const bad = gantry(["compile", "--target", "jobs", "--run-id", "R_1"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error GANTRY4016");
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    expect(gantry(["explain", "GANTRY4012"]).stdout).toMatch(/run-status/);
  });
});
