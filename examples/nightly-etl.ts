/**
 * A realistic nightly ETL: extract from Postgres, transform per region in parallel, load into the
 * warehouse, then refresh a report. Secrets come from Kubernetes Secrets, tuning from a ConfigMap,
 * scratch data lives on a shared volume, and the run date is a parameter. It runs every night at
 * 02:30 Berlin time (a CronWorkflow).
 */
import { configMapEnv, pipeline, secretEnv } from "gantry";

const IMAGE = "ghcr.io/acme/etl:2.4.1";
const REGIONS = ["eu", "us", "apac"] as const;

/** Connection settings every step needs. */
const warehouseEnv = {
  PGHOST: "warehouse.data.svc.cluster.local",
  PGDATABASE: "analytics",
  PGUSER: secretEnv("warehouse-credentials", "username"),
  PGPASSWORD: secretEnv("warehouse-credentials", "password"),
};

const scratch = { name: "scratch", mountPath: "/scratch", persistentVolumeClaim: "etl-scratch" } as const;

/** One `etl <command>` invocation for the run date; `date` is the `p.params` placeholder. */
function step(command: string, date: string, extra: readonly string[] = []) {
  return { image: IMAGE, command: ["etl", command], args: [`--date=${date}`, ...extra] };
}

export default pipeline(
  "nightly-etl",
  {
    namespace: "data",
    description: "Nightly load of orders into the analytics warehouse",
    serviceAccountName: "etl-runner",
    labels: { team: "data-platform" },
    owner: "@data-oncall",
    team: "data-platform",
    runbookUrl: "https://runbooks.acme.example/pipelines/nightly-etl",
    schedule: { cron: "30 2 * * *", timezone: "Europe/Berlin" },
    parameters: {
      "run-date": { default: "yesterday", description: "Date to process, YYYY-MM-DD or 'yesterday'" },
      "batch-size": { default: 5000, description: "Rows per insert batch" },
    },
    defaults: {
      env: warehouseEnv,
      envFrom: [{ configMap: "etl-tuning", prefix: "ETL_" }],
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      imagePullSecrets: ["ghcr-pull"],
      retry: { limit: 2, backoff: { duration: "30s", factor: 2, cap: "5m" } },
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "workload", operator: "Equal", value: "batch", effect: "NoSchedule" }],
    },
  },
  (p) => {
    const date = p.params["run-date"];
    const extract = p.task("extract-orders", {
      ...step("extract", date, ["--table=orders", `--batch-size=${p.params["batch-size"]}`]),
      volumes: [scratch],
      timeout: "45m",
      // Merged over defaults.retry: exit 2 is bad input (never retried); all attempts within 2h.
      retry: { exceptExitCodes: [2], totalTimeout: "2h" },
    });

    const transforms = REGIONS.map((region) =>
      p.task(`transform-${region}`, {
        ...step("transform", date, [`--region=${region}`]),
        env: { REGION: region, FX_RATES_URL: configMapEnv("fx-rates", "url") },
        resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
        volumes: [scratch, { name: "tmp", mountPath: "/tmp", emptyDir: { sizeLimit: "1Gi" } }],
        after: [extract],
      }),
    );

    const load = p.task("load-warehouse", {
      ...step("load", date),
      volumes: [{ ...scratch, readOnly: true }],
      after: transforms,
    });

    p.task("refresh-report", {
      image: "python:3.12-slim",
      command: ["python"],
      source: [
        "import os",
        "print(f\"refreshing report for {os.environ['RUN_DATE']}\")",
      ].join("\n"),
      env: { RUN_DATE: p.params["run-date"] },
      after: [load],
    });
  },
);
