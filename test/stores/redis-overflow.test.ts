/**
 * Counter overflow on the Redis store: a record or batch whose sum would take
 * a bucket or total past ±Number.MAX_SAFE_INTEGER is refused with
 * E_COUNT_OVERFLOW before any write, all or nothing, on single records,
 * coalesced concurrent records, batches of one part and of many (checked
 * first) — and, as a property, on any sequence of records, compared with an
 * exact BigInt model.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { GRANULARITIES, type Granularity } from "../../src/time/index.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const MAX = Number.MAX_SAFE_INTEGER;
const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1, 12);
const admin = new Redis(SHARED_URL);
const prefixes: string[] = [];
const open: Metrics[] = [];
afterAll(async () => {
  for (const m of open) await m.dispose();
  for (const p of prefixes) await dropPrefix(admin, p);
  await admin.quit();
});

function make(): Metrics {
  const prefix = randomPrefix();
  prefixes.push(prefix);
  const m = createMetrics({
    store: redisStore({ url: SHARED_URL, prefix }),
    now: () => T0,
    granularities: { min: "minutes", max: "years" },
  });
  open.push(m);
  return m;
}

/** Every granularity's bucket at `at`, and the total, of a slug. */
async function snapshot(m: Metrics, slug: string, at = T0): Promise<number[]> {
  const out: number[] = [];
  for (const granularity of GRANULARITIES) {
    out.push((await m.history(slug, { from: at, to: at, granularity }))[0]?.count ?? Number.NaN);
  }
  out.push(await m.total(slug));
  return out;
}

const code = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: { code?: string }) => e.code,
  );

