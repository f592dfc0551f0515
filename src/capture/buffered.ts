import { randomUUID } from "node:crypto";
import { describeValue, MetricsError } from "../errors.js";
import type { Logger, RecordOp, Store } from "../stores/types.js";
import type { Capture } from "./types.js";

/** Options of {@link bufferedCapture}. */
export interface BufferedCaptureOptions {
  /** Flush interval in ms. @default 1000 */
  flushMs?: number;
  /** Pending slug×minute sums before records are refused with `E_BACKPRESSURE`. @default 100000 */
  maxPending?: number;
  /** Where failed flushes are reported. */
  logger?: Logger;
}

/**
 * Sums records in memory per slug × minute × category × group × granularity
 * run and writes them in batches. Each batch gets an id once and keeps it across
 * retries, so a batch that reached the store before the connection dropped is
 * not applied twice. A failed flush keeps the batch and retries on the next
 * tick; `flush()` and `dispose()` drain (and reject if the store still fails).
 * Failure policy: `record()` never waits for I/O; it rejects only at
 * `maxPending` (back-pressure). Reads do not see unflushed records.
 */
export function bufferedCapture(store: Store, options: BufferedCaptureOptions = {}): Capture {
  const flushMs = options.flushMs ?? 1000;
  const maxPending = options.maxPending ?? 100_000;
  let pending = new Map<string, RecordOp>();
  const retry: { id: string; ops: RecordOp[] }[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  const timer = setInterval(() => {
    flush().catch((error: unknown) => options.logger?.warn("tallyboard: buffered flush failed", error));
  }, flushMs);
  timer.unref();

  const keyOf = (op: RecordOp): string =>
    `${op.slug}\u0000${op.buckets[0]?.index}\u0000${op.category ?? ""}\u0000${op.group ?? ""}\u0000${op.granularities.join(",")}`;

  /** Add all of `ops` or none: a sum past a safe integer refuses the whole call. */
  const add = (ops: readonly RecordOp[]): void => {
    const sums = new Map<string, number>();
    for (const op of ops) {
      const key = keyOf(op);
      const sum = (sums.get(key) ?? pending.get(key)?.by ?? 0) + op.by;
      if (!Number.isSafeInteger(sum)) {
        throw new MetricsError(
          "E_INVALID_COUNT",
          `Buffered sum of slug ${describeValue(op.slug)} would pass a safe integer; flush() first`,
        );
      }
      sums.set(key, sum);
    }
    for (const op of ops) {
      const key = keyOf(op);
      const existing = pending.get(key);
      if (existing) existing.by = sums.get(key) as number;
      else pending.set(key, { ...op, by: sums.get(key) as number });
    }
  };

  const size = (): number => pending.size + retry.reduce((n, b) => n + b.ops.length, 0);

  const checkRoom = (extra: number): void => {
    if (closed) throw new MetricsError("E_DISPOSED", "The metrics instance was disposed");
    if (size() + extra > maxPending) {
      throw new MetricsError(
        "E_BACKPRESSURE",
        `Buffered capture holds ${size()} pending sums (maxPending ${maxPending}); the store is not keeping up`,
      );
    }
  };

  const drainOnce = async (): Promise<void> => {
    if (pending.size > 0) {
      retry.push({ id: randomUUID(), ops: [...pending.values()] });
      pending = new Map();
    }
    while (retry.length > 0) {
      const batch = retry[0] as { id: string; ops: RecordOp[] };
      await store.recordBatch(batch.ops, { batchId: batch.id });
      retry.shift();
    }
  };

  const flush = (): Promise<void> => {
    if (!flushing) {
      flushing = drainOnce().finally(() => {
        flushing = undefined;
      });
    }
    return flushing;
  };

  return {
    async record(op) {
      checkRoom(1);
      add([op]);
    },
    async recordMany(ops) {
      checkRoom(ops.length);
      add(ops);
    },
    async flush() {
      // A flush already running may have started before the latest records.
      if (flushing) await flushing.catch(() => undefined);
      await flush();
    },
    async dispose() {
      if (closed) return;
      clearInterval(timer);
      if (flushing) await flushing.catch(() => undefined);
      await flush();
      closed = true;
    },
  };
}
