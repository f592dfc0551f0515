/**
 * `historyMany()` over 100 slugs × 30 days is one store round trip: one Redis
 * pipeline (and exactly one READ script call per slug, seen by the server in
 * INFO commandstats), one Postgres / PGlite statement, one of each on a
 * tiered store. Counted with clients that wrap real ones (bench/_round-trips.ts).
 */
import { PGlite } from "@electric-sql/pglite";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countPostgres, countRedis, type RoundTrips } from "../../bench/_round-trips.js";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, RecordEvent } from "../../src/core/types.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { tieredStore } from "../../src/stores/tiered/index.js";
import type { Store } from "../../src/stores/types.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "./_postgres.js";
import { type PrivateRedis, randomPrefix, startRedis } from "./redis-helpers.js";

const D = 86_400_000;
const NOW = Date.UTC(2025, 5, 30, 12);
const SLUGS = Array.from({ length: 100 }, (_, i) => `rt.${String(i).padStart(3, "0")}`);
const RANGE = { from: NOW - 29 * D, to: NOW, granularity: "days" as const };

let server: PrivateRedis;
let redis: Redis;
let pglite: PGlite;
let pool: pg.Pool;
const schemas: string[] = [];
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  pglite = await PGlite.create();
  pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await pglite?.close();
  await pool?.end();
  for (const schema of schemas) await dropSchema(schema);
});

/** Slug i gets i + 1 on each of the 30 days (day d also gets d), in days..years; "h.*" slugs store hours only. */
async function seed(m: Metrics, slugs = SLUGS, hoursOnly = false): Promise<void> {
  const events: RecordEvent[] = [];
  for (const [i, slug] of slugs.entries()) {
    for (let d = 0; d < 30; d++) {
      events.push({
        slug,
        by: i + 1 + d,
        at: NOW - d * D,
        granularities: hoursOnly ? { min: "hours", max: "hours" } : { min: "days", max: "years" },
      });
    }
  }
  await m.recordMany(events);
}

/** What slug i must read: a total of 30·(i+1) + 0+1+…+29. */
const expectedTotal = (i: number) => 30 * (i + 1) + 435;

async function readOnce(store: Store, counters: RoundTrips[], slugs = SLUGS, hoursOnly = false) {
  const m = createMetrics({ store, now: () => NOW });
  try {
    await seed(m, slugs, hoursOnly);
    await m.history(slugs[0] as string, RANGE); // attached, scripts cached, statements prepared
    for (const c of counters) c.reset();
    const rows = await m.historyMany(slugs, RANGE);
    const trips = counters.map((c) => ({ single: c.single, pipelines: c.pipelines, pipelined: c.pipelined }));
    for (const [i, slug] of slugs.entries()) {
      expect(rows[slug]).toHaveLength(30);
      expect(rows[slug]?.reduce((a, r) => a + r.count, 0)).toBe(expectedTotal(i));
    }
    return trips;
  } finally {
    await m.dispose();
  }
}

