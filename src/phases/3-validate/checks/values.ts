/**
 * Value rules that need more than a type: Kubernetes names, quantities, durations, cron, time zones,
 * label syntax and parameter placeholders. Run on the declaration as written, so each finding points
 * at the exact value.
 */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";
import * as rules from "../rules/index.js";
import type { PipelineOptionsInput, TaskDefaultsInput } from "../input-schema.js";
import { checkRetryValues, wholeSeconds } from "./retry.js";
import type { Where } from "./where.js";
import { PARAMETER_PATTERN } from "../../../ir/placeholders.js";
import { parameterIn, reportRuntimeParameter } from "./runtime-parameters.js";

/** Checks the fields shared by tasks and pipeline defaults. `subject` prefixes messages. */
export function checkTaskValues(bag: DiagnosticBag, spec: TaskDefaultsInput, subject: string, where: Where): void {
  for (const kind of ["requests", "limits"] as const) {
    for (const [resource, value] of Object.entries(spec.resources?.[kind] ?? {})) {
      const reason = rules.quantity(value);
      if (!reason) continue;
      const span = where.value(["resources", kind, resource]);
      if (typeof value === "string" && reportRuntimeParameter(bag, value, `${subject}: resources.${kind}.${resource} "${value}"`, "a resource quantity", span)) continue;
      bag.error("GANTRY2006", `${subject}: resources.${kind}.${resource}: ${reason}`, span);
    }
  }
  checkLabels(bag, spec.labels, `${subject}: labels`, where, ["labels"]);
  checkAnnotations(bag, spec.annotations, `${subject}: annotations`, where, ["annotations"]);
  checkPodSecurityAnnotations(bag, spec.annotations, subject, where);
  // A node's labels: the same rules as any label (a parameter is substituted at run time, so left alone).
  checkLabels(bag, staticOnly(spec.nodeSelector), `${subject}: nodeSelector`, where, ["nodeSelector"]);
  checkObjectName(bag, spec.serviceAccountName, `${subject}: serviceAccountName`, where, ["serviceAccountName"]);
  (spec.imagePullSecrets ?? []).forEach((s, i) => checkObjectName(bag, s, `${subject}: imagePullSecrets`, where, ["imagePullSecrets", i]));
  for (const name of Object.keys(spec.env ?? {})) {
    const reason = rules.envVarName(name);
    if (!reason) continue;
    const span = where.key(["env", name]);
    if (!reportRuntimeParameter(bag, name, `${subject}: environment variable name "${name}"`, "an environment variable's name", span)) bag.error("GANTRY2014", `${subject}: environment variable "${name}" ${reason}`, span);
  }
  if (spec.timeout !== undefined) wholeSeconds(bag, spec.timeout, `${subject}: timeout`, where.value(["timeout"]));
  checkRetryValues(bag, spec, subject, where);
  const seenMounts = new Map<string, string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const reason = rules.dns1123Label(v.name);
    if (reason && !reportRuntimeParameter(bag, v.name, `${subject}: volume name "${v.name}"`, "a volume name", where.value(["volumes", i, "name"]))) {
      bag.error("GANTRY2005", `${subject}: volume name "${v.name}" ${reason}`, where.value(["volumes", i, "name"]));
    }
    if (!v.mountPath.startsWith("/")) bag.error("GANTRY2001", `${subject}: volume "${v.name}": mountPath must be absolute (got "${v.mountPath}")`, where.value(["volumes", i, "mountPath"]));
    const other = seenMounts.get(v.mountPath);
    if (other !== undefined) bag.error("GANTRY2014", `${subject}: volumes "${other}" and "${v.name}" are both mounted at ${v.mountPath}`, where.value(["volumes", i, "mountPath"]));
    seenMounts.set(v.mountPath, v.name);
    if ("emptyDir" in v && v.emptyDir.sizeLimit !== undefined) {
      const limit = v.emptyDir.sizeLimit;
      const q = rules.quantity(limit);
      const span = where.value(["volumes", i, "emptyDir", "sizeLimit"]);
      if (q && !(typeof limit === "string" && reportRuntimeParameter(bag, limit, `${subject}: volume "${v.name}": emptyDir.sizeLimit "${limit}"`, "a resource quantity", span))) {
        bag.error("GANTRY2006", `${subject}: volume "${v.name}": emptyDir.sizeLimit: ${q}`, span);
      }
    }
  });
  const names = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (names.has(v.name)) bag.error("GANTRY2014", `${subject}: volume name "${v.name}" is used twice`, where.value(["volumes", i, "name"]));
    names.add(v.name);
  });
  if (spec.securityContext?.runAsUser === 0) {
    bag.error("GANTRY2001", `${subject}: securityContext.runAsUser 0 (root) is not allowed by the Pod Security Standards restricted profile`, where.value(["securityContext", "runAsUser"]), "Run as a non-zero user id; most images work with any uid when their files are world-readable.");
  }
}

