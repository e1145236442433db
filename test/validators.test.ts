/**
 * Tests of the test-support validators themselves (test/support/validate-manifests.ts and
 * test/support/pod-security.ts): they must accept what upstream Argo accepts, reject what the
 * API server / Argo / Pod Security Admission would reject, and say why.
 *
 * Checks that need ../shared (Argo's JSON schema, CRDs, example corpus) are skipped - visibly -
 * when that folder is absent (try: GANTRY_SHARED_DIR=/nonexistent npx vitest run test/validators.test.ts).
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { checkRestricted } from "./support/pod-security.js";
import {
  argoCrdProblems,
  argoJsonSchemaProblems,
  argoRuleProblems,
  dependsTaskNames,
  schemaSetupTimings,
  sharedDir,
  sharedSchemasAvailable,
  validateAll,
  validateObject,
} from "./support/validate-manifests.js";

const SHARED = sharedSchemasAvailable();
const EXAMPLES_DIR = path.join(sharedDir(), "argo-examples");
const EXAMPLES = fs.existsSync(EXAMPLES_DIR);

// Fixtures are mutated freely in the tests below.
type Obj = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Fixtures

const secureContainer = (): Obj => ({
  name: "main",
  image: "busybox:1.36",
  command: ["sh", "-c", "echo hi"],
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
  },
});
/** What makes Argo's own `init` and `wait` containers comply (the controller gives them no securityContext by default). */
const executorHardening = JSON.stringify({
  initContainers: [{ name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
  containers: [{ name: "wait", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
});
const podSecurityContext = (): Obj => ({
  runAsNonRoot: true,
  runAsUser: 65532,
  seccompProfile: { type: "RuntimeDefault" },
});

function goodWorkflowTemplate(): Obj {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowTemplate",
    metadata: { name: "demo", namespace: "data", labels: { "app.kubernetes.io/managed-by": "gantry" } },
    spec: {
      entrypoint: "main",
      securityContext: podSecurityContext(),
      podSpecPatch: executorHardening,
      templates: [
        {
          name: "main",
          dag: {
            tasks: [
              { name: "a", template: "work" },
              { name: "b", template: "work", depends: "a.Succeeded || a.Failed" },
            ],
          },
        },
        { name: "work", retryStrategy: { limit: "2" }, container: secureContainer() },
      ],
    },
  };
}

function goodPod(): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    spec: {
      restartPolicy: "Never",
      securityContext: podSecurityContext(),
      containers: [secureContainer()],
      volumes: [{ name: "scratch", emptyDir: {} }],
    },
  };
}

function goodJob(): Obj {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "demo-a", namespace: "data" },
    spec: {
      backoffLimit: 2,
      template: {
        spec: {
          restartPolicy: "Never",
          securityContext: podSecurityContext(),
          containers: [secureContainer()],
        },
      },
    },
  };
}

function goodCronJob(): Obj {
  const job = goodJob();
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "demo-nightly", namespace: "data" },
    spec: { schedule: "@daily", timeZone: "UTC", jobTemplate: { spec: job["spec"] } },
  };
}

// ---------------------------------------------------------------------------------------------
// Timings (first: this file's module state is fresh, so the first Argo call pays set-up)

describe("set-up cost", () => {
  it("compiles lazily on the first Argo validation; later calls are cheap", () => {
    const t0 = performance.now();
    expect(validateObject(goodWorkflowTemplate())).toEqual([]);
    const first = performance.now() - t0;
    const t1 = performance.now();
    expect(validateObject(goodWorkflowTemplate())).toEqual([]);
    const second = performance.now() - t1;
    console.log(
      `[validators] first WorkflowTemplate validation ${first.toFixed(0)} ms, second ${second.toFixed(1)} ms; ` +
        `set-up steps (ms): ${JSON.stringify(Object.fromEntries(Object.entries(schemaSetupTimings).map(([k, v]) => [k, Math.round(v)])))}`,
    );
    expect(second).toBeLessThan(200);
  });
});

// ---------------------------------------------------------------------------------------------
// (a) upstream example corpus

function exampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".yaml") || e.name.endsWith(".yml")) out.push(path.relative(EXAMPLES_DIR, p).split(path.sep).join("/"));
    }
  };
  walk(EXAMPLES_DIR);
  return out.sort();
}

