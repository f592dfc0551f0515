import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, MetricsOptions } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";
import type { Store } from "../../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";

/**
 * A namespace of one backend: `open()` returns a new Store over the SAME data
 * (a second process, in effect); `cleanup()` drops the data. Each test gets a
 * fresh namespace from the factory.
 */
export interface StoreNamespace {
  open(): Store;
  cleanup(): Promise<void>;
}

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2023, 9, 10, 12, 0); // a Tuesday
const ISO = (t: number) => new Date(t).toISOString();

/**
 * The conformance suite every store passes. Tests go through the public
 * `createMetrics()` API, plus a few direct Store calls where the contract
 * has no facade (batch ids).
 */
export function storeConformance(name: string, namespace: () => Promise<StoreNamespace>): void {
  describe(`store conformance: ${name}`, () => {
    let ns: StoreNamespace;
    const open: Metrics[] = [];
    const make = (options: Omit<MetricsOptions, "store"> = {}, store?: Store): Metrics => {
      const m = createMetrics({ store: store ?? ns.open(), now: () => T0, ...options });
      open.push(m);
      return m;
    };
    beforeEach(async () => {
      while (open.length) await open.pop()?.dispose();
      ns = await namespace();
      return async () => {
        while (open.length) await open.pop()?.dispose();
        await ns.cleanup();
      };
    });
    afterAll(async () => {
      while (open.length) await open.pop()?.dispose();
    });

    it("records and reads hourly counts, zero-filled and inclusive of both ends", async () => {
      const m = make();
      await m.record("page_views", { at: T0 });
      await m.record("page_views", { at: T0 + 10 * 60_000, by: 4 });
      await m.record("page_views", { at: T0 + 2 * H + 1 });
      const rows = await m.history("page_views", {
        from: T0 - H + 1,
        to: T0 + 2 * H + 5,
        granularity: "hours",
      });
      expect(rows.map((r) => [ISO(r.start.getTime()), r.count])).toEqual([
        [ISO(T0 - H), 0],
        [ISO(T0), 5],
        [ISO(T0 + H), 0],
        [ISO(T0 + 2 * H), 1],
      ]);
    });

    it("rolls up into days, weeks, months and years", async () => {
      const m = make();
      await m.record("signups", { at: Date.UTC(2023, 9, 9, 1), by: 2 }); // Monday
      await m.record("signups", { at: Date.UTC(2023, 9, 15, 23), by: 3 }); // Sunday, same week
      await m.record("signups", { at: Date.UTC(2023, 10, 1), by: 7 });
      await m.record("signups", { at: Date.UTC(2024, 0, 1), by: 11 });
      const days = await m.history("signups", {
        from: "2023-10-09",
        to: "2023-10-15T23:59:59Z",
        granularity: "days",
      });
      expect(days).toHaveLength(7);
      expect(days[0]?.count).toBe(2);
      expect(days[6]?.count).toBe(3);
      const weeks = await m.history("signups", { from: "2023-10-09", to: "2023-10-16", granularity: "week" });
      expect(weeks.map((r) => r.count)).toEqual([5, 0]);
      const months = await m.history("signups", {
        from: "2023-10-01",
        to: "2024-01-01",
        granularity: "monthly",
      });
      expect(months.map((r) => r.count)).toEqual([5, 7, 0, 11]);
      const years = await m.history("signups", {
        from: "2023-01-01",
        to: "2024-06-01",
        granularity: "years",
      });
      expect(years.map((r) => r.count)).toEqual([12, 11]);
      expect(await m.total("signups")).toBe(23);
    });

    it("increments by any safe integer, including negative and zero", async () => {
      const m = make();
      await m.record("balance", { at: T0, by: 2 ** 40 });
      await m.record("balance", { at: T0, by: -5 });
      await m.record("registered_only", { at: T0, by: 0, category: "misc" });
      const [row] = await m.history("balance", { from: T0, to: T0, granularity: "hours" });
      expect(row?.count).toBe(2 ** 40 - 5);
      expect(await m.slugs()).toEqual(["balance", "registered_only"]);
      expect(await m.categorySlugs("misc")).toEqual(["registered_only"]);
      expect((await m.history("registered_only", { from: T0, to: T0, granularity: "days" }))[0]?.count).toBe(
        0,
      );
    });

    it("lists slugs, categories and groups sorted", async () => {
      const m = make();
      await m.record("zeta", { category: "activity", group: "g1" });
      await m.record("alpha", { category: "activity" });
      await m.record("mid", { category: "billing", group: "g1" });
      await m.record("solo");
      expect(await m.slugs()).toEqual(["alpha", "mid", "solo", "zeta"]);
      expect(await m.categories()).toEqual(["activity", "billing"]);
      expect(await m.categorySlugs("activity")).toEqual(["alpha", "zeta"]);
      expect(await m.categorySlugs("nothing")).toEqual([]);
      expect(await m.groups()).toEqual(["g1"]);
      expect(await m.groupSlugs("g1")).toEqual(["mid", "zeta"]);
      expect(await m.getCategories()).toEqual(["activity", "billing"]);
      expect(await m.getCategorySlugs("billing")).toEqual(["mid"]);
      const info = await m.slugInfo("zeta");
      expect(info).toEqual({
        slug: "zeta",
        granularities: ["hours", "days", "weeks", "months", "years"],
        categories: ["activity"],
        groups: ["g1"],
      });
      expect(await m.slugInfo("never")).toBeNull();
    });

    it("keeps per-call granularity ranges and answers coarser ones from finer stored ones", async () => {
      const m = make();
      await m.record("app_usage", {
        at: T0 + 90_000,
        by: 10,
        granularities: { min: "minutes", max: "days" },
      });
      await m.record("app_usage", { at: T0 + D, by: 1, granularities: { min: "minutes", max: "days" } });
      const minutes = await m.history("app_usage", { from: T0, to: T0 + 2 * 60_000, granularity: "minutes" });
      expect(minutes.map((r) => r.count)).toEqual([0, 10, 0]);
      const months = await m.history("app_usage", { from: T0, to: T0, granularity: "months" });
      expect(months.map((r) => r.count)).toEqual([11]); // summed from days
      const weeks = await m.history("app_usage", { from: T0, to: T0, granularity: "weeks" });
      expect(weeks.map((r) => r.count)).toEqual([11]); // summed from days
      expect((await m.slugInfo("app_usage"))?.granularities).toEqual(["minutes", "hours", "days"]);
      await expect(m.history("app_usage", { from: T0, to: T0, granularity: "years" })).resolves.toEqual([
        { start: new Date(Date.UTC(2023, 0, 1)), count: 11 },
      ]);
    });

    it("never sums weeks into months, and says so", async () => {
      const m = make();
      await m.record("weekly_only", { at: T0, granularities: { min: "weeks", max: "weeks" } });
      const err = await m.history("weekly_only", { from: T0, to: T0, granularity: "months" }).catch((e) => e);
      expect(err).toBeInstanceOf(MetricsError);
      expect(err.code).toBe("E_GRANULARITY_NOT_RECORDED");
      const hours = await m
        .history("weekly_only", { from: T0, to: T0, granularity: "hours" })
        .catch((e) => e);
      expect(hours.code).toBe("E_GRANULARITY_NOT_RECORDED");
      expect((await m.history("weekly_only", { from: T0, to: T0, granularity: "weeks" }))[0]?.count).toBe(1);
    });

    it("reads a never-recorded slug as zeros", async () => {
      const m = make();
      const rows = await m.history("not_yet", { from: T0, to: T0 + 2 * D, granularity: "days" });
      expect(rows.map((r) => r.count)).toEqual([0, 0, 0]);
      expect(await m.total("not_yet")).toBe(0);
    });

    it("keeps hour buckets real across DST in the configured zone", async () => {
      const m = make({ timezone: "America/New_York" });
      const day = Date.UTC(2023, 10, 5, 4); // local midnight of the fall-back day
      await m.record("night", { at: day + 5 * H + 60_000 }); // 01:01 EDT
      await m.record("night", { at: day + 6 * H + 60_000, by: 2 }); // 01:01 EST
      const hours = await m.history("night", { from: day, to: day + 25 * H - 1, granularity: "hours" });
      expect(hours).toHaveLength(25);
      expect(hours.filter((r) => r.count > 0).map((r) => [ISO(r.start.getTime()), r.count])).toEqual([
        [ISO(day + 5 * H), 1],
        [ISO(day + 6 * H), 2],
      ]);
      const days = await m.history("night", { from: day, to: day, granularity: "days" });
      expect(days).toEqual([{ start: new Date(day), count: 3 }]);
    });

    it("sets and reads gauges", async () => {
      const m = make();
      expect(await m.gauge("queue_depth")).toBeNull();
      await m.setGauge("queue_depth", 17);
      await m.setGauge("temperature", -3.5);
      await m.setGauge("queue_depth", 12);
      expect(await m.gauge("queue_depth")).toBe(12);
      expect(await m.gauges()).toEqual([
        { slug: "queue_depth", value: 12 },
        { slug: "temperature", value: -3.5 },
      ]);
    });

    it("deletes a metric everywhere", async () => {
      const m = make();
      await m.record("gone", { at: T0, category: "c1", group: "g1", by: 3 });
      await m.record("kept", { at: T0, category: "c1" });
      await m.setGauge("gone", 1);
      await m.createMetric({ slug: "gone", name: "Gone" });
      await m.deleteMetric("gone");
      expect(await m.slugs()).toEqual(["kept"]);
      expect(await m.categorySlugs("c1")).toEqual(["kept"]);
      expect(await m.groupSlugs("g1")).toEqual([]);
      expect(await m.gauge("gone")).toBeNull();
      expect(await m.definitions()).toEqual([]);
      expect(await m.total("gone")).toBe(0);
      expect((await m.history("gone", { from: T0, to: T0, granularity: "hours" }))[0]?.count).toBe(0);
      await m.record("gone", { at: T0 });
      expect((await m.history("gone", { from: T0, to: T0, granularity: "hours" }))[0]?.count).toBe(1);
    });

    it("stores metric definitions", async () => {
      const m = make();
      await m.createMetric({ slug: "new_user_signup", name: "New User Metric" });
      await m.createMetric({ slug: "revenue", name: "Revenue", description: "Paid orders", unit: "EUR" });
      await m.createMetric({ slug: "new_user_signup", name: "New users", unit: "users" });
      expect(await m.definitions()).toEqual([
        { slug: "new_user_signup", name: "New users", unit: "users" },
        { slug: "revenue", name: "Revenue", description: "Paid orders", unit: "EUR" },
      ]);
      await m.metric("new_user_signup");
      await m.metric("new_user_signup", 4);
      expect(await m.total("new_user_signup")).toBe(5);
    });

    it("supports the seed's recordMetrics/getMetrics names", async () => {
      const m = make();
      await m.recordMetrics({
        slug: "page_views",
        when: new Date(T0),
        args: ["en", "mobile"],
        category: "web",
        group: "pv",
      });
      await m.recordMetrics({ slug: "user_signups", when: new Date(T0), count: 5, category: "activity" });
      await m.recordMetrics({
        slug: "app_usage",
        when: new Date(T0),
        count: 10,
        minGranularity: "minutes",
        maxGranularity: "days",
      });
      expect(await m.slugs()).toEqual(["app_usage", "page_views:en:mobile", "user_signups"]);
      expect(await m.groupSlugs("pv")).toEqual(["page_views:en:mobile"]);
      const rows = await m.getMetrics({
        slug: "user_signups",
        dtStart: new Date(T0 - H),
        dtEnd: new Date(T0),
        granularity: "hours",
      });
      expect(rows.map((r) => r.count)).toEqual([0, 5]);
      expect(
        (await m.getMetrics({ slug: "app_usage", dtStart: T0, dtEnd: T0, granularity: "minutes" }))[0]?.count,
      ).toBe(10);
    });

    it("applies a batch with an id once", async () => {
      const store = ns.open();
      const m = make({}, store);
      await m.record("warmup", { at: T0 });
      const cal = m.calendar;
      const op = {
        slug: "batched",
        by: 3,
        at: T0,
        buckets: cal.bucketsAt(T0),
        granularities: GRANULARITIES.slice(1),
      };
      await store.recordBatch([op, { ...op, slug: "batched2", category: "b" }], { batchId: "batch-1" });
      await store.recordBatch([op, { ...op, slug: "batched2", category: "b" }], { batchId: "batch-1" });
      await store.recordBatch([op], { batchId: "batch-2" });
      await store.recordBatch([op]);
      expect(await m.total("batched")).toBe(9);
      expect(await m.total("batched2")).toBe(3);
      expect(await m.categorySlugs("b")).toEqual(["batched2"]);
    });

    it("records many events at once, all or nothing", async () => {
      const m = make();
      await m.recordMany([
        { slug: "a", by: 2, at: T0 },
        { slug: "b", at: T0, category: "x" },
        { slug: "a", at: T0 + H },
      ]);
      expect(await m.total("a")).toBe(3);
      await expect(m.recordMany([{ slug: "c" }, { slug: "bad slug" }])).rejects.toMatchObject({
        code: "E_INVALID_SLUG",
      });
      expect(await m.slugs()).toEqual(["a", "b"]);
    });

    it("rejects bad input before writing anything", async () => {
      const m = make();
      const cases: [Promise<unknown>, string][] = [
        [m.record("has space"), "E_INVALID_SLUG"],
        [m.record("ok", { by: Number.NaN }), "E_INVALID_COUNT"],
        [m.record("ok", { by: 1.5 }), "E_INVALID_COUNT"],
        [m.record("ok", { at: "yesterday" }), "E_INVALID_DATE"],
        [m.record("ok", { category: "bad cat" }), "E_INVALID_SLUG"],
        [m.record("ok", { granularities: { min: "fortnights" as "hours" } }), "E_INVALID_GRANULARITY"],
        [m.record("ok", { granularities: { min: "years", max: "hours" } }), "E_INVALID_GRANULARITY"],
        [m.history("ok", { from: T0, to: T0 - 1, granularity: "hours" }), "E_INVALID_RANGE"],
        [m.history("ok", { from: T0, to: T0, granularity: "decades" as "hours" }), "E_INVALID_GRANULARITY"],
        [m.history("ok", { from: 0, to: T0, granularity: "minutes" }), "E_RANGE_TOO_LARGE"],
        [m.setGauge("ok", Number.POSITIVE_INFINITY), "E_INVALID_COUNT"],
        [m.createMetric({ slug: "ok", name: "" }), "E_INVALID_OPTION"],
      ];
      for (const [promise, code] of cases) {
        const error = await promise.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, code).toBeInstanceOf(MetricsError);
        expect((error as MetricsError).code).toBe(code);
      }
      expect(await m.slugs()).toEqual([]);
      expect(await m.gauges()).toEqual([]);
    });

    it("counts concurrent records exactly", async () => {
      const m = make();
      await Promise.all(Array.from({ length: 300 }, (_, i) => m.record(`c${i % 3}`, { at: T0 + i * 1000 })));
      expect([await m.total("c0"), await m.total("c1"), await m.total("c2")]).toEqual([100, 100, 100]);
      const rows = await m.historyMany(["c0", "c1"], { from: T0, to: T0, granularity: "hours" });
      expect(rows).toEqual({
        c0: [{ start: new Date(T0), count: 100 }],
        c1: [{ start: new Date(T0), count: 100 }],
      });
    });

    it("shares data between store instances and refuses a different zone", async () => {
      const a = make({ timezone: "Europe/London" });
      await a.record("shared", { at: T0, by: 4, category: "c" });
      const b = make({ timezone: "Europe/London" });
      expect(await b.total("shared")).toBe(4);
      expect(await b.categorySlugs("c")).toEqual(["shared"]);
      const c = make({ timezone: "Asia/Tokyo" });
      await expect(c.record("shared", { at: T0 })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
      expect(await b.total("shared")).toBe(4);
    });

    it("buffers records and applies them on flush", async () => {
      const m = make({ capture: { mode: "buffered", flushMs: 60_000 } });
      for (let i = 0; i < 50; i++) await m.record("buffered", { at: T0 + i * 1000, category: "buf" });
      await m.flush();
      expect(await m.total("buffered")).toBe(50);
      const hours = await m.history("buffered", { from: T0, to: T0, granularity: "hours" });
      expect(hours[0]?.count).toBe(50);
      expect(await m.categorySlugs("buf")).toEqual(["buffered"]);
    });

    it("rejects calls after dispose", async () => {
      const m = make();
      await m.record("x");
      await m.dispose();
      await m.dispose();
      await expect(m.record("x")).rejects.toMatchObject({ code: "E_DISPOSED" });
    });

    it("stores metric sets", async () => {
      const store = ns.open();
      make({}, store);
      const daily = {
        name: "Daily overview",
        metrics: ["signups", "orders"],
        recipients: ["ops@example.org"],
        schedule: "daily",
        thresholds: { orders: { below: 5 } },
        createdAt: T0,
      };
      await store.putMetricSet(daily);
      await store.putMetricSet({
        name: "A weekly",
        metrics: ["x"],
        recipients: ["a@b.org"],
        schedule: "0 8 * * 1",
        createdAt: T0,
      });
      await store.putMetricSet({ ...daily, recipients: ["ops@example.org", "ceo@example.org"] });
      const sets = await ns.open().metricSets();
      expect(sets.map((s) => s.name)).toEqual(["A weekly", "Daily overview"]);
      expect(sets[1]).toEqual({ ...daily, recipients: ["ops@example.org", "ceo@example.org"] });
      await store.deleteMetricSet("A weekly");
      expect((await store.metricSets()).map((s) => s.name)).toEqual(["Daily overview"]);
    });

    describe("report claims", () => {
      const lease = 60_000;
      const key = { set: "Daily overview", period: "daily:2023-10-09" };
      const two = () => {
        const a = ns.open();
        const b = ns.open();
        make({}, a);
        make({}, b);
        return [a, b] as const;
      };

      it("of concurrent claimers exactly one wins; the others see the claim held", async () => {
        const [a, b] = two();
        for (const round of [0, 1, 2]) {
          const period = `daily:2023-10-1${round}`;
          const outcomes = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 ? a : b).claimReport({ set: key.set, period, owner: `o${i}`, now: T0, leaseMs: lease }),
            ),
          );
          expect(
            outcomes.filter((o) => o === "claimed"),
            period,
          ).toHaveLength(1);
          expect(
            outcomes.filter((o) => o === "held"),
            period,
          ).toHaveLength(7);
        }
      });

      it("only the owner releases or completes its claim; completed stays completed", async () => {
        const [a, b] = two();
        expect(await a.claimReport({ ...key, owner: "A", now: T0, leaseMs: lease })).toBe("claimed");
        expect(await b.releaseReport({ ...key, owner: "B" })).toBe(false);
        expect(await b.completeReport({ ...key, owner: "B" })).toBe(false);
        expect(await b.claimReport({ ...key, owner: "B", now: T0 + 1, leaseMs: lease })).toBe("held");
        expect(await a.releaseReport({ ...key, owner: "A" })).toBe(true);
        expect(await a.releaseReport({ ...key, owner: "A" })).toBe(false);
        expect(await b.claimReport({ ...key, owner: "B", now: T0 + 2, leaseMs: lease })).toBe("claimed");
        expect(await a.completeReport({ ...key, owner: "A" })).toBe(false);
        expect(await b.completeReport({ ...key, owner: "B" })).toBe(true);
        for (const owner of ["A", "B", "C"]) {
          expect(await a.releaseReport({ ...key, owner })).toBe(false); // a release never un-sends
          expect(await b.completeReport({ ...key, owner })).toBe(false);
          expect(await a.claimReport({ ...key, owner, now: T0 + 10 * lease, leaseMs: lease })).toBe("sent");
        }
        expect(await ns.open().claimReport({ ...key, owner: "D", now: T0 + 99 * lease, leaseMs: 1 })).toBe(
          "sent",
        );
      });

      it("a claim taken over after its lease cannot be completed or released by the old owner", async () => {
        const [a, b] = two();
        const other = { set: "Daily overview", period: "daily:2023-10-10" };
        expect(await a.claimReport({ ...other, owner: "old", now: T0, leaseMs: 50 })).toBe("claimed");
        // The claimant stalled: once the lease is over, another run takes the claim.
        await new Promise((r) => setTimeout(r, 150));
        expect(await b.claimReport({ ...other, owner: "new", now: T0 + 200, leaseMs: lease })).toBe(
          "claimed",
        );
        expect(await a.releaseReport({ ...other, owner: "old" })).toBe(false);
        expect(await a.completeReport({ ...other, owner: "old" })).toBe(false);
        expect(await a.claimReport({ ...other, owner: "old", now: T0 + 300, leaseMs: lease })).toBe("held");
        expect(await b.completeReport({ ...other, owner: "new" })).toBe(true);
        expect(await a.claimReport({ ...other, owner: "x", now: T0 + 400, leaseMs: lease })).toBe("sent");
      });

      it("an owner whose lease ran out with nobody taking over still completes; a release then finds nothing", async () => {
        const [a] = two();
        expect(await a.claimReport({ ...key, owner: "slow", now: T0, leaseMs: 50 })).toBe("claimed");
        await new Promise((r) => setTimeout(r, 150));
        expect(await a.completeReport({ ...key, owner: "slow" })).toBe(true);
        expect(await a.releaseReport({ ...key, owner: "slow" })).toBe(false);
        expect(await a.claimReport({ ...key, owner: "next", now: T0 + 200, leaseMs: 50 })).toBe("sent");
      });

      it("keeps claims apart per set and period, whatever the set name", async () => {
        const [a, b] = two();
        const names = ["Ops: {daily}", "ops: {daily}", "a:b{c}/d", "é 🚀", "x".repeat(200)];
        for (const set of names) {
          expect(await a.claimReport({ set, period: key.period, owner: set, now: T0, leaseMs: lease })).toBe(
            "claimed",
          );
        }
        expect(
          await b.completeReport({ set: names[0] as string, period: key.period, owner: names[0] as string }),
        ).toBe(true);
        expect(
          await b.claimReport({
            set: names[1] as string,
            period: key.period,
            owner: "z",
            now: T0,
            leaseMs: lease,
          }),
        ).toBe("held");
        expect(
          await b.claimReport({
            set: names[1] as string,
            period: "daily:2023-10-08",
            owner: "z",
            now: T0,
            leaseMs: lease,
          }),
        ).toBe("claimed");
      });
    });

    it("matches the calendar for every granularity", async () => {
      const m = make({ timezone: "Asia/Kathmandu", weekStart: "sunday" });
      const cal = createCalendar({ timezone: "Asia/Kathmandu", weekStart: "sunday" });
      const at = Date.UTC(2024, 1, 29, 18, 20);
      await m.record("kt", { at, granularities: { min: "minutes", max: "years" } });
      for (const g of GRANULARITIES) {
        const rows = await m.history("kt", { from: at, to: at, granularity: g });
        expect(rows, g).toEqual([{ start: new Date(cal.bucket(g, at).start), count: 1 }]);
      }
    });
  });
}

export { storeOverflowConformance } from "./overflow.js";
