export { createSourceProgram, isDeclarationFile, isJavaScript, type SourceProgram } from "./parse.js";
export { typecheck } from "./typecheck.js";
export { bindingIdentifiers } from "./binding-names.js";