/** `name` undefined: the pipeline has no string name (reported already), so only its options are checked. */
export function checkPipelineValues(bag: DiagnosticBag, name: string | undefined, options: PipelineOptionsInput, where: Where, nameSpan: Span | undefined): void {
  // Argo appends "-<unix seconds>" (11 chars) to a CronWorkflow's runs, so scheduled names are shorter.
  const max = options.schedule ? 52 : 63;
  const reason = name === undefined ? undefined : (rules.resourceName(name, max) ?? rules.dns1123Label(name));
  const tooLong = options.schedule && name !== undefined && name.length > max;
  if (reason && !reportRuntimeParameter(bag, name ?? "", `pipeline name "${name}"`, "a pipeline name", nameSpan)) bag.error("GANTRY2005", `pipeline name "${name}" ${reason}`, nameSpan, tooLong ? "Scheduled pipelines are limited to 52 characters because Argo appends a timestamp to each run's name." : undefined);
  if (options.namespace !== undefined) {
    const r = rules.dns1123Label(options.namespace);
    if (r && !reportRuntimeParameter(bag, options.namespace, `namespace "${options.namespace}"`, "a namespace", where.value(["namespace"]))) {
      bag.error("GANTRY2005", `namespace "${options.namespace}" ${r}`, where.value(["namespace"]));
    }
  }
  checkLabels(bag, options.labels, "pipeline labels", where, ["labels"]);
  checkObjectName(bag, options.serviceAccountName, "pipeline serviceAccountName", where, ["serviceAccountName"]);
  checkAnnotations(bag, options.annotations, "pipeline annotations", where, ["annotations"]);
  for (const [param, spec] of Object.entries(options.parameters ?? {})) {
    const r = rules.argoParameterName(param);
    if (r && !reportRuntimeParameter(bag, param, `parameter name "${param}"`, "a parameter's name", where.key(["parameters", param]))) bag.error("GANTRY2005", `parameter name "${param}" ${r}`, where.key(["parameters", param]));
    if (spec.enum && spec.enum.length === 0) {
      bag.error("GANTRY2016", `parameter "${param}": enum is empty, so no value could be given`, where.value(["parameters", param, "enum"]), "List the allowed values, or leave enum out to allow any.");
    } else if (spec.enum && spec.default !== undefined && !spec.enum.includes(String(spec.default))) {
      bag.error("GANTRY2016", `parameter "${param}": default "${String(spec.default)}" is not one of its enum values (${spec.enum.map((e) => `"${e}"`).join(", ")})`, where.value(["parameters", param, "default"]));
    }
  }
  if (options.partOf !== undefined) {
    const r = rules.labelValue(options.partOf);
    if (r && !reportRuntimeParameter(bag, options.partOf, `partOf "${options.partOf}"`, "a label value", where.value(["partOf"]))) bag.error("GANTRY2012", `partOf "${options.partOf}" is the value of the label app.kubernetes.io/part-of and ${r}`, where.value(["partOf"]));
  }
  checkRunbookUrl(bag, options.runbookUrl, "pipeline", where);
  const schedule = options.schedule;
  if (schedule) {
    const crons = typeof schedule.cron === "string" ? [schedule.cron] : schedule.cron;
    crons.forEach((cron, i) => {
      const r = rules.cronExpression(cron);
      const path = typeof schedule.cron === "string" ? ["schedule", "cron"] : ["schedule", "cron", i];
      if (r && !reportRuntimeParameter(bag, cron, `schedule "${cron}"`, "a schedule", where.value(path))) bag.error("GANTRY2007", `schedule "${cron}": ${r}`, where.value(path));
      else if (!r && crons.indexOf(cron) < i) bag.warning("GANTRY2007", `schedule "${cron}" is listed twice`, where.value(path), "Each listed schedule starts runs of its own (on the jobs target, a CronJob each): drop the repeat.");
      const never = r ? undefined : rules.cronNeverFires(cron);
      if (never) bag.warning("GANTRY2007", `schedule "${cron}" ${never}`, where.value(path), "Check the day and month; to pause a schedule, set suspend: true.");
    });
    if (schedule.timezone !== undefined) {
      const r = rules.timeZone(schedule.timezone);
      if (r && !reportRuntimeParameter(bag, schedule.timezone, `time zone "${schedule.timezone}"`, "a time zone", where.value(["schedule", "timezone"]))) {
        bag.error("GANTRY2008", `time zone "${schedule.timezone}": ${r}`, where.value(["schedule", "timezone"]));
      }
    }
  }
}

/** Every `{{params.NAME}}` in any string of `value` must name a declared parameter. */
export function checkParameterRefs(bag: DiagnosticBag, value: unknown, declared: ReadonlySet<string>, subject: string, where: Where): void {
  walkStrings(value, [], (s, path) => {
    if (!s.includes("{{")) return;
    for (const m of s.matchAll(PARAMETER_PATTERN)) {
      const name = m[1] ?? "";
      if (!declared.has(name)) {
        const known = [...declared].map((d) => `"${d}"`).join(", ");
        bag.error("GANTRY2010", `${subject}: unknown parameter "${name}"`, where.value(path), known ? `Declared parameters: ${known}.` : "Declare it under `parameters` in the pipeline options.");
      }
    }
  });
}

