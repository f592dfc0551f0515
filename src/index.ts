export type { Capture, CaptureStats, DisposeOptions, QueueDepth } from "./capture/index.js";
export {
  type MetricsWorker,
  type QueueConnection,
  type QueueDepthOptions,
  queueDepth,
  startWorker,
  type WorkerOptions,
} from "./capture/queue/index.js";
export { createMetrics } from "./core/index.js";
export type * from "./core/types.js";
export { type ErrorCode, ErrorCodes, MetricsError } from "./errors.js";
export { memoryStore } from "./stores/memory/index.js";
export type * from "./stores/types.js";
export {
  type Bucket,
  type Calendar,
  type CalendarOptions,
  createCalendar,
  GRANULARITIES,
  type Granularity,
  type InstantInput,
  parseGranularity,
  parseInstant,
  type WeekStart,
} from "./time/index.js";
