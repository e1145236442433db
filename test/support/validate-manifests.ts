/**
 * Offline validation of the objects Gantry emits (test support; not shipped).
 *
 * Layers, each problem is tagged with the layer that found it:
 *
 *  - `[models]`      `kubernetes-models` / `@kubernetes-models/argo-workflows` `.validate()`:
 *                    types, required fields, enums. Does NOT report unknown fields.
 *                    Known strictness: an Argo `container` template without `name` is rejected
 *                    (core Container requires it; Argo defaults it). Gantry always emits
 *                    `name: main`, so this is kept as a problem on purpose.
 *  - `[json-schema]` Argo kinds only, needs ../shared: Argo's own JSON schema
 *                    (`shared/schemas/argo-workflows.schema.json`). IntOrString is typed `string`
 *                    there, so integer `retryStrategy.limit` etc. are rejected.
 *  - `[crd]`         Argo kinds only, needs ../shared: the full CRD `openAPIV3Schema`
 *                    converted for ajv (int-or-string, nullable, patterns, length/item limits,
 *                    enums, required) plus UNKNOWN-FIELD detection (what the API server would
 *                    prune silently from a structural schema).
 *  - `[argo-rules]`  Argo kinds: the CEL rules of the CRD (`x-kubernetes-validations`) written as
 *                    plain code, plus a few checks Argo's own validator does at submit time
 *                    (template type present, names unique, references resolve, DAG acyclic).
 *  - `[metadata]`    all kinds: metadata.name / generateName, label keys/values.
 *  - `[pod]`         core kinds with pod templates: things the API server rejects only when
 *                    the Pod is created (container `image` missing, Job restartPolicy).
 *
 * `[json-schema]` and `[crd]` run only when `sharedSchemasAvailable()`; tests depending on them
 * must `skipIf(!sharedSchemasAvailable())`. Everything else always runs.
 *
 * Cost: schemas are compiled lazily, once per process and per kind. The CRD YAML files
 * (~2.8 MB each) take ~0.8 s each to parse; the converted (much smaller) schema is cached on disk
 * under `os.tmpdir()/gantry-validate-cache/`, keyed by the sha256 of the YAML text and the
 * converter version, so other test processes skip the parse. Set GANTRY_VALIDATE_NO_CACHE=1 to
 * bypass the disk cache.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";

import { ClusterWorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/ClusterWorkflowTemplate";
import { CronWorkflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/CronWorkflow";
import { Workflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow";
import { WorkflowTemplate } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/WorkflowTemplate";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Pod } from "kubernetes-models/v1/Pod";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

// ---------------------------------------------------------------------------------------------
// Paths

/** Repository root (this file is test/support/validate-manifests.ts). */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * `../shared` next to the repository. GANTRY_SHARED_DIR overrides it (used to exercise the
 * "shared absent" path: `GANTRY_SHARED_DIR=/nonexistent npx vitest run`).
 */
export function sharedDir(): string {
  const override = process.env["GANTRY_SHARED_DIR"];
  return override ? path.resolve(override) : path.resolve(repoRoot, "../shared");
}

const JSON_SCHEMA_FILE = "schemas/argo-workflows.schema.json";
const CRD_DIR = "schemas/argo-crds/full";

