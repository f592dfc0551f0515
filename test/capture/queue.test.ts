import { Queue } from "bullmq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { queueDepth, startWorker } from "../../src/capture/index.js";
import { createMetrics } from "../../src/core/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Store } from "../../src/stores/types.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../stores/_postgres.js";
import { freePort, ownSharedPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { rng, Tally, YEAR_END } from "./_tally.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A BullMQ prefix of our own on the shared Redis, removed after the file. */
const ownQueuePrefix = (): string => ownSharedPrefix(cleanups);

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stores: [string, () => Promise<Store>][] = [
  ["redis", async () => redisStore({ url: SHARED_URL, prefix: ownSharedPrefix(cleanups) })],
  [
    "postgres",
    async () => {
      const schema = uniqueSchema("queue");
      cleanups.push(() => dropSchema(schema));
      return postgresStore({ url: POSTGRES_URL, schema, maxConnections: 4 });
    },
  ],
  ["pglite", async () => postgresStore({ url: "pglite:memory" })],
];

describe("queue capture: producers enqueue batches, a worker writes them exactly once", () => {
  it.each(stores)(
    "gives exact totals on every granularity in %s",
    async (_, open) => {
      const prefix = ownQueuePrefix();
      const store = await open();
      const worker = await startWorker({ connection: SHARED_URL, prefix, store, concurrency: 3 });
      const producers = [1, 2].map(() =>
        createMetrics({ capture: { mode: "queue", connection: SHARED_URL, prefix, flushMs: 20 } }),
      );
      const tally = new Tally();
      const random = rng(7);
      for (let i = 0; i < 3000; i++) {
        const slug = `s${Math.floor(random() * 40)}`;
        const at = YEAR_END + Math.floor(random() * 6 * 60_000);
        const by = 1 + Math.floor(random() * 3);
        tally.add(slug, at, by);
        const p = producers[i % 2];
        await p?.record(slug, { at, by, granularities: { min: "minutes" } });
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 30));
      }
      for (const p of producers) await p.dispose();
      // Generous: an embedded PGlite worker on a loaded CI machine takes tens of seconds here.
      await until(
        "the queue to drain",
        async () => {
          const d = await worker.depth();
          return d.waiting + d.active + d.delayed === 0;
        },
        150_000,
      );
      expect(await worker.depth()).toMatchObject({ failed: 0 });
      expect(worker.processed()).toBeGreaterThan(2);
      await worker.close();
      const reader = createMetrics({ store });
      await tally.check(reader);
      await reader.dispose();
    },
    240_000,
  );

  it("applies a batch once when its job is enqueued again, even after the job was removed", async () => {
    const prefix = ownQueuePrefix();
    const store = memoryStore();
    const worker = await startWorker({ connection: SHARED_URL, prefix, store });
    const queue = new Queue("tallyboard", { connection: { url: SHARED_URL }, prefix });
    const data = {
      v: 1,
      timezone: "UTC",
      weekStart: "monday",
      records: [{ slug: "again", by: 5, at: YEAR_END, min: "minutes", max: "years" }],
    };
    await queue.add("batch", data, { jobId: "batch-1" });
    await queue.add("batch", data, { jobId: "batch-1" });
    await until("the job to complete", async () => (await queue.getJobCounts("completed")).completed === 1);
    await queue.clean(0, 10, "completed");
    await queue.add("batch", data, { jobId: "batch-1" });
    await until("the re-added job", async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(worker.processed()).toBe(2);
    expect(await store.total("again")).toBe(5);
    await worker.close();
    await queue.close();
  });

  it("moves a malformed job to the failed set without retrying, and reports it", async () => {
    const prefix = ownQueuePrefix();
    const warn = vi.fn();
    const worker = await startWorker({
      connection: SHARED_URL,
      prefix,
      store: memoryStore(),
      logger: { warn, error: vi.fn() },
    });
    const queue = new Queue("tallyboard", { connection: { url: SHARED_URL }, prefix });
    await queue.add(
      "batch",
      { v: 1, timezone: "UTC", weekStart: "monday", records: [{ slug: 3 }] },
      { attempts: 5 },
    );
    await until("the job to fail", async () => (await queue.getJobCounts("failed")).failed === 1);
    expect(await queueDepth({ connection: SHARED_URL, prefix })).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 1,
    });
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("failed"),
      expect.objectContaining({ message: expect.stringContaining("slug 3") }),
    );
    await worker.close();
    await queue.close();
  });

  it("says what to install when bullmq cannot be imported", async () => {
    const importer = () => Promise.reject(new Error("Cannot find package 'bullmq'"));
    await expect(
      startWorker({ connection: SHARED_URL, store: memoryStore(), importer }),
    ).rejects.toMatchObject({
      code: "E_MISSING_DEPENDENCY",
      message: expect.stringContaining("npm i bullmq"),
    });
    const { queueCapture } = await import("../../src/capture/index.js");
    const { createCalendar } = await import("../../src/time/index.js");
    const at = YEAR_END;
    const capture = queueCapture(createCalendar(), { connection: SHARED_URL, importer, flushMs: 60_000 });
    await capture.record({
      slug: "x",
      by: 1,
      at,
      buckets: createCalendar().bucketsAt(at),
      granularities: ["minutes"],
    });
    await expect(capture.flush()).rejects.toMatchObject({ code: "E_MISSING_DEPENDENCY" });
    expect(await capture.dispose({ discard: true })).toBeUndefined();
  });

  it("never hangs on an unreachable queue: flush() rejects with E_STORE, captureStats() omits the depth", async () => {
    const port = await freePort();
    const m = createMetrics({
      capture: {
        mode: "queue",
        connection: { url: `redis://127.0.0.1:${port}`, retryStrategy: () => 50 },
        writeTimeoutMs: 300,
        flushMs: 60_000,
      },
    });
    await m.record("unreachable");
    expect(await m.captureStats()).toEqual({
      mode: "queue",
      pendingSums: 1,
      pendingBatches: 0,
      pendingBatchSums: 0,
    });
    await expect(m.flush()).rejects.toMatchObject({ code: "E_STORE" });
    await expect(m.dispose()).rejects.toMatchObject({ code: "E_STORE" });
    expect(await m.captureStats()).toMatchObject({ pendingBatches: 1, pendingBatchSums: 1 });
    await m.dispose({ discard: true });
  });

  it("rejects a queue capture without a connection at once", () => {
    expect(() => createMetrics({ capture: { mode: "queue" } as never })).toThrowError(
      expect.objectContaining({ code: "E_INVALID_OPTION" }),
    );
  });
});
