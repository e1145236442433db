/**
 * `gantry graph` and the `<pipeline>.md` picture (src/output/graph.ts, src/cli/graph-command.ts).
 *
 * - Exact Mermaid and DOT for a small pipeline with every role, `allowFailure`, `allDone`,
 *   `failsRun` and two nested scopes; the layout rule for overlapping scopes on create-rose-table.
 * - Determinism: same output twice, from another directory, in any file order.
 * - Escaping of hostile labels (the IR is edited by hand: task names are DNS labels in the DSL).
 * - Structural checks of every output: a small DOT parser (statements, clusters, every edge
 *   endpoint declared once) and a Mermaid line grammar (every line one of the forms Gantry writes,
 *   subgraph/end balanced, every endpoint declared). When Graphviz's `dot` is installed, it must
 *   accept the output too.
 * - `runGraph` and `registerGraph` in-process with a fake Io (the CLI wiring lives in main.ts).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { runGraph, registerGraph } from "../src/cli/graph-command.js";
import type { Io } from "../src/cli/compile-command.js";
import { compile } from "../src/compile.js";
import type * as IR from "../src/ir/index.js";
import { dotString, graphMarkdown, mermaidText, nodeId, toDot, toMermaid } from "../src/output/graph.js";
import { isGenerated } from "../src/output/ownership.js";
import { GENERATED_MARKER } from "../src/output/yaml.js";
import { repoRoot, tempProject } from "./support/cli.js";
import { compileExamples } from "./support/examples.js";
import { fakeIo } from "./support/fake-io.js";

const ALL_ROLES = `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export default pipeline("all-roles", {}, (p) => {
  const db = p.setup("create-db", img);
  const schema = p.setup("load-schema", { ...img, after: [db] });
  const migrate = p.task("migrate", { ...img, after: [schema] });
  const check = p.task("check", { ...img, after: [migrate], allowFailure: true });
  const join = p.task("join", { ...img, after: [check], trigger: "allDone" });
  const dropSchema = p.teardown("drop-schema", { ...img, setups: [schema], after: [join] });
  p.teardown("drop-db", { ...img, setups: [db], after: [dropSchema], failsRun: true });
  p.task("publish", { ...img, after: [join] });
  p.finally("notify", img);
});
`;

/** Compiles `files` in a fresh project; fails the test on any error. */
async function pipelinesOf(files: Record<string, string>, paths: string[] = ["."], target: "argo" | "jobs" = "argo") {
  const cwd = tempProject(files);
  const result = await compile({ cwd, paths, target, kind: "auto" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.pipelines;
}

let allRoles: IR.Pipeline;
let examples: Map<string, IR.Pipeline>;

beforeAll(async () => {
  allRoles = (await pipelinesOf({ "all-roles.ts": ALL_ROLES }))[0]!.ir;
  examples = new Map((await compileExamples()).pipelines.map((p) => [p.name, p.ir]));
});

// ---------------------------------------------------------------------------------------------
// Structural checks

interface DotGraph {
  name: string;
  /** Node id -> the cluster path it is declared in ("" at the top). */
  nodes: Map<string, string>;
  labels: Map<string, string>;
  edges: { from: string; to: string; attrs: Map<string, string> }[];
  clusters: string[];
}

/** Tokens of the DOT subset Gantry writes: IDs, quoted strings (unescaped), punctuation. */
function dotTokens(text: string): { kind: "id" | "string" | "punct"; value: string }[] {
  const tokens: { kind: "id" | "string" | "punct"; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated string");
        const d = text[i]!;
        if (d === "\n") throw new Error("raw newline in a string");
        if (d === '"') break;
        if (d === "\\") {
          const e = text[i + 1]!;
          value += e === "n" ? "\n" : e;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", value });
    } else if (text.startsWith("->", i)) {
      tokens.push({ kind: "punct", value: "->" });
      i += 2;
    } else if ("{}[];,=".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else {
      const m = /^[A-Za-z_][A-Za-z_0-9]*|^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected ${JSON.stringify(text.slice(i, i + 20))}`);
      tokens.push({ kind: "id", value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Parses one `digraph`; throws on anything outside the grammar or an undeclared edge endpoint. */
function parseDot(text: string): DotGraph {
  const t = dotTokens(text);
  let i = 0;
  const peek = () => t[i];
  const take = (value?: string) => {
    const tok = t[i++];
    if (!tok || (value !== undefined && tok.value !== value)) throw new Error(`expected ${value ?? "token"} at ${i - 1}, got ${tok?.value}`);
    return tok;
  };
  const id = () => {
    const tok = take();
    if (tok.kind === "punct") throw new Error(`expected an ID, got ${tok.value}`);
    return tok.value;
  };
  const attrList = () => {
    const attrs = new Map<string, string>();
    take("[");
    while (peek()?.value !== "]") {
      const k = id();
      take("=");
      attrs.set(k, id());
      if (peek()?.value === ",") take(",");
    }
    take("]");
    return attrs;
  };
  take("digraph");
  const graph: DotGraph = { name: id(), nodes: new Map(), labels: new Map(), edges: [], clusters: [] };
  const stmts = (path: string) => {
    take("{");
    while (peek()?.value !== "}") {
      const first = take();
      if (first.value === "subgraph") {
        const name = id();
        if (!name.startsWith("cluster_")) throw new Error(`subgraph ${name} is not a cluster`);
        if (graph.clusters.includes(name)) throw new Error(`cluster ${name} twice`);
        graph.clusters.push(name);
        stmts(path ? `${path}/${name}` : name);
      } else if (["graph", "node", "edge"].includes(first.value) && peek()?.value === "[") {
        attrList();
        take(";");
      } else if (peek()?.value === "=") {
        take("=");
        id();
        take(";");
      } else if (peek()?.value === "->") {
        take("->");
        const to = id();
        const attrs = peek()?.value === "[" ? attrList() : new Map<string, string>();
        take(";");
        graph.edges.push({ from: first.value, to, attrs });
      } else {
        if (graph.nodes.has(first.value)) throw new Error(`node ${first.value} declared twice`);
        const attrs = attrList();
        take(";");
        graph.nodes.set(first.value, path);
        graph.labels.set(first.value, attrs.get("label") ?? first.value);
      }
    }
    take("}");
  };
  stmts("");
  if (i !== t.length) throw new Error("text after the graph");
  for (const e of graph.edges) {
    for (const end of [e.from, e.to]) if (!graph.nodes.has(end)) throw new Error(`edge endpoint ${end} is not declared`);
  }
  return graph;
}

interface MermaidGraph {
  nodes: Map<string, { path: string; label: string; shape: string }>;
  edges: { from: string; arrow: string; to: string }[];
  subgraphs: Map<string, string>;
  classes: Map<string, string[]>;
}

const MERMAID_SHAPES: Record<string, string> = { "{{": "}}", "[[": "]]", "([": "])", "[": "]" };

/** Checks every line against the forms Gantry writes; throws on anything else. */
function parseMermaid(text: string): MermaidGraph {
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("no final newline");
  lines.pop();
  if (lines[0] !== "flowchart TD") throw new Error(`starts with ${lines[0]}`);
  const g: MermaidGraph = { nodes: new Map(), edges: [], subgraphs: new Map(), classes: new Map() };
  const stack: string[] = [];
  for (const raw of lines.slice(1)) {
    const indent = /^ */.exec(raw)![0].length;
    const line = raw.slice(indent);
    if (indent !== 2 * (stack.length + (line === "end" ? 0 : 1))) throw new Error(`bad indentation: ${raw}`);
    let m: RegExpExecArray | null;
    if ((m = /^%% [^\n]*$/.exec(line))) continue;
    if ((m = /^subgraph (\w+)\["([^"]*)"\]$/.exec(line))) {
      if (g.subgraphs.has(m[1]!) || g.nodes.has(m[1]!)) throw new Error(`id ${m[1]} twice`);
      g.subgraphs.set(m[1]!, m[2]!);
      stack.push(m[1]!);
    } else if (line === "end") {
      if (!stack.pop()) throw new Error("end without subgraph");
    } else if ((m = /^(t_\w+)(\{\{|\[\[|\(\[|\[)"([^"]*)"(\}\}|\]\]|\]\)|\])$/.exec(line))) {
      if (MERMAID_SHAPES[m[2]!] !== m[4]) throw new Error(`mismatched shape: ${line}`);
      if (g.nodes.has(m[1]!) || g.subgraphs.has(m[1]!)) throw new Error(`id ${m[1]} twice`);
      g.nodes.set(m[1]!, { path: stack.join("/"), label: m[3]!, shape: m[2]! });
    } else if ((m = /^(t_\w+) (-->|-\.->\|teardown\||~~~) (t_\w+)$/.exec(line))) {
      g.edges.push({ from: m[1]!, arrow: m[2]!, to: m[3]! });
    } else if (/^classDef \w+ [\w#:;,.% -]+$/.test(line)) {
      continue;
    } else if ((m = /^class ((?:t_\w+,)*t_\w+) (\w+)$/.exec(line))) {
      g.classes.set(m[2]!, m[1]!.split(","));
    } else throw new Error(`unexpected line: ${raw}`);
  }
  if (stack.length > 0) throw new Error(`unclosed subgraph ${stack.join("/")}`);
  const declared = (id: string) => {
    if (!g.nodes.has(id)) throw new Error(`${id} is used but not declared`);
  };
  for (const e of g.edges) [e.from, e.to].forEach(declared);
  for (const ids of g.classes.values()) ids.forEach(declared);
  for (const { label } of g.nodes.values()) {
    // Only Gantry's own line break may look like markup; quotes cannot occur (the regex above).
    if (/[<>`&\n]/.test(label.replaceAll("<br/>", ""))) throw new Error(`unescaped label ${label}`);
  }
  return g;
}

/** Both structural checks, plus: one node per task, edges exactly the IR's `after` and setup edges. */
function checkBoth(ir: IR.Pipeline): { mermaid: MermaidGraph; dot: DotGraph } {
  const mermaid = parseMermaid(toMermaid(ir));
  const dot = parseDot(toDot(ir));
  const ids = ir.tasks.map((t) => nodeId(t.name)).sort();
  expect(new Set(ids).size).toBe(ir.tasks.length);
  expect([...mermaid.nodes.keys()].sort()).toEqual(ids);
  expect([...dot.nodes.keys()].sort()).toEqual(ids);
  const expected = ir.tasks
    .flatMap((t) => [...t.dependencies.map((d) => `${nodeId(d)} after ${nodeId(t.name)}`), ...t.setups.map((s) => `${nodeId(s)} teardown ${nodeId(t.name)}`)])
    .sort();
  const mermaidKinds: Record<string, string> = { "-->": "after", "-.->|teardown|": "teardown" };
  expect(mermaid.edges.filter((e) => e.arrow !== "~~~").map((e) => `${e.from} ${mermaidKinds[e.arrow]} ${e.to}`).sort()).toEqual(expected);
  expect(
    dot.edges
      .filter((e) => e.attrs.get("style") !== "invis")
      .map((e) => `${e.from} ${e.attrs.get("style") === "dotted" ? "teardown" : "after"} ${e.to}`)
      .sort(),
  ).toEqual(expected);
  // Both formats put every task in the same box.
  const clusterPath = (p: string) => p.split("/").filter(Boolean).map((c) => c.replace(/^cluster_/, "")).join("/");
  for (const [id, n] of mermaid.nodes) expect(clusterPath(dot.nodes.get(id)!), id).toBe(n.path);
  return { mermaid, dot };
}

const hasDot = spawnSync("dot", ["-V"]).status === 0;

// ---------------------------------------------------------------------------------------------
// Exact output

describe("a pipeline with every role and nested scopes", () => {
  it("Mermaid", () => {
    expect(toMermaid(allRoles)).toBe(
      [
        "flowchart TD",
        "  %% pipeline all-roles",
        '  t_create_db{{"create-db<br/>setup"}}',
        '  subgraph scope_create_db["scope of create-db"]',
        '    t_load_schema{{"load-schema<br/>setup"}}',
        '    subgraph scope_load_schema["scope of load-schema"]',
        '      t_migrate["migrate"]',
        '      t_check["check<br/>allowFailure"]',
        '      t_join["join<br/>trigger: allDone"]',
        '      t_publish["publish"]',
        "    end",
        '    t_drop_schema(["drop-schema<br/>teardown"])',
        "  end",
        '  t_drop_db(["drop-db<br/>teardown, failsRun"])',
        '  subgraph gantry_finally["finally"]',
        '    t_notify[["notify<br/>finally"]]',
        "  end",
        "  t_create_db --> t_load_schema",
        "  t_load_schema --> t_migrate",
        "  t_migrate --> t_check",
        "  t_check --> t_join",
        "  t_join --> t_drop_schema",
        "  t_load_schema -.->|teardown| t_drop_schema",
        "  t_drop_schema --> t_drop_db",
        "  t_create_db -.->|teardown| t_drop_db",
        "  t_join --> t_publish",
        "  t_drop_db ~~~ t_notify",
        "  t_publish ~~~ t_notify",
        "  classDef setup fill:#e3f2fd,stroke:#1565c0,color:#0d47a1",
        "  classDef teardown fill:#fce4ec,stroke:#ad1457,color:#880e4f",
        "  classDef finally fill:#f3e5f5,stroke:#6a1b9a,color:#4a148c",
        "  classDef allowFailure stroke-dasharray:5 5",
        "  classDef allDone stroke-width:3px",
        "  class t_create_db,t_load_schema setup",
        "  class t_drop_schema,t_drop_db teardown",
        "  class t_notify finally",
        "  class t_check allowFailure",
        "  class t_join allDone",
        "",
      ].join("\n"),
    );
  });

  it("DOT", () => {
    expect(toDot(allRoles)).toBe(
      [
        'digraph "all-roles" {',
        '  graph [label="all-roles", labelloc=t, fontname="Helvetica", rankdir=TB];',
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
        '  t_create_db [label="create-db\\nsetup", shape=hexagon, style="filled", fillcolor="#e3f2fd", color="#1565c0"];',
        "  subgraph cluster_scope_create_db {",
        '    label="scope of create-db";',
        '    style="dashed,rounded";',
        '    color="#1565c0";',
        '    t_load_schema [label="load-schema\\nsetup", shape=hexagon, style="filled", fillcolor="#e3f2fd", color="#1565c0"];',
        "    subgraph cluster_scope_load_schema {",
        '      label="scope of load-schema";',
        '      style="dashed,rounded";',
        '      color="#1565c0";',
        '      t_migrate [label="migrate", shape=box];',
        '      t_check [label="check\\nallowFailure", shape=box, style="dashed"];',
        '      t_join [label="join\\ntrigger: allDone", shape=box, penwidth=3];',
        '      t_publish [label="publish", shape=box];',
        "    }",
        '    t_drop_schema [label="drop-schema\\nteardown", shape=invtrapezium, style="filled", fillcolor="#fce4ec", color="#ad1457"];',
        "  }",
        '  t_drop_db [label="drop-db\\nteardown, failsRun", shape=invtrapezium, style="filled", fillcolor="#fce4ec", color="#ad1457"];',
        "  subgraph cluster_gantry_finally {",
        '    label="finally";',
        '    style="rounded";',
        '    color="#6a1b9a";',
        '    t_notify [label="notify\\nfinally", shape=box, style="filled", fillcolor="#f3e5f5", color="#6a1b9a", peripheries=2];',
        "  }",
        "  t_create_db -> t_load_schema;",
        "  t_load_schema -> t_migrate;",
        "  t_migrate -> t_check;",
        "  t_check -> t_join;",
        "  t_join -> t_drop_schema;",
        '  t_load_schema -> t_drop_schema [style=dotted, label="teardown"];',
        "  t_drop_schema -> t_drop_db;",
        '  t_create_db -> t_drop_db [style=dotted, label="teardown"];',
        "  t_join -> t_publish;",
        "  t_drop_db -> t_notify [style=invis];",
        "  t_publish -> t_notify [style=invis];",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("passes both structural checks, with the same boxes in both formats", () => {
    const { mermaid, dot } = checkBoth(allRoles);
    expect(mermaid.nodes.get("t_join")!.path).toBe("scope_create_db/scope_load_schema");
    expect(dot.nodes.get("t_notify")).toBe("cluster_gantry_finally");
    expect(dot.nodes.get("t_drop_db")).toBe("");
  });
});

describe("overlapping scopes (create-rose-table)", () => {
  it("nests swap's box in load-tmp's, as the gantry.dev/scope labels have it, and keeps a teardown out of the box it closes (adversarial finding: drop-tmp was drawn as swap's only task)", () => {
    const ir = examples.get("create-rose-table")!;
    const { mermaid } = checkBoth(ir);
    const where = Object.fromEntries([...mermaid.nodes].map(([id, n]) => [id, n.path]));
    expect(where).toEqual({
      t_create_tmp: "",
      t_load_tmp: "scope_create_tmp",
      t_test_cols: "scope_create_tmp/scope_load_tmp",
      t_test_table: "scope_create_tmp/scope_load_tmp",
      t_swap: "scope_create_tmp/scope_load_tmp",
      t_validate_cols: "scope_create_tmp/scope_load_tmp/scope_swap",
      t_validate_table: "scope_create_tmp/scope_load_tmp/scope_swap",
      t_checks_done: "scope_create_tmp/scope_load_tmp/scope_swap",
      // In swap's scope too, but it closes load-tmp's (its label): outside, naming swap.
      t_drop_tmp: "",
      t_drop_backup: "",
      t_done: "",
      t_table_ready_for_the_model: "",
    });
    expect(mermaid.nodes.get("t_checks_done")!.label).toBe("checks-done<br/>trigger: allDone");
    expect(mermaid.nodes.get("t_validate_cols")!.label).toBe("validate-cols<br/>allowFailure");
    expect(mermaid.nodes.get("t_drop_tmp")!.label).toBe("drop-tmp<br/>teardown, also in scope of swap");
    // The innermost box around each work task is the setup its gantry.dev/scope label names.
    const manifest = parseYaml(fs.readFileSync(path.join(repoRoot, "snapshots/argo/create-rose-table.yaml"), "utf8")) as { spec: { workflowSpec: { templates: { name: string; metadata?: { labels: Record<string, string> } }[] } } };
    for (const t of manifest.spec.workflowSpec.templates) {
      const labels = t.metadata?.labels;
      if (labels?.["gantry.dev/role"] !== "work" || labels["gantry.dev/scope"] === undefined) continue;
      expect(mermaid.nodes.get(nodeId(t.name))!.path.split("/").at(-1), t.name).toBe(`scope_${labels["gantry.dev/scope"].replaceAll("-", "_")}`);
    }
  });

  it("equal scopes nest in declaration order; a setup without a teardown still gets its box", async () => {
    const src = `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export default pipeline("equal", {}, (p) => {
  const s1 = p.setup("s1", img);
  const s2 = p.setup("s2", img);
  const w = p.task("w", { ...img, after: [s1, s2] });
  p.teardown("t", { ...img, setups: [s1, s2], after: [w] });
  const lone = p.setup("lone", { ...img, after: [w] });
  p.task("after-lone", { ...img, after: [lone] });
});
`;
    const [equal] = await pipelinesOf({ "equal.ts": src });
    const { mermaid } = checkBoth(equal!.ir);
    expect(Object.fromEntries([...mermaid.nodes].map(([id, n]) => [id, n.path]))).toEqual({
      t_s1: "",
      t_s2: "",
      t_w: "scope_s1/scope_s2",
      t_t: "",
      t_lone: "scope_s1/scope_s2",
      t_after_lone: "scope_s1/scope_s2/scope_lone",
    });
  });

  // CLI review finding: one invisible edge from every sink to every finally task made a fan-out of
  // 120 tasks beside 5 finally tasks 720 edges, past the 500 Mermaid draws; one per sink is enough
  // to keep the finally box below, and a graph past Mermaid's limits says so on its page.
  it("keeps the finally box below with one layout edge per task that leads nowhere, and a page too large for Mermaid says so", async () => {
    const wide = (shards: number) => `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export default pipeline("wide", {}, (p) => {
  const prep = p.task("prepare", img);
  for (let i = 0; i < ${shards}; i++) p.task(\`load-\${i}\`, { ...img, after: [prep] });
  for (const f of ["notify", "cleanup", "metrics", "archive", "page"]) p.finally(f, img);
});
`;
    const [small] = await pipelinesOf({ "wide.ts": wide(120) });
    const { mermaid } = checkBoth(small!.ir);
    const layout = mermaid.edges.filter((e) => e.arrow === "~~~");
    expect(layout).toHaveLength(120);
    expect(new Set(layout.map((e) => e.to))).toEqual(new Set(["t_notify"]));
    expect(mermaid.edges).toHaveLength(240);
    expect(graphMarkdown(small!.ir, "wide.ts")).not.toContain("may not render");
    const [large] = await pipelinesOf({ "wide.ts": wide(260) }, ["."], "jobs"); // the jobs target has no task limit
    expect(graphMarkdown(large!.ir, "wide.ts")).toContain("> This graph has 520 edges and ");
  });

  it("every example passes both structural checks", () => {
    expect([...examples.keys()]).toEqual(expect.arrayContaining(["create-rose-table", "spark-on-k8s"]));
    for (const ir of examples.values()) checkBoth(ir);
  });

  it.skipIf(!hasDot)("Graphviz accepts the DOT of every example", () => {
    for (const ir of examples.values()) {
      const r = spawnSync("dot", ["-Tsvg"], { input: toDot(ir), encoding: "utf8" });
      expect(r.stderr, ir.name).toBe("");
      expect(r.status, ir.name).toBe(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism

describe("run-time conditions", () => {
  it("a task's `when` is in its label, in a few words, in both formats: parameters, outputs, the run's result; a long one is cut", async () => {
    const [p] = await pipelinesOf({
      "cond.ts": `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export default pipeline("cond", { parameters: { env: { default: "dev" } } }, (p) => {
  const count = p.task("count-rows", { ...img, outputs: { rows: "/tmp/rows" } });
  p.task("publish", { ...img, after: [count], when: { all: [{ output: count.output("rows"), notEquals: "0" }, { param: p.params.env, in: ["prod", "my stage"] }] } });
  p.task("wordy", { ...img, after: [count], when: { any: ["a", "b", "c", "d", "e", "f", "g", "h"].map((v) => ({ param: p.params.env, equals: \`value-\${v}\` })) } });
  p.finally("page", { ...img, when: { not: { runStatus: "Succeeded" } } });
});
`,
    });
    const mermaid = toMermaid(p!.ir);
    expect(mermaid).toContain(`t_publish["publish<br/>${mermaidText('when: count-rows.rows != 0 and env in prod | "my stage"')}"]`);
    expect(mermaid).toContain(`t_page[["page<br/>${mermaidText("finally, when: not run Succeeded")}"]]`);
    const dot = toDot(p!.ir);
    expect(dot).toContain(dotString('publish\nwhen: count-rows.rows != 0 and env in prod | "my stage"'));
    const wordy = /t_wordy \[label="wordy\\nwhen: ([^"]*)"/.exec(dot)![1]!;
    expect(wordy).toMatch(/^env = value-a or env = value-b or .*\.\.\.$/);
    expect(wordy.length).toBe(80);
  });

  it("a fan-out says what it runs over, before its `when`, in both formats", async () => {
    const [p] = await pipelinesOf({
      "fan.ts": `import { pipeline } from "gantry";
export default pipeline("fan", { parameters: { tables: { default: ["a"] }, env: { default: "dev" } } }, (p) => {
  p.task("load", { image: "busybox:1.36", args: [p.item], forEach: p.params.tables, when: { param: p.params.env, equals: "prod" } });
});
`,
    });
    expect(toMermaid(p!.ir)).toContain(`t_load["load<br/>${mermaidText("for each of tables, when: env = prod")}"]`);
    expect(toDot(p!.ir)).toContain(dotString("load\nfor each of tables, when: env = prod"));
  });

  it("a value that is one of the text's own words is quoted; a cut never splits a character outside the BMP (second reader's findings)", async () => {
    const [p] = await pipelinesOf({
      "cond.ts": `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export default pipeline("cond", { parameters: { env: { default: "dev" } } }, (p) => {
  p.task("words", { ...img, when: { not: { any: [{ param: p.params.env, equals: "and" }, { not: { param: p.params.env, in: ["or", "in"] } }] } } });
  p.task("emoji", { ...img, when: { param: p.params.env, equals: "x".repeat(69) + "\u{1F600}".repeat(4) } });
});
`,
    });
    const dot = toDot(p!.ir);
    expect(dot).toContain(dotString('words\nwhen: not (env = "and" or env not in "or" | "in")'));
    const emoji = /t_emoji \[label="emoji\\nwhen: ((?:[^"\\]|\\.)*)"/.exec(dot)![1]!.replaceAll('\\"', '"');
    expect(emoji).not.toContain("\uFFFD");
    expect([...emoji]).toHaveLength(80);
    expect(emoji.endsWith("\u{1F600}...")).toBe(true);
  });
});

describe("determinism", () => {
  it("gives the same output twice and for a deep copy of the IR", () => {
    for (const ir of [allRoles, ...examples.values()]) {
      expect(toMermaid(ir)).toBe(toMermaid(ir));
      expect(toDot(ir)).toBe(toDot(ir));
      expect(toMermaid(structuredClone(ir))).toBe(toMermaid(ir));
      expect(toDot(structuredClone(ir))).toBe(toDot(ir));
    }
  });

  it("does not depend on the file order or on where the project is", async () => {
    const files = { "b/all-roles.ts": ALL_ROLES, "a/other.ts": ALL_ROLES.replace('"all-roles"', '"other"') };
    const forward = await pipelinesOf(files, ["a/other.ts", "b/all-roles.ts"]);
    const backward = await pipelinesOf(files, ["b/all-roles.ts", "a/other.ts"]);
    const render = (ps: typeof forward) => ps.map((p) => [p.name, toMermaid(p.ir), toDot(p.ir)]);
    expect(render(backward)).toEqual(render(forward));
    expect(toMermaid(forward.find((p) => p.name === "all-roles")!.ir)).toBe(toMermaid(allRoles));
    expect(toDot(forward.find((p) => p.name === "all-roles")!.ir)).toBe(toDot(allRoles));
  });

  it("identifiers come from names, so adding a task changes only the lines about it", async () => {
    const added = ALL_ROLES.replace('p.finally("notify", img);', 'p.task("audit", { ...img, after: [join] });\n  p.finally("notify", img);');
    const [withAudit] = await pipelinesOf({ "all-roles.ts": added });
    const before = new Set(toMermaid(allRoles).split("\n"));
    const changed = toMermaid(withAudit!.ir)
      .split("\n")
      .filter((l) => !before.has(l));
    expect(changed).toEqual(['      t_audit["audit"]', "  t_join --> t_audit", "  t_audit ~~~ t_notify"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Escaping

/** The IR with every task renamed, references included. */
function renamed(ir: IR.Pipeline, names: Record<string, string>): IR.Pipeline {
  const n = (s: string) => names[s] ?? s;
  return { ...ir, tasks: ir.tasks.map((t) => ({ ...t, name: n(t.name), dependencies: t.dependencies.map(n), setups: t.setups.map(n) })) };
}

const HOSTILE: Record<string, string> = {
  "create-db": 'say "hi"; }',
  "load-schema": "a#b<script>&amp;",
  migrate: "end",
  check: "back\\slash\nnew line",
  join: "`tick` --> x ~~~ y",
  publish: "a.b",
  "drop-schema": "a_b",
  "drop-db": "A-B 🚀 ]]) ]",
  notify: 'subgraph x["y"]',
};

describe("escaping", () => {
  it("Mermaid text keeps a small safe set and turns everything else into entity codes", () => {
    expect(mermaidText('a "b" #c <d> `e` é\n🚀')).toBe("a #34;b#34; #35;c #60;d#62; #96;e#96; #233;#10;#128640;");
    expect(mermaidText("create-db (x): a/b, c.d + e = f_g")).toBe("create-db (x): a/b, c.d + e = f_g");
  });

  it("DOT strings escape backslashes, quotes and line breaks", () => {
    expect(dotString('a "b" \\n\nc\td')).toBe('"a \\"b\\" \\\\n\\nc d"');
  });

  it("identifiers are distinct, keyword-free and valid in both formats for any names", () => {
    const names = ["a-b", "a_b", "a.b", "A-B", "aZ2dZb", "end", "graph", "subgraph", "1st", "", "é", "🚀"];
    const ids = names.map(nodeId);
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toMatch(/^t_[a-z0-9_Z]*$/);
    expect(nodeId("create-rose-table")).toBe("t_create_rose_table");
  });

  it("hostile task names survive both formats and the structural checks", () => {
    const ir = renamed(allRoles, HOSTILE);
    const { mermaid, dot } = checkBoth(ir);
    // DOT labels unescape to the names exactly.
    for (const t of ir.tasks) {
      const label = dot.labels.get(nodeId(t.name))!;
      expect(label === t.name || label.startsWith(`${t.name}\n`), label).toBe(true);
    }
    expect(dot.labels.get(nodeId("end"))).toBe("end");
    expect(mermaid.nodes.get(nodeId('subgraph x["y"]'))!.label).toBe("subgraph x#91;#34;y#34;#93;<br/>finally");
    expect(toMermaid(ir)).not.toContain("<script>");
  });

  it.skipIf(!hasDot)("Graphviz accepts the DOT of hostile names", () => {
    const r = spawnSync("dot", ["-Tsvg"], { input: toDot(renamed(allRoles, HOSTILE)), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// <pipeline>.md

describe("graphMarkdown", () => {
  it("starts with Gantry's generated-file header as an HTML comment, then a title and the Mermaid block", () => {
    const ir = examples.get("spark-on-k8s")!;
    const md = graphMarkdown(ir, "examples/spark-on-k8s.ts");
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- Generated by gantry from examples/spark-on-k8s.ts. Do not edit: change the source and run `gantry compile`. -->");
    expect(lines[0]!.startsWith(`<!-- ${GENERATED_MARKER}`)).toBe(true);
    // Gantry's ownership check recognises it as its own file (so it may replace or remove it).
    expect(isGenerated(md)).toBe(true);
    expect(lines.slice(1, 4)).toEqual(["", "# spark-on-k8s", ""]);
    expect(md).toContain("```mermaid\n" + toMermaid(ir) + "```\n");
    expect(md.endsWith("\n")).toBe(true);
    expect(graphMarkdown(ir, "examples/spark-on-k8s.ts")).toBe(md);
  });

  it("includes the description, and escapes Markdown, HTML and comment terminators", () => {
    const ir: IR.Pipeline = { ...allRoles, description: "# <b>bold</b> *x* [link](http://e) `code`\nsecond" };
    const md = graphMarkdown(ir, "odd--dir/-->x.ts");
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- Generated by gantry from odd- -dir/- ->x.ts. Do not edit: change the source and run `gantry compile`. -->");
    expect(lines[0]!.slice(4, -3)).not.toContain("--");
    expect(lines[4]).toBe("\\# &lt;b&gt;bold&lt;/b&gt; \\*x\\* \\[link\\](http://e) \\`code\\` second");
    // The fence holds exactly one Mermaid graph, and nothing inside can close it.
    expect(md.split("```").length).toBe(3);
    expect(md.slice(md.indexOf("```mermaid\n") + 11, md.lastIndexOf("```"))).toBe(toMermaid(ir));
  });
});

// ---------------------------------------------------------------------------------------------
// runGraph and registerGraph, in-process


const TWO = `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export const z = pipeline("zeta", {}, (p) => { p.task("z1", img); });
export const a = pipeline("alpha", {}, (p) => { const a1 = p.task("a1", img); p.task("a2", { ...img, after: [a1] }); });
`;

describe("runGraph", () => {
  it("prints several pipelines with Mermaid as a Markdown page of one Mermaid block each, by name (adversarial finding: two flowcharts in one document do not parse)", async () => {
    const cwd = tempProject({ "two.ts": TWO });
    const io = fakeIo(cwd);
    expect(await runGraph("two.ts", { format: "mermaid" }, io)).toBe(0);
    const [alpha, zeta] = await pipelinesOf({ "two.ts": TWO });
    expect(io.out).toBe(`${graphMarkdown(alpha!.ir, "two.ts")}\n${graphMarkdown(zeta!.ir, "two.ts")}`);
    expect(io.out.match(/^```mermaid$/gm)).toHaveLength(2);
    expect(io.out.match(/^# .*$/gm)).toEqual(["# alpha", "# zeta"]);
    expect(io.err).toBe("");
    // One pipeline: a plain Mermaid document.
    const one = fakeIo(repoRoot);
    expect(await runGraph("examples/kpo-two-pods.ts", { format: "mermaid" }, one)).toBe(0);
    expect(one.out.split("\n")[0]).toBe("flowchart TD");
  });

  it("reads the project's configuration as compile does: its target, its ignoreWarnings, and its errors (adversarial finding)", async () => {
    const wide = `import { pipeline } from "gantry";\nexport default pipeline("wide", {}, (p) => {\n  for (const i of Array.from({ length: 205 }, (_, k) => k)) p.task(\`t\${i}\`, { image: "busybox:1.36" });\n});\n`;
    const jobs = tempProject({ "gantry.config.json": JSON.stringify({ target: "jobs" }), "wide.ts": wide });
    const io = fakeIo(jobs);
    expect(await runGraph("wide.ts", { format: "dot" }, io)).toBe(0); // Argo's 200-template limit is not the jobs target's
    expect(io.err).not.toContain("GANTRY4003");
    const quiet = fakeIo(tempProject({ "gantry.config.json": JSON.stringify({ ignoreWarnings: ["GANTRY4005"] }) }));
    expect(await runGraph(path.join(repoRoot, "examples/spark-on-k8s.ts"), { format: "dot" }, quiet)).toBe(0);
    expect(quiet.err).toBe("");
    const broken = fakeIo(tempProject({ "gantry.config.json": '{\n  "include": ["."],\n  "outt": "x",\n  "kind": "pod"\n}\n', "wide.ts": wide }));
    expect(await runGraph("wide.ts", { format: "dot" }, broken)).toBe(1);
    expect(broken.out).toBe("");
    expect(broken.err.match(/^gantry\.config\.json:\d+:\d+: error GANTRY5004/gm)).toEqual(["gantry.config.json:3:3: error GANTRY5004", "gantry.config.json:4:11: error GANTRY5004"]);
    expect(broken.err).toContain("no graph was printed.");
  });

  it("prints DOT with --format dot, and warnings on stderr", async () => {
    const io = fakeIo(repoRoot);
    expect(await runGraph("examples/spark-on-k8s.ts", { format: "dot" }, io)).toBe(0);
    expect(io.out).toBe(toDot(examples.get("spark-on-k8s")!));
    parseDot(io.out);
    expect(io.err).toContain("warning GANTRY4005");
    expect(io.err).toContain("0 errors, 1 warning.");
  });

  it("exits 1 with the diagnostics and prints no graph when the file has an error", async () => {
    const bad = `import { pipeline } from "gantry";
const img = { image: "busybox:1.36", command: ["true"] };
export const ok = pipeline("ok", {}, (p) => { p.task("a", img); });
export const bad = pipeline("bad", {}, (p) => { const s = p.setup("s", img); p.task("w", { ...img, after: [s], trigger: "allDone" }); p.teardown("t", { ...img, setups: [s] }); });
`;
    const io = fakeIo(tempProject({ "bad.ts": bad }));
    expect(await runGraph("bad.ts", { format: "mermaid" }, io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toContain("GANTRY2024");
    expect(io.err).toMatch(/1 error, \d+ warnings?; no graph was printed\.\n$/);
  });

  it("exits 1 for a missing file", async () => {
    const io = fakeIo(tempProject());
    expect(await runGraph("missing.ts", { format: "dot" }, io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toContain("GANTRY1001");
  });

  it("says so, and exits 1, when the file holds no pipeline: nothing was printed", async () => {
    const io = fakeIo(tempProject({ "none.ts": "export const x = 1;\n" }));
    expect(await runGraph("none.ts", { format: "mermaid" }, io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toMatch(/no pipeline found in none\.ts; no graph was printed\.\n$/);
  });
});

describe("registerGraph", () => {
  function program(io: Io) {
    let code: number | undefined;
    const p = new Command("gantry").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    registerGraph(p, io, (c) => (code = c));
    return { p, code: () => code };
  }

  it("adds `graph <file>` with --format mermaid|dot, default mermaid", async () => {
    const io = fakeIo(repoRoot);
    const { p, code } = program(io);
    await p.parseAsync(["graph", "examples/spark-on-k8s.ts"], { from: "user" });
    expect(code()).toBe(0);
    expect(io.out).toBe(toMermaid(examples.get("spark-on-k8s")!));

    const io2 = fakeIo(repoRoot);
    const second = program(io2);
    await second.p.parseAsync(["graph", "examples/spark-on-k8s.ts", "--format", "dot"], { from: "user" });
    expect(second.code()).toBe(0);
    expect(io2.out).toBe(toDot(examples.get("spark-on-k8s")!));
  });

  it("rejects another format and a missing file argument as usage errors", async () => {
    for (const argv of [["graph", "x.ts", "--format", "svg"], ["graph"]]) {
      const io = fakeIo(repoRoot);
      const { p, code } = program(io);
      await expect(p.parseAsync(argv, { from: "user" })).rejects.toBeInstanceOf(CommanderError);
      expect(code()).toBeUndefined();
      expect(io.out).toBe("");
    }
  });

  it("describes itself in the help", () => {
    const io = fakeIo(repoRoot);
    const { p } = program(io);
    const help = p.commands.find((c) => c.name() === "graph")!.helpInformation();
    expect(help).toContain("Usage: gantry graph [options] <file>");
    expect(help.replace(/\s+/g, " ")).toContain('--format <format> graph language (choices: "mermaid", "dot", default: "mermaid")');
  });
});
