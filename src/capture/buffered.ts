import type { Logger, Store } from "../stores/types.js";
import { createBatcher } from "./_batcher.js";
import type { Capture } from "./types.js";

/** Options of {@link bufferedCapture}. */
export interface BufferedCaptureOptions {
  /** Flush interval in ms: the most a process crash can lose is about this much data. @default 1000 */
  flushMs?: number;
  /** Pending slug×minute sums before records are refused with `E_BACKPRESSURE`. @default 100000 */
  maxPending?: number;
  /** Bound of one batch write; past it `flush()` rejects with `E_STORE` and keeps the batch. @default 10000 */
  writeTimeoutMs?: number;
  /** Where failed background flushes are reported. */
  logger?: Logger;
}

/** Sums per batch; a larger buffer is written as several batches. */
const MAX_BATCH = 10_000;

/**
 * Sums records in memory per slug × minute × category × group × granularity
 * run and writes them with `store.recordBatch(ops, { batchId })`. Each batch
 * gets an id once and keeps it across retries, so a batch that reached the
 * store before the connection dropped is not applied twice. A failed flush
 * keeps the batch and retries on the next tick; `flush()` and `dispose()`
 * drain, reject with the store's error (or `E_STORE` after `writeTimeoutMs`)
 * and can be called again until they resolve.
 * Failure policy: `record()` never waits for I/O; it rejects only at
 * `maxPending` (back-pressure) and once `dispose()` started. Reads do not see
 * unflushed records.
 */
export function bufferedCapture(store: Store, options: BufferedCaptureOptions = {}): Capture {
  return createBatcher({
    mode: "buffered",
    write: (batch) => store.recordBatch(batch.ops, { batchId: batch.id }),
    flushMs: options.flushMs ?? 1000,
    maxPending: options.maxPending ?? 100_000,
    writeTimeoutMs: options.writeTimeoutMs ?? 10_000,
    maxBatch: MAX_BATCH,
    logger: options.logger,
  });
}
