/**
 * One writer at a time per output folder (src/output/lock.ts), and what an interrupted compile
 * leaves there (its temporaries, its lock) reported by `--check` and removed by the next compile.
 * Two compiles into one folder at once (a `--watch` and a pre-commit hook) each planned from what
 * was there before the other wrote, so the later one's kustomization.yaml dropped the earlier one's
 * new manifest (left-alone item of an earlier CLI review).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOCK, withOutputLock } from "../src/output/lock.js";
import { gantry, gantryAsOtherUser, gantryBin, tempProject } from "./support/cli.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

/** A process that runs until the test ends: a live holder of a lock. */
function liveProcess(): number {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
  children.push(child);
  return child.pid!;
}

/** The id of a process that has ended. */
const goneProcess = (): number => spawnSync(process.execPath, ["-e", "0"]).pid!;

const lockText = (pid: number, host = os.hostname()) => `${pid} ${host} 0123456789abcdef\n`;

function ageFile(file: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(file, then, then);
}

describe("withOutputLock", () => {
  it("creates the folder, holds the lock while the work runs, and releases it after, also when the work throws", async () => {
    const out = path.join(tempProject(), "deep", "out");
    const seen: boolean[] = [];
    const r = await withOutputLock(out, () => (seen.push(fs.existsSync(path.join(out, LOCK))), 42));
    expect(r).toEqual({ ok: true, value: 42 });
    expect(seen).toEqual([true]);
    expect(fs.readdirSync(out)).toEqual([]);
    await expect(withOutputLock(out, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("waits for a lock a running process holds, and runs once it is released", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    const holder = liveProcess();
    fs.writeFileSync(path.join(out, LOCK), lockText(holder));
    const waited: string[] = [];
    setTimeout(() => fs.rmSync(path.join(out, LOCK)), 300);
    const started = Date.now();
    const r = await withOutputLock(out, () => Date.now() - started, { pollMs: 20, onWait: (h) => waited.push(h) });
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toBeGreaterThanOrEqual(250);
    expect(waited).toEqual([`process ${holder} on ${os.hostname()}`]);
    expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
  });

  it("gives up with GANTRY5006 after waiting, running nothing and leaving the holder's lock alone", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    const holder = liveProcess();
    fs.writeFileSync(path.join(out, LOCK), lockText(holder));
    let ran = false;
    const r = await withOutputLock(out, () => (ran = true), { waitMs: 200, pollMs: 20 });
    expect(ran).toBe(false);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostic).toMatchObject({ code: "GANTRY5006", severity: "error", message: expect.stringContaining(`(process ${holder} on ${os.hostname()}) is writing to ${out}`) });
    expect(!r.ok && r.diagnostic?.hint).toContain(path.join(out, LOCK));
    expect(fs.readFileSync(path.join(out, LOCK), "utf8")).toBe(lockText(holder));
  });

  // A stale lock is taken over at once; a live one (a running process here, or one on another host
  // that is recent) is waited for.
  const cases: [what: string, stale: boolean, text: () => string, ageMs: number][] = [
    ["a process that has ended", true, () => lockText(goneProcess()), 0],
    ["this process's own id (a killed compile's, as PID 1 in every container run)", true, () => lockText(process.pid), 0],
    ["a running process, but older than any write takes", true, () => lockText(liveProcess()), 11 * 60 * 1000],
    ["another host, older than any write takes", true, () => lockText(1, "other-host"), 11 * 60 * 1000],
    ["another host, recent", false, () => lockText(1, "other-host"), 0],
    ["no owner written, older than the write after creating it takes", true, () => "", 10_000],
    ["no owner written yet", false, () => "", 0],
  ];
  it.each(cases)("a lock of %s is stale: %s", async (_, stale, text, ageMs) => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    fs.writeFileSync(path.join(out, LOCK), text());
    ageFile(path.join(out, LOCK), ageMs);
    const r = await withOutputLock(out, (took) => took, { waitMs: stale ? 5_000 : 150, pollMs: 20 });
    if (stale) {
      expect(r).toEqual({ ok: true, value: { brokeStale: true } });
      expect(fs.readdirSync(out)).toEqual([".keep"]); // no lock, nothing moved aside left behind
    } else expect(r).toMatchObject({ ok: false, diagnostic: { code: "GANTRY5006" } });
  });

  // Second reader's findings: a lock of another host (or a committed one) blocked every compile for
  // ten minutes; breakers of one stale lock could remove a lock another compile had just taken.
  it("another host's lock, unchanged while waited for, is taken over; one that changes is waited for again", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    fs.writeFileSync(path.join(out, LOCK), lockText(1, "other-host"));
    const r = await withOutputLock(out, (took) => took, { foreignMs: 300, pollMs: 20 });
    expect(r).toEqual({ ok: true, value: { brokeStale: true } });
    // A holder that takes the lock again in between (a new token) restarts the clock.
    fs.writeFileSync(path.join(out, LOCK), lockText(1, "other-host"));
    setTimeout(() => fs.writeFileSync(path.join(out, LOCK), "1 other-host fedcba9876543210\n"), 200);
    const started = Date.now();
    const again = await withOutputLock(out, () => Date.now() - started, { foreignMs: 300, pollMs: 20 });
    expect(again.ok).toBe(true);
    expect(again.ok && again.value).toBeGreaterThanOrEqual(480); // 200 ms to the change, then 300 ms unchanged
  });

  it("stale locks are broken one breaker at a time: while another breaker's turn file is fresh, the lock stays; an old turn file is cleared", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    fs.writeFileSync(path.join(out, LOCK), lockText(goneProcess()));
    fs.writeFileSync(path.join(out, `${LOCK}.break`), "");
    const blocked = await withOutputLock(out, () => "ran", { waitMs: 300, pollMs: 20 });
    expect(blocked).toMatchObject({ ok: false, diagnostic: { code: "GANTRY5006" } });
    expect(fs.existsSync(path.join(out, LOCK))).toBe(true);
    ageFile(path.join(out, `${LOCK}.break`), 20_000);
    expect(await withOutputLock(out, () => "ran", { waitMs: 5_000, pollMs: 20 })).toEqual({ ok: true, value: "ran" });
    expect(fs.readdirSync(out)).toEqual([".keep"]);
  });

  it("an abort ends the wait: not ok, no diagnostic, nothing run", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    fs.writeFileSync(path.join(out, LOCK), lockText(liveProcess()));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const started = Date.now();
    let ran = false;
    expect(await withOutputLock(out, () => (ran = true), { signal: stop.signal })).toEqual({ ok: false });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ran).toBe(false);
  });

  it("an abort before the lock is looked at ends no wait: a free lock is still taken and the work runs (a recompile under way when --watch's Ctrl-C came finishes its write)", async () => {
    const out = path.join(tempProject({ "out/.keep": "" }), "out");
    const stop = new AbortController();
    stop.abort();
    expect(await withOutputLock(out, () => "ran", { signal: stop.signal })).toEqual({ ok: true, value: "ran" });
    expect(fs.readdirSync(out)).toEqual([".keep"]);
    // Held, the same abort ends the wait at once.
    fs.writeFileSync(path.join(out, LOCK), lockText(liveProcess()));
    const started = Date.now();
    expect(await withOutputLock(out, () => "ran", { signal: stop.signal })).toEqual({ ok: false });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a folder it cannot make is GANTRY5001, nothing run", async () => {
    const dir = tempProject({ "out": "a file where the folder goes\n" });
    let ran = false;
    const r = await withOutputLock(path.join(dir, "out", "sub"), () => (ran = true));
    expect(ran).toBe(false);
    expect(r).toMatchObject({ ok: false, diagnostic: { code: "GANTRY5001", hint: expect.stringContaining("No file was changed") } });
  });
});

