/**
 * A UTF-8 byte order mark at the start of a text, as editors on Windows save it: Gantry reads every
 * file without it (modules, JSON, tsconfig and package.json files), as Node and TypeScript do, and
 * the compile cache compares texts without it, so a file saved with one is still "unchanged".
 */
export const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
