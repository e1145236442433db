/**
 * Run-time conditions (`when`): a daily load that, only when a run is submitted with
 * `-p mode=backfill`, first provisions a scratch database for the backfill and removes it
 * afterwards. On a normal run the setup is skipped, and with it everything in its scope and its
 * teardown. The summary comes after the teardown, so it is outside the scope, and with `allDone`
 * it runs either way; the notification is skipped with `-p notify=false`, and on-call is paged
 * only when the run failed (a finally task's `when` on the run's result). On the jobs target,
 * which has no run-time parameters, the defaults decide when compiling: the backfill tasks are
 * left out; the page's test of the result is made when the run ends, by its `await-deps`.
 */
import { pipeline } from "gantry";

const PSQL = { image: "postgres:16-alpine", command: ["psql", "-v", "ON_ERROR_STOP=1", "-c"] };

export default pipeline("conditional-backfill", {
  namespace: "data",
  parameters: {
    mode: { default: "daily", enum: ["daily", "backfill"], description: "backfill: rebuild history in a scratch database first" },
    notify: { default: true },
  },
}, (p) => {
  const scratch = p.setup("create-scratch-db", { ...PSQL, args: ["CREATE DATABASE backfill_scratch"], when: { param: p.params.mode, equals: "backfill" } });
  const history = p.task("rebuild-history", { image: "ghcr.io/acme/etl:2.4.1", args: ["backfill", "--db=backfill_scratch"], after: [scratch] });
  const drop = p.teardown("drop-scratch-db", { ...PSQL, args: ["DROP DATABASE IF EXISTS backfill_scratch"], setups: [scratch], after: [history] });
  const load = p.task("load-today", { image: "ghcr.io/acme/etl:2.4.1", args: ["load", "--mode", p.params.mode] });
  p.task("summary", { image: "ghcr.io/acme/etl:2.4.1", args: ["summary"], after: [drop, load], trigger: "allDone" });
  p.finally("notify", {
    image: "curlimages/curl:8.10.1",
    command: ["sh", "-c", `curl -fsS -d "${p.runStatus}" https://hooks.example.com/etl`],
    when: { param: p.params.notify, notEquals: false },
    allowFailure: true,
  });
  p.finally("page-oncall", {
    image: "curlimages/curl:8.10.1",
    command: ["curl", "-fsS", "-d", "conditional-backfill failed", "https://hooks.example.com/oncall"],
    when: { runStatus: "Failed" },
  });
});
