import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Bucket,
  type Calendar,
  createCalendar,
  type Granularity,
  MAX_INSTANT,
  MIN_INSTANT,
  zoneOffsets,
} from "../../src/time/index.js";
import { ZONES } from "./_oracle.js";

/*
 * `constantUntil` bounds the stretch of one UTC offset that ranges walk
 * without bisecting offsets (src/time/_runs.ts); `offsetAt` keeps the table of the year
 * last asked for. Neither may change an answer.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** About the length of a bucket, to check a range's size. */
const LENGTH: Record<Granularity, number> = {
  minutes: 60_000,
  hours: HOUR,
  days: DAY,
  weeks: 7 * DAY,
  months: 30.5 * DAY,
  years: 365.25 * DAY,
};
const SECOND = 1000;

describe("zoneOffsets().constantUntil", () => {
  it("is after t, the offset holds up to it, and a bound inside a year is a real change", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: MIN_INSTANT, max: MAX_INSTANT }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (tz, t, probes) => {
          const zone = zoneOffsets(tz);
          const off = zone.offsetAt(t);
          const until = zone.constantUntil(t);
          expect(until).toBeGreaterThan(t);
          if (until === Number.POSITIVE_INFINITY) return;
          // Whole seconds in tzdata: the last second before the bound still has t's offset.
          expect(zone.offsetAt(Math.max(t, until - SECOND))).toBe(off);
          for (const p of probes) expect(zone.offsetAt(t + Math.floor(p * (until - 1 - t)))).toBe(off);
          const yearEnd = Date.UTC(new Date(t).getUTCFullYear() + 1, 0, 1);
          if (until < yearEnd) expect(zone.offsetAt(until)).not.toBe(off);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("answers offsetAt alike whichever year was asked for before", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        // A few decades, so the year tables are built once and then switched between.
        fc.array(fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2040, 0, 1) }), {
          minLength: 2,
          maxLength: 20,
        }),
        (tz, instants) => {
          const zone = zoneOffsets(tz);
          const first = instants.map((t) => zone.offsetAt(t));
          const again = [...instants].reverse().map((t) => zone.offsetAt(t));
          expect(again.reverse()).toEqual(first);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("range over a whole year", () => {
  it.each(ZONES)("%s: long minute, hour, day, week, month and year ranges are the chain of next()", (tz) => {
    const monday = createCalendar({ timezone: tz });
    const sunday = createCalendar({ timezone: tz, weekStart: "sunday" });
    const cases: [Granularity, number, number, Calendar?][] = [
      ["hours", Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31, 23)],
      // Around a change of most zones (late March and late October).
      ["minutes", Date.UTC(2024, 2, 30), Date.UTC(2024, 3, 1)],
      ["minutes", Date.UTC(2024, 9, 26), Date.UTC(2024, 9, 28)],
      // Five years of days, over Apia's skipped 2011-12-30 and year ends.
      ["days", Date.UTC(2009, 0, 1), Date.UTC(2013, 11, 31)],
      ["weeks", Date.UTC(2009, 0, 1), Date.UTC(2013, 11, 31)],
      ["weeks", Date.UTC(2009, 0, 1), Date.UTC(2013, 11, 31), sunday],
      ["months", Date.UTC(2005, 0, 1), Date.UTC(2014, 11, 31)],
      ["years", Date.UTC(2000, 0, 1), Date.UTC(2014, 11, 31)],
    ];
    for (const [g, from, to, cal = monday] of cases) {
      const buckets = cal.range(g, from, to);
      let b: Bucket = cal.bucket(g, from);
      for (let i = 0; i < buckets.length; i++) {
        const got = buckets[i] as Bucket;
        if (got.start !== b.start || got.index !== b.index) {
          expect.fail(`${tz} ${g}: range[${i}] starts ${got.start}, next() gives ${b.start}`);
        }
        b = cal.next(g, b);
      }
      expect(b.start).toBeGreaterThan(to);
      expect((buckets.at(-1) as Bucket).start).toBeLessThanOrEqual(to);
      expect(buckets.length).toBeGreaterThan(((to - from) / LENGTH[g]) * 0.9);
    }
  });
});
