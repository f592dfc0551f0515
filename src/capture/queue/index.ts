export type { QueueConnection } from "./_job.js";
export { type QueueCaptureOptions, queueCapture } from "./producer.js";
export {
  type MetricsWorker,
  type QueueDepthOptions,
  queueDepth,
  startWorker,
  type WorkerOptions,
} from "./worker.js";