async function commandStats(client: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of String(await client.info("commandstats")).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

describe("historyMany of 100 slugs × 30 days is one store round trip", () => {
  it("on Redis: one pipeline of 100 READ calls, nothing else", async () => {
    const counted = countRedis(new Redis(server.url));
    try {
      const store = redisStore({ client: counted.client, prefix: randomPrefix() });
      const m = createMetrics({ store, now: () => NOW });
      await seed(m);
      await m.history(SLUGS[0] as string, RANGE);
      const seeded = await commandStats(redis);
      counted.trips.reset();
      const rows = await m.historyMany(SLUGS, RANGE);
      const after = await commandStats(redis);
      await m.dispose();
      expect({ single: counted.trips.single, pipelines: counted.trips.pipelines }).toEqual({
        single: 0,
        pipelines: 1,
      });
      expect(counted.trips.pipelined).toBe(100);
      // The server saw exactly 100 script calls from the client (commandstats also
      // counts the hash reads the scripts make inside, which are no round trips).
      const delta = (name: string) => (after[name] ?? 0) - (seeded[name] ?? 0);
      expect(delta("evalsha")).toBe(100);
      expect(delta("eval")).toBe(0);
      const others = Object.keys(after).filter(
        (name) => delta(name) > 0 && !/^(evalsha|info|h\w+)$/.test(name),
      );
      expect(others).toEqual([]);
      expect(
        SLUGS.map((s, i) => rows[s]?.reduce((a, r) => a + r.count, 0) === expectedTotal(i)),
      ).not.toContain(false);
    } finally {
      counted.client.disconnect();
    }
  });

  it("on Redis after SCRIPT FLUSH: the calls answered NOSCRIPT are sent again with EVAL, in one more pipeline", async () => {
    const counted = countRedis(new Redis(server.url));
    try {
      const store = redisStore({ client: counted.client, prefix: randomPrefix() });
      const m = createMetrics({ store, now: () => NOW });
      await seed(m, SLUGS.slice(0, 10));
      await redis.script("FLUSH");
      counted.trips.reset();
      const rows = await m.historyMany(SLUGS.slice(0, 10), RANGE);
      await m.dispose();
      expect({ single: counted.trips.single, pipelines: counted.trips.pipelines }).toEqual({
        single: 0,
        pipelines: 2,
      });
      expect(rows[SLUGS[3] as string]?.reduce((a, r) => a + r.count, 0)).toBe(expectedTotal(3));
    } finally {
      counted.client.disconnect();
    }
  });

  it("on the Postgres server: one statement", async () => {
    const schema = uniqueSchema("rt");
    schemas.push(schema);
    const counted = countPostgres(pool);
    const [trips] = await readOnce(postgresStore({ client: counted.client, schema }), [counted.trips]);
    expect(trips?.single).toBe(1);
  });

  it("on PGlite in items mode (counts not yet aggregated): one statement", async () => {
    const counted = countPostgres(pglite);
    const store = postgresStore({ client: counted.client, schema: uniqueSchema("rt"), mode: "items" });
    const [trips] = await readOnce(store, [counted.trips]);
    expect(trips?.single).toBe(1);
  });

  it("on a tiered store: one round trip to each tier, and both tiers' counts added", async () => {
    const hot = countRedis(new Redis(server.url));
    const cold = countPostgres(pglite);
    try {
      const schema = uniqueSchema("rt");
      const store = tieredStore({
        hot: redisStore({ client: hot.client, prefix: randomPrefix() }),
        cold: postgresStore({ client: cold.client, schema }),
      });
      // Half the slugs' counts already sit in the cold tier too: their totals double.
      const direct = createMetrics({ store: postgresStore({ client: pglite, schema }), now: () => NOW });
      await seed(direct, SLUGS.slice(0, 50));
      await direct.dispose();
      const m = createMetrics({ store, now: () => NOW });
      await seed(m);
      await m.history(SLUGS[0] as string, RANGE);
      hot.trips.reset();
      cold.trips.reset();
      const rows = await m.historyMany(SLUGS, RANGE);
      await m.dispose();
      expect([hot.trips.total, hot.trips.pipelines, cold.trips.total]).toEqual([1, 1, 1]);
      expect(rows[SLUGS[10] as string]?.reduce((a, r) => a + r.count, 0)).toBe(2 * expectedTotal(10));
      expect(rows[SLUGS[60] as string]?.reduce((a, r) => a + r.count, 0)).toBe(expectedTotal(60));
    } finally {
      hot.client.disconnect();
    }
  });

  it("answered from a finer stored granularity: one more round trip for all such slugs, not one per slug", async () => {
    const counted = countRedis(new Redis(server.url));
    try {
      const slugs = SLUGS.map((s) => `h.${s}`);
      const store = redisStore({ client: counted.client, prefix: randomPrefix() });
      const [trips] = await readOnce(store, [counted.trips], slugs, true);
      expect(trips).toEqual({ single: 0, pipelines: 2, pipelined: 200 });
    } finally {
      counted.client.disconnect();
    }
  });
});
