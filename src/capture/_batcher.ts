import { randomUUID } from "node:crypto";
import { MetricsError } from "../errors.js";
import type { Logger, RecordOp } from "../stores/types.js";
import { Sums } from "./_sums.js";
import type { Capture, CaptureStats, QueueDepth } from "./types.js";

/** A batch cut from the buffer: its id is chosen once and kept across retries. */
export interface Batch {
  id: string;
  ops: RecordOp[];
}

/** What differs between buffered capture (writes to the store) and queue capture (enqueues). */
export interface BatcherOptions {
  mode: "buffered" | "queue";
  /** Write or enqueue one batch; must be idempotent per `batch.id`. */
  write(batch: Batch): Promise<void>;
  flushMs: number;
  maxPending: number;
  /** Bound of one `write()`; past it the flush rejects with `E_STORE` and the batch is kept. */
  writeTimeoutMs: number;
  /** Entries per batch (a bigger buffer is cut into several batches). */
  maxBatch: number;
  logger: Logger | undefined;
  /** Release resources after the final drain (e.g. close the queue). */
  close?(): Promise<void>;
  /** Queue depth for {@link Capture.stats}. */
  depth?(): Promise<QueueDepth>;
}

const RESOLVED = Promise.resolve();

/**
 * The buffer, batch list, flush timer and retry rules shared by buffered and
 * queue capture. Records are summed in memory; a flush cuts them into batches
 * with fresh ids and writes the batches in order. A failed or timed-out write
 * keeps its batch (same id) at the head of the list for the next flush, so a
 * batch that reached the store before its reply was lost is not applied
 * twice. Nothing accepted is dropped except by `dispose({ discard: true })`.
 */
export function createBatcher(o: BatcherOptions): Capture {
  const sums = new Sums();
  const batches: Batch[] = [];
  let batchedSums = 0;
  let flushing: Promise<void> | undefined;
  let closing = false;
  let closed = false;
  let disposing: Promise<void> | undefined;

  const tick = (): void => {
    if (flushing || (sums.size === 0 && batches.length === 0)) return;
    flush().catch((error: unknown) =>
      o.logger?.warn(`tallyboard: ${o.mode} flush failed; will retry`, error),
    );
  };
  const timer = setInterval(tick, o.flushMs);
  timer.unref();

  const room = (entries: number): void => {
    if (closing) throw new MetricsError("E_DISPOSED", "The metrics instance is being disposed");
    const size = sums.size + batchedSums;
    if (size + entries > o.maxPending) {
      throw new MetricsError(
        "E_BACKPRESSURE",
        `Capture holds ${size} pending sums (maxPending ${o.maxPending}); the store is not keeping up`,
      );
    }
  };
  const roomForOne = (): void => room(1);

  const add = (op: RecordOp): void => {
    if (closing) throw new MetricsError("E_DISPOSED", "The metrics instance is being disposed");
    sums.add(op, roomForOne);
  };

  const cut = (): void => {
    if (sums.size === 0) return;
    const ops = sums.take();
    for (let i = 0; i < ops.length; i += o.maxBatch) {
      const chunk = ops.slice(i, i + o.maxBatch);
      batches.push({ id: randomUUID(), ops: chunk });
      batchedSums += chunk.length;
    }
  };

  const bounded = (batch: Batch): Promise<void> => {
    const write = o.write(batch);
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => {
        write.catch(() => undefined); // settles later; the batch id makes a late success harmless
        reject(
          new MetricsError(
            "E_STORE",
            `Writing batch ${batch.id} (${batch.ops.length} sums) took over ${o.writeTimeoutMs} ms; it is kept and retried with the same id`,
          ),
        );
      }, o.writeTimeoutMs);
    });
    return Promise.race([write, timedOut]).finally(() => clearTimeout(timeout));
  };

  const drainBatches = async (): Promise<void> => {
    while (batches.length > 0) {
      const batch = batches[0] as Batch;
      await bounded(batch);
      const at = batches.indexOf(batch);
      if (at >= 0) {
        batches.splice(at, 1);
        batchedSums -= batch.ops.length;
      }
    }
  };

  /**
   * Write the batches left by failed flushes, then cut the buffer and write
   * that. New batches are cut only once the old ones are written, so while
   * the store is down records keep summing in the buffer instead of piling
   * up as ever more batches.
   */
  const drainOnce = async (): Promise<void> => {
    await drainBatches();
    cut();
    await drainBatches();
  };

  const flush = (): Promise<void> => {
    flushing ??= drainOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };

  const discard = (): void => {
    const dropped = sums.take().length + batchedSums;
    batches.length = 0;
    batchedSums = 0;
    if (dropped > 0)
      o.logger?.warn(`tallyboard: dispose({ discard: true }) dropped ${dropped} unwritten sums`);
  };

  return {
    mode: o.mode,
    add,
    record(op) {
      try {
        add(op);
      } catch (error) {
        return Promise.reject(error);
      }
      return RESOLVED;
    },
    async recordMany(ops) {
      sums.addAll(ops, room);
    },
    async flush() {
      // A flush already running may have started before the latest records.
      if (flushing) await flushing.catch(() => undefined);
      await flush();
    },
    dispose(options = {}) {
      closing = true;
      if (options.discard) discard();
      if (closed) return RESOLVED;
      disposing ??= (async () => {
        if (flushing) await flushing.catch(() => undefined);
        await flush();
        clearInterval(timer);
        await o.close?.();
        closed = true;
      })().catch((error: unknown) => {
        disposing = undefined;
        throw error;
      });
      return disposing;
    },
    async stats(): Promise<CaptureStats> {
      const stats: CaptureStats = {
        mode: o.mode,
        pendingSums: sums.size,
        pendingBatches: batches.length,
        pendingBatchSums: batchedSums,
      };
      if (o.depth) {
        // A health check must not hang on an unreachable Redis: omit the depth instead.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), Math.min(o.writeTimeoutMs, 2000));
        });
        const depth = await Promise.race([o.depth().catch(() => undefined), late]).finally(() =>
          clearTimeout(timer),
        );
        if (depth) stats.queue = depth;
      }
      return stats;
    },
  };
}
