import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";

const NY = "America/New_York";

describe("time input is read in the instance's timezone", () => {
  it('history("x", { from: "2024-01-01", to: "2024-01-31" }) in New York is 1–31 January', async () => {
    const m = createMetrics({ timezone: NY, now: () => Date.UTC(2024, 1, 1) });
    await m.record("x", { at: "2024-01-01" });
    await m.record("x", { at: "2024-01-31T23:59", by: 2 });
    const rows = await m.history("x", { from: "2024-01-01", to: "2024-01-31", granularity: "days" });
    expect(rows).toHaveLength(31);
    expect(rows[0]).toEqual({ start: new Date("2024-01-01T05:00:00Z"), count: 1 });
    expect(rows[30]).toEqual({ start: new Date("2024-01-31T05:00:00Z"), count: 2 });
  });

  it("reads at, from, to, when, dtStart and dtEnd the same way", async () => {
    const m = createMetrics({ timezone: "America/Santiago", now: () => Date.UTC(2024, 9, 1) });
    await m.recordMetrics({ slug: "s", when: "2024-09-08" });
    await m.record("s", { at: Date.UTC(2024, 8, 8, 4) });
    const viaHistory = await m.history("s", { from: "2024-09-08", to: "2024-09-08", granularity: "days" });
    const viaSeed = await m.getMetrics({
      slug: "s",
      dtStart: "2024-09-08",
      dtEnd: "2024-09-08",
      granularity: "days",
    });
    // Midnight was skipped: the day (and the date) begin at 01:00 -03, 04:00Z.
    expect(viaHistory).toEqual([{ start: new Date("2024-09-08T04:00:00Z"), count: 2 }]);
    expect(viaSeed).toEqual(viaHistory);
  });

  it.each(["1", "2024", "  ", "2024-13-01", "2024-02-30"])("refuses at: %j before writing", async (at) => {
    const m = createMetrics({ timezone: NY });
    await expect(m.record("x", { at })).rejects.toMatchObject({ code: "E_INVALID_DATE" });
    await expect(m.history("x", { from: at, granularity: "days" })).rejects.toMatchObject({
      code: "E_INVALID_DATE",
    });
    expect(await m.slugs()).toEqual([]);
  });
});
