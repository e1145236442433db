/** Items as an English list: `a`, `a and b`, `a, b and c` (messages naming tasks). */
export const andList = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);
