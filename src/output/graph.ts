/**
 * The task graph of a pipeline as a picture: Mermaid (for `<pipeline>.md`, which GitHub and GitLab
 * render in pull requests) and Graphviz DOT. Pure functions of the IR; the output depends only on
 * the IR (declaration order, task names), never on the clock, the machine or the file order.
 *
 * What is drawn:
 * - every task, its role by shape and colour: setup = hexagon, work = box, teardown = stadium
 *   (DOT: inverted trapezium), finally = double-bordered box; `allowFailure` = dashed border,
 *   `trigger: "allDone"` = thick border. The label repeats it in words (second line), so the picture
 *   reads without colour or a legend, and adds the task's `when` (`when: count-rows.rows != 0`);
 * - `after` edges, solid, from the dependency to the dependent;
 * - an edge from each setup to each teardown that lists it, dotted and labelled "teardown";
 * - each setup's scope (docs/semantics.md rule 2: the tasks that need that setup) as a subgraph
 *   "scope of <setup>". The setup itself is not in its own scope, so it sits just outside its box;
 * - finally tasks in a subgraph of their own, "finally", below the rest (held there by invisible
 *   edges from the tasks that lead nowhere: Mermaid `~~~`, DOT `style=invis`).
 *
 * Scopes are sets of tasks that may overlap without one holding the other (in create-rose-table,
 * swap's scope holds drop-tmp, which load-tmp's does not, and both hold validate-cols), while a
 * node can be drawn in one box only. The boxes are therefore a tree chosen by this rule:
 * 1. Setups with a non-empty scope are taken by scope size, largest first, ties in declaration order.
 *    Each one's box goes inside the deepest box already placed whose scope, with that box's own
 *    teardowns, contains its whole scope (ties: the setup declared first), or at the top level if
 *    there is none. Counting the teardowns lets swap's box sit in load-tmp's, as the labels have
 *    it (`gantry.dev/scope: swap` on validate-cols), though swap's scope holds drop-tmp.
 * 2. Each task is drawn in the deepest box whose scope holds it (ties: the setup declared first),
 *    so it shows as many of its enclosing setups as the tree allows; a teardown never inside the
 *    box of a setup it tears down (it closes that scope, as its label says). Every box around a
 *    task is the box of a setup whose scope holds it.
 * 3. The enclosing setups that no box around a task shows are written in its label ("also in scope
 *    of swap"), so every scope is complete: in its box, or named in the label.
 * 4. A box that would hold no task is not drawn (its tasks carry rule 3's note).
 *
 * Identifiers are derived from task names, not positions, so adding a task changes only the lines
 * about it: `t_` + the name with `-` as `_` and every character other than [a-z0-9] as `Z<hex>Z`
 * (injective, and never a keyword of either language). Labels are escaped for each format.
 */
import type * as IR from "../ir/index.js";
import { computeScopes } from "../ir/scopes.js";
import { headerFor } from "./yaml.js";

// ---------------------------------------------------------------------------------------------
// Layout: which box each task is drawn in (format-neutral)

interface Box {
  setup: string;
  /** Declaration index of the setup. */
  order: number;
  scope: ReadonlySet<string>;
  parent: Box | undefined;
  depth: number;
  children: Box[];
  tasks: IR.Task[];
}

interface Layout {
  /** Top-level tasks (not finally) and boxes. */
  top: { tasks: IR.Task[]; children: Box[] };
  finallyTasks: IR.Task[];
  /** For each task, the enclosing setups that no box around it shows. */
  notInBox: Map<string, string[]>;
  /** Declaration index of each task. */
  index: Map<string, number>;
}

