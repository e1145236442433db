/**
 * The `text` diagnostics format prints what the author wrote (names, values, file names, source
 * lines) without its control characters: a name cannot start a line of its own (a GitHub workflow
 * command, a fake diagnostic) nor drive the terminal. And the code frame's caret sits under the
 * span however wide the characters before it are.
 */
import fs from "node:fs";
import path from "node:path";
import { codeFrameColumns } from "@babel/code-frame";
import { describe, expect, it } from "vitest";
import { formatDiagnostics, type Diagnostic } from "../src/diagnostics/index.js";
import { gantry, tempProject } from "./support/cli.js";

/** Every C0 control, DEL and every C1 control. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** A line the GitHub runner reads as a workflow command: `::name ...::` after leading whitespace. */
const isWorkflowCommand = (line: string) => /^::[a-z-]+( [^:]*)?::/i.test(line.trimStart());

const text = (d: Diagnostic, source?: string) => formatDiagnostics([d], "text", { color: false, readSource: () => source });

describe("text format: control characters from the source", () => {
  const forged = "e\\n::error file=README.md,line=1::forged \\u001b[2J\\u009b2J\\r::warning::x";
  const source = [`import { pipeline } from "gantry";`, `export default pipeline("forge", {}, (p) => {`, `  p.task("${forged}", { image: "busybox:1.36" });`, `});`, ``].join("\n");

  it("a task name cannot forge a workflow command or reach the terminal (gantry compile, text format)", () => {
    const dir = tempProject({ "pipelines/forge.ts": source });
    const r = gantry(["compile"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error GANTRY2005");
    for (const line of r.stderr.split(/\r\n|[\n\r]/)) expect(isWorkflowCommand(line), line).toBe(false);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toContain("\r");
    // Shown escaped, as JSON would: the whole name in the message's one line.
    expect(r.stderr).toContain('pipelines/forge.ts:3:10: error GANTRY2005: task name "e\\n::error file=README.md,line=1::forged \\u001b[2J\\u009b2J\\r::warning::x" must be lowercase');
  });

  it("nor issue the runner's older `##[command]`, which it reads anywhere in a line: not from a name, nor from a source line in the frame", () => {
    const legacy = [`import { pipeline } from "gantry";`, `// ##[error]forged in a comment`, `export default pipeline("x", {}, (p) => { p.task("a ##[error]forged", { image: "busybox" }); });`, ``].join("\n");
    const r = gantry(["compile", "g.ts", "--stdout"], tempProject({ "g.ts": legacy }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('task name "a ##\\u005berror]forged"');
    expect(r.stderr).toContain("// ##\\u005berror]forged in a comment");
    expect(r.stderr).not.toContain("##[");
  });

  it("bidirectional overrides and isolates, which reorder what a terminal shows, are escaped too", () => {
    const out = text({ code: "GANTRY2005", severity: "error", message: 'task name "a\u202eb\u2066c" is invalid', span: { file: "x.ts", line: 1, column: 1 } }, 'const x = "a\u202eb";\n');
    expect(out).toContain('task name "a\\u202eb\\u2066c" is invalid');
    expect(out).toContain('const x = "a\\u202eb";');
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it("the github and json formats are unchanged: escaped their own way", () => {
    const dir = tempProject({ "pipelines/forge.ts": source });
    const github = gantry(["compile", "--format", "github"], dir);
    expect(github.stderr.split("\n").filter((l) => l.startsWith("::"))).toHaveLength(1);
    expect(github.stderr).toContain("e%0A::error file=README.md");
    // The other controls and the bidirectional overrides are shown escaped, as in the text format (diagnostics review finding).
    expect(github.stderr).toContain("forged \\u001b[2J\\u009b2J%0D::warning::x");
    expect(github.stderr).not.toMatch(RAW_CONTROL);
    const json = JSON.parse(gantry(["compile", "--format", "json"], dir).stderr) as Diagnostic[];
    expect(json[0]!.message).toContain('task name "e\n::error file=README.md,line=1::forged \u001b[2J\u009b2J\r::warning::x"');
  });

  it("escapes messages, hints and file names; keeps the indented lines of a TypeScript message chain", () => {
    const d: Diagnostic = {
      code: "GANTRY1130",
      severity: "error",
      message: "TS2322: Type '(a: string) => number' is not assignable to type '(a: number) => string'.\n  Types of parameters 'a' and 'a' are incompatible.\n    Type 'number' is not assignable to type 'string'.",
      span: { file: "p/a\n::error::b.ts", line: 1, column: 1 },
      hint: "fix\u001b[31m it\nnow",
      calledFrom: [{ file: "lib/\u001b]0;title\u0007.ts", line: 2, column: 3 }],
    };
    expect(text(d)).toBe(
      [
        "p/a\\n::error::b.ts:1:1: error GANTRY1130: TS2322: Type '(a: string) => number' is not assignable to type '(a: number) => string'.",
        "  Types of parameters 'a' and 'a' are incompatible.",
        "    Type 'number' is not assignable to type 'string'.",
        "  called from lib/\\u001b]0;title\\u0007.ts:2:3",
        "  hint: fix\\u001b[31m it\\nnow",
        "",
      ].join("\n"),
    );
    // An indented line that a runner would still read as a command is not a line of its own.
    const indented = text({ code: "GANTRY1130", severity: "error", message: "TS2307: Cannot find module './a\n  ::error::x'\n\t::warning::y\r\n::notice::z" });
    for (const line of indented.split("\n")) expect(isWorkflowCommand(line), line).toBe(false);
    expect(indented).toBe("error GANTRY1130: TS2307: Cannot find module './a\\n  ::error::x'\\n\\t::warning::y\\r\\n::notice::z\n");
  });

  it("escapes control characters in code frames, tabs kept, the caret still under the span", () => {
    const source = "const a = 1;\nx(\"\u001b[2J\u0085\", \tBAD);\n";
    const column = source.split("\n")[1]!.indexOf("BAD") + 1;
    const out = text({ code: "GANTRY2001", severity: "error", message: "m", span: { file: "f.ts", line: 2, column, endLine: 2, endColumn: column + 3 } }, source);
    expect(out).not.toMatch(RAW_CONTROL);
    const lines = out.split("\n");
    expect(lines[2]).toBe('> 2 | x("\\u001b[2J\\u0085", \tBAD);');
    expect(lines[3]).toBe(`    | ${" ".repeat('x("\\u001b[2J\\u0085", '.length)}\t^^^`);
  });
});

describe("text format: code frames", () => {
  const frame = (source: string, line: number, needle: string, length = needle.length) => {
    const column = source.split("\n")[line - 1]!.indexOf(needle) + 1;
    expect(column).toBeGreaterThan(0);
    return text({ code: "GANTRY2001", severity: "error", message: "m", span: { file: "f.ts", line, column, endLine: line, endColumn: column + length } }, source)
      .split("\n")
      .slice(1, -1);
  };
  /** Where the first caret is on the line under the span's line. */
  const caretColumn = (lines: string[]) => lines[lines.findIndex((l) => l.startsWith(">")) + 1]!.indexOf("^");

  it("is the frame @babel/code-frame draws, for plain lines", () => {
    const source = "const a = 1;\n\nconst b = { image: \"x\", imagePullPolicy: \"Sometimes\" };\n\tindented();\n";
    const column = source.split("\n")[2]!.indexOf('"Sometimes"') + 1;
    const ours = text({ code: "GANTRY2001", severity: "error", message: "m", span: { file: "f.ts", line: 3, column, endLine: 3, endColumn: column + 11 } }, source);
    const babel = codeFrameColumns(source, { start: { line: 3, column }, end: { line: 3, column: column + 11 } }, { linesAbove: 1, linesBelow: 1 });
    expect(ours).toBe(`f.ts:3:${column}: error GANTRY2001: m\n${babel}\n`);
  });

  it("puts the caret under the span after emoji, CJK and combining characters (display width)", () => {
    const source = 'const a = "😀😀"; const b = "日本語"; const c = "e\u0301"; x(BAD);';
    const lines = frame(source, 1, "BAD");
    const shown = lines[0]!;
    expect(shown).toBe(`> 1 | ${source}`);
    // "😀" and each CJK ideograph take two columns, "e" with its combining accent one.
    const before = 'const a = "'.length + 4 + '"; const b = "'.length + 6 + '"; const c = "'.length + 1 + '"; x('.length;
    expect(caretColumn(lines)).toBe("    | ".length + before);
    expect(lines[1]).toBe(`    | ${" ".repeat(before)}^^^`);
  });

  it("cuts a long line on whole characters, and keeps empty lines beside it empty", () => {
    const source = `a\n\nconst z = "${"😀".repeat(100)}"; y(BAD); ${"日".repeat(150)}\n\nb`;
    const lines = frame(source, 3, "BAD");
    expect(lines.join("\n")).not.toContain("\uFFFD");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("  2 |");
    expect(lines[3]).toBe("  4 |");
    const shown = lines[1]!;
    expect(shown).toMatch(/^> 3 \| …😀+"; y\(BAD\); 日+…$/u);
    // The caret is under BAD: "…", the emoji (two columns each), then `"; y(`.
    const emoji = [...shown.slice(shown.indexOf("…") + 1, shown.indexOf('"'))].length;
    expect(caretColumn(lines)).toBe("    | ".length + 1 + 2 * emoji + '"; y('.length);
  });
});

describe("lines as editors and GitHub count them (U+2028 and U+2029 break none)", () => {
  // TypeScript ends a line at U+2028/U+2029 too: a span after one pointed a line too far on GitHub.
  const source = [`import { pipeline } from "gantry";`, `const NOTE = "a\u2028b\u2029c"; // a pasted separator`, `export default pipeline("sep", {}, (p) => {`, `  p.task("t", { image: "busybox:1.36", args: [NOTE, String(Date.now())] });`, `});`, ``].join("\n");

  it("an evaluation error, a syntax error and a type error after one are on their own line; the frame shows the separator escaped", () => {
    const dir = tempProject({ "pipelines/sep.ts": source, "pipelines/syntax.ts": `const A = "\u2028", b = ;\nexport {};\n`, "pipelines/typed.ts": `const A = "\u2028";\nconst n: number = "x";\nexport { A, n };\n` });
    const json = JSON.parse(gantry(["compile", "pipelines", "--format", "json"], dir).stderr) as Diagnostic[];
    fs.writeFileSync(path.join(dir, "pipelines/cr.ts"), 'const A = 1;\r\nconst B = 2;\rconst n: number = "x";\nexport { A, B, n };\n'); // a lone CR ends a line too (from review)
    const typed = JSON.parse(gantry(["compile", "pipelines/typed.ts", "pipelines/cr.ts", "--format", "json", "--typecheck"], dir).stderr) as Diagnostic[];
    const at = (code: string) => [...json, ...typed].filter((d) => d.code === code).map((d) => `${d.span?.file}:${d.span?.line}:${d.span?.column}`);
    expect(at("GANTRY1105")).toEqual(["pipelines/sep.ts:4:60"]);
    expect(at("GANTRY1002")).toEqual(["pipelines/syntax.ts:1:20"]);
    expect(at("GANTRY1130")).toEqual(["pipelines/cr.ts:3:7", "pipelines/typed.ts:2:7"]);
    expect(json.find((d) => d.code === "GANTRY1105")?.span).toMatchObject({ endLine: 4, endColumn: 64 });
    const r = gantry(["compile", "pipelines/sep.ts"], dir);
    expect(r.stderr).toContain(["  3 | export default pipeline(\"sep\", {}, (p) => {", '> 4 |   p.task("t", { image: "busybox:1.36", args: [NOTE, String(Date.now())] });', "    |                                                            ^^^^"].join("\n"));
    expect(r.stderr).not.toMatch(/[\u2028\u2029]/);
    // on the span's own line: escaped, the caret under the span still
    const syntax = gantry(["compile", "pipelines/syntax.ts"], dir).stderr;
    const shown = 'const A = "\\u2028", b = ;';
    expect(syntax).toContain(`> 1 | ${shown}\n    | ${" ".repeat(shown.indexOf(";"))}^\n`);
    expect(syntax).not.toMatch(/[\u2028\u2029]/);
  });
});

describe("github format: what the runner reads", () => {
  const d = (message: string): Diagnostic => ({ code: "GANTRY2005", severity: "error", message, span: { file: "p.ts", line: 3, column: 5, endLine: 3, endColumn: 9 } });
  const github = (x: Diagnostic, repositoryPrefix?: string) => formatDiagnostics([x], "github", { color: false, ...(repositoryPrefix !== undefined && { repositoryPrefix }) });

  it("escapes controls, bidirectional overrides and the older ##[ syntax in the message; keeps a tab; gives the span's end", () => {
    expect(github(d("a\u0007b\u202ec\u2066d\te ##[error]x"))).toBe("::error file=p.ts,line=3,col=5,endLine=3,endColumn=8,title=GANTRY2005::a\\u0007b\\u202ec\\u2066d\te ##\\u005berror]x\n");
    // An end on another line: none, since the runner drops the start column of an annotation over several lines.
    expect(github({ ...d("m"), span: { file: "p.ts", line: 3, column: 5, endLine: 5, endColumn: 2 } })).toBe("::error file=p.ts,line=3,col=5,title=GANTRY2005::m\n");
  });

  it("names files from the repository root when the working directory is below it, call sites included", () => {
    const x = { ...d("m"), span: { file: "../shared/p.ts", line: 1, column: 1 }, calledFrom: [{ file: "pipelines/a.ts", line: 2, column: 3 }] };
    expect(github(x, "deploy/etl")).toBe("::error file=deploy/shared/p.ts,line=1,col=1,title=GANTRY2005::m%0Acalled from deploy/etl/pipelines/a.ts:2:3\n");
    expect(github(x, "")).toBe(github(x));
  });
});

describe("--check in GitHub Actions", () => {
  it("the diff, which quotes the manifests, is printed between ::stop-commands:: and its token, so a script line cannot issue a command (diagnostics review finding)", () => {
    const src = (word: string) => `import { pipeline } from "gantry";\nexport default pipeline("inj", {}, (p) => {\n  p.task("t", { image: "busybox:1.36", source: "echo ${word}\\n::error file=README.md,line=1::injected\\necho two" });\n});\n`;
    const dir = tempProject({ "pipelines/inj.ts": src("one") });
    expect(gantry(["compile"], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, "pipelines/inj.ts"), src("uno"));
    const inActions = gantry(["compile", "--check", "--format", "github"], dir, { GITHUB_ACTIONS: "true" });
    expect(inActions.code).toBe(1);
    const lines = inActions.stdout.trimEnd().split("\n");
    const token = /^::stop-commands::([0-9a-f]{64})$/.exec(lines[0]!)?.[1];
    expect(token, lines[0]).toBeDefined();
    expect(lines.at(-1)).toBe(`::${token}::`);
    // The quoted line is there, between the two, and nowhere else does a line look like a command.
    const inside = lines.slice(1, -1);
    expect(inside.some((l) => l.trimStart().startsWith("::error file=README.md"))).toBe(true);
    expect(inside.filter((l) => isWorkflowCommand(l)).every((l) => l.includes("injected"))).toBe(true);
    // Elsewhere the diff is printed as it is.
    const local = gantry(["compile", "--check"], dir, { GITHUB_ACTIONS: "" });
    expect(local.stdout).toBe(inside.join("\n") + "\n");
  });
});
