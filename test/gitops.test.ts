/**
 * The CI/GitOps workflow end to end, through the real CLI in temporary git repositories: compile,
 * commit, edit, `--check` fails with the diff, compile, `--check` passes; stale generated files are
 * removed; files Gantry did not generate are never touched; kustomization.yaml lists the manifests.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { gantry, repoRoot, snapshotDir, tempProject } from "./support/cli.js";

const PIPELINE = (name: string, image: string) => `import { pipeline } from "gantry";
export default pipeline("${name}", {}, (p) => {
  const a = p.task("extract", { image: "${image}", args: ["--all"] });
  p.task("load", { image: "${image}", after: [a], retry: { limit: 2 } });
});
`;

function git(dir: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function repo(files: Record<string, string>): string {
  const dir = tempProject(files);
  git(dir, "init", "-q");
  return dir;
}

describe("compile, commit, edit, --check", () => {
  it("--check passes on fresh output, fails with the diff and the meaning after an edit, passes after compiling", () => {
    const dir = repo({ "pipelines/etl.ts": PIPELINE("etl", "ghcr.io/acme/etl:1.0") });
    expect(gantry(["compile"], dir).code).toBe(0);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "pipelines and manifests");

    const clean = gantry(["compile", "--check"], dir);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/manifests is up to date \(2 files\)/);

    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), PIPELINE("etl", "ghcr.io/acme/etl:1.1").replace('retry: { limit: 2 }', 'retry: { limit: 5 }'));
    const stale = gantry(["compile", "--check"], dir);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("  changed  etl.yaml");
    expect(stale.stdout).toContain("etl: image of extract: ghcr.io/acme/etl:1.0 -> ghcr.io/acme/etl:1.1; image of load: ghcr.io/acme/etl:1.0 -> ghcr.io/acme/etl:1.1; retry policy changed: load");
    expect(stale.stdout).toMatch(/^--- a\/etl\.yaml\n\+\+\+ b\/etl\.yaml\n/m);
    expect(stale.stdout).toMatch(/^-\s+image: ghcr\.io\/acme\/etl:1\.0$/m);
    expect(stale.stdout).toMatch(/^\+\s+image: ghcr\.io\/acme\/etl:1\.1$/m);
    expect(stale.stderr).toContain("error GANTRY5003: 1 file in manifests differ");
    // --check never writes.
    expect(git(dir, "status", "--porcelain", "manifests")).toBe("");

    expect(gantry(["compile"], dir).code).toBe(0);
    expect(gantry(["compile", "--check"], dir).code).toBe(0);
    expect(git(dir, "diff", "--stat", "manifests")).toMatch(/etl\.yaml/);
  });

  it.each(["argo", "jobs"])("%s: the meaning line names a changed schedule and changed resources (new-user trial: 'no task ... change' for both)", (target) => {
    const scheduled = (cron: string, memory: string) => `import { pipeline } from "gantry";\nexport default pipeline("etl", { schedule: { cron: "${cron}" } }, (p) => {\n  const a = p.task("extract", { image: "busybox:1.36", resources: { limits: { memory: "${memory}" } } });\n  p.task("load", { image: "busybox:1.36", after: [a] });\n});\n`;
    const dir = repo({ "pipelines/etl.ts": scheduled("@daily", "1Gi") });
    expect(gantry(["compile", "--target", target], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), scheduled("@hourly", "1Gi"));
    expect(gantry(["compile", "--check", "--target", target], dir).stdout).toContain("etl: schedule changed\n");
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), scheduled("@daily", "2Gi"));
    expect(gantry(["compile", "--check", "--target", target], dir).stdout).toContain("etl: resources changed: extract\n");
  });

  it.each(["argo", "jobs"])("%s: the meaning line names a task whose run-time condition changed (a `when` on another task's output, or the default it falls back on)", (target) => {
    const gated = (value: string, fallback: string) =>
      `import { pipeline } from "gantry";\nexport default pipeline("etl", {}, (p) => {\n  const count = p.task("count-rows", { image: "busybox:1.36", command: ["sh", "-c", "echo 1 > /tmp/rows"], outputs: { rows: { path: "/tmp/rows", default: "${fallback}" } } });\n  p.task("publish", { image: "busybox:1.36", after: [count], trigger: "allDone", when: { output: count.output("rows"), notEquals: "${value}" } });\n});\n`;
    const dir = repo({ "pipelines/etl.ts": gated("0", "0") });
    expect(gantry(["compile", "--target", target], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), gated("00", "0"));
    expect(gantry(["compile", "--check", "--target", target], dir).stdout).toContain("etl: conditions changed: publish\n");
    // The producer failing now lets publish run: on jobs that default is in the await's outputs, not in runsIf (second reader's finding).
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), gated("0", "5"));
    expect(gantry(["compile", "--check", "--target", target], dir).stdout).toContain("etl: conditions changed: publish\n");
  });

  it("argo: the meaning line names a fan-out whose guard changed, which rides in its withParam rather than a when", () => {
    const fanned = (env: string) =>
      `import { pipeline } from "gantry";\nexport default pipeline("etl", { parameters: { tables: { default: ["a"] }, env: { default: "prod" } } }, (p) => {\n  p.task("load", { image: "busybox:1.36", args: [p.item], forEach: p.params.tables, when: { param: p.params.env, equals: "${env}" } });\n});\n`;
    const dir = repo({ "pipelines/etl.ts": fanned("prod") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), fanned("staging"));
    expect(gantry(["compile", "--check"], dir).stdout).toContain("etl: conditions changed: load\n");
  });

  it("--check reports tasks and pipelines added and removed, with GitHub annotations", () => {
    const dir = repo({ "pipelines/etl.ts": PIPELINE("etl", "busybox:1.36"), "pipelines/old.ts": PIPELINE("old", "busybox:1.36") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.rmSync(path.join(dir, "pipelines/old.ts"));
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), PIPELINE("etl", "busybox:1.36").replace("});\n});", '});\n  p.task("report", { image: "busybox:1.36" });\n});'));
    const r = gantry(["compile", "--check", "--format", "github"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  removed  old.yaml");
    expect(r.stdout).toContain("etl: tasks added: report");
    expect(r.stdout).toContain("old: pipeline removed");
    expect(r.stderr).toContain("::error title=GANTRY5003::");
    // an annotation at each stale file's place: the pipeline whose manifest is out of date, the manifest no pipeline makes
    expect(r.stderr).toContain("::error file=pipelines/etl.ts,line=2,col=1,title=GANTRY5003::manifests/etl.yaml is out of date (etl: tasks added: report)%0A");
    expect(r.stderr).toContain("::error file=manifests/old.yaml,line=1,col=1,title=GANTRY5003::manifests/old.yaml is stale: no compiled pipeline makes it any more (old: pipeline removed)%0A");
    // the text format lists them on stdout only
    const text = gantry(["compile", "--check"], dir);
    expect(text.stderr.match(/GANTRY5003/g)).toHaveLength(1);
  });
});

describe("ownership of the output directory", () => {
  it("removes generated files of deleted or renamed pipelines, and never touches other files", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "pipelines/b.ts": PIPELINE("beta", "busybox:1.36") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "manifests/README.md"), "hand-written notes\n");
    fs.writeFileSync(path.join(dir, "manifests/extra.yaml"), "# a file the team keeps here\napiVersion: v1\nkind: ConfigMap\n");
    fs.writeFileSync(path.join(dir, "pipelines/b.ts"), PIPELINE("gamma", "busybox:1.36"));

    const r = gantry(["compile"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("1 removed (beta.yaml)");
    expect(Object.keys(snapshotDir(path.join(dir, "manifests"))).sort()).toEqual(["README.md", "alpha.yaml", "extra.yaml", "gamma.yaml", "kustomization.yaml"]);
    expect(fs.readFileSync(path.join(dir, "manifests/README.md"), "utf8")).toBe("hand-written notes\n");
  });

  it("refuses to overwrite a file it did not generate, and changes nothing", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "manifests/alpha.yaml": "# mine\nkind: Secret\n" });
    const before = snapshotDir(path.join(dir, "manifests"));
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY5002");
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
  });

  it("a generated file an editor saved with a byte order mark or CRLF line endings is still Gantry's, and up to date (review finding)", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "pipelines/b.ts": PIPELINE("beta", "busybox:1.36") });
    expect(gantry(["compile"], dir).code).toBe(0);
    const alpha = path.join(dir, "manifests/alpha.yaml");
    const beta = path.join(dir, "manifests/beta.yaml");
    fs.writeFileSync(alpha, `\ufeff${fs.readFileSync(alpha, "utf8")}`);
    fs.writeFileSync(beta, fs.readFileSync(beta, "utf8").replaceAll("\n", "\r\n"));
    const check = gantry(["compile", "--check"], dir);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const again = gantry(["compile"], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("0 written, 3 unchanged");
    // A real change to such a file is still seen, and the file is Gantry's to replace.
    fs.writeFileSync(alpha, fs.readFileSync(alpha, "utf8").replace("--all", "--some")); // the mark is still there
    expect(gantry(["compile", "--check"], dir).code).toBe(1);
    const rewritten = gantry(["compile"], dir);
    expect(rewritten.code, rewritten.stderr).toBe(0);
    expect(fs.readFileSync(alpha, "utf8").charCodeAt(0)).toBe("#".charCodeAt(0));
  });

  it("a pipeline named kustomization is GANTRY2011 (its manifest would be kustomization.yaml); a source file whose name holds a line break keeps a one-line header (review findings)", () => {
    const dir = repo({ "pipelines/k.ts": PIPELINE("kustomization", "busybox:1.36") });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error GANTRY2011: pipeline name "kustomization" is reserved');
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    // A line break in a source file's name is escaped in the header, which stays one line, so the file stays Gantry's.
    const nl = repo({ "pipelines/new\nline.ts": PIPELINE("nl", "busybox:1.36"), "lib/mk\nx.ts": `import { pipeline } from "gantry";\nexport const mk = () => pipeline("made", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`, "pipelines/uses.ts": 'import { mk } from "../lib/mk\\nx.js";\nexport default mk();\n' });
    expect(gantry(["compile", "--metadata", "--graph"], nl).code).toBe(0);
    expect(fs.readFileSync(path.join(nl, "manifests/nl.yaml"), "utf8").split("\n")[0]).toBe("# Generated by gantry from pipelines/new\\nline.ts. Do not edit: change the source and run `gantry compile`.");
    expect(fs.readFileSync(path.join(nl, "manifests/made.yaml"), "utf8").split("\n")[0]).toContain("from lib/mk\\nx.ts (called from pipelines/uses.ts)");
    const again = gantry(["compile", "--metadata", "--graph"], nl);
    expect(again.code, again.stderr).toBe(0);
    expect(gantry(["compile", "--metadata", "--graph", "--check"], nl).code).toBe(0);
  });

  it("a non-writable output directory is a clear error and loses nothing", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "out-is-a-file": "keep me\n" });
    const r = gantry(["compile", "--out", "out-is-a-file/manifests"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GANTRY5001: cannot write to/);
    expect(fs.readFileSync(path.join(dir, "out-is-a-file"), "utf8")).toBe("keep me\n");
  });
});

describe("kustomization.yaml", () => {
  it("lists exactly the generated manifests, and --no-kustomization leaves it out", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "pipelines/b.ts": PIPELINE("beta", "busybox:1.36") });
    expect(gantry(["compile"], dir).code).toBe(0);
    const k = parse(fs.readFileSync(path.join(dir, "manifests/kustomization.yaml"), "utf8"));
    expect(k).toEqual({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["alpha.yaml", "beta.yaml"] });

    const other = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36") });
    expect(gantry(["compile", "--no-kustomization"], other).code).toBe(0);
    expect(Object.keys(snapshotDir(path.join(other, "manifests")))).toEqual(["alpha.yaml"]);
  });

  it("a kustomization.yaml of the user's is kept: compiling with it in place is GANTRY5002 with a hint", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36"), "manifests/kustomization.yaml": "resources: [mine.yaml]\n" });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GANTRY5002[\s\S]*--no-kustomization/);
    expect(gantry(["compile", "--no-kustomization"], dir).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "manifests/kustomization.yaml"), "utf8")).toBe("resources: [mine.yaml]\n");
  });
});

it("the bundled examples' kustomization lists every snapshot", () => {
  const out = tempProject();
  expect(gantry(["compile", "examples", "--out", out]).code).toBe(0);
  const k = parse(fs.readFileSync(path.join(out, "kustomization.yaml"), "utf8")) as { resources: string[] };
  expect(k.resources).toEqual(fs.readdirSync(path.join(repoRoot, "snapshots/argo")).sort());
});

describe("compile --graph", () => {
  it("writes <pipeline>.md with a Mermaid block beside each manifest, owned and checked like the YAML", () => {
    const dir = repo({ "pipelines/a.ts": PIPELINE("alpha", "busybox:1.36") });
    expect(gantry(["compile", "--graph"], dir).code).toBe(0);
    const md = fs.readFileSync(path.join(dir, "manifests/alpha.md"), "utf8");
    expect(md.split("\n")[0]).toMatch(/^<!-- Generated by gantry from pipelines\/a\.ts\./);
    expect(md).toMatch(/```mermaid\nflowchart/);
    const k = parse(fs.readFileSync(path.join(dir, "manifests/kustomization.yaml"), "utf8")) as { resources: string[] };
    expect(k.resources).toEqual(["alpha.yaml"]);
    expect(gantry(["compile", "--graph", "--check"], dir).code).toBe(0);
    // The graph setting in the configuration keeps every compile agreeing on whether the .md exists.
    fs.writeFileSync(path.join(dir, "gantry.config.json"), JSON.stringify({ graph: true }));
    expect(gantry(["compile", "--check"], dir).code).toBe(0);
    expect(gantry(["compile", "--graph", "--stdout"], dir).code).toBe(2);
  });

  it("gantry graph prints Mermaid or DOT for a file", () => {
    const mermaid = gantry(["graph", "examples/create-rose-table.ts"]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart/);
    const dot = gantry(["graph", "examples/spark-on-k8s.ts", "--format", "dot"]);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph/);
    expect(gantry(["graph", "examples/spark-on-k8s.ts", "--format", "svg"]).code).toBe(2);
  });
});

describe("from gantry init to a green --check", () => {
  it("init, compile, commit, edit, --check fails with the diff, compile, --check passes", () => {
    const dir = repo({});
    const init = gantry(["init"], dir);
    expect(init.code, init.stderr).toBe(0);
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"));
    expect(gantry(["compile"], dir).code).toBe(0);
    git(dir, "add", "-A", ":!node_modules");
    git(dir, "commit", "-qm", "scaffold");
    expect(gantry(["compile", "--check"], dir).code).toBe(0);

    const file = path.join(dir, "pipelines/hello.ts");
    const edited = fs.readFileSync(file, "utf8").replace(/const IMAGE = "[^"]+"/, 'const IMAGE = "busybox:1.37"');
    expect(edited).not.toBe(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, edited);
    const stale = gantry(["compile", "--check"], dir);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/changed  hello\.yaml/);
    expect(stale.stdout).toMatch(/^\+\s+image: busybox:1\.37$/m);
    expect(gantry(["compile"], dir).code).toBe(0);
    expect(gantry(["compile", "--check"], dir).code).toBe(0);
    // A second init refuses and changes nothing.
    expect(gantry(["init"], dir).code).toBe(1);
    expect(git(dir, "status", "--porcelain", "pipelines", "gantry.config.json")).toMatch(/pipelines\/hello\.ts/);
  });
});

describe("globs as inputs", () => {
  it("on the command line and in the configuration", () => {
    const dir = repo({
      "teams/a/flows/one.ts": PIPELINE("one", "busybox:1.36"),
      "teams/b/flows/two.ts": PIPELINE("two", "busybox:1.36"),
      "teams/b/flows/two.test.ts": "this is not a pipeline",
    });
    const r = gantry(["compile", "teams/*/flows/**/*.ts", "--stdout"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("name: one");
    expect(r.stdout).toContain("name: two");
    fs.writeFileSync(path.join(dir, "gantry.config.json"), JSON.stringify({ include: ["teams/*/flows"] }));
    expect(gantry(["compile"], dir).code).toBe(0);
    expect(Object.keys(snapshotDir(path.join(dir, "manifests"))).sort()).toEqual(["kustomization.yaml", "one.yaml", "two.yaml"]);
    const none = gantry(["compile", "nowhere/**/*.ts"], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("GANTRY1003");
  });
});
