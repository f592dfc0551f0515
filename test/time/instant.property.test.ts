import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCalendar, parseInstant } from "../../src/time/index.js";
import { connect, type PgClient, type Transition, transitions, ZONES } from "./_oracle.js";

/*
 * parseInstant() against Postgres. For a wall time `w` in zone `tz`, Postgres gives
 * `w::timestamp AT TIME ZONE tz`: the LATER instant when `w` occurred twice, and, when `w` was
 * skipped, the instant that keeps the offset in force before the gap (RFC 5545 / Temporal's
 * "compatible"). tallyboard reads an offset-less date-time as the EARLIEST instant carrying it
 * (found here by also trying the offsets in force up to 3 hours earlier) and a skipped one as
 * Postgres does; a date alone as the first instant of that local day (the earliest midnight, or
 * after a skipped midnight the first minute whose wall time is past it).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.UTC(1970, 0, 1);
const TO = Date.UTC(2037, 11, 31);

let client: PgClient;
let trs: Transition[] = [];

beforeAll(async () => {
  client = await connect();
  trs = await transitions(client, ZONES, "1970-01-01", "2038-01-01");
});

afterAll(async () => {
  await client?.end();
});

interface Sample {
  tz: string;
  /** The wall time, as epoch ms read as UTC. */
  wall: number;
  dateOnly: boolean;
  /** How the string is written: 0 `T` with ms, 1 `T` seconds, 2 `T` minutes, 3 space and seconds. */
  style: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function text({ wall, dateOnly, style }: Sample): string {
  const iso = new Date(wall).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  if (dateOnly) return iso.slice(0, 10);
  if (style === 0) return iso.slice(0, 23);
  if (style === 1) return iso.slice(0, 19);
  if (style === 2) return iso.slice(0, 16);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The wall time the string denotes (what Postgres is asked about). */
function denoted(s: Sample): number {
  if (s.dateOnly) return Math.floor(s.wall / DAY) * DAY;
  if (s.style === 1 || s.style === 3) return Math.floor(s.wall / 1000) * 1000;
  if (s.style === 2) return Math.floor(s.wall / MINUTE) * MINUTE;
  return s.wall;
}

const sqlTimestamp = (wall: number) => {
  const d = new Date(wall);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
};

/** What Postgres says each sample means (epoch ms). */
async function expected(samples: readonly Sample[]): Promise<number[]> {
  const { rows } = await client.query<{
    k: string;
    pg: number;
    earliest: number | null;
    first: number | null;
  }>(
    `with i as (
       select * from unnest($1::text[], $2::text[]) with ordinality as u(w, tz, k)),
     p as (select i.*, w::timestamp as wt, (w::timestamp at time zone tz) as pg from i)
     select k,
       (extract(epoch from pg) * 1000)::float8 as pg,
       (select (min(extract(epoch from c)) * 1000)::float8 from (
          select (wt - ((x at time zone tz) - (x at time zone 'UTC'))) at time zone 'UTC' as c
          from (select pg - make_interval(mins => d) as x from unnest(array[0, 30, 60, 120, 180]) d) probes) cs
        where (c at time zone tz) = wt) as earliest,
       (select (extract(epoch from min(s)) * 1000)::float8
        from generate_series(pg - interval '3 hours', pg, interval '1 minute') s
        where (s at time zone tz) >= wt) as first
     from p order by k`,
    [samples.map((s) => sqlTimestamp(denoted(s))), samples.map((s) => s.tz)],
  );
  return rows.map((r, i) => {
    if (r.earliest !== null) return r.earliest;
    return (samples[i] as Sample).dateOnly ? (r.first as number) : r.pg;
  });
}

async function failuresOf(samples: readonly Sample[]): Promise<string[]> {
  const want = await expected(samples);
  const failures: string[] = [];
  samples.forEach((s, i) => {
    const got = parseInstant(text(s), s.tz);
    if (got !== want[i] && failures.length < 10) {
      failures.push(
        `${s.tz} ${text(s)}: got ${new Date(got).toISOString()}, Postgres ${new Date(want[i] as number).toISOString()}`,
      );
    }
  });
  return failures;
}

const calendars = new Map<string, ReturnType<typeof createCalendar>>();
const wallOf = (tz: string, t: number) => {
  let cal = calendars.get(tz);
  if (!cal) {
    cal = createCalendar({ timezone: tz });
    calendars.set(tz, cal);
  }
  return t + cal.offsetAt(t);
};

describe("parseInstant against Postgres", () => {
  it("reads local dates and date-times around every kind of offset change, in 20 zones", async () => {
    const style = fc.integer({ min: 0, max: 3 });
    const uniform = fc
      .tuple(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), fc.boolean(), style)
      .map(([tz, wall, dateOnly, st]) => ({ tz, wall, dateOnly, style: st }));
    // Wall times within 3 hours of a change (gaps, overlaps, changes at midnight), and the local dates around it.
    const nearChange = fc
      .tuple(
        fc.constantFrom(...trs),
        fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
        fc.integer({ min: -1, max: 1 }),
        fc.boolean(),
        style,
      )
      .map(([x, d, day, dateOnly, st]) => ({
        tz: x.tz,
        wall: wallOf(x.tz, x.at - 1) + d + (dateOnly ? day * DAY : 0),
        dateOnly,
        style: st,
      }));
    const onQuarter = fc
      .tuple(fc.constantFrom(...trs), fc.integer({ min: -12, max: 12 }), fc.boolean())
      .map(([x, q, after]) => ({
        tz: x.tz,
        wall: wallOf(x.tz, after ? x.at : x.at - 1) + q * 15 * MINUTE,
        dateOnly: false,
        style: 2,
      }))
      .map((s) => ({ ...s, wall: Math.round(s.wall / MINUTE) * MINUTE }));
    const sample = fc.oneof(
      { weight: 1, arbitrary: uniform },
      { weight: 3, arbitrary: nearChange },
      { weight: 2, arbitrary: onQuarter },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(sample, { minLength: 1, maxLength: 400, size: "max" }), async (samples) => {
        expect(await failuresOf(samples)).toEqual([]);
      }),
      { numRuns: 8 },
    );
  });

  it("reads every local date of the zones' offset-change days as the start of its day bucket", async () => {
    const samples: Sample[] = trs.flatMap((x) =>
      [0, 1].map((day) => ({
        tz: x.tz,
        wall: wallOf(x.tz, x.at - 1) + day * DAY,
        dateOnly: true,
        style: 0,
      })),
    );
    for (let i = 0; i < samples.length; i += 3000) {
      expect(await failuresOf(samples.slice(i, i + 3000))).toEqual([]);
    }
    for (const s of samples) {
      const t = parseInstant(text(s), s.tz);
      const cal = calendars.get(s.tz) ?? createCalendar({ timezone: s.tz });
      expect(cal.bucket("days", t).start, `${s.tz} ${text(s)}`).toBe(t);
    }
  });

  it("reads strings with Z or an offset as that exact instant, in any zone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: -14 * 4, max: 14 * 4 }),
        fc.constantFrom(...ZONES),
        (t, quarters, tz) => {
          expect(parseInstant(new Date(t).toISOString(), tz)).toBe(t);
          const off = quarters * 15 * MINUTE;
          const sign = off < 0 ? "-" : "+";
          const abs = Math.abs(off);
          const suffix = `${sign}${pad(Math.floor(abs / HOUR))}:${pad((abs % HOUR) / MINUTE)}`;
          const local = new Date(t + off).toISOString().slice(0, 23);
          expect(parseInstant(`${local}${suffix}`, tz)).toBe(t);
          expect(parseInstant(t, tz)).toBe(t);
          expect(parseInstant(new Date(t), tz)).toBe(t);
        },
      ),
      { numRuns: 500 },
    );
  });
});
