/**
 * The buffered hot path against its floor: a bare Map increment of a
 * composite key (slug + minute) over the same 1,000 slugs, measured in the
 * same run, interleaved. Also the memory a buffer holds at `maxPending`
 * while its store does not answer.
 */
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Store } from "../src/stores/types.js";
import { interleaved } from "./_measure.js";

export const SLUGS = Array.from({ length: 1000 }, (_, i) => `bench.capture.slug-${i}`);

/** Events per second of the floor: `map.set(key, (map.get(key) ?? 0) + 1)`, key = slug + minute. */
function floorRate(n: number): number {
  const map = new Map<string, number>();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const key = `${SLUGS[i % SLUGS.length]}\u0000${Math.floor(Date.now() / 60_000)}`;
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (map.size === 0) throw new Error("unreachable");
  return (n / ms) * 1000;
}

async function bufferedRate(metrics: Metrics, n: number, awaited: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  if (awaited) {
    for (let i = 0; i < n; i++) await metrics.record(SLUGS[i % SLUGS.length] as string);
  } else {
    for (let i = 0; i < n; i++) void metrics.record(SLUGS[i % SLUGS.length] as string);
  }
  await metrics.flush();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return (n / ms) * 1000;
}

export interface HotPathFigures {
  floor: number;
  awaited: number;
  fireAndForget: number;
}

/** Median events/s of the floor and of buffered record() (awaited and not) into Redis, interleaved. */
export async function hotPath(redisUrl: string, n: number, rounds: number): Promise<HotPathFigures> {
  const metrics = createMetrics({
    store: redisStore({ url: redisUrl, prefix: "bench-capture" }),
    capture: { mode: "buffered", flushMs: 1000 },
  });
  try {
    for (const slug of SLUGS) await metrics.record(slug); // attach, warm up
    await bufferedRate(metrics, n, true);
    const r = await interleaved(
      {
        floor: async () => floorRate(n),
        awaited: () => bufferedRate(metrics, n, true),
        fireAndForget: () => bufferedRate(metrics, n, false),
      },
      rounds,
    );
    return r;
  } finally {
    await metrics.dispose();
  }
}

/** A store that never answers a batch: the buffer fills up to maxPending. */
function silentStore(inner: Store): Store {
  return { ...inner, recordBatch: () => new Promise<void>(() => undefined) };
}

/**
 * Heap growth (bytes) after offering `offered` distinct slug×minute sums to a
 * buffer with `maxPending` whose store never answers; `accepted` counts those
 * taken before `E_BACKPRESSURE`.
 */
export async function boundedMemory(
  redisUrl: string,
  maxPending: number,
  offered: number,
): Promise<{ heapBytes: number; accepted: number; pending: number }> {
  const store = silentStore(redisStore({ url: redisUrl, prefix: "bench-capture-mem" }));
  const metrics = createMetrics({
    store,
    capture: { mode: "buffered", flushMs: 100, maxPending, writeTimeoutMs: 200 },
  });
  await metrics.record("warm");
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let accepted = 0;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < offered; i++) {
    const ok = await metrics
      .record(SLUGS[i % SLUGS.length] as string, { at: t0 + Math.floor(i / SLUGS.length) * 60_000 })
      .then(
        () => true,
        () => false,
      );
    if (ok) accepted++;
  }
  global.gc?.();
  const heapBytes = process.memoryUsage().heapUsed - before;
  const stats = await metrics.captureStats();
  await metrics.dispose({ discard: true }).catch(() => undefined);
  return { heapBytes, accepted, pending: stats.pendingSums + stats.pendingBatchSums };
}