const pipelineFile = (name: string) => `import { pipeline } from "gantry";\nexport default pipeline("${name}", {}, (p) => {\n  p.task("t", { image: "busybox:1.0" });\n});\n`;

/** `gantry` as a subprocess that runs alongside the test: its stderr so far, and its end. */
function runGantry(args: string[], cwd: string): { stderr: () => string; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [gantryBin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return { stderr: () => stderr, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr }))) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++, await new Promise((r) => setTimeout(r, 50))) if (condition()) return;
  throw new Error(`timed out waiting for ${what}`);
}

describe("gantry compile and the output folder's lock", () => {
  it("two compiles of parts of a project waiting on one lock write one after the other: the kustomization lists both manifests", async () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a"), "pipelines/b.ts": pipelineFile("b"), "manifests/.keep": "" });
    const lock = path.join(dir, "manifests", LOCK);
    const holder = liveProcess();
    fs.writeFileSync(lock, lockText(holder));
    const a = runGantry(["compile", "pipelines/a.ts"], dir);
    const b = runGantry(["compile", "pipelines/b.ts"], dir);
    // Both compiled and are waiting, having written nothing; then the holder finishes.
    await until(() => a.stderr().includes("waiting for") && b.stderr().includes("waiting for"), "both compiles to wait");
    expect(fs.readdirSync(path.join(dir, "manifests"))).toEqual([".gantry.lock", ".keep"]);
    fs.rmSync(lock);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    for (const r of [ra, rb]) expect(r.stderr).toContain(`gantry compile: waiting for process ${holder} on ${os.hostname()}, which is writing to manifests`);
    const kustomization = fs.readFileSync(path.join(dir, "manifests", "kustomization.yaml"), "utf8");
    expect(kustomization).toContain("  - a.yaml\n  - b.yaml\n");
    expect(fs.readdirSync(path.join(dir, "manifests")).sort()).toEqual([".keep", "a.yaml", "b.yaml", "kustomization.yaml"]);
  }, 30_000);

  it("--format json prints no waiting line (stderr stays one JSON document)", async () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a"), "manifests/.keep": "" });
    const lock = path.join(dir, "manifests", LOCK);
    fs.writeFileSync(lock, lockText(liveProcess()));
    const run = runGantry(["compile", "--format", "json"], dir);
    let released = 0;
    setTimeout(() => (fs.rmSync(lock), (released = Date.now())), 2000);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stderr)).toEqual([]);
    // It did wait: the manifest was written after the lock was released.
    expect(released).toBeGreaterThan(0);
    expect(fs.statSync(path.join(dir, "manifests", "a.yaml")).mtimeMs).toBeGreaterThanOrEqual(released - 5);
  }, 30_000);

  it("--watch: Ctrl-C while waiting for the lock ends the wait and the watch at once (second reader's finding: it waited a minute, then watched)", async () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a"), "manifests/.keep": "" });
    fs.writeFileSync(path.join(dir, "manifests", LOCK), lockText(liveProcess()));
    const child = spawn(process.execPath, [gantryBin, "compile", "--watch"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await until(() => stderr.includes("waiting for"), "the watch to wait");
    const interrupted = Date.now();
    child.kill("SIGINT");
    const code = await done;
    expect(Date.now() - interrupted).toBeLessThan(5_000);
    expect(code).toBe(1);
    expect(stderr).toContain("stopped while waiting for another compile's lock on manifests; nothing was written.");
    expect(stderr).not.toContain("watching");
    expect(fs.readdirSync(path.join(dir, "manifests")).sort()).toEqual([".gantry.lock", ".keep"]);
  }, 30_000);

  it("--check reports what an interrupted compile left (a temporary, a stale lock) as differences; the next compile removes them and says so", () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a") });
    expect(gantry(["compile"], dir).code).toBe(0);
    const out = path.join(dir, "manifests");
    const gone = goneProcess();
    const temporary = `.a.yaml.${gone}-0badcafe.tmp`;
    fs.writeFileSync(path.join(out, temporary), fs.readFileSync(path.join(out, "a.yaml"), "utf8"));
    fs.writeFileSync(path.join(out, LOCK), lockText(gone));

    const check = gantry(["compile", "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`  removed  ${temporary} (left over by an interrupted compile)\n  removed  .gantry.lock (left over by an interrupted compile)\n`);
    expect(check.stderr).toContain("GANTRY5003");
    expect(check.stderr).toContain("2 files in manifests differ");
    const json = JSON.parse(gantry(["compile", "--check", "--format", "json"], dir).stderr) as { message: string; span?: unknown }[];
    expect(json.filter((d) => d.message.endsWith("was left over by an interrupted compile"))).toEqual([
      expect.objectContaining({ message: `manifests/${temporary} was left over by an interrupted compile` }),
      expect.objectContaining({ message: "manifests/.gantry.lock was left over by an interrupted compile" }),
    ]);
    expect(json.every((d) => d.span === undefined)).toBe(true);
    expect(fs.readdirSync(out).sort()).toEqual([temporary, ".gantry.lock", "a.yaml", "kustomization.yaml"]); // --check changes nothing

    const compile = gantry(["compile"], dir);
    expect(compile.code, compile.stderr).toBe(0);
    expect(compile.stderr).toContain(`2 left over by an interrupted compile removed (${temporary}, .gantry.lock)`);
    expect(fs.readdirSync(out).sort()).toEqual(["a.yaml", "kustomization.yaml"]);
    expect(gantry(["compile", "--check"], dir)).toMatchObject({ code: 0, stderr: expect.stringContaining("manifests is up to date") });
  });

  it("--check takes no lock (a running compile's does not make it wait) and counts only a left-over one: another host's, as a committed lock is", () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a") });
    expect(gantry(["compile"], dir).code).toBe(0);
    const out = path.join(dir, "manifests");
    fs.writeFileSync(path.join(out, LOCK), lockText(liveProcess()));
    expect(gantry(["compile", "--check"], dir)).toMatchObject({ code: 0, stderr: expect.stringContaining("manifests is up to date") });
    fs.writeFileSync(path.join(out, LOCK), lockText(4711, "dev-laptop"));
    const committed = gantry(["compile", "--check"], dir);
    expect(committed.code).toBe(1);
    expect(committed.stdout).toContain("  removed  .gantry.lock (left over by an interrupted compile)\n");
  });

  // Second reader's finding: every compile created the lock, so one into an up-to-date folder it may
  // only read failed with EACCES, where it had passed.
  const asOther = gantryAsOtherUser();
  it.skipIf(!asOther)("a compile into a folder it cannot write, with nothing to change, still passes; with a change it fails as before", () => {
    const dir = tempProject({ "pipelines/a.ts": pipelineFile("a") });
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, "pipelines"), 0o755);
    fs.chmodSync(path.join(dir, "pipelines", "a.ts"), 0o644);
    expect(gantry(["compile"], dir).code).toBe(0);
    const out = path.join(dir, "manifests");
    fs.chmodSync(out, 0o555);
    for (const f of fs.readdirSync(out)) fs.chmodSync(path.join(out, f), 0o644);
    const r = asOther!(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("0 written, 2 unchanged");
    fs.writeFileSync(path.join(dir, "pipelines", "a.ts"), pipelineFile("a").replace("busybox:1.0", "busybox:2.0"));
    const changed = asOther!(["compile"], dir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain("GANTRY5001");
    expect(fs.readdirSync(out).sort()).toEqual(["a.yaml", "kustomization.yaml"]);
  });
});
