export { analyze, type AnalysisResult } from "./analyze.js";
