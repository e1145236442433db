/**
 * Task values that compiled but that Kubernetes refuses (pkg/apis/core/validation/validation.go) or
 * that keep a pod from ever starting (an image reference the kubelet cannot parse): each reported
 * by the model phase, through the real compile, with its code at the position where the value was
 * written; and for each rule the value just on the valid side, which compiles.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import type { Diagnostic } from "../src/diagnostics/index.js";
import { compareQuantities } from "../src/phases/3-validate/rules/index.js";
import { repoRoot } from "./support/cli.js";
import { compileFiles, loc, where } from "./support/positions.js";

/** A module `main.ts` declaring one pipeline with the given options and body. */
const source = (options: string, body: string) => `import { pipeline } from "gantry";\nexport default pipeline("k8s", ${options}, (p) => {\n${body}\n});\n`;

/** `CODE file:line:column message` of every diagnostic of compiling `main.ts`. */
async function found(src: string): Promise<string[]> {
  const r = await compileFiles({ "main.ts": src });
  return r.diagnostics.map((d: Diagnostic) => `${where(d)} ${d.message}`);
}

/** `main.ts` compiles without a diagnostic. */
async function compiles(src: string): Promise<void> {
  const r = await compileFiles({ "main.ts": src });
  expect(r.diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([]);
  expect(r.ok).toBe(true);
}

const at = (src: string, needle: string, nth = 1) => loc("main.ts", src, needle, nth);

describe("GANTRY2038: a request against its limit, after defaults are merged", () => {
  it("a request above its limit in the task is reported at the request; equal amounts written differently compile", async () => {
    const src = source(
      "{}",
      [
        '  p.task("cpu", { image: "x", resources: { requests: { cpu: "1500m" }, limits: { cpu: 1 } } });',
        '  p.task("mem", { image: "x", resources: { requests: { memory: "1537Mi" }, limits: { memory: "1.5Gi" } } });',
        '  p.task("exp", { image: "x", resources: { requests: { cpu: "1e1" }, limits: { cpu: "9" } } });',
      ].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2038 ${at(src, '"1500m"')} task "cpu": resources.requests.cpu "1500m" is more than its limit, resources.limits.cpu 1`,
      `GANTRY2038 ${at(src, '"1537Mi"')} task "mem": resources.requests.memory "1537Mi" is more than its limit, resources.limits.memory "1.5Gi"`,
      `GANTRY2038 ${at(src, '"1e1"')} task "exp": resources.requests.cpu "1e1" is more than its limit, resources.limits.cpu "9"`,
    ]);
    await compiles(
      source(
        "{}",
        [
          '  p.task("cpu", { image: "x", resources: { requests: { cpu: "1000m" }, limits: { cpu: 1 } } });',
          '  p.task("mem", { image: "x", resources: { requests: { memory: "1536Mi" }, limits: { memory: "1.5Gi" } } });',
          '  p.task("exp", { image: "x", resources: { requests: { cpu: "9", memory: "2e6" }, limits: { cpu: "9e0", memory: "2M" } } });',
          // Kubernetes rounds a non-zero amount up to a whole nano, so these are equal.
          '  p.task("nano", { image: "x", resources: { requests: { cpu: "0.0000000001" }, limits: { cpu: "1n" } } });',
          '  p.task("below", { image: "x", resources: { requests: { cpu: "999m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } });',
        ].join("\n"),
      ),
    );
  });

  it("a task's request above a limit from the defaults is reported at the request; a task's limit below a default request at the limit", async () => {
    const src = source(
      '{ defaults: { resources: { requests: { memory: "1Gi" }, limits: { cpu: "1" } } } }',
      ['  p.task("a", { image: "x", resources: { requests: { cpu: "2" } } });', '  p.task("b", { image: "x", resources: { limits: { memory: "512Mi" } } });'].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2038 ${at(src, '"2"')} task "a": resources.requests.cpu "2" is more than its limit, resources.limits.cpu "1" (from the pipeline defaults)`,
      `GANTRY2038 ${at(src, '"512Mi"')} task "b": resources.limits.memory "512Mi" is less than its request, resources.requests.memory "1Gi" (from the pipeline defaults)`,
    ]);
    await compiles(
      source(
        '{ defaults: { resources: { requests: { memory: "1Gi" }, limits: { cpu: "1" } } } }',
        ['  p.task("a", { image: "x", resources: { requests: { cpu: "1" } } });', '  p.task("b", { image: "x", resources: { limits: { memory: "1Gi" } } });'].join("\n"),
      ),
    );
  });

  it("a problem of the defaults alone is reported once, at the defaults, when a task inherits it, and not when every task overrides it", async () => {
    const options = '{ defaults: { resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } } }';
    const src = source(options, ['  p.task("a", { image: "x" });', '  p.task("b", { image: "x" });'].join("\n"));
    expect(await found(src)).toEqual([`GANTRY2038 ${at(src, '"2"')} pipeline defaults: resources.requests.cpu "2" is more than its limit, resources.limits.cpu "1"`]);
    await compiles(source(options, ['  p.task("a", { image: "x", resources: { limits: { cpu: "2" } } });', '  p.task("b", { image: "x", resources: { requests: { cpu: "1" } } });'].join("\n")));
  });

  it("an extended resource or huge pages: a request must equal its limit, and needs one; a limit alone is fine", async () => {
    const src = source(
      '{ defaults: { resources: { limits: { "nvidia.com/gpu": 2 } } } }',
      [
        '  p.task("differs", { image: "x", resources: { requests: { "nvidia.com/gpu": 1 } } });',
        '  p.task("nolimit", { image: "x", resources: { requests: { "hugepages-2Mi": "64Mi", "acme.io/fpga": "1" } } });',
        '  p.task("limitonly", { image: "x", resources: { limits: { "acme.io/fpga": "1", "hugepages-1Gi": "2Gi" } } });',
      ].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2038 ${at(src, "1 }")} task "differs": resources.requests.nvidia.com/gpu 1 differs from its limit, resources.limits.nvidia.com/gpu 2 (from the pipeline defaults); nvidia.com/gpu is an extended resource, which Kubernetes cannot overcommit, so the two must be equal`,
      `GANTRY2038 ${at(src, '"64Mi"')} task "nolimit": resources.requests.hugepages-2Mi "64Mi" has no limit; hugepages-2Mi is huge pages, which Kubernetes cannot overcommit, so it requires a limit`,
      `GANTRY2038 ${at(src, '"1"')} task "nolimit": resources.requests.acme.io/fpga "1" has no limit; acme.io/fpga is an extended resource, which Kubernetes cannot overcommit, so it requires a limit`,
    ]);
    await compiles(
      source(
        '{ defaults: { resources: { limits: { "nvidia.com/gpu": 2 } } } }',
        [
          '  p.task("equal", { image: "x", resources: { requests: { "nvidia.com/gpu": "2" } } });',
          '  p.task("limits", { image: "x", resources: { requests: { "hugepages-2Mi": "64Mi" }, limits: { "hugepages-2Mi": "65536Ki", "acme.io/fpga": "1" } } });',
          // A kubernetes.io/ resource is native: it may be requested without a limit, as cpu may.
          '  p.task("native", { image: "x", resources: { requests: { "example.kubernetes.io/widgets": "3", cpu: "1" } } });',
        ].join("\n"),
      ),
    );
  });

  it("when the schema rejected the defaults' resources, a task's request is compared with its own limit only", async () => {
    const src = source(
      '{ defaults: { resources: { limits: { "nvidia.com/gpu": [2] as never } } } }',
      '  p.task("t", { image: "x", resources: { requests: { "nvidia.com/gpu": 1, cpu: "3" }, limits: { cpu: "2" } } });',
    );
    expect((await found(src)).map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual([`GANTRY2001 ${at(src, "[2]")}`, `GANTRY2038 ${at(src, '"3"')}`]);
  });

  it("compares as Kubernetes does: rounded up to a nano, binary amounts capped at 2^63-1, any exponent", () => {
    const cases: [string | number, string | number, number | undefined][] = [
      ["1000m", 1, 0],
      [0.5, "500m", 0],
      ["1.5Gi", "1536Mi", 0],
      ["0.0000000011", "2n", 0],
      ["0.0000000021", "2n", 1],
      ["1e-1000", "1n", 0],
      ["9Ei", "8Ei", 0],
      ["9223372036854775808", "8Ei", 1],
      ["1e1000", "10e999", 0],
      ["1e1000", "1e999", 1],
      ["12345678901234567890", "12345678901234567891", -1],
      ["1E", "1e18", 0],
      ["lots", "1", undefined],
      ["1e2.5", "1", undefined],
    ];
    expect(cases.map(([a, b]) => compareQuantities(a, b))).toEqual(cases.map(([, , want]) => want));
  });

  it("a value that is not a quantity is reported as such (GANTRY2006) and not compared", async () => {
    const src = source("{}", '  p.task("t", { image: "x", resources: { requests: { cpu: "lots", "nvidia.com/gpu": "1GB" }, limits: { cpu: "1", "nvidia.com/gpu": "1" } } });');
    expect((await found(src)).map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual([`GANTRY2006 ${at(src, '"lots"')}`, `GANTRY2006 ${at(src, '"1GB"')}`]);
  });
});

describe("GANTRY2039: volume paths and file modes", () => {
  it("a subPath must be relative and have no .. element", async () => {
    const vol = (subPath: string, i: number) => `{ name: "v${i}", mountPath: "/m${i}", emptyDir: {}, subPath: ${JSON.stringify(subPath)} }`;
    const src = source("{}", `  p.task("t", { image: "x", volumes: [${["/abs", "a/../b", ".."].map(vol).join(", ")}] });`);
    expect(await found(src)).toEqual([
      `GANTRY2039 ${at(src, '"/abs"')} task "t": volume "v0": subPath "/abs" must be a relative path`,
      `GANTRY2039 ${at(src, '"a/../b"')} task "t": volume "v1": subPath "a/../b" must not contain a ".." element`,
      `GANTRY2039 ${at(src, '".."')} task "t": volume "v2": subPath ".." must not contain a ".." element`,
    ]);
    await compiles(source("{}", `  p.task("t", { image: "x", volumes: [${["a/b", "..a", "a..b/c", ""].map(vol).join(", ")}] });`));
  });

  it("a ConfigMap or Secret item needs a key and a relative path without .. that does not start with ..; modes are 0 to 0o777", async () => {
    const src = source(
      "{}",
      [
        '  p.task("t", { image: "x", volumes: [',
        '    { name: "c", mountPath: "/c", configMap: { name: "cm", defaultMode: 644, items: [{ key: "", path: "" }, { key: "a", path: "/etc/a" }, { key: "b", path: "x/../b", mode: 0o7777 }] } },',
        '    { name: "s", mountPath: "/s", secret: { name: "sec", defaultMode: -1, items: [{ key: "k", path: "..data" }] } },',
        "  ] });",
      ].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2039 ${at(src, "644")} task "t": volume "c": configMap.defaultMode must be between 0 and 0o777 (511), both inclusive (got 644; if that was meant as octal, write 0o644)`,
      `GANTRY2039 ${at(src, '""')} task "t": volume "c": configMap.items[0].key must not be empty`,
      `GANTRY2039 ${at(src, '""', 2)} task "t": volume "c": configMap.items[0].path "" must not be empty`,
      `GANTRY2039 ${at(src, '"/etc/a"')} task "t": volume "c": configMap.items[1].path "/etc/a" must be a relative path`,
      `GANTRY2039 ${at(src, '"x/../b"')} task "t": volume "c": configMap.items[2].path "x/../b" must not contain a ".." element`,
      `GANTRY2039 ${at(src, "0o7777")} task "t": volume "c": configMap.items[2].mode must be between 0 and 0o777 (511), both inclusive (got 4095)`,
      `GANTRY2039 ${at(src, "-1")} task "t": volume "s": secret.defaultMode must be between 0 and 0o777 (511), both inclusive (got -1)`,
      `GANTRY2039 ${at(src, '"..data"')} task "t": volume "s": secret.items[0].path "..data" must not start with ".."`,
    ]);
    await compiles(
      source(
        "{}",
        [
          '  p.task("t", { image: "x", volumes: [',
          '    { name: "c", mountPath: "/c", configMap: { name: "cm", defaultMode: 0o777, items: [{ key: "a", path: "a", mode: 0 }, { key: "b", path: "conf/.b..c", mode: 511 }] } },',
          '    { name: "s", mountPath: "/s", secret: { name: "sec", defaultMode: 0, items: [{ key: "k", path: ".data" }] } },',
          "  ] });",
        ].join("\n"),
      ),
    );
  });

  it("in defaults, reported once at the defaults", async () => {
    const src = source('{ defaults: { volumes: [{ name: "v", mountPath: "/v", emptyDir: {}, subPath: "/x" }] } }', '  p.task("a", { image: "x" });\n  p.task("b", { image: "x" });');
    expect(await found(src)).toEqual([`GANTRY2039 ${at(src, '"/x"')} pipeline defaults: volume "v": subPath "/x" must be a relative path`]);
  });
});

