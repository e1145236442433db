export { analyze, Analyzer, type AnalysisResult } from "./analyze.js";
