import type { Job, Worker } from "bullmq";
import type { Logger, Store } from "../../stores/types.js";
import { type Calendar, createCalendar } from "../../time/index.js";
import type { QueueDepth } from "../types.js";
import { connectionOptions, type Importer, loadBullmq } from "./_bullmq.js";
import { checkJobData, DEFAULT_QUEUE, type JobData, type QueueConnection, toOps } from "./_job.js";
import { BACKOFF, backoffDelay, queueDepthOf } from "./_queue.js";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Redis of the queue: a URL or ioredis/BullMQ connection options. */
  connection: QueueConnection;
  /** Where the counts go: any store (Redis, Postgres, PGlite, memory). */
  store: Store;
  /** BullMQ queue name; the producers must use the same. @default "tallyboard" */
  queueName?: string;
  /** BullMQ key prefix. @default "bull" */
  prefix?: string;
  /** Jobs written at the same time. @default 4 */
  concurrency?: number;
  /**
   * How long a job stays locked to this worker without a renewal; a worker
   * that died is noticed after about this long and its job is handed to
   * another worker. @default 30000
   */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. @default 30000 */
  stalledIntervalMs?: number;
  /** Where job failures are reported. */
  logger?: Logger;
  /** @internal How bullmq is imported (tests). */
  importer?: Importer;
}

/** A running worker. */
export interface MetricsWorker {
  /** Jobs written by this worker so far. */
  processed(): number;
  /** Jobs per state in the queue. */
  depth(): Promise<QueueDepth>;
  /** Stop taking jobs, wait for the running ones, close the connections. Does not dispose the store. */
  close(): Promise<void>;
}

/**
 * Consume the batches enqueued by queue capture and write each with
 * `store.recordBatch(ops, { batchId: job.id })`: a job written twice (a
 * worker killed after writing, before BullMQ heard of it, so the job was
 * re-delivered as stalled) counts once. A failed write is retried with
 * backoff (1 s doubling to 30 s) up to the producer's `attempts`. Resolves
 * once the worker is connected.
 *
 * @example
 * const worker = await startWorker({ connection: "redis://127.0.0.1:6379", store: redisStore({ url }) });
 * process.once("SIGTERM", () => void worker.close());
 */
export async function startWorker(options: WorkerOptions): Promise<MetricsWorker> {
  const { Worker, Queue, UnrecoverableError } = await loadBullmq(options.importer);
  const name = options.queueName ?? DEFAULT_QUEUE;
  const prefix = options.prefix !== undefined ? { prefix: options.prefix } : {};
  const calendars = new Map<string, Calendar>();
  let attached: Promise<void> | undefined;
  let attachedKey: string | undefined;
  let processed = 0;

  const calendarOf = async (data: JobData): Promise<Calendar> => {
    const key = `${data.timezone}|${data.weekStart}`;
    let calendar = calendars.get(key);
    if (!calendar) {
      calendar = createCalendar({ timezone: data.timezone, weekStart: data.weekStart });
      calendars.set(key, calendar);
    }
    if (attachedKey !== undefined && attachedKey !== key) {
      throw new UnrecoverableError(
        `Job in zone ${key} but this worker's store is attached in ${attachedKey}; run one worker per zone`,
      );
    }
    attachedKey = key;
    attached ??= options.store.attach({ calendar, ...(options.logger && { logger: options.logger }) });
    attached.catch(() => {
      attached = undefined;
      attachedKey = undefined;
    });
    await attached;
    return calendar;
  };

  const processJob = async (job: Job): Promise<void> => {
    let data: JobData;
    try {
      data = checkJobData(job.data);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    const calendar = await calendarOf(data);
    await options.store.recordBatch(toOps(calendar, data), { batchId: String(job.id) });
    processed++;
  };

  const worker: Worker = new Worker(name, processJob, {
    connection: connectionOptions(options.connection, "worker"),
    ...prefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 10,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) =>
        type === BACKOFF ? backoffDelay(attemptsMade) : 1000,
    },
  });
  worker.on("failed", (job, error) =>
    options.logger?.warn(`tallyboard worker: job ${job?.id} failed (attempt ${job?.attemptsMade})`, error),
  );
  worker.on("error", (error) => options.logger?.error("tallyboard worker: queue error", error));
  const queue = new Queue(name, { connection: connectionOptions(options.connection, "producer"), ...prefix });
  queue.on("error", () => undefined); // depth() rejects instead
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    processed: () => processed,
    depth: () => queueDepthOf(queue),
    close() {
      closing ??= (async () => {
        await worker.close();
        await queue.close();
      })();
      return closing;
    },
  };
}

/** Options of {@link queueDepth}. */
export interface QueueDepthOptions {
  connection: QueueConnection;
  /** @default "tallyboard" */
  queueName?: string;
  /** @default "bull" */
  prefix?: string;
}

/**
 * Jobs per state in a tallyboard queue, for a health endpoint or dashboard
 * that does not hold a metrics instance in queue mode (which has
 * `metrics.captureStats()`).
 *
 * @example
 * const { waiting, active, failed } = await queueDepth({ connection: "redis://127.0.0.1:6379" });
 */
export async function queueDepth(options: QueueDepthOptions): Promise<QueueDepth> {
  const { Queue } = await loadBullmq();
  const queue = new Queue(options.queueName ?? DEFAULT_QUEUE, {
    connection: connectionOptions(options.connection, "producer"),
    ...(options.prefix !== undefined && { prefix: options.prefix }),
  });
  queue.on("error", () => undefined); // the call below rejects instead
  try {
    return await queueDepthOf(queue);
  } finally {
    await queue.close();
  }
}