/** True when Argo's JSON schema and full CRDs can be read from `sharedDir()`. */
export function sharedSchemasAvailable(): boolean {
  const dir = sharedDir();
  return (
    fs.existsSync(path.join(dir, JSON_SCHEMA_FILE)) &&
    fs.existsSync(path.join(dir, CRD_DIR, "argoproj.io_workflows.yaml"))
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function asRecord(v: unknown): Json | undefined {
  return isRecord(v) ? v : undefined;
}
function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function has(o: Json, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
function q(v: unknown): string {
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Kind registry

const ARGO_API = "argoproj.io/v1alpha1";

interface ModelClass {
  new (data: unknown): { validate(): void };
}
function model(c: unknown): ModelClass {
  return c as ModelClass;
}

const ARGO_KINDS: Record<string, { model: ModelClass; plural: string; jsonDef: string }> = {
  Workflow: { model: model(Workflow), plural: "workflows", jsonDef: "io.argoproj.workflow.v1alpha1.Workflow" },
  WorkflowTemplate: {
    model: model(WorkflowTemplate),
    plural: "workflowtemplates",
    jsonDef: "io.argoproj.workflow.v1alpha1.WorkflowTemplate",
  },
  CronWorkflow: { model: model(CronWorkflow), plural: "cronworkflows", jsonDef: "io.argoproj.workflow.v1alpha1.CronWorkflow" },
  ClusterWorkflowTemplate: {
    model: model(ClusterWorkflowTemplate),
    plural: "clusterworkflowtemplates",
    jsonDef: "io.argoproj.workflow.v1alpha1.ClusterWorkflowTemplate",
  },
};

const CORE_KINDS: Record<string, ModelClass> = {
  "v1/Pod": model(Pod),
  "v1/ConfigMap": model(ConfigMap),
  "v1/Secret": model(Secret),
  "v1/ServiceAccount": model(ServiceAccount),
  "v1/Namespace": model(Namespace),
  "v1/Service": model(Service),
  "v1/PersistentVolumeClaim": model(PersistentVolumeClaim),
  "v1/LimitRange": model(LimitRange),
  "v1/ResourceQuota": model(ResourceQuota),
  "batch/v1/Job": model(Job),
  "batch/v1/CronJob": model(CronJob),
  "rbac.authorization.k8s.io/v1/Role": model(Role),
  "rbac.authorization.k8s.io/v1/RoleBinding": model(RoleBinding),
  "rbac.authorization.k8s.io/v1/ClusterRole": model(ClusterRole),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": model(ClusterRoleBinding),
  "apps/v1/Deployment": model(Deployment),
  "apps/v1/StatefulSet": model(StatefulSet),
  "apps/v1/DaemonSet": model(DaemonSet),
  "networking.k8s.io/v1/NetworkPolicy": model(NetworkPolicy),
  "policy/v1/PodDisruptionBudget": model(PodDisruptionBudget),
  "scheduling.k8s.io/v1/PriorityClass": model(PriorityClass),
};

/** `apiVersion/kind` pairs validateObject understands. */
export function supportedKinds(): string[] {
  return [...Object.keys(ARGO_KINDS).map((k) => `${ARGO_API}/${k}`), ...Object.keys(CORE_KINDS)].sort();
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Human-readable problems with one Kubernetes/Argo object; empty means valid.
 * Never throws.
 */
export function validateObject(obj: unknown): string[] {
  if (!isRecord(obj)) return [`object must be a mapping, got ${Array.isArray(obj) ? "array" : typeof obj}`];
  const apiVersion = str(obj["apiVersion"]);
  const kind = str(obj["kind"]);
  if (!apiVersion || !kind) return [`apiVersion and kind must be non-empty strings (got ${q(apiVersion)}, ${q(kind)})`];

  const problems: string[] = [];
  const argo = apiVersion === ARGO_API ? ARGO_KINDS[kind] : undefined;
  const core = CORE_KINDS[`${apiVersion}/${kind}`];
  if (!argo && !core) {
    return [`unknown kind ${apiVersion}/${kind}: no validator (supported: ${supportedKinds().join(", ")})`];
  }
  const run = (layer: string, f: () => string[]): void => {
    try {
      problems.push(...f());
    } catch (e) {
      problems.push(`[${layer}] validator failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  run("models", () => modelProblems(argo ? argo.model : (core as ModelClass), obj, argo !== undefined));
  run("metadata", () => metadataProblems(obj, kind));
  if (argo) {
    if (sharedSchemasAvailable()) {
      run("json-schema", () => argoJsonSchemaProblems(obj));
      run("crd", () => argoCrdProblems(obj));
    }
    run("argo-rules", () => argoRuleProblems(obj));
  } else {
    run("pod", () => podTemplateProblems(obj, kind));
  }
  return problems;
}

/** validateObject over many objects; each problem is prefixed with `Kind/name: `. */
export function validateAll(objs: unknown[]): string[] {
  const out: string[] = [];
  objs.forEach((o, i) => {
    const label = objectLabel(o, i);
    for (const p of validateObject(o)) out.push(`${label}: ${p}`);
  });
  return out;
}

/** `Kind/name` (or `Kind/generateName*`, or `#index`) of an object, for messages. */
export function objectLabel(o: unknown, index?: number): string {
  const rec = asRecord(o);
  const kind = str(rec?.["kind"]) ?? "<no kind>";
  const meta = asRecord(rec?.["metadata"]);
  const name = str(meta?.["name"]) ?? (str(meta?.["generateName"]) ? `${str(meta?.["generateName"])}*` : undefined);
  return `${kind}/${name ?? (index !== undefined ? `#${index}` : "<unnamed>")}`;
}

// ---------------------------------------------------------------------------------------------
// [models]

/**
 * `@kubernetes-models/argo-workflows` 2.0.0 types each `steps` group (Go `ParallelSteps`, an
 * anonymous list in JSON) as `{steps: [...]}` - the kubebuilder workaround described in its own
 * doc comment - so every real `steps: [[...]]` fails with "must be object". Rewrite the groups
 * into that shape before validating, and map the error paths back.
 */
function wrapParallelSteps(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(wrapParallelSteps);
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "steps" && Array.isArray(v) && v.every((g) => Array.isArray(g))) {
      out[k] = v.map((g) => ({ steps: wrapParallelSteps(g) }));
    } else {
      out[k] = wrapParallelSteps(v);
    }
  }
  return out;
}

function modelProblems(cls: ModelClass, obj: Json, argo: boolean): string[] {
  try {
    new cls(argo ? wrapParallelSteps(obj) : obj).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const seen = new Set<string>();
      for (const err of errors as ErrorObject[]) {
        const fixed = argo ? { ...err, instancePath: err.instancePath.replace(/\/steps\/(\d+)\/steps(?=\/|$)/g, "/steps/$1") } : err;
        let msg = `[models] ${formatAjvError(fixed)}`;
        if (argo && fixed.keyword === "required" && (fixed.params as { missingProperty?: string }).missingProperty === "name" && /\/(container|script)$/.test(fixed.instancePath)) {
          // Argo itself defaults the name to "main"; the model's core Container schema requires it.
          msg += ' (Argo defaults it, the model requires it: emit name: "main")';
        }
        seen.add(msg);
      }
      return [...seen];
    }
    return [`[models] ${e instanceof Error ? e.message : String(e)}`];
  }
}

function formatAjvError(err: ErrorObject): string {
  const where = err.instancePath || "/";
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties":
      return `${where}: unknown field ${q(params["additionalProperty"])} (not in the schema; the API server would silently drop it)`;
    case "enum":
      return `${where}: ${err.message ?? "must be one of the allowed values"} ${q(params["allowedValues"])}`;
    case "pattern":
    case "maxLength":
    case "minLength":
      return `${where}: ${err.message ?? err.keyword}${err.data !== undefined ? ` (value ${q(err.data)})` : ""}`;
    default:
      return `${where}: ${err.message ?? err.keyword}`;
  }
}

// ---------------------------------------------------------------------------------------------
// ajv instances (lazy, once per process)

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, inlineRefs: false });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("uint64", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat("date-time", RFC3339);
  ajv.addFormat("byte", BASE64);
  return ajv;
}

/** Milliseconds spent on lazy schema set-up so far in this process, per step (for reports). */
export const schemaSetupTimings: Record<string, number> = {};

function timed<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    schemaSetupTimings[label] = (schemaSetupTimings[label] ?? 0) + (performance.now() - t0);
  }
}

// --- [json-schema]

let jsonSchemaAjv: { ajv: Ajv2020; id: string; dir: string } | undefined;
const jsonSchemaValidators = new Map<string, ValidateFunction>();

function jsonSchemaValidator(kind: string): ValidateFunction {
  const dir = sharedDir();
  if (!jsonSchemaAjv || jsonSchemaAjv.dir !== dir) {
    jsonSchemaValidators.clear();
    jsonSchemaAjv = timed("json-schema:load", () => {
      const schema = JSON.parse(fs.readFileSync(path.join(dir, JSON_SCHEMA_FILE), "utf8")) as Json;
      const ajv = newAjv();
      ajv.addSchema(schema);
      return { ajv, id: String(schema["$id"]), dir };
    });
  }
  let v = jsonSchemaValidators.get(kind);
  if (!v) {
    const def = (ARGO_KINDS[kind] as { jsonDef: string }).jsonDef;
    const ctx = jsonSchemaAjv;
    v = timed(`json-schema:compile:${kind}`, () => {
      const f = ctx.ajv.getSchema(`${ctx.id}#/definitions/${def}`);
      if (!f) throw new Error(`definition ${def} not found in ${JSON_SCHEMA_FILE}`);
      return f;
    });
    jsonSchemaValidators.set(kind, v);
  }
  return v;
}

/** Argo's JSON schema (`[json-schema]` layer) only. Requires sharedSchemasAvailable(). */
export function argoJsonSchemaProblems(obj: unknown): string[] {
  const kind = str(asRecord(obj)?.["kind"]);
  if (!kind || !ARGO_KINDS[kind]) return [`[json-schema] not an Argo kind: ${q(kind)}`];
  const v = jsonSchemaValidator(kind);
  if (v(obj)) return [];
  return dedupe((v.errors ?? []).map((e) => `[json-schema] ${formatAjvError(e)}`));
}

// --- [crd]

/** Bump when convertStructural/dedupeSchema change (invalidates the disk cache). */
const CONVERTER_VERSION = "gantry-crd-converter-v1";

let crdAjv: { ajv: Ajv2020; dir: string } | undefined;
const crdValidators = new Map<string, ValidateFunction>();

/**
 * Convert a Kubernetes structural OpenAPI v3 schema node into JSON Schema for ajv:
 *  - `x-kubernetes-int-or-string: true` -> `type: [integer, string]` (its `anyOf` is dropped);
 *  - `nullable: true` -> `null` added to `type`;
 *  - objects without `additionalProperties` and without `x-kubernetes-preserve-unknown-fields`
 *    get `additionalProperties: false` (the API server would prune anything else) - except the
 *    root `metadata`, which the API server validates as ObjectMeta itself;
 *  - `x-kubernetes-validations` (CEL) are dropped: see argoRuleProblems for the code version;
 *  - other `x-kubernetes-*`, `description`, `default`, `example` are dropped;
 *  - `pattern`, `maxLength`, `minLength`, `maxItems`, `minItems`, `enum`, `required`,
 *    `minimum`, `maximum`, `format` are kept.
 */
export function convertStructural(node: unknown, isRootMetadata = false): unknown {
  if (Array.isArray(node)) return node.map((n) => convertStructural(n));
  if (!isRecord(node)) return node;
  const out: Json = {};
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  let type: unknown = intOrString ? ["integer", "string"] : node["type"];
  if (node["nullable"] === true && type !== undefined) {
    type = [...(Array.isArray(type) ? type : [type]), "null"];
  }
  if (type !== undefined) out["type"] = type;
  for (const [k, v] of Object.entries(node)) {
    if (k === "type" || k === "nullable") continue;
    if (k.startsWith("x-kubernetes-")) continue;
    if (k === "description" || k === "default" || k === "example" || k === "externalDocs" || k === "title") continue;
    if (k === "anyOf" && intOrString) continue;
    if (k === "properties" && isRecord(v)) {
      const props: Json = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = convertStructural(pv);
      out["properties"] = props;
      continue;
    }
    if (k === "items" || k === "additionalProperties" || k === "not") {
      out[k] = typeof v === "boolean" ? v : convertStructural(v);
      continue;
    }
    if (k === "anyOf" || k === "allOf" || k === "oneOf") {
      out[k] = asArray(v).map((n) => convertStructural(n));
      continue;
    }
    out[k] = v;
  }
  if (node["type"] === "object" && node["additionalProperties"] === undefined && !preserve && !isRootMetadata) {
    out["additionalProperties"] = false;
  }
  return out;
}

/**
 * The CRD schemas inline every shared type (Container appears dozens of times), which makes ajv
 * compile ~450 KB of schema (~2.5 s). Hoist repeated sub-schemas into `$defs` + `$ref` so each is
 * compiled once (~0.25 s).
 */
function dedupeSchema(root: Json): Json {
  const keyOf = new Map<object, string>();
  const counts = new Map<string, number>();
  const keyFn = (n: unknown): string => {
    if (!n || typeof n !== "object") return JSON.stringify(n) ?? "undefined";
    const cached = keyOf.get(n);
    if (cached !== undefined) return cached;
    let k: string;
    if (Array.isArray(n)) k = `[${n.map(keyFn).join(",")}]`;
    else {
      const rec = n as Json;
      k = `{${Object.keys(rec)
        .sort()
        .map((x) => `${JSON.stringify(x)}:${keyFn(rec[x])}`)
        .join(",")}}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    keyOf.set(n, k);
    return k;
  };
  keyFn(root);
  const defs: Json = {};
  const names = new Map<string, string>();
  const hoist = (n: unknown, allowRef: boolean): unknown => {
    if (!n || typeof n !== "object") return n;
    if (Array.isArray(n)) return n.map((x) => hoist(x, true));
    const k = keyOf.get(n) as string;
    if (allowRef && (counts.get(k) ?? 0) >= 2 && k.length > 200) {
      let name = names.get(k);
      if (!name) {
        name = `d${names.size}`;
        names.set(k, name);
        defs[name] = inner(n as Json);
      }
      return { $ref: `#/$defs/${name}` };
    }
    return inner(n as Json);
  };
  const inner = (n: Json): Json => {
    const o: Json = {};
    for (const [kk, v] of Object.entries(n)) {
      if (kk === "properties" && isRecord(v)) {
        const props: Json = {};
        for (const [pk, pv] of Object.entries(v)) props[pk] = hoist(pv, true);
        o[kk] = props;
      } else if (kk === "enum" || kk === "required") o[kk] = v;
      else o[kk] = hoist(v, true);
    }
    return o;
  };
  const out = hoist(root, false) as Json;
  out["$defs"] = defs;
  return out;
}

function crdCacheDir(): string {
  return path.join(os.tmpdir(), "gantry-validate-cache");
}

function loadConvertedCrd(dir: string, plural: string): Json {
  const file = path.join(dir, CRD_DIR, `argoproj.io_${plural}.yaml`);
  const text = fs.readFileSync(file, "utf8");
  const useCache = process.env["GANTRY_VALIDATE_NO_CACHE"] !== "1";
  const hash = createHash("sha256").update(CONVERTER_VERSION).update("\0").update(text).digest("hex").slice(0, 24);
  const cacheFile = path.join(crdCacheDir(), `${plural}-${hash}.json`);
  if (useCache) {
    try {
      return JSON.parse(fs.readFileSync(cacheFile, "utf8")) as Json;
    } catch {
      // not cached yet (or unreadable): build it below
    }
  }
  const crd = timed(`crd:parse-yaml:${plural}`, () => YAML.parse(text) as unknown);
  const versions = asArray(asRecord(asRecord(crd)?.["spec"])?.["versions"]);
  const v1alpha1 = versions.map(asRecord).find((v) => v?.["name"] === "v1alpha1");
  const openApi = asRecord(asRecord(v1alpha1?.["schema"])?.["openAPIV3Schema"]);
  if (!openApi) throw new Error(`${file}: no spec.versions[v1alpha1].schema.openAPIV3Schema`);
  const converted = convertStructural(openApi) as Json;
  const props = asRecord(converted["properties"]);
  if (props && isRecord(asRecord(openApi["properties"])?.["metadata"])) {
    props["metadata"] = convertStructural(asRecord(openApi["properties"])?.["metadata"], true);
  }
  const schema = dedupeSchema(converted);
  schema["$id"] = `gantry:crd/${plural}`;
  if (useCache) {
    try {
      fs.mkdirSync(crdCacheDir(), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(schema));
      fs.renameSync(tmp, cacheFile); // atomic: concurrent workers never see a partial file
    } catch {
      // cache is an optimisation only
    }
  }
  return schema;
}

function crdValidator(kind: string): ValidateFunction {
  const dir = sharedDir();
  if (!crdAjv || crdAjv.dir !== dir) {
    crdValidators.clear();
    crdAjv = { ajv: newAjv(), dir };
  }
  let v = crdValidators.get(kind);
  if (!v) {
    const plural = (ARGO_KINDS[kind] as { plural: string }).plural;
    const schema = timed(`crd:load:${plural}`, () => loadConvertedCrd(dir, plural));
    const ajv = crdAjv.ajv;
    v = timed(`crd:compile:${plural}`, () => ajv.compile(schema));
    crdValidators.set(kind, v);
  }
  return v;
}

/** The full CRD's openAPIV3Schema (`[crd]` layer) only. Requires sharedSchemasAvailable(). */
export function argoCrdProblems(obj: unknown): string[] {
  const kind = str(asRecord(obj)?.["kind"]);
  if (!kind || !ARGO_KINDS[kind]) return [`[crd] not an Argo kind: ${q(kind)}`];
  const v = crdValidator(kind);
  if (v(obj)) return [];
  return dedupe((v.errors ?? []).map((e) => `[crd] ${formatAjvError(e)}`));
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------
// [metadata]

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Max name length per kind where it is stricter than 253 (DNS subdomain). */
const NAME_LIMITS: Record<string, { max: number; label?: boolean; why: string }> = {
  Namespace: { max: 63, label: true, why: "Namespace names are DNS labels" },
  Service: { max: 63, label: true, why: "Service names are DNS labels" },
  Job: { max: 63, why: "the job-name label on its pods is limited to 63 characters" },
  CronJob: { max: 52, why: "the CronJob controller appends 11 characters to name its Jobs" },
  CronWorkflow: { max: 52, why: "Argo rejects CronWorkflow names longer than 52 characters" },
};

function metadataProblems(obj: Json, kind: string): string[] {
  const out: string[] = [];
  const meta = asRecord(obj["metadata"]);
  if (!meta) return ["[metadata] metadata is required"];
  const name = meta["name"];
  const generateName = meta["generateName"];
  if (name === undefined && generateName === undefined) out.push("[metadata] metadata.name (or generateName) is required");
  const limit = NAME_LIMITS[kind];
  if (name !== undefined) {
    if (typeof name !== "string") out.push(`[metadata] metadata.name must be a string, got ${q(name)}`);
    else {
      const max = limit?.max ?? 253;
      const re = limit?.label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
      if (!re.test(name)) {
        out.push(`[metadata] metadata.name ${q(name)} must be a lowercase RFC 1123 ${limit?.label ? "label" : "subdomain"}`);
      }
      if (name.length > max) {
        out.push(`[metadata] metadata.name ${q(name)} is ${name.length} characters, max ${max}${limit ? ` (${limit.why})` : ""}`);
      }
    }
  }
  if (generateName !== undefined && typeof generateName !== "string") {
    out.push(`[metadata] metadata.generateName must be a string, got ${q(generateName)}`);
  }
  const ns = meta["namespace"];
  if (ns !== undefined && (typeof ns !== "string" || !DNS1123_LABEL.test(ns) || ns.length > 63)) {
    out.push(`[metadata] metadata.namespace ${q(ns)} must be a DNS label (<= 63 characters)`);
  }
  out.push(...labelProblems(meta["labels"], "metadata.labels", true));
  out.push(...labelProblems(meta["annotations"], "metadata.annotations", false));
  return out;
}

function keyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/'";
  const [prefix, nm] = parts.length === 2 ? [parts[0] as string, parts[1] as string] : [undefined, parts[0] as string];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return "prefix must be a DNS subdomain";
  if (nm.length === 0 || nm.length > 63 || !QUALIFIED_NAME.test(nm)) return "name part must be <= 63 characters of [-A-Za-z0-9_.], alphanumeric at both ends";
  return undefined;
}

function labelProblems(map: unknown, where: string, isLabels: boolean): string[] {
  if (map === undefined) return [];
  if (!isRecord(map)) return [`[metadata] ${where} must be a mapping`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(map)) {
    const kp = keyProblem(k);
    if (kp) out.push(`[metadata] ${where} key ${q(k)}: ${kp}`);
    if (typeof v !== "string") {
      out.push(`[metadata] ${where}[${q(k)}] must be a string, got ${q(v)}`);
    } else if (isLabels && (v.length > 63 || !LABEL_VALUE.test(v))) {
      out.push(`[metadata] ${where}[${q(k)}] value ${q(v)} must be <= 63 characters of [-A-Za-z0-9_.], alphanumeric at both ends`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// [pod] core pod-template checks that kubernetes-models' schema does not express

function corePodSpec(obj: Json, kind: string): { spec: Json; where: string } | undefined {
  const spec = asRecord(obj["spec"]);
  switch (kind) {
    case "Pod":
      return spec ? { spec, where: "spec" } : undefined;
    case "Job":
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet": {
      const s = asRecord(asRecord(spec?.["template"])?.["spec"]);
      return s ? { spec: s, where: "spec.template.spec" } : undefined;
    }
    case "CronJob": {
      const s = asRecord(asRecord(asRecord(asRecord(spec?.["jobTemplate"])?.["spec"])?.["template"])?.["spec"]);
      return s ? { spec: s, where: "spec.jobTemplate.spec.template.spec" } : undefined;
    }
    default:
      return undefined;
  }
}

function podTemplateProblems(obj: Json, kind: string): string[] {
  const pod = corePodSpec(obj, kind);
  if (!pod) return [];
  const out: string[] = [];
  const names = new Map<string, string>();
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    asArray(pod.spec[field]).forEach((c, i) => {
      const ctr = asRecord(c);
      if (!ctr) return;
      const nm = str(ctr["name"]);
      const at = `${pod.where}.${field}[${i}]${nm ? ` (${q(nm)})` : ""}`;
      if (!str(ctr["image"])) out.push(`[pod] ${at}: image is required (the API server rejects the Pod: "image: Required value")`);
      if (nm !== undefined) {
        if (!DNS1123_LABEL.test(nm) || nm.length > 63) out.push(`[pod] ${at}: container name must be a DNS label`);
        const prev = names.get(nm);
        if (prev) out.push(`[pod] ${at}: container name ${q(nm)} duplicates ${prev}`);
        else names.set(nm, at);
      }
    });
  }
  if (kind === "Job" || kind === "CronJob") {
    const rp = pod.spec["restartPolicy"];
    if (rp !== "Never" && rp !== "OnFailure") {
      out.push(`[pod] ${pod.where}.restartPolicy must be "Never" or "OnFailure" for a Job (got ${q(rp)}; the default "Always" is rejected)`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// [argo-rules] CEL rules of the CRD as code, and submit-time checks of Argo's validator

const TEMPLATE_TYPES = ["container", "script", "dag", "steps", "resource", "suspend", "containerSet", "data", "http", "plugin"] as const;
const ARTIFACT_LOCATIONS = ["s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin"] as const;

/** WorkflowSpec of an Argo object (CronWorkflow: spec.workflowSpec). */
export function argoWorkflowSpec(obj: unknown): Json | undefined {
  const rec = asRecord(obj);
  const spec = asRecord(rec?.["spec"]);
  return rec?.["kind"] === "CronWorkflow" ? asRecord(spec?.["workflowSpec"]) : spec;
}

function isTemplated(s: string): boolean {
  return s.includes("{{");
}

/** The CEL rules and Argo submit-time checks (`[argo-rules]` layer) only. Needs no shared files. */
export function argoRuleProblems(obj: unknown): string[] {
  const rec = asRecord(obj);
  const kind = str(rec?.["kind"]) ?? "";
  const spec = argoWorkflowSpec(obj);
  const specPath = kind === "CronWorkflow" ? "spec.workflowSpec" : "spec";
  if (!spec) return [`[argo-rules] ${specPath} is required`];
  const out: string[] = [];
  const add = (m: string): void => {
    out.push(`[argo-rules] ${m}`);
  };

  const templates = asArray(spec["templates"]);
  const hasWorkflowTemplateRef = has(spec, "workflowTemplateRef");
  const templateNames = new Set<string>();
  templates.forEach((t, i) => {
    const tn = str(asRecord(t)?.["name"]);
    if (tn === undefined) return;
    if (templateNames.has(tn)) add(`${specPath}.templates[${i}]: template name ${q(tn)} is not unique`);
    templateNames.add(tn);
  });
  const checkRef = (where: string, ref: unknown): void => {
    // only meaningful when the templates are all local
    if (hasWorkflowTemplateRef || typeof ref !== "string" || isTemplated(ref)) return;
    if (!templateNames.has(ref)) add(`${where}: template ${q(ref)} is not defined in ${specPath}.templates`);
  };

  if ((kind === "Workflow" || kind === "CronWorkflow") && !hasWorkflowTemplateRef && !str(spec["entrypoint"])) {
    add(`${specPath}.entrypoint is required (no workflowTemplateRef)`);
  }
  if (spec["entrypoint"] !== undefined) checkRef(`${specPath}.entrypoint`, spec["entrypoint"]);
  if (spec["onExit"] !== undefined) checkRef(`${specPath}.onExit`, spec["onExit"]);
  for (const [hk, hv] of Object.entries(asRecord(spec["hooks"]) ?? {})) {
    checkRef(`${specPath}.hooks.${hk}.template`, asRecord(hv)?.["template"]);
  }

  const checkInvocation = (where: string, step: Json): void => {
    if (!has(step, "templateRef") && !has(step, "inline")) checkRef(`${where}.template`, step["template"]);
    if (step["onExit"] !== undefined) checkRef(`${where}.onExit`, step["onExit"]);
    for (const [hk, hv] of Object.entries(asRecord(step["hooks"]) ?? {})) {
      const h = asRecord(hv);
      if (h && !has(h, "templateRef")) checkRef(`${where}.hooks.${hk}.template`, h["template"]);
    }
    const seq = asRecord(step["withSequence"]);
    if (seq && has(seq, "count") && has(seq, "end")) add(`${where}.withSequence: only one of count or end can be defined`);
  };

  const checkTemplateBody = (where: string, t: Json, isDefaults: boolean): void => {
    const types = TEMPLATE_TYPES.filter((k) => has(t, k));
    if (types.length > 1) add(`${where}: template must have at most one template type (has ${types.join(", ")})`);
    if (!isDefaults && types.length === 0) add(`${where}: template type unspecified (choose one of ${TEMPLATE_TYPES.join(", ")})`);
    const composite = has(t, "steps") || has(t, "dag");
    if (composite && has(t, "timeout") && t["timeout"] !== "") add(`${where}: timeout cannot be applied to steps or dag templates`);
    if (composite && has(t, "activeDeadlineSeconds")) add(`${where}: activeDeadlineSeconds is only valid for leaf templates`);
    const res = asRecord(t["resource"]);
    if (res && has(res, "manifest") && has(res, "manifestFrom")) add(`${where}.resource: only one of manifest or manifestFrom can be specified`);
    asArray(asRecord(t["metrics"])?.["prometheus"]).forEach((m, mi) => {
      const g = asRecord(asRecord(m)?.["gauge"]);
      if (g && g["realtime"] === true && String(g["value"] ?? "").includes("resourcesDuration.")) {
        add(`${where}.metrics.prometheus[${mi}].gauge: 'resourcesDuration.*' metrics cannot be used in real-time gauges`);
      }
    });
    asArray(t["steps"]).forEach((group, gi) => {
      asArray(group).forEach((s, si) => {
        const step = asRecord(s);
        if (step) checkInvocation(`${where}.steps[${gi}][${si}]`, step);
      });
    });
    const dag = asRecord(t["dag"]);
    if (dag) checkDag(`${where}.dag`, dag);
  };

  const checkDag = (where: string, dag: Json): void => {
    const tasks = asArray(dag["tasks"]).map(asRecord);
    const taskNames = new Set<string>();
    tasks.forEach((task, ti) => {
      const tn = str(task?.["name"]);
      if (tn === undefined) return;
      if (taskNames.has(tn)) add(`${where}.tasks[${ti}]: task name ${q(tn)} is not unique`);
      taskNames.add(tn);
    });
    const edges = new Map<string, string[]>();
    tasks.forEach((task, ti) => {
      if (!task) return;
      const tn = str(task["name"]) ?? `#${ti}`;
      const at = `${where}.tasks[${ti}] (${q(tn)})`;
      const hasDepends = has(task, "depends");
      const hasDependencies = has(task, "dependencies");
      if (hasDepends && hasDependencies) add(`${at}: cannot use both 'depends' and 'dependencies'`);
      if (hasDepends && has(task, "continueOn")) add(`${at}: cannot use 'continueOn' when using 'depends'`);
      if ((hasDepends || hasDependencies) && /^[0-9]/.test(tn)) {
        add(`${at}: task name cannot begin with a digit when using 'depends' or 'dependencies'`);
      }
      checkInvocation(at, task);
      const deps: string[] = [];
      for (const d of asArray(task["dependencies"])) if (typeof d === "string") deps.push(d);
      const depends = str(task["depends"]);
      if (depends !== undefined && !isTemplated(depends)) deps.push(...dependsTaskNames(depends));
      for (const d of deps) {
        if (!taskNames.has(d)) add(`${at}: depends on unknown task ${q(d)}`);
      }
      edges.set(tn, deps.filter((d) => taskNames.has(d)));
    });
    const cycle = findCycle(edges);
    if (cycle) add(`${where}: dependency cycle ${cycle.map((c) => q(c)).join(" -> ")}`);
    for (const target of String(dag["target"] ?? "").split(/\s+/).filter((x) => x && !isTemplated(x))) {
      if (!taskNames.has(target)) add(`${where}.target: unknown task ${q(target)}`);
    }
  };

  templates.forEach((t, i) => {
    const tr = asRecord(t);
    if (!tr) return;
    checkTemplateBody(`${specPath}.templates[${i}] (${q(str(tr["name"]) ?? "")})`, tr, false);
  });
  const defaults = asRecord(spec["templateDefaults"]);
  if (defaults) checkTemplateBody(`${specPath}.templateDefaults`, defaults, true);

  walkArtifacts(spec, specPath, add);
  return out;
}

/** Task names referenced by an Argo `depends` expression (`A && (B.Failed || !C.Succeeded)`). */
export function dependsTaskNames(expr: string): string[] {
  const names = new Set<string>();
  const re = /([A-Za-z0-9_][-A-Za-z0-9_]*)(\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed))?/g;
  for (const m of expr.matchAll(re)) if (m[1]) names.add(m[1]);
  return [...names];
}

function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      const s = state.get(d);
      if (s === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (s === undefined) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of [...edges.keys()].sort()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}

/** CEL "at most one artifact location can be specified", on every artifact/archiveLocation. */
function walkArtifacts(node: unknown, where: string, add: (m: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkArtifacts(n, `${where}[${i}]`, add));
    return;
  }
  if (!isRecord(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === "artifacts" && Array.isArray(v)) {
      v.forEach((a, i) => checkArtifactLocation(a, `${where}.artifacts[${i}]`, add));
    } else if (k === "archiveLocation") {
      checkArtifactLocation(v, `${where}.archiveLocation`, add);
    }
    walkArtifacts(v, `${where}.${k}`, add);
  }
}

function checkArtifactLocation(a: unknown, where: string, add: (m: string) => void): void {
  const rec = asRecord(a);
  if (!rec) return;
  const locs = ARTIFACT_LOCATIONS.filter((k) => has(rec, k));
  if (locs.length > 1) add(`${where}: at most one artifact location can be specified (has ${locs.join(", ")})`);
}
