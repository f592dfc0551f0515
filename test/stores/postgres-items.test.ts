/**
 * Postgres items mode: raw items read before aggregation, folded once, the
 * stored calendar, and equivalence with the memory store whatever the
 * aggregate schedule.
 */
import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { RecordEvent } from "../../src/core/types.js";
import type { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import type { RecordOp } from "../../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";
import { POSTGRES_URL, serverSchemas, uniqueSchema } from "./_postgres.js";

const calendar = createCalendar({ timezone: "Europe/Berlin" });
const T0 = Date.UTC(2024, 2, 30, 22, 30);
const op = (slug: string, by: number, at = T0): RecordOp => ({
  slug,
  by,
  at,
  buckets: calendar.bucketsAt(at),
  granularities: GRANULARITIES.slice(1),
});

const { admin, fresh } = serverSchemas();

describe("items mode", () => {
  it("appends raw items, reads them before aggregation, and folds them once", async () => {
    const schema = fresh("items");
    const store = postgresStore({ url: POSTGRES_URL, schema, mode: "items" });
    const metrics = createMetrics({ store, timezone: "Europe/Berlin" });
    // Across the Berlin spring-forward night, hours..years plus a minutes..hours slug.
    for (let i = 0; i < 120; i++) await metrics.record("night", { at: T0 + i * 90_000, by: 2 });
    await metrics.record("fine", { at: T0, by: 3, granularities: { min: "minutes", max: "hours" } });
    const counts = async () => [
      await metrics.history("night", { from: T0, to: T0 + 3 * 3_600_000, granularity: "hours" }),
      await metrics.history("night", { from: T0, to: T0, granularity: "days" }),
      await metrics.history("fine", { from: T0, to: T0, granularity: "minutes" }),
      await metrics.total("night"),
    ];
    const before = await counts();
    const raw = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".items`);
    expect(raw.rows[0].n).toBe(121);
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".rollups`)).rows[0].n).toBe(0);
    expect(before[3]).toBe(240);

    const progress: { done: number; total: number }[] = [];
    const result = await metrics.aggregate({ batchSize: 50, onProgress: (p) => progress.push(p) });
    expect(result.items).toBe(121);
    expect(result.batches).toBe(3);
    expect(progress[0]).toEqual({ done: 0, total: 121 });
    expect(progress.at(-1)).toEqual({ done: 121, total: 121 });
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".items`)).rows[0].n).toBe(0);
    expect(await counts()).toEqual(before);
    expect(await metrics.aggregate()).toEqual({ items: 0, buckets: 0, batches: 0 });
    await metrics.dispose();
  });

  it("aggregates from the stored calendar when not attached, and stops when aborted", async () => {
    const schema = fresh("calendar");
    const kathmandu = createCalendar({ timezone: "Asia/Kathmandu" });
    const writer = postgresStore({ url: POSTGRES_URL, schema, mode: "items" });
    await writer.attach({ calendar: kathmandu });
    const at = Date.UTC(2024, 0, 1, 18, 20); // 00:05 on 2 January in Kathmandu
    await writer.recordBatch(
      Array.from({ length: 10 }, () => ({ ...op("k", 1, at), buckets: kathmandu.bucketsAt(at) })),
    );
    const job = postgresStore({ url: POSTGRES_URL, schema, mode: "rollup" });
    const aborted = new AbortController();
    aborted.abort();
    expect(await job.aggregate?.({ signal: aborted.signal })).toEqual({ items: 0, buckets: 0, batches: 0 });
    expect((await job.aggregate?.())?.items).toBe(10);
    const day = kathmandu.bucket("days", at);
    expect(day.start).toBe(Date.UTC(2024, 0, 1, 18, 15));
    expect((await writer.read({ slug: "k", granularity: "days", buckets: [day] })).counts).toEqual([10]);
    await Promise.all([writer.dispose(), job.dispose()]);
  });

  it("answers like the memory store with aggregate runs at any point", async () => {
    const client = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    const step = fc.oneof(
      fc.record({
        slug: fc.constantFrom("a", "b"),
        by: fc.integer({ min: -3, max: 50 }),
        at: fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }),
        min: fc.constantFrom("minutes", "hours", "days"),
      }),
      fc.record({ aggregate: fc.integer({ min: 1, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const schema = uniqueSchema("prop");
        const subject = createMetrics({
          store: postgresStore({ client, schema, mode: "items" }),
          timezone: "Europe/Berlin",
        });
        const oracle = createMetrics({ store: memoryStore(), timezone: "Europe/Berlin" });
        try {
          for (const s of steps) {
            if ("aggregate" in s) {
              await subject.aggregate({ batchSize: s.aggregate });
              continue;
            }
            const event: RecordEvent = { slug: s.slug, by: s.by, at: s.at, granularities: { min: s.min } };
            await subject.record(s.slug, event);
            await oracle.record(s.slug, event);
          }
          for (const slug of ["a", "b"]) {
            expect(await subject.total(slug)).toBe(await oracle.total(slug));
            for (const granularity of GRANULARITIES) {
              const range = { from: T0 - 86_400_000, to: T0 + 86_400_000, granularity };
              const got = await subject.history(slug, range).catch((e: MetricsError) => e.code);
              expect(got, `${slug} ${granularity}`).toEqual(
                await oracle.history(slug, range).catch((e: MetricsError) => e.code),
              );
            }
          }
        } finally {
          await subject.dispose();
          await oracle.dispose();
          await client.query(`DROP SCHEMA "${schema}" CASCADE`);
        }
      }),
      { numRuns: 15 },
    );
    await client.end();
  });
});
