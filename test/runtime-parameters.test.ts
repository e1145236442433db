/**
 * A pipeline parameter where a value must be fixed when the pipeline is compiled (namespace,
 * schedule, task name, quantity, duration...) is GANTRY1112 saying so, at the value, instead of
 * the field's rule complaining about the placeholder's characters. Through the real CLI.
 */
import { describe, expect, it } from "vitest";
import { gantry, tempProject } from "./support/cli.js";

interface Json {
  code: string;
  message: string;
  hint?: string;
  span?: { file: string; line: number; column: number };
}

const source = `import { parameterPlaceholder, pipeline } from "gantry";
const ph = parameterPlaceholder("env");
export default pipeline("deploy", {
  namespace: ph,
  parameters: { env: { default: "staging" }, cpu: { default: "1" } },
  schedule: { cron: ["0 1 * * *", \`0 \${ph} * * *\`], timezone: ph },
  labels: { env: ph },
}, (p) => {
  p.task(\`t-\${p.params.env}\`, { image: "busybox:1.36" });
  p.task("sized", { image: "busybox:1.36", resources: { requests: { cpu: p.params.cpu } }, timeout: \`\${p.params.cpu}m\` });
  p.task("Bad_Name", { image: "busybox:1.36", resources: { requests: { cpu: "lots" } } });
});
`;

const position = (line: number, needle: string) => `${line}:${source.split("\n")[line - 1]!.indexOf(needle) + 1}`;
const after = (name: string) => `uses pipeline parameter "${name}`;

describe("run-time parameters in values fixed at compile time", () => {
  it("are GANTRY1112 naming the parameter and the field, with a hint; other findings keep their codes", () => {
    const dir = tempProject({ "pipelines/deploy.ts": source });
    const r = gantry(["compile", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const found = JSON.parse(r.stderr) as Json[];
    const fixed = (kind: string) => `, whose value is only known when a run starts; ${kind} must be fixed when the pipeline is compiled`;
    expect(found.map((d) => `${d.code} ${d.span?.line}:${d.span?.column} ${d.message}`)).toEqual([
      `GANTRY1112 ${position(2, "parameterPlaceholder(")} namespace "{{params.env}}" ${after("env")}"${fixed("a namespace")}`,
      `GANTRY1112 ${position(2, "parameterPlaceholder(")} pipeline labels: value "{{params.env}}" of "env" ${after("env")}"${fixed("a label value")}`,
      `GANTRY1112 ${position(2, "parameterPlaceholder(")} time zone "{{params.env}}" ${after("env")}"${fixed("a time zone")}`,
      `GANTRY1112 ${position(6, "`0 ")} schedule "0 {{params.env}} * * *" ${after("env")}"${fixed("a schedule")}`,
      `GANTRY1112 ${position(9, "`t-")} task name "t-{{params.env}}" ${after("env")}"${fixed("a task name")}`,
      `GANTRY1112 ${position(10, "p.params.cpu }")} task "sized": resources.requests.cpu "{{params.cpu}}" ${after("cpu")}"${fixed("a resource quantity")}`,
      `GANTRY1112 ${position(10, "`${p.params.cpu}m`")} task "sized": timeout "{{params.cpu}}m" ${after("cpu")}"${fixed("a duration")}`,
      `GANTRY2005 ${position(11, '"Bad_Name"')} task name "Bad_Name" must be lowercase (found uppercase letter "B")`,
      `GANTRY2006 ${position(11, '"lots"')} task "Bad_Name": resources.requests.cpu: "lots" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)`,
    ]);
    for (const d of found.filter((d) => d.code === "GANTRY1112")) expect(d.hint).toMatch(/^Use a constant here\. To vary it, declare one pipeline per value/);
  });

  it("explains itself in text: the namespace case of the review", () => {
    const dir = tempProject({
      "pipelines/ns.ts": `import { pipeline, parameterPlaceholder } from "gantry";\nexport default pipeline("ns", { namespace: parameterPlaceholder("env"), parameters: { env: {} } }, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`,
    });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error GANTRY1112: namespace "{{params.env}}" uses pipeline parameter "env", whose value is only known when a run starts; a namespace must be fixed when the pipeline is compiled');
    expect(r.stderr).not.toContain("GANTRY2005");
    expect(r.stderr).not.toContain('invalid character "{"');
  });

  it("where the schema wants a number or one of a few words (retry.limit, imagePullPolicy), a parameter is GANTRY1112 too, not zod's type error (adversarial finding)", () => {
    const dir = tempProject({
      "pipelines/r.ts": `import { pipeline } from "gantry";\nexport default pipeline("r", { parameters: { n: { default: 3 }, pol: { default: "Always" } } }, (p) => {\n  p.task("t", { image: "busybox:1.36", retry: { limit: p.params.n }, imagePullPolicy: p.params.pol });\n});\n`,
    });
    const r = gantry(["compile", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const found = (JSON.parse(r.stderr) as { code: string; message: string }[]).map((d) => `${d.code} ${d.message}`);
    expect(found).toEqual([
      'GANTRY1112 task "t": retry.limit "{{params.n}}" uses pipeline parameter "n", whose value is only known when a run starts; `retry.limit` must be fixed when the pipeline is compiled',
      'GANTRY1112 task "t": imagePullPolicy "{{params.pol}}" uses pipeline parameter "pol", whose value is only known when a run starts; `imagePullPolicy` must be fixed when the pipeline is compiled',
    ]);
    // Where no value is allowed at all, the field's own rule speaks, not "use a constant" (review finding).
    const never = tempProject({
      "pipelines/n.ts": `import { pipeline } from "gantry";\nexport default pipeline("n", { parameters: { t: { default: "allDone" } } }, (p) => {\n  const s = p.setup("s", { image: "busybox:1.36" });\n  p.teardown("d", { image: "busybox:1.36", setups: [s], trigger: p.params.t as any });\n});\n`,
    });
    const n = gantry(["compile", "--format", "json"], never);
    expect((JSON.parse(n.stderr) as { code: string; message: string }[]).map((d) => `${d.code} ${d.message}`)).toEqual([
      "GANTRY2001 task \"d\": trigger: a teardown's trigger is fixed: it runs once its scope has finished, if one of its setups succeeded",
    ]);
  });
});
