/**
 * Characters Argo cannot substitute into a task. Argo fills in `{{workflow.parameters.x}}` inside
 * the task's JSON after escaping the value with Go's `strconv.Quote` (util/template's simple
 * renderer); for a few characters that escape is not JSON (`\a`, `\v`, `\x1b`, `\U000e0067`), the
 * result no longer parses, and the task errors when it starts ("...result was invalid JSON").
 */

/** The first character of `value` whose Go escape is not valid JSON, with that escape; undefined if none. */
export function unsubstitutable(value: string): { codePoint: number; goEscape: string } | undefined {
  for (const char of value) {
    const cp = char.codePointAt(0)!;
    const escape = goEscapeNotJson(cp, char);
    if (escape !== undefined) return { codePoint: cp, goEscape: escape };
  }
  return undefined;
}

/** JSON has \b \t \n \f \r and \uXXXX: every other control character Go writes as \a, \v or \xHH. */
function goEscapeNotJson(cp: number, char: string): string | undefined {
  if (cp === 0x07) return "\\a";
  if (cp === 0x0b) return "\\v";
  if ((cp < 0x20 && ![0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(cp)) || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, "0")}`;
  // Go writes a non-printable rune above the Basic Multilingual Plane as \UXXXXXXXX (tag characters,
  // private use, unassigned); below it, as \uXXXX, which JSON reads.
  if (cp > 0xffff && NOT_PRINTABLE.test(char)) return `\\U${cp.toString(16).padStart(8, "0")}`;
  return undefined;
}

const NOT_PRINTABLE = /^\p{C}$/u;

/** `U+0007` */
export const codePointName = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
