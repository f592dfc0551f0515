import { setTimeout as sleep, setImmediate as yieldNow } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { startWorker } from "../../src/capture/index.js";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { startFaultProxy } from "../stores/redis-proxy.js";
import { flushUntilDrained, injectFaults } from "./_faults.js";
import { type PrivateRedis, privateRedis } from "./_redis.js";
import { rng, Tally, YEAR_END } from "./_tally.js";

const servers: PrivateRedis[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

/** Record events until `done()` says stop; each accepted record goes into the tally. */
async function produce(metrics: Metrics, tally: Tally, seed: number, done: () => boolean): Promise<void> {
  const random = rng(seed);
  for (let i = 0; !done() || i < 500; i++) {
    const slug = `f${Math.floor(random() * 30)}`;
    const at = YEAR_END + Math.floor(random() * 6 * 60_000);
    const by = 1 + Math.floor(random() * 4);
    await metrics.record(slug, { at, by, granularities: { min: "minutes" } });
    tally.add(slug, at, by);
    if (i % 40 === 0) await yieldNow();
    if (i % 400 === 0) await sleep(2);
  }
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("capture through real faults: exact totals on every granularity", () => {
  it("buffered: lost replies, half-sent requests, refused and closed connections (60+ faults)", async () => {
    const redis = await privateRedis();
    servers.push(redis);
    const proxy = await startFaultProxy(redis.port);
    const store = redisStore({ url: proxy.url, prefix: "buf", redisOptions: { retryStrategy: () => 10 } });
    const metrics = createMetrics({
      store,
      capture: { mode: "buffered", flushMs: 5, writeTimeoutMs: 1500 },
    });
    await metrics.flush(); // attach before the faults start
    const tally = new Tally();
    let faultsDone = false;
    const [fired] = await Promise.all([
      injectFaults(proxy, 60, 1).finally(() => {
        faultsDone = true;
      }),
      produce(metrics, tally, 2, () => faultsDone),
    ]);
    expect(fired).toBeGreaterThanOrEqual(60);
    await flushUntilDrained(() => metrics.dispose());
    const reader = createMetrics({ store: redisStore({ url: redis.url, prefix: "buf" }) });
    await tally.check(reader);
    await reader.dispose();
    await proxy.close();
  }, 120_000);

  it("queue: the producer's Redis connection through 60+ faults; the worker writes each batch once", async () => {
    const redis = await privateRedis();
    servers.push(redis);
    const proxy = await startFaultProxy(redis.port);
    const store = redisStore({ url: redis.url, prefix: "q" });
    const worker = await startWorker({ connection: redis.url, store, concurrency: 2 });
    const metrics = createMetrics({
      capture: {
        mode: "queue",
        connection: { url: proxy.url, retryStrategy: () => 10 },
        flushMs: 5,
        writeTimeoutMs: 1500,
      },
    });
    const tally = new Tally();
    let faultsDone = false;
    const [fired] = await Promise.all([
      injectFaults(proxy, 60, 3).finally(() => {
        faultsDone = true;
      }),
      produce(metrics, tally, 4, () => faultsDone),
    ]);
    expect(fired).toBeGreaterThanOrEqual(60);
    await flushUntilDrained(() => metrics.dispose());
    await eventually("the queue to drain", async () => {
      const d = await worker.depth();
      return d.waiting + d.active + d.delayed === 0;
    });
    expect(await worker.depth()).toMatchObject({ failed: 0 });
    await worker.close();
    const reader = createMetrics({ store });
    await tally.check(reader);
    await reader.dispose();
    await proxy.close();
  }, 120_000);

  it("buffered and queue: Redis SIGKILLed and restarted from its AOF, twice, mid-run", async () => {
    const redis = await privateRedis({ aof: true });
    servers.push(redis);
    const bufferedStore = redisStore({ url: redis.url, prefix: "aofb" });

    const queueStore = redisStore({ url: redis.url, prefix: "aofq" });
    const buffered = createMetrics({
      store: bufferedStore,
      capture: { mode: "buffered", flushMs: 5, writeTimeoutMs: 1500 },
    });
    const queued = createMetrics({
      capture: { mode: "queue", connection: redis.url, flushMs: 5, writeTimeoutMs: 1500 },
    });
    const worker = await startWorker({
      connection: redis.url,
      store: queueStore,
      lockDurationMs: 1500,
      stalledIntervalMs: 300,
    });
    const tallies = [new Tally(), new Tally()];
    let restarts = 0;
    const restart = async (): Promise<void> => {
      for (; restarts < 2; restarts++) {
        await sleep(300);
        await redis.kill();
        await sleep(150);
        await redis.start();
      }
    };
    await Promise.all([
      restart(),
      produce(buffered, tallies[0] as Tally, 5, () => restarts >= 2),
      produce(queued, tallies[1] as Tally, 6, () => restarts >= 2),
    ]);
    await flushUntilDrained(() => buffered.dispose());
    await flushUntilDrained(() => queued.dispose());
    await eventually("the queue to drain", async () => {
      const d = await worker.depth();
      return d.waiting + d.active + d.delayed === 0;
    });
    await worker.close();
    for (const [i, prefix] of ["aofb", "aofq"].entries()) {
      const reader = createMetrics({ store: redisStore({ url: redis.url, prefix }) });
      await tallies[i]?.check(reader);
      await reader.dispose();
    }
  }, 120_000);
});
