/**
 * A port of the structure of astronomer's `create_rose_table` DAG (Airflow setup/teardown with data
 * quality checks): load a temporary table, check it, swap it in as the live table while keeping a
 * backup, then drop the temporary table and the backup.
 *
 * - `create-tmp` and `load-tmp` are setups of `drop-tmp`; the halting checks and `swap` are their scope.
 * - `swap` is a setup of `drop-backup`: the backup exists only once swap ran.
 * - The `validate-*` checks are non-halting (`allowFailure`), and `checks-done` waits for them in any
 *   state (`trigger: "allDone"`). In Airflow they are non-halting because of the trigger rule alone;
 *   in Gantry a failed check would fail the run unless it says so (docs/semantics.md).
 * - `done` runs after `drop-backup`, so a failing drop-backup does fail the run, as in Airflow.
 */
import { pipeline, secretEnv } from "gantry";

const TABLE = "roses";
const CSV = "/data/roses_raw.csv";

const postgres = {
  image: "postgres:16-alpine",
  env: {
    PGHOST: "postgres.data.svc.cluster.local",
    PGDATABASE: "postgres",
    PGUSER: secretEnv("postgres-credentials", "username"),
    PGPASSWORD: secretEnv("postgres-credentials", "password"),
  },
  // The postgres image's own user; any non-root uid works for psql.
  securityContext: { runAsUser: 70, runAsGroup: 70 },
};

/** A psql task that stops at the first error. */
const sql = (query: string) => ({ ...postgres, command: ["psql", "-v", "ON_ERROR_STOP=1", "-c", query] });

/** A check that fails the task (psql exits 3) when `failing` selects any row. */
const check = (failing: string) => sql(`DO $$ BEGIN IF EXISTS (${failing}) THEN RAISE EXCEPTION 'check failed: %', ${quote(failing)}; END IF; END $$;`);
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

export default pipeline(
  "create-rose-table",
  {
    namespace: "data",
    description: "Rebuild the roses table from the raw CSV, with data quality checks",
    schedule: { cron: "@daily", timezone: "UTC" },
    defaults: { retry: { limit: 2, backoff: { duration: "10s", factor: 2 } } },
  },
  (p) => {
    const createTmp = p.setup("create-tmp", sql(`CREATE TABLE IF NOT EXISTS ${TABLE}_tmp (index int, petal_size_cm float, stem_length_cm float, leaf_size_cm float, blooming_month varchar(50), rose_type varchar(50));`));
    const loadTmp = p.setup("load-tmp", {
      ...sql(`\\copy ${TABLE}_tmp FROM '${CSV}' DELIMITER ',' CSV HEADER`),
      volumes: [{ name: "data", mountPath: "/data", readOnly: true, configMap: "roses-raw" }],
      after: [createTmp],
    });

    // Halting checks: inside the scope, a failure stops swap and fails the run.
    const halting = [
      p.task("test-cols", { ...check(`SELECT 1 FROM ${TABLE}_tmp WHERE petal_size_cm NOT BETWEEN 5 AND 11 OR stem_length_cm NOT BETWEEN 19 AND 51 OR leaf_size_cm NOT BETWEEN 3 AND 9`), after: [loadTmp] }),
      p.task("test-table", { ...check(`SELECT 1 WHERE (SELECT count(*) FROM ${TABLE}_tmp) <= 500 OR EXISTS (SELECT 1 FROM ${TABLE}_tmp WHERE rose_type NOT IN ('damask', 'tea', 'moss'))`), after: [loadTmp] }),
    ];

    const swap = p.setup("swap", {
      ...sql(`BEGIN; ALTER TABLE IF EXISTS ${TABLE} RENAME TO ${TABLE}_backup; CREATE TABLE ${TABLE} AS SELECT * FROM ${TABLE}_tmp; COMMIT;`),
      after: halting,
    });

    const dropTmp = p.teardown("drop-tmp", { ...sql(`DROP TABLE IF EXISTS ${TABLE}_tmp;`), setups: [createTmp, loadTmp], after: [swap] });
    const dropBackup = p.teardown("drop-backup", { ...sql(`DROP TABLE IF EXISTS ${TABLE}_backup;`), setups: [swap], after: [dropTmp] });
    const done = p.task("done", { image: "busybox:1.36", command: ["echo", "New table is ready!"], after: [dropBackup] });

    // Non-halting checks on the new live table.
    const validate = [
      p.task("validate-cols", { ...check(`SELECT 1 FROM ${TABLE} WHERE petal_size_cm NOT BETWEEN 5 AND 10 OR stem_length_cm NOT BETWEEN 20 AND 50 OR leaf_size_cm NOT BETWEEN 4 AND 8`), after: [swap], allowFailure: true }),
      p.task("validate-table", { ...check(`SELECT 1 WHERE (SELECT count(*) FROM ${TABLE}) <= 800 OR (SELECT count(*) FROM ${TABLE} WHERE rose_type = 'tea') < 20`), after: [swap], allowFailure: true }),
    ];
    const checksDone = p.task("checks-done", { image: "busybox:1.36", command: ["echo", "Additional data quality checks are done!"], after: validate, trigger: "allDone" });

    p.task("table-ready-for-the-model", { image: "busybox:1.36", command: ["echo", `${TABLE} is ready`], after: [done, checksDone] });
  },
);
