/**
 * The CLI on awkward input, through the real binary on real temporary files: conflicting and empty
 * flags (usage errors, exit 2), configuration files that cannot be read or carry a byte order mark,
 * a write that fails part way, `--version`, the grammar of `--check`, and which generated files a
 * compile of some of the sources may remove (only those of the sources it compiled, or of sources
 * that are gone), in `--check` and the kustomization too.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requestedFormat, type TakesValue } from "../src/cli/usage-errors.js";
import { gantry, gantryAsOtherUser, repoRoot, snapshotDir, tempProject } from "./support/cli.js";

const PIPELINE = (name: string, image = "busybox:1.36") => `import { pipeline } from "gantry";
export default pipeline("${name}", {}, (p) => {
  p.task("only", { image: "${image}" });
});
`;

/** No stack trace, no internal error: what every failure here must look like. */
function expectNoCrash(stderr: string): void {
  expect(stderr).not.toContain("internal error");
  expect(stderr).not.toMatch(/\n\s+at /);
}

const manifestsOf = (dir: string, out = "manifests") => Object.keys(snapshotDir(path.join(dir, out))).sort();
const kustomizationOf = (dir: string) => (parse(fs.readFileSync(path.join(dir, "manifests/kustomization.yaml"), "utf8")) as { resources: string[] }).resources;

