import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Calendar, createCalendar, GRANULARITIES, type Granularity } from "../../src/time/index.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The day bucket holding `t`, and its hour buckets as local labels with their UTC starts. */
function hoursOfDay(cal: Calendar, t: number) {
  const day = cal.bucket("days", t);
  const end = cal.next("days", day).start;
  const hours = cal.range("hours", day.start, end - 1);
  return {
    start: iso(day.start),
    length: (end - day.start) / HOUR,
    labels: hours.map((h) => cal.localLabel(h.start).slice(11)),
    starts: hours.map((h) => iso(h.start)),
    indexSteps: hours.slice(1).map((h, i) => h.index - (hours[i]?.index ?? 0)),
  };
}

/** Labels 00:00..23:00 of a plain day. */
const plainLabels = () => Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);

describe("America/New_York", () => {
  const cal = createCalendar({ timezone: "America/New_York" });

  it("has 25 hour buckets on the fall-back day, two of them at 01:00", () => {
    const day = hoursOfDay(cal, at("2024-11-03T12:00:00Z"));
    expect(day.start).toBe("2024-11-03T04:00:00.000Z");
    expect(day.length).toBe(25);
    expect(day.labels).toEqual(["00:00", "01:00", ...plainLabels().slice(1)]);
    expect(day.starts.slice(1, 3)).toEqual(["2024-11-03T05:00:00.000Z", "2024-11-03T06:00:00.000Z"]);
    expect(day.indexSteps.every((s) => s === 1)).toBe(true);
    // 01:30 EDT and 01:30 EST are in different buckets.
    expect(cal.bucket("hours", at("2024-11-03T05:30:00Z")).start).toBe(at("2024-11-03T05:00:00Z"));
    expect(cal.bucket("hours", at("2024-11-03T06:30:00Z")).start).toBe(at("2024-11-03T06:00:00Z"));
    expect(cal.offsetAt(at("2024-11-03T05:59:59Z"))).toBe(-4 * HOUR);
    expect(cal.offsetAt(at("2024-11-03T06:00:00Z"))).toBe(-5 * HOUR);
  });

  it("has 23 hour buckets on the spring-forward day, none at 02:00", () => {
    const day = hoursOfDay(cal, at("2024-03-10T12:00:00Z"));
    expect(day.start).toBe("2024-03-10T05:00:00.000Z");
    expect(day.length).toBe(23);
    expect(day.labels).toEqual(plainLabels().filter((l) => l !== "02:00"));
    expect(day.starts[2]).toBe("2024-03-10T07:00:00.000Z");
    expect(day.indexSteps.every((s) => s === 1)).toBe(true);
  });
});

describe("Europe/London", () => {
  const cal = createCalendar({ timezone: "Europe/London" });

  it("has 25 hour buckets when BST ends and 23 when it starts", () => {
    const autumn = hoursOfDay(cal, at("2024-10-27T12:00:00Z"));
    expect(autumn.start).toBe("2024-10-26T23:00:00.000Z");
    expect(autumn.length).toBe(25);
    expect(autumn.labels).toEqual(["00:00", "01:00", ...plainLabels().slice(1)]);
    expect(autumn.starts.slice(1, 3)).toEqual(["2024-10-27T00:00:00.000Z", "2024-10-27T01:00:00.000Z"]);

    const spring = hoursOfDay(cal, at("2024-03-31T12:00:00Z"));
    expect(spring.start).toBe("2024-03-31T00:00:00.000Z");
    expect(spring.length).toBe(23);
    expect(spring.labels).toEqual(plainLabels().filter((l) => l !== "01:00"));
  });
});