function layout(ir: IR.Pipeline): Layout {
  const scopes = computeScopes(ir);
  const index = new Map(ir.tasks.map((t, i) => [t.name, i]));
  const at = (name: string) => index.get(name) ?? Number.MAX_SAFE_INTEGER;

  // Rule 1: the tree of boxes.
  const candidates = ir.tasks
    .filter((t) => t.role === "setup")
    .map((t) => ({ setup: t.name, scope: scopes.ofSetup.get(t.name) ?? new Set<string>() }))
    .filter((c) => c.scope.size > 0)
    .sort((a, b) => b.scope.size - a.scope.size || at(a.setup) - at(b.setup));
  const boxes: Box[] = [];
  const top: Layout["top"] = { tasks: [], children: [] };
  for (const c of candidates) {
    const parent = deepest(boxes.filter((b) => isSubset(c.scope, b.scope, scopes.teardownsOf.get(b.setup))));
    const box: Box = { setup: c.setup, order: at(c.setup), scope: c.scope, parent, depth: parent ? parent.depth + 1 : 0, children: [], tasks: [] };
    (parent ? parent.children : top.children).push(box);
    boxes.push(box);
  }

  // Rules 2 and 3: where each task goes, and what its label must add.
  const finallyTasks: IR.Task[] = [];
  const notInBox = new Map<string, string[]>();
  for (const t of ir.tasks) {
    if (t.role === "finally") {
      finallyTasks.push(t);
      continue;
    }
    const box = deepest(boxes.filter((b) => b.scope.has(t.name) && !within(b, t.setups)));
    (box ? box.tasks : top.tasks).push(t);
    const shown = new Set<string>();
    for (let b = box; b; b = b.parent) shown.add(b.setup);
    const missing = (scopes.enclosing.get(t.name) ?? []).filter((s) => !shown.has(s));
    if (missing.length > 0) notInBox.set(t.name, missing);
  }

  // Rule 4: boxes holding nothing are dropped.
  const prune = (list: Box[]): Box[] =>
    list.filter((b) => {
      b.children = prune(b.children);
      return b.tasks.length > 0 || b.children.length > 0;
    });
  top.children = prune(top.children);
  return { top, finallyTasks, notInBox, index };
}

/** The box of greatest depth; among equals, the one whose setup was declared first. */
function deepest(boxes: readonly Box[]): Box | undefined {
  let best: Box | undefined;
  for (const b of boxes) if (!best || b.depth > best.depth || (b.depth === best.depth && b.order < best.order)) best = b;
  return best;
}

/** Whether every member of `a` is in `b` or among `also`. */
function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>, also: readonly string[] = []): boolean {
  for (const x of a) if (!b.has(x) && !also.includes(x)) return false;
  return true;
}

/** Whether `box`, or a box around it, is the box of one of `setups`. */
function within(box: Box, setups: readonly string[]): boolean {
  for (let b: Box | undefined = box; b; b = b.parent) if (setups.includes(b.setup)) return true;
  return false;
}

/** A box's or the top level's contents in drawing order: tasks and boxes by first declared task. */
type Item = { task: IR.Task } | { box: Box };

function items(container: { tasks: IR.Task[]; children: Box[] }, index: Map<string, number>): Item[] {
  const first = (b: Box): number => Math.min(...b.tasks.map((t) => index.get(t.name) ?? 0), ...b.children.map(first));
  const keyed: [number, Item][] = [
    ...container.tasks.map((t): [number, Item] => [index.get(t.name) ?? 0, { task: t }]),
    ...container.children.map((b): [number, Item] => [first(b), { box: b }]),
  ];
  // Indices are distinct (a task is in one place), so the order is total.
  return keyed.sort((a, b) => a[0] - b[0]).map(([, item]) => item);
}

/** The words of a task's label after its name: role, failsRun, trigger, allowFailure, when, scopes not boxed. */
function annotations(t: IR.Task, lay: Layout): string[] {
  const notes: string[] = [];
  if (t.role !== "work") notes.push(t.role);
  if (t.role === "teardown" && t.failsRun) notes.push("failsRun");
  if (t.trigger === "allDone") notes.push("trigger: allDone");
  if (t.allowFailure) notes.push("allowFailure");
  if (t.forEach) notes.push(`for each of ${listText(t.forEach)}`);
  if (t.when) notes.push(`when: ${whenText(t.when)}`);
  const missing = lay.notInBox.get(t.name);
  if (missing) notes.push(`also in scope of ${missing.join(", ")}`);
  return notes;
}

/** An output as labels name it: `count-rows.rows`. */
const outputText = (ref: IR.OutputRef): string => `${ref.task}.${ref.name}`;

/** What a fan-out runs over: its list parameter's name, or the output. */
const listText = (source: IR.ListSource): string => ("param" in source ? source.param : outputText(source.output));

/** The longest `when` a label spells out; a longer one ends in "...", the YAML has it whole. */
const MAX_WHEN_TEXT = 80;

