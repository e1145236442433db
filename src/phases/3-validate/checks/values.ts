/**
 * Value rules that need more than a type: Kubernetes names, quantities, durations, cron, time zones,
 * label syntax and parameter placeholders, and the pod fields the API server refuses (volume paths
 * and file modes, user and group ids, tolerations: GANTRY2039) or the kubelet cannot use (image
 * references: GANTRY2040). Run on the declaration as written, so each finding points at the exact
 * value. Requests against limits, which need the defaults merged, are in resources.ts.
 */
import type { DiagnosticBag, Span } from "../../../diagnostics/index.js";
import * as rules from "../rules/index.js";
import type { PipelineOptionsInput, TaskDefaultsInput } from "../input-schema.js";
import { checkRetryValues, wholeSeconds } from "./retry.js";
import type { Where } from "./where.js";
import { PARAMETER_PATTERN } from "../../../ir/placeholders.js";
import { parameterIn, reportRuntimeParameter } from "./runtime-parameters.js";
import { checkEnvReferences } from "./env-references.js";

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
  checkEnvReferences(bag, spec, subject, where);
  for (const name of Object.keys(spec.env ?? {})) {
    const reason = rules.envVarName(name);
    if (!reason) continue;
    const span = where.key(["env", name]);
    if (!reportRuntimeParameter(bag, name, `${subject}: environment variable name "${name}"`, "an environment variable's name", span)) bag.error("GANTRY2014", `${subject}: environment variable "${name}" ${reason}`, span);
  }
  (spec.envFrom ?? []).forEach((e, i) => {
    // An empty prefix is no prefix.
    if (e.prefix === undefined || e.prefix === "") return;
    const reason = rules.envVarName(e.prefix);
    if (!reason) return;
    const span = where.value(["envFrom", i, "prefix"]);
    if (!reportRuntimeParameter(bag, e.prefix, `${subject}: envFrom[${i}].prefix "${e.prefix}"`, "an environment variable prefix", span)) bag.error("GANTRY2014", `${subject}: envFrom[${i}].prefix "${e.prefix}" ${reason}`, span, "A prefix is the start of environment variable names, so it follows their rules.");
  });
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
    if (v.subPath !== undefined && v.subPath !== "") {
      const r = rules.localDescendingPath(v.subPath);
      if (r) bag.error("GANTRY2039", `${subject}: volume "${v.name}": subPath ${JSON.stringify(v.subPath)} ${r}`, where.value(["volumes", i, "subPath"]), "A subPath names a file or folder inside the volume, relative to its root.");
    }
    checkFileSource(bag, v, subject, where, i);
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
  const security = spec.securityContext;
  if (security) {
    for (const key of ["runAsUser", "runAsGroup", "fsGroup"] as const) {
      const id = security[key];
      // IsValidUserID / IsValidGroupID: 0 to 2^31-1.
      if (id !== undefined && id > MAX_ID) {
        bag.error("GANTRY2039", `${subject}: securityContext.${key} ${id} is more than ${MAX_ID}, the largest ${key === "runAsUser" ? "user" : "group"} id Kubernetes accepts`, where.value(["securityContext", key]), "User and group ids are 32-bit: use one from 1 to 2147483647.");
      }
    }
  }
  (spec.tolerations ?? []).forEach((t, i) => checkToleration(bag, t, subject, where, i));
}

/** IsValidUserID and IsValidGroupID: ids are int32. */
const MAX_ID = 2_147_483_647;

type VolumeInput = NonNullable<TaskDefaultsInput["volumes"]>[number];
type TolerationInput = NonNullable<TaskDefaultsInput["tolerations"]>[number];