describe("Australia/Lord_Howe (30-minute DST)", () => {
  const cal = createCalendar({ timezone: "Australia/Lord_Howe" });

  it("falls back 02:00 -> 01:30: a 24.5-hour day whose 01:00 bucket lasts 90 minutes", () => {
    expect(cal.offsetAt(at("2024-04-06T14:59:59Z"))).toBe(11 * HOUR);
    expect(cal.offsetAt(at("2024-04-06T15:00:00Z"))).toBe(10.5 * HOUR);
    const day = hoursOfDay(cal, at("2024-04-07T06:00:00Z"));
    expect(day.start).toBe("2024-04-06T13:00:00.000Z");
    expect(day.length).toBe(24.5);
    expect(day.labels).toEqual(plainLabels());
    // The repeated half hour 01:30-02:00 would start a second bucket in the UTC hour 15:00,
    // so it stays in the 01:00 bucket: [14:00Z, 15:30Z).
    expect(day.starts.slice(1, 3)).toEqual(["2024-04-06T14:00:00.000Z", "2024-04-06T15:30:00.000Z"]);
    expect(day.indexSteps.every((s) => s === 1)).toBe(true);
    // Minutes stay real minutes: 01:45 happens twice, as two buckets.
    const first = cal.bucket("minutes", at("2024-04-06T14:45:30Z"));
    const second = cal.bucket("minutes", at("2024-04-06T15:15:30Z"));
    expect([cal.localLabel(first.start), cal.localLabel(second.start)]).toEqual([
      "2024-04-07T01:45",
      "2024-04-07T01:45",
    ]);
    expect(second.index - first.index).toBe(30);
  });

  it("springs forward 02:00 -> 02:30: a 23.5-hour day whose 02:00 bucket starts at 02:30", () => {
    const day = hoursOfDay(cal, at("2024-10-06T06:00:00Z"));
    expect(day.start).toBe("2024-10-05T13:30:00.000Z");
    expect(day.length).toBe(23.5);
    expect(day.labels).toEqual(plainLabels().map((l) => (l === "02:00" ? "02:30" : l)));
    expect(day.starts.slice(2, 4)).toEqual(["2024-10-05T15:30:00.000Z", "2024-10-05T16:00:00.000Z"]);
    expect(cal.bucket("hours", at("2024-10-05T15:45:00Z")).start).toBe(at("2024-10-05T15:30:00Z"));
  });
});

describe("Asia/Kathmandu (+5:45)", () => {
  const cal = createCalendar({ timezone: "Asia/Kathmandu" });

  it("starts hours at :15 UTC and days at 18:15 UTC", () => {
    expect(cal.offsetAt(at("2024-06-01T12:34:00Z"))).toBe(5.75 * HOUR);
    const hour = cal.bucket("hours", at("2024-06-01T12:34:00Z"));
    expect(iso(hour.start)).toBe("2024-06-01T12:15:00.000Z");
    expect(cal.localLabel(hour.start)).toBe("2024-06-01T18:00");
    expect(hour.index).toBe(Math.floor(hour.start / HOUR));
    expect(iso(cal.next("hours", hour).start)).toBe("2024-06-01T13:15:00.000Z");
    expect(iso(cal.bucket("days", at("2024-06-01T12:34:00Z")).start)).toBe("2024-05-31T18:15:00.000Z");
  });

  it("moved from +5:30 to +5:45 at 1986-01-01 00:00: that day, month and year start at 00:15", () => {
    const t = at("1986-01-01T06:00:00Z");
    for (const g of ["days", "months", "years"] as const) {
      const b = cal.bucket(g, t);
      expect(iso(b.start)).toBe("1985-12-31T18:30:00.000Z");
      expect(cal.localLabel(b.start)).toBe("1986-01-01T00:15");
    }
    expect(cal.bucket("years", t).index).toBe(1986);
    expect(cal.bucket("months", t).index).toBe(1986 * 12);
    expect(hoursOfDay(cal, t).length).toBe(23.75);
  });
});

