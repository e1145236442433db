/**
 * The Secrets and ConfigMaps a pod's environment reads, as the API server validates them
 * (validateSecretKeySelector, validateConfigMapKeySelector, validateConfigMapEnvSource): a name
 * is a DNS subdomain (GANTRY2005, as other object names), a key a ConfigMap key (GANTRY2039).
 * Otherwise the API refuses the pod when the task starts: Argo fails the step, and the jobs
 * target's Job creates no pod at all. A value holding a pipeline parameter is filled in when a run
 * starts; the jobs target checks the default it writes in (GANTRY4024, backends/jobs/rewrite.ts).
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import type { TaskDefaultsInput } from "../input-schema.js";
import * as rules from "../rules/index.js";
import { parameterIn } from "./runtime-parameters.js";
import type { Where } from "./where.js";

const KINDS = { secretKeyRef: "Secret", configMapKeyRef: "ConfigMap" } as const;

export function checkEnvReferences(bag: DiagnosticBag, spec: TaskDefaultsInput, subject: string, where: Where): void {
  for (const [variable, value] of Object.entries(spec.env ?? {})) {
    if (value === null || typeof value !== "object") continue;
    for (const field of ["secretKeyRef", "configMapKeyRef"] as const) {
      if (!(field in value)) continue;
      const ref = (value as Record<typeof field, { name: string; key: string }>)[field];
      const what = `${subject}: env.${variable}: ${KINDS[field]}`;
      const name = fixedReason(ref.name, rules.dns1123Subdomain);
      if (name) bag.error("GANTRY2005", `${what} name "${ref.name}" ${name}`, where.value(["env", variable, field, "name"]), `Name the ${KINDS[field]} as it is in the cluster: lowercase letters, digits, "-" and ".".`);
      const key = fixedReason(ref.key, rules.configMapKey);
      if (key) bag.error("GANTRY2039", `${what} key "${ref.key}" ${key}`, where.value(["env", variable, field, "key"]), `Name a key of the ${KINDS[field]}'s data: letters, digits, "-", "_" and ".".`);
    }
  }
  (spec.envFrom ?? []).forEach((e, i) => {
    const [field, name] = "secret" in e ? (["secret", e.secret] as const) : (["configMap", e.configMap] as const);
    const reason = fixedReason(name, rules.envFromSourceName);
    if (reason) bag.error("GANTRY2005", `${subject}: envFrom[${i}].${field} name "${name}" ${reason}`, where.value(["envFrom", i, field]), `Name the ${field === "secret" ? "Secret" : "ConfigMap"} as it is in the cluster: lowercase letters, digits, "-" and ".".`);
  });
}

/** The rule's reason for a value fixed when compiling; none for one holding a parameter. */
const fixedReason = (value: string, rule: (s: string) => string | undefined): string | undefined => (parameterIn(value) === undefined ? rule(value) : undefined);
