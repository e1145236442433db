/**
 * Volumes Argo's controller adds to every workflow pod (createWorkflowPod in
 * workflow/controller/workflowpod.go): `var-run-argo` mounted at /var/run/argo in every container
 * (the emissary executor), `tmp-dir-argo` for the wait container, and for a script template
 * `argo-staging` at /argo/staging (the script's source). A task volume with one of those names, or
 * mounted at or under those paths, makes the pod invalid (duplicate name or mount path) or hides
 * the executor's files: the run fails when the pod is created, not when the manifest is applied.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";

const NAMES = ["var-run-argo", "tmp-dir-argo"];
const PATHS = ["/var/run/argo"];
/** Added only to a script template's pod. */
const SCRIPT_NAMES = [...NAMES, "argo-staging"];
const SCRIPT_PATHS = [...PATHS, "/argo/staging"];

export function argoReservedVolumes(task: IR.Task): Diagnostic[] {
  const script = task.script !== undefined;
  const [names, paths] = script ? [SCRIPT_NAMES, SCRIPT_PATHS] : [NAMES, PATHS];
  const under = (mountPath: string, p: string) => mountPath.replace(/\/+$/, "") === p || mountPath.startsWith(`${p}/`);
  const clash = task.volumes.find((v) => names.includes(v.name) || paths.some((p) => under(v.mountPath, p)));
  if (!clash) return [];
  return [
    {
      code: "GANTRY4006",
      severity: "error",
      message: `volume "${clash.name}" of task "${task.name}" (at ${clash.mountPath}) takes a name or path Argo's executor uses for its own volumes, so Argo could not create the task's pod`,
      span: { file: task.source.file, line: task.source.line, column: task.source.column },
      field: { task: task.name, path: ["volumes", { name: clash.name }] },
      hint: `On Argo the volume names ${names.map((n) => `"${n}"`).join(", ")} and the paths ${paths.join(" and ")} are the executor's${script ? " (for a script task)" : ""}; rename or move the volume.`,
    },
  ];
}
