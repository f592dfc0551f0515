export { checkName } from "./_validate.js";
export { createMetrics } from "./metrics.js";
export type * from "./types.js";
