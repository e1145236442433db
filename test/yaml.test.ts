/**
 * Gantry's YAML writer must produce exactly what the `yaml` library produces (the library renders
 * every scalar; Gantry only lays out the blocks). Checked on the examples and on random documents.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { documentYaml, isPlainKey, isPlainValue, prune } from "../src/output/yaml.js";
import { compileExamples } from "./support/examples.js";
import { rng } from "./support/rng.js";

const reference = (v: unknown) => stringify(prune(v), { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });


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
  const viaYaml = (w: string) => stringify({ k: w }, { lineWidth: 0 }).slice(3, -1);

  it("keys: agree with yaml on 20,000 random strings of their character class, and on keyword look-alikes", () => {
    const r = rng(7);
    const first = "abcdefxyzABCDEFXYZ_";
    const rest = "abcdefnotruelsxyzABCDEFNOTRUELS0123456789_-./";
    const words = ["True", "TRUE", "False", "NULL", "Null", "nULL", "yes", "No", "ON", "off", "y", "N", "Inf", "inf", "NaN", "nan", "e5", "E10", "x_", "_", "a.", "a/", "a-", "_1", "tRUE"];
    for (let i = 0; i < 20000; i++) {
      let s = first[Math.floor(r() * first.length)]!;
      for (let j = Math.floor(r() * 8); j > 0; j--) s += rest[Math.floor(r() * rest.length)]!;
      words.push(s);
    }
    let fast = 0;
    for (const w of words) {
      if (isPlainKey(w)) (fast++, expect(stringify({ [w]: 0 }, { lineWidth: 0 }), w).toBe(`${w}: 0\n`));
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
