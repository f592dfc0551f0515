/**
 * `historyMany()` answers exactly what one `history()` per slug answers, on
 * every store (memory, Redis, Postgres server, PGlite in items mode, tiered),
 * whatever was recorded: including slugs that must be answered from a finer
 * stored granularity, buckets masked by retention, unknown slugs and slugs
 * that cannot answer the granularity (then both reject with the same code).
 * And each store's `readMany()` gives per query what its `read()` gives.
 */
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, RecordEvent } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { tieredStore } from "../../src/stores/tiered/index.js";
import type { Store } from "../../src/stores/types.js";
import type { Granularity } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "./_postgres.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const H = 3_600_000;
const D = 24 * H;
// Near the real time: Redis expires chunks by its own clock, not the injected one.
const NOW = Math.floor(Date.now() / H) * H - 20 * 60_000;
const TZ = "Europe/Berlin";
const RETENTION = { minutes: "2h", hours: "2d" };
const SLUGS = ["a", "b", "c:x", "never"];

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

const redisOf = (retention?: typeof RETENTION): Store => {
  const prefix = randomPrefix();
  cleanups.push(() => dropPrefix(redis, prefix));
  return redisStore({ url: SHARED_URL, prefix, ...(retention && { retention }) });
};
const pgliteOf = (retention?: typeof RETENTION): Store =>
  postgresStore({
    client: pglite,
    schema: uniqueSchema("many"),
    mode: "items",
    ...(retention && { retention }),
  });

/** Store makers; the tiered one also returns its cold tier, which some records go to directly. */
const kinds: [string, (retention?: typeof RETENTION) => { store: Store; cold?: Store }][] = [
  ["memory", (retention) => ({ store: memoryStore({ ...(retention && { retention }) }) })],
  ["redis", (retention) => ({ store: redisOf(retention) })],
  [
    "postgres",
    (retention) => {
      const schema = uniqueSchema("many");
      cleanups.push(() => dropSchema(schema));
      return {
        store: postgresStore({
          url: POSTGRES_URL,
          schema,
          maxConnections: 2,
          ...(retention && { retention }),
        }),
      };
    },
  ],
  ["pglite (items mode)", (retention) => ({ store: pgliteOf(retention) })],
  [
    "tiered (redis + pglite)",
    (retention) => {
      const schema = uniqueSchema("tier");
      const cold = () => postgresStore({ client: pglite, schema, ...(retention && { retention }) });
      return { store: tieredStore({ hot: redisOf(retention), cold: cold() }), cold: cold() };
    },
  ],
];

const RANGES: [Granularity, Granularity][] = [
  ["minutes", "hours"],
  ["hours", "hours"],
  ["hours", "years"],
  ["days", "months"],
  ["weeks", "weeks"],
];

const recordArb = fc.record({
  slug: fc.constantFrom("a", "b", "c:x"),
  by: fc.integer({ min: -5, max: 1_000 }),
  at: fc.integer({ min: NOW - 4 * D, max: NOW }),
  range: fc.constantFrom(...RANGES),
  cold: fc.boolean(),
});

const queryArb = fc.record({
  slugs: fc.subarray(SLUGS, { minLength: 1 }),
  granularity: fc.constantFrom<Granularity>("minutes", "hours", "days", "weeks", "months"),
  from: fc.integer({ min: NOW - 5 * D, max: NOW }),
  span: fc.integer({ min: 0, max: 2 * D }),
});

const open = (store: Store): Metrics => createMetrics({ store, timezone: TZ, now: () => NOW });

/** historyMany() against one history() per slug: same rows, or the same rejection code. */
async function compare(
  m: Metrics,
  slugs: string[],
  o: { from: number; to: number; granularity: Granularity },
) {
  const single = await Promise.allSettled(slugs.map((slug) => m.history(slug, o)));
  const many = await m.historyMany(slugs, o).then(
    (rows) => ({ rows }),
    (error: unknown) => ({ code: error instanceof MetricsError ? error.code : String(error) }),
  );
  const failed = single.find((r) => r.status === "rejected");
  if (failed) {
    expect(many).toEqual({ code: (failed.reason as MetricsError).code });
    return;
  }
  const expected = Object.fromEntries(
    slugs.map((slug, i) => [slug, (single[i] as PromiseFulfilledResult<unknown>).value]),
  );
  expect(many).toEqual({ rows: expected });
}

describe.each(kinds)("historyMany on %s", (_name, make) => {
  for (const retained of [false, true]) {
    it(`equals one history() per slug for any records and query${retained ? ", under retention" : ""}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArb, { maxLength: 12 }),
          fc.array(queryArb, { minLength: 1, maxLength: 4 }),
          async (records, queries) => {
            const { store, cold } = make(retained ? RETENTION : undefined);
            const m = open(store);
            const direct = cold ? open(cold) : m;
            try {
              for (const r of records) {
                const event: RecordEvent = {
                  slug: r.slug,
                  by: r.by,
                  at: r.at,
                  granularities: { min: r.range[0], max: r.range[1] },
                };
                await (r.cold ? direct : m).record(r.slug, event);
              }
              for (const q of queries) {
                const o = { from: q.from, to: q.from + q.span, granularity: q.granularity };
                await compare(m, q.slugs, o);
                // The store level: readMany() is read() per query.
                const buckets = m.calendar.range(q.granularity, o.from, o.to, 100_000);
                const reads = q.slugs.map((slug) => ({ slug, granularity: q.granularity, buckets }));
                expect(await store.readMany?.(reads)).toEqual(
                  await Promise.all(reads.map((r) => store.read(r))),
                );
              }
            } finally {
              await m.dispose();
              if (direct !== m) await direct.dispose();
            }
          },
        ),
        { numRuns: 8 },
      );
    }, 300_000);
  }

  it("sums a finer stored granularity and masks expired buckets alike", async () => {
    const { store } = make(RETENTION);
    const m = open(store);
    try {
      // "h" stores hours only, kept 2 days: the day 3 days back has expired hours.
      const old = NOW - 3 * D;
      await m.record("h", { at: old, by: 7, granularities: { min: "hours", max: "hours" } });
      await m.record("h", { at: NOW - H, by: 5, granularities: { min: "hours", max: "hours" } });
      await m.record("h", { at: NOW - 2 * H, by: 3, granularities: { min: "hours", max: "hours" } });
      await m.record("d", { at: old, by: 4, granularities: { min: "days", max: "days" } });
      const o = { from: old, to: NOW, granularity: "days" as const };
      const rows = await m.historyMany(["h", "d", "never"], o);
      const days = rows.h?.length ?? 0;
      expect(days).toBeGreaterThanOrEqual(4);
      const sum = (slug: string) => rows[slug]?.reduce((a, r) => a + r.count, 0);
      expect(rows.h?.[0]?.count).toBe(0); // the expired hours are not counted
      expect(sum("h")).toBe(8);
      expect(rows.d?.[0]?.count).toBe(4); // days are kept forever
      expect(sum("never")).toBe(0);
      expect(rows).toEqual({
        h: await m.history("h", o),
        d: await m.history("d", o),
        never: await m.history("never", o),
      });
    } finally {
      await m.dispose();
    }
  });
});
