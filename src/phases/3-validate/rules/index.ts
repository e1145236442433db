export * from "./names.js";
export * from "./quantity.js";
export * from "./cron.js";
export * from "./duration.js";
export * from "./url.js";
export * from "./pod-security.js";
export * from "./image.js";
export * from "./paths.js";