/** A ConfigMap or Secret volume's `defaultMode` and `items` (validateKeyToPath): GANTRY2039 at the value. */
function checkFileSource(bag: DiagnosticBag, v: VolumeInput, subject: string, where: Where, i: number): void {
  const source = "configMap" in v ? v.configMap : "secret" in v ? v.secret : undefined;
  if (source === undefined || typeof source === "string") return;
  const kind = "configMap" in v ? "configMap" : "secret";
  const { defaultMode, items } = source;
  const at = (...path: PropertyKey[]) => where.value(["volumes", i, kind, ...path]);
  const volume = `${subject}: volume "${v.name}": ${kind}`;
  const modeHint = "File modes are octal numbers from 0o000 to 0o777, e.g. 0o644 or 0o400.";
  if (defaultMode !== undefined) {
    const r = rules.fileMode(defaultMode);
    if (r) bag.error("GANTRY2039", `${volume}.defaultMode ${r}`, at("defaultMode"), modeHint);
  }
  (items ?? []).forEach((item, j) => {
    if (item.key === "") bag.error("GANTRY2039", `${volume}.items[${j}].key must not be empty`, at("items", j, "key"), `Name the ${kind === "configMap" ? "ConfigMap" : "Secret"} key to project.`);
    const r = rules.localNonReservedPath(item.path);
    if (r) bag.error("GANTRY2039", `${volume}.items[${j}].path ${JSON.stringify(item.path)} ${r}`, at("items", j, "path"), "An item's path is the file's name inside the mounted folder, relative to it, e.g. \"app.yaml\" or \"conf/app.yaml\".");
    if (item.mode !== undefined) {
      const m = rules.fileMode(item.mode);
      if (m) bag.error("GANTRY2039", `${volume}.items[${j}].mode ${m}`, at("items", j, "mode"), modeHint);
    }
  });
}

/**
 * A toleration as ValidateTolerations checks it: a key is a qualified name and a value (with
 * `Equal`) a label value (GANTRY2012, left alone when they hold a pipeline parameter, as node
 * selectors are); no key only with `Exists`, no value with `Exists`, and `tolerationSeconds` only
 * with effect `NoExecute` (GANTRY2039).
 */
function checkToleration(bag: DiagnosticBag, t: TolerationInput, subject: string, where: Where, i: number): void {
  const at = (field?: string) => where.value(field === undefined ? ["tolerations", i] : ["tolerations", i, field]);
  const what = `${subject}: tolerations[${i}]`;
  const key = t.key ?? "";
  if (key !== "" && parameterIn(key) === undefined) {
    const r = rules.labelKey(key);
    if (r) bag.error("GANTRY2012", `${what}: key "${key}" ${r}`, at("key"));
  }
  if (key === "" && t.operator !== "Exists") {
    const span = at(t.operator !== undefined ? "operator" : t.key !== undefined ? "key" : undefined);
    bag.error("GANTRY2039", `${what}: a toleration without a key needs operator "Exists" (to tolerate every taint), not ${t.operator === undefined ? 'the default "Equal"' : `"${t.operator}"`}`, span, 'Add the taint\'s key, or write operator: "Exists" to tolerate every taint.');
  }
  if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
    bag.error("GANTRY2039", `${what}: tolerationSeconds applies only to effect "NoExecute", not ${t.effect === undefined ? "to a toleration without an effect" : `"${t.effect}"`}`, at("tolerationSeconds"), 'Set effect: "NoExecute" (how long the pod stays on a node tainted with it), or drop tolerationSeconds.');
  }
  const value = t.value ?? "";
  if (t.operator === "Exists") {
    if (value !== "") bag.error("GANTRY2039", `${what}: value "${value}" must be empty with operator "Exists"`, at("value"), 'Drop the value, or use operator: "Equal" to match it.');
  } else if (value !== "" && parameterIn(value) === undefined) {
    const r = rules.labelValue(value);
    if (r) bag.error("GANTRY2012", `${what}: value "${value}" ${r}`, at("value"));
  }
}

const IMAGE_HINT = 'An image is [registry[:port]/]name[:tag][@sha256:<64 hex digits>] with a lowercase name, e.g. "ghcr.io/acme/etl:2.4.1"; the kubelet cannot pull any other, and the pod would wait in InvalidImageName.';

/**
 * GANTRY2040: a task's image must be a reference the kubelet can pull (rules/image.ts). One that
 * holds a placeholder is known only when a run starts; only its surrounding whitespace, which stays,
 * is checked.
 */
