/**
 * Findings of lowering and the backends point at the field they are about (Diagnostic.field, placed
 * by the front end), not at the task or pipeline: through the real CLI with `--format json`, on
 * real files. The pipeline with the findings comes after a clean one, so the compile has already
 * evaluated without property origins and must go back for them; a field a task inherits is found
 * in the `defaults` it came from, in another module when they were imported.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics/index.js";
import { gantry, tempProject } from "./support/cli.js";
import { loc } from "./support/positions.js";

const shared = `export const defaults = {
  retry: { limit: 2, backoff: { duration: "10s", factor: 1.5 } },
  labels: { "job-name": "mine" },
};
`;

// Sorted first: evaluated (without origins) before the pipeline with findings.
const clean = `import { pipeline } from "gantry";
export default pipeline("a-clean", {}, (p) => {
  p.task("only", { image: "busybox:1.36" });
});
`;

const argo = `import { pipeline } from "gantry";
import { defaults } from "./shared.js";
export default pipeline("b-argo", { defaults, parameters: { day: {} }, schedule: { cron: "@daily" } }, (p) => {
  p.task("inherits", { image: "busybox:1.36" });
  p.task("own", { image: "busybox:1.36", retry: { backoff: { duration: "5s", factor: 2.5 } } });
  p.task("vols", { image: "busybox:1.36", volumes: [{ name: "ok", mountPath: "/ok", emptyDir: {} }, { name: "var-run-argo", mountPath: "/data", emptyDir: {} }] });
});
`;

const jobs = `import { pipeline } from "gantry";
export default pipeline("c-jobs", {}, (p) => {
  const first = p.task("first", { image: "busybox:1.36" });
  p.task("waits", { image: "busybox:1.36", after: [first], serviceAccountName: "runner", timeout: "10m", retry: { limit: 1, totalTimeout: "1h" } });
  p.task("vols", { image: "busybox:1.36", volumes: [{ name: "gantry-shim", mountPath: "/data", emptyDir: {} }], labels: { tier: "x", "controller-uid": "u" } });
});
`;

const scheduled = `import { pipeline } from "gantry";
export default pipeline("e-scheduled", { schedule: { cron: ["@daily", "@hourly"], startingDeadlineSeconds: 5 } }, (p) => {
  p.task("only", { image: "busybox:1.36" });
});
`;

/** `gantry compile --format json` of `paths` (default: the whole project) in a project holding `files`. */
function diagnostics(files: Record<string, string>, args: readonly string[], paths: readonly string[] = ["."]): { code: number | null; list: Diagnostic[]; raw: string } {
  const r = gantry(["compile", "--out", "out", "--format", "json", ...args, ...paths], tempProject(files));
  return { code: r.code, list: JSON.parse(r.stderr) as Diagnostic[], raw: r.stderr };
}

const where = (d: Diagnostic) => `${d.code} ${d.span?.file}:${d.span?.line}:${d.span?.column}`;

describe("lowering and backend findings at the field", () => {
  it("Argo: a retry factor inherited from imported defaults, a task's own, a volume by name, a parameter without a default", () => {
    const files = { "shared.ts": shared, "a-clean.ts": clean, "b-argo.ts": argo };
    const r = diagnostics(files, ["--target", "argo"]);
    expect(r.code).toBe(1);
    expect(r.list.map(where).sort()).toEqual(
      [
        `GANTRY4030 ${loc("shared.ts", shared, "1.5")}`,
        `GANTRY4030 ${loc("b-argo.ts", argo, "2.5")}`,
        `GANTRY4006 ${loc("b-argo.ts", argo, '{ name: "var-run-argo"')}`,
        `GANTRY4011 ${loc("b-argo.ts", argo, "{} }, schedule")}`,
      ].sort(),
    );
    // Placed, then dropped: the JSON a tool reads has no trace of it.
    expect(r.raw).not.toMatch(/"field"/);
    // The same places when the pipeline is the first (and only) entry: origins recorded from its start.
    const alone = diagnostics({ "shared.ts": shared, "b-argo.ts": argo }, ["--target", "argo"], ["b-argo.ts"]);
    expect(alone.list.map(where).sort()).toEqual(r.list.map(where).sort());
  });

  it("Argo: a schedule a WorkflowTemplate leaves out (GANTRY4002), at the schedule", () => {
    const src = clean.replace("{}, (p)", '{ schedule: { cron: "@daily" } }, (p)');
    const r = diagnostics({ "p.ts": src }, ["--target", "argo", "--kind", "template"]);
    expect(r.list.map(where)).toEqual([`GANTRY4002 ${loc("p.ts", src, '{ cron: "@daily" }')}`]);
  });

  it("jobs: a timeout and a total timeout that cannot be enforced, a volume and a label key Kubernetes owns, the schedule's fields", () => {
    const r = diagnostics({ "a-clean.ts": clean, "c-jobs.ts": jobs, "e-scheduled.ts": scheduled }, ["--target", "jobs"]);
    expect(r.list.map(where).sort()).toEqual(
      [
        `GANTRY4019 ${loc("c-jobs.ts", jobs, '"10m"')}`,
        `GANTRY4017 ${loc("c-jobs.ts", jobs, '"1h"')}`,
        `GANTRY4018 ${loc("c-jobs.ts", jobs, '{ name: "gantry-shim"')}`,
        `GANTRY4021 ${loc("c-jobs.ts", jobs, '"controller-uid"')}`,
        `GANTRY4023 ${loc("e-scheduled.ts", scheduled, '["@daily", "@hourly"]')}`,
        `GANTRY4023 ${loc("e-scheduled.ts", scheduled, "5 }")}`,
      ].sort(),
    );
  });

  it("jobs: a label inherited from defaults is found in the imported defaults it came from", () => {
    const inherited = `import { pipeline } from "gantry";
import { defaults } from "./shared.js";
export default pipeline("d-labels", { defaults: { labels: defaults.labels } }, (p) => {
  p.task("one", { image: "busybox:1.36" });
});
`;
    const r = diagnostics({ "shared.ts": shared, "d.ts": inherited }, ["--target", "jobs"], ["d.ts"]);
    expect(r.list.map(where)).toEqual([`GANTRY4021 ${loc("shared.ts", shared, '"job-name"')}`]);
  });
});