describe("Pacific/Chatham (+12:45 / +13:45)", () => {
  const cal = createCalendar({ timezone: "Pacific/Chatham" });

  it("uses +12:45 in winter and +13:45 in summer, hours starting at :15 UTC", () => {
    expect(cal.offsetAt(at("2024-07-01T00:00:00Z"))).toBe(12.75 * HOUR);
    expect(cal.offsetAt(at("2024-01-01T00:00:00Z"))).toBe(13.75 * HOUR);
    const hour = cal.bucket("hours", at("2024-07-01T00:00:00Z"));
    expect(iso(hour.start)).toBe("2024-06-30T23:15:00.000Z");
    expect(cal.localLabel(hour.start)).toBe("2024-07-01T12:00");
  });

  it("springs forward 02:45 -> 03:45 (14:00Z): a 23-hour day, hours still one per UTC hour", () => {
    expect(cal.offsetAt(at("2024-09-28T13:59:59Z"))).toBe(12.75 * HOUR);
    expect(cal.offsetAt(at("2024-09-28T14:00:00Z"))).toBe(13.75 * HOUR);
    const day = hoursOfDay(cal, at("2024-09-29T00:00:00Z"));
    expect(day.start).toBe("2024-09-28T11:15:00.000Z");
    expect(day.length).toBe(23);
    // 03:45-04:00 would be a bucket of its own starting in the same UTC hour as 04:00;
    // it is merged into the 02:00 bucket, [13:15Z, 14:15Z).
    expect(day.labels).toEqual(plainLabels().filter((l) => l !== "03:00"));
    expect(day.starts.every((s) => s.slice(13) === ":15:00.000Z")).toBe(true);
    expect(day.indexSteps.every((s) => s === 1)).toBe(true);
    expect(cal.bucket("hours", at("2024-09-28T14:05:00Z")).start).toBe(at("2024-09-28T13:15:00Z"));
  });

  it("falls back 03:45 -> 02:45 (14:00Z): a 25-hour day", () => {
    const day = hoursOfDay(cal, at("2024-04-07T00:00:00Z"));
    expect(day.start).toBe("2024-04-06T10:15:00.000Z");
    expect(day.length).toBe(25);
    expect(day.labels).toEqual(["00:00", "01:00", "02:00", "03:00", ...plainLabels().slice(3)]);
    expect(day.starts.every((s) => s.slice(13) === ":15:00.000Z")).toBe(true);
    expect(day.indexSteps.every((s) => s === 1)).toBe(true);
  });
});

describe("America/St_Johns (-3:30 / -2:30)", () => {
  const cal = createCalendar({ timezone: "America/St_Johns" });

  it("starts hours at :30 UTC and winter days at 03:30 UTC", () => {
    expect(cal.offsetAt(at("2024-01-15T12:00:00Z"))).toBe(-3.5 * HOUR);
    expect(cal.offsetAt(at("2024-07-15T12:00:00Z"))).toBe(-2.5 * HOUR);
    expect(iso(cal.bucket("days", at("2024-01-15T12:00:00Z")).start)).toBe("2024-01-15T03:30:00.000Z");
    expect(iso(cal.bucket("hours", at("2024-01-15T12:00:00Z")).start)).toBe("2024-01-15T11:30:00.000Z");
    expect(hoursOfDay(cal, at("2024-03-10T12:00:00Z")).length).toBe(23);
    expect(hoursOfDay(cal, at("2024-11-03T12:00:00Z")).length).toBe(25);
  });

  it("fell back at 00:01 until 2011: the new day begins at its first midnight and keeps the repeated hour", () => {
    // 2010-11-07 00:01 NDT (02:31Z) became 2010-11-06 23:01 NST.
    const day = cal.bucket("days", at("2010-11-07T03:00:00Z")); // reads 2010-11-06 23:29 NST
    expect(iso(day.start)).toBe("2010-11-07T02:30:00.000Z");
    expect(cal.localLabel(day.start)).toBe("2010-11-07T00:00");
    expect(day.index).toBe(Date.UTC(2010, 10, 7) / DAY);
    expect(iso(cal.next("days", day).start)).toBe("2010-11-08T03:30:00.000Z");
    const before = cal.bucket("days", at("2010-11-07T02:00:00Z"));
    expect(cal.next("days", before).start).toBe(day.start);
    expect((day.start - before.start) / HOUR).toBe(24);
    // The lone minute 00:00 NDT and the repeated 23:01-00:00 NST share the UTC hour 02:00; the day
    // starts there, so they form one bucket 00:00 NDT, and hours stay one per UTC hour.
    const hour = cal.bucket("hours", at("2010-11-07T03:00:00Z"));
    expect(iso(hour.start)).toBe("2010-11-07T02:30:00.000Z");
    expect(cal.localLabel(hour.start)).toBe("2010-11-07T00:00");
    expect(iso(cal.next("hours", hour).start)).toBe("2010-11-07T03:30:00.000Z");
    expect(cal.bucket("hours", at("2010-11-07T02:29:59Z")).start).toBe(at("2010-11-07T01:30:00Z"));
    expect(hoursOfDay(cal, day.start).length).toBe(25);
  });
});

