export { analyze, Analyzer, cycleDiagnostics, type AnalysisResult } from "./analyze.js";
export type { ImportGraph } from "./modules.js";
