/**
 * Count limits on Postgres beyond the shared overflow cases: what they mean
 * for raw items and aggregate(), writers racing near the limit, the 1,100 ×
 * (2^53-1) batch of the HTTP report, and refusals equal to the memory
 * store's for any sequence of records (fast-check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { POSTGRES_URL, serverSchemas } from "./_postgres.js";

const MAX = Number.MAX_SAFE_INTEGER;
const T0 = Date.UTC(2024, 4, 1, 12, 0);
const H = 3_600_000;
const { admin, fresh } = serverSchemas();

const open = (schema: string, mode: "rollup" | "items", maxConnections = 4): Metrics =>
  createMetrics({
    store: postgresStore({ url: POSTGRES_URL, schema, mode, maxConnections }),
    now: () => T0,
    granularities: { min: "minutes", max: "years" },
  });

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string }) => e.code ?? String(e),
  );

describe("items mode and aggregate()", () => {
  it("aggregate leaves a slug whose fold would overflow pending, folds every other item, and never fails half way", async () => {
    const schema = fresh("aggov");
    const m = open(schema, "items");
    await m.record("ok", { at: T0, by: 1 }); // migrates and attaches
    // Items written around the store (an older version, a manual insert): x cannot be folded whole.
    const insert = (slug: string, n: number | string, minutes: number) =>
      admin.query(
        `INSERT INTO "${schema}".items (slug, at, n, min_granularity, max_granularity)
         VALUES ($1, to_timestamp($2::float8 / 1000), $3::bigint, 0, 5)`,
        [slug, T0 + minutes * 60_000, n],
      );
    await admin.query(`INSERT INTO "${schema}".slugs (slug, granularities) VALUES ('x', 63)`);
    for (let i = 0; i < 6; i++) {
      await insert("x", String(MAX), i);
      await insert("ok", 2, i);
    }
    const result = await m.aggregate({ batchSize: 3 });
    expect(result.overflowed).toEqual(["x"]);
    expect(await m.total("ok")).toBe(13);
    const left = await admin.query(`SELECT slug, count(*)::int AS n FROM "${schema}".items GROUP BY slug`);
    // x's first item fitted and was folded; the five others are still there, none lost.
    expect(left.rows).toEqual([{ slug: "x", n: 5 }]);
    await expect(m.total("x")).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await expect(m.history("x", { from: T0, to: T0, granularity: "days" })).rejects.toMatchObject({
      code: "E_COUNT_OVERFLOW",
    });
    // A second run changes nothing and still ends.
    expect(await m.aggregate({ batchSize: 3 })).toMatchObject({ items: 0, overflowed: ["x"] });
    await m.deleteMetric("x");
    expect(await m.aggregate()).toEqual({ items: 0, buckets: 0, batches: 0 });
    await m.dispose();
  });

  it("refused items-mode writes leave nothing pending; aggregate then folds exactly up to the limit", async () => {
    const schema = fresh("itemsfill");
    const m = open(schema, "items");
    await m.record("f", { at: T0, by: MAX - 10 });
    await expect(m.record("f", { at: T0 + H, by: 11 })).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await m.recordMany(Array.from({ length: 10 }, () => ({ slug: "f", at: T0, by: 1 })));
    await expect(m.record("f", { at: T0 + 2 * H, by: 1 })).rejects.toMatchObject({
      code: "E_COUNT_OVERFLOW",
    });
    expect(await m.aggregate()).toMatchObject({ items: 11 });
    expect(await m.total("f")).toBe(MAX);
    await expect(m.record("f", { at: T0, by: 1 })).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await m.record("f", { at: T0, by: -1 });
    expect(await m.total("f")).toBe(MAX - 1);
    await m.dispose();
  });
});

describe("writers racing near the limit", { timeout: 120_000 }, () => {
  for (const mode of ["rollup", "items"] as const) {
    it(`${mode}: 200 concurrent +1 records from two stores on a slug 100 below the limit: exactly 100 land`, async () => {
      const schema = fresh(`race${mode}`);
      const a = open(schema, mode);
      const b = open(schema, mode);
      await a.record("hot", { at: T0, by: MAX - 100 });
      const calls = Array.from({ length: 200 }, (_, i) =>
        outcome((i % 2 ? a : b).record("hot", { at: T0 + (i % 7) * 60_000, by: 1 })),
      );
      const results = await Promise.all(calls);
      expect(results.filter((r) => r === "ok")).toHaveLength(100);
      expect(results.filter((r) => r === "E_COUNT_OVERFLOW")).toHaveLength(100);
      if (mode === "items") await a.aggregate();
      expect(await a.total("hot")).toBe(MAX);
      expect((await a.history("hot", { from: T0, to: T0, granularity: "days" }))[0]?.count).toBe(MAX);
      await Promise.all([a.dispose(), b.dispose()]);
    });

    it(`${mode}: small writers racing one large writer: the total is exactly what was accepted`, async () => {
      const schema = fresh(`mix${mode}`);
      const a = open(schema, mode);
      const b = open(schema, mode);
      await a.record("mix", { at: T0, by: 0 });
      const small = Array.from({ length: 60 }, (_, i) =>
        outcome(b.record("mix", { at: T0, by: 1 + (i % 2) })),
      );
      const large = outcome(a.record("mix", { at: T0, by: MAX - 40 }));
      const results = await Promise.all(small);
      const landed = results.reduce((sum, r, i) => sum + (r === "ok" ? 1 + (i % 2) : 0), 0);
      const expected = landed + ((await large) === "ok" ? MAX - 40 : 0);
      expect(expected).toBeLessThanOrEqual(MAX);
      if (mode === "items") await a.aggregate();
      expect(await a.total("mix")).toBe(expected);
      await Promise.all([a.dispose(), b.dispose()]);
    });
  }
});

describe("the HTTP report's batch", () => {
  for (const mode of ["rollup", "items"] as const) {
    it(`${mode}: 1,100 events of 2^53-1 in one batch are refused whole`, async () => {
      const m = open(fresh(`big${mode}`), mode);
      await m.record("before", { at: T0 });
      const events = Array.from({ length: 1_100 }, (_, i) => ({ slug: `s${i % 3}`, at: T0, by: MAX }));
      await expect(m.recordMany([{ slug: "a", at: T0, by: 1 }, ...events])).rejects.toMatchObject({
        code: "E_COUNT_OVERFLOW",
      });
      expect(await m.slugs()).toEqual(["before"]);
      await m.dispose();
    });
  }
});

describe("refusals equal the memory store's (fast-check)", { timeout: 300_000 }, () => {
  const amount = fc.oneof(
    fc.integer({ min: -5, max: 5 }),
    fc.constantFrom(MAX, -MAX, MAX - 1, 2 ** 52, -(2 ** 52), 2 ** 31 + 1),
  );
  const call = fc.record({
    slug: fc.constantFrom("a", "b"),
    hour: fc.integer({ min: 0, max: 3 }),
    by: amount,
    batch: fc.integer({ min: 0, max: 3 }),
  });
  for (const mode of ["rollup", "items"] as const) {
    it(`${mode}: same accepted writes, same totals and hours`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
          const schema = fresh(`prop${mode}`);
          const pgm = open(schema, mode, 2);
          const mem = createMetrics({
            store: memoryStore(),
            now: () => T0,
            granularities: { min: "minutes", max: "years" },
          });
          try {
            for (const c of calls) {
              const event = { slug: c.slug, at: T0 + c.hour * H, by: c.by };
              // A batch repeats one amount (same sign throughout, so order cannot matter).
              const run = (m: Metrics) =>
                c.batch === 0
                  ? m.record(c.slug, event)
                  : m.recordMany(Array.from({ length: c.batch + 1 }, () => event));
              expect(await outcome(run(pgm))).toBe(await outcome(run(mem)));
            }
            if (mode === "items") await pgm.aggregate({ batchSize: 2 });
            for (const slug of ["a", "b"]) {
              expect(await pgm.total(slug)).toBe(await mem.total(slug));
              const q = { from: T0, to: T0 + 3 * H, granularity: "hours" } as const;
              expect(await pgm.history(slug, q)).toEqual(await mem.history(slug, q));
            }
          } finally {
            await pgm.dispose();
          }
        }),
        { numRuns: 25 },
      );
    });
  }
});
