/**
 * `--format sarif`: the real CLI's diagnostics as a SARIF 2.1.0 log, validated against the SARIF
 * JSON schema (the copy Microsoft's SARIF SDK ships), and held to what GitHub code scanning needs
 * to accept an upload: every result has a location, rule indexes point at their rules, and paths
 * are relative URIs. The log carries the same diagnostics as `--format json`, nothing lost.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SarifLog } from "../src/diagnostics/sarif.js";
import { gantry, tempProject } from "./support/cli.js";

const require = createRequire(import.meta.url);
// CommonJS whose default export TypeScript's NodeNext interop types as the module: take it from require.
const Ajv = require("ajv-draft-04") as typeof import("ajv-draft-04").default;
// unicodeRegExp off: one pattern of the schema (a language tag) is invalid with the `u` flag.
const validateSarif = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }).compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object);

function expectValid(log: unknown): asserts log is SarifLog {
  const ok = validateSarif(log);
  expect(validateSarif.errors ?? [], "SARIF schema errors").toEqual([]);
  expect(ok).toBe(true);
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  hint?: string;
  span?: { file: string; line: number; column: number; endLine?: number; endColumn?: number };
}

const BROKEN = `import { pipeline } from "gantry";
export default pipeline("broken", {}, (p) => {
  const a = p.task("a", { image: "busybox:1.36", imagePullPolicy: "Sometimes" as never });
  p.task("a", { image: "busybox:1.36", after: [a] });
  p.task("when", { image: "busybox:1.36", args: [String(Date.now())] });
});
`;
const WARNS = `import { pipeline } from "gantry";
console.log("side effect");
export default pipeline("warns", {}, (p) => {
  p.task("a", { image: "busybox:1.36" });
});
`;

describe("--format sarif", () => {
  it("is a valid SARIF 2.1.0 log with the same diagnostics as --format json, each at its location", () => {
    const dir = tempProject({ "pipelines/broken.ts": BROKEN, "pipelines/with space/warns.ts": WARNS });
    const sarif = gantry(["compile", "pipelines", "--format", "sarif"], dir);
    const json = gantry(["compile", "pipelines", "--format", "json"], dir);
    expect(sarif.code).toBe(1);
    expect(sarif.stdout).toBe("");
    const log = JSON.parse(sarif.stderr) as unknown;
    expectValid(log);
    const diagnostics = JSON.parse(json.stderr) as JsonDiagnostic[];
    expect(new Set(diagnostics.map((d) => d.severity))).toEqual(new Set(["error", "warning"]));
    expect(diagnostics.every((d) => d.span)).toBe(true);

    const [run] = log.runs;
    expect(log.runs).toHaveLength(1);
    expect(run!.tool.driver.name).toBe("gantry");
    // Same order, codes, levels, messages (with the hint) and positions as the JSON format.
    expect(
      run!.results.map((r) => {
        const { artifactLocation, region } = r.locations[0]!.physicalLocation;
        return [r.ruleId, r.level, r.message.text, decodeURIComponent(artifactLocation.uri), region.startLine, region.startColumn, region.endLine, region.endColumn];
      }),
    ).toEqual(diagnostics.map((d) => [d.code, d.severity, d.hint ? `${d.message}\nhint: ${d.hint}` : d.message, d.span!.file, d.span!.line, d.span!.column, d.span!.endLine, d.span!.endColumn]));
    // GitHub code scanning rejects the whole upload if a result has no location.
    expect(run!.results.every((r) => r.locations.length === 1)).toBe(true);
    // Relative URIs under %SRCROOT%, percent-encoded, never absolute paths.
    const uris = run!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
    expect(uris.every((u) => u.uriBaseId === "%SRCROOT%" && !u.uri.startsWith("/") && !u.uri.includes(" "))).toBe(true);
    expect(uris.map((u) => u.uri)).toContain("pipelines/with%20space/warns.ts");
    expect(sarif.stderr).not.toContain(dir);
    // One rule per code used, sorted, each with `gantry explain`'s title and text; indexes point at them.
    const ruleIds = run!.tool.driver.rules.map((r) => r.id);
    expect(ruleIds).toEqual([...new Set(diagnostics.map((d) => d.code))].sort());
    for (const r of run!.results) expect(run!.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    const explain = gantry(["explain", "GANTRY1105"]);
    const rule = run!.tool.driver.rules.find((r) => r.id === "GANTRY1105")!;
    expect(explain.stdout).toContain(rule.shortDescription.text);
    expect(explain.stdout.replace(/\s+/g, " ")).toContain(rule.fullDescription.text.replace(/\s+/g, " "));
    expect(run!.invocations[0]!.executionSuccessful).toBe(true);
  });

  it("a failure in a helper of another file carries its call sites: the same in every format, linked in SARIF", () => {
    const dir = tempProject({
      "lib/checks.ts": `export function region(r: string): string {\n  if (r !== "eu") throw new Error(\`unknown [region] \${r}\`);\n  return r;\n}\n`,
      "pipelines/a.ts": `import { pipeline } from "gantry";\nimport { region } from "../lib/checks.js";\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: region("ap") });\n});\n`,
    });
    const [json, sarif, github, text] = ["json", "sarif", "github", "text"].map((format) => gantry(["compile", "pipelines", "--format", format], dir));
    const [d] = JSON.parse(json!.stderr) as (JsonDiagnostic & { calledFrom?: { file: string; line: number; column: number }[] })[];
    expect(d!.span).toMatchObject({ file: "lib/checks.ts", line: 2, column: 19 });
    expect(d!.calledFrom).toEqual([{ file: "pipelines/a.ts", line: 4, column: 24, endLine: 4, endColumn: 36 }]);

    const log = JSON.parse(sarif!.stderr) as unknown;
    expectValid(log);
    const [result] = log.runs[0]!.results;
    // Brackets of the message are escaped once it has an embedded link.
    expect(result!.message.text).toBe(`the code throws here when the module runs: Error: unknown \\[region\\] ap\ncalled from [pipelines/a.ts:4:24](0)\nhint: ${d!.hint!.replace(/[[\]]/g, "\\$&")}`);
    expect(result!.relatedLocations).toEqual([
      { id: 0, message: { text: "called from here" }, physicalLocation: { artifactLocation: { uri: "pipelines/a.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 4, startColumn: 24, endLine: 4, endColumn: 36 } } },
    ]);

    expect(github!.stderr).toContain(`::error file=lib/checks.ts,line=2,col=19,endLine=2,endColumn=${d!.span!.endColumn! - 1},title=GANTRY1113::the code throws here when the module runs: Error: unknown [region] ap%0Acalled from pipelines/a.ts:4:24%0A`);
    expect(text!.stderr).toMatch(/\n {2}called from pipelines\/a\.ts:4:24\n {2}hint: /);
  });

  it("is byte-stable: the same sources give the same log, in any directory", () => {
    const files = { "pipelines/broken.ts": BROKEN };
    const a = gantry(["compile", "--format", "sarif"], tempProject(files));
    const b = gantry(["compile", "--format", "sarif"], tempProject(files));
    expect(a.stderr).toBe(b.stderr);
    // No clock and no tool version (SARIF's own "version" is the format's, 2.1.0).
    expect(a.stderr).not.toMatch(/\d{4}-\d\d-\d\dT|Time"|semanticVersion/);
    const log = JSON.parse(a.stderr) as SarifLog;
    expect(Object.keys(log.runs[0]!.tool.driver)).toEqual(["name", "rules"]);
  });

  it("brackets a message quotes are escaped even without call sites, so quoted text cannot become a link (diagnostics review finding)", () => {
    const src = `import { pipeline } from "gantry";\nexport default pipeline("l", {}, (p) => {\n  p.task("t", { image: (() => { throw new Error("see [docs](https://evil.example)"); })() });\n});\n`;
    const log = JSON.parse(gantry(["compile", "--format", "sarif"], tempProject({ "pipelines/l.ts": src })).stderr) as unknown;
    expectValid(log);
    const [result] = log.runs[0]!.results;
    expect(result!.relatedLocations).toBeUndefined();
    expect(result!.message.text).toContain("see \\[docs\\](https://evil.example)");
  });

  it("a clean compile prints an empty log (so code scanning closes fixed alerts) and writes the output", () => {
    const dir = tempProject({ "pipelines/ok.ts": WARNS.replace('console.log("side effect");\n', "") });
    const r = gantry(["compile", "--format", "sarif", "--out", "out"], dir);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stderr) as unknown;
    expectValid(log);
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.tool.driver.rules).toEqual([]);
    expect(fs.existsSync(path.join(dir, "out/warns.yaml"))).toBe(true);
  });

  it("a diagnostic without a place is a tool notification, not a result code scanning would reject", () => {
    const dir = tempProject({ "empty/.keep": "" });
    const r = gantry(["compile", "empty", "--format", "sarif"], dir);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stderr) as unknown;
    expectValid(log);
    const [run] = log.runs;
    expect(run!.results).toEqual([]);
    const notes = run!.invocations[0]!.toolExecutionNotifications;
    expect(notes.map((n) => [n.level, n.associatedRule.id])).toEqual([["error", "GANTRY1003"]]);
    expect(run!.tool.driver.rules[notes[0]!.associatedRule.index]!.id).toBe("GANTRY1003");
    expect(run!.invocations[0]!.executionSuccessful).toBe(false);
  });

  it("--check: each stale file is a result where a reviewer acts on it (the pipeline that makes it, else the file itself), the count a notification", () => {
    const OK = (name: string, tasks: string[]) => `import { pipeline } from "gantry";\n\nexport const x = pipeline("${name}", {}, (p) => {\n${tasks.map((t) => `  p.task("${t}", { image: "busybox:1.36" });\n`).join("")}});\n`;
    const dir = tempProject({ "pipelines/etl.ts": OK("etl", ["a"]), "pipelines/old.ts": OK("old", ["a"]) });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.rmSync(path.join(dir, "pipelines/old.ts"));
    fs.writeFileSync(path.join(dir, "pipelines/etl.ts"), "// moved down two lines\n\n" + OK("etl", ["a", "b"]));
    const r = gantry(["compile", "--check", "--format", "sarif"], dir);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stderr) as unknown;
    expectValid(log);
    const [run] = log.runs;
    const where = run!.results.map((x) => [x.message.text.split("\n")[0], x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region?.startLine]);
    expect(where).toEqual([
      ["manifests/etl.yaml is out of date (etl: tasks added: b)", "pipelines/etl.ts", 5],
      ["manifests/kustomization.yaml is out of date", "manifests/kustomization.yaml", 1],
      ["manifests/old.yaml is stale: no compiled pipeline makes it any more (old: pipeline removed)", "manifests/old.yaml", 1],
    ]);
    expect(run!.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text.split("\n")[0])).toEqual(["3 files in manifests differ from what the sources compile to"]);
    // the check ran: a difference is a finding, not a failed run (new-user trial)
    expect(run!.invocations[0]!.executionSuccessful).toBe(true);
    expect(r.stdout).toContain("  removed  old.yaml");
    // an added manifest points at its pipeline; once written, the log is empty and the check passes
    fs.writeFileSync(path.join(dir, "pipelines/new.ts"), OK("fresh", ["a"]));
    const added = JSON.parse(gantry(["compile", "--check", "--format", "json"], dir).stderr) as JsonDiagnostic[];
    expect(added).toContainEqual(expect.objectContaining({ message: 'manifests/fresh.yaml is missing: pipeline "fresh" compiles to it', span: { file: "pipelines/new.ts", line: 3, column: 1 } }));
    expect(gantry(["compile"], dir).code).toBe(0);
    const clean = gantry(["compile", "--check", "--format", "sarif"], dir);
    expect(clean.code).toBe(0);
    expect((JSON.parse(clean.stderr) as SarifLog).runs[0]!.results).toEqual([]);
  });

  it("--check: a graph or metadata file whose flag is now off is said so, at its pipeline; the count comes first, as GitHub shows only the first annotations (from review)", () => {
    const dir = tempProject({ "pipelines/etl.ts": `import { pipeline } from "gantry";\n\nexport default pipeline("etl", {}, (p) => {\n  p.task("a", { image: "busybox:1.36" });\n});\n` });
    expect(gantry(["compile", "--graph", "--metadata"], dir).code).toBe(0);
    const r = gantry(["compile", "--check", "--format", "github"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      "::error title=GANTRY5003::2 files in manifests differ from what the sources compile to%0ARun `gantry compile` and commit the result.",
      "::error file=pipelines/etl.ts,line=3,col=1,title=GANTRY5003::manifests/etl.md is no longer written (--graph is off)%0ARun `gantry compile` and commit the result.",
      "::error file=pipelines/etl.ts,line=3,col=1,title=GANTRY5003::manifests/etl.metadata.json is no longer written (--metadata is off)%0ARun `gantry compile` and commit the result.",
    ]);
  });

  it("--check: a stale file in an output folder outside the repository gets no place GitHub could not show (from review)", () => {
    const dir = tempProject({ "repo/.git/HEAD": "ref: refs/heads/main\n", "repo/app/pipelines/a.ts": `import { pipeline } from "gantry";\nexport default pipeline("a", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`, "repo/app/pipelines/b.ts": `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n` });
    const cwd = path.join(dir, "repo/app");
    for (const out of ["../../outside", "../manifests"]) {
      expect(gantry(["compile", "--out", out], cwd).code).toBe(0);
      fs.rmSync(path.join(cwd, "pipelines/b.ts"));
      const r = JSON.parse(gantry(["compile", "--check", "--out", out, "--format", "json"], cwd).stderr) as JsonDiagnostic[];
      const stale = r.find((d) => d.message.startsWith(`${out}/b.yaml is stale`));
      // outside: no span; inside the repository, though above the working directory: at the file
      expect(stale?.span, out).toEqual(out === "../manifests" ? { file: "../manifests/b.yaml", line: 1, column: 1 } : undefined);
      const sarif = gantry(["compile", "--check", "--out", out, "--format", "sarif"], cwd);
      const log = JSON.parse(sarif.stderr) as unknown;
      expectValid(log);
      const uris = log.runs[0]!.results.flatMap((x) => x.locations.map((l) => l.physicalLocation.artifactLocation.uri));
      expect(uris.every((u) => !u.startsWith("..")), uris.join(" ")).toBe(true);
      fs.writeFileSync(path.join(cwd, "pipelines/b.ts"), `import { pipeline } from "gantry";\nexport default pipeline("b", {}, (p) => {\n  p.task("t", { image: "busybox:1.36" });\n});\n`);
    }
  });

  it("configuration errors are reported in SARIF too, at the configuration file", () => {
    const dir = tempProject({ "gantry.config.json": '{\n  "target": "nomad"\n}\n', "pipelines/ok.ts": WARNS });
    const r = gantry(["compile", "--format", "sarif"], dir);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stderr) as unknown;
    expectValid(log);
    const result = log.runs[0]!.results[0]!;
    expect(result.ruleId).toBe("GANTRY5004");
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe("gantry.config.json");
    expect(result.locations[0]!.physicalLocation.region.startLine).toBe(2);
  });

  it("the schema check can fail: a log without its version or with a result lacking a message is rejected", () => {
    const dir = tempProject({ "pipelines/broken.ts": BROKEN });
    const log = JSON.parse(gantry(["compile", "--format", "sarif"], dir).stderr) as SarifLog;
    expect(validateSarif({ ...log, version: undefined })).toBe(false);
    const noMessage = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete noMessage.runs[0]!.results[0]!.message;
    expect(validateSarif(noMessage)).toBe(false);
  });
});

// Diagnostics review finding: GitHub resolves annotation and SARIF paths from the repository's
// root, and a compile run in a subfolder (as `gantry init` advises for one) named them from there.
describe("github and sarif name files from the repository root", () => {
  const project = () => {
    const repo = tempProject({ "deploy/pipelines/broken.ts": BROKEN, "deploy/lib/x.ts": "export const X = 1;\n" });
    fs.mkdirSync(path.join(repo, ".git"));
    return repo;
  };
  const githubFiles = (stderr: string) => [...stderr.matchAll(/^::error file=([^,]+),/gm)].map((m) => m[1]);
  const sarifUris = (stderr: string) => (JSON.parse(stderr) as SarifLog).runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);

  it("found by the .git folder above the working directory; text and JSON stay relative to the working directory", () => {
    const sub = path.join(project(), "deploy");
    expect(new Set(githubFiles(gantry(["compile", "--format", "github"], sub).stderr))).toEqual(new Set(["deploy/pipelines/broken.ts"]));
    const sarif = gantry(["compile", "--format", "sarif"], sub).stderr;
    expectValid(JSON.parse(sarif));
    expect(new Set(sarifUris(sarif))).toEqual(new Set(["deploy/pipelines/broken.ts"]));
    expect(new Set((JSON.parse(gantry(["compile", "--format", "json"], sub).stderr) as JsonDiagnostic[]).map((d) => d.span?.file))).toEqual(new Set(["pipelines/broken.ts"]));
    expect(gantry(["compile"], sub).stderr).toMatch(/^pipelines\/broken\.ts:\d+:\d+: error/m);
    // From a folder further down, a path up and back is written from the root.
    fs.mkdirSync(path.join(sub, "tools"));
    expect(new Set(githubFiles(gantry(["compile", "../pipelines", "--format", "github"], path.join(sub, "tools")).stderr))).toEqual(new Set(["deploy/pipelines/broken.ts"]));
  });

  it("GITHUB_WORKSPACE wins when the working directory is inside it; outside any repository, paths are as they are", () => {
    const repo = project();
    fs.mkdirSync(path.join(repo, "deploy/.git")); // a nested repository, which the checkout's root overrides
    const env = { GITHUB_WORKSPACE: repo };
    expect(new Set(githubFiles(gantry(["compile", "--format", "github"], path.join(repo, "deploy"), env).stderr))).toEqual(new Set(["deploy/pipelines/broken.ts"]));
    expect(new Set(githubFiles(gantry(["compile", "--format", "github"], path.join(repo, "deploy")).stderr))).toEqual(new Set(["pipelines/broken.ts"]));
    const loose = tempProject({ "pipelines/broken.ts": BROKEN });
    expect(new Set(githubFiles(gantry(["compile", "--format", "github"], loose, { GITHUB_WORKSPACE: repo }).stderr))).toEqual(new Set(["pipelines/broken.ts"]));
  });
});
