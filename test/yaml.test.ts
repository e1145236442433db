/**
 * Gantry's YAML writer must produce exactly what the `yaml` library produces with the writer's
 * options (the library renders every scalar; Gantry only lays out the blocks). Checked on the
 * examples and on random documents. And what it writes must read back the same in YAML 1.1 (go-yaml
 * v2 under sigs.k8s.io/yaml, PyYAML, `yaml` in 1.1 mode) as in YAML 1.2.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { documentYaml, isPlainKey, isPlainValue, manifestObjects, objectKey, prune, YAML_OPTIONS, yaml11NonString } from "../src/output/yaml.js";
import { gantry, tempProject } from "./support/cli.js";
import { compileExamples } from "./support/examples.js";
import { rng } from "./support/rng.js";

const reference = (v: unknown) => stringify(prune(v), YAML_OPTIONS);
/** What the writer wrote before it quoted for YAML 1.1 readers: `yaml`'s YAML 1.2 core schema alone. */
const coreOnly = (v: unknown) => stringify(prune(v), { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });


const STRINGS = [
  "", " ", "plain", "true", "no", "null", "~", "0755", "1e3", "-", "---", "...", "- x", "a: b", "#c", "x #c", "@at", "`tick`",
  "{{workflow.parameters.x}}", "[a]", "{a}", "'q'", '"dq"', "tab\there", "trailing ", " leading", "é ü 漢字", "line1\nline2",
  "line\n", "\n", "  indented\nnext", "multi\n\n blank  \n", "ends with colon:", "%percent", "*star", "&amp", "!bang", "|pipe", ">gt",
  "import os\nprint(f\"{x}\")\n", "a\r\nb", "\ttab-first", "key: value\nmore: yes\n",
];

function randomValue(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.45) {
    const s = r();
    if (s < 0.6) return STRINGS[Math.floor(r() * STRINGS.length)];
    if (s < 0.75) return Math.floor(r() * 100000) - 50;
    if (s < 0.85) return r() < 0.5;
    if (s < 0.9) return null;
    return Math.round(r() * 1000) / 100;
  }
  if (pick < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) obj[STRINGS[Math.floor(r() * STRINGS.length)]!.replace(/\n/g, "") || "k"] = randomValue(r, depth + 1);
  return obj;
}

describe("documentYaml equals yaml.stringify", () => {
  it("on every example object", async () => {
    for (const p of (await compileExamples()).pipelines) for (const o of p.objects) expect(documentYaml(o)).toBe(reference(o));
  });

  it("on 3,000 random documents with awkward strings, nesting and empty collections", () => {
    const r = rng(20261121);
    for (let i = 0; i < 3000; i++) {
      const doc = { root: randomValue(r, 0), list: [randomValue(r, 1), { nested: randomValue(r, 1) }, [], {}], maybe: r() < 0.5 ? undefined : "set" };
      expect(documentYaml(doc), JSON.stringify(doc)).toBe(reference(doc));
    }
  });
});

describe("keys over YAML's 1,024-character limit for implicit keys", () => {
  it("are written as the library writes them (explicit `? key` entries), at any depth", () => {
    const plain = "a".repeat(1100);
    const quoted = `${"b".repeat(1030)}: x`;
    const edge = "c".repeat(1024);
    for (const doc of [
      { [plain]: "v" },
      { spec: { [plain]: { n: 1, list: [1, { [quoted]: [] }] }, ok: "yes" } },
      { items: [{ [quoted]: "multi\nline\n" }], [edge]: 1 },
    ]) expect(documentYaml(doc)).toBe(reference(doc));
    expect(documentYaml({ [edge]: 1 })).toBe(`${edge}: 1\n`);
  });
});

