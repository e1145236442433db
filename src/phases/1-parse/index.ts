export { createSourceProgram, type SourceProgram } from "./parse.js";
