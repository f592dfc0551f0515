import type { Queue } from "bullmq";
import { MetricsError, redactSecrets } from "../../errors.js";
import type { Logger } from "../../stores/types.js";
import type { Calendar } from "../../time/index.js";
import { createBatcher } from "../_batcher.js";
import type { Capture, QueueDepth } from "../types.js";
import { connectionOptions, type Importer, loadBullmq } from "./_bullmq.js";
import { DEFAULT_QUEUE, JOB_NAME, type QueueConnection, toJobData } from "./_job.js";
import { jobOptions, queueDepthOf } from "./_queue.js";

/** Options of {@link queueCapture} (`createMetrics({ capture: { mode: "queue", … } })`). */
export interface QueueCaptureOptions {
  /** Redis of the queue: a URL or ioredis/BullMQ connection options. */
  connection: QueueConnection;
  /** BullMQ queue name; the worker must use the same. @default "tallyboard" */
  queueName?: string;
  /** BullMQ key prefix. @default "bull" */
  prefix?: string;
  /** How long records are summed in memory before a batch is enqueued. @default 1000 */
  flushMs?: number;
  /** Pending sums (buffer plus batches not yet enqueued) before `E_BACKPRESSURE`. @default 100000 */
  maxPending?: number;
  /** Bound of one enqueue; past it `flush()` rejects with `E_STORE` and keeps the batch. @default 10000 */
  writeTimeoutMs?: number;
  /** Attempts a worker makes at writing a job before it moves to the failed set. @default 100 */
  attempts?: number;
  /** Where failed background flushes are reported. */
  logger?: Logger;
  /** @internal How bullmq is imported (tests). */
  importer?: Importer;
}

/** Sums per job. */
const MAX_BATCH = 5000;

/**
 * Queue capture, the Celery analog: records are summed in memory for up to
 * `flushMs`, then each batch is enqueued as one BullMQ job whose id is the
 * batch id, so re-enqueueing a batch after a lost reply is a no-op. A worker
 * (`startWorker()` or `tallyboard worker`) writes each job with
 * `store.recordBatch(ops, { batchId: job.id })`. While Redis is unreachable
 * the batches stay in memory (bounded by `maxPending`) and are retried with
 * the same ids.
 */
export function queueCapture(calendar: Calendar, options: QueueCaptureOptions): Capture {
  const name = options.queueName ?? DEFAULT_QUEUE;
  const attempts = options.attempts ?? 100;
  let queue: Promise<Queue> | undefined;
  const open = (): Promise<Queue> => {
    queue ??= loadBullmq(options.importer).then(({ Queue }) => {
      const q = new Queue(name, {
        connection: connectionOptions(options.connection, "producer"),
        ...(options.prefix !== undefined && { prefix: options.prefix }),
      });
      // Connection errors surface as failed flushes; without a listener BullMQ would print them.
      q.on("error", () => undefined);
      return q;
    });
    queue.catch(() => {
      queue = undefined;
    });
    return queue;
  };
  return createBatcher({
    mode: "queue",
    async write(batch) {
      const q = await open();
      try {
        await q.add(JOB_NAME, toJobData(calendar, batch.ops), jobOptions(batch.id, attempts));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new MetricsError(
          "E_STORE",
          `Enqueueing batch ${batch.id} failed (kept, retried with the same id): ${redactSecrets(message)}`,
          { cause: error },
        );
      }
    },
    flushMs: options.flushMs ?? 1000,
    maxPending: options.maxPending ?? 100_000,
    writeTimeoutMs: options.writeTimeoutMs ?? 10_000,
    maxBatch: MAX_BATCH,
    logger: options.logger,
    async close() {
      if (queue) await (await queue).close();
    },
    async depth(): Promise<QueueDepth> {
      return queueDepthOf(await open());
    },
  });
}