describe("redis store overflow", () => {
  it("refuses the record that would pass MAX_SAFE_INTEGER and keeps the ones that fit", async () => {
    const m = make();
    await m.record("x", { by: MAX - 1 });
    await m.record("x", { by: 1 });
    expect(await code(m.record("x", { by: 1 }))).toBe("E_COUNT_OVERFLOW");
    expect(await snapshot(m, "x")).toEqual(Array(7).fill(MAX));
    await m.record("neg", { by: -MAX });
    expect(await code(m.record("neg", { by: -1 }))).toBe("E_COUNT_OVERFLOW");
    expect(await snapshot(m, "neg")).toEqual(Array(7).fill(-MAX));
  });

  it("checks each bucket once a slug has seen a negative count (the total alone no longer bounds them)", async () => {
    const m = make();
    await m.record("z", { at: T0 - 400 * 24 * H, by: -MAX }); // another year: total -MAX
    await m.record("z", { by: MAX }); // total 0, this year's buckets MAX
    expect(await code(m.record("z", { by: 1 }))).toBe("E_COUNT_OVERFLOW");
    expect(await snapshot(m, "z")).toEqual([MAX, MAX, MAX, MAX, MAX, MAX, 0]);
  });

  it("refuses a batch [a:+1, x:+MAX, b:+1] whole when x would overflow", async () => {
    const m = make();
    await m.record("x", { by: 1 });
    const batch = [{ slug: "a" }, { slug: "x", by: MAX }, { slug: "b" }];
    expect(await code(m.recordMany(batch))).toBe("E_COUNT_OVERFLOW");
    expect(await snapshot(m, "a")).toEqual(Array(7).fill(0));
    expect(await snapshot(m, "x")).toEqual(Array(7).fill(1));
    expect(await snapshot(m, "b")).toEqual(Array(7).fill(0));
    expect(await m.slugs()).toEqual(["x"]);
  });

  it("refuses a batch of many parts whole when its last part would overflow (checked before writing)", async () => {
    const m = make();
    await m.record("s_149", { by: MAX });
    const batch = Array.from({ length: 150 }, (_, i) => ({ slug: `s_${i}`, by: 2 }));
    expect(await code(m.recordMany(batch))).toBe("E_COUNT_OVERFLOW");
    expect(await m.total("s_0")).toBe(0);
    expect(await m.total("s_99")).toBe(0);
    expect(await m.total("s_149")).toBe(MAX);
    const ops = batch.map((b) => ({
      slug: b.slug,
      by: b.by,
      at: T0,
      buckets: m.calendar.bucketsAt(T0),
      granularities: GRANULARITIES.slice(),
    }));
    expect(await code(m.store.recordBatch(ops, { batchId: "big" }))).toBe("E_COUNT_OVERFLOW");
    expect(await m.total("s_0")).toBe(0);
    // The refused batch left no marker behind: once it fits, the same id applies.
    await m.record("s_149", { by: -MAX });
    await m.store.recordBatch(ops, { batchId: "big" });
    expect(await m.total("s_0")).toBe(2);
    expect(await m.total("s_149")).toBe(2);
  });

  it("fails only the overflowing one of concurrent records sent together", async () => {
    const m = make();
    await m.record("x", { by: 1 });
    const results = await Promise.all([
      code(m.record("a")),
      code(m.record("x", { by: MAX })),
      code(m.record("b")),
      code(m.record("x", { by: 2 })),
    ]);
    expect(results).toEqual(["ok", "E_COUNT_OVERFLOW", "ok", "ok"]);
    expect(await m.total("a")).toBe(1);
    expect(await m.total("x")).toBe(3);
  });

  it("applies any sequence of records exactly as an exact model with the ±MAX bound says", async () => {
    const m = make();
    const instants = [T0, T0 + H, T0 + 40 * 24 * H];
    const bys = [1, -1, 7, 2 ** 52, -(2 ** 52), MAX, -MAX, MAX - 3];
    const record = fc.record({
      slug: fc.constantFrom("p", "q"),
      at: fc.constantFrom(...instants),
      by: fc.constantFrom(...bys),
      g: fc.constantFrom<[Granularity, Granularity]>(
        ["minutes", "years"],
        ["hours", "days"],
        ["months", "years"],
      ),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(record, { minLength: 1, maxLength: 3 }), { maxLength: 12 }),
        async (steps) => {
          run += 1;
          const model = new Map<string, bigint>();
          const keysOf = (r: { slug: string; at: number; g: [Granularity, Granularity] }) => {
            const b = m.calendar.bucketsAt(r.at);
            const from = GRANULARITIES.indexOf(r.g[0]);
            const to = GRANULARITIES.indexOf(r.g[1]);
            return [
              ...GRANULARITIES.slice(from, to + 1).map(
                (g) => `${run}${r.slug} ${g} ${b[GRANULARITIES.indexOf(g)]?.start}`,
              ),
              `${run}${r.slug} total`,
            ];
          };
          for (const step of steps) {
            const sums = new Map<string, bigint>();
            for (const r of step) for (const k of keysOf(r)) sums.set(k, (sums.get(k) ?? 0n) + BigInt(r.by));
            const next = new Map(model);
            for (const [k, v] of sums) next.set(k, (next.get(k) ?? 0n) + v);
            const safe = (v: bigint) => v <= BigInt(MAX) && v >= -BigInt(MAX);
            // A batch's own sum for one bucket must be safe too (documented).
            const fits = [...next.values()].every(safe) && [...sums.values()].every(safe);
            const work =
              step.length === 1
                ? m.record(`${run}${step[0]?.slug}`, {
                    at: step[0]?.at as number,
                    by: step[0]?.by as number,
                    granularities: { min: step[0]?.g[0] as Granularity, max: step[0]?.g[1] as Granularity },
                  })
                : m.recordMany(
                    step.map((r) => ({
                      slug: `${run}${r.slug}`,
                      at: r.at,
                      by: r.by,
                      granularities: { min: r.g[0], max: r.g[1] },
                    })),
                  );
            expect(await code(work)).toBe(fits ? "ok" : "E_COUNT_OVERFLOW");
            if (fits) for (const [k, v] of next) model.set(k, v);
          }
          for (const [key, want] of model) {
            const [slug, g, start] = key.split(" ") as [string, string, string?];
            const got =
              g === "total"
                ? await m.total(slug)
                : ((
                    await m.history(slug, {
                      from: Number(start),
                      to: Number(start),
                      granularity: g as Granularity,
                    })
                  )[0]?.count ?? Number.NaN);
            expect(got, key).toBe(Number(want));
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