describe("other zones", () => {
  it("America/Havana repeats midnight: the day starts at the first one", () => {
    const cal = createCalendar({ timezone: "America/Havana" });
    // 2024-11-03 01:00 CDT (05:00Z) became 00:00 CST.
    const day = cal.bucket("days", at("2024-11-03T05:30:00Z"));
    expect(iso(day.start)).toBe("2024-11-03T04:00:00.000Z");
    expect(iso(cal.next("days", day).start)).toBe("2024-11-04T05:00:00.000Z");
  });

  it("Pacific/Apia skipped 2011-12-30: the day index steps by two", () => {
    const cal = createCalendar({ timezone: "Pacific/Apia" });
    const thursday = cal.bucket("days", at("2011-12-29T20:00:00Z"));
    expect(cal.localLabel(thursday.start)).toBe("2011-12-29T00:00");
    const saturday = cal.next("days", thursday);
    expect(iso(saturday.start)).toBe("2011-12-30T10:00:00.000Z");
    expect(cal.localLabel(saturday.start)).toBe("2011-12-31T00:00");
    expect(saturday.index - thursday.index).toBe(2);
    expect(cal.bucket("days", saturday.start)).toEqual(saturday);
    // Hours do not skip: the hour after 23:00 on the 29th is 00:00 on the 31st.
    const hour = cal.bucket("hours", at("2011-12-30T09:30:00Z"));
    expect(cal.next("hours", hour)).toEqual({ index: hour.index + 1, start: at("2011-12-30T10:00:00Z") });
  });

  it("America/Santiago skips midnight when DST starts: the day starts at 01:00", () => {
    const cal = createCalendar({ timezone: "America/Santiago" });
    const day = cal.bucket("days", at("2024-09-08T12:00:00Z"));
    expect(iso(day.start)).toBe("2024-09-08T04:00:00.000Z");
    expect(cal.localLabel(day.start)).toBe("2024-09-08T01:00");
    expect(day.index).toBe(Date.UTC(2024, 8, 8) / DAY);
  });
});

describe("weekStart", () => {
  const monday = createCalendar({ timezone: "UTC" });
  const sunday = createCalendar({ timezone: "UTC", weekStart: "sunday" });

  it("starts weeks on Monday or Sunday", () => {
    const wednesday = at("2024-06-05T12:00:00Z");
    expect(iso(monday.bucket("weeks", wednesday).start)).toBe("2024-06-03T00:00:00.000Z");
    expect(iso(sunday.bucket("weeks", wednesday).start)).toBe("2024-06-02T00:00:00.000Z");
    const sundayNoon = at("2024-06-09T12:00:00Z");
    expect(iso(monday.bucket("weeks", sundayNoon).start)).toBe("2024-06-03T00:00:00.000Z");
    expect(iso(sunday.bucket("weeks", sundayNoon).start)).toBe("2024-06-09T00:00:00.000Z");
    expect(sunday.bucket("weeks", sundayNoon).index).toBe(sunday.bucket("weeks", wednesday).index + 1);
    expect(monday.bucket("weeks", sundayNoon).index).toBe(monday.bucket("weeks", wednesday).index);
    // Week 0 is the one holding 1970-01-05 (a Monday) or 1970-01-04 (a Sunday).
    expect(monday.bucket("weeks", at("1970-01-05T00:00:00Z")).index).toBe(0);
    expect(sunday.bucket("weeks", at("1970-01-04T00:00:00Z")).index).toBe(0);
    expect(monday.bucket("weeks", at("1970-01-04T23:59:59Z")).index).toBe(-1);
  });

  it("counts a week across a DST change as 7 days and an hour", () => {
    const ny = createCalendar({ timezone: "America/New_York", weekStart: "sunday" });
    const week = ny.bucket("weeks", at("2024-11-05T12:00:00Z"));
    expect(iso(week.start)).toBe("2024-11-03T04:00:00.000Z");
    expect(ny.next("weeks", week).start - week.start).toBe(7 * DAY + HOUR);
  });
});

