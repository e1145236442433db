/** The fake Kubernetes API behaves like the real one where the shim depends on it. */
import http from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKubeApi, makeJob, makePod } from "./support/fake-kube-api.js";

let api: FakeKubeApi;
beforeEach(async () => {
  api = await FakeKubeApi.start({ token: "t", namespace: "ci" });
});
afterEach(async () => {
  await api.close();
});

const JOBS = "/apis/batch/v1/namespaces/ci/jobs";
const auth = { Authorization: "Bearer t" };

async function request(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(api.url + path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Opens a watch and collects its events until `count` have arrived. */
function watch(path: string, count: number): Promise<Array<{ type: string; object: Record<string, any> }>> {
  return new Promise((resolve, reject) => {
    const events: Array<{ type: string; object: Record<string, any> }> = [];
    const req = http.get(api.url + path, { headers: auth }, (res) => {
      let buffer = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          events.push(JSON.parse(buffer.slice(0, i)));
          buffer = buffer.slice(i + 1);
        }
        if (events.length >= count) {
          req.destroy();
          resolve(events);
        }
      });
      res.on("close", () => resolve(events)); // ended, timed out or cut: what arrived
    });
    req.on("error", reject);
  });
}

describe("fake kube API", () => {
  it("lists with equality label selectors and field selectors, at the current resourceVersion", async () => {
    api.putJob(makeJob("a", "running", { labels: { run: "1", tier: "x" } }));
    api.putJob(makeJob("b", "running", { labels: { run: "1" } }));
    api.putJob(makeJob("c", "running", { labels: { run: "2" } }));
    api.putJob(makeJob("d", "running", { labels: { run: "1" }, namespace: "other" }));
    const names = async (q: string) => (await request(`${JOBS}?${q}`)).body.items.map((j: { metadata: { name: string } }) => j.metadata.name);
    expect(await names("labelSelector=run%3D1")).toEqual(["a", "b"]);
    expect(await names("labelSelector=run%3D1,tier%3Dx")).toEqual(["a"]);
    expect(await names("labelSelector=run%3D1,tier!%3Dx")).toEqual(["b"]);
    expect(await names("fieldSelector=metadata.name%3Dc")).toEqual(["c"]);
    expect((await request(JOBS)).body.metadata.resourceVersion).toBe(String(api.resourceVersion));
  });

  it("watch: replays events newer than resourceVersion, then streams; without one, the current state as ADDED", async () => {
    const rv = api.putJob(makeJob("a", "running")).metadata.resourceVersion!;
    api.putJob(makeJob("a", "complete"));
    api.putJob(makeJob("b", "running"));
    api.deleteJob("b");
    const replay = await watch(`${JOBS}?watch=1&resourceVersion=${rv}`, 3);
    expect(replay.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["MODIFIED a", "ADDED b", "DELETED b"]);
    const fresh = watch(`${JOBS}?watch=1`, 2);
    await api.waitForWatches(1);
    api.putJob(makeJob("c", "running"));
    expect((await fresh).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a", "ADDED c"]);
  });

  it("watch: bookmarks only when asked for; 410 after compaction; timeoutSeconds ends the stream", async () => {
    const rv = api.putJob(makeJob("a", "running")).metadata.resourceVersion!;
    const withBookmarks = watch(`${JOBS}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, 1);
    await api.waitForWatches(1);
    api.sendBookmark();
    expect(await withBookmarks).toEqual([{ type: "BOOKMARK", object: { apiVersion: "batch/v1", kind: "Job", metadata: { resourceVersion: rv } } }]);
    api.putJob(makeJob("a", "complete"));
    api.compact();
    const [gone] = await watch(`${JOBS}?watch=1&resourceVersion=${rv}`, 1);
    expect(gone).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
    const started = Date.now();
    expect(await watch(`${JOBS}?watch=1&resourceVersion=${api.resourceVersion}&timeoutSeconds=0.2`, 1)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("POST creates with a uid and resourceVersion, 409 AlreadyExists for an existing name", async () => {
    const body = JSON.stringify(makeJob("new", "pending"));
    const created = await request(JOBS, { method: "POST", body });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: "new", namespace: "ci", uid: expect.any(String), resourceVersion: String(api.resourceVersion) });
    const again = await request(JOBS, { method: "POST", body });
    expect(again).toEqual({
      status: 409,
      body: expect.objectContaining({ kind: "Status", reason: "AlreadyExists", code: 409, message: 'jobs.batch "new" already exists' }),
    });
  });

  it("PATCH pods: needs a merge-patch content type; activeDeadlineSeconds may be set, then only lowered", async () => {
    api.putPod(makePod("p", "j", { created: "2024-05-01T10:00:00Z" }));
    const patch = (body: unknown, type = "application/strategic-merge-patch+json") =>
      request("/api/v1/namespaces/ci/pods/p", { method: "PATCH", body: JSON.stringify(body), headers: { "Content-Type": type } });
    expect((await patch({ spec: { activeDeadlineSeconds: 5 } }, "application/json")).status).toBe(415);
    expect((await patch({ spec: { activeDeadlineSeconds: 100 } })).status).toBe(200);
    expect(api.pod("p")!.spec!.activeDeadlineSeconds).toBe(100);
    expect(api.pod("p")!.spec!.restartPolicy).toBe("Never");
    expect((await patch({ spec: { activeDeadlineSeconds: 200 } })).status).toBe(422);
    expect((await patch({ spec: { activeDeadlineSeconds: 50 } })).status).toBe(200);
    expect(api.patches.map((p) => p.body)).toEqual([{ spec: { activeDeadlineSeconds: 100 } }, { spec: { activeDeadlineSeconds: 50 } }]);
  });

  it("auth, RBAC refusals, injected faults and the request log", async () => {
    expect((await fetch(api.url + JOBS)).status).toBe(401);
    api.forbid("list", "jobs");
    const denied = await request(JOBS);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('cannot list resource "jobs" in API group "batch" in the namespace "ci"');
    api.forbidden.clear();
    api.failNext(1, 503, { match: (r) => r.path === JOBS });
    expect((await request(JOBS)).status).toBe(503);
    expect((await request(JOBS)).status).toBe(200);
    expect(api.requests.map((r) => r.status)).toEqual([401, 403, 503, 200]);
    expect(api.requestsFor("list", "jobs")).toHaveLength(4);
  });

  it("close() ends open watches", async () => {
    const open = watch(`${JOBS}?watch=1&resourceVersion=${api.resourceVersion}`, 1);
    await api.waitForWatches(1);
    await api.close();
    expect(await open).toEqual([]);
    expect(api.openWatches()).toBe(0);
    api = await FakeKubeApi.start(); // for afterEach
  });
});