describe("GANTRY2039: user and group ids are 32-bit", () => {
  it("runAsUser, runAsGroup and fsGroup above 2147483647 are refused; 2147483647 compiles; runAsUser 0 stays GANTRY2001", async () => {
    const src = source(
      '{ defaults: { securityContext: { fsGroup: 2147483648 } } }',
      '  p.task("t", { image: "x", securityContext: { runAsUser: 4294967296, runAsGroup: 2147483648 } });\n  p.task("u", { image: "x", securityContext: { runAsUser: 0 } });',
    );
    expect(await found(src)).toEqual([
      `GANTRY2039 ${at(src, "2147483648")} pipeline defaults: securityContext.fsGroup 2147483648 is more than 2147483647, the largest group id Kubernetes accepts`,
      `GANTRY2039 ${at(src, "4294967296")} task "t": securityContext.runAsUser 4294967296 is more than 2147483647, the largest user id Kubernetes accepts`,
      `GANTRY2039 ${at(src, "2147483648", 2)} task "t": securityContext.runAsGroup 2147483648 is more than 2147483647, the largest group id Kubernetes accepts`,
      `GANTRY2001 ${at(src, "0 }")} task "u": securityContext.runAsUser 0 (root) is not allowed by the Pod Security Standards restricted profile`,
    ]);
    await compiles(source('{ defaults: { securityContext: { fsGroup: 2147483647 } } }', '  p.task("t", { image: "x", securityContext: { runAsUser: 2147483647, runAsGroup: 2147483647 } });'));
  });
});

