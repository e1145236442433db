export { cachedBatches, type CacheUse } from "./cached-batches.js";
