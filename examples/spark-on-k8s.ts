/**
 * The seed use case: infrastructure that exists exactly while the work needs it. A setup creates a
 * namespace and a Spark cluster in it, the jobs run on that cluster, and a teardown deletes the
 * namespace afterwards, also when a job fails. A finally task reports the run's result.
 *
 * The pipeline's service account needs RBAC to create and delete namespaces and the Spark
 * resources (not shown here).
 */
import { pipeline } from "gantry";

const KUBECTL = "registry.k8s.io/kubectl:v1.31.0";
const SPARK = "apache/spark:3.5.3";

export default pipeline(
  "spark-on-k8s",
  {
    namespace: "data-platform",
    serviceAccountName: "spark-provisioner",
    parameters: { date: { default: "yesterday", description: "Partition to process" } },
  },
  (p) => {
    // One namespace per run, so concurrent runs never share (or delete) each other's cluster.
    const ns = `spark-${p.runId}`;
    const cluster = p.setup("create-cluster", {
      image: KUBECTL,
      command: ["sh", "-c"],
      args: [`kubectl create namespace ${ns} && kubectl -n ${ns} apply -f /manifests/spark-cluster.yaml && kubectl -n ${ns} rollout status statefulset/spark-worker --timeout=10m`],
      volumes: [{ name: "manifests", mountPath: "/manifests", configMap: "spark-cluster" }],
      timeout: "15m",
    });

    const jobs = ["sessions", "orders"].map((table) =>
      p.task(`aggregate-${table}`, {
        image: SPARK,
        command: ["/opt/spark/bin/spark-submit"],
        args: ["--master", `spark://spark-master.${ns}.svc:7077`, "/jobs/aggregate.py", `--table=${table}`, `--date=${p.params.date}`],
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        retry: { limit: 1 },
        after: [cluster],
      }),
    );

    p.teardown("delete-cluster", {
      image: KUBECTL,
      args: ["delete", "namespace", ns, "--ignore-not-found", "--wait=true"],
      setups: [cluster],
      after: jobs,
    });

    p.finally("report", {
      image: "busybox:1.36",
      command: ["sh", "-c"],
      args: [`echo "spark-on-k8s finished: ${p.runStatus}"`],
    });
  },
);