function loadExample(rel: string): Obj[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(EXAMPLES_DIR, rel), "utf8"));
  return docs.map((d) => {
    expect(d.errors, `${rel}: YAML errors`).toEqual([]);
    return d.toJS() as Obj;
  }).filter((o) => o !== null);
}

function problemsByFile(files: string[], check: (o: Obj) => string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files) {
    const ps = loadExample(f).flatMap((o, i) => check(o).map((p) => `#${i} ${p}`));
    if (ps.length > 0) out.set(f, ps);
  }
  return out;
}

const INT_LIMIT_FILES = ["cluster-workflow-template/clustertemplates.yaml", "workflow-template/templates.yaml"];

describe.skipIf(!SHARED || !EXAMPLES)("upstream Argo examples (../shared/argo-examples)", () => {
  const files = EXAMPLES ? exampleFiles() : [];

  it("has the 40 files the README describes, all parseable multi-document YAML", () => {
    expect(files).toHaveLength(40);
    const objects = files.flatMap(loadExample);
    expect(objects.length).toBeGreaterThanOrEqual(48);
    for (const o of objects) expect(o["apiVersion"]).toBe("argoproj.io/v1alpha1");
  });

  it("JSON schema: 38/40 valid; the 2 failures are only integer retryStrategy.limit", () => {
    const bad = problemsByFile(files, argoJsonSchemaProblems);
    expect([...bad.keys()].sort()).toEqual(INT_LIMIT_FILES);
    for (const [file, ps] of bad) {
      for (const p of ps) expect(p, file).toMatch(/^#\d+ \[json-schema\] \/spec\/templates\/\d+\/retryStrategy\/limit: must be string$/);
    }
    // ...and turning those limits into strings makes them valid.
    for (const file of INT_LIMIT_FILES) {
      for (const o of loadExample(file)) {
        for (const t of o["spec"]["templates"] as Obj[]) {
          if (typeof t["retryStrategy"]?.["limit"] === "number") t["retryStrategy"]["limit"] = String(t["retryStrategy"]["limit"]);
        }
        expect(argoJsonSchemaProblems(o), file).toEqual([]);
      }
    }
  });

  it("CRD schema (patterns, limits, unknown fields): accepts all 40, integer limits included", () => {
    // Result of the full-CRD check on the corpus: no upstream example is rejected (no name over
    // the limits, no unknown field, int-or-string accepts `limit: 10`). If a future corpus trips
    // a documented limit (e.g. 63-character names), list it here with the reason.
    const bad = problemsByFile(files, argoCrdProblems);
    expect(Object.fromEntries(bad)).toEqual({});
    expect(argoCrdProblems(loadExample("dag-diamond.yaml")[0])).toEqual([]);
  });

  it("explicit CEL rules and submit-time checks: accept all 40", () => {
    expect(Object.fromEntries(problemsByFile(files, argoRuleProblems))).toEqual({});
  });

  it("validateObject: only the models' known container-name strictness remains", () => {
    // Upstream examples leave `container.name`/`script.name` out (Argo defaults it to "main");
    // @kubernetes-models' core Container schema requires it. Gantry always emits name: main.
    const bad = problemsByFile(files, validateObject);
    const unexpected: string[] = [];
    for (const [file, ps] of bad) {
      for (const p of ps) {
        const known =
          /\[models\] \/spec\/(workflowSpec\/)?templates\/\d+\/(container|script): must have required property name/.test(p) ||
          (INT_LIMIT_FILES.includes(file) && p.includes("[json-schema]") && p.includes("retryStrategy/limit"));
        if (!known) unexpected.push(`${file} ${p}`);
      }
    }
    expect(unexpected).toEqual([]);
    // Files without container/script templates are fully valid.
    for (const f of ["cluster-workflow-template/cluster-wftmpl-dag.yaml", "workflow-template/dag.yaml", "workflow-template/workflow-template-ref.yaml"]) {
      expect(bad.has(f), f).toBe(false);
    }
  });

  it("restricted PSS: upstream examples set no securityContext, so their pods are flagged", () => {
    const [wf] = loadExample("dag-diamond.yaml");
    const ps = checkRestricted(wf);
    expect(ps.length).toBeGreaterThan(0);
    for (const rule of ["Seccomp", "Privilege Escalation", "Capabilities", "Running as Non-root"]) {
      expect(ps.some((p) => p.startsWith(`[PSS ${rule}]`) && p.includes('template "echo"')), rule).toBe(true);
    }
    // Workflows that only reference other templates have no pods of their own.
    expect(checkRestricted(loadExample("workflow-template/workflow-template-ref.yaml")[0])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) hand-made objects

describe("validateObject: valid hand-made objects", () => {
  it("accepts a compliant WorkflowTemplate, Workflow, CronWorkflow, Pod, Job, CronJob and plain objects", () => {
    const wt = goodWorkflowTemplate();
    const wf = { ...goodWorkflowTemplate(), kind: "Workflow" };
    const cwf = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "CronWorkflow",
      metadata: { name: "demo-nightly" },
      spec: { schedules: ["0 3 * * *"], timezone: "UTC", workflowSpec: goodWorkflowTemplate()["spec"] },
    };
    const others = [
      goodPod(),
      goodJob(),
      goodCronJob(),
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1" } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner", namespace: "data" } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "r" },
        rules: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] }],
      },
    ];
    expect(validateAll([wt, wf, cwf, ...others])).toEqual([]);
  });

  it("dependsTaskNames parses Argo depends expressions", () => {
    expect(dependsTaskNames("(A.Succeeded || B-2.Failed) && !C && d.AnySucceeded")).toEqual(["A", "B-2", "C", "d"]);
  });
});

