import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { createReports } from "../../src/reports/index.js";
import { at, CREATED, NOW, setup } from "./_fixtures.js";

describe("createMetricSet", () => {
  it.each([
    [{ name: "", metrics: ["a"], recipients: ["a@x.org"] }, "E_INVALID_OPTION", '""'],
    [{ name: "S", metrics: ["bad slug"], recipients: ["a@x.org"] }, "E_INVALID_SLUG", "bad slug"],
    [{ name: "S", metrics: [], recipients: ["a@x.org"] }, "E_INVALID_OPTION", "metrics"],
    [{ name: "S", metrics: ["a"], recipients: ["not-an-address"] }, "E_INVALID_OPTION", "not-an-address"],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], schedule: "hourly-ish" },
      "E_INVALID_OPTION",
      "hourly-ish",
    ],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], thresholds: { a: { above: "10" } } },
      "E_INVALID_OPTION",
      '"10"',
    ],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], thresholds: { b: { above: 1 } } },
      "E_INVALID_OPTION",
      '"b"',
    ],
  ])("rejects %j", async (options, code, named) => {
    const reports = createReports(createMetrics(), { transport: { send: async () => {} } });
    await expect(reports.createMetricSet(options as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(named),
    });
  });

  it("stores sets with createdAt, keeps createdAt when a set is replaced, deletes", async () => {
    let clock = CREATED;
    const reports = createReports(createMetrics(), { transport: { send: async () => {} }, now: () => clock });
    const set = await reports.createMetricSet({
      name: "Ops",
      metrics: ["a"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * 1",
    });
    expect(set).toEqual({
      name: "Ops",
      metrics: ["a"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * 1",
      createdAt: CREATED,
    });
    clock = NOW;
    await reports.createMetricSet({ name: "Ops", metrics: ["a", "b"], recipients: ["a@x.org"] });
    expect(await reports.metricSets()).toEqual([
      { name: "Ops", metrics: ["a", "b"], recipients: ["a@x.org"], schedule: "daily", createdAt: CREATED },
    ]);
    await reports.deleteMetricSet("Ops");
    expect(await reports.metricSets()).toEqual([]);
    await expect(reports.deleteMetricSet("Ops")).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});

describe("reportData", () => {
  it("counts the period, the one before, and day/week/month/year to date in the local calendar", async () => {
    const metrics = await setup();
    const reports = createReports(metrics, { transport: { send: async () => {} }, now: () => CREATED });
    await reports.createMetricSet({
      name: "Daily overview",
      metrics: ["signups", "monthly_only", "never"],
      recipients: ["ops@example.org"],
      thresholds: { signups: { above: 2 } },
    });
    const data = await reports.reportData("Daily overview", { now: NOW });
    expect(data.period.key).toBe("daily:2024-05-01");
    const [signups, monthly, never] = data.rows;
    expect(signups).toMatchObject({
      name: "Sign-ups",
      unit: "users",
      period: 3,
      previousPeriod: 2,
      change: 50,
      today: 3,
      yesterday: 2,
      thisWeek: 5, // Monday Apr 29 through Wednesday May 1 ...
      lastWeek: 5, // ... against Monday Apr 22 through Wednesday Apr 24
      thisMonth: 3, // May 1 against April 1
      lastMonth: 11,
      thisYear: 21, // the first 122 days of 2024 against those of 2023 (through May 2)
      lastYear: 13,
      alert: true,
      alertReason: "above 2",
    });
    expect(signups?.daily).toHaveLength(30);
    expect(signups?.daily.slice(-2)).toEqual([
      { start: Date.parse("2024-04-30T04:00:00Z"), count: 2 },
      { start: Date.parse("2024-05-01T04:00:00Z"), count: 3 },
    ]);
    expect(monthly).toMatchObject({
      period: 0,
      thisMonth: 9,
      daily: [],
      note: expect.stringContaining("no daily"),
    });
    expect(never).toMatchObject({ name: "never", period: 0, previousPeriod: 0, change: null, alert: false });
    await expect(reports.reportData("Nope", { now: NOW })).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});

describe("reportData for a monthly set", () => {
  it("compares the whole reported month with the whole month before, even a longer one", async () => {
    const metrics = await setup();
    await metrics.record("signups", { by: 19, ...at("2024-03-31T12:00:00Z") }); // day 31 of March
    const reports = createReports(metrics, { transport: { send: async () => {} }, now: () => CREATED });
    await reports.createMetricSet({
      name: "M",
      metrics: ["signups"],
      recipients: ["a@x.org"],
      schedule: "monthly",
    });
    const data = await reports.reportData("M", { now: NOW });
    expect(data.period.key).toBe("monthly:2024-04");
    expect(data.rows[0]).toMatchObject({
      period: 18, // 2 + 5 + 11 in April
      previousPeriod: 19,
      thisMonth: 18,
      lastMonth: 19, // all 31 days of March
      today: 2, // April 30
      yesterday: 0,
    });
  });
});

describe("reportData for cron periods", () => {
  it("sums hours for an hour-aligned period, minutes when stored, else whole hours with a note", async () => {
    const metrics = await setup();
    await metrics.record("clicks", { ...at("2024-05-01T12:10:00Z"), granularities: { min: "minutes" } });
    await metrics.record("clicks", {
      by: 2,
      ...at("2024-05-01T12:40:00Z"),
      granularities: { min: "minutes" },
    });
    const reports = createReports(metrics, { transport: { send: async () => {} }, now: () => CREATED });
    await reports.createMetricSet({
      name: "At 8",
      metrics: ["signups"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * *",
    });
    const hourly = await reports.reportData("At 8", { now: NOW });
    expect(hourly.period.start).toBe(Date.parse("2024-05-01T12:00:00Z"));
    expect(hourly.rows[0]).toMatchObject({ period: 3, previousPeriod: 2 });
    expect(hourly.rows[0]?.note).toBeUndefined();

    await reports.createMetricSet({
      name: "At 8:30",
      metrics: ["clicks", "signups"],
      recipients: ["a@x.org"],
      schedule: "30 8 * * *",
    });
    const [clicks, signups] = (await reports.reportData("At 8:30", { now: NOW })).rows;
    expect(clicks).toMatchObject({ period: 2, previousPeriod: 1 });
    expect(clicks?.note).toBeUndefined();
    // signups stores hours only: 12:00–13:00Z on both days is counted whole (3 + 100).
    expect(signups).toMatchObject({ period: 103, note: expect.stringContaining("whole hours") });
  });
});
