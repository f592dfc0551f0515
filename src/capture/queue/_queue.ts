import type { JobsOptions, Queue } from "bullmq";
import type { QueueDepth } from "../types.js";

/** Backoff between a worker's attempts at one job: 1 s doubling, at most 30 s. */
export const BACKOFF = "tallyboard";

/** The retry delay of attempt `attemptsMade` (1-based). */
export function backoffDelay(attemptsMade: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Options of a batch job. `jobId` is the batch id: BullMQ ignores an add
 * whose id exists, and the worker passes it to the store as the batch id.
 * Completed jobs are kept an hour (so a late re-enqueue stays a no-op);
 * failed ones are kept until removed.
 */
export function jobOptions(batchId: string, attempts: number): JobsOptions {
  return {
    jobId: batchId,
    attempts,
    backoff: { type: BACKOFF },
    removeOnComplete: { age: 3600, count: 100_000 },
    removeOnFail: false,
  };
}

/** Jobs per state. */
export async function queueDepthOf(queue: Pick<Queue, "getJobCounts">): Promise<QueueDepth> {
  const c = await queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    failed: c.failed ?? 0,
  };
}
