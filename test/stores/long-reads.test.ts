import fc from "fast-check";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, RecordEvent } from "../../src/core/types.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Granularity } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "./_postgres.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

/*
 * Long history reads on Redis: a year of hours spans 74 chunk hashes, so these
 * check the reply of many chunks at once (chunk boundaries, missing chunks,
 * negative counts) against the memory store, in zones with DST and with
 * offsets off the hour; and that days and months are read from their own
 * stored rollups, not summed from hours.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHUNK = 120;
const FROM = Date.UTC(2023, 0, 1);
const TO = Date.UTC(2025, 0, 1);
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"] as const;
/** Offset changes of 2024 in those zones (UTC instants). */
const CHANGES = [
  Date.UTC(2024, 2, 31, 1),
  Date.UTC(2024, 9, 27, 1),
  Date.UTC(2024, 2, 10, 7),
  Date.UTC(2024, 10, 3, 6),
  Date.UTC(2024, 3, 6, 15),
  Date.UTC(2024, 9, 5, 15, 30),
];

/** Instants spread over two years, half of them next to a chunk edge of hours or days, or an offset change. */
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO - 1 }),
  fc
    .tuple(
      fc.integer({ min: Math.ceil(FROM / HOUR / CHUNK), max: Math.floor(TO / HOUR / CHUNK) - 1 }),
      fc.integer({ min: -2, max: 1 }),
    )
    .map(([chunk, d]) => (chunk * CHUNK + d) * HOUR + 1_800_000),
  fc
    .tuple(
      fc.integer({ min: Math.ceil(FROM / DAY / CHUNK), max: Math.floor(TO / DAY / CHUNK) - 1 }),
      fc.integer({ min: -1, max: 0 }),
    )
    .map(([chunk, d]) => (chunk * CHUNK + d) * DAY + 13 * HOUR),
  fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })).map(([t, d]) => t + d),
);

const eventArb = fc.record({
  slug: fc.constantFrom("a", "b"),
  at: instant,
  by: fc.integer({ min: -3, max: 1000 }),
});

/** A long history query: up to 400 days of hours, 3 years of days, all months and years. */
const queryArb = fc.oneof(
  fc.record({
    granularity: fc.constant<Granularity>("hours"),
    from: fc.integer({ min: FROM - 10 * DAY, max: TO }),
    span: fc.integer({ min: 0, max: 400 * DAY }),
  }),
  fc.record({
    granularity: fc.constantFrom<Granularity>("days", "weeks", "months", "years"),
    from: fc.integer({ min: FROM - 400 * DAY, max: TO }),
    span: fc.integer({ min: 0, max: 3 * 365 * DAY }),
  }),
);

let client: Redis;
beforeAll(() => {
  client = new Redis(SHARED_URL);
});
afterAll(() => {
  client.disconnect();
});

