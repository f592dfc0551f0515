import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";
import { createApp } from "../../src/server/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Store } from "../../src/stores/types.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "./_postgres.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const H = 3_600_000;
const D = 24 * H;
// Near the real time: Redis expires chunks by its own clock (absolute PEXPIREAT), not the injected one.
const NOW = Math.floor(Date.now() / H) * H - 30 * 60_000;
const TZ = "Europe/Berlin";
const RETENTION = { minutes: "2h", hours: "2d", days: "30d" };

let pglite: PGlite;
let redis: Redis;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  pglite = await PGlite.create();
  redis = new Redis(SHARED_URL);
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await pglite.close();
  await redis.quit();
});

const kinds: [string, () => Store][] = [
  ["memory", () => memoryStore({ retention: RETENTION })],
  [
    "redis",
    () => {
      const prefix = randomPrefix();
      cleanups.push(() => dropPrefix(redis, prefix));
      return redisStore({ url: SHARED_URL, prefix, retention: RETENTION });
    },
  ],
  [
    "postgres",
    () => {
      const schema = uniqueSchema("ret");
      cleanups.push(() => dropSchema(schema));
      return postgresStore({ url: POSTGRES_URL, schema, retention: RETENTION, maxConnections: 2 });
    },
  ],
  ["pglite", () => postgresStore({ client: pglite, schema: uniqueSchema("ret"), retention: RETENTION })],
];

const open = (store: Store, now = NOW): Metrics =>
  createMetrics({ store, timezone: TZ, now: () => now, granularities: { min: "minutes", max: "years" } });

describe.each(kinds)("retention on the %s store", (kind, make) => {
  it("reads expired buckets as 0, says from when data is kept, and prune deletes what expired", async () => {
    const store = make();
    const m = open(store);
    try {
      for (const ago of [10 * D, 3 * D, D, 3 * H, 20 * 60_000]) await m.record("s", { at: NOW - ago, by: 1 });
      const hours = await m.history("s", { from: NOW - 11 * D, to: NOW, granularity: "hours" });
      // Hours are kept 2 days: only the records of 1 day, 3 hours and 20 minutes ago remain.
      expect(hours.reduce((sum, r) => sum + r.count, 0)).toBe(3);
      const keptHours = m.keptFrom("hours");
      expect(keptHours?.getTime()).toBe(m.calendar.bucket("hours", NOW - 2 * D).start);
      for (const row of hours)
        if (row.start.getTime() < (keptHours?.getTime() ?? 0)) expect(row.count).toBe(0);
      const days = await m.history("s", { from: NOW - 11 * D, to: NOW, granularity: "days" });
      expect(days.reduce((sum, r) => sum + r.count, 0)).toBe(5); // days are kept 30 days
      const minutes = await m.history("s", { from: NOW - 4 * H, to: NOW, granularity: "minutes" });
      expect(minutes.reduce((sum, r) => sum + r.count, 0)).toBe(1); // minutes: 2 hours
      expect(m.keptFrom("months")).toBeNull();
      expect(() => m.keptFrom("fortnights")).toThrow(MetricsError);
      expect(await m.total("s")).toBe(5); // the all-time total is not a bucket: never expires

      const pruned = await m.prune();
      if (kind === "redis")
        expect(pruned.buckets).toBe(0); // Redis expires chunks itself (TTL)
      else expect(pruned.buckets).toBeGreaterThanOrEqual(3); // 2 hour and 3 minute buckets at least
      // Physically gone where the store prunes; reads unchanged either way.
      const raw = await store.read({
        slug: "s",
        granularity: "hours",
        buckets: [m.calendar.bucket("hours", NOW - 10 * D)],
      });
      if (kind !== "redis") expect(raw.counts).toEqual([0]);
      expect(await m.history("s", { from: NOW - 11 * D, to: NOW, granularity: "hours" })).toEqual(hours);
      expect((await m.prune()).buckets).toBe(0);

      // The HTTP API tells from when data is kept.
      const app = createApp(m);
      const res = await app.request(`/api/v1/metrics/s?granularity=hours&range=3d`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { keptFrom: string | null }).keptFrom).toBe(keptHours?.toISOString());
    } finally {
      await m.dispose();
    }
  });
});

describe("retention", () => {
  it("a coarser granularity summed from a finer one counts only kept fine buckets", async () => {
    const m = createMetrics({
      store: memoryStore({ retention: { hours: "1d" } }),
      timezone: TZ,
      now: () => NOW,
      granularities: { min: "hours", max: "hours" },
    });
    await m.record("h", { at: NOW - 30 * H });
    await m.record("h", { at: NOW - H });
    const days = await m.history("h", { from: NOW - 3 * D, to: NOW, granularity: "days" });
    expect(days.reduce((sum, r) => sum + r.count, 0)).toBe(1);
  });

  it("equals the unbounded history with rows before keptFrom zeroed, for any records and clock", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ ago: fc.integer({ min: 0, max: 60 * D }), by: fc.integer({ min: -5, max: 9 }) }),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 40 * D }),
        fc.constantFrom(...GRANULARITIES.slice(1, 4)),
        async (records, later, granularity) => {
          const bounded = open(
            memoryStore({ retention: { hours: "3d", days: "20d", weeks: "6w" } }),
            NOW + later,
          );
          const full = open(memoryStore(), NOW + later);
          for (const r of records) {
            await bounded.record("p", { at: NOW - r.ago, by: r.by });
            await full.record("p", { at: NOW - r.ago, by: r.by });
          }
          const range = { from: NOW - 61 * D, to: NOW + later, granularity };
          const kept = bounded.keptFrom(granularity)?.getTime() ?? Number.NEGATIVE_INFINITY;
          const want = (await full.history("p", range)).map((r) => (r.start.getTime() < kept ? 0 : r.count));
          expect((await bounded.history("p", range)).map((r) => r.count)).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses bad retention options with typed errors", () => {
    expect(() => memoryStore({ retention: { hours: "soon" } })).toThrow(MetricsError);
    expect(() => memoryStore({ retention: { fortnights: "1d" } as never })).toThrow(MetricsError);
    expect(() => memoryStore({ retention: null as never })).toThrow(MetricsError);
    expect(() => postgresStore({ url: POSTGRES_URL, retention: { days: {} as never } })).toThrow(
      MetricsError,
    );
    expect(() => memoryStore({ keep: 1 } as never)).toThrow(MetricsError);
  });
});