/** Visits every string in a value. `path` is one shared stack: copy it if you keep it. */
function walkStrings(value: unknown, path: PropertyKey[], visit: (s: string, path: readonly PropertyKey[]) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkStrings(value[i], path, visit);
      path.pop();
    }
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const k in value) {
      path.push(k);
      walkStrings((value as Record<string, unknown>)[k], path, visit);
      path.pop();
    }
  }
}

/**
 * The name of a Kubernetes object a pod refers to (a ServiceAccount, a Secret): a DNS subdomain, or
 * the API refuses the pod. One holding a pipeline parameter is filled in when a run starts.
 */
function checkObjectName(bag: DiagnosticBag, name: string | undefined, subject: string, where: Where, path: PropertyKey[]): void {
  if (name === undefined || parameterIn(name) !== undefined) return;
  const reason = rules.dns1123Subdomain(name);
  if (reason) bag.error("GANTRY2005", `${subject} "${name}" ${reason}`, where.value(path));
}

/** The entries of a map whose keys and values hold no pipeline parameter. */
function staticOnly(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  return Object.fromEntries(Object.entries(map).filter(([k, v]) => parameterIn(k) === undefined && parameterIn(v) === undefined));
}

function checkLabels(bag: DiagnosticBag, labels: Record<string, string> | undefined, subject: string, where: Where, base: PropertyKey[]): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const rk = rules.labelKey(k);
    if (rk && !reportRuntimeParameter(bag, k, `${subject}: key "${k}"`, "a label's key", where.key([...base, k]))) bag.error("GANTRY2012", `${subject}: key "${k}" ${rk}`, where.key([...base, k]));
    const rv = rules.labelValue(v);
    if (rv && !reportRuntimeParameter(bag, v, `${subject}: value "${v}" of "${k}"`, "a label value", where.value([...base, k]))) bag.error("GANTRY2012", `${subject}: value of "${k}" ${rv}`, where.value([...base, k]));
  }
}

/**
 * Pod annotations that would loosen the Pod Security Standards restricted profile (AppArmor,
 * seccomp), as the `runAsUser: 0` rule above: GANTRY2001 at the annotation's value. Tasks and
 * `defaults` only: the pipeline's own annotations go on the Workflow objects, not on pods.
 */
function checkPodSecurityAnnotations(bag: DiagnosticBag, annotations: Record<string, string> | undefined, subject: string, where: Where): void {
  if (annotations === undefined) return;
  for (const k in annotations) {
    const reason = rules.podSecurityAnnotation(k, annotations[k]!);
    if (reason) {
      bag.error("GANTRY2001", `${subject}: annotation "${k}" ${reason}`, where.value(["annotations", k]), "Leave the annotation out: Gantry's pods already run with the runtime's default seccomp and AppArmor profiles, which the restricted profile allows.");
    }
  }
}

function checkAnnotations(bag: DiagnosticBag, annotations: Record<string, string> | undefined, subject: string, where: Where, base: PropertyKey[]): void {
  for (const k of Object.keys(annotations ?? {})) {
    const rk = rules.annotationKey(k);
    if (rk && !reportRuntimeParameter(bag, k, `${subject}: key "${k}"`, "an annotation's key", where.key([...base, k]))) bag.error("GANTRY2012", `${subject}: key "${k}" ${rk}`, where.key([...base, k]));
  }
}

/**
 * Volumes from `defaults` are merged into each task by name, so a task volume of another name at a
 * default volume's mount path would reach the pod twice at one path, which Kubernetes rejects.
 */
export function checkDefaultVolumes(bag: DiagnosticBag, defaults: TaskDefaultsInput | undefined, spec: TaskDefaultsInput, subject: string, where: Where): void {
  const own = new Set((spec.volumes ?? []).map((v) => v.name));
  const inherited = new Map((defaults?.volumes ?? []).filter((v) => !own.has(v.name)).map((v) => [v.mountPath, v.name]));
  (spec.volumes ?? []).forEach((v, i) => {
    const other = inherited.get(v.mountPath);
    if (other !== undefined) {
      bag.error("GANTRY2014", `${subject}: volume "${v.name}" and volume "${other}" from the pipeline defaults are both mounted at ${v.mountPath}`, where.value(["volumes", i, "mountPath"]), `Mount it elsewhere, or name it "${other}" to replace the default volume.`);
    }
  });
}

/** GANTRY2037: a runbook link must open from an alert or a dashboard: an absolute http(s) URL. */
export function checkRunbookUrl(bag: DiagnosticBag, url: string | undefined, subject: string, where: Where): void {
  if (url === undefined) return;
  const r = rules.httpUrl(url);
  if (r) bag.error("GANTRY2037", `${subject}: runbookUrl ${JSON.stringify(url)} ${r}`, where.value(["runbookUrl"]), "Write the full address, e.g. \"https://runbooks.example.com/pipelines/nightly\".");
}
