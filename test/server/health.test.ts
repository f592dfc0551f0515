import { Queue } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { createApp } from "../../src/server/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { freePort, ownSharedPrefix, SHARED_URL } from "../stores/redis-helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A BullMQ prefix of our own on the shared Redis, removed after the file. */
const ownQueuePrefix = (): string => ownSharedPrefix(cleanups);

async function health(app: ReturnType<typeof createApp>) {
  const res = await app.request("/api/v1/healthz");
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("GET /api/v1/healthz: store, capture and queue", () => {
  it("direct capture: nothing pending, no queue field", async () => {
    const { status, body } = await health(createApp(createMetrics()));
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      store: "memory",
      capture: { mode: "direct", pendingSums: 0, pendingBatches: 0, pendingBatchSums: 0 },
    });
  });

  it("buffered capture: what is accepted and not yet written, then nothing after flush()", async () => {
    const now = () => Date.UTC(2026, 0, 5, 10, 30); // one minute: one sum per slug
    const metrics = createMetrics({
      store: memoryStore(),
      now,
      capture: { mode: "buffered", flushMs: 60_000 },
    });
    cleanups.push(() => metrics.dispose());
    const app = createApp(metrics);
    for (const slug of ["a", "b", "c"]) await metrics.record(slug, { by: 2 });
    await metrics.record("a");
    const before = (await health(app)).body.capture as {
      mode: string;
      pendingSums: number;
      pendingBatchSums: number;
    };
    expect(before.mode).toBe("buffered");
    expect(before.pendingSums + before.pendingBatchSums).toBe(3);
    await metrics.flush();
    expect((await health(app)).body.capture).toMatchObject({ pendingSums: 0, pendingBatchSums: 0 });
  });

  it("a watched queue: its jobs by state, as the queue itself counts them", async () => {
    const prefix = ownQueuePrefix();
    const queue = new Queue("tallyboard", { connection: { url: SHARED_URL }, prefix });
    cleanups.push(() => queue.close());
    for (let i = 0; i < 3; i++) await queue.add("batch", { v: 1 }, { jobId: `b${i}` });
    await queue.add("batch", { v: 1 }, { jobId: "later", delay: 3_600_000 });
    const app = createApp(createMetrics(), { queue: { connection: SHARED_URL, prefix } });
    const { status, body } = await health(app);
    expect(status).toBe(200);
    expect(body.queue).toEqual({ waiting: 3, active: 0, delayed: 1, failed: 0 });
    const counts = await queue.getJobCounts("waiting", "delayed");
    expect(body.queue).toMatchObject({ waiting: counts.waiting, delayed: counts.delayed });
  });

  it.each([
    ["refused at once", () => null],
    ["retried while down (the answer is bounded)", () => 50],
  ])(
    "a watched queue whose Redis is down, %s: 200 with queue null (the store decides ok)",
    async (_, retry) => {
      const port = await freePort();
      const app = createApp(createMetrics(), {
        queue: { connection: { url: `redis://127.0.0.1:${port}`, retryStrategy: retry }, prefix: "x" },
      });
      const [first, second] = await Promise.all([health(app), health(app)]);
      for (const { status, body } of [first, second]) {
        expect(status).toBe(200);
        expect(body).toMatchObject({ ok: true, queue: null });
      }
    },
  );

  it("queue mode: the producer's own queue depth in capture.queue", async () => {
    const prefix = ownQueuePrefix();
    const metrics = createMetrics({
      capture: { mode: "queue", connection: SHARED_URL, prefix, flushMs: 60_000 },
    });
    cleanups.push(() => metrics.dispose());
    await metrics.record("signups", { by: 4 });
    await metrics.flush(); // one job, no worker
    const { body } = await health(createApp(metrics));
    expect(body.capture).toMatchObject({ mode: "queue", pendingSums: 0, queue: { waiting: 1, failed: 0 } });
  });

  it.each([
    null,
    "redis://x",
    {},
    { connection: "" },
    { connection: null },
    { connection: SHARED_URL, queueName: 5 },
    { connection: SHARED_URL, prefix: "" },
  ])("refuses queue option %j with E_INVALID_OPTION", (queue) => {
    let caught: unknown;
    try {
      createApp(createMetrics(), { queue } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricsError);
    expect((caught as MetricsError).code).toBe("E_INVALID_OPTION");
    expect((caught as MetricsError).message).toContain("queue");
  });
});