/** A `when` in a few words: `env = prod`, `count-rows.rows != 0`, `run Failed`, joined with and/or/not. */
function whenText(when: IR.When): string {
  const text = (w: IR.When, nested: boolean): string => {
    if ("all" in w || "any" in w) {
      const parts = ("all" in w ? w.all : w.any).map((x) => text(x, true));
      const joined = parts.join("all" in w ? " and " : " or ");
      return nested && parts.length > 1 ? `(${joined})` : joined;
    }
    if ("not" in w) return "param" in w.not || "output" in w.not ? comparison(w.not, true) : `not ${text(w.not, true)}`;
    if ("runStatus" in w) return `run ${w.runStatus}`;
    if ("items" in w) return `${listText(w.items)} has items`; // the lowering's, never in a declared \`when\``
    return comparison(w, false);
  };
  const comparison = (w: { param: string; in: string[] } | { output: IR.OutputRef; in: string[] }, negated: boolean) => {
    const subject = "param" in w ? w.param : outputText(w.output);
    // Quoted only where a plain word would mislead: empty, with blanks or punctuation, or a word of this text.
    const values = w.in.map((v) => (/^[A-Za-z0-9._-]+$/.test(v) && !TEXT_WORDS.has(v) ? v : JSON.stringify(v)));
    return values.length === 1 ? `${subject} ${negated ? "!=" : "="} ${values[0]}` : `${subject} ${negated ? "not in" : "in"} ${values.join(" | ")}`;
  };
  // Cut by characters, not UTF-16 units, so that no surrogate pair is split.
  const whole = [...text(when, false)];
  return whole.length > MAX_WHEN_TEXT ? `${whole.slice(0, MAX_WHEN_TEXT - 3).join("")}...` : whole.join("");
}

/** The words `whenText` joins with, which a value must not read as. */
const TEXT_WORDS = new Set(["and", "or", "not", "in", "run"]);

/**
 * Every edge, in declaration order of the dependent: its `after` edges, then its setups. Then,
 * for layout only (drawn invisible), an edge from every task that leads nowhere to the first
 * finally task, so that the finally box, which holds them all, sits below the rest, as finally
 * tasks run last. One per such task, not one to each finally task: Mermaid draws at most 500
 * edges, and a wide fan-out beside a few finally tasks passed that with the product.
 */
function edges(ir: IR.Pipeline): { from: string; to: string; kind: "after" | "teardown" | "layout" }[] {
  const leadsSomewhere = new Set(ir.tasks.flatMap((t) => [...t.dependencies, ...t.setups]));
  const firstFinal = ir.tasks.find((t) => t.role === "finally");
  const sinks = ir.tasks.filter((t) => t.role !== "finally" && !leadsSomewhere.has(t.name));
  return [
    ...ir.tasks.flatMap((t) => [
      ...t.dependencies.map((d) => ({ from: d, to: t.name, kind: "after" as const })),
      ...t.setups.map((s) => ({ from: s, to: t.name, kind: "teardown" as const })),
    ]),
    ...(firstFinal ? sinks.map((s) => ({ from: s.name, to: firstFinal.name, kind: "layout" as const })) : []),
  ];
}

/** What Mermaid draws at most by default (`maxEdges`, `maxTextSize`); a diagram cannot raise them. */
const MERMAID_MAX_EDGES = 500;
const MERMAID_MAX_TEXT = 50_000;

const MERMAID_EDGE = { after: "-->", teardown: "-.->|teardown|", layout: "~~~" } as const;
const DOT_EDGE = { after: "", teardown: ' [style=dotted, label="teardown"]', layout: " [style=invis]" } as const;

/** `t_` + an injective encoding of the name into [a-z0-9_Z]: valid and keyword-free in both formats. */
export function nodeId(name: string): string {
  return `t_${encodeName(name)}`;
}

function encodeName(name: string): string {
  let out = "";
  for (const ch of name) {
    if (/^[a-z0-9]$/.test(ch)) out += ch;
    else if (ch === "-") out += "_";
    else out += `Z${ch.codePointAt(0)!.toString(16)}Z`;
  }
  return out;
}

const scopeId = (setup: string) => `scope_${encodeName(setup)}`;

// ---------------------------------------------------------------------------------------------
// Mermaid

const MERMAID_SAFE = /^[A-Za-z0-9 _.,:/()+=-]$/;

/**
 * Text for inside a Mermaid `"..."` label: every character outside a small safe set becomes an
 * entity code (`#34;`), which Mermaid decodes, so quotes, `#`, `<`, backticks and newlines can
 * neither end the string nor turn into markup.
 */