describe("usage errors: conflicting and invalid option values exit 2 before anything is compiled", () => {
  it("--check --stdout is a usage error, not a check that checks nothing", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), PIPELINE("alpha", "busybox:1.37")); // out of date now
    for (const args of [["compile", "--check", "--stdout"], ["compile", "--stdout", "--check"]]) {
      const r = gantry(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/'--check' cannot be used with option '--stdout'|'--stdout' cannot be used with option '--check'/);
      expect(r.stdout).toBe("");
    }
  });

  it.each([
    [["compile", "--out", ""], "--out <dir>"],
    [["compile", "--target", "jobs", "--runtime-image", ""], "--runtime-image <image>"],
    [["compile", "--cache", "--cache-location", ""], "--cache-location <dir>"],
  ])("%j is a usage error: an empty value", (args, flag) => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    const r = gantry(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag}' argument '' is invalid. It must not be empty.`);
    expect(fs.readdirSync(dir).sort()).toEqual(["pipelines"]); // nothing written, into the cwd least of all
  });

  it("an empty path is a usage error, not the whole working directory", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "other/b.ts": PIPELINE("beta") });
    const r = gantry(["compile", ""], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("gantry compile: a path must not be empty\n");
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    const graph = gantry(["graph", ""], dir);
    expect(graph.code).toBe(2);
    expect(graph.stdout).toBe("");
    expect(graph.stderr).toContain("It must not be empty.");
  });

  it("an invalid --run-id is a usage error with its code, in the format asked for", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    const r = gantry(["compile", "--target", "jobs", "--run-id", "R_1"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error GANTRY4016: --run-id "R_1" must be 1-20 lowercase letters');
    expectNoCrash(r.stderr);
    const json = gantry(["compile", "--target", "jobs", "--run-id", "x".repeat(21), "--format", "json"], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject([{ code: "GANTRY4016", severity: "error" }]);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    expect(gantry(["compile", "--target", "jobs", "--run-id", "2026-11-21"], dir).code).toBe(0);
    expect(gantry(["explain", "GANTRY4016"]).stdout).toContain("usage error (exit code 2)");
  });

  it("under --format json, sarif or github a usage error is GANTRY5007 in that format, so a CI step reading the report gets a document", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    // commander's own errors (unknown option, invalid choice, conflict), the format named before or after
    const json = gantry(["compile", "--bogus", "--format", "json"], dir);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe("");
    expect(JSON.parse(json.stderr)).toEqual([
      { code: "GANTRY5007", severity: "error", message: "unknown option '--bogus'", hint: "Run `gantry compile --help` for the options and their values." },
    ]);
    const sarif = gantry(["compile", "-fsarif", "--target", "xyz"], dir);
    expect(sarif.code).toBe(2);
    const run = (JSON.parse(sarif.stderr) as { runs: { results: unknown[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; associatedRule: { id: string } }[] }[] }[] }).runs[0]!;
    expect(run.results).toEqual([]);
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications).toMatchObject([{ level: "error", associatedRule: { id: "GANTRY5007" } }]);
    expect(run.invocations[0]!.toolExecutionNotifications[0]!.message.text).toContain("argument 'xyz' is invalid. Allowed choices are argo, jobs.");
    const github = gantry(["compile", "--stdout", "--check", "--format=github"], dir);
    expect(github.code).toBe(2);
    expect(github.stderr).toMatch(/^::error title=GANTRY5007::option '--(check|stdout)' cannot be used with option '--(stdout|check)'%0ARun `gantry compile --help`[^\n]*\n$/);
    // Gantry's own usage errors, found once the options are read
    for (const args of [["compile", "--format", "json", "--run-id", "r1"], ["compile", "--format", "json", ""], ["compile", "--format", "json", "--cache-location", "c"]]) {
      const r = gantry(args, dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(JSON.parse(r.stderr)).toMatchObject([{ code: "GANTRY5007", severity: "error" }]);
    }
    // text stays one plain line; an unusable --format cannot choose a format, so it is text too
    expect(gantry(["compile", "--bogus"], dir).stderr).toBe("error: unknown option '--bogus'\n(run with --help for usage)\n");
    expect(gantry(["compile", "--run-id", "r1"], dir).stderr).toBe("gantry compile: --run-id applies to --target jobs only\n");
    expect(gantry(["compile", "--format", "xml", "--bogus"], dir).stderr).toMatch(/^error: option '-f, --format <format>' argument 'xml' is invalid/);
    expect(gantry(["compile", "--format", "json", "--help"], dir).code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(["pipelines"]);
  });

  it("the format of a usage error is the --format commander would take: the last valid one before --, other options' values skipped, short options clustered", () => {
    const takes: TakesValue = (flag) => (["-f", "--format", "-o", "--out", "--run-id"].includes(flag) ? "required" : flag === "--maybe" ? "optional" : undefined);
    expect(requestedFormat(["compile", "-f", "json", "--format=sarif"], takes)).toBe("sarif");
    expect(requestedFormat(["compile", "-fgithub"], takes)).toBe("github");
    expect(requestedFormat(["compile", "--format", "json", "--format", "xml"], takes)).toBe("json");
    expect(requestedFormat(["compile", "--", "-f", "json"], takes)).toBeUndefined();
    expect(requestedFormat(["graph", "-f", "json"], takes)).toBeUndefined();
    expect(requestedFormat(["compile", "--format"], takes)).toBeUndefined();
    // from review: what commander makes of these
    expect(requestedFormat(["compile", "-f", "github", "-wfjson"], takes)).toBe("json");
    expect(requestedFormat(["compile", "-wf", "json"], takes)).toBe("json");
    expect(requestedFormat(["compile", "--out", "-f", "sarif"], takes)).toBeUndefined(); // a folder named -f
    expect(requestedFormat(["compile", "-o", "-f", "sarif"], takes)).toBeUndefined();
    expect(requestedFormat(["compile", "--run-id", "-f", "--format", "json"], takes)).toBe("json");
    expect(requestedFormat(["compile", "--maybe", "-f", "json"], takes)).toBe("json"); // an optional value is not an option
    expect(requestedFormat(["compile", "--maybe", "x", "-f", "json"], takes)).toBe("json");
  });

  it("the real command line agrees: a cluster names the format, another option's value does not", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    expect(JSON.parse(gantry(["compile", "-f", "github", "-wfjson", "--bogus"], dir).stderr)).toMatchObject([{ code: "GANTRY5007" }]);
    expect(gantry(["compile", "--out", "-f", "sarif", "--bogus"], dir).stderr).toBe("error: unknown option '--bogus'\n(run with --help for usage)\n");
  });

  it("README's exit codes name invalid option values and conflicts as usage errors", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8").replace(/\s+/g, " ");
    expect(readme).toMatch(/`2`: usage error \(unknown option, invalid option value: .*an invalid `--run-id`, `--runtime-image` or `--idle-timeout`; conflicting options such as `--check --stdout`/);
  });
});