describe("the plain-string fast paths", () => {
  const viaYaml = (w: string) => stringify({ k: w }, YAML_OPTIONS).slice(3, -1);

  it("keys: agree with yaml on 20,000 random strings of their character class, and on keyword look-alikes", () => {
    const r = rng(7);
    const first = "abcdefxyzABCDEFXYZ_";
    const rest = "abcdefnotruelsxyzABCDEFNOTRUELS0123456789_-./";
    const words = ["True", "TRUE", "False", "NULL", "Null", "nULL", "yes", "No", "ON", "off", "y", "N", "Inf", "inf", "NaN", "nan", "e5", "E10", "e-5", "e5x", "e2e", "eta", "e", "x_", "_", "a.", "a/", "a-", "_1", "tRUE"];
    for (let i = 0; i < 20000; i++) {
      let s = first[Math.floor(r() * first.length)]!;
      for (let j = Math.floor(r() * 8); j > 0; j--) s += rest[Math.floor(r() * rest.length)]!;
      words.push(s);
    }
    let fast = 0;
    for (const w of words) {
      if (isPlainKey(w)) (fast++, expect(stringify({ [w]: 0 }, YAML_OPTIONS), w).toBe(`${w}: 0\n`));
      expect(documentYaml({ [w]: w })).toBe(reference({ [w]: w }));
    }
    expect(fast).toBeGreaterThan(15000); // the class is exercised, not just its rejections
  });

  // Every printable ASCII character, weighted towards YAML's indicators, in every position: a string
  // the fast path passes must be one yaml writes unchanged, as a value and as a sequence item, at any depth.
  it("values: agree with yaml on 40,000 random strings over all of printable ASCII, and on edge cases", () => {
    const r = rng(11);
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
    const special = " :#-./?,[]{}&*!|>'\"%@`~=+";
    const letters = "abnoprstuyABNOTY_e019";
    const pick = (set: string) => set[Math.floor(r() * set.length)]!;
    const char = () => { const x = r(); return x < 0.35 ? pick(special) : x < 0.8 ? pick(letters) : pick(ascii); };
    const cases = [
      "--", "---", "--x", "---x", "-", "-x", "-1", "-.5", "-inf", "-.inf", "-_", "- x", "-- x", ".", "..", "...", "./", "../a", ".../a", ".5", ".inf",
      "/", "/a", "/a:", "a:", "a: b", "a:b", "a #b", "a#b", "a ", "a  b", "sha256:0f", "img:1.2", "--date={{p}}", "x=1,y=[2]", "a'b", 'a"b', "k: v",
      "true", "True", "yes", "null", "Null", "NULL", "on", "off", "n", "y", "nan", "inf", "e5", "_true", "trueish",
      "E+5", "e-5", "-e5", "-E5", "-e", "-ex", "e2e", "-_1", "-_", "-_x", "-__0x1f", "=", "<<",
    ];
    for (let i = 0; i < 40000; i++) {
      let s = "";
      for (let j = 1 + Math.floor(r() * 7); j > 0; j--) s += char();
      cases.push(s);
    }
    let fast = 0;
    for (const w of cases) {
      if (isPlainValue(w)) (fast++, expect(viaYaml(w), JSON.stringify(w)).toBe(w));
      const doc = { k: w, nested: { list: [w, { deeper: w }] } };
      expect(documentYaml(doc), JSON.stringify(w)).toBe(reference(doc));
    }
    expect(fast).toBeGreaterThan(10000);
  });
});

/**
 * Strings a YAML 1.1 reader takes for something else when written plain. Kubernetes tooling reads
 * manifests with sigs.k8s.io/yaml, a fork of go-yaml v2 (YAML 1.1): a plain `on: yes` label is the
 * map {true: true} there, and `value: 1_000` the number 1000.
 */
