/**
 * A fake Kubernetes API server for the runtime shim's tests: a real HTTP server on 127.0.0.1 that
 * speaks the few endpoints the shim uses (Jobs: list, watch, get, create; Pods: list, watch, get,
 * patch), with bearer-token auth, RBAC-style refusals, resourceVersions, watch replay, and fault
 * injection. The test drives the cluster's state directly (putJob, putPod, ...), standing in for
 * the Job controller and the kubelet.
 */
import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface JobCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface JobObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: {
    conditions?: JobCondition[];
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    [key: string]: unknown;
  };
}

export interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
}

export interface PodObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: { activeDeadlineSeconds?: number; [key: string]: unknown };
  status?: {
    phase?: string;
    reason?: string;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
    [key: string]: unknown;
  };
}

type Resource = "jobs" | "pods";
type AnyObject = JobObject | PodObject;
export type Verb = "get" | "list" | "watch" | "create" | "patch" | "update" | "delete";

export interface LoggedRequest {
  /** Position in the log (0-based). */
  index: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the server answered with (undefined while a watch is still open or was never answered). */
  status?: number;
}

interface Fault {
  remaining: number;
  status: number;
  message: string;
  match: (r: LoggedRequest) => boolean;
}

interface Watch {
  resource: Resource;
  namespace: string;
  filter: (o: AnyObject) => boolean;
  bookmarks: boolean;
  res: http.ServerResponse;
  timer?: NodeJS.Timeout;
}

interface StoredEvent {
  rv: number;
  resource: Resource;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: AnyObject;
}

export interface FakeKubeApiOptions {
  token?: string;
  /** Namespace given to objects put without one. */
  namespace?: string;
}

const KINDS: Record<Resource, { apiVersion: string; kind: string; group: string }> = {
  jobs: { apiVersion: "batch/v1", kind: "Job", group: "batch" },
  pods: { apiVersion: "v1", kind: "Pod", group: "" },
};

function statusObject(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "AlreadyExists",
  410: "Expired",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
};