describe("--version", () => {
  it("prints package.json's version, and the version appears in no manifest", () => {
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const r = gantry([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    expect(gantry(["compile", "--metadata", "--graph"], dir).code).toBe(0);
    for (const text of Object.values(snapshotDir(path.join(dir, "manifests")))) expect(text).not.toContain(version);
  });
});

describe("configuration files that cannot be read", () => {
  it("a gantry.config.json that is a directory is GANTRY5004 naming it and why, exit 1", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "gantry.config.json/.keep": "" });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY5004: gantry.config.json cannot be read: it is a directory");
    expectNoCrash(r.stderr);
    expect(fs.existsSync(path.join(dir, "manifests"))).toBe(false);
    const json = gantry(["compile", "--format", "json"], dir);
    expect(JSON.parse(json.stderr)).toMatchObject([{ code: "GANTRY5004", message: "gantry.config.json cannot be read: it is a directory" }]);
  });

  it("a package.json that is a directory, without gantry.config.json, likewise", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "package.json/.keep": "" });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY5004: package.json cannot be read: it is a directory");
    expectNoCrash(r.stderr);
  });

  it.skipIf(spawnSync("mkfifo", ["--version"]).status !== 0)("a gantry.config.json that is a FIFO is GANTRY5004 at once, not a read that never returns", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    expect(spawnSync("mkfifo", [path.join(dir, "gantry.config.json")]).status).toBe(0);
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY5004: gantry.config.json cannot be read: it is not a regular file");
  });

  const asOtherUser = gantryAsOtherUser();
  it.skipIf(asOtherUser === undefined)("an unreadable gantry.config.json or package.json says permission denied, exit 1", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "gantry.config.json": '{ "out": "deploy" }\n' });
    spawnSync("chmod", ["-R", "a+rwX", dir]);
    fs.chmodSync(path.join(dir, "gantry.config.json"), 0o000);
    const r = asOtherUser!(["compile"], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("error GANTRY5004: gantry.config.json cannot be read: permission denied");
    expectNoCrash(r.stderr);

    fs.rmSync(path.join(dir, "gantry.config.json"));
    fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "x" }\n');
    fs.chmodSync(path.join(dir, "package.json"), 0o000);
    const pkg = asOtherUser!(["compile"], dir);
    expect(pkg.code, pkg.stderr).toBe(1);
    expect(pkg.stderr).toContain("error GANTRY5004: package.json cannot be read: permission denied");
    expectNoCrash(pkg.stderr);
  });

  it("a byte order mark at the start is accepted, and positions of problems stay right", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "gantry.config.json": '\uFEFF{ "out": "deploy" }\n' });
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(manifestsOf(dir, "deploy")).toEqual(["alpha.yaml", "kustomization.yaml"]);
    fs.writeFileSync(path.join(dir, "gantry.config.json"), '\uFEFF{\n  "outt": "deploy"\n}\n');
    expect(gantry(["compile"], dir).stderr).toContain('gantry.config.json:2:3: error GANTRY5004: gantry.config.json: unknown setting "outt"');
  });

  it.each([
    ["unterminated", '{\n  "out": "deploy"\n', 3, 1],
    ["an unterminated string", '{\n  "out": "deploy\n}\n', 2, 17],
    ["a value missing", '{\n  "kind": "auto",\n  "out": }\n', 3, 10],
    ["a trailing comma", '{\n  "out": "deploy",\n}\n', 3, 1],
  ])("invalid JSON (%s) is GANTRY5004 at its real place, with a code frame", (_, text, line, column) => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "gantry.config.json": text });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`gantry.config.json:${line}:${column}: error GANTRY5004: gantry.config.json is not valid JSON`);
    expect(r.stderr).toMatch(new RegExp(`\\n> *${line} \\|`)); // the code frame
    expect(r.stderr.split("\n")[1]).toMatch(/^[ >] +\d+ \|/); // a one-line message (V8 quotes the text around a token, line breaks and all)
    expectNoCrash(r.stderr);
  });
});