describe("strings YAML 1.1 reads as something else", () => {
  // go-yaml v2.4.0 (gopkg.in/yaml.v2, Debian's golang-gopkg-yaml.v2-dev) decoding `k: <s>` into
  // interface{}, as sigs.k8s.io/yaml does: these came back as booleans, nulls, ints or floats...
  const GO_YAML_V2_NON_STRINGS = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    "0", "-0", "+1", "12", "007", "08", "09", "0_8", "1_000", "10_000", "8_8", "-1_0", "+_1", "-_1", "1__", "-__0x1f", "0b101", "0B101", "-0b1", "+0b1",
    "0b_1", "0b-1", "0b+1", "0x1F", "0X1F", "+0x1f", "0x_1F", "0_x1F", "0o17", "0O17", "-0o17", "0777", "07_7", "9223372036854775808",
    "18446744073709551616", "-9223372036854775809", "1.", "1.5", "-1.5", "+.5", "1_000.5", "1e5", "1E5", "1e+5", "1e-5", "1.e5", "1_e5", "1e_5",
    "-1_0e1_0", ".5", ".5e3", ".5E+3", ".5_0", ".5e1_0",
  ];
  // ...and these as themselves (go-yaml ignores base 60, hands dates to interface{} as strings, and
  // its `<<` is a merge key only as a key; those and `=` are quoted for the other YAML 1.1 readers).
  const GO_YAML_V2_STRINGS = [
    "yes!", "yess", "oN", "nO", "y_", "NULLs", "nil", "None", "NaN", "nan", "inf", "+inf", "-Infinity", ".nAn", ".5.", "._5", "._", ".", "..", "...",
    "-.", "+.", "+", "-_", "+_", "_1", "__1", "0b", "0o", "0x", "+0b-1", "-0b+1", "0x1p3", "1e", "e5", "-e5", "E+5", "e2e", "1:20", "190:20:30",
    "-1:20", "1:20.5", "12:30", "1.2.3", "v1.2", "1,000", "1 000", "0x1G", "0b102", "0o18",
  ];
  // Others' YAML 1.1 readings: base 60, dates, `yaml`'s loose floats, the value and merge keys.
  const OTHER_1_1 = ["1:20", "190:20:30", "-1:20", "1:20.5", "12:30", "2001-12-14", "2001-1-2", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z", ".", "-.", "+.", "._", "e5", "E5", "-e5", "E+5", "e-5", "=", "<<", ""];
  const AMBIGUOUS = [...GO_YAML_V2_NON_STRINGS, ...OTHER_1_1];

  /** `s` as a key and a value at the top level, nested in maps, and in sequences. */
  const everywhere = (s: string) => ({ [s]: s, k: s, list: [s, { [s]: [s] }], nested: { deeper: { [s]: s, list: [s] } } });

  it("yaml11NonString follows go-yaml v2.4.0: true for what it decodes as a non-string, false for the rest", () => {
    for (const s of GO_YAML_V2_NON_STRINGS) expect(yaml11NonString(s), s).toBe(true);
    for (const s of GO_YAML_V2_STRINGS) expect(yaml11NonString(s), s).toBe(false);
  });

  it("are quoted as keys and values at any depth, and read back as themselves in YAML 1.1 and 1.2", () => {
    for (const s of AMBIGUOUS) {
      const doc = everywhere(s);
      const text = documentYaml(doc);
      expect(text, s).toBe(reference(doc));
      expect(parse(text, { version: "1.1" }), `${s}\n${text}`).toEqual(doc);
      expect(parse(text), `${s}\n${text}`).toEqual(doc);
      // Quoted the way the library quotes `"true"` and `"123"` (none of these needs escaping).
      expect(documentYaml({ [s]: s, list: [s] }), s).toBe(`"${s}": "${s}"\nlist:\n  - "${s}"\n`);
    }
    expect(documentYaml({ "true": "123" })).toBe(`"true": "123"\n`);
  });

  it("the reviewer's case: labels, args, env and a node selector", () => {
    const task = { args: ["--dry-run", "no"], env: [{ name: "FEATURE_X", value: "on" }, { name: "LIMIT", value: "10_000" }], labels: { on: "yes", n: "y" }, nodeSelector: { no: "off" } };
    expect(documentYaml(task)).toBe(
      'args:\n  - --dry-run\n  - "no"\nenv:\n  - name: FEATURE_X\n    value: "on"\n  - name: LIMIT\n    value: "10_000"\n' +
        'labels:\n  "on": "yes"\n  "n": "y"\nnodeSelector:\n  "no": "off"\n',
    );
    expect(parse(documentYaml(task), { version: "1.1" })).toEqual(task);
  });

  // Strings over the characters YAML 1.1's numbers, words and dates are made of. Each must read back
  // as itself in both versions, and be quoted only where `yaml`'s 1.2 core schema alone would have
  // written it plain yet some YAML 1.1 reader takes it for something else: every other string is
  // written byte for byte as before.
  it("on 6,000 random strings of numbers, words and dates: read back in 1.1 and 1.2, quoted only when needed", () => {
    const r = rng(1_1);
    const alphabets = ["0123456789_", "019_.eE+-", "0xXbBoO17fF_+-", "12:05_.-", "2001-12 tTZ:.5+", "yYnNoOfFeEsS~.<=", "0123456789_+-.:eExXbBoOyYnN~<= /"];
    const strings = new Set<string>();
    for (let i = 0; strings.size < 6000; i++) {
      const set = alphabets[i % alphabets.length]!;
      let s = "";
      for (let j = 1 + Math.floor(r() * 7); j > 0; j--) s += set[Math.floor(r() * set.length)]!;
      strings.add(s);
    }
    let requoted = 0;
    let plain = 0;
    for (const s of strings) {
      const doc = { [s]: s, list: [s], nested: { [s]: s } };
      const text = documentYaml(doc);
      expect(parse(text, { version: "1.1" }), JSON.stringify(s)).toEqual(doc);
      expect(parse(text), JSON.stringify(s)).toEqual(doc);
      const before = coreOnly(doc);
      if (text === before) {
        if (!/"/.test(text)) plain++;
        continue;
      }
      requoted++;
      let readBefore: unknown;
      try {
        readBefore = parse(before, { version: "1.1" });
      } catch {
        readBefore = undefined; // e.g. `<<: x`, a merge key that is not a map
      }
      expect(yaml11NonString(s) || JSON.stringify(readBefore) !== JSON.stringify(doc), JSON.stringify(s)).toBe(true);
    }
    expect(requoted).toBeGreaterThan(300); // both branches are exercised
    expect(plain).toBeGreaterThan(3000);
  });

  it("through the CLI, on --target argo and --target jobs, read the same in YAML 1.1 as in 1.2", () => {
    const dir = tempProject({
      "p.ts": `import { pipeline } from "gantry";
export default pipeline("yaml-keys", { parameters: { confirm: { default: "yes" }, batch: { default: "1_000" } } }, (p) => {
  p.task("x", { image: "busybox:1.36", args: ["--dry-run", "no"], env: { FEATURE_X: "on", LIMIT: "10_000" },
    labels: { on: "yes", n: "y" }, nodeSelector: { no: "off" } });
});
`,
    });
    for (const target of ["argo", "jobs"]) {
      const r = gantry(["compile", "p.ts", "--stdout", "--target", target], dir);
      expect(r.code, r.stderr).toBe(0);
      const read = (version: "1.1" | "1.2") => parseAllDocuments(r.stdout, { version }).map((d) => d.toJS() as unknown);
      const docs = read("1.1");
      expect(docs).toEqual(read("1.2"));
      const objects: Record<string, unknown>[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") (objects.push(v as Record<string, unknown>), Object.values(v).forEach(walk));
      };
      walk(docs);
      const has = (want: Record<string, unknown>) => objects.some((o) => Object.entries(want).every(([k, v]) => JSON.stringify(o[k]) === JSON.stringify(v)));
      expect(has({ on: "yes", n: "y" }), target).toBe(true);
      expect(has({ no: "off" }), target).toBe(true);
      expect(has({ name: "FEATURE_X", value: "on" }), target).toBe(true);
      expect(has({ name: "LIMIT", value: "10_000" }), target).toBe(true);
      expect(has({ args: ["--dry-run", "no"] }), target).toBe(true);
      if (target === "argo") {
        expect(has({ name: "confirm", value: "yes" })).toBe(true);
        expect(has({ name: "batch", value: "1_000" })).toBe(true);
      }
      expect(r.stdout, target).toMatch(/\n +"on": "yes"\n/);
    }
  });
});

describe("characters YAML 1.1 readers refuse or read as line breaks (review finding)", () => {
  // libyaml and go-yaml accept only these in a stream (yaml_parser_update_buffer / reader.go).
  const LIBYAML_PRINTABLE = /^[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
  const AWKWARD = ["a\x7fb", "x\x85y", "l\u2028m\u2029n", "bom\ufeff", "nc\ufffe\uffff", "c1\x80\x9f", "mixed 😀 \x01 \"q\" \\ \x7f", "multi\nline\x7f", "\x7f", " \u2028 "];

  it("are escaped in one double-quoted line, as values and keys, and read back exactly in YAML 1.2 and 1.1; emoji stay as they are", () => {
    for (const s of AWKWARD) {
      const doc = { [s]: s, list: [s], nested: { inner: s } };
      const text = documentYaml(doc);
      expect(text, JSON.stringify(s)).toMatch(LIBYAML_PRINTABLE);
      expect(text.replace(/\n$/, "").split("\n")).toHaveLength(5);
      expect(parse(text)).toEqual(doc);
      expect(parse(text, { version: "1.1" })).toEqual(doc);
    }
    expect(documentYaml({ k: "emoji 😀" })).toBe("k: emoji 😀\n");
  });

  it.skipIf(spawnSync("python3", ["-c", "import yaml; yaml.CSafeLoader"]).status !== 0)("and read back exactly by libyaml (PyYAML's C loader)", () => {
    const doc = { values: AWKWARD, keyed: Object.fromEntries(AWKWARD.map((s, i) => [s, i])) };
    const r = spawnSync("python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.load(sys.stdin.read(), Loader=yaml.CSafeLoader)))"], { input: documentYaml(doc), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(doc);
  });

  it("a lone surrogate cannot be written in UTF-8: GANTRY2001 at the pipeline, nothing emitted", async () => {
    const cwd = tempProject({ "p.ts": 'import { pipeline } from "gantry";\nexport default pipeline("half", {}, (p) => {\n  p.task("t", { image: "busybox:1.36", args: ["😀".slice(0, 1)] });\n});\n' });
    const r = gantry(["compile", "p.ts", "--out", "out"], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('p.ts:2:25: error GANTRY2001: pipeline "half": the string "\\ud83d" holds a lone UTF-16 surrogate');
    expect(fs.existsSync(path.join(cwd, "out"))).toBe(false);
  });
});

describe("manifestObjects: the objects of a manifest read from its layout", () => {
  const parsed = (yaml: string) =>
    parseAllDocuments(yaml)
      .map((d) => d.toJS() as { kind: string; metadata: { name?: string; namespace?: string } })
      .filter((o) => o.metadata.name !== undefined)
      .map((o) => objectKey(o.kind, o.metadata.namespace, o.metadata.name!));

  it("equals what parsing finds, for every example on both targets (Workflow's generateName has none)", async () => {
    let objects = 0;
    for (const [target, kind] of [["argo", "auto"], ["argo", "workflow"], ["jobs", "auto"]] as const) {
      for (const p of (await compileExamples(kind, { target, jobs: { runId: "r1" } })).pipelines) {
        expect(manifestObjects(p.yaml), `${target} ${kind} ${p.name}`).toEqual(parsed(p.yaml));
        objects += manifestObjects(p.yaml).length;
      }
    }
    expect(objects).toBeGreaterThan(40);
  });

  it("reads quoted names (a pipeline named like a YAML 1.1 boolean) and CRLF files", async () => {
    const dir = tempProject({ "p.ts": `import { pipeline } from "gantry";\nexport default pipeline("on", { namespace: "y" }, (p) => { p.task("t", { image: "busybox:1.36" }); });\n` });
    const r = gantry(["compile", "p.ts", "--stdout", "--target", "jobs", "--run-id", "r1"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('namespace: "y"');
    expect(manifestObjects(r.stdout)).toEqual(parsed(r.stdout));
    expect(manifestObjects(r.stdout.replaceAll("\n", "\r\n"))).toEqual(parsed(r.stdout));
  });
});
