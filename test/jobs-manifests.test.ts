/**
 * Every object the jobs target emits for the examples (plain, with --gitops argocd, and the Jobs a
 * scheduled run's driver creates) passes kubernetes-models validation and the restricted Pod
 * Security Standards profile, init containers included; the YAML round-trips.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compileExamples } from "./support/examples.js";
import { checkRestricted } from "./support/pod-security.js";
import { validateObject } from "./support/validate-manifests.js";

type Obj = { kind: string; metadata: { name: string }; data?: Record<string, string>; [k: string]: unknown };

/** The Jobs a scheduled pipeline's driver would create, with a real run id in place of the token. */
function driverJobs(objects: Obj[]): Obj[] {
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.data?.["objects.json"] !== undefined);
  return cm ? (JSON.parse(cm.data!["objects.json"]!.replaceAll("@RUN_ID@", "0123abcd")) as Obj[]) : [];
}

describe.each([
  ["default", {}],
  ["--gitops argocd", { gitops: "argocd" as const }],
  ["--run-id", { runId: "2026-11-21" }],
])("examples on the jobs target (%s)", (_label, jobs) => {
  it("validate against kubernetes-models and the restricted profile", async () => {
    const result = await compileExamples("auto", { target: "jobs", jobs });
    expect(result.pipelines.length).toBeGreaterThanOrEqual(5);
    let checked = 0;
    for (const p of result.pipelines) {
      const docs = parseAllDocuments(p.yaml).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as Obj;
      });
      expect(docs).toEqual(p.objects.map((o) => JSON.parse(JSON.stringify(o))));
      for (const obj of [...docs, ...driverJobs(docs)]) {
        expect(validateObject(obj), `${p.file} ${obj.kind}/${obj.metadata.name}`).toEqual([]);
        expect(checkRestricted(obj), `${p.file} ${obj.kind}/${obj.metadata.name}`).toEqual([]);
        checked++;
      }
      // Names Gantry chose: unique per kind, DNS labels of at most 63 characters.
      const names = [...docs, ...driverJobs(docs)].map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n.split("/")[1]).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    }
    expect(checked).toBeGreaterThan(30);
  });
});
