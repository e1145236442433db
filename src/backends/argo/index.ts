export { toArgo, type ArgoKind, type ArgoOptions, type BackendResult } from "./workflow.js";
