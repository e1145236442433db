export { duplicateName, validate, type ValidationResult } from "./validate.js";
export { noLocations, type DeclarationUnit, type SourceLocator } from "./locator.js";
export { placeFields, withoutFields } from "./field-spans.js";
