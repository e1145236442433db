export { createSourceProgram, isDeclarationFile, isJavaScript, readFailure, type SourceProgram } from "./parse.js";
export { typecheck } from "./typecheck.js";
export { bindingIdentifiers } from "./binding-names.js";
export { moduleVarNames } from "./early-errors.js";
