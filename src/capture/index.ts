export { type BufferedCaptureOptions, bufferedCapture } from "./buffered.js";
export { directCapture } from "./direct.js";
export * from "./queue/index.js";
export type { Capture, CaptureStats, DisposeOptions, QueueDepth } from "./types.js";