describe("tolerations", () => {
  it("GANTRY2039: Exists with a value, tolerationSeconds without NoExecute, no key without Exists", async () => {
    const src = source(
      "{}",
      [
        '  p.task("t", { image: "x", tolerations: [',
        '    { key: "a", operator: "Exists", value: "yes" },',
        '    { key: "b", value: "v", tolerationSeconds: 30 },',
        '    { key: "c", effect: "NoSchedule", tolerationSeconds: 60 },',
        "    {},",
        '    { operator: "Equal", effect: "NoSchedule" },',
        '    { key: "", value: "v" },',
        "  ] });",
      ].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2039 ${at(src, '"yes"')} task "t": tolerations[0]: value "yes" must be empty with operator "Exists"`,
      `GANTRY2039 ${at(src, "30")} task "t": tolerations[1]: tolerationSeconds applies only to effect "NoExecute", not to a toleration without an effect`,
      `GANTRY2039 ${at(src, "60")} task "t": tolerations[2]: tolerationSeconds applies only to effect "NoExecute", not "NoSchedule"`,
      `GANTRY2039 ${at(src, "{},", 2)} task "t": tolerations[3]: a toleration without a key needs operator "Exists" (to tolerate every taint), not the default "Equal"`,
      `GANTRY2039 ${at(src, '"Equal"')} task "t": tolerations[4]: a toleration without a key needs operator "Exists" (to tolerate every taint), not "Equal"`,
      `GANTRY2039 ${at(src, '""')} task "t": tolerations[5]: a toleration without a key needs operator "Exists" (to tolerate every taint), not the default "Equal"`,
    ]);
    await compiles(
      source(
        "{}",
        [
          '  p.task("t", { image: "x", tolerations: [',
          '    { key: "a", operator: "Exists", value: "" },',
          '    { key: "b", value: "v", effect: "NoExecute", tolerationSeconds: 30 },',
          '    { operator: "Exists" },',
          '    { key: "", operator: "Exists", effect: "NoSchedule" },',
          '    { key: "nvidia.com/gpu", operator: "Equal", value: "", effect: "PreferNoSchedule" },',
          "  ] });",
        ].join("\n"),
      ),
    );
  });

  it("GANTRY2012: a key is a qualified name and a value a label value; one holding a parameter is left to run time", async () => {
    const src = source("{}", '  p.task("t", { image: "x", tolerations: [{ key: "bad key!", operator: "Exists" }, { key: "pool", value: "has space" }, { key: "acme.io/x", operator: "Equal", value: "-v" }] });');
    expect(await found(src)).toEqual([
      `GANTRY2012 ${at(src, '"bad key!"')} task "t": tolerations[0]: key "bad key!" contains invalid character " " (allowed: letters, digits, "-", "_" and ".")`,
      `GANTRY2012 ${at(src, '"has space"')} task "t": tolerations[1]: value "has space" contains invalid character " " (allowed: letters, digits, "-", "_" and ".")`,
      `GANTRY2012 ${at(src, '"-v"')} task "t": tolerations[2]: value "-v" must start with a letter or digit (got "-")`,
    ]);
    await compiles(
      source(
        '{ parameters: { pool: { default: "batch" } } }',
        '  p.task("t", { image: "x", tolerations: [{ key: "acme.io/pool", value: p.params.pool }, { key: `pool-${p.params.pool}`, operator: "Exists" }, { key: "k", value: "a.b_c-d" }] });',
      ),
    );
  });
});

describe("GANTRY2014: environment variable names and envFrom prefixes", () => {
  it('a name ".", ".." or starting with ".." is refused; ".x" and "x..y" compile', async () => {
    const src = source("{}", '  p.task("t", { image: "x", env: { ".": "a", "..": "b", "..x": "c", ".ok": "d", "x..y": "e" } });');
    expect(await found(src)).toEqual([
      `GANTRY2014 ${at(src, '"."')} task "t": environment variable "." must not be "."`,
      `GANTRY2014 ${at(src, '".."')} task "t": environment variable ".." must not be ".."`,
      `GANTRY2014 ${at(src, '"..x"')} task "t": environment variable "..x" must not start with ".."`,
    ]);
    await compiles(source("{}", '  p.task("t", { image: "x", env: { ".ok": "d", "x..y": "e", "-a": "f" } });'));
  });

  it("an envFrom prefix follows the same rules; an empty one is no prefix", async () => {
    const src = source(
      '{ defaults: { envFrom: [{ configMap: "common", prefix: "A=B" }] } }',
      '  p.task("t", { image: "x", envFrom: [{ secret: "s", prefix: "..P" }, { configMap: "c", prefix: "1P_" }, { configMap: "d", prefix: "" }, { secret: "e", prefix: "OK_" }] });',
    );
    expect(await found(src)).toEqual([
      `GANTRY2014 ${at(src, '"A=B"')} pipeline defaults: envFrom[0].prefix "A=B" contains invalid character "=" (allowed: letters, digits, "_", "-" and ".")`,
      `GANTRY2014 ${at(src, '"..P"')} task "t": envFrom[0].prefix "..P" must not start with ".."`,
      `GANTRY2014 ${at(src, '"1P_"')} task "t": envFrom[1].prefix "1P_" must not start with a digit (got "1")`,
    ]);
    const param = source('{ parameters: { env: { default: "prod" } } }', '  p.task("t", { image: "x", envFrom: [{ secret: "s", prefix: `${p.params.env}_` }] });');
    expect(await found(param)).toEqual([
      `GANTRY1112 ${at(param, "`${p.params")} task "t": envFrom[0].prefix "{{params.env}}_" uses pipeline parameter "env", whose value is only known when a run starts; an environment variable prefix must be fixed when the pipeline is compiled`,
    ]);
    await compiles(source('{ defaults: { envFrom: [{ configMap: "common", prefix: "C_" }] } }', '  p.task("t", { image: "x", envFrom: [{ secret: "s", prefix: ".P" }, { configMap: "d", prefix: "" }] });'));
  });
});

// Left alone before: a Secret or ConfigMap an environment reads was never checked, so a name such
// as "Warehouse_Creds" compiled, and the API server refused the pod when the task started.
describe("GANTRY2005 and GANTRY2039: the Secrets and ConfigMaps the environment reads", () => {
  it("names are DNS subdomains and keys ConfigMap keys, reported where written; a parameter is left to the run", async () => {
    const src = source(
      '{ defaults: { env: { TOKEN: { secretKeyRef: { name: "Api_Token", key: "token" } } } } }',
      [
        '  p.task("t", {',
        '    image: "x",',
        '    env: { PW: { secretKeyRef: { name: "warehouse", key: "pass word" } }, URL: { configMapKeyRef: { name: "cfg.", key: ".." } }, OK: { secretKeyRef: { name: "a.b-c", key: "_x.y-Z9" } } },',
        '    envFrom: [{ secret: "Creds" }, { configMap: "prefix-" }, { configMap: "-" }],',
        '  });',
      ].join("\n"),
    );
    expect(await found(src)).toEqual([
      `GANTRY2005 ${at(src, '"Api_Token"')} pipeline defaults: env.TOKEN: Secret name "Api_Token" must be lowercase (found uppercase letter "A")`,
      `GANTRY2039 ${at(src, '"pass word"')} task "t": env.PW: Secret key "pass word" contains invalid character " " (allowed: letters, digits, "-", "_" and ".")`,
      `GANTRY2005 ${at(src, '"cfg."')} task "t": env.URL: ConfigMap name "cfg." must not end with "."`,
      `GANTRY2039 ${at(src, '".."')} task "t": env.URL: ConfigMap key ".." must not be ".."`,
      `GANTRY2005 ${at(src, '"Creds"')} task "t": envFrom[0].secret name "Creds" must be lowercase (found uppercase letter "C")`,
      `GANTRY2005 ${at(src, '"-"')} task "t": envFrom[2].configMap name "-" must start with a lowercase letter or digit (got "-")`,
    ]);
    // The DSL's helpers, a key of 253 characters, and a parameter in a name (filled in when a run starts).
    await compiles(
      `import { configMapEnv, pipeline, secretEnv } from "gantry";\nexport default pipeline("k8s", { parameters: { env: { default: "prod" } } }, (p) => {\n  p.task("t", { image: "x", env: { A: secretEnv(\`\${p.params.env}-db\`, "${"k".repeat(253)}"), B: configMapEnv("cfg", p.params.env) }, envFrom: [{ secret: p.params.env }] });\n});\n`,
    );
    const long = source("{}", `  p.task("t", { image: "x", env: { A: { secretKeyRef: { name: "s", key: "${"k".repeat(254)}" } } } });`);
    expect(await found(long)).toEqual([`GANTRY2039 ${at(long, '"kkk')} task "t": env.A: Secret key "${"k".repeat(254)}" must be at most 253 characters (got 254)`]);
  });
});

describe("GANTRY2040: image references", () => {
  it("whitespace around the image, and references the kubelet cannot parse, are reported at the image", async () => {
    const images = [" busybox", "busybox\\t", "bus box", "Busybox:1.36", "busybox:", "busybox@sha256:abc", "-busybox", "a..b", "ghcr.io:x/acme", "busybox:.1"];
    const src = source("{}", images.map((img, i) => `  p.task("t${i}", { image: "${img}" });`).join("\n"));
    expect(await found(src)).toEqual([
      `GANTRY2040 ${at(src, '" busybox"')} task "t0": image " busybox" must not have leading or trailing whitespace`,
      `GANTRY2040 ${at(src, '"busybox\\t"')} task "t1": image "busybox\\t" must not have leading or trailing whitespace`,
      `GANTRY2040 ${at(src, '"bus box"')} task "t2": image "bus box" contains invalid character " " in its repository name (allowed: lowercase letters, digits, and ".", "_", "__" or "-" between them)`,
      `GANTRY2040 ${at(src, '"Busybox:1.36"')} task "t3": image "Busybox:1.36" has a repository name that must be lowercase ("Busybox")`,
      `GANTRY2040 ${at(src, '"busybox:"')} task "t4": image "busybox:" has an empty tag after ":"`,
      `GANTRY2040 ${at(src, '"busybox@sha256:abc"')} task "t5": image "busybox@sha256:abc" has a digest "sha256:abc": a sha256 digest is 64 lowercase hexadecimal digits (got 3 characters)`,
      `GANTRY2040 ${at(src, '"-busybox"')} task "t6": image "-busybox" has a repository name part "-busybox" that does not start and end with a lowercase letter or digit`,
      `GANTRY2040 ${at(src, '"a..b"')} task "t7": image "a..b" has ".." between letters or digits of its repository name part "a..b" (allowed: ".", "_", "__" or dashes)`,
      `GANTRY2040 ${at(src, '"ghcr.io:x/acme"')} task "t8": image "ghcr.io:x/acme" has an invalid registry "ghcr.io:x" (the port must be digits)`,
      `GANTRY2040 ${at(src, '"busybox:.1"')} task "t9": image "busybox:.1" has a tag ".1" that starts with "." (a tag starts with a letter, digit or "_")`,
    ]);
  });

  it("valid references compile: registry with port or IPv6, separators, tag and digest, a tag of 128 characters", async () => {
    const digest = "0123456789abcdef".repeat(4);
    const images = ["busybox", "ghcr.io/acme/etl:2.4.1", "localhost:5000/a/b:v1", `busybox:1.36@sha256:${digest}`, `busybox@sha512:${digest.repeat(2)}`, "acme/a__b-c.d/e---f:Tag_1.x-y", "[::1]:5000/x", "Registry/img", `busybox:${"t".repeat(128)}`, "host_name.example.com/x", `docker.io/${"a".repeat(240)}`, `ghcr.io/${"b".repeat(255)}`];
    await compiles(source("{}", images.map((img, i) => `  p.task("t${i}", { image: "${img}" });`).join("\n")));
  });

  it("the repository path is at most 255 characters, library/ included on Docker Hub (review finding: the registry was counted, and a first part with _ taken for one)", async () => {
    const long = `${"a".repeat(248)}`;
    const src = source("{}", `  p.task("t", { image: "${long}" });`);
    expect(await found(src)).toEqual([`GANTRY2040 ${at(src, `"${long}"`)} task "t": image "${long}" has a repository path of 256 characters, more than 255`]);
  });

  it("an image with a pipeline parameter is left to run time, but not whitespace around it", async () => {
    const params = '{ parameters: { tag: { default: "1.36" } } }';
    await compiles(source(params, '  p.task("t", { image: `ghcr.io/acme/x:${p.params.tag}` });\n  p.task("u", { image: p.params.tag });'));
    const src = source(params, '  p.task("t", { image: `busybox:${p.params.tag} ` });');
    expect(await found(src)).toEqual([`GANTRY2040 ${at(src, "`busybox")} task "t": image "busybox:{{params.tag}} " must not have leading or trailing whitespace`]);
  });

  it("every image of the examples and test fixtures passes", async () => {
    const r = await compile({ cwd: repoRoot, paths: ["examples", path.join("test", "fixtures", "static")], target: "argo", kind: "auto" });
    expect(r.pipelines.length).toBeGreaterThan(5);
    expect(r.diagnostics.filter((d) => ["GANTRY2038", "GANTRY2039", "GANTRY2040", "GANTRY2012", "GANTRY2014"].includes(d.code)).map(where)).toEqual([]);
  });
});
