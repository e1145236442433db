/**
 * Run-time fan-out: one copy of the load per table in a list that each run gives (the parameter
 * `tables`, a JSON list such as `["orders","users"]`), all inside the scope of a scratch schema that
 * a setup creates and a teardown drops whatever happened. Each copy reads its table as `p.item`,
 * through an environment variable, so that no run's value becomes shell syntax. The report runs
 * once every copy succeeded; with an empty list the load is skipped and so is the report, and the
 * schema is still dropped. On Argo the load is one `withParam` task; the jobs target, which has no
 * run-time parameters, writes one Job per table of the default (`load-0`, `load-1`, ...).
 */
import { pipeline } from "gantry";

const PSQL = { image: "postgres:16-alpine", env: { PGHOST: "warehouse.data.svc.cluster.local", PGDATABASE: "analytics" } };

export default pipeline(
  "per-table-load",
  {
    namespace: "data",
    parameters: { tables: { default: ["orders", "customers", "invoices"], description: "Tables to load, as a JSON list" } },
  },
  (p) => {
    const scratch = p.setup("create-scratch", { ...PSQL, command: ["psql", "-v", "ON_ERROR_STOP=1", "-c", "CREATE SCHEMA IF NOT EXISTS scratch"] });
    const load = p.task("load", {
      ...PSQL,
      env: { ...PSQL.env, TABLE: p.item },
      source: 'psql -v ON_ERROR_STOP=1 -c "CREATE TABLE scratch.\\"$TABLE\\" AS SELECT * FROM incoming.\\"$TABLE\\""',
      forEach: p.params.tables,
      retry: { limit: 2, backoff: { duration: "30s", factor: 2 } },
      after: [scratch],
    });
    p.task("report", { image: "ghcr.io/acme/report:2.1", args: ["--schema", "scratch"], after: [load] });
    p.teardown("drop-scratch", { ...PSQL, command: ["psql", "-c", "DROP SCHEMA IF EXISTS scratch CASCADE"], setups: [scratch] });
  },
);
