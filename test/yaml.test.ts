/**
 * Gantry's YAML writer must produce exactly what the `yaml` library produces (the library renders
 * every scalar; Gantry only lays out the blocks). Checked on the examples and on random documents.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { documentYaml, isPlainSafe, prune } from "../src/output/yaml.js";
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

describe("the plain-string fast path", () => {
  it("agrees with yaml on 20,000 random strings of its character class, and on keyword look-alikes", () => {
    const r = rng(7);
    const first = "abcdefxyzABCDEFXYZ_";
    const rest = "abcdefnotruelsxyzABCDEFNOTRUELS0123456789_-./";
    const words = ["True", "TRUE", "False", "NULL", "Null", "nULL", "yes", "No", "ON", "off", "y", "N", "Inf", "inf", "NaN", "nan", "e5", "E10", "x_", "_", "a.", "a/", "a-", "_1", "tRUE"];
    for (let i = 0; i < 20000; i++) {
      let s = first[Math.floor(r() * first.length)]!;
      for (let j = Math.floor(r() * 8); j > 0; j--) s += rest[Math.floor(r() * rest.length)]!;
      words.push(s);
    }
    for (const w of words) {
      const viaYaml = stringify({ k: w }, { lineWidth: 0 }).slice(3, -1);
      if (isPlainSafe(w)) expect(viaYaml, w).toBe(w);
      expect(documentYaml({ [w]: w })).toBe(reference({ [w]: w }));
    }
  });
});

