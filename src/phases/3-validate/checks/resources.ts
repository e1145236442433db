/**
 * Requests against limits (GANTRY2038), on the resources a task's container ends up with: its own
 * `resources` merged over `defaults.resources` by resource name (normalize.ts, mergeDefaults).
 * Kubernetes refuses (pkg/apis/core/validation/validation.go, ValidateResourceRequirements):
 *
 * - a request above the limit of the same resource ("must be less than or equal to <r> limit");
 * - for a resource that cannot be overcommitted (`IsOvercommitAllowed` is false: an extended
 *   resource, whose name has a domain other than `*kubernetes.io/`, such as `nvidia.com/gpu`, and
 *   `hugepages-*`), a request that differs from its limit ("must be equal to <r> limit"), or a
 *   request without a limit ("Limit must be set for non overcommitable resources"). A limit alone
 *   is fine: the request defaults to it.
 *
 * As the retry rules (checks/retry.ts): a finding about fields the task wrote (one of the two is
 * enough) is reported at the task, at the request when the task wrote it, else at its limit; one
 * about the defaults alone is reported once, at the defaults, when a task inherits both fields.
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import type { TaskDefaultsInput } from "../input-schema.js";
import * as rules from "../rules/index.js";
import type { Where } from "./where.js";

type Quantities = Record<string, string | number> | undefined;
type Kind = "requests" | "limits";

interface Problem {
  resource: string;
  request: string | number;
  /** Undefined: there is none. */
  limit: string | number | undefined;
  /** The request is above the limit (an overcommittable resource), else it differs from it or there is no limit. */
  above: boolean;
}

const own = (m: Quantities, key: string): string | number | undefined => (m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined);

/** Kubernetes' `IsOvercommitAllowed`: a native resource (no "/", or a `kubernetes.io/` one) that is not huge pages. */
export function overcommitAllowed(resource: string): boolean {
  return (!resource.includes("/") || resource.includes("kubernetes.io/")) && !resource.startsWith("hugepages-");
}

function problem(resource: string, request: string | number, limit: string | number | undefined): Problem | undefined {
  const overcommit = overcommitAllowed(resource);
  if (limit === undefined) return overcommit ? undefined : { resource, request, limit, above: false };
  const cmp = rules.compareQuantities(request, limit);
  // Not a quantity (GANTRY2006, or a parameter, GANTRY1112): reported already.
  if (cmp === undefined) return undefined;
  if (overcommit) return cmp > 0 ? { resource, request, limit, above: true } : undefined;
  return cmp !== 0 ? { resource, request, limit, above: false } : undefined;
}

const show = (q: string | number) => (typeof q === "number" ? String(q) : JSON.stringify(q));

function what(resource: string): string {
  return resource.startsWith("hugepages-") ? "huge pages" : "an extended resource";
}

/**
 * Reports one problem at `at` (the request or the limit). `fromDefaults` says which of the two the
 * task did not write itself, for the message.
 */
function report(bag: DiagnosticBag, p: Problem, at: Kind, subject: string, where: Where, fromDefaults: { request: boolean; limit: boolean }): void {
  const r = p.resource;
  const inherited = " (from the pipeline defaults)";
  const request = `resources.requests.${r} ${show(p.request)}${fromDefaults.request ? inherited : ""}`;
  const span = where.value(["resources", at, r]);
  if (p.limit === undefined) {
    bag.error("GANTRY2038", `${subject}: ${request} has no limit; ${r} is ${what(r)}, which Kubernetes cannot overcommit, so it requires a limit`, span, `Set resources.limits.${r} to the same amount, or set only the limit (the request defaults to it).`);
    return;
  }
  const limit = `resources.limits.${r} ${show(p.limit)}${fromDefaults.limit ? inherited : ""}`;
  if (p.above) {
    const message = at === "requests" ? `${request} is more than its limit, ${limit}` : `${limit} is less than its request, ${request}`;
    bag.error("GANTRY2038", `${subject}: ${message}`, span, "Kubernetes refuses a request above the limit of the same resource: lower the request or raise the limit.");
  } else {
    const message = at === "requests" ? `${request} differs from its limit, ${limit}` : `${limit} differs from its request, ${request}`;
    bag.error("GANTRY2038", `${subject}: ${message}; ${r} is ${what(r)}, which Kubernetes cannot overcommit, so the two must be equal`, span, "Set the request and the limit to the same amount, or set only the limit (the request defaults to it).");
  }
}

/**
 * The defaults' own requests and limits, reported once at the defaults when at least one task
 * inherits both (`tasks`: their specs as written; one that overrides either field is checked with
 * `checkTaskResources`).
 */
export function checkDefaultResources(bag: DiagnosticBag, defaults: TaskDefaultsInput, tasks: readonly { spec: unknown }[], where: Where): void {
  const requests = defaults.resources?.requests;
  if (requests === undefined) return;
  const limits = defaults.resources?.limits;
  for (const r in requests) {
    const p = problem(r, requests[r]!, own(limits, r));
    if (!p) continue;
    if (tasks.length > 0 && !tasks.some((t) => !writes(t.spec, "requests", r) && !writes(t.spec, "limits", r))) continue;
    report(bag, p, "requests", "pipeline defaults", where, { request: false, limit: false });
  }
}

/**
 * A task's requests and limits merged over the defaults', for the findings about a field the task
 * wrote. `defaultsKnown` false: the defaults' resources were rejected by the schema, so only a
 * request against the task's own limit is checked.
 */
export function checkTaskResources(bag: DiagnosticBag, defaults: TaskDefaultsInput | undefined, spec: TaskDefaultsInput, subject: string, where: Where, defaultsKnown = true): void {
  const mine = spec.resources;
  if (mine === undefined) return;
  const requests = mine.requests;
  const limits = mine.limits;
  const inherited = defaultsKnown ? defaults?.resources : undefined;
  for (const r in requests) {
    const myLimit = own(limits, r);
    if (myLimit === undefined && !defaultsKnown) continue;
    const limit = myLimit ?? own(inherited?.limits, r);
    const p = problem(r, requests[r]!, limit);
    if (p) report(bag, p, "requests", subject, where, { request: false, limit: myLimit === undefined });
  }
  // The task's limit against a request it inherits.
  const inheritedRequests = inherited?.requests;
  if (inheritedRequests === undefined || limits === undefined) return;
  for (const r in limits) {
    if (own(requests, r) !== undefined) continue;
    const request = own(inheritedRequests, r);
    if (request === undefined) continue;
    const p = problem(r, request, limits[r]);
    if (p) report(bag, p, "limits", subject, where, { request: true, limit: false });
  }
}

/** Whether a task as written (any value) sets `resources[kind][resource]`; reads no getter. */
function writes(spec: unknown, kind: Kind, resource: string): boolean {
  const resources = field(spec, "resources");
  return field(field(resources, kind), resource) !== undefined;
}

function field(o: unknown, key: string): unknown {
  if (o === null || typeof o !== "object" || !Object.hasOwn(o, key)) return undefined;
  return Object.getOwnPropertyDescriptor(o, key)?.value;
}
