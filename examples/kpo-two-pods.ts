/**
 * A port of the classic KubernetesPodOperator example DAG: a first task, then two pods running the
 * same Python one-liner. `python:3.12-slim` has Python, so "passing-task" succeeds; `ubuntu:24.04`
 * has none, so "failing-task" fails (exit 127) and the run fails, as it does in Airflow.
 */
import { pipeline } from "gantry";

const helloPython = { command: ["python", "-c"], args: ["print('hello world')"], labels: { foo: "bar" } };

export default pipeline("kpo-two-pods", { namespace: "default" }, (p) => {
  const first = p.task("run-this-first", { image: "busybox:1.36", command: ["true"] });
  p.task("passing-task", { image: "python:3.12-slim", ...helloPython, after: [first] });
  p.task("failing-task", { image: "ubuntu:24.04", ...helloPython, after: [first] });
});
