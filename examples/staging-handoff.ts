/**
 * Task outputs: a setup creates a staging table under a name it picks when it runs, and leaves
 * that name as its output; the load, the count and the teardown that drops the table read it, and
 * the count leaves the number of rows for the publish step, which runs only when there are some
 * (a `when` on the output: skipped, no failure, when the count is 0). Every read is in a shell script, so
 * the pipeline compiles for both targets: on Argo each read becomes an input of the reading
 * template, on the jobs target `$(cat ...)` of a file the reading task's `await-deps` writes.
 */
import { pipeline } from "gantry";

const PSQL = { image: "postgres:16-alpine", env: { PGHOST: "warehouse.data.svc.cluster.local", PGDATABASE: "analytics" } };

export default pipeline("staging-handoff", { namespace: "data" }, (p) => {
  const staging = p.setup("create-staging", {
    ...PSQL,
    source: [
      'table="staging_$(date +%Y%m%d%H%M%S)"',
      'psql -v ON_ERROR_STOP=1 -c "CREATE TABLE $table (LIKE orders INCLUDING ALL)"',
      'printf %s "$table" > /tmp/table',
    ].join("\n"),
    outputs: { table: "/tmp/table" },
  });
  const load = p.task("load", {
    ...PSQL,
    source: `psql -v ON_ERROR_STOP=1 -c "INSERT INTO ${staging.output("table")} SELECT * FROM orders_incoming"`,
    after: [staging],
  });
  const count = p.task("count-rows", {
    ...PSQL,
    source: `psql -At -c "SELECT count(*) FROM ${staging.output("table")}" > /tmp/rows`,
    outputs: { rows: "/tmp/rows" },
    after: [load],
  });
  p.task("publish", {
    image: "ghcr.io/acme/etl:2.4.1",
    command: ["sh", "-c", `exec etl publish --table=orders --rows="${count.output("rows")}"`],
    after: [count],
    when: { output: count.output("rows"), notEquals: "0" },
  });
  p.teardown("drop-staging", {
    ...PSQL,
    source: `psql -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS ${staging.output("table")}"`,
    setups: [staging],
    after: [count],
  });
});