export function checkImage(bag: DiagnosticBag, image: string | undefined, subject: string, where: Where): void {
  if (image === undefined) return;
  const span = where.value(["image"]);
  if (rules.surroundingWhitespace(image)) {
    bag.error("GANTRY2040", `${subject}: image ${JSON.stringify(image)} must not have leading or trailing whitespace`, span, "Remove the whitespace: the API server refuses a pod whose image has any.");
    return;
  }
  if (image.includes("{{")) return;
  const r = rules.imageReference(image);
  if (r) bag.error("GANTRY2040", `${subject}: image ${JSON.stringify(image)} ${r}`, span, IMAGE_HINT);
}

/** `name` undefined: the pipeline has no string name (reported already), so only its options are checked. */
export function checkPipelineValues(bag: DiagnosticBag, name: string | undefined, options: PipelineOptionsInput, where: Where, nameSpan: Span | undefined): void {
  // Argo appends "-<unix seconds>" (11 chars) to a CronWorkflow's runs, so scheduled names are shorter.
  const max = options.schedule ? 52 : 63;
  const reason = name === undefined ? undefined : (rules.resourceName(name, max) ?? rules.dns1123Label(name));
  const tooLong = options.schedule && name !== undefined && name.length > max;
  if (reason && !reportRuntimeParameter(bag, name ?? "", `pipeline name "${name}"`, "a pipeline name", nameSpan)) bag.error("GANTRY2005", `pipeline name "${name}" ${reason}`, nameSpan, tooLong ? "Scheduled pipelines are limited to 52 characters because Argo appends a timestamp to each run's name." : undefined);
  // Its manifest would be kustomization.yaml, the file kustomize, Argo CD and Flux read as the folder's Kustomization.
  else if (name === "kustomization") bag.error("GANTRY2011", 'pipeline name "kustomization" is reserved: its manifest would be kustomization.yaml, which kustomize, Argo CD and Flux read as the output folder\'s Kustomization', nameSpan, "Choose another name.");
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
    if (Array.isArray(spec.default)) {
      // A list parameter (for `forEach`): passed as JSON text, which no single enum value could be.
      if (spec.enum) bag.error("GANTRY2016", `parameter "${param}": a list parameter (its default is a list) has no enum`, where.key(["parameters", param, "enum"]), "Leave out `enum`, or make the default one of its values.");
      spec.default.forEach((item, i) => checkSubstitutable(bag, param, `item ${JSON.stringify(item)}`, item, where, ["parameters", param, "default", i]));
    } else if (spec.enum && spec.enum.length === 0) {
      bag.error("GANTRY2016", `parameter "${param}": enum is empty, so no value could be given`, where.value(["parameters", param, "enum"]), "List the allowed values, or leave enum out to allow any.");
    } else if (spec.enum && spec.default !== undefined && !spec.enum.includes(String(spec.default))) {
      bag.error("GANTRY2016", `parameter "${param}": default "${String(spec.default)}" is not one of its enum values (${spec.enum.map((e) => `"${e}"`).join(", ")})`, where.value(["parameters", param, "default"]));
    }
    if (!Array.isArray(spec.default)) checkSubstitutable(bag, param, "default", spec.default, where, ["parameters", param, "default"]);
    spec.enum?.forEach((value, i) => checkSubstitutable(bag, param, `enum value ${JSON.stringify(value)}`, value, where, ["parameters", param, "enum", i]));
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
export function walkStrings(value: unknown, path: PropertyKey[], visit: (s: string, path: readonly PropertyKey[]) => void): void {
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

/** A parameter value Argo could not write into a task (rules/argo-substitution.ts); checked for every target, as parameter names are. */
function checkSubstitutable(bag: DiagnosticBag, param: string, what: string, value: unknown, where: Where, path: PropertyKey[]): void {
  if (typeof value !== "string") return;
  const found = rules.unsubstitutable(value);
  if (!found) return;
  bag.error(
    "GANTRY2016",
    `parameter "${param}": its ${what} holds the character ${rules.codePointName(found.codePoint)}, which Argo writes into a task as "${found.goEscape}", not valid JSON, so every task that uses the parameter would fail to start`,
    where.value(path),
    "Leave control characters out of parameter values (write a visible placeholder and translate it in the task), or compute the value in the task's command.",
  );
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
