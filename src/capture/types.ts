import type { RecordOp } from "../stores/types.js";

/** What {@link Capture.stats} reports: how much accepted data is not yet written. */
export interface CaptureStats {
  /** `"direct"`, `"buffered"` or `"queue"`. */
  mode: "direct" | "buffered" | "queue";
  /** Summed slug×minute entries held in memory, not yet in a batch. */
  pendingSums: number;
  /** Batches cut from the buffer and not yet written (buffered) or enqueued (queue). */
  pendingBatches: number;
  /** Entries inside those batches. */
  pendingBatchSums: number;
  /** Queue mode: jobs in the BullMQ queue (every producer's), when Redis answered. */
  queue?: QueueDepth;
}

/** Jobs of a tallyboard BullMQ queue by state. */
export interface QueueDepth {
  /** Waiting to be picked up by a worker. */
  waiting: number;
  /** Being written by a worker now. */
  active: number;
  /** Waiting for a retry after a failed attempt. */
  delayed: number;
  /** Out of attempts: kept in the failed set, not written (see docs/capture.md). */
  failed: number;
}

/** Options of {@link Capture.dispose}. */
export interface DisposeOptions {
  /**
   * Drop every accepted record that is not written yet instead of writing it.
   * The only way records are dropped; the count is logged as a warning.
   * @default false
   */
  discard?: boolean;
}

/** How validated records travel to the store. */
export interface Capture {
  readonly mode: CaptureStats["mode"];
  /** Hand over one record. Resolves when it is written (direct) or accepted (buffered, queue). */
  record(op: RecordOp): Promise<void>;
  /**
   * Accept one record synchronously (buffered and queue capture only): the
   * fast path of `metrics.record()`. Throws `E_BACKPRESSURE` / `E_DISPOSED`.
   */
  add?(op: RecordOp): void;
  /** Hand over many records as one unit. */
  recordMany(ops: readonly RecordOp[]): Promise<void>;
  /** Write everything accepted so far; rejects (keeping it) when the store fails. */
  flush(): Promise<void>;
  /**
   * Refuse new records, write everything accepted, stop timers. Retryable: a
   * rejected dispose keeps the buffer; call it (or `flush()`) again.
   */
  dispose(options?: DisposeOptions): Promise<void>;
  /** What is accepted but not yet written. */
  stats(): Promise<CaptureStats>;
}
