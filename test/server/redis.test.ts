import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { createApp } from "../../src/server/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { dropPrefix, freePort, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { NOW, setup } from "./_setup.js";

const admin = new Redis(SHARED_URL);
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(admin, prefix);
  await admin.quit();
});

function onRedis() {
  const prefix = randomPrefix();
  prefixes.push(prefix);
  return setup({}, { store: redisStore({ url: SHARED_URL, prefix }) });
}

describe("the API on the Redis store", () => {
  it("ingests a batch and answers history as JSON and CSV", async () => {
    const t = onRedis();
    try {
      const post = await t.send("/api/v1/events", [
        { slug: "orders", by: 2, at: "2024-03-14T08:00:00Z", category: "shop" },
        { slug: "orders", by: 5, at: "2024-03-15T09:30:00Z" },
        { slug: "refunds", at: "2024-03-15T09:31:00Z", category: "shop" },
      ]);
      expect(post).toMatchObject({ status: 202, body: { accepted: 3 } });
      const res = await t.get("/api/v1/metrics/orders?granularity=days&range=2d");
      expect(res.body.rows).toEqual([
        { start: "2024-03-13T00:00:00.000Z", count: 0 },
        { start: "2024-03-14T00:00:00.000Z", count: 2 },
        { start: "2024-03-15T00:00:00.000Z", count: 5 },
      ]);
      const csv = await t.get(
        `/api/v1/metrics/orders?granularity=hours&from=2024-03-15T09:00:00Z&to=${NOW}&format=csv`,
      );
      expect((csv.body as string).split("\n").slice(0, 3)).toEqual([
        "start,count",
        "2024-03-15T09:00:00.000Z,5",
        "2024-03-15T10:00:00.000Z,0",
      ]);
      expect((await t.get("/api/v1/categories/shop/slugs")).body.slugs).toEqual(["orders", "refunds"]);
      expect((await t.get("/api/v1/healthz")).body).toMatchObject({ ok: true, store: "redis" });
    } finally {
      await t.metrics.dispose();
    }
  });

  it("writes nothing from a batch with one invalid event", async () => {
    const t = onRedis();
    try {
      const res = await t.send("/api/v1/events", [{ slug: "ok" }, { slug: "ok", by: Number.MAX_VALUE }]);
      expect(res.body.error.code).toBe("E_INVALID_COUNT");
      expect((await t.get("/api/v1/slugs")).body).toEqual({ slugs: [] });
    } finally {
      await t.metrics.dispose();
    }
  });

  it("answers 503 E_STORE without internal detail when Redis is unreachable", async () => {
    const port = await freePort();
    const logged: unknown[] = [];
    const metrics = createMetrics({
      store: redisStore({
        url: `redis://127.0.0.1:${port}`,
        prefix: randomPrefix(),
        redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false },
      }),
    });
    const app = createApp(metrics, {
      logger: { warn: () => {}, error: (...a: unknown[]) => logged.push(a) },
    });
    try {
      for (const path of ["/api/v1/healthz", "/api/v1/slugs"]) {
        const res = await app.request(path);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error).toEqual({
          code: "E_STORE",
          message: "The metrics store is unavailable; try again later",
        });
      }
      expect(logged.length).toBeGreaterThan(0);
    } finally {
      await metrics.dispose();
    }
  });
});
