import { Hono } from "hono";
import { type CaptureStats, type QueueDepth, type QueueDepthOptions, queueDepth } from "../capture/index.js";
import type { Metrics } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";

/** How long `/healthz` waits for the depth of a monitored queue before leaving it out. */
const QUEUE_WAIT_MS = 2000;

/** `GET /healthz`: 200 `{ ok, store, capture, queue? }` while the store answers, else 503. */
export interface Health {
  ok: true;
  /** The store's kind: `"memory"`, `"redis"`, `"postgres"`, `"tiered"`. */
  store: string;
  /** This process's capture: its mode and what it holds that is not written yet (and its queue, in queue mode). */
  capture: CaptureStats;
  /**
   * The queue given as `createApp(m, { queue })` (workers elsewhere consume it):
   * its jobs by state, or `null` when its Redis did not answer within 2 s.
   */
  queue?: QueueDepth | null;
}

/** Check `createApp()`'s `queue` option: `{ connection, queueName?, prefix? }`. */
export function checkQueueOption(queue: unknown): QueueDepthOptions | undefined {
  if (queue === undefined) return undefined;
  const o = queue as Partial<QueueDepthOptions> | null;
  const text = (v: unknown) => v === undefined || (typeof v === "string" && v !== "");
  if (
    o === null ||
    typeof o !== "object" ||
    !(typeof o.connection === "string" ? o.connection !== "" : typeof o.connection === "object") ||
    o.connection === null ||
    !text(o.queueName) ||
    !text(o.prefix)
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `queue must be { connection, queueName?, prefix? } with a Redis URL or connection options, got ${describeValue(queue)}`,
    );
  }
  return o as QueueDepthOptions;
}

/** `value`, or `undefined` once `ms` passed or when it rejects. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The health route. One cheap store read decides `ok` (a failing store
 * answers 503 through the error handler); capture stats come from this
 * process, and a monitored queue's depth from its Redis, bounded so that a
 * load balancer's check never hangs on it.
 */
export function healthRoutes(deps: { metrics: Metrics; queue?: QueueDepthOptions | undefined }): Hono {
  const { metrics, queue } = deps;
  // One depth request at a time: checks arriving while the queue's Redis is
  // slow share it instead of opening a connection each.
  let inFlight: Promise<QueueDepth> | undefined;
  const depth = (q: QueueDepthOptions): Promise<QueueDepth> => {
    inFlight ??= queueDepth(q).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const routes = new Hono();
  routes.get("/healthz", async (c) => {
    await metrics.slugInfo("tallyboard.healthz");
    const capture =
      typeof metrics.captureStats === "function"
        ? await metrics.captureStats()
        : { mode: "direct" as const, pendingSums: 0, pendingBatches: 0, pendingBatchSums: 0 };
    const body: Health = { ok: true, store: metrics.store.kind, capture };
    if (queue !== undefined) body.queue = (await within(depth(queue), QUEUE_WAIT_MS)) ?? null;
    return c.json(body);
  });
  return routes;
}
