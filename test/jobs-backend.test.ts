/**
 * The Jobs backend: names, run ids, the objects it emits for each task, RBAC, schedules, Argo CD
 * annotations, and every diagnostic of the target (GANTRY4010-4016).
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { fitName, runNames } from "../src/backends/jobs/names.js";
import { compile, type CompileOptions } from "../src/compile.js";
import { tempProject } from "./support/cli.js";
import { loc } from "./support/positions.js";

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

async function jobs(source: string, extra: Partial<CompileOptions> = {}) {
  const r = await compile({ cwd: tempProject({ "p.ts": source }), paths: ["p.ts"], target: "jobs", kind: "auto", ...extra });
  const objects = (r.pipelines[0]?.objects ?? []) as Obj[];
  const job = (task: string) => objects.find((o) => o.kind === "Job" && o.metadata.labels?.["gantry.dev/task"] === task)!;
  const awaitConfig = (task: string) => {
    const init = job(task).spec.template.spec.initContainers?.[0];
    return init && JSON.parse(init.env.find((e: { name: string }) => e.name === "GANTRY_AWAIT").value);
  };
  return { r, objects, job, awaitConfig, codes: r.diagnostics.map((d) => `${d.severity} ${d.code}`) };
}

const src = (body: string, options = "{}") => `import { pipeline } from "gantry";
export default pipeline("etl", ${options}, (p) => {
${body}
});
`;

describe("Job names", () => {
  it("are <pipeline>-<run>-<task>, cut with a hash only when too long, never cutting the run id", () => {
    expect(runNames("etl", "1a2b3c4d").job("load")).toBe("etl-1a2b3c4d-load");
    const long = runNames("a-very-long-pipeline-name-that-goes-on-and-on", "1a2b3c4d");
    const a = long.job("extract-the-customer-orders-table-from-the-warehouse");
    const b = long.job("extract-the-customer-orders-table-from-the-warehouse-2");
    for (const n of [a, b]) {
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(n).toContain("-1a2b3c4d-");
    }
    expect(a).not.toBe(b);
    // The run token survives, so a scheduled run's driver can put its own id in.
    expect(runNames("p".repeat(60), "@RUN_ID@").job("t".repeat(60))).toContain("-@RUN_ID@-");
    expect(fitName(["Load.Data_x"])).toBe("load-data-x");
  });
});

describe("jobs target: objects", () => {
  it("a pipeline and a task named after an Object.prototype member compile (cdk8s used to throw: found by the crash fuzzer)", async () => {
    const { r, job } = await jobs(src('  p.task("constructor", { image: "busybox:1.36" });').replace('"etl"', '"constructor"'));
    expect(r.diagnostics).toEqual([]);
    expect(job("constructor").metadata.name).toMatch(/^constructor-/);
  });

  it("one Job per task plus a status Job, RBAC and the shim ConfigMap; no cdk8s names or labels", async () => {
    const { r, objects, job, awaitConfig } = await jobs(
      src(`  const a = p.task("extract", { image: "busybox:1.36", retry: { limit: 3 } });
  const b = p.task("load", { image: "busybox:1.36", after: [a], timeout: "10m" });
  p.task("report", { image: "busybox:1.36", after: [b], allowFailure: true });`),
    );
    expect(r.ok).toBe(true);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      expect.stringMatching(/^ConfigMap\/etl-gantry-runtime-[0-9a-f]{10}$/),
      "ServiceAccount/etl-gantry-await",
      "ServiceAccount/etl-gantry-status",
      "Role/etl-gantry-await",
      "RoleBinding/etl-gantry-await",
      "Role/etl-gantry-await-pods",
      "RoleBinding/etl-gantry-await-pods",
      "Role/etl-gantry-status",
      "RoleBinding/etl-gantry-status",
      expect.stringMatching(/^Job\/etl-[0-9a-f]{8}-extract$/),
      expect.stringMatching(/^Job\/etl-[0-9a-f]{8}-load$/),
      expect.stringMatching(/^Job\/etl-[0-9a-f]{8}-report$/),
      expect.stringMatching(/^Job\/etl-[0-9a-f]{8}-gantry-status$/),
    ]);
    expect(JSON.stringify(objects)).not.toContain("cdk8s");
    expect(objects[0]!.data["gantry-shim.mjs"]).toBe(fs.readFileSync(new URL("../templates/runtime/gantry-shim.mjs", import.meta.url), "utf8"));

    // A task with nothing to wait for has no init container, no token and no ServiceAccount of ours.
    const extract = job("extract");
    expect(extract.spec.backoffLimit).toBe(3);
    expect(extract.spec.template.spec.initContainers).toBeUndefined();
    expect(extract.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(extract.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(extract.spec.podFailurePolicy.rules).toEqual([{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }]);
    expect(extract.spec.template.spec.restartPolicy).toBe("Never");

    // A waiting task: await-deps with the plan's condition, FailJob on the shim's cascade codes.
    const load = job("load");
    expect(load.spec.backoffLimit).toBe(0);
    expect(load.spec.podFailurePolicy.rules[0]).toEqual({ action: "FailJob", onExitCodes: { containerName: "await-deps", operator: "In", values: [90, 91, 92, 93, 94] } });
    expect(awaitConfig("load")).toMatchObject({ task: "load", when: { all: [{ task: "extract", is: "succeeded" }] }, jobs: { extract: extract.metadata.name }, attemptTimeoutSeconds: 600 });
    expect(awaitConfig("load").selector).toBe(`gantry.dev/run=${load.metadata.labels!["gantry.dev/run"]}`);
    // The attempt timeout is set by the shim once the task starts, not by a deadline that counts the wait.
    expect(load.spec.template.spec.activeDeadlineSeconds).toBeUndefined();
    expect(load.spec.template.spec.initContainers[0].env.map((e: { name: string }) => e.name)).toEqual(["GANTRY_NAMESPACE", "GANTRY_POD_NAME", "GANTRY_AWAIT"]);
    // The token reaches await-deps only.
    const mounts = (c: { volumeMounts?: { name: string }[] }) => (c.volumeMounts ?? []).map((m) => m.name);
    expect(mounts(load.spec.template.spec.initContainers[0])).toContain("gantry-api-token");
    expect(mounts(load.spec.template.spec.containers[0])).not.toContain("gantry-api-token");
    expect(load.spec.template.spec.serviceAccountName).toBe("etl-gantry-await");
    expect(awaitConfig("report").when).toEqual({ all: [{ task: "load", is: "succeeded" }] });

    // Least privilege: read Jobs; get and patch pods only because a waiting task has a timeout, and
    // only for Gantry's own account.
    const role = (name: string) => objects.find((o) => o.kind === "Role" && o.metadata.name === name)!;
    const binding = (name: string) => objects.find((o) => o.kind === "RoleBinding" && o.metadata.name === name)!;
    expect(role("etl-gantry-await").rules).toEqual([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] }]);
    expect(role("etl-gantry-await-pods").rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "patch"] }]);
    expect(binding("etl-gantry-await-pods").subjects).toEqual([{ kind: "ServiceAccount", name: "etl-gantry-await" }]);
    const status = objects.at(-1)!;
    expect(status.metadata.labels!["gantry.dev/role"]).toBe("status");
    expect(status.spec.podFailurePolicy.rules[0]).toEqual({ action: "FailJob", onExitCodes: { containerName: "status", operator: "In", values: [1, 92, 93] } });
    const statusConfig = JSON.parse(status.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "GANTRY_STATUS").value);
    expect(statusConfig.tasks.map((t: { name: string }) => t.name)).toEqual(["extract", "load", "report"]);
    expect(statusConfig.when).toEqual({ all: [{ task: "extract", is: "succeeded" }, { task: "load", is: "succeeded" }, { task: "report", is: "ran" }] });
  });

  it("every object and pod template carries the monitoring metadata (issue 6): app.kubernetes.io labels, pipeline hash, source; tasks their role and retry policy", async () => {
    const { objects, job } = await jobs(src(`  const a = p.task("a", { image: "busybox:1.36", retry: { limit: 2, exceptExitCodes: [2] } });
  p.task("b", { image: "busybox:1.36", after: [a] });`, `{ owner: "data-platform", team: "ingest", runbookUrl: "https://runbooks.example/etl" }`));
    for (const o of objects) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({ "app.kubernetes.io/name": "etl", "app.kubernetes.io/managed-by": "gantry", "gantry.dev/pipeline": "etl" });
      // Task Jobs point at their task, everything else at the pipeline.
      const line = { a: 3, b: 4 }[o.metadata.labels?.["gantry.dev/task"] ?? ""] ?? 2;
      expect(o.metadata.annotations, `${o.kind}/${o.metadata.name}`).toMatchObject({ "gantry.dev/source": `p.ts:${line}`, "gantry.dev/pipeline-hash": expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    }
    const a = job("a");
    for (const meta of [a.metadata, a.spec.template.metadata]) {
      expect(meta.labels).toMatchObject({ "gantry.dev/task": "a", "gantry.dev/role": "work", "app.kubernetes.io/component": "a" });
      expect(JSON.parse(meta.annotations["gantry.dev/retry"])).toMatchObject({ limit: 2, exceptExitCodes: [2] });
      expect(meta.annotations).toMatchObject({ "gantry.dev/owner": "data-platform", "gantry.dev/team": "ingest", "gantry.dev/runbook-url": "https://runbooks.example/etl" });
    }
    // The retry policy as Job fields: never-retry codes fail the Job at once.
    expect(a.spec.backoffLimit).toBe(2);
    expect(a.spec.podFailurePolicy.rules).toEqual([
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
      { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [2] } },
    ]);
  });

  it("GANTRY4019: a waiting task with a timeout that runs as its own ServiceAccount gets no pod rights and no timeout", async () => {
    const r = await jobs(src(`  const a = p.task("a", { image: "busybox:1.36" });
  p.task("b", { image: "busybox:1.36", after: [a], timeout: "5m", serviceAccountName: "app" });`));
    expect(r.codes).toEqual(["warning GANTRY4019"]);
    expect(r.objects.filter((o) => o.kind === "Role").map((o) => o.metadata.name)).toEqual(["etl-gantry-await", "etl-gantry-status"]);
    expect(r.awaitConfig("b").attemptTimeoutSeconds).toBeUndefined();
  });

  it("GANTRY4018: a task volume may not take the name or path of Gantry's own volumes", async () => {
    for (const [name, mountPath] of [["gantry-runtime", "/data"], ["data", "/gantry"], ["data", "/var/run/gantry/x"]]) {
      const r = await jobs(src(`  p.task("a", { image: "busybox:1.36", volumes: [{ name: "${name}", mountPath: "${mountPath}", emptyDir: {} }] });`));
      expect(r.codes, `${name} ${mountPath}`).toEqual(["error GANTRY4018"]);
    }
    const ok = await jobs(src(`  p.task("a", { image: "busybox:1.36", volumes: [{ name: "data", mountPath: "/var/run/gantryx", emptyDir: {} }] });`));
    expect(ok.codes).toEqual([]);
  });

  it("teardowns and finally tasks still run after their wait times out (timeoutWhen); other tasks give up", async () => {
    const { awaitConfig } = await jobs(src(`  const s = p.setup("s", { image: "busybox:1.36" });
  const w = p.task("w", { image: "busybox:1.36", after: [s] });
  p.teardown("t", { image: "busybox:1.36", setups: [s], after: [w] });
  p.finally("f", { image: "busybox:1.36" });`));
    expect(awaitConfig("w").timeoutWhen).toBeUndefined();
    expect(awaitConfig("t").timeoutWhen).toEqual({ any: [{ task: "s", is: "succeeded" }] });
    expect(awaitConfig("f").timeoutWhen).toEqual({ all: [] });
  });

  it("no pods patch without timeouts; a task's own ServiceAccount gets the token in its container and the read role", async () => {
    const { objects, job } = await jobs(src(`  const a = p.task("a", { image: "busybox:1.36", timeout: "5m" });
  p.task("b", { image: "bitnami/kubectl:1.31", after: [a], serviceAccountName: "deployer" });`));
    const role = objects.find((o) => o.kind === "Role" && o.metadata.name === "etl-gantry-await")!;
    expect(role.rules).toEqual([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] }]);
    const binding = objects.find((o) => o.kind === "RoleBinding" && o.metadata.name === "etl-gantry-await")!;
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "deployer" }]);
    // Gantry's waiter account is not created when no pod uses it.
    expect(objects.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name)).toEqual(["etl-gantry-status"]);
    expect(job("a").spec.template.spec.activeDeadlineSeconds).toBe(300);
    const b = job("b").spec.template.spec;
    expect(b.serviceAccountName).toBe("deployer");
    expect(b.containers[0].volumeMounts).toEqual([{ name: "gantry-api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }]);
  });

  it("the run id is a hash of the compiled pipeline: stable when unchanged, new when changed; --run-id overrides", async () => {
    const body = `  p.task("a", { image: "busybox:1.36" });`;
    const name = async (s: string, extra: Partial<CompileOptions> = {}) => (await jobs(s, extra)).job("a").metadata.name;
    const first = await name(src(body));
    expect(await name(src(body))).toBe(first);
    expect(await name(src(`  p.task("a", { image: "busybox:1.37" });`))).not.toBe(first);
    expect(await name(src(body), { jobs: { runId: "2026-11-21" } })).toBe("etl-2026-11-21-a");
  });

  it("GANTRY4016: an invalid --run-id is an error; a scheduled pipeline ignores it with a warning", async () => {
    const bad = await jobs(src(`  p.task("a", { image: "busybox:1.36" });`), { jobs: { runId: "Not_Valid" } });
    expect(bad.codes).toEqual(["error GANTRY4016"]);
    expect(bad.r.ok).toBe(false);
    const cron = await jobs(src(`  p.task("a", { image: "busybox:1.36" });`, `{ schedule: { cron: "@daily" } }`), { jobs: { runId: "r1" } });
    expect(cron.codes).toEqual(["warning GANTRY4016"]);
  });

  it("GANTRY4010: two tasks whose cut Job names collide (found by search: the hash is 24 bits)", async () => {
    const names = runNames("etl", "r1");
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const task = `${"x".repeat(55)}-${i}`;
      const job = names.job(task);
      if (seen.has(job)) pair = [seen.get(job)!, task];
      else seen.set(job, task);
    }
    const r = await jobs(src(`  p.task("${pair[0]}", { image: "busybox:1.36" });\n  p.task("${pair[1]}", { image: "busybox:1.36" });`), { jobs: { runId: "r1" } });
    expect(r.codes).toEqual(["error GANTRY4010"]);
    expect(r.r.diagnostics[0]!.message).toBe(`tasks "${pair[0]}" and "${pair[1]}" would both become the Job "${names.job(pair[0])}"`);
    expect(r.r.diagnostics[0]!.span).toMatchObject({ file: "p.ts", line: 4 });
  });

  it("GANTRY4011: parameters take their defaults; one without a default is an error", async () => {
    const ok = await jobs(src(`  p.task("a", { image: "busybox:1.36", args: [\`--date=\${p.params.date}\`, \`--run=\${p.runId}\`] });`, `{ parameters: { date: { default: "yesterday" } } }`), { jobs: { runId: "r1" } });
    expect(ok.job("a").spec.template.spec.containers[0].args).toEqual(["--date=yesterday", "--run=r1"]);
    const bad = await jobs(src(`  p.task("a", { image: "busybox:1.36", args: [p.params.date] });`, `{ parameters: { date: {} } }`));
    expect(bad.codes).toEqual(["error GANTRY4011"]);
    expect(bad.r.diagnostics[0]!.message).toMatch(/parameter "date", which has no default/);
  });

  it("GANTRY4012: p.runStatus works in a shell script of a finally task, and is an error elsewhere", async () => {
    const ok = await jobs(src(`  p.task("a", { image: "busybox:1.36" });
  p.finally("report", { image: "busybox:1.36", command: ["sh", "-c"], args: [\`echo "done: \${p.runStatus}"\`] });`));
    expect(ok.r.ok).toBe(true);
    const report = ok.job("report").spec.template.spec;
    expect(report.containers[0].args).toEqual(['echo "done: $(cat /var/run/gantry/run-status)"']);
    expect(ok.awaitConfig("report")).toMatchObject({ when: { all: [{ task: "a", is: "settled" }] }, runStatus: { when: { all: [{ task: "a", is: "succeeded" }] }, file: "/var/run/gantry/run-status" } });
    expect(report.initContainers[0].volumeMounts).toContainEqual({ name: "gantry-run-status", mountPath: "/var/run/gantry" });
    expect(report.containers[0].volumeMounts).toContainEqual({ name: "gantry-run-status", mountPath: "/var/run/gantry", readOnly: true });
    const bad = await jobs(src(`  p.task("a", { image: "busybox:1.36" });
  p.finally("report", { image: "alpine:3", args: ["echo", p.runStatus] });`));
    expect(bad.codes).toEqual(["error GANTRY4012"]);
  });

  it("GANTRY4012: p.runStatus only in the task's shell script, where the shell expands it: sh -c in command or args[0], a shell source; not a python source, a positional argument, single quotes or a quoted heredoc (dogfooding finding)", async () => {
    const finallyTask = (spec: string) => src(`  p.task("a", { image: "busybox:1.36" });\n  p.finally("report", { image: "busybox:1.36", ${spec} });`);
    const works: Record<string, string> = {
      "script in command": 'command: ["sh", "-c", `echo "${p.runStatus}"`]',
      "script in command with -ec": 'command: ["/bin/sh", "-ec", `echo ${p.runStatus}`]',
      "script in args[0]": 'command: ["bash", "-c"], args: [`echo "status: ${p.runStatus}" && echo \'quoted $x\'`]',
      "shell source": "source: `echo ${p.runStatus}`",
      "source run by a shell": 'command: ["bash"], source: `echo "${p.runStatus}"`',
      // An apostrophe that is no quote (review finding): a comment, a heredoc, ANSI-C quoting.
      "an apostrophe in a comment": "source: `set -e\\n# don't fail the build here\\necho \"status: ${p.runStatus}\"`",
      "an apostrophe in a heredoc": "source: `cat <<EOF\\nIt's done: ${p.runStatus}\\nEOF`",
      "single quotes in a heredoc's body": "source: `cat <<EOF\\n'${p.runStatus}'\\nEOF`",
      "ANSI-C quoting": "source: `echo $'it\\\\'s' \"${p.runStatus}\"`",
      "a shell started by env": 'command: ["/usr/bin/env", "bash"], source: `echo "${p.runStatus}"`',
      "env, a variable and -Ec": 'command: ["/usr/bin/env", "LC_ALL=C", "bash", "-Ec"], args: [`echo "${p.runStatus}"`]',
    };
    for (const [name, spec] of Object.entries(works)) {
      const r = await jobs(finallyTask(spec));
      expect(r.codes, name).toEqual([]);
      expect(JSON.stringify(r.job("report").spec.template.spec.containers[0]), name).toContain("$(cat /var/run/gantry/run-status)");
    }
    const refused: Record<string, RegExp> = {
      'command: ["python"], source: `print("${p.runStatus}")`': /reads p.runStatus outside its shell script/,
      'command: ["sh", "-c"], args: ["echo status", `${p.runStatus}`]': /reads p.runStatus outside its shell script/,
      'command: ["sh", "-c", "echo $0", `${p.runStatus}`]': /reads p.runStatus outside its shell script/,
      "command: [\"sh\", \"-c\"], args: [`echo 'status: ${p.runStatus}'`]": /reads p.runStatus inside single quotes of its shell script/,
      "source: `echo \"it's\" '${p.runStatus}'`": /inside single quotes/,
      // Dead text after a comment or in a quoted heredoc (the quoting is lexed, shell-expansion.test.ts).
      "source: `# it's fine\\necho '${p.runStatus}'`": /inside single quotes/,
      "source: `cat <<'EOF'\\nstatus: ${p.runStatus}\\nEOF`": /inside a quoted heredoc .*\$\(cat/,
      'source: `echo "\\\\${p.runStatus}"`': /after an escaping backslash/,
    };
    for (const [spec, message] of Object.entries(refused)) {
      const r = await jobs(finallyTask(spec));
      expect(r.codes, spec).toEqual(["error GANTRY4012"]);
      expect(r.r.diagnostics[0]!.message, spec).toMatch(message);
    }
  });

  it("GANTRY4013: a retry backoff cannot be honoured by the Job controller (the limit is)", async () => {
    const r = await jobs(src(`  p.task("a", { image: "busybox:1.36", retry: { limit: 2, backoff: { duration: "30s", factor: 2 } } });`));
    expect(r.codes).toEqual(["warning GANTRY4013"]);
    expect(r.job("a").spec.backoffLimit).toBe(2);
    // From defaults.retry: once for every task that inherits it, not once per task.
    const defaults = `import { pipeline } from "gantry";\nexport default pipeline("etl", { defaults: { retry: { limit: 2, backoff: { duration: "30s" } } } }, (p) => {\n${["a", "b", "c"].map((n) => `  p.task("${n}", { image: "busybox:1.36" });`).join("\n")}\n});\n`;
    const inherited = await jobs(defaults);
    // At the backoff the tasks inherit, in the defaults, not at the first task.
    expect(inherited.r.diagnostics.map((d) => `${d.code} ${d.span?.file}:${d.span?.line}:${d.span?.column} ${d.message}`)).toEqual([
      `GANTRY4013 ${loc("p.ts", defaults, '{ duration: "30s" }')} the jobs target cannot honour the retry backoff of tasks "a", "b" and "c": the Job controller waits 10 s, 20 s, 40 s ... up to 6 min between attempts`,
    ]);
  });

  it("--gitops argocd: hooks in waves by DAG depth; teardowns, finally and status after the sync; GANTRY4014 where hooks fall short", async () => {
    const r = await jobs(
      src(`  const s = p.setup("create", { image: "busybox:1.36" });
  const w = p.task("work", { image: "busybox:1.36", after: [s] });
  const x = p.task("extra", { image: "busybox:1.36", after: [w], allowFailure: true });
  p.teardown("drop", { image: "busybox:1.36", setups: [s], after: [x] });
  p.finally("notify", { image: "busybox:1.36" });`),
      { jobs: { gitops: "argocd" } },
    );
    expect(r.codes).toEqual(["warning GANTRY4014"]);
    const hook = (t: string) => {
      const a = r.job(t).metadata.annotations!;
      return `${a["argocd.argoproj.io/hook"]} ${a["argocd.argoproj.io/sync-wave"]}`;
    };
    expect(["create", "work", "extra", "drop", "notify"].map(hook)).toEqual(["Sync 0", "Sync 1", "Sync 2", "PostSync,SyncFail 3", "PostSync,SyncFail 4"]);
    expect(r.objects.at(-1)!.metadata.annotations!["argocd.argoproj.io/hook"]).toBe("PostSync,SyncFail");
    // Shared objects sync first; Jobs of waves that never synced are given up on after 30 s, not 5 min.
    expect(r.objects[0]!.metadata.annotations!["argocd.argoproj.io/sync-wave"]).toBe("-1");
    expect(r.awaitConfig("drop").missingGraceSeconds).toBe(30);
  });

  it("--gitops argocd: a task that waits for a PostSync hook is one too, since Argo CD creates those only after the Sync phase (review: the outer teardown deleted the cluster before the inner one ran)", async () => {
    const r = await jobs(
      src(`  const cluster = p.setup("create-cluster", { image: "busybox:1.36" });
  const ns = p.setup("create-ns", { image: "busybox:1.36", after: [cluster] });
  p.task("work", { image: "busybox:1.36", after: [ns] });
  p.teardown("delete-ns", { image: "busybox:1.36", setups: [ns] });
  const dc = p.teardown("delete-cluster", { image: "busybox:1.36", setups: [cluster] });
  p.task("report", { image: "busybox:1.36", after: [dc] });`),
      { jobs: { gitops: "argocd" } },
    );
    const hook = (t: string) => {
      const a = r.job(t).metadata.annotations!;
      return `${t} ${a["argocd.argoproj.io/hook"]} ${a["argocd.argoproj.io/sync-wave"]}`;
    };
    expect(["create-cluster", "create-ns", "work", "delete-ns", "delete-cluster", "report"].map(hook)).toEqual([
      "create-cluster Sync 0",
      "create-ns Sync 1",
      "work Sync 2",
      "delete-ns PostSync,SyncFail 3",
      // waits for delete-ns: in the same phase, a wave later; and so does what follows it
      "delete-cluster PostSync,SyncFail 4",
      "report PostSync,SyncFail 5",
    ]);
    // delete-cluster, followed by report, is PostSync here: GANTRY4014 does not say it is a Sync hook (from review)
    expect(r.codes).toEqual([]);
    // every task a Sync hook waits for is a Sync hook too, created before it
    for (const t of ["create-cluster", "create-ns", "work", "delete-ns", "delete-cluster", "report"]) {
      if (r.job(t).metadata.annotations!["argocd.argoproj.io/hook"] !== "Sync") continue;
      const awaited = JSON.stringify(r.awaitConfig(t) ?? {});
      for (const post of ["delete-ns", "delete-cluster", "report"]) expect(awaited, `${t} waits for ${post}`).not.toContain(`"${post}"`);
    }
  });

  it("a scheduled pipeline: a CronJob whose driver creates each run's Jobs from a ConfigMap", async () => {
    const r = await jobs(src(`  const a = p.task("a", { image: "busybox:1.36" });
  p.task("b", { image: "busybox:1.36", after: [a] });`, `{ schedule: { cron: ["0 1 * * *", "0 13 * * *"], timezone: "Europe/Berlin" } }`));
    expect(r.r.ok).toBe(true);
    expect(r.objects.filter((o) => o.kind === "Job")).toEqual([]);
    const crons = r.objects.filter((o) => o.kind === "CronJob");
    expect(crons.map((o) => `${o.metadata.name} ${o.spec.schedule} ${o.spec.timeZone}`)).toEqual(["etl-1 0 1 * * * Europe/Berlin", "etl-2 0 13 * * * Europe/Berlin"]);
    const driver = crons[0]!.spec.jobTemplate.spec;
    expect(driver.podFailurePolicy.rules[0]).toEqual({ action: "FailJob", onExitCodes: { containerName: "drive", operator: "In", values: [1, 92, 93] } });
    const container = driver.template.spec.containers[0];
    expect(container.command).toEqual(["node", "/gantry/gantry-shim.mjs", "drive"]);
    const cm = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("etl-gantry-run-"))!;
    const runJobs = JSON.parse(cm.data["objects.json"]) as Obj[];
    expect(runJobs.map((j) => j.metadata.name)).toEqual(["etl-@RUN_ID@-a", "etl-@RUN_ID@-b", "etl-@RUN_ID@-gantry-status"]);
    expect(runJobs[1]!.spec.podFailurePolicy.rules[0].onExitCodes.containerName).toBe("await-deps");
    const driverRole = r.objects.find((o) => o.kind === "Role" && o.metadata.name === "etl-gantry-driver")!;
    expect(driverRole.rules).toEqual([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch"] }]);
  });

  it("GANTRY4015: a scheduled run too large for a ConfigMap", async () => {
    const r = await jobs(
      src(`  for (const i of Array.from({ length: 60 }, (_, k) => k)) p.task(\`t\${i}\`, { image: "busybox:1.36", source: "echo ${"x".repeat(20_000)}" });`, `{ schedule: { cron: "@daily" } }`),
    );
    expect(r.codes).toEqual(["error GANTRY4015"]);
    expect(r.r.ok).toBe(false);
  });
});

// The metadata file's notEnforced decides "waits" apart from the backend (no cdk8s there): the two
// must agree, or it would list limits the Jobs do apply, or miss ones they do not (second reader).
describe("waitsForOthers (backends/jobs/enforcement.ts)", () => {
  it("agrees with the backend on which tasks' pods wait (an await-deps init container), for every example", async () => {
    const { waitsForOthers } = await import("../src/backends/jobs/enforcement.js");
    const { lower } = await import("../src/phases/4-lower/index.js");
    const { repoRoot } = await import("./support/cli.js");
    const r = await compile({ cwd: repoRoot, paths: ["examples"], target: "jobs", kind: "auto", jobs: { runId: "r1" } });
    expect(r.pipelines.length).toBeGreaterThanOrEqual(5);
    let checked = 0;
    const seen = new Set<boolean>();
    for (const p of r.pipelines) {
      const plan = lower(p.ir, { decideWhen: true }).plan;
      const jobs = p.objects.filter((o) => o["kind"] === "Job" || o["kind"] === "ConfigMap");
      const text = JSON.stringify(jobs);
      for (const planned of plan.tasks) {
        const job = p.objects.find((o) => o["kind"] === "Job" && (o["metadata"] as { labels?: Record<string, string> }).labels?.["gantry.dev/task"] === planned.task.name) as
          | { spec: { template: { spec: { initContainers?: { name: string }[] } } } }
          | undefined;
        // A scheduled pipeline's Jobs sit in its driver's ConfigMap: look for the task's entry there.
        if (!job) {
          expect(text, `${p.name}/${planned.task.name}`).toContain(planned.task.name);
          continue;
        }
        const hasAwait = (job.spec.template.spec.initContainers ?? []).some((c) => c.name === "await-deps");
        expect(hasAwait, `${p.name}/${planned.task.name}`).toBe(waitsForOthers(planned));
        seen.add(hasAwait);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    expect([...seen].sort()).toEqual([false, true]); // both kinds of task were compared
  });
});
