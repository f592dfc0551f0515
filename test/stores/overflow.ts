import { beforeEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, MetricsOptions } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";
import { GRANULARITIES } from "../../src/time/index.js";
import type { StoreNamespace } from "./suite.js";

const MAX = Number.MAX_SAFE_INTEGER;
const T0 = Date.UTC(2023, 9, 10, 12, 0);
/** Far enough from T0 to fall in another bucket of every granularity. */
const T_OTHER = Date.UTC(2021, 2, 3, 4, 5);
const ALL = { min: "minutes", max: "years" } as const;

/** Every bucket of `slug` holding T0 and T_OTHER, plus its total and registration: what a refused write must not change. */
async function snapshot(m: Metrics, slugs: readonly string[]) {
  const out: Record<string, unknown> = { slugs: await m.slugs(), categories: await m.categories() };
  for (const slug of slugs) {
    const info = await m.slugInfo(slug);
    out[`${slug}.info`] = info;
    out[`${slug}.total`] = await m.total(slug);
    for (const g of info?.granularities ?? []) {
      for (const at of [T0, T_OTHER]) {
        out[`${slug}.${g}.${at}`] = (await m.history(slug, { from: at, to: at, granularity: g }))[0]?.count;
      }
    }
  }
  return out;
}

async function expectOverflow(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetricsError);
  expect((error as MetricsError).code).toBe("E_COUNT_OVERFLOW");
}

/**
 * Counter limits every store must keep (part of the conformance contract): a
 * bucket or total whose sum would pass ±Number.MAX_SAFE_INTEGER is refused
 * with `E_COUNT_OVERFLOW` before anything is written, and a batch holding
 * such a record writes nothing at all. A store's test file opts in by calling
 * this next to `storeConformance()`.
 */
export function storeOverflowConformance(name: string, namespace: () => Promise<StoreNamespace>): void {
  describe(`store overflow conformance: ${name}`, () => {
    let ns: StoreNamespace;
    const open: Metrics[] = [];
    const make = (options: Omit<MetricsOptions, "store"> = {}): Metrics => {
      const m = createMetrics({ store: ns.open(), now: () => T0, granularities: ALL, ...options });
      open.push(m);
      return m;
    };
    beforeEach(async () => {
      ns = await namespace();
      return async () => {
        while (open.length) await open.pop()?.dispose();
        await ns.cleanup();
      };
    });

    it("stores exactly MAX_SAFE_INTEGER and refuses one more, in every bucket and the total", async () => {
      const m = make();
      await m.record("x", { at: T0, by: MAX });
      for (const g of GRANULARITIES) {
        expect((await m.history("x", { from: T0, to: T0, granularity: g }))[0]?.count, g).toBe(MAX);
      }
      expect(await m.total("x")).toBe(MAX);
      const before = await snapshot(m, ["x"]);
      await expectOverflow(m.record("x", { at: T0, by: 1 }));
      await expectOverflow(m.record("x", { at: T0, by: MAX }));
      expect(await snapshot(m, ["x"])).toEqual(before);
      await m.record("x", { at: T0, by: -1 });
      expect(await m.total("x")).toBe(MAX - 1);
    });

    for (const g of GRANULARITIES) {
      it(`refuses a record that would overflow only the ${g} bucket, changing nothing`, async () => {
        const m = make();
        // Only the T0 bucket of g is full; the total and every other bucket stay far from the limit.
        await m.record("x", { at: T0, by: MAX, granularities: { min: g, max: g } });
        await m.record("x", { at: T_OTHER, by: -MAX, granularities: { min: g, max: g } });
        await m.record("x", { at: T0, by: 0 }); // register every granularity
        expect(await m.total("x")).toBe(0);
        const before = await snapshot(m, ["x"]);
        await expectOverflow(m.record("x", { at: T0, by: 1, category: "c" }));
        expect(await snapshot(m, ["x"])).toEqual(before);
        await m.record("x", { at: T_OTHER, by: 1 });
        expect(await m.total("x")).toBe(1);
      });
    }

    it("refuses a record that would overflow only the total", async () => {
      const m = make();
      await m.record("x", { at: T0, by: MAX });
      const before = await snapshot(m, ["x"]);
      await expectOverflow(m.record("x", { at: T_OTHER, by: 1 }));
      expect(await snapshot(m, ["x"])).toEqual(before);
    });

    it("refuses negative overflow below -MAX_SAFE_INTEGER", async () => {
      const m = make();
      await m.record("neg", { at: T0, by: -MAX });
      expect(await m.total("neg")).toBe(-MAX);
      const before = await snapshot(m, ["neg"]);
      await expectOverflow(m.record("neg", { at: T0, by: -1 }));
      await expectOverflow(m.record("neg", { at: T_OTHER, by: -1 }));
      expect(await snapshot(m, ["neg"])).toEqual(before);
      await m.record("neg", { at: T0, by: MAX });
      expect(await m.total("neg")).toBe(0);
    });

    it("fills a slug with repeated records up to the limit exactly, then refuses", async () => {
      const m = make();
      const step = 2 ** 51;
      for (let i = 0; i < 3; i++) await m.record("fill", { at: T0, by: step });
      await expectOverflow(m.record("fill", { at: T0, by: step }));
      await m.record("fill", { at: T0, by: step - 1 }); // lands exactly on MAX_SAFE_INTEGER
      await expectOverflow(m.record("fill", { at: T0, by: 1 }));
      for (const g of GRANULARITIES) {
        expect((await m.history("fill", { from: T0, to: T0, granularity: g }))[0]?.count, g).toBe(MAX);
      }
      expect(await m.total("fill")).toBe(MAX);
    });

    it("writes nothing of a batch when one record would overflow [a:+1, x:+(2^53-1), b:+1]", async () => {
      const m = make();
      await m.record("x", { at: T0, by: 1 });
      await m.record("a", { at: T0, by: 5 });
      const before = await snapshot(m, ["a", "x", "b"]);
      await expectOverflow(
        m.recordMany([
          { slug: "a", at: T0, by: 1 },
          { slug: "x", at: T0, by: MAX },
          { slug: "b", at: T0, by: 1, category: "new_category" },
        ]),
      );
      expect(await snapshot(m, ["a", "x", "b"])).toEqual(before);
    });

    it("writes nothing of a batch whose records overflow only together", async () => {
      const m = make();
      await m.record("a", { at: T0, by: 5 });
      const before = await snapshot(m, ["a", "y"]);
      for (const events of [
        [
          { slug: "a", at: T0, by: 1 },
          { slug: "y", at: T0, by: MAX },
          { slug: "y", at: T0, by: 1 },
        ],
        [
          { slug: "y", at: T0, by: MAX },
          { slug: "a", at: T0, by: 1 },
          { slug: "y", at: T_OTHER, by: 1 }, // other buckets: only the total passes the limit
        ],
        [
          { slug: "y", at: T0, by: -MAX },
          { slug: "y", at: T0, by: -1, granularities: { min: "days", max: "days" } as const },
        ],
      ]) {
        await expectOverflow(m.recordMany(events));
        expect(await snapshot(m, ["a", "y"])).toEqual(before);
      }
      // A batch whose sums stay within the limits is applied whole.
      await m.recordMany([
        { slug: "y", at: T0, by: MAX },
        { slug: "y", at: T0, by: -1 },
      ]);
      expect(await m.total("y")).toBe(MAX - 1);
    });
  });
}