describe("source files that are not UTF-8", () => {
  it("a pipeline saved as UTF-16 (Windows PowerShell's >) is GANTRY1002 with a hint to save it as UTF-8 (adversarial finding)", () => {
    const dir = tempProject({});
    const text = `import { pipeline } from "gantry";\nexport default pipeline("p", {}, (p) => { p.task("t", { image: "busybox:1.36" }); });\n`;
    fs.writeFileSync(path.join(dir, "p.ts"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const r = gantry(["compile", "p.ts", "--stdout"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("p.ts:1:1: error GANTRY1002: File appears to be binary.");
    expect(r.stderr).toContain("hint: If this is a source file, it is not UTF-8: save it as UTF-8");
  });
});

describe("a write that fails part way", () => {
  it("a folder where a manifest goes is refused before anything is written (it used to fail the rename after others were replaced)", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("aaa"), "pipelines/b.ts": PIPELINE("bbb"), "manifests/bbb.yaml/.keep": "" });
    const before = snapshotDir(path.join(dir, "manifests"));
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error GANTRY5002: \S*manifests\/bbb\.yaml exists and is not a regular file; it is in the way of the manifest Gantry writes there/);
    expect(r.stderr).toMatch(/nothing was written\.\n$/);
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
    // (A rename failing after others succeeded, which the summary then names, is write.test.ts's.)
  });
});

describe("--check's messages", () => {
  it("one file differs; two files differ; up to date (1 file)", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha"), "pipelines/b.ts": PIPELINE("beta") });
    expect(gantry(["compile", "--no-kustomization"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), PIPELINE("alpha", "busybox:1.37"));
    expect(gantry(["compile", "--check", "--no-kustomization"], dir).stderr).toContain("error GANTRY5003: 1 file in manifests differs from what the sources compile to");
    fs.writeFileSync(path.join(dir, "pipelines/b.ts"), PIPELINE("beta", "busybox:1.37"));
    expect(gantry(["compile", "--check", "--no-kustomization"], dir).stderr).toContain("error GANTRY5003: 2 files in manifests differ from what the sources compile to");
    const one = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    expect(gantry(["compile", "--no-kustomization"], one).code).toBe(0);
    expect(gantry(["compile", "--check", "--no-kustomization"], one).stderr).toBe("manifests is up to date (1 file).\n");
  });
});