export function mermaidText(s: string): string {
  let out = "";
  for (const ch of s) out += MERMAID_SAFE.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

const MERMAID_SHAPE: Record<IR.Task["role"], [string, string]> = {
  setup: ["{{", "}}"],
  work: ["[", "]"],
  teardown: ["([", "])"],
  finally: ["[[", "]]"],
};

const MERMAID_CLASSES = [
  "classDef setup fill:#e3f2fd,stroke:#1565c0,color:#0d47a1",
  "classDef teardown fill:#fce4ec,stroke:#ad1457,color:#880e4f",
  "classDef finally fill:#f3e5f5,stroke:#6a1b9a,color:#4a148c",
  "classDef allowFailure stroke-dasharray:5 5",
  "classDef allDone stroke-width:3px",
];

/** A Mermaid `flowchart` of the pipeline's tasks; see the module comment for what it shows. */
export function toMermaid(ir: IR.Pipeline): string {
  const lay = layout(ir);
  const lines = ["flowchart TD", `  %% pipeline ${commentText(ir.name)}`];
  const label = (t: IR.Task) => {
    const notes = annotations(t, lay);
    return `"${mermaidText(t.name)}${notes.length ? `<br/>${mermaidText(notes.join(", "))}` : ""}"`;
  };
  const node = (t: IR.Task, indent: string) => {
    const [open, close] = MERMAID_SHAPE[t.role];
    lines.push(`${indent}${nodeId(t.name)}${open}${label(t)}${close}`);
  };
  const container = (c: { tasks: IR.Task[]; children: Box[] }, indent: string) => {
    for (const item of items(c, lay.index)) {
      if ("task" in item) node(item.task, indent);
      else {
        lines.push(`${indent}subgraph ${scopeId(item.box.setup)}["${mermaidText(`scope of ${item.box.setup}`)}"]`);
        container(item.box, `${indent}  `);
        lines.push(`${indent}end`);
      }
    }
  };
  container(lay.top, "  ");
  if (lay.finallyTasks.length > 0) {
    lines.push(`  subgraph gantry_finally["finally"]`);
    for (const t of lay.finallyTasks) node(t, "    ");
    lines.push("  end");
  }
  for (const e of edges(ir)) {
    lines.push(`  ${nodeId(e.from)} ${MERMAID_EDGE[e.kind]} ${nodeId(e.to)}`);
  }
  lines.push(...MERMAID_CLASSES.map((c) => `  ${c}`));
  const classed = (name: string, pick: (t: IR.Task) => boolean) => {
    const ids = ir.tasks.filter(pick).map((t) => nodeId(t.name));
    if (ids.length > 0) lines.push(`  class ${ids.join(",")} ${name}`);
  };
  classed("setup", (t) => t.role === "setup");
  classed("teardown", (t) => t.role === "teardown");
  classed("finally", (t) => t.role === "finally");
  classed("allowFailure", (t) => t.allowFailure);
  classed("allDone", (t) => t.trigger === "allDone");
  return `${lines.join("\n")}\n`;
}

/** One line of comment text: control characters become spaces. */
function commentText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ");
}

// ---------------------------------------------------------------------------------------------
// DOT

/** A DOT double-quoted string: `\` and `"` escaped, line breaks as `\n`, other control characters as spaces. */
export function dotString(s: string): string {
  return dotLabel([s]);
}

