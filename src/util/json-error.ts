/**
 * Where and why a text JSON.parse rejected stops being JSON: for gantry.config.json and for the
 * JSON modules pipelines import. V8 gives "at position N" for some errors only, and quotes the
 * text around an unexpected token (line breaks and all), which a code frame shows better.
 */

export function jsonParseError(text: string, e: unknown): { message: string; offset: number } {
  const message = (e instanceof Error ? e.message : String(e)).replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, "").split("\n")[0]!;
  const position = /at position (\d+)/.exec(message);
  if (position) return { message, offset: Number(position[1]) };
  try {
    return { message, offset: jsonErrorOffset(text) };
  } catch (err) {
    if (err instanceof RangeError) return { message, offset: 0 }; // nested deeper than the stack: at the start
    throw err;
  }
}

/**
 * Offset of the first place where `text` stops being JSON (RFC 8259), for messages of JSON.parse
 * without a position ("Unexpected end of JSON input", "Unexpected token ..."). Only called on text
 * JSON.parse rejected; the end of the text if this scanner finds nothing wrong.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const ch = text.charCodeAt(i);
      if (ch === 0x22) return void i++;
      if (ch < 0x20) fail();
      if (ch === 0x5c) {
        i++;
        if (text[i] === "u") {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? "")) fail();
        } else if (i < text.length && "\"\\/bfnrt".includes(text[i]!)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
    // "1." or "1e": a digit must follow.
    if (/^[.eE]/.test(text[i] ?? "")) fail();
  };
  // The members of an object or array, from its opening bracket to `close`.
  const members = (close: string, member: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const property = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") return members("}", property);
    if (ch === "[") return members("]", value);
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}

