/**
 * The capture section: (a) buffered record() against its floor — a bare Map
 * increment of a composite key over 1,000 slugs, measured in the same run,
 * same warm-up, same round length, median of interleaved rounds —
 * awaited and fire-and-forget; (b) heap held by a buffer at maxPending while
 * its store never answers; (c) queue capture end to end: two producers
 * enqueue, one worker (concurrency 4) writes into the Redis store; events/s
 * from the first record until the last batch is written; (d) the worker
 * alone, draining jobs of 1,000 distinct sums each.
 */
import { startWorker } from "../src/capture/index.js";
import { createMetrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import { boundedMemory, type Figures, hotPath, SLUGS } from "./_capture_hot.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const FLOOR = "Map increment (floor)";
const BUFFERED = "tallyboard buffered";

async function queueEndToEnd(
  ctx: BenchContext,
  events: number,
): Promise<{ eventsPerSecond: number; jobs: number; jobsPerSecond: number }> {
  const prefix = `bench-q-${Date.now()}`;
  const store = redisStore({ url: ctx.redisUrl, prefix });
  const worker = await startWorker({ connection: ctx.redisUrl, prefix, store, concurrency: 4 });
  const producers = [0, 1].map(() =>
    createMetrics({ capture: { mode: "queue", connection: ctx.redisUrl, prefix, flushMs: 50 } }),
  );
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    await producers[i & 1]?.record(SLUGS[i % SLUGS.length] as string);
    if (i % 10_000 === 0) await new Promise((r) => setImmediate(r));
  }
  for (const p of producers) await p.dispose();
  for (;;) {
    const d = await worker.depth();
    if (d.waiting + d.active + d.delayed === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const jobs = worker.processed();
  await worker.close();
  const reader = createMetrics({ store });
  let total = 0;
  for (const slug of SLUGS) total += await reader.total(slug);
  await reader.dispose();
  if (total !== events) throw new Error(`queue end to end wrote ${total} of ${events} events`);
  return { eventsPerSecond: events / seconds, jobs, jobsPerSecond: jobs / seconds };
}

/**
 * The worker alone: `jobs` jobs of 1,000 distinct sums each are enqueued
 * first, then one worker (concurrency 4) drains them into the Redis store.
 */
async function workerDrain(
  ctx: BenchContext,
  jobs: number,
): Promise<{ sumsPerSecond: number; jobsPerSecond: number }> {
  const prefix = `bench-w-${Date.now()}`;
  const producer = createMetrics({
    capture: { mode: "queue", connection: ctx.redisUrl, prefix, flushMs: 3_600_000, maxPending: 1_000_000 },
  });
  const t0 = Date.UTC(2024, 0, 1);
  for (let j = 0; j < jobs; j++) {
    for (const slug of SLUGS) await producer.record(slug, { at: t0 + j * 60_000 });
    await producer.flush();
  }
  await producer.dispose();
  const store = redisStore({ url: ctx.redisUrl, prefix });
  const start = process.hrtime.bigint();
  const worker = await startWorker({ connection: ctx.redisUrl, prefix, store, concurrency: 4 });
  while (worker.processed() < jobs) await new Promise((r) => setTimeout(r, 2));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await worker.close();
  await store.dispose();
  return { sumsPerSecond: (jobs * SLUGS.length) / seconds, jobsPerSecond: jobs / seconds };
}

/** Run the capture section. */
export async function run(ctx: BenchContext): Promise<BenchSection> {
  const roundMs = ctx.scale < 1 ? 300 : 1000;
  const rounds = ctx.scale < 1 ? 5 : 7;
  ctx.log(`capture: hot path, ${rounds} interleaved rounds of ${roundMs} ms per subject after a warm-up`);
  const hot = await hotPath(ctx.redisUrl, roundMs, rounds);
  const rows: BenchRow[] = [
    { name: "(a) 1,000 slugs, events/s", subject: FLOOR, value: Math.round(hot.floor), unit: "events/s" },
    {
      name: "(a) 1,000 slugs, awaited record()",
      subject: BUFFERED,
      value: Math.round(hot.awaited.rate),
      unit: "events/s",
      ratio: { to: FLOOR, value: hot.awaited.ratio },
    },
    {
      name: "(a) 1,000 slugs, fire-and-forget record()",
      subject: BUFFERED,
      value: Math.round(hot.fireAndForget.rate),
      unit: "events/s",
      ratio: { to: FLOOR, value: hot.fireAndForget.ratio },
    },
  ];
  const maxPending = 10_000;
  const mem = await boundedMemory(ctx.redisUrl, maxPending, 50_000);
  rows.push({
    name: `(b) heap with maxPending ${maxPending}, 50,000 distinct sums offered, store silent`,
    subject: BUFFERED,
    value: Math.round(mem.heapBytes / 1024),
    unit: "KiB",
  });
  const events = Math.max(20_000, Math.round(1_000_000 * ctx.scale));
  ctx.log(`capture: queue end to end, ${events} events`);
  const q = await queueEndToEnd(ctx, events);
  rows.push(
    {
      name: "(c) queue end to end, 2 producers, 1 worker",
      subject: "tallyboard queue",
      value: Math.round(q.eventsPerSecond),
      unit: "events/s",
    },
    {
      name: "(c) queue jobs (batches) written",
      subject: "tallyboard queue",
      value: Math.round(q.jobsPerSecond),
      unit: "jobs/s",
    },
  );
  const jobs = Math.max(20, Math.round(200 * ctx.scale));
  ctx.log(`capture: worker drain, ${jobs} jobs of 1,000 sums`);
  const w = await workerDrain(ctx, jobs);
  rows.push(
    {
      name: `(d) worker alone, ${jobs} jobs x 1,000 sums, concurrency 4`,
      subject: "tallyboard worker",
      value: Math.round(w.sumsPerSecond),
      unit: "sums/s",
    },
    {
      name: `(d) worker alone, ${jobs} jobs x 1,000 sums, concurrency 4`,
      subject: "tallyboard worker",
      value: Math.round(w.jobsPerSecond),
      unit: "jobs/s",
    },
  );
  const target = (name: string, f: Figures) => ({
    name,
    met: f.ratio >= 0.5,
    detail: `median ${f.ratio.toFixed(2)}x the floor, min ${f.minRatio.toFixed(2)}x over ${hot.rounds} rounds of ${hot.roundMs} ms (${Math.round(f.rate)} vs ${Math.round(hot.floor)} events/s)`,
  });
  return {
    name: "Capture (buffered hot path, queue end to end)",
    rows,
    targets: [
      target("buffered awaited record() >= 0.5x Map floor, 1,000 slugs", hot.awaited),
      target("buffered fire-and-forget record() >= 0.5x Map floor, 1,000 slugs", hot.fireAndForget),
      {
        name: `buffer bounded by maxPending (${maxPending})`,
        met: mem.accepted <= 50_000 && mem.pending <= maxPending,
        detail: `${mem.pending} sums held, ${Math.round(mem.heapBytes / 1024)} KiB heap`,
      },
    ],
  };
}
