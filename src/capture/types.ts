import type { RecordOp } from "../stores/types.js";

/** How validated records travel to the store. */
export interface Capture {
  /** Hand over one record. Resolves when it is written (direct) or accepted (buffered). */
  record(op: RecordOp): Promise<void>;
  /** Hand over many records as one unit. */
  recordMany(ops: readonly RecordOp[]): Promise<void>;
  /** Write everything accepted so far. */
  flush(): Promise<void>;
  /** Flush and stop timers. Idempotent. */
  dispose(): Promise<void>;
}