/** Equality-based selectors: `a=b,c==d,e!=f` (labels) or `metadata.name=x` (fields). */
function selectorFilter(labelSelector: string | undefined, fieldSelector: string | undefined): (o: AnyObject) => boolean {
  const parse = (s: string | undefined) =>
    (s ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean)
      .map((term) => {
        const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
        if (!m) throw new Error(`unsupported selector term ${term}`);
        return { key: m[1]!, negate: m[2] === "!=", value: m[3]! };
      });
  const labels = parse(labelSelector);
  const fields = parse(fieldSelector);
  const field = (o: AnyObject, key: string) =>
    key === "metadata.name" ? o.metadata.name : key === "metadata.namespace" ? o.metadata.namespace : undefined;
  return (o) =>
    labels.every((t) => (o.metadata.labels?.[t.key] === t.value) !== t.negate) &&
    fields.every((t) => (field(o, t.key) === t.value) !== t.negate);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeKubeApi {
  readonly url: string;
  token: string;
  readonly defaultNamespace: string;
  /** `${verb} ${resource}` pairs answered with 403, e.g. "watch jobs", "patch pods". */
  readonly forbidden = new Set<string>();
  readonly requests: LoggedRequest[] = [];
  /** Every PATCH the server accepted. */
  readonly patches: Array<{ namespace: string; name: string; contentType: string; body: unknown }> = [];

  private readonly server: http.Server;
  private readonly objects = new Map<string, AnyObject>();
  private readonly events: StoredEvent[] = [];
  private readonly watches = new Set<Watch>();
  private readonly emitter = new EventEmitter();
  private faults: Fault[] = [];
  private delays: Array<{ ms: number; remaining: number; match: (r: LoggedRequest) => boolean }> = [];
  private gone: { mode: "http" | "event"; remaining: number } | undefined;
  private cuts: Array<{ remaining: number; match: (r: LoggedRequest) => boolean }> = [];
  private raws: Array<{ remaining: number; status: number; text: string; match: (r: LoggedRequest) => boolean }> = [];
  private rv = 1000;
  /** Watches from a resourceVersion below this get 410 Gone, like an etcd compaction. */
  private compactedBefore = 0;

  private constructor(server: http.Server, options: FakeKubeApiOptions) {
    this.server = server;
    this.token = options.token ?? "test-token";
    this.defaultNamespace = options.namespace ?? "ci";
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.emitter.setMaxListeners(0);
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    let api: FakeKubeApi | undefined;
    const server = http.createServer((req, res) => {
      api!.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.send(res, 500, statusObject(500, "InternalError", String(e)));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = new FakeKubeApi(server, options);
    return api;
  }

  // ----- state, as the Job controller and kubelet would change it -----

  get resourceVersion(): number {
    return this.rv;
  }

  putJob(job: JobObject): JobObject {
    return this.put("jobs", job) as JobObject;
  }

  putPod(pod: PodObject): PodObject {
    return this.put("pods", pod) as PodObject;
  }

  deleteJob(name: string, namespace = this.defaultNamespace): void {
    this.remove("jobs", namespace, name);
  }

  deletePod(name: string, namespace = this.defaultNamespace): void {
    this.remove("pods", namespace, name);
  }

  job(name: string, namespace = this.defaultNamespace): JobObject | undefined {
    return this.objects.get(`jobs/${namespace}/${name}`) as JobObject | undefined;
  }

  pod(name: string, namespace = this.defaultNamespace): PodObject | undefined {
    return this.objects.get(`pods/${namespace}/${name}`) as PodObject | undefined;
  }

  jobs(namespace = this.defaultNamespace): JobObject[] {
    return this.list("jobs", namespace, () => true) as JobObject[];
  }

  // ----- faults -----

  /** The next `count` requests matching `match` (all by default) are answered with `status`. */
  failNext(count: number, status: number, options: { match?: (r: LoggedRequest) => boolean; message?: string } = {}): void {
    this.faults.push({ remaining: count, status, message: options.message ?? `injected ${status}`, match: options.match ?? (() => true) });
  }

  /** Answers matching requests `ms` later (the next `count` of them, or all). */
  delay(ms: number, options: { match?: (r: LoggedRequest) => boolean; count?: number } = {}): void {
    this.delays.push({ ms, remaining: options.count ?? Infinity, match: options.match ?? (() => true) });
  }

  /** The next watch is refused as too old: with HTTP 410, or with a 200 stream carrying an ERROR event (code 410). */
  goneNextWatch(mode: "http" | "event"): void {
    this.goneWatches(1, mode);
  }

  /** The next `count` watches are refused as too old (a server whose cache lags behind every list). */
  goneWatches(count: number, mode: "http" | "event"): void {
    this.gone = { mode, remaining: count };
  }

  /** The next `count` matching answers stop halfway: the headers promise the whole body, then the connection drops. */
  cutNext(count: number, options: { match?: (r: LoggedRequest) => boolean } = {}): void {
    this.cuts.push({ remaining: count, match: options.match ?? (() => true) });
  }

  /** The next `count` matching requests are answered with `status` and this text as the body, whatever it is. */
  rawNext(count: number, status: number, text: string, options: { match?: (r: LoggedRequest) => boolean } = {}): void {
    this.raws.push({ remaining: count, status, text, match: options.match ?? (() => true) });
  }

  /** Forgets the faults, delays and cuts not yet used up: the API recovers. */
  clearFaults(): void {
    this.raws = [];
    this.faults = [];
    this.delays = [];
    this.cuts = [];
    this.gone = undefined;
  }

  /** Forget events up to now: watches from an older resourceVersion get an ERROR 410 event. */
  compact(): void {
    this.compactedBefore = this.rv;
    this.events.length = 0;
  }

  /** Ends every open watch: `destroy` cuts the connection, `end` closes the stream cleanly (as a server timeout does). */
  dropWatches(mode: "destroy" | "end" = "destroy"): number {
    const n = this.watches.size;
    for (const w of [...this.watches]) this.closeWatch(w, mode);
    return n;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
  sendBookmark(): void {
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      const { apiVersion, kind } = KINDS[w.resource];
      this.write(w, { type: "BOOKMARK", object: { apiVersion, kind, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  openWatches(): number {
    return this.watches.size;
  }

  forbid(verb: Verb, resource: Resource): void {
    this.forbidden.add(`${verb} ${resource}`);
  }

  // ----- observing -----

  /**
   * Resolves with the first logged request (from index `since`) that matches, waiting for it if
   * needed. The predicate is tried when a request arrives and again when it is answered.
   */
  waitForRequest(match: (r: LoggedRequest) => boolean, options: { since?: number; timeoutMs?: number } = {}): Promise<LoggedRequest> {
    const since = options.since ?? 0;
    const found = this.requests.slice(since).find(match);
    if (found) return Promise.resolve(found);
    return this.waitForEvent<LoggedRequest>("request", (r) => r.index >= since && match(r), options.timeoutMs, "request");
  }

  /** Resolves once at least `count` watches are open (registered, so events reach them). */
  waitForWatches(count = 1, timeoutMs = 10_000): Promise<void> {
    if (this.watches.size >= count) return Promise.resolve();
    return this.waitForEvent<number>("watches", (n) => n >= count, timeoutMs, `${count} open watches`).then(() => undefined);
  }

  /** The requests for a verb on a resource, e.g. ("watch", "jobs"). */
  requestsFor(verb: Verb, resource: Resource): LoggedRequest[] {
    return this.requests.filter((r) => {
      const route = this.route(r.method, r.path, r.query);
      return route?.verb === verb && route.resource === resource;
    });
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) this.closeWatch(w, "destroy");
    this.emitter.removeAllListeners();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ----- internals -----

  private waitForEvent<T>(name: string, match: (v: T) => boolean, timeoutMs = 10_000, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (v: T) => {
        if (!match(v)) return;
        clearTimeout(timer);
        this.emitter.off(name, listener);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.emitter.off(name, listener);
        reject(new Error(`fake kube API: no ${what} within ${timeoutMs} ms; requests: ${this.requests.map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query)} -> ${r.status}`).join("; ")}`));
      }, timeoutMs);
      this.emitter.on(name, listener);
    });
  }

  private put(resource: Resource, input: AnyObject): AnyObject {
    const obj = structuredClone(input);
    obj.metadata.namespace ??= this.defaultNamespace;
    const key = `${resource}/${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.objects.get(key);
    obj.metadata.uid ??= old?.metadata.uid ?? crypto.randomUUID();
    obj.metadata.creationTimestamp ??= old?.metadata.creationTimestamp ?? new Date().toISOString();
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, obj);
    this.publish({ rv: this.rv, resource, type: old ? "MODIFIED" : "ADDED", object: obj });
    return structuredClone(obj);
  }

  private remove(resource: Resource, namespace: string, name: string): void {
    const key = `${resource}/${namespace}/${name}`;
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    const obj = structuredClone(old);
    obj.metadata.resourceVersion = String(++this.rv);
    this.publish({ rv: this.rv, resource, type: "DELETED", object: obj });
  }

  private publish(event: StoredEvent): void {
    this.events.push(event);
    for (const w of this.watches) {
      if (w.resource === event.resource && w.namespace === event.object.metadata.namespace && w.filter(event.object)) {
        this.write(w, { type: event.type, object: event.object });
      }
    }
  }

  private list(resource: Resource, namespace: string, filter: (o: AnyObject) => boolean): AnyObject[] {
    const prefix = `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && filter(o))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => structuredClone(o));
  }

  private write(w: Watch, event: unknown): void {
    if (!w.res.destroyed && !w.res.writableEnded) w.res.write(`${JSON.stringify(event)}\n`);
  }

  private closeWatch(w: Watch, mode: "destroy" | "end"): void {
    clearTimeout(w.timer);
    if (this.watches.delete(w)) this.emitter.emit("watches", this.watches.size);
    if (mode === "end") w.res.end();
    else w.res.destroy();
  }

  private route(method: string, path: string, query: Record<string, string>): { verb: Verb; resource: Resource; namespace: string; name?: string } | undefined {
    const m = /^\/(?:apis\/batch\/v1\/namespaces\/([^/]+)\/(jobs)|api\/v1\/namespaces\/([^/]+)\/(pods))(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    const resource = (m[2] ?? m[4]) as Resource;
    const namespace = decodeURIComponent((m[1] ?? m[3])!);
    const name = m[5] === undefined ? undefined : decodeURIComponent(m[5]);
    const watching = query.watch === "1" || query.watch === "true";
    const verb: Verb | undefined =
      method === "GET" ? (name ? "get" : watching ? "watch" : "list") : method === "POST" && !name ? "create" : method === "PATCH" && name ? "patch" : method === "PUT" && name ? "update" : method === "DELETE" && name ? "delete" : undefined;
    return verb ? { verb, resource, namespace, ...(name ? { name } : {}) } : undefined;
  }

  private static send(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://fake");
    const entry: LoggedRequest = {
      index: this.requests.length,
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    this.requests.push(entry);
    this.emitter.emit("request", entry);
    const cut = this.cuts.find((c) => c.remaining > 0 && c.match(entry));
    if (cut) cut.remaining--;
    const send = (code: number, body: unknown) => {
      entry.status = code;
      if (cut) {
        const text = JSON.stringify(body);
        res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
      } else FakeKubeApi.send(res, code, body);
      this.emitter.emit("request", entry); // again, now with its status
    };
    const fail = (code: number, message: string, details?: Record<string, unknown>) =>
      send(code, statusObject(code, REASONS[code] ?? "Unknown", message, details));

    const delay = this.delays.find((d) => d.remaining > 0 && d.match(entry));
    if (delay) {
      delay.remaining--;
      await new Promise((r) => setTimeout(r, delay.ms));
      if (res.destroyed) return;
    }
    const raw = this.raws.find((f) => f.remaining > 0 && f.match(entry));
    if (raw) {
      raw.remaining--;
      entry.status = raw.status;
      res.writeHead(raw.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(raw.text) });
      res.end(raw.text);
      this.emitter.emit("request", entry);
      return;
    }
    const fault = this.faults.find((f) => f.remaining > 0 && f.match(entry));
    if (fault) {
      fault.remaining--;
      return fail(fault.status, fault.message);
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return fail(401, "Unauthorized");
    const route = this.route(entry.method, entry.path, entry.query);
    if (!route) return fail(404, "the server could not find the requested resource");
    const { verb, resource, namespace, name } = route;
    const { group, apiVersion, kind } = KINDS[resource];
    const qualified = group ? `${resource}.${group}` : resource;
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return fail(
        403,
        `${qualified} is forbidden: User "system:serviceaccount:${namespace}:gantry" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`,
        { group, kind: resource },
      );
    }
    let filter: (o: AnyObject) => boolean;
    try {
      filter = selectorFilter(entry.query.labelSelector, entry.query.fieldSelector);
    } catch (e) {
      return fail(400, String((e as Error).message));
    }

    switch (verb) {
      case "list":
        return send(200, {
          apiVersion: resource === "jobs" ? "batch/v1" : "v1",
          kind: `${kind}List`,
          metadata: { resourceVersion: String(this.rv) },
          items: this.list(resource, namespace, filter),
        });
      case "get": {
        const obj = this.objects.get(`${resource}/${namespace}/${name}`);
        return obj ? send(200, obj) : fail(404, `${qualified} "${name}" not found`, { name, group, kind: resource });
      }
      case "watch":
        return this.watch(entry, res, resource, namespace, filter);
      case "create": {
        if (resource !== "jobs") return fail(405, "create is only faked for jobs");
        let obj: JobObject;
        try {
          obj = JSON.parse(entry.body) as JobObject;
        } catch {
          return fail(400, "the request body is not JSON");
        }
        if (!obj?.metadata?.name) return fail(422, `${kind}.${group} "" is invalid: metadata.name: Required value: name or generateName is required`);
        if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
          return fail(400, "the namespace of the provided object does not match the namespace sent on the request");
        }
        if (this.objects.has(`jobs/${namespace}/${obj.metadata.name}`)) {
          return fail(409, `${qualified} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, group, kind: resource });
        }
        obj.apiVersion ??= apiVersion;
        obj.kind ??= kind;
        obj.metadata.namespace = namespace;
        return send(201, this.put("jobs", obj));
      }
      case "patch": {
        const contentType = String(req.headers["content-type"] ?? "").split(";")[0]!.trim();
        if (!["application/strategic-merge-patch+json", "application/merge-patch+json"].includes(contentType)) {
          return fail(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
        }
        const key = `${resource}/${namespace}/${name}`;
        const old = this.objects.get(key);
        if (!old) return fail(404, `${qualified} "${name}" not found`, { name, kind: resource });
        let patch: unknown;
        try {
          patch = JSON.parse(entry.body);
        } catch {
          return fail(400, "the patch is not JSON");
        }
        const next = mergePatch(old, patch) as AnyObject;
        if (resource === "pods") {
          // Like the API server: activeDeadlineSeconds may be set once, then only lowered.
          const before = (old as PodObject).spec?.activeDeadlineSeconds;
          const after = (next as PodObject).spec?.activeDeadlineSeconds;
          if (after !== before && (!Number.isInteger(after) || (after as number) <= 0 || (before !== undefined && (after as number) > before))) {
            return fail(422, `Pod "${name}" is invalid: spec.activeDeadlineSeconds: Invalid value: ${JSON.stringify(after)}: must be a positive integer no greater than the current value`);
          }
        }
        this.patches.push({ namespace, name: name!, contentType, body: patch });
        next.metadata.resourceVersion = undefined;
        return send(200, this.put(resource, next));
      }
      default:
        return fail(405, `${verb} is not faked`);
    }
  }

  private watch(entry: LoggedRequest, res: http.ServerResponse, resource: Resource, namespace: string, filter: (o: AnyObject) => boolean): void {
    const gone = this.gone?.mode;
    if (this.gone && --this.gone.remaining <= 0) this.gone = undefined;
    if (gone === "http") {
      entry.status = 410;
      FakeKubeApi.send(res, 410, statusObject(410, "Expired", "too old resource version"));
      this.emitter.emit("request", entry);
      return;
    }
    entry.status = 200;
    this.emitter.emit("request", entry);
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.flushHeaders(); // as the API server does: the client sees the watch open before any event
    const since = entry.query.resourceVersion ? Number(entry.query.resourceVersion) : 0;
    const expired = gone === "event" || (since !== 0 && since < this.compactedBefore);
    if (expired) {
      const message = `too old resource version: ${since} (${this.compactedBefore})`;
      res.end(`${JSON.stringify({ type: "ERROR", object: statusObject(410, "Expired", message) })}\n`);
      return;
    }
    const w: Watch = { resource, namespace, filter, bookmarks: entry.query.allowWatchBookmarks === "true", res };
    if (since === 0) {
      // No resourceVersion: the current state as synthetic ADDED events, then changes.
      for (const obj of this.list(resource, namespace, filter)) this.write(w, { type: "ADDED", object: obj });
    } else {
      for (const e of this.events) {
        if (e.rv > since && e.resource === resource && e.object.metadata.namespace === namespace && filter(e.object)) {
          this.write(w, { type: e.type, object: e.object });
        }
      }
    }
    const timeout = Number(entry.query.timeoutSeconds);
    if (timeout > 0) w.timer = setTimeout(() => this.closeWatch(w, "end"), timeout * 1000);
    res.on("close", () => {
      clearTimeout(w.timer);
      if (this.watches.delete(w)) this.emitter.emit("watches", this.watches.size);
    });
    this.watches.add(w);
    this.emitter.emit("watches", this.watches.size);
  }
}

// ----- object builders -----

export type JobStateName = "pending" | "running" | "failing" | "complete" | "failed" | "not-run" | "deadline" | "failjob-main";

const AT = "2024-05-01T10:00:00Z";

/**
 * A batch/v1 Job in a given state, with the conditions the Job controller (1.31+) sets:
 * `failing` has only FailureTarget (pods still terminating), `not-run` is FailJob on the task's own
 * await-deps exit code, `failjob-main` is FailJob on the main container's, `deadline` is DeadlineExceeded.
 */
/** `ready`: pods with the Ready condition (a task at work; a pod waiting in await-deps is not Ready). */
export function makeJob(name: string, state: JobStateName = "running", options: { labels?: Record<string, string>; namespace?: string; exitCode?: number; ready?: number } = {}): JobObject {
  const metadata: ObjectMeta = { name, labels: { ...(options.labels ?? {}) } };
  if (options.namespace) metadata.namespace = options.namespace;
  const cond = (type: string, reason: string, message = ""): JobCondition => ({ type, status: "True", reason, message, lastTransitionTime: "2024-05-01T10:05:00Z" });
  const ns = options.namespace ?? "ci";
  const failJob = (container: string) =>
    `Container ${container} for pod ${ns}/${name}-x7k2p failed with exit code ${options.exitCode ?? (container === "await-deps" ? 90 : 3)} matching FailJob rule at index 0`;
  const status: NonNullable<JobObject["status"]> = state === "pending" ? {} : { startTime: AT };
  switch (state) {
    case "running":
      status.active = 1;
      if (options.ready !== undefined) status.ready = options.ready;
      break;
    case "failing":
      status.conditions = [cond("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit")];
      status.active = 1;
      break;
    case "complete":
      status.conditions = [cond("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"), cond("Complete", "CompletionsReached", "Reached expected number of succeeded pods")];
      status.succeeded = 1;
      status.completionTime = "2024-05-01T10:05:00Z";
      break;
    case "failed":
      status.conditions = [cond("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), cond("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")];
      status.failed = 1;
      break;
    case "deadline":
      status.conditions = [cond("FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline"), cond("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")];
      status.failed = 1;
      break;
    case "not-run":
    case "failjob-main": {
      const message = failJob(state === "not-run" ? "await-deps" : "main");
      status.conditions = [cond("FailureTarget", "PodFailurePolicy", message), cond("Failed", "PodFailurePolicy", message)];
      status.failed = 1;
      break;
    }
  }
  return { apiVersion: "batch/v1", kind: "Job", metadata, spec: { backoffLimit: 2, template: { spec: { restartPolicy: "Never" } } }, status };
}

export function terminated(exitCode: number, options: { reason?: string; startedAt?: string; finishedAt?: string; message?: string } = {}): ContainerState {
  return {
    terminated: {
      exitCode,
      reason: options.reason ?? (exitCode === 0 ? "Completed" : "Error"),
      ...(options.message !== undefined ? { message: options.message } : {}),
      ...(options.startedAt ? { startedAt: options.startedAt } : {}),
      ...(options.finishedAt ? { finishedAt: options.finishedAt } : {}),
    },
  };
}

/**
 * A pod of a Job's pod template, labelled as the Job controller labels it (`batch.kubernetes.io/job-name`,
 * or only the legacy `job-name` with `legacyLabel`).
 */
export function makePod(
  name: string,
  job: string,
  options: {
    created: string;
    labels?: Record<string, string>;
    namespace?: string;
    phase?: string;
    reason?: string;
    awaitDeps?: ContainerState;
    main?: ContainerState;
    legacyLabel?: boolean;
  },
): PodObject {
  const jobLabel: Record<string, string> = options.legacyLabel ? { "job-name": job } : { "batch.kubernetes.io/job-name": job, "job-name": job };
  const metadata: ObjectMeta = { name, creationTimestamp: options.created, labels: { ...(options.labels ?? {}), ...jobLabel } };
  if (options.namespace) metadata.namespace = options.namespace;
  const status: NonNullable<PodObject["status"]> = { phase: options.phase ?? "Succeeded" };
  if (options.reason) status.reason = options.reason;
  if (options.awaitDeps) status.initContainerStatuses = [{ name: "await-deps", state: options.awaitDeps }];
  status.containerStatuses = [{ name: "main", state: options.main ?? { waiting: { reason: "PodInitializing" } } }];
  return { apiVersion: "v1", kind: "Pod", metadata, spec: { restartPolicy: "Never" }, status };
}