describe("long history reads on Redis", () => {
  it("answer like the memory store over years, chunk edges and offset changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ZONES),
        fc.array(eventArb, { minLength: 1, maxLength: 40 }),
        fc.array(queryArb, { minLength: 1, maxLength: 4 }),
        async (timezone, events, queries) => {
          const prefix = randomPrefix();
          const options = { timezone, granularities: { min: "hours", max: "years" } as const };
          const subject = createMetrics({ ...options, store: redisStore({ url: SHARED_URL, prefix }) });
          const oracle = createMetrics({ ...options, store: memoryStore() });
          try {
            for (const m of [subject, oracle]) await m.recordMany(events);
            for (const { granularity, from, span } of queries) {
              const range = { from, to: from + span, granularity };
              for (const slug of ["a", "b"]) {
                const got = await subject.history(slug, range);
                const want = await oracle.history(slug, range);
                expect(got.length).toBe(want.length);
                expect(got).toEqual(want);
              }
            }
          } finally {
            await subject.dispose();
            await oracle.dispose();
            await dropPrefix(client, prefix);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

/** One event a day at 13:00 UTC over ten years (2015..2024), counts varying by day. */
const DAYS = Array.from({ length: (Date.UTC(2025, 0, 1) - Date.UTC(2015, 0, 1)) / DAY }, (_, k) => ({
  at: Date.UTC(2015, 0, 1) + k * DAY + 13 * HOUR,
  by: 1 + (k % 97),
}));

/** The expected 5-year daily and 10-year monthly counts, and the two reads. */
function expectations() {
  const daily = DAYS.filter((d) => d.at >= Date.UTC(2020, 0, 1)).map((d) => d.by);
  const monthly = new Map<string, number>();
  for (const d of DAYS) {
    const month = new Date(d.at).toISOString().slice(0, 7);
    monthly.set(month, (monthly.get(month) ?? 0) + d.by);
  }
  return {
    daily,
    monthly: [...monthly.values()],
    days: { from: Date.UTC(2020, 0, 1), to: Date.UTC(2024, 11, 31), granularity: "days" as const },
    months: { from: Date.UTC(2015, 0, 1), to: Date.UTC(2024, 11, 31), granularity: "months" as const },
  };
}

/** Record the ten years, drop every hourly bucket with `dropHours`, then read days and months. */
async function rollupReads(m: Metrics, dropHours: () => Promise<number>): Promise<void> {
  const events: RecordEvent[] = DAYS.map((d) => ({ slug: "decade", ...d }));
  for (let i = 0; i < events.length; i += 1000) await m.recordMany(events.slice(i, i + 1000));
  expect((await m.slugInfo("decade"))?.granularities).toEqual(["hours", "days", "weeks", "months", "years"]);
  expect(await dropHours()).toBeGreaterThan(0);
  const e = expectations();
  // The hours are gone …
  const hours = await m.history("decade", {
    from: Date.UTC(2024, 5, 1),
    to: Date.UTC(2024, 5, 3),
    granularity: "hours",
  });
  expect(hours.reduce((sum, r) => sum + r.count, 0)).toBe(0);
  // … yet every day of five years and every month of ten are exact: read from their own rollups.
  const days = await m.history("decade", e.days);
  expect(days).toHaveLength(1827);
  expect(days.map((r) => r.count)).toEqual(e.daily);
  const months = await m.history("decade", e.months);
  expect(months).toHaveLength(120);
  expect(months.map((r) => r.count)).toEqual(e.monthly);
}

describe("5-year daily and 10-year monthly history come from the stored rollups", () => {
  it("on Redis, with every hour chunk deleted", async () => {
    const prefix = randomPrefix();
    const m = createMetrics({
      store: redisStore({ url: SHARED_URL, prefix }),
      granularities: { min: "hours", max: "years" },
    });
    try {
      await rollupReads(m, async () => {
        let deleted = 0;
        let cursor = "0";
        do {
          const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:{decade}:c:h:*`, "COUNT", 1000);
          cursor = next;
          if (keys.length > 0) deleted += await client.del(...keys);
        } while (cursor !== "0");
        return deleted;
      });
    } finally {
      await m.dispose();
      await dropPrefix(client, prefix);
    }
  });

  it("on Postgres, with every hour row deleted", async () => {
    const schema = uniqueSchema("long");
    const m = createMetrics({
      store: postgresStore({ url: POSTGRES_URL, schema, maxConnections: 2 }),
      granularities: { min: "hours", max: "years" },
    });
    const pgClient = new pg.Client({ connectionString: POSTGRES_URL });
    await pgClient.connect();
    try {
      await rollupReads(m, async () => {
        // Granularity rank 1 is hours.
        const result = await pgClient.query(`DELETE FROM "${schema}".rollups WHERE granularity = 1`);
        return result.rowCount ?? 0;
      });
    } finally {
      await m.dispose();
      await pgClient.end();
      await dropSchema(schema);
    }
  });
});
