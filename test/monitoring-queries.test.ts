/**
 * The PromQL of docs/monitoring.md ("Example queries"), run by Prometheus' own `promtool` on the
 * series Argo's controller produces: counters it creates at 1 on their first count (after a
 * restart, after `metricsTTL` expired them). The queries once used a plain `increase()`, which
 * never sees that first step: the teardown alert missed the first failure after every restart
 * (monitoring review finding). Skipped where `promtool` is not on PATH (Debian: `prometheus`; .ci/run
 * unpacks it from that package when it can).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { repoRoot, tempProject } from "./support/cli.js";

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

/** Each query of the doc's promql block, by the first line of the comment above it. */
function docQueries(): Map<string, string> {
  const doc = fs.readFileSync(path.join(repoRoot, "docs/monitoring.md"), "utf8");
  const block = /## Example queries[\s\S]*?```promql\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error("no promql block under Example queries");
  const queries = new Map<string, string>();
  for (const chunk of block.split(/\n\n+/)) {
    const lines = chunk.split("\n").filter((l) => l.trim() !== "");
    const title = lines.find((l) => l.startsWith("#"))?.slice(2);
    const expr = lines.filter((l) => !l.startsWith("#")).join("\n");
    if (title && expr) queries.set(title, expr);
  }
  return queries;
}

const query = (queries: Map<string, string>, prefix: string): string => {
  const found = [...queries].find(([title]) => title.startsWith(prefix));
  if (!found) throw new Error(`no query "${prefix}..." in docs/monitoring.md`);
  return found[1];
};

const TEARDOWN = 'argo_workflows_gantry_teardown_result_total{pipeline="p",teardown="drop-tmp",fails_run="false",workflow_namespace="prod",status="Failed"}';
const RUNS = (status: string, namespace = "prod") => `argo_workflows_gantry_run_result_total{pipeline="nightly-etl",workflow_namespace="${namespace}",status="${status}"}`;

/** A rule group of one of the doc's queries, by the start of its comment: an alert, or a recording rule. */
const docRule = (rule: { alert: string } | { record: string }, title: string) => ({ groups: [{ name: "doc", rules: [{ ...rule, expr: query(docQueries(), title) }] }] });

/** Runs promtool's rule unit tests; returns its output when they fail. */
function promtool(rules: object, tests: object[]): string | undefined {
  const dir = tempProject({ "rules.yml": stringify(rules), "test.yml": stringify({ rule_files: ["rules.yml"], evaluation_interval: "1m", tests }) });
  const r = spawnSync("promtool", ["test", "rules", "test.yml"], { cwd: dir, encoding: "utf8" });
  return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`;
}

describe.skipIf(!hasPromtool)("docs/monitoring.md's queries under promtool", () => {
  it("every query is valid PromQL", () => {
    const queries = docQueries();
    expect(queries.size).toBeGreaterThanOrEqual(8);
    const rules = { groups: [{ name: "doc", rules: [...queries.values()].map((expr, i) => ({ record: `doc:query_${i}`, expr })) }] };
    const dir = tempProject({ "rules.yml": stringify(rules) });
    const r = spawnSync("promtool", ["check", "rules", "rules.yml"], { cwd: dir, encoding: "utf8" });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it("the teardown alert fires for a series born at 1 (restart), for a live 1 -> 2, and for a series metricsTTL expired and re-created; not for successes, fails_run teardowns, or an old failure", () => {
    const rules = docRule({ alert: "TeardownFailed" }, "Alert: a teardown failed");
    const fires = [{ exp_labels: { pipeline: "p", teardown: "drop-tmp", workflow_namespace: "prod" } }];
    const failed = promtool(rules, [
      { interval: "1m", input_series: [{ series: TEARDOWN, values: "_x30 1x60" }], alert_rule_test: [{ eval_time: "45m", alertname: "TeardownFailed", exp_alerts: fires }, { eval_time: "95m", alertname: "TeardownFailed", exp_alerts: [] }] },
      { interval: "1m", input_series: [{ series: TEARDOWN, values: "1x80 2x40" }], alert_rule_test: [{ eval_time: "75m", alertname: "TeardownFailed", exp_alerts: [] }, { eval_time: "100m", alertname: "TeardownFailed", exp_alerts: fires }] },
      { interval: "1m", input_series: [{ series: TEARDOWN, values: "_x30 1x60 _x100 1x60" }], alert_rule_test: [{ eval_time: "45m", alertname: "TeardownFailed", exp_alerts: fires }, { eval_time: "205m", alertname: "TeardownFailed", exp_alerts: fires }] },
      {
        interval: "1m",
        input_series: [
          { series: TEARDOWN.replace('status="Failed"', 'status="Succeeded"'), values: "_x30 1x30 2x30" },
          { series: TEARDOWN.replace('fails_run="false"', 'fails_run="true"'), values: "_x30 1x60" },
        ],
        alert_rule_test: [{ eval_time: "70m", alertname: "TeardownFailed", exp_alerts: [] }],
      },
    ]);
    expect(failed).toBeUndefined();
  });

  it("the no-success alert fires when the only success was before a restart, also with no Succeeded series left, and when only staging succeeds; not while a success is in the window", () => {
    const rules = docRule({ alert: "NoSuccess26h" }, "Alert: a daily pipeline had no successful run");
    const failed = promtool(rules, [
      {
        interval: "1h",
        input_series: [
          { series: RUNS("Succeeded"), values: "1x10 _x60" },
          { series: RUNS("Failed"), values: "_x20 1x24 2x26" },
        ],
        alert_rule_test: [{ eval_time: "20h", alertname: "NoSuccess26h", exp_alerts: [] }, { eval_time: "60h", alertname: "NoSuccess26h", exp_alerts: [{ exp_labels: {} }] }],
      },
      {
        interval: "1h",
        input_series: [{ series: RUNS("Succeeded"), values: "1x23 2x24 3x24 _x5 1x20" }],
        alert_rule_test: [{ eval_time: "70h", alertname: "NoSuccess26h", exp_alerts: [] }, { eval_time: "90h", alertname: "NoSuccess26h", exp_alerts: [] }],
      },
      {
        interval: "1h",
        input_series: [{ series: RUNS("Succeeded", "staging"), values: "1x23 2x24 3x24" }],
        alert_rule_test: [{ eval_time: "60h", alertname: "NoSuccess26h", exp_alerts: [{ exp_labels: {} }] }],
      },
    ]);
    expect(failed).toBeUndefined();
  });

  it("the count of runs that did not succeed counts the first failure after a restart", () => {
    const rules = docRule({ record: "doc:failed_runs" }, "Runs that did not succeed in the last day");
    const failed = promtool(rules, [
      {
        interval: "1h",
        input_series: [
          { series: RUNS("Succeeded"), values: "5x30" },
          { series: RUNS("Failed"), values: "_x10 1x5 2x20" },
        ],
        promql_expr_test: [{ expr: "doc:failed_runs", eval_time: "20h", exp_samples: [{ labels: 'doc:failed_runs{pipeline="nightly-etl",workflow_namespace="prod"}', value: 2 }] }],
      },
    ]);
    expect(failed).toBeUndefined();
  });
});
