/**
 * Whether a POSIX shell expands a `$(...)` written at some place of a script: the jobs target
 * reads `p.runStatus` with `$(cat ...)`, which is dead text inside single quotes, ANSI-C quotes
 * (`$'...'`), the body of a quoted heredoc (`<<'EOF'`) or after an escaping backslash. A small
 * lexer of the quoting rules (POSIX "Token Recognition" and "Here-Document"), no full parser:
 * where the script uses something it does not model (backquotes, `case` inside `$(...)`,
 * unterminated quotes), it answers "expanded", so a task is never refused by mistake.
 */

/** Why the shell leaves `$(...)` at `pos` as text; undefined when it expands it (or cannot tell). */
export type Unexpanded = "single quotes" | "ANSI-C quotes" | "a quoted heredoc" | "an escaping backslash";

interface Heredoc {
  delimiter: string;
  /** `<<-`: leading tabs of the body's lines, the delimiter line's included, are removed. */
  stripTabs: boolean;
  /** Any quoting in the delimiter word makes the body literal. */
  quoted: boolean;
}

/** Characters that end an unquoted word (blanks and operators). */
const WORD_END = /[\s;&|()<>]/;

export function unexpandedAt(script: string, pos: number): Unexpanded | undefined {
  return contextAt(script, pos).unexpanded;
}

/**
 * Whether the shell would split and glob what a `$(...)` at `pos` gives, as in an unquoted word
 * (not in double quotes or a heredoc's body): then a value with blanks or `*` needs double quotes
 * around it. False where the lexer cannot tell, so nothing is ever quoted by mistake.
 */
export function splitsWordsAt(script: string, pos: number): boolean {
  return contextAt(script, pos).splits;
}

function contextAt(script: string, pos: number): { unexpanded?: Unexpanded; splits: boolean } {
  const unknown = { splits: false };
  const literal = (why: Unexpanded) => ({ unexpanded: why, splits: false });
  // Open contexts: "(" a command substitution or arithmetic (counting parentheses), '"' double quotes.
  const stack: ("(" | '"')[] = [];
  const pending: Heredoc[] = [];
  const inDoubleQuotes = () => stack[stack.length - 1] === '"';
  let i = 0;
  while (i < pos) {
    const c = script[i]!;
    if (c === "\\") {
      if (i + 1 === pos) return literal("an escaping backslash");
      i += 2;
      continue;
    }
    if (c === "`") return unknown;
    if (c === "$" && script[i + 1] === "(") {
      stack.push("(");
      i += 2;
      continue;
    }
    if (inDoubleQuotes()) {
      if (c === '"') stack.pop();
      i++;
      continue;
    }
    // Unquoted, at the top or inside `$(...)`.
    if (c === '"') stack.push('"');
    else if (c === "(" && stack.length > 0) stack.push("(");
    else if (c === ")" && stack.length > 0) stack.pop();
    else if (c === "'" || (c === "$" && script[i + 1] === "'")) {
      const ansi = c === "$";
      const start = i + (ansi ? 2 : 1);
      const end = ansi ? ansiQuoteEnd(script, start) : script.indexOf("'", start);
      if (end < 0) return unknown;
      if (pos < end) return literal(ansi ? "ANSI-C quotes" : "single quotes");
      i = end + 1;
      continue;
    } else if (c === "#" && (i === 0 || WORD_END.test(script[i - 1]!))) {
      const end = script.indexOf("\n", i);
      if (end < 0 || pos < end) return unknown; // a comment: nothing in it runs either way
      i = end;
      continue;
    } else if (stack.length > 0 && /^case\b/.test(script.slice(i, i + 5)) && (i === 0 || WORD_END.test(script[i - 1]!))) {
      return unknown; // `case` patterns end in an unbalanced ")"
    } else if (c === "<" && script[i + 1] === "<" && script[i + 2] !== "<") {
      const heredoc = readHeredocOperator(script, i + 2);
      if (heredoc === undefined) return unknown;
      pending.push(heredoc.doc);
      i = heredoc.end;
      continue;
    } else if (c === "\n" && pending.length > 0) {
      // The bodies follow this line, one after the other; `end` is the newline ending the last.
      let end = i;
      for (const doc of pending.splice(0)) {
        const body = readHeredocBody(script, end + 1, doc);
        if (pos < body.end) {
          const why = doc.quoted ? "a quoted heredoc" : escapedInBody(script, body.start, pos);
          return why ? literal(why) : unknown; // a heredoc body is never split
        }
        end = body.end;
      }
      i = Math.max(end, i + 1);
      continue;
    }
    i++;
  }
  return { splits: !inDoubleQuotes() };
}

/** The index of the `'` closing ANSI-C quotes whose text starts at `start` (`\'` is escaped). */
function ansiQuoteEnd(script: string, start: number): number {
  for (let i = start; i < script.length; i++) {
    if (script[i] === "\\") i++;
    else if (script[i] === "'") return i;
  }
  return -1;
}

/** After `<<`: `-`, blanks and the delimiter word, whose quotes are removed. */
function readHeredocOperator(script: string, at: number): { doc: Heredoc; end: number } | undefined {
  let i = at;
  const stripTabs = script[i] === "-";
  if (stripTabs) i++;
  while (script[i] === " " || script[i] === "\t") i++;
  let delimiter = "";
  let quoted = false;
  while (i < script.length && !WORD_END.test(script[i]!)) {
    const c = script[i]!;
    if (c === "'" || c === '"') {
      const end = script.indexOf(c, i + 1);
      if (end < 0) return undefined;
      delimiter += script.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else if (c === "\\") {
      delimiter += script[i + 1] ?? "";
      quoted = true;
      i += 2;
    } else {
      delimiter += c;
      i++;
    }
  }
  return delimiter === "" ? undefined : { doc: { delimiter, stripTabs, quoted }, end: i };
}

/** The body's lines from `start` up to and including the delimiter line (or the end of the script). */
function readHeredocBody(script: string, start: number, doc: Heredoc): { start: number; end: number } {
  let line = start;
  while (line < script.length) {
    const newline = script.indexOf("\n", line);
    const lineEnd = newline < 0 ? script.length : newline;
    const text = script.slice(line, lineEnd);
    if ((doc.stripTabs ? text.replace(/^\t+/, "") : text) === doc.delimiter) return { start, end: lineEnd };
    line = lineEnd + 1;
  }
  return { start, end: script.length };
}

/** In an unquoted heredoc's body only a backslash quotes (`\$`); quotes are plain characters. */
function escapedInBody(script: string, start: number, pos: number): Unexpanded | undefined {
  let backslashes = 0;
  for (let i = pos - 1; i >= start && script[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1 ? "an escaping backslash" : undefined;
}
