import { describe, expect, it } from "vitest";
import { lastClosedPeriod } from "../../src/reports/index.js";
import { createCalendar } from "../../src/time/index.js";

const HOUR = 3_600_000;
const ny = createCalendar({ timezone: "America/New_York" });
const utc = createCalendar();
const iso = (t: number) => new Date(t).toISOString();

describe("lastClosedPeriod: calendar schedules", () => {
  it("daily: the local day before the one holding now, also at its first instant", () => {
    const p = lastClosedPeriod("daily", ny, Date.parse("2024-05-02T14:00:00Z"));
    expect(p).toEqual({
      key: "daily:2024-05-01",
      start: Date.parse("2024-05-01T04:00:00Z"),
      end: Date.parse("2024-05-02T04:00:00Z"),
      label: "2024-05-01",
    });
    expect(lastClosedPeriod("daily", ny, Date.parse("2024-05-02T04:00:00Z"))?.key).toBe("daily:2024-05-01");
    expect(lastClosedPeriod("daily", ny, Date.parse("2024-05-02T03:59:59.999Z"))?.key).toBe(
      "daily:2024-04-30",
    );
  });

  it("daily across DST in New York: the fall-back day is 25 h, the spring-forward day 23 h", () => {
    const fall = lastClosedPeriod("daily", ny, Date.parse("2024-11-04T15:00:00Z"));
    expect(fall?.key).toBe("daily:2024-11-03");
    expect(iso(fall?.start ?? 0)).toBe("2024-11-03T04:00:00.000Z");
    expect(iso(fall?.end ?? 0)).toBe("2024-11-04T05:00:00.000Z");
    expect((fall?.end ?? 0) - (fall?.start ?? 0)).toBe(25 * HOUR);
    const spring = lastClosedPeriod("daily", ny, Date.parse("2024-03-11T15:00:00Z"));
    expect(spring?.key).toBe("daily:2024-03-10");
    expect((spring?.end ?? 0) - (spring?.start ?? 0)).toBe(23 * HOUR);
  });

  it("weekly follows the calendar's week start", () => {
    const now = Date.parse("2024-05-15T12:00:00Z"); // a Wednesday
    expect(lastClosedPeriod("weekly", utc, now)).toEqual({
      key: "weekly:2024-05-06",
      start: Date.parse("2024-05-06T00:00:00Z"),
      end: Date.parse("2024-05-13T00:00:00Z"),
      label: "2024-05-06 – 2024-05-12",
    });
    const sunday = createCalendar({ weekStart: "sunday" });
    const p = lastClosedPeriod("weekly", sunday, now);
    expect(p?.key).toBe("weekly:2024-05-05");
    expect(iso(p?.end ?? 0)).toBe("2024-05-12T00:00:00.000Z");
  });

  it("monthly: the previous local month, in EST/EDT", () => {
    const p = lastClosedPeriod("monthly", ny, Date.parse("2024-03-15T12:00:00Z"));
    expect(p).toEqual({
      key: "monthly:2024-02",
      start: Date.parse("2024-02-01T05:00:00Z"),
      end: Date.parse("2024-03-01T05:00:00Z"),
      label: "2024-02",
    });
    // March 2024 in New York starts in EST and ends in EDT.
    const march = lastClosedPeriod("monthly", ny, Date.parse("2024-04-10T12:00:00Z"));
    expect(iso(march?.start ?? 0)).toBe("2024-03-01T05:00:00.000Z");
    expect(iso(march?.end ?? 0)).toBe("2024-04-01T04:00:00.000Z");
  });

  it("called with now = period.start it gives the period before", () => {
    for (const schedule of ["daily", "weekly", "monthly", "0 8 * * 1", "*/15 * * * *"]) {
      const p = lastClosedPeriod(schedule, ny, Date.parse("2024-11-05T12:34:56Z"));
      const before = lastClosedPeriod(schedule, ny, p?.start ?? 0);
      expect(before?.end, schedule).toBe(p?.start);
      expect(before?.key, schedule).not.toBe(p?.key);
    }
  });
});

describe("lastClosedPeriod: cron schedules", () => {
  it("0 8 * * 1 in New York: from the Monday 08:00 before the latest to the latest at or before now", () => {
    const at = Date.parse("2024-05-13T12:00:00Z"); // Monday 08:00 EDT
    expect(lastClosedPeriod("0 8 * * 1", ny, at)).toEqual({
      key: "cron:2024-05-13T12:00:00.000Z",
      start: Date.parse("2024-05-06T12:00:00Z"),
      end: at,
      label: "2024-05-06 08:00 – 2024-05-13 08:00",
    });
    expect(lastClosedPeriod("0 8 * * 1", ny, at - 1)?.key).toBe("cron:2024-05-06T12:00:00.000Z");
  });

  it("0 8 * * 1 across the fall-back: a week of 169 h", () => {
    const p = lastClosedPeriod("0 8 * * 1", ny, Date.parse("2024-11-06T00:00:00Z"));
    expect(iso(p?.start ?? 0)).toBe("2024-10-28T12:00:00.000Z");
    expect(iso(p?.end ?? 0)).toBe("2024-11-04T13:00:00.000Z");
    expect((p?.end ?? 0) - (p?.start ?? 0)).toBe(169 * HOUR);
  });

  it("is null when the schedule has not fired twice yet, and rejects bad expressions", () => {
    // Fires once a year from 2024 only (croner's optional 7th field is the year).
    expect(lastClosedPeriod("0 0 0 1 1 * 2024", utc, Date.parse("2024-06-01T00:00:00Z"))).toBeNull();
    expect(() => lastClosedPeriod("every tuesday", utc, 0)).toThrowError(
      expect.objectContaining({
        code: "E_INVALID_OPTION",
        message: expect.stringContaining('"every tuesday"'),
      }),
    );
    expect(() => lastClosedPeriod("daily", utc, Number.NaN)).toThrowError(
      expect.objectContaining({ code: "E_INVALID_DATE" }),
    );
    expect(() => lastClosedPeriod("constructor", utc, 0)).toThrowError(
      expect.objectContaining({ code: "E_INVALID_OPTION" }),
    );
  });
});