describe("which generated files a compile removes", () => {
  const project = () =>
    tempProject({
      "pipelines/a.ts": PIPELINE("alpha"),
      "pipelines/b.ts": PIPELINE("beta"),
      "pipelines/c.ts": PIPELINE("gamma"),
      "lib/steps.ts": "export const image = \"busybox:1.36\";\n",
    });
  const ALL = ["alpha.yaml", "beta.yaml", "gamma.yaml", "kustomization.yaml"];
  const KEPT = (n: number) => `kept ${n} generated file${n === 1 ? "" : "s"} this run did not write (a compile of part of the project removes none; compile every input to remove stale ones)`;

  it("a compile of one file keeps the other pipelines' manifests, says so, and the kustomization still lists them", () => {
    const dir = project();
    expect(gantry(["compile"], dir).code).toBe(0);
    const r = gantry(["compile", "pipelines/a.ts"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`compiled 1 pipeline into manifests: 0 written, 2 unchanged, ${KEPT(2)}.\n`);
    expect(manifestsOf(dir)).toEqual(ALL);
    expect(kustomizationOf(dir)).toEqual(["alpha.yaml", "beta.yaml", "gamma.yaml"]);
    const check = gantry(["compile", "pipelines/a.ts", "--check"], dir);
    expect(check.code).toBe(0);
    expect(check.stderr).toBe(`manifests is up to date (2 files; left unchecked: ${KEPT(2).slice("kept ".length)}).\n`);
  });

  it("a compile of a folder without pipelines removes nothing", () => {
    const dir = project();
    expect(gantry(["compile", "--graph", "--metadata"], dir).code).toBe(0);
    const before = snapshotDir(path.join(dir, "manifests"));
    const r = gantry(["compile", "lib", "--graph", "--metadata"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`compiled 0 pipelines into manifests: 0 written, 1 unchanged, ${KEPT(9)}.`);
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
    expect(gantry(["compile", "lib", "--check", "--graph", "--metadata"], dir).code).toBe(0);
  });

  it("a deleted source's and a renamed pipeline's files stay through a compile of part of the project, and go with a compile of all of it; --check agrees", () => {
    const dir = project();
    expect(gantry(["compile", "--graph", "--metadata"], dir).code).toBe(0);
    fs.rmSync(path.join(dir, "pipelines/b.ts"));
    fs.writeFileSync(path.join(dir, "pipelines/c.ts"), PIPELINE("delta"));
    const part = gantry(["compile", "pipelines/c.ts", "--graph", "--metadata"], dir);
    expect(part.code, part.stderr).toBe(0);
    expect(part.stderr).toContain(KEPT(9));
    expect(kustomizationOf(dir)).toEqual(["alpha.yaml", "beta.yaml", "delta.yaml", "gamma.yaml"]);
    for (const args of [["--check"], ["pipelines", "--check"]]) {
      const check = gantry(["compile", ...args, "--graph", "--metadata"], dir);
      expect(check.code).toBe(1);
      for (const f of ["beta.yaml", "beta.md", "beta.metadata.json", "gamma.yaml"]) expect(check.stdout).toContain(`  removed  ${f}\n`);
      expect(check.stdout).not.toMatch(/removed {2}(alpha|delta)/);
    }
    const all = gantry(["compile", "pipelines", "--graph", "--metadata"], dir);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toContain("6 removed (beta.md, beta.metadata.json, beta.yaml, gamma.md, gamma.metadata.json, gamma.yaml).");
    expect(kustomizationOf(dir)).toEqual(["alpha.yaml", "delta.yaml"]);
  });

  it("a helper that is itself an entry: compiling it alone keeps what other entries make with it (from review: it removed them)", () => {
    const base = `import { pipeline } from "gantry";\nexport const make = (name: string) => pipeline(name, {}, (p) => { p.task("only", { image: "busybox:1.36" }); });\nexport default make("base");\n`;
    const dir = tempProject({ "pipelines/base.ts": base, "pipelines/c.ts": `import { make } from "./base";\nexport default make("gamma");\n` });
    expect(gantry(["compile"], dir).code).toBe(0);
    const r = gantry(["compile", "pipelines/base.ts"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(manifestsOf(dir)).toEqual(["base.yaml", "gamma.yaml", "kustomization.yaml"]);
    expect(kustomizationOf(dir)).toEqual(["base.yaml", "gamma.yaml"]);
  });

  it("a compile from a subfolder, where the project's inputs are not, removes nothing (from review: it removed what it took for deleted sources)", () => {
    const dir = project();
    expect(gantry(["compile"], dir).code).toBe(0);
    const r = gantry(["compile", "b.ts", "--out", "../manifests"], path.join(dir, "pipelines"));
    expect(r.code, r.stderr).toBe(0);
    expect(manifestsOf(dir)).toEqual(ALL);
  });

  it("narrowing `include` and compiling removes the files of pipelines no longer included (from review: they were kept for ever)", () => {
    const dir = tempProject({ "pipelines/prod/a.ts": PIPELINE("alpha"), "pipelines/dev/b.ts": PIPELINE("beta") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "gantry.config.json"), JSON.stringify({ include: ["pipelines/prod"] }));
    expect(gantry(["compile", "--check"], dir).stdout).toContain("  removed  beta.yaml\n");
    const r = gantry(["compile"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("1 removed (beta.yaml)");
    expect(manifestsOf(dir)).toEqual(["alpha.yaml", "kustomization.yaml"]);
  });

  it("a compile of part of the project does not replace the manifest another source made under the same name: GANTRY2009, as a whole compile says (from review)", () => {
    const dir = project();
    expect(gantry(["compile"], dir).code).toBe(0);
    const before = snapshotDir(path.join(dir, "manifests"));
    fs.writeFileSync(path.join(dir, "pipelines/b.ts"), PIPELINE("alpha"));
    const part = gantry(["compile", "pipelines/b.ts"], dir);
    expect(part.code).toBe(1);
    expect(part.stderr).toContain('error GANTRY2009: pipeline "alpha" of pipelines/b.ts would replace alpha.yaml, which pipelines/a.ts made and this run did not compile');
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
    expect(gantry(["compile"], dir).stderr).toContain("GANTRY2009");
    // Moved on purpose: compiling both files (here the whole project) is how to say so.
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), PIPELINE("omega"));
    expect(gantry(["compile", "pipelines/a.ts", "pipelines/b.ts"], dir).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "manifests/alpha.yaml"), "utf8")).toMatch(/^# Generated by gantry from pipelines\/b\.ts\./);
  });

  it("the same through a shared factory: the header names the entry that called it, so a partial compile of another entry cannot take the manifest over (from review)", () => {
    const make = `import { pipeline } from "gantry";\nexport const mk = (name: string, image: string) => pipeline(name, {}, (p) => { p.task("only", { image }); });\n`;
    const dir = tempProject({
      "lib/mk.ts": make,
      "pipelines/a.ts": `import { mk } from "../lib/mk";\nexport default mk("p-a", "image-of-a:1");\n`,
      "pipelines/b.ts": `import { mk } from "../lib/mk";\nexport default mk("p-shared", "image-of-b:1");\n`,
    });
    expect(gantry(["compile"], dir).code).toBe(0);
    const shared = () => fs.readFileSync(path.join(dir, "manifests/p-shared.yaml"), "utf8");
    expect(shared().split("\n")[0]).toBe("# Generated by gantry from lib/mk.ts (called from pipelines/b.ts). Do not edit: change the source and run `gantry compile`.");
    const before = snapshotDir(path.join(dir, "manifests"));
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), `import { mk } from "../lib/mk";\nexport default mk("p-shared", "image-of-a:1");\n`);
    const part = gantry(["compile", "pipelines/a.ts"], dir);
    expect(part.code).toBe(1);
    expect(part.stderr).toContain('error GANTRY2009: pipeline "p-shared" of lib/mk.ts would replace p-shared.yaml, which pipelines/b.ts made and this run did not compile');
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
    // Its own entry recompiles it as before.
    expect(gantry(["compile", "pipelines/b.ts"], dir).code).toBe(0);
    expect(shared()).toContain("image-of-b:1");
  });

  it("the header names the module whose code made the pipeline, whichever entry reaches it: a module-level pipeline two entries re-export, or one a shared module makes with a factory, recompiles from either entry", () => {
    const dir = tempProject({
      "lib/mk.ts": `import { pipeline } from "gantry";\nexport const mk = (name: string) => pipeline(name, {}, (p) => { p.task("only", { image: "busybox:1.36" }); });\n`,
      "lib/shared.ts": `import { pipeline } from "gantry";\nexport const shared = pipeline("shared", {}, (p) => { p.task("only", { image: "busybox:1.36" }); });\n`,
      "lib/all.ts": `import { mk } from "./mk";\nexport const made = mk("made");\n`,
      "pipelines/a.ts": `export { shared } from "../lib/shared";\nexport { made } from "../lib/all";\n`,
      "pipelines/b.ts": `export { shared as again } from "../lib/shared";\nexport { made as also } from "../lib/all";\n`,
    });
    expect(gantry(["compile"], dir).code).toBe(0);
    const header = (name: string) => fs.readFileSync(path.join(dir, `manifests/${name}.yaml`), "utf8").split("\n")[0];
    expect(header("shared")).toBe("# Generated by gantry from lib/shared.ts. Do not edit: change the source and run `gantry compile`.");
    expect(header("made")).toBe("# Generated by gantry from lib/mk.ts (called from lib/all.ts). Do not edit: change the source and run `gantry compile`.");
    for (const entry of ["pipelines/a.ts", "pipelines/b.ts"]) {
      const r = gantry(["compile", entry], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("0 written");
    }
  });

  it("pipelines made by a shared helper: a compile of some entries keeps the others' files, a compile of all removes stale ones", () => {
    const make = `import { pipeline } from "gantry";\nexport const make = (name: string) => pipeline(name, {}, (p) => { p.task("only", { image: "busybox:1.36" }); });\n`;
    const dir = tempProject({
      "lib/make.ts": make,
      "pipelines/a.ts": `import { make } from "../lib/make";\nexport default make("alpha");\n`,
      "pipelines/b.ts": `import { make } from "../lib/make";\nexport default make("beta");\n`,
    });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/a.ts"), `import { make } from "../lib/make";\nexport default make("omega");\n`);
    const some = gantry(["compile", "pipelines/a.ts"], dir);
    expect(some.code, some.stderr).toBe(0);
    expect(manifestsOf(dir)).toEqual(["alpha.yaml", "beta.yaml", "kustomization.yaml", "omega.yaml"]);
    expect(gantry(["compile", "--check"], dir).stdout).toContain("  removed  alpha.yaml\n");
    const all = gantry(["compile", "pipelines"], dir);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toContain("1 removed (alpha.yaml)");
    expect(manifestsOf(dir)).toEqual(["beta.yaml", "kustomization.yaml", "omega.yaml"]);
  });
});

describe("colour", () => {
  it("README says what the code does: colour is off when NO_COLOR is set to a non-empty value", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8").replace(/\s+/g, " ");
    expect(readme).not.toContain("`NO_COLOR` is unset");
    expect(readme).toContain("Colour is used only when stderr is a terminal and `NO_COLOR` is not set to a non-empty value");
    // The code: main.ts turns colour off for a non-empty NO_COLOR only (test/cli.test.ts runs it on a terminal).
    expect(fs.readFileSync(path.join(repoRoot, "src/cli/main.ts"), "utf8")).toContain("return Boolean(stream.isTTY) && !env.NO_COLOR && ");
  });
});

describe("ownership of the output directory", () => {
  it("a user's file whose first line merely starts like Gantry's header is never removed, checked or overwritten", () => {
    const dir = tempProject({ "pipelines/a.ts": PIPELINE("alpha") });
    const mine = {
      "team-notes.yaml": "# Generated by gantry-docs; hand-maintained\nnotes: []\n",
      "RUNBOOK.md": "<!-- Generated by gantry_wiki exporter -->\n# Runbook\n",
      "dash.json": '{\n  "$comment": "Generated by gantry-dashboards",\n  "panels": []\n}\n',
    };
    fs.mkdirSync(path.join(dir, "manifests"));
    for (const [file, text] of Object.entries(mine)) fs.writeFileSync(path.join(dir, "manifests", file), text);
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("removed");
    for (const [file, text] of Object.entries(mine)) expect(fs.readFileSync(path.join(dir, "manifests", file), "utf8")).toBe(text);
    expect(gantry(["compile", "--check"], dir).code).toBe(0);
    // One that takes a manifest's name is GANTRY5002, not overwritten.
    fs.writeFileSync(path.join(dir, "manifests/alpha.yaml"), "# Generated by gantry-docs\n");
    const clash = gantry(["compile"], dir);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("GANTRY5002");
  });
});