describe("months and years across DST", () => {
  it("start at local midnight in the offset of that date", () => {
    const ny = createCalendar({ timezone: "America/New_York" });
    const march = ny.bucket("months", at("2024-03-20T00:00:00Z"));
    expect(march).toEqual({ index: 2024 * 12 + 2, start: at("2024-03-01T05:00:00Z") });
    expect(ny.next("months", march)).toEqual({ index: 2024 * 12 + 3, start: at("2024-04-01T04:00:00Z") });
    const year = ny.bucket("years", at("2024-07-01T00:00:00Z"));
    expect(year).toEqual({ index: 2024, start: at("2024-01-01T05:00:00Z") });
    expect(ny.next("years", year)).toEqual({ index: 2025, start: at("2025-01-01T05:00:00Z") });

    const berlin = createCalendar({ timezone: "Europe/Berlin" });
    const october = berlin.bucket("months", at("2024-10-15T00:00:00Z"));
    expect(iso(october.start)).toBe("2024-09-30T22:00:00.000Z");
    expect(iso(berlin.next("months", october).start)).toBe("2024-10-31T23:00:00.000Z");

    const adelaide = createCalendar({ timezone: "Australia/Adelaide" });
    const april = adelaide.bucket("months", at("2024-04-15T00:00:00Z"));
    expect(iso(april.start)).toBe("2024-03-31T13:30:00.000Z");
    expect(iso(adelaide.next("months", april).start)).toBe("2024-04-30T14:30:00.000Z");
    expect(iso(adelaide.bucket("years", at("2024-04-15T00:00:00Z")).start)).toBe("2023-12-31T13:30:00.000Z");
  });
});

describe("bucketsAt", () => {
  const cal = createCalendar({ timezone: "Europe/London" });

  it("returns the buckets of every granularity, the same frozen array within a minute", () => {
    const t = at("2024-10-27T01:30:10Z");
    const all = cal.bucketsAt(t);
    expect(all).toEqual(GRANULARITIES.map((g: Granularity) => cal.bucket(g, t)));
    expect(Object.isFrozen(all)).toBe(true);
    expect(cal.bucketsAt(t + 49_000)).toBe(all);
    expect(cal.bucketsAt(t - 10_000)).toBe(all);
    const nextMinute = cal.bucketsAt(t + 50_000);
    expect(nextMinute).not.toBe(all);
    expect(nextMinute[0]?.index).toBe((all[0]?.index ?? 0) + 1);
    expect(cal.bucketsAt(t - 10_001)[0]?.start).toBe((all[0]?.start ?? 0) - MINUTE);
  });

  it("answers every instant of a walk back and forth across minutes, DST changes and a seconds offset like bucket()", () => {
    const starts = [at("2024-10-27T00:58:30Z"), at("2024-03-31T00:59:50Z"), at("1890-06-01T12:00:10Z")];
    fc.assert(
      fc.property(
        fc.constantFrom("Europe/London", "Europe/Berlin", "Australia/Lord_Howe", "UTC"),
        fc.constantFrom(...starts),
        fc.array(fc.integer({ min: -150_000, max: 150_000 }), { minLength: 1, maxLength: 40 }),
        (timezone, start, steps) => {
          const walk = createCalendar({ timezone });
          let t = start;
          for (const step of steps) {
            t += step;
            const all = walk.bucketsAt(t);
            expect(all).toEqual(GRANULARITIES.map((g: Granularity) => walk.bucket(g, t)));
            // Within one minute bucket the same frozen array comes back.
            expect(walk.bucketsAt(t)).toBe(all);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
