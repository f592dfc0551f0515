/**
 * Catch-up, as a property: for any time zone, schedule (calendar or cron),
 * creation time, maxCatchUp, sequence of runs with gaps (downtimes) between
 * them and pattern of failing sends, the mails sent are exactly those of a
 * simple model: each run takes the last maxCatchUp closed periods that ended
 * after createdAt, oldest first, skips the ones already sent, and stops at
 * the first failed send. So no period is sent twice, none is skipped inside
 * the window, and mails leave oldest first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { closedPeriods, createReports, lastClosedPeriod } from "../../src/reports/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { createCalendar } from "../../src/time/index.js";

const MIN = 60_000;
const DAY = 1440 * MIN;
const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/Berlin",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "America/Santiago",
  "Pacific/Apia",
];
const SCHEDULES = ["daily", "weekly", "monthly", "0 8 * * 1", "30 */6 * * *", "15 2 * * *", "0 0 1 * *"];

const scenario = fc.record({
  timezone: fc.constantFrom(...ZONES),
  weekStart: fc.constantFrom("monday" as const, "sunday" as const),
  schedule: fc.constantFrom(...SCHEDULES),
  created: fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2030, 0, 1) }),
  maxCatchUp: fc.integer({ min: 1, max: 10 }),
  /** Gaps between runs (the first is after createdAt), from a minute to 50 days. */
  gaps: fc.array(fc.integer({ min: MIN, max: 50 * DAY }), { minLength: 1, maxLength: 6 }),
  /** Which send attempts fail, in order of attempts (cycled). */
  failures: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
});

describe("sendReports catch-up matches the model", () => {
  it("sends each due period once, oldest first, within maxCatchUp, stopping a set at a failed send", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const calendar = createCalendar({ timezone: s.timezone, weekStart: s.weekStart });
        let attempt = 0;
        const fails = () => s.failures[attempt++ % s.failures.length] === true;
        // The model.
        const expected: string[] = [];
        const sent = new Set<string>();
        let t = s.created;
        for (const gap of s.gaps) {
          t += gap;
          const due = closedPeriods(s.schedule, calendar, t, {
            limit: s.maxCatchUp,
            after: s.created,
          }).reverse();
          for (const p of due) {
            if (sent.has(p.key)) continue;
            if (fails()) break;
            sent.add(p.key);
            expected.push(p.key);
          }
        }
        // The library, on a store shared by nothing else.
        attempt = 0;
        const metrics = createMetrics({ store: memoryStore(), timezone: s.timezone, weekStart: s.weekStart });
        const actual: string[] = [];
        const current = "";
        const reports = createReports(metrics, {
          transport: {
            async send() {
              if (fails()) throw new Error("relay down");
              actual.push(current);
            },
          },
          now: () => s.created,
          maxCatchUp: s.maxCatchUp,
        });
        await reports.createMetricSet({
          name: "S",
          metrics: ["x"],
          recipients: ["a@example.org"],
          schedule: s.schedule,
        });
        t = s.created;
        const keys: string[] = [];
        for (const gap of s.gaps) {
          t += gap;
          const result = await reports.sendReports({ now: t });
          keys.push(...result.sent.map((r) => r.period));
          expect(result.failed.length).toBeLessThanOrEqual(1);
        }
        expect(actual.length).toBe(keys.length);
        expect(keys).toEqual(expected);
        // Oldest first, none twice, none ending before createdAt or after its run.
        const ends = keys.map((k) => (k.startsWith("cron:") ? Date.parse(k.slice(5)) : 0));
        if (keys[0]?.startsWith("cron:")) {
          expect([...ends].sort((a, b) => a - b)).toEqual(ends);
          for (const end of ends) expect(end).toBeGreaterThan(s.created);
        }
        expect(new Set(keys).size).toBe(keys.length);
        await metrics.dispose();
      }),
      { numRuns: Number(process.env.RUNS ?? 80) },
    );
  }, 600_000);

  it("periods tile time: each one's start is the next one's end, DST days included", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...SCHEDULES),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.integer({ min: 1, max: 40 }),
        (timezone, schedule, now, limit) => {
          const calendar = createCalendar({ timezone });
          const periods = closedPeriods(schedule, calendar, now, { limit });
          expect(periods).toHaveLength(limit);
          expect(periods[0]).toEqual(lastClosedPeriod(schedule, calendar, now));
          expect(periods[0]?.end).toBeLessThanOrEqual(now);
          for (let i = 1; i < periods.length; i++) {
            const [newer, older] = [periods[i - 1], periods[i]];
            expect(older?.end).toBe(newer?.start);
            expect(older?.start).toBeLessThan(older?.end as number);
            expect(older?.key).not.toBe(newer?.key);
          }
          // A cut at `after` keeps exactly the periods that end after it.
          const after = periods[Math.floor(limit / 2)]?.end as number;
          expect(closedPeriods(schedule, calendar, now, { limit, after })).toEqual(
            periods.filter((p) => p.end > after),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("after a long downtime only the last maxCatchUp periods go out, with one warning and one skipped entry", async () => {
    const metrics = createMetrics({ store: memoryStore(), timezone: "Europe/Berlin" });
    const sent: string[] = [];
    const warnings: string[] = [];
    const created = Date.parse("2024-03-01T12:00:00Z");
    const reports = createReports(metrics, {
      transport: { send: async (m) => void sent.push(m.subject) },
      now: () => created,
      logger: { warn: (m) => void warnings.push(m), error: () => {} },
    });
    await reports.createMetricSet({ name: "D", metrics: ["x"], recipients: ["a@example.org"] });
    // 40 days later, across the spring-forward of March 31 (a 23-hour day).
    const now = Date.parse("2024-04-10T08:00:00Z");
    const result = await reports.sendReports({ now });
    expect(result.sent.map((r) => r.period)).toEqual([
      "daily:2024-04-03",
      "daily:2024-04-04",
      "daily:2024-04-05",
      "daily:2024-04-06",
      "daily:2024-04-07",
      "daily:2024-04-08",
      "daily:2024-04-09",
    ]);
    expect(result.skipped).toEqual([{ set: "D", period: "daily:2024-04-02", reason: "over-max-catch-up" }]);
    expect(warnings).toEqual([
      'tallyboard: report "D" missed more than 7 periods (maxCatchUp): sending daily:2024-04-03 to daily:2024-04-09; daily:2024-04-02 and older are skipped',
    ]);
    const again = await reports.sendReports({ now: now + 60 * MIN });
    expect(again).toEqual({
      sent: [],
      skipped: [{ set: "D", period: "daily:2024-04-09", reason: "sent-or-claimed" }],
      failed: [],
    });
    expect(warnings).toHaveLength(1); // no note once the backlog is gone
    const wider = await reports.sendReports({ now: now + 60 * MIN, maxCatchUp: 40 });
    // March 1 (created during it) to April 2, including the 23-hour March 31.
    expect(wider.sent.map((r) => r.period)).toHaveLength(33);
    expect(wider.sent[0]?.period).toBe("daily:2024-03-01");
    expect(wider.sent.at(-1)?.period).toBe("daily:2024-04-02");
    expect(sent).toHaveLength(40);
    expect(sent).toContain("tallyboard report: D — 2024-03-31");
  });
});
