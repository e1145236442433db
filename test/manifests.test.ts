/**
 * Every object Gantry emits for the examples, in every kind, passes the Kubernetes/Argo validators
 * and the Pod Security Standards `restricted` profile.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { compileExamples } from "./support/examples.js";
import { checkRestricted } from "./support/pod-security.js";
import { sharedSchemasAvailable, validateObject } from "./support/validate-manifests.js";

describe.each(["auto", "template", "workflow"] as const)("examples compiled with --kind %s", (kind) => {
  it("validate against kubernetes-models, Argo's JSON schema and CRDs, and the restricted profile", async () => {
    const result = await compileExamples(kind);
    expect(result.pipelines.length).toBeGreaterThanOrEqual(3);
    for (const p of result.pipelines) {
      // Validate what is written, not the in-memory objects: the YAML must round-trip.
      const docs = parseAllDocuments(p.yaml).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as unknown;
      });
      expect(docs).toEqual(p.objects.map((o) => JSON.parse(JSON.stringify(o))));
      for (const obj of docs) {
        expect(validateObject(obj), `${p.file}`).toEqual([]);
        expect(checkRestricted(obj), `${p.file}`).toEqual([]);
      }
    }
  });
});

it("emits a CronWorkflow for the scheduled example and the right kinds otherwise", async () => {
  const auto = await compileExamples("auto");
  const kinds = Object.fromEntries(auto.pipelines.map((p) => [p.name, p.objects.map((o) => o.kind)]));
  expect(kinds["nightly-etl"]).toEqual(["CronWorkflow"]);
  expect(kinds["hello-world"]).toEqual(["WorkflowTemplate"]);
  const wf = await compileExamples("workflow");
  for (const p of wf.pipelines) {
    expect(p.objects[0]!.kind).toBe("Workflow");
    expect((p.objects[0]!.metadata as Record<string, unknown>).generateName).toBe(`${p.name}-`);
  }
});

it.skipIf(!sharedSchemasAvailable())("schema checks ran against ../shared (not skipped)", () => {
  expect(sharedSchemasAvailable()).toBe(true);
});
