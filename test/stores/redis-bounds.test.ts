/**
 * No store call may hang: behind a listener that accepts connections and
 * closes them at once (a load balancer whose Redis is down), every call of the
 * Redis store rejects with E_STORE within `commandTimeoutMs`, and dispose()
 * settles. The vitest timeout is the hang detector; nothing asserts on time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { randomPrefix, startRedis } from "./redis-helpers.js";
import { acceptAndClose, startFaultProxy } from "./redis-proxy.js";

let sink: Awaited<ReturnType<typeof acceptAndClose>>;
beforeAll(async () => {
  sink = await acceptAndClose();
});
afterAll(async () => {
  await sink?.close();
});

const T0 = Date.UTC(2024, 4, 1, 12);

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "resolved";
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    return (error as MetricsError).code;
  }
}

describe("redis store behind a listener that closes every connection", () => {
  it("rejects record, recordBatch, reads and registry calls with E_STORE, and disposes", async () => {
    const store = redisStore({ url: sink.url, prefix: randomPrefix(), commandTimeoutMs: 800 });
    const m = createMetrics({ store, now: () => T0 });
    const buckets = m.calendar.bucketsAt(T0);
    const op = { slug: "s", by: 1, at: T0, buckets, granularities: GRANULARITIES.slice(1) };
    const codes = await Promise.all([
      codeOf(m.record("s")),
      codeOf(Promise.all([m.record("a"), m.record("b")])), // coalesced
      codeOf(store.record(op)),
      codeOf(store.recordBatch([op, { ...op, slug: "t" }])),
      codeOf(store.recordBatch([op], { batchId: "b1" })),
      codeOf(store.read({ slug: "s", granularity: "hours", buckets: [buckets[1] as never] })),
      codeOf(store.slugs()),
      codeOf(store.setGauge("g", 1)),
      codeOf(store.claimReport({ set: "x", period: "p", owner: "me", now: T0, leaseMs: 1000 })),
    ]);
    expect(codes).toEqual(Array(codes.length).fill("E_STORE"));
    await m.dispose(); // settles: QUIT is bounded too
    await expect(store.slugs()).rejects.toMatchObject({ code: "E_DISPOSED" });
  }, 60_000);

  it("makes buffered flush() reject with E_STORE and keeps the batch for the next try", async () => {
    const server = await startRedis();
    const proxy = await startFaultProxy(server.port);
    try {
      const m = createMetrics({
        store: redisStore({ url: proxy.url, prefix: randomPrefix(), commandTimeoutMs: 800 }),
        now: () => T0,
        capture: { mode: "buffered", flushMs: 60_000 },
      });
      await m.total("buffered"); // attached while Redis answers
      proxy.setDown(true);
      await m.record("buffered", { by: 3 });
      expect(await codeOf(m.flush())).toBe("E_STORE");
      expect(await codeOf(m.total("buffered"))).toBe("E_STORE");
      proxy.setDown(false);
      await m.flush();
      expect(await m.total("buffered")).toBe(3);
      await m.dispose();
    } finally {
      await proxy.close();
      await server.stop();
    }
  }, 60_000);

  it("bounds a caller's client that would wait forever (no retry limit, offline queue)", async () => {
    const { Redis } = await import("ioredis");
    const client = new Redis(sink.url, { maxRetriesPerRequest: null, lazyConnect: true });
    client.on("error", () => {});
    try {
      const store = redisStore({ client, prefix: randomPrefix(), commandTimeoutMs: 500 });
      const m = createMetrics({ store, now: () => T0 });
      expect(await codeOf(m.record("forever"))).toBe("E_STORE");
      expect(await codeOf(m.total("forever"))).toBe("E_STORE");
      await m.dispose();
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it("refuses a bad commandTimeoutMs at once", () => {
    for (const bad of [0, -1, 1.5, "10s", Number.NaN, 4_000_000]) {
      expect(() => redisStore({ commandTimeoutMs: bad as never })).toThrow(/commandTimeoutMs/);
    }
  });
});
