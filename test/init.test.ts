/**
 * `gantry init`: writes exactly the files of templates/init, never overwrites (refuses and writes
 * nothing), and what it writes works: the example compiles with the real CLI, the scaffolded
 * snapshot test passes against those manifests (and fails when they are stale), and both files
 * type-check against the package's types.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import type { Io } from "../src/cli/compile-command.js";
import { registerInit, runInit, templateFiles } from "../src/cli/init-command.js";
import { gantry, repoRoot, snapshotDir, tempProject } from "./support/cli.js";
import { fakeIo } from "./support/fake-io.js";

const TEMPLATES = path.join(repoRoot, "templates/init");
const EXPECTED = [".github/workflows/gantry.yml", "gantry.config.json", "pipelines/hello.ts", "test/pipelines.test.ts"];

const temps: string[] = [];
const project = (files: Record<string, string> = {}): string => {
  const dir = tempProject(files);
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});


/** The template files with their contents, keyed as snapshotDir keys them (platform separators). */
function templateContents(prefix = ""): Record<string, string> {
  return Object.fromEntries(EXPECTED.map((rel) => [path.join(prefix, rel), fs.readFileSync(path.join(TEMPLATES, rel), "utf8")]));
}

describe("templates/init", () => {
  it("holds exactly the scaffold, in a fixed order", () => {
    expect(templateFiles()).toEqual(EXPECTED);
  });

  it("gantry.config.json has the shape the config loader reads", () => {
    expect(JSON.parse(fs.readFileSync(path.join(TEMPLATES, "gantry.config.json"), "utf8"))).toEqual({
      $schema: "./node_modules/gantry/gantry.config.schema.json",
      include: ["pipelines"],
      out: "manifests",
    });
  });

  it("ships with the package (package.json files)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("templates");
  });

  it("the docs that hints, --help and explain name ship with the package, so an installed gantry's pointers lead somewhere (new-user trial)", () => {
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" });
    expect(packed.status, packed.stderr).toBe(0);
    const files = new Set((JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const sources = fs.readdirSync(path.join(repoRoot, "src"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const named = new Set(sources.flatMap((f) => [...fs.readFileSync(path.join(repoRoot, "src", f), "utf8").matchAll(/docs\/[a-z-]+\.md/g)].map((m) => m[0])));
    expect(named.size).toBeGreaterThan(3);
    for (const doc of named) expect(files.has(doc), doc).toBe(true);
    expect(files.has("README.md")).toBe(true);
  });

  it("the workflow checks out, sets up Node 20 with the npm cache, installs, runs compile --check and vitest", () => {
    const yml = fs.readFileSync(path.join(TEMPLATES, ".github/workflows/gantry.yml"), "utf8");
    const runs = [...yml.matchAll(/^\s+- (?:uses|run): (.+)$/gm)].map((m) => m[1]);
    expect(runs).toEqual(["actions/checkout@v4", "actions/setup-node@v4", "npm ci", "npx gantry compile --check --format github", "npx vitest run"]);
    expect(yml).toMatch(/node-version: 20\n\s+cache: npm/);
  });
});

describe("runInit", () => {
  it("the example pipeline passes its run parameter to the shell as an environment variable, never in the script (review: a value could inject commands)", () => {
    const dir = tempProject({ "pipelines/hello.ts": fs.readFileSync(path.join(TEMPLATES, "pipelines/hello.ts"), "utf8") });
    const r = gantry(["compile", "--stdout"], dir);
    expect(r.code, r.stderr).toBe(0);
    const scripts = [...r.stdout.matchAll(/- sh\n\s+- -c\n\s+args:\n\s+- (.*)\n/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['echo "greeted $NAME"']);
    expect(r.stdout).toMatch(/- name: NAME\n\s+value: "\{\{workflow\.parameters\.name\}\}"\n/);
  });

  it("an empty folder argument is a usage error, not a scaffold into the working directory (from review)", () => {
    const dir = tempProject({});
    const r = gantry(["init", ""], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("It must not be empty.");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("creates exactly the template files, with their contents, and prints them and the next steps", async () => {
    const dir = project();
    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(0);
    expect(snapshotDir(dir)).toEqual(templateContents());
    expect(io.err).toBe("");
    expect(io.out).toBe(
      [
        "created 4 files:",
        ...EXPECTED.map((rel) => `  ${rel}`),
        "",
        "Next steps:",
        "  npm install --save-dev vitest <gantry>",
        "  npx gantry compile",
        "  npx vitest run",
        "",
        "<gantry> is where your team gets Gantry (it is not on the public npm registry): your own",
        "registry's `gantry`, a tarball that `npm pack` made in a Gantry checkout, or `git+<its repository URL>`.",
        "",
        "`gantry compile` writes manifests/; commit it with your pipelines. CI then fails when they",
        "disagree (`gantry compile --check`, and the snapshot test in test/pipelines.test.ts).",
        "Commit package.json and package-lock.json too: the workflow installs with `npm ci`.",
        "Keep node_modules/ out of git (a .gitignore line).",
        "",
      ].join("\n"),
    );
  });

  it("creates a missing folder and starts the next steps with cd into it", async () => {
    const dir = project();
    const io = fakeIo(dir);
    expect(await runInit("repos/new", {}, io)).toBe(0);
    expect(snapshotDir(dir)).toEqual(templateContents("repos/new"));
    expect(io.out).toContain("created 4 files in repos/new:\n  repos/new/.github/workflows/gantry.yml\n");
    expect(io.out).toContain("Next steps:\n  cd repos/new\n  npm install --save-dev vitest <gantry>\n");
  });

  it("quotes the folder in the cd step when the shell would read it otherwise (CLI review finding: `cd $(touch x)` ran a command)", async () => {
    const dir = project();
    const cases: [string, string][] = [["sp ace", "cd 'sp ace'"], ["it's", "cd 'it'\\''s'"], ["$(touch pwned)", "cd '$(touch pwned)'"], ["plain-dir_1.x", "cd plain-dir_1.x"]];
    for (const [folder, cd] of cases) {
      const io = fakeIo(dir);
      expect(await runInit(folder, {}, io)).toBe(0);
      expect(io.out).toContain(`Next steps:\n  ${cd}\n`);
    }
    expect(fs.existsSync(path.join(dir, "pwned"))).toBe(false);
  });

  it("a folder it cannot check (a symbolic link loop, a name too long) is an error, exit 1, not an internal error (CLI review finding: exit 70 with a stack trace)", async () => {
    const dir = project();
    fs.symlinkSync("loop", path.join(dir, "loop"));
    const io = fakeIo(dir);
    expect(await runInit("loop/x", {}, io)).toBe(1);
    expect(io.err).toBe("cannot check loop/x: too many levels of symbolic links\nnothing was written.\n");
    const long = fakeIo(dir);
    expect(await runInit("a".repeat(300), {}, long)).toBe(1);
    expect(long.err).toMatch(/^cannot check a{300}: its name is too long\nnothing was written\.\n$/);
    expect(fs.readdirSync(dir)).toEqual(["loop"]);
  });

  it("refuses a second run, lists every existing file and changes nothing", async () => {
    const dir = project();
    expect(await runInit(".", {}, fakeIo(dir))).toBe(0);
    fs.appendFileSync(path.join(dir, "pipelines/hello.ts"), "// edited\n");
    const before = snapshotDir(dir);

    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toBe(
      [
        "refusing to overwrite existing files:",
        ...EXPECTED.map((rel) => `  ${rel}`),
        "nothing was written. Move them away, or run `gantry init <dir>` to scaffold into another folder.",
        "",
      ].join("\n"),
    );
    expect(snapshotDir(dir)).toEqual(before);
  });

  it("refuses a folder whose package.json holds a Gantry configuration, which gantry.config.json would silently replace (adversarial finding)", async () => {
    const pkg = JSON.stringify({ name: "flows", gantry: { include: ["flows"], out: "k8s" } });
    const dir = project({ "package.json": pkg });
    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(1);
    expect(io.err).toContain('  package.json (its "gantry" key is a configuration, which gantry.config.json would replace)\nnothing was written.');
    expect(snapshotDir(dir)).toEqual({ "package.json": pkg });
    // A package.json without the key is no obstacle.
    const plain = project({ "package.json": JSON.stringify({ name: "flows" }) });
    expect(await runInit(".", {}, fakeIo(plain))).toBe(0);
  });

  it("in a folder below a git repository's root, says where GitHub looks for workflows (adversarial finding)", async () => {
    const dir = project({ ".git/HEAD": "ref: refs/heads/main\n" });
    const io = fakeIo(dir);
    expect(await runInit("teams/data", {}, io)).toBe(0);
    // Steps that `uses:` an action take no working-directory (actionlint refuses it): the job's run
    // defaults, and setup-node's cache pointed at the subfolder's lock file (CLI review finding).
    expect(io.out).toContain(
      [
        "GitHub runs workflows only from the repository's root (.): move",
        "teams/data/.github/workflows/gantry.yml to its .github/workflows/, and in it run the steps in this folder",
        "(`defaults: { run: { working-directory: teams/data } }` under `check:`) and point",
        "setup-node's cache at its lock file (`cache-dependency-path: teams/data/package-lock.json`).\n",
      ].join("\n"),
    );
    // At the root itself: nothing to say.
    const atRoot = fakeIo(dir);
    expect(await runInit(".", {}, atRoot)).toBe(0);
    expect(atRoot.out).not.toContain("GitHub runs workflows");
  });

  it("refuses a partly populated folder without writing any other file or folder", async () => {
    const dir = project({ "pipelines/hello.ts": "// mine\n" });
    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(1);
    expect(io.err).toMatch(/^refusing to overwrite existing files:\n {2}pipelines\/hello\.ts\nnothing was written\./);
    expect(snapshotDir(dir)).toEqual({ [path.join("pipelines", "hello.ts")]: "// mine\n" });
    expect(fs.readdirSync(dir)).toEqual(["pipelines"]);
  });

  it("lists paths relative to the working directory when scaffolding into another folder", async () => {
    const dir = project({ "sub/gantry.config.json": "{}\n" });
    const io = fakeIo(dir);
    expect(await runInit("sub", {}, io)).toBe(1);
    expect(io.err).toContain("refusing to overwrite existing files:\n  sub/gantry.config.json\n");
    expect(snapshotDir(dir)).toEqual({ [path.join("sub", "gantry.config.json")]: "{}\n" });
  });

  it("refuses when a file sits where a folder must go, or the target itself is a file", async () => {
    const dir = project({ test: "not a folder\n", ".github": "neither\n" });
    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(1);
    expect(io.err).toContain("refusing to overwrite existing files:\n  .github\n  test\nnothing");
    expect(snapshotDir(dir)).toEqual({ test: "not a folder\n", ".github": "neither\n" });

    const file = project({ "a-file": "x\n" });
    const io2 = fakeIo(file);
    expect(await runInit("a-file", {}, io2)).toBe(1);
    expect(io2.err).toContain("refusing to overwrite existing files:\n  a-file\n");
  });

  it("counts a dangling symlink as existing, and writes through a symlinked folder", async () => {
    const dir = project();
    fs.symlinkSync(path.join(dir, "nowhere.json"), path.join(dir, "gantry.config.json"));
    const io = fakeIo(dir);
    expect(await runInit(".", {}, io)).toBe(1);
    expect(io.err).toContain("  gantry.config.json\n");

    const other = project();
    fs.mkdirSync(path.join(other, "real-pipelines"));
    fs.symlinkSync(path.join(other, "real-pipelines"), path.join(other, "pipelines"));
    expect(await runInit(".", {}, fakeIo(other))).toBe(0);
    expect(fs.readFileSync(path.join(other, "real-pipelines/hello.ts"), "utf8")).toBe(fs.readFileSync(path.join(TEMPLATES, "pipelines/hello.ts"), "utf8"));
  });
});

describe("registerInit", () => {
  const program = (io: Io, exit: { code?: number }): Command => {
    const p = new Command("gantry").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    registerInit(p, io, (code) => void (exit.code = code));
    return p;
  };

  it("adds `init [dir]` (default: the working directory) whose exit code goes to setExit", async () => {
    const dir = project();
    const exit: { code?: number } = {};
    await program(fakeIo(dir), exit).parseAsync(["init"], { from: "user" });
    expect(exit.code).toBe(0);
    expect(Object.keys(snapshotDir(dir)).sort()).toEqual(EXPECTED.map((rel) => path.join(rel)).sort());

    await program(fakeIo(dir), exit).parseAsync(["init", "."], { from: "user" });
    expect(exit.code).toBe(1);
  });

  it("has --help listing the files, the refusal and the exit codes", async () => {
    const io = fakeIo(repoRoot);
    await expect(program(io, {}).parseAsync(["init", "--help"], { from: "user" })).rejects.toMatchObject({ exitCode: 0 });
    expect(io.out).toContain("Usage: gantry init [options] [dir]");
    expect(io.out).toContain("Scaffold a project");
    expect(io.out).toContain("Files written:\n  .github/workflows/gantry.yml\n  gantry.config.json\n  pipelines/hello.ts\n  test/pipelines.test.ts\n");
    expect(io.out).toContain("never overwritten");
    expect(io.out).toContain("Exit codes: 0 created, 1 a file exists (nothing written), 2 usage error.");
  });
});

describe("the scaffolded project, end to end", () => {
  /** A project initialised by runInit, with gantry (this checkout, dist built by the global setup) and vitest installed by symlink. */
  async function scaffolded(packageJson?: object): Promise<string> {
    const dir = project();
    expect(await runInit(".", {}, fakeIo(dir))).toBe(0);
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules/gantry"), "dir");
    fs.symlinkSync(path.join(repoRoot, "node_modules/vitest"), path.join(dir, "node_modules/vitest"), "dir");
    if (packageJson) fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
    return dir;
  }

  /** The environment without the outer vitest's variables, so the inner vitest is an ordinary run. */
  const cleanEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "TEST" && k !== "NODE_ENV")),
    NO_COLOR: "1",
    ...extra,
  });
  const vitest = (dir: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), "run"], { cwd: dir, encoding: "utf8", env: cleanEnv(env), timeout: 60_000 });

  it("compiles with the real CLI; the snapshot test passes on those manifests and fails when they are stale", async () => {
    const dir = await scaffolded({ name: "scaffold", private: true, type: "module" });
    const compiled = gantry(["compile", "pipelines", "--out", "manifests"], dir);
    expect(compiled.stderr).toBe("compiled 1 pipeline into manifests: 2 written, 0 unchanged.\n");
    expect(compiled.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, "manifests")).sort()).toEqual(["hello.yaml", "kustomization.yaml"]);
    const manifest = fs.readFileSync(path.join(dir, "manifests/hello.yaml"), "utf8");
    expect(manifest.split("\n")[0]).toContain("from pipelines/hello.ts.");
    expect(manifest).toContain("kind: WorkflowTemplate");
    expect(manifest).toMatch(/depends: greet\.Succeeded/);
    expect(manifest).toContain("hello, {{workflow.parameters.name}}");

    expect(gantry(["compile", "--check", "--format", "github"], dir).code).toBe(0);

    const pass = vitest(dir, { CI: "1" });
    expect(pass.stdout + pass.stderr).toMatch(/1 passed/);
    expect(pass.status).toBe(0);

    fs.writeFileSync(path.join(dir, "manifests/hello.yaml"), manifest.replace("cpu: 50m", "cpu: 60m"));
    const before = snapshotDir(path.join(dir, "manifests"));
    const stale = vitest(dir, { CI: "1" });
    expect(stale.status).toBe(1);
    expect(stale.stdout + stale.stderr).toContain('manifests/hello.yaml (pipeline "hello" in pipelines/hello.ts)');
    expect(snapshotDir(path.join(dir, "manifests"))).toEqual(before);
  });

  // Without a package.json (or one without "type": "module") the files are CommonJS for TypeScript; both must check.
  it.each([
    ["an ES module project", { name: "scaffold", private: true, type: "module" }],
    ["a project without package.json", undefined],
  ])("the example and the snapshot test type-check strictly in %s", async (_, packageJson) => {
    const dir = await scaffolded(packageJson);
    const tsc = (...files: string[]) =>
      spawnSync(
        process.execPath,
        [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", ...files],
        { cwd: dir, encoding: "utf8", timeout: 60_000 },
      );
    const ok = tsc("pipelines/hello.ts", "test/pipelines.test.ts");
    expect(ok.stdout + ok.stderr).toBe("");
    expect(ok.status).toBe(0);

    // And the check is real: a typo in the test is an error.
    const test = path.join(dir, "test/pipelines.test.ts");
    fs.writeFileSync(test, fs.readFileSync(test, "utf8").replace("m.yaml,", "m.yml,"));
    const bad = tsc("test/pipelines.test.ts");
    expect(bad.stdout).toContain("Property 'yml' does not exist");
    expect(bad.status).not.toBe(0);
  });
});