describe("validateObject: objects that must fail", () => {
  it.skipIf(!SHARED)("misspelled field (contianer) is an unknown field for the CRD check", () => {
    const o = goodWorkflowTemplate();
    const t = o["spec"]["templates"][1];
    t["contianer"] = t["container"];
    delete t["container"];
    const ps = validateObject(o);
    expect(ps).toContain(
      '[crd] /spec/templates/1: unknown field "contianer" (not in the schema; the API server would silently drop it)',
    );
    // The other schema layers do not see misspellings at all - that is why the CRD layer exists.
    expect(argoJsonSchemaProblems(o).join("\n")).not.toContain("contianer");
    expect(ps.filter((p) => p.startsWith("[models]")).join("\n")).not.toContain("contianer");
  });

  it.skipIf(!SHARED)("nested misspelling (securityContext.runAsNonroot) is reported at its path", () => {
    const o = goodWorkflowTemplate();
    o["spec"]["templates"][1]["container"]["securityContext"]["runAsNonroot"] = true;
    expect(validateObject(o)).toEqual([
      '[crd] /spec/templates/1/container/securityContext: unknown field "runAsNonroot" (not in the schema; the API server would silently drop it)',
    ]);
  });

  it.skipIf(!SHARED)("template name with an underscore violates the CRD name pattern", () => {
    const o = goodWorkflowTemplate();
    o["spec"]["templates"][1]["name"] = "do_work";
    for (const task of o["spec"]["templates"][0]["dag"]["tasks"]) task["template"] = "do_work";
    const ps = validateObject(o);
    expect(ps).toContain('[crd] /spec/templates/1/name: must match pattern "^[a-zA-Z0-9][-a-zA-Z0-9]*$" (value "do_work")');
    // @kubernetes-models carries the same kubebuilder pattern; nothing else is reported
    expect(ps.filter((p) => !p.startsWith("[crd]"))).toEqual([
      '[models] /spec/templates/1/name: must match pattern "^[a-zA-Z0-9][-a-zA-Z0-9]*$"',
    ]);
  });

  it.skipIf(!SHARED)("CRD limits: more than 200 DAG tasks, over-long template names", () => {
    const o = goodWorkflowTemplate();
    o["spec"]["templates"][0]["dag"]["tasks"] = Array.from({ length: 201 }, (_, i) => ({ name: `t${i}`, template: "work" }));
    expect(argoCrdProblems(o)).toEqual(["[crd] /spec/templates/0/dag/tasks: must NOT have more than 200 items"]);
    const long = goodWorkflowTemplate();
    long["spec"]["templates"][1]["name"] = "w".repeat(129);
    for (const task of long["spec"]["templates"][0]["dag"]["tasks"]) task["template"] = "w".repeat(129);
    expect(argoCrdProblems(long)).toEqual(["[crd] /spec/templates/1/name: must NOT have more than 128 characters (value \"" + "w".repeat(129) + '")']);
  });

  it("DAG task with both depends and dependencies", () => {
    const o = goodWorkflowTemplate();
    o["spec"]["templates"][0]["dag"]["tasks"][1]["dependencies"] = ["a"];
    expect(validateObject(o)).toEqual([
      `[argo-rules] spec.templates[0] ("main").dag.tasks[1] ("b"): cannot use both 'depends' and 'dependencies'`,
    ]);
  });

  it("the other CEL rules, each on its own", () => {
    const cases: [string, (o: Obj) => void, RegExp][] = [
      ["continueOn with depends", (o) => (o["spec"]["templates"][0]["dag"]["tasks"][1]["continueOn"] = { failed: true }), /cannot use 'continueOn' when using 'depends'/],
      [
        "task name starting with a digit",
        (o) => {
          // the rule applies to the task that uses depends/dependencies ("b"), not to "a"
          o["spec"]["templates"][0]["dag"]["tasks"][1]["name"] = "2b";
        },
        /task name cannot begin with a digit when using 'depends' or 'dependencies'/,
      ],
      ["timeout on a dag template", (o) => (o["spec"]["templates"][0]["timeout"] = "1h"), /timeout cannot be applied to steps or dag templates/],
      ["activeDeadlineSeconds on a dag template", (o) => (o["spec"]["templates"][0]["activeDeadlineSeconds"] = "60"), /activeDeadlineSeconds is only valid for leaf templates/],
      ["two template types", (o) => (o["spec"]["templates"][1]["script"] = { ...secureContainer(), source: "echo" }), /at most one template type \(has container, script\)/],
      ["withSequence count and end", (o) => (o["spec"]["templates"][0]["dag"]["tasks"][0]["withSequence"] = { count: "3", end: "5" }), /only one of count or end/],
      ["unknown dependency", (o) => (o["spec"]["templates"][0]["dag"]["tasks"][1]["depends"] = "nope"), /depends on unknown task "nope"/],
      ["undefined template", (o) => (o["spec"]["templates"][0]["dag"]["tasks"][0]["template"] = "missing"), /template "missing" is not defined/],
      ["dependency cycle", (o) => (o["spec"]["templates"][0]["dag"]["tasks"][0]["depends"] = "b"), /dependency cycle "a" -> "b" -> "a"/],
    ];
    for (const [label, mutate, re] of cases) {
      const o = goodWorkflowTemplate();
      mutate(o);
      const ps = argoRuleProblems(o);
      expect(ps.length, `${label}: ${ps.join("; ")}`).toBe(1);
      expect(ps[0], label).toMatch(re);
    }
  });

  it("Job with a container missing image", () => {
    const o = goodJob();
    delete o["spec"]["template"]["spec"]["containers"][0]["image"];
    expect(validateObject(o)).toEqual([
      '[pod] spec.template.spec.containers[0] ("main"): image is required (the API server rejects the Pod: "image: Required value")',
    ]);
  });

  it("Job with wrong field types and a bad name (kubernetes-models + metadata)", () => {
    const o = goodJob();
    o["spec"]["backoffLimit"] = "three";
    o["metadata"]["name"] = "Bad_Name";
    o["metadata"]["labels"] = { team: 42 };
    const ps = validateObject(o);
    expect(ps).toContain("[models] /spec/backoffLimit: must be integer");
    expect(ps).toContain('[metadata] metadata.name "Bad_Name" must be a lowercase RFC 1123 subdomain');
    expect(ps.some((p) => p.startsWith("[metadata] metadata.labels") && p.includes("must be a string"))).toBe(true);
  });

  it.skipIf(!SHARED)("integer retryStrategy.limit: rejected by Argo's JSON schema only", () => {
    const o = goodWorkflowTemplate();
    o["spec"]["templates"][1]["retryStrategy"]["limit"] = 2;
    expect(validateObject(o)).toEqual(["[json-schema] /spec/templates/1/retryStrategy/limit: must be string"]);
    expect(argoCrdProblems(o)).toEqual([]); // int-or-string
  });

  it("unknown kinds and non-objects are problems, validateAll prefixes Kind/name", () => {
    expect(validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })[0]).toMatch(
      /^unknown kind example\.com\/v1\/Widget/,
    );
    expect(validateObject("nope")).toEqual(["object must be a mapping, got string"]);
    expect(validateObject({ kind: "Job" })[0]).toMatch(/apiVersion and kind/);
    const job = goodJob();
    delete job["spec"]["template"]["spec"]["containers"][0]["image"];
    const ps = validateAll([goodPod(), job, { apiVersion: "v1", kind: "Nope", metadata: { name: "n" } }]);
    expect(ps).toHaveLength(2);
    expect(ps[0]).toMatch(/^Job\/demo-a: \[pod\] /);
    expect(ps[1]).toMatch(/^Nope\/n: unknown kind v1\/Nope/);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) Pod Security Standards, restricted

describe("checkRestricted", () => {
  it("accepts compliant Pod, Job, CronJob, WorkflowTemplate and CronWorkflow", () => {
    expect(checkRestricted(goodPod())).toEqual([]);
    expect(checkRestricted(goodJob())).toEqual([]);
    expect(checkRestricted(goodCronJob())).toEqual([]);
    expect(checkRestricted(goodWorkflowTemplate())).toEqual([]);
    expect(
      checkRestricted({ apiVersion: "argoproj.io/v1alpha1", kind: "CronWorkflow", metadata: { name: "c" }, spec: { workflowSpec: goodWorkflowTemplate()["spec"] } }),
    ).toEqual([]);
    // container-level settings instead of pod-level ones are fine too
    const pod = goodPod();
    pod["spec"]["securityContext"] = {};
    Object.assign(pod["spec"]["containers"][0]["securityContext"], { runAsNonRoot: true, seccompProfile: { type: "Localhost", localhostProfile: "p.json" } });
    expect(checkRestricted(pod)).toEqual([]);
    // NET_BIND_SERVICE is the one capability restricted allows to add
    const nb = goodPod();
    nb["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE"];
    expect(checkRestricted(nb)).toEqual([]);
  });

  const failing: [string, (p: Obj) => void, string, RegExp][] = [
    ["privileged", (p) => (p["spec"]["containers"][0]["securityContext"]["privileged"] = true), "Privileged Containers", /container "main": securityContext\.privileged/],
    ["hostPath volume", (p) => p["spec"]["volumes"].push({ name: "host", hostPath: { path: "/var/run" } }), "HostPath Volumes", /volume "host": hostPath volumes are forbidden/],
    ["missing seccomp", (p) => delete p["spec"]["securityContext"]["seccompProfile"], "Seccomp", /container "main": seccompProfile\.type must be set/],
    ["runAsUser 0", (p) => (p["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0), "Running as Non-root user", /container "main": securityContext\.runAsUser must not be 0/],
    ["missing drop ALL", (p) => delete p["spec"]["containers"][0]["securityContext"]["capabilities"], "Capabilities", /container "main": capabilities\.drop must contain "ALL"/],
    ["allowPrivilegeEscalation unset", (p) => delete p["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"], "Privilege Escalation", /allowPrivilegeEscalation must be false/],
    ["runAsNonRoot missing", (p) => { delete p["spec"]["securityContext"]["runAsNonRoot"]; delete p["spec"]["containers"][0]["securityContext"]["runAsNonRoot"]; }, "Running as Non-root", /runAsNonRoot must be true/],
    ["hostNetwork", (p) => (p["spec"]["hostNetwork"] = true), "Host Namespaces", /hostNetwork must be unset or false/],
    ["hostPort", (p) => (p["spec"]["containers"][0]["ports"] = [{ containerPort: 80, hostPort: 80 }]), "Host Ports", /hostPort 80/],
    ["SYS_ADMIN added", (p) => (p["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = ["SYS_ADMIN"]), "Capabilities", /capabilities\.add "SYS_ADMIN"/],
    ["unsafe sysctl", (p) => (p["spec"]["securityContext"]["sysctls"] = [{ name: "kernel.msgmax", value: "1" }]), "Sysctls", /kernel\.msgmax/],
    ["procMount Unmasked", (p) => (p["spec"]["containers"][0]["securityContext"]["procMount"] = "Unmasked"), "/proc Mount Type", /procMount "Unmasked"/],
    ["seccomp Unconfined", (p) => (p["spec"]["securityContext"]["seccompProfile"] = { type: "Unconfined" }), "Seccomp", /"Unconfined" must be RuntimeDefault or Localhost/],
    ["AppArmor unconfined", (p) => (p["spec"]["containers"][0]["securityContext"]["appArmorProfile"] = { type: "Unconfined" }), "AppArmor", /appArmorProfile\.type "Unconfined"/],
    ["SELinux user", (p) => (p["spec"]["securityContext"]["seLinuxOptions"] = { user: "system_u" }), "SELinux", /seLinuxOptions\.user must be empty/],
    ["nfs volume", (p) => p["spec"]["volumes"].push({ name: "share", nfs: { server: "nfs", path: "/" } }), "Volume Types", /volume "share": volume type nfs not allowed/],
  ];
  for (const [label, mutate, control, re] of failing) {
    it(`rejects ${label} with a message naming the rule (${control})`, () => {
      const p = goodPod();
      mutate(p);
      const ps = checkRestricted(p);
      expect(ps.length, ps.join("\n")).toBeGreaterThan(0);
      // every problem is this rule's (hostPath is also a disallowed volume type)
      for (const m of ps) {
        expect(m.startsWith(`[PSS ${control}] `) || (label === "hostPath volume" && m.startsWith("[PSS Volume Types] ")), m).toBe(true);
      }
      expect(ps.some((m) => m.startsWith(`[PSS ${control}] `) && re.test(m)), ps.join("\n")).toBe(true);
    });
  }

  it("counts Argo's own init and wait containers, which only a podSpecPatch hardens (adversarial finding)", () => {
    const wt = goodWorkflowTemplate();
    delete wt["spec"]["podSpecPatch"];
    const ps = checkRestricted(wt);
    expect(ps).toContain('[PSS Privilege Escalation] spec.templates[1] (template "work") Argo executor initContainer "init": securityContext.allowPrivilegeEscalation must be false');
    expect(ps).toContain('[PSS Capabilities] spec.templates[1] (template "work") Argo executor container "wait": capabilities.drop must contain "ALL"');
    expect(ps.every((m) => m.includes("Argo executor")), ps.join("\n")).toBe(true);
    // The patch merges each list on its own: `init` under `containers` hardens nothing (review finding).
    const misplaced = goodWorkflowTemplate();
    misplaced["spec"]["podSpecPatch"] = JSON.stringify({ containers: [{ name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }, { name: "wait", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] });
    expect(checkRestricted(misplaced)).toContain('[PSS Privilege Escalation] spec.templates[1] (template "work") Argo executor initContainer "init": securityContext.allowPrivilegeEscalation must be false');
  });

  it("checks every pod template of Jobs, CronJobs and Argo workflows, naming template and container", () => {
    const job = goodJob();
    job["spec"]["template"]["spec"]["initContainers"] = [{ name: "wait", image: "busybox" }];
    const jps = checkRestricted(job);
    expect(jps.length).toBeGreaterThan(0);
    for (const m of jps) expect(m).toContain('spec.template.spec initContainer "wait"');

    const cj = goodCronJob();
    cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = true;
    expect(checkRestricted(cj)).toEqual([
      '[PSS Privileged Containers] spec.jobTemplate.spec.template.spec container "main": securityContext.privileged must be unset or false',
    ]);

    const wt = goodWorkflowTemplate();
    wt["spec"]["templates"][1]["sidecars"] = [{ name: "proxy", image: "envoy", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }];
    wt["spec"]["templates"].push({ name: "other", script: { image: "python:3", source: "print(1)", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }, securityContext: { runAsNonRoot: true } });
    wt["spec"]["volumes"] = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }];
    const wps = checkRestricted(wt);
    // sidecar inherits the workflow-level pod securityContext: compliant
    expect(wps.filter((m) => m.includes('sidecar "proxy"'))).toEqual([]);
    // template-level securityContext replaces the workflow-level one: no seccomp for "other"
    expect(wps).toContain('[PSS Seccomp] spec.templates[2] (template "other") script "main": seccompProfile.type must be set to RuntimeDefault or Localhost (container or pod securityContext)');
    // workflow-level hostPath volume affects every pod
    expect(wps.filter((m) => m.startsWith("[PSS HostPath Volumes]"))).toHaveLength(2);

    const hn = goodWorkflowTemplate();
    hn["spec"]["hostNetwork"] = true;
    expect(checkRestricted(hn)).toEqual(['[PSS Host Namespaces] spec.templates[1] (template "work"): hostNetwork must be unset or false']);

    const patched = goodWorkflowTemplate();
    patched["spec"]["templates"][1]["podSpecPatch"] = '{"containers":[{"name":"main","securityContext":{"privileged":true}}]}';
    expect(checkRestricted(patched)).toEqual([
      '[PSS Privileged Containers] spec.templates[1] (template "work") container "main": securityContext.privileged must be unset or false',
    ]);
  });
});
