export { type BufferedCaptureOptions, bufferedCapture } from "./buffered.js";
export { directCapture } from "./direct.js";
export type { Capture } from "./types.js";