/** A DOT double-quoted string of several lines, joined by DOT's `\n` escape. */
function dotLabel(lines: readonly string[]): string {
  const escape = (s: string) =>
    s
      .replace(/\\/g, "\\\\")
      .replace(/"/g, '\\"')
      .replace(/\r\n|\r|\n|\u2028|\u2029/g, "\\n")
      .replace(/[\u0000-\u001f\u007f]/g, " ");
  return `"${lines.map(escape).join("\\n")}"`;
}

const DOT_NODE: Record<IR.Task["role"], { shape: string; fill?: string; color?: string; peripheries?: number }> = {
  setup: { shape: "hexagon", fill: "#e3f2fd", color: "#1565c0" },
  work: { shape: "box" },
  teardown: { shape: "invtrapezium", fill: "#fce4ec", color: "#ad1457" },
  finally: { shape: "box", fill: "#f3e5f5", color: "#6a1b9a", peripheries: 2 },
};

/** A Graphviz `digraph` of the pipeline's tasks; see the module comment for what it shows. */
export function toDot(ir: IR.Pipeline): string {
  const lay = layout(ir);
  const lines = [
    `digraph ${dotString(ir.name)} {`,
    `  graph [label=${dotString(ir.name)}, labelloc=t, fontname="Helvetica", rankdir=TB];`,
    `  node [shape=box, fontname="Helvetica"];`,
    `  edge [fontname="Helvetica"];`,
  ];
  const node = (t: IR.Task, indent: string) => {
    const look = DOT_NODE[t.role];
    const notes = annotations(t, lay);
    const label = dotLabel(notes.length ? [t.name, notes.join(", ")] : [t.name]);
    const styles = [...(look.fill ? ["filled"] : []), ...(t.allowFailure ? ["dashed"] : [])];
    const attrs = [
      `label=${label}`,
      `shape=${look.shape}`,
      ...(styles.length ? [`style=${dotString(styles.join(","))}`] : []),
      ...(look.fill ? [`fillcolor=${dotString(look.fill)}`] : []),
      ...(look.color ? [`color=${dotString(look.color)}`] : []),
      ...(look.peripheries ? [`peripheries=${look.peripheries}`] : []),
      ...(t.trigger === "allDone" ? ["penwidth=3"] : []),
    ];
    lines.push(`${indent}${nodeId(t.name)} [${attrs.join(", ")}];`);
  };
  const cluster = (id: string, title: string, style: string, color: string, indent: string, body: (indent: string) => void) => {
    lines.push(`${indent}subgraph cluster_${id} {`);
    lines.push(`${indent}  label=${dotString(title)};`, `${indent}  style=${dotString(style)};`, `${indent}  color=${dotString(color)};`);
    body(`${indent}  `);
    lines.push(`${indent}}`);
  };
  const container = (c: { tasks: IR.Task[]; children: Box[] }, indent: string) => {
    for (const item of items(c, lay.index)) {
      if ("task" in item) node(item.task, indent);
      else cluster(scopeId(item.box.setup), `scope of ${item.box.setup}`, "dashed,rounded", "#1565c0", indent, (inner) => container(item.box, inner));
    }
  };
  container(lay.top, "  ");
  if (lay.finallyTasks.length > 0) {
    cluster("gantry_finally", "finally", "rounded", "#6a1b9a", "  ", (inner) => {
      for (const t of lay.finallyTasks) node(t, inner);
    });
  }
  for (const e of edges(ir)) {
    lines.push(`  ${nodeId(e.from)} -> ${nodeId(e.to)}${DOT_EDGE[e.kind]};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// <pipeline>.md

/**
 * The content of `<pipeline>.md`: Gantry's generated-file header as an HTML comment (first line,
 * starting with the marker text, as in the YAML), a title, the description if any, the Mermaid
 * block and a one-line legend.
 */
export function graphMarkdown(ir: IR.Pipeline, sourceFile: string): string {
  const mermaid = toMermaid(ir).trimEnd();
  const drawn = edges(ir).length;
  // Said on the page, not only in a log: whoever opens it sees why it shows an error instead.
  const tooLarge =
    drawn > MERMAID_MAX_EDGES || mermaid.length > MERMAID_MAX_TEXT
      ? [`> This graph has ${drawn} edges and ${mermaid.length} characters; Mermaid renders at most ${MERMAID_MAX_EDGES} edges and ${MERMAID_MAX_TEXT} characters by default, so it may not render here. \`gantry graph --format dot\` draws it with Graphviz.`, ""]
      : [];
  const parts = [
    `<!-- ${htmlCommentText(headerFor(sourceFile))} -->`,
    "",
    `# ${markdownText(ir.name)}`,
    "",
    ...(ir.description ? [markdownText(ir.description), ""] : []),
    ...tooLarge,
    "```mermaid",
    mermaid,
    "```",
    "",
    "Hexagon: setup. Rounded: teardown (dotted arrow from each of its setups). Double-sided: finally. " +
      "Dashed border: `allowFailure`. Thick border: `trigger: allDone`. " +
      'A box "scope of X" holds the tasks that need setup X; a task in more scopes than its boxes show names them.',
    "",
  ];
  return parts.join("\n");
}

/** Text that cannot end or break an HTML comment: no `-->`, `--!>` or `<!--`, on one line. */
function htmlCommentText(s: string): string {
  return commentText(s).replace(/-(?=-)/g, "- ").replace(/<!/g, "< !");
}

/**
 * Plain text for one Markdown line: `&`, `<`, `>` as entities (no HTML), inline markup characters
 * backslash-escaped, and a start that would open a block (list, quote, heading, rule) defused.
 */
function markdownText(s: string): string {
  return commentText(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/^(\s*)([#+=-])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
}
