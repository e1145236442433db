/**
 * Line and column of a position as editors and GitHub count them. TypeScript also breaks lines at
 * U+2028 and U+2029 (ECMAScript's line terminators), which VS Code, GitHub's annotations and code
 * scanning do not: a span after one in a string or comment would point a line too far there.
 */
import type { ts } from "ts-morph";

/** Starts of lines broken by `\n`, `\r\n` or `\r` only, for files with U+2028/U+2029 (else null: TypeScript's count is the same). */
const ownLineStarts = new WeakMap<ts.SourceFile, readonly number[] | null>();

function lineStartsOf(sf: ts.SourceFile): readonly number[] | null {
  let starts = ownLineStarts.get(sf);
  if (starts !== undefined) return starts;
  const text = sf.text;
  if (!/[\u2028\u2029]/.test(text)) starts = null;
  else {
    const found = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) found.push(i + 1);
    }
    starts = found;
  }
  ownLineStarts.set(sf, starts);
  return starts;
}

/** 1-based line and column (UTF-16 code units) of `pos` in `sf`, lines broken by `\n`, `\r\n` and `\r`. */
export function editorPosition(sf: ts.SourceFile, pos: number): { line: number; column: number } {
  const starts = lineStartsOf(sf);
  if (starts === null) {
    const { line, character } = sf.getLineAndCharacterOfPosition(pos);
    return { line: line + 1, column: character + 1 };
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: pos - starts[lo]! + 1 };
}
