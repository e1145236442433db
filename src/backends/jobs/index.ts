export { toJobs, RUN_ID_TOKEN, type JobsOptions, type BackendResult } from "./jobs.js";
