/**
 * An example pipeline: "greet" prints a greeting for a name given per run, then "report" runs once
 * it has succeeded. `npx gantry compile` turns it into manifests/hello.yaml, an Argo
 * WorkflowTemplate; start a run with `argo submit --from workflowtemplate/hello -p name=gantry`.
 *
 * Gantry reads this file and never runs it, so it must be computable at compile time: no
 * `Date`, `process.env` or other packages (see `npx gantry explain <code>` for any diagnostic).
 * Every file in pipelines/ is compiled; rename or replace this one.
 */
import { pipeline } from "gantry";

const IMAGE = "busybox:1.36";

export default pipeline(
  "hello",
  {
    description: "Greets someone, then reports that it did",
    // namespace: "argo",  // where the WorkflowTemplate goes; default: the namespace you apply it to
    parameters: {
      name: { default: "world", description: "Who to greet" },
    },
    defaults: {
      resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    },
  },
  (p) => {
    const greet = p.task("greet", {
      image: IMAGE,
      command: ["echo"],
      args: [`hello, ${p.params.name}`],
      retry: { limit: 2 },
    });

    p.task("report", {
      image: IMAGE,
      // A run's parameter reaches a shell script as an environment variable, never written into
      // the script: a value such as `"; rm -rf /data; "` would otherwise run as a command.
      env: { NAME: p.params.name },
      command: ["sh", "-c"],
      args: ['echo "greeted $NAME"'],
      timeout: "5m",
      after: [greet],
    });
  },
);
