export { createMetrics } from "./metrics.js";
export type * from "./types.js";
