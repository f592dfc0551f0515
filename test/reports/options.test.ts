/**
 * Every public entry of the reports module validates its options: unknown
 * keys are refused naming the nearest valid one, bad values fail with a
 * MetricsError and a code (synchronously for createReports, as a rejection
 * for async methods), never a TypeError and never silently.
 */
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { nearest } from "../../src/reports/_options.js";
import {
  buildReport,
  closedPeriods,
  createReports,
  lastClosedPeriod,
  type Reports,
} from "../../src/reports/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { createCalendar } from "../../src/time/index.js";
import { NOW } from "./_fixtures.js";

const transport = { send: async () => {} };
const metrics = () => createMetrics({ store: memoryStore(), timezone: "UTC", now: () => NOW });
const SET = { name: "S", metrics: ["x"], recipients: ["a@example.org"] };

/** The MetricsError `fn` throws or rejects with (fails the test for anything else). */
async function failure(fn: () => unknown): Promise<MetricsError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    return error as MetricsError;
  }
  throw new Error("expected a MetricsError, got none");
}

describe("reports options", () => {
  it("refuses unknown keys, naming the key and the nearest valid one", async () => {
    const m = metrics();
    const typo = await failure(() => createReports(m, { transport, leaseMS: 5 } as never));
    expect(typo.code).toBe("E_INVALID_OPTION");
    expect(typo.message).toContain('"leaseMS"');
    expect(typo.message).toContain('did you mean "leaseMs"');
    const reports = createReports(m, { transport, now: () => NOW });
    const cases: [() => Promise<unknown>, string, string][] = [
      [() => reports.sendReports({ maxCatchup: 3 } as never), '"maxCatchup"', '"maxCatchUp"'],
      [() => reports.sendReports({ when: NOW } as never), '"when"', '"now"'],
      [
        () => reports.createMetricSet({ ...SET, recipient: ["b@example.org"] } as never),
        '"recipient"',
        '"recipients"',
      ],
      [() => reports.createMetricSet({ ...SET, schedul: "weekly" } as never), '"schedul"', '"schedule"'],
      [() => reports.reportData("S", { nowe: NOW } as never), '"nowe"', '"now"'],
    ];
    for (const [call, key, near] of cases) {
      const error = await failure(call);
      expect(error.code, key).toBe("E_INVALID_OPTION");
      expect(error.message).toContain(key);
      expect(error.message).toContain(`did you mean ${near}`);
    }
    expect(await reports.metricSets()).toEqual([]); // nothing was written
  });

  it("maxCatchUp is an integer from 1 to 1000, in createReports and sendReports", async () => {
    const m = metrics();
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1001, "7", null, 2n]) {
      const sync = await failure(() => createReports(m, { transport, maxCatchUp: bad as never }));
      expect(sync.code, String(bad)).toBe("E_INVALID_OPTION");
      expect(sync.message).toMatch(/maxCatchUp/);
      const reports = createReports(m, { transport });
      const rejected = reports.sendReports({ now: NOW, maxCatchUp: bad as never });
      expect((await failure(() => rejected)).code).toBe("E_INVALID_OPTION");
    }
    for (const good of [1, 7, 1000]) {
      const reports = createReports(m, { transport, maxCatchUp: good, now: () => NOW - 86_400_000 });
      await expect(reports.sendReports({ now: NOW, maxCatchUp: good })).resolves.toBeDefined();
    }
  });

  it("any options value gives a MetricsError or a working instance, never another error", async () => {
    const m = metrics();
    const bag = fc.oneof(
      fc.anything(),
      fc.dictionary(
        fc.constantFrom("transport", "from", "leaseMs", "maxCatchUp", "logger", "now", "x"),
        fc.oneof(fc.anything(), fc.constant(transport), fc.constant(console)),
      ),
      fc.anything().map((v) => ({ transport, [Symbol("k")]: v })),
    );
    await fc.assert(
      fc.asyncProperty(bag, async (options) => {
        let reports: Reports;
        try {
          reports = createReports(m, options as never);
        } catch (error) {
          expect(error).toBeInstanceOf(MetricsError);
          return;
        }
        await reports.sendReports({ now: NOW }).catch((error: unknown) => {
          expect(error).toBeInstanceOf(MetricsError);
        });
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });

  it("createMetricSet, sendReports and reportData reject any malformed argument with a MetricsError", async () => {
    const reports = createReports(metrics(), { transport, now: () => NOW });
    await reports.createMetricSet(SET);
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.string(), async (a, b, key) => {
        for (const call of [
          () => reports.createMetricSet(a as never),
          () => reports.createMetricSet({ ...SET, name: "T", [key]: a } as never),
          () => reports.sendReports(a as never),
          () => reports.sendReports({ now: a } as never),
          () => reports.reportData("S", { now: b } as never),
          () => reports.reportData(a as never),
        ]) {
          const promise = call();
          expect(promise).toBeInstanceOf(Promise); // async methods never throw synchronously
          await promise.catch((error: unknown) => expect(error).toBeInstanceOf(MetricsError));
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 200) },
    );
  });

  it("the pure entries and createReports refuse anything malformed with a MetricsError", () => {
    const calendar = createCalendar();
    fc.assert(
      fc.property(fc.anything(), (a) => {
        for (const call of [
          () => lastClosedPeriod(a as never, calendar, NOW),
          () => lastClosedPeriod("daily", a as never, NOW),
          () => lastClosedPeriod("0 8 * * 1", calendar, a as never),
          () => closedPeriods("weekly", calendar, NOW, a as never),
          () => closedPeriods("daily", calendar, NOW, { limit: a } as never),
          () => closedPeriods("daily", calendar, NOW, { limit: 3, after: a } as never),
          () => buildReport(a as never),
          () => createReports(a as never, { transport }),
        ]) {
          try {
            call();
          } catch (error) {
            expect(error).toBeInstanceOf(MetricsError);
          }
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
    expect(() => closedPeriods("* * * * *", calendar, NOW, { limit: 10_001 })).toThrow(/limit/);
    expect(closedPeriods("* * * * *", calendar, NOW, { limit: 10_000 })).toHaveLength(10_000);
  });

  it("nearest() picks the closest name by edit distance, ignoring case", () => {
    expect(nearest("LEASEMS", ["transport", "leaseMs", "logger"])).toBe("leaseMs");
    expect(nearest("trasnport", ["transport", "from"])).toBe("transport");
    expect(nearest("zzzzzzzz", ["now", "maxCatchUp"])).toBe("now");
  });
});

describe("metric set names and addresses on a Postgres store (PGlite)", () => {
  it("whatever validation accepts is stored and read back; the rest is refused before any write", async () => {
    const store = postgresStore({ client: await PGlite.create() });
    const m = createMetrics({ store, timezone: "UTC" });
    const reports = createReports(m, { transport, now: () => NOW - 86_400_000 });
    const text = fc.oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: 30 }),
      fc.string({
        unit: fc.constantFrom(
          "\u0000",
          "\ud800",
          "\udc00",
          "\u009b",
          "\u001b",
          "\u2028",
          "é",
          "a",
          "🚀",
          ":",
          "{",
          " ",
        ),
        minLength: 1,
        maxLength: 12,
      }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.constantFrom("a@example.org", "x\u0000@example.org", "é@exämple.org"),
          async (name, to) => {
            const created = await reports.createMetricSet({ name, metrics: ["x"], recipients: [to] }).then(
              (set) => set,
              (error: unknown) => {
                expect(error).toBeInstanceOf(MetricsError);
                expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
                return null;
              },
            );
            const stored = (await reports.metricSets()).find((s) => s.name === name);
            expect(stored ?? null).toEqual(created);
            if (created) {
              const result = await reports.sendReports({ now: NOW });
              expect(result.failed).toEqual([]);
              await reports.deleteMetricSet(name);
            }
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      await m.dispose();
    }
  });
});
