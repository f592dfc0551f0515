import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import {
  type Bucket,
  type Calendar,
  createCalendar,
  GRANULARITIES,
  type Granularity,
  nestsIn,
} from "../../src/time/index.js";
import {
  connect,
  type OracleInput,
  type OracleRow,
  oracle,
  PG_FIELD,
  type PgClient,
  type Transition,
  transitions,
  ZONES,
} from "./_oracle.js";

/*
 * The calendar against Postgres (`date_trunc(field, t AT TIME ZONE tz)` gives the wall label of
 * t's bucket), over 20 zones and 1970..2060, biased toward offset changes. What is asserted:
 *
 * - every granularity: start <= t < next.start; bucket(next.start - 1) is the same bucket and
 *   bucket(next.start) the next one (buckets partition time); finer buckets nest in the coarser
 *   ones `nestsIn` names; next.index > index, exactly +1 except days over a skipped day, which
 *   Postgres must confirm (the wall clock jumps over the whole day);
 * - days, weeks, months, years: the bucket starts the first time the wall clock reaches its label:
 *   the earliest instant carrying the Postgres label, or after a skipped label the first instant
 *   past it. (Postgres itself maps an ambiguous wall time to the LATER instant, see _oracle.ts.)
 *   Where the clock reached the next label before t and then fell back across it (St John's
 *   changed at 00:01 until 2011), t belongs to the next label's bucket;
 * - minutes, hours: the bucket starts at t's wall mark taken at t's own UTC offset, so the two
 *   01:00 hours of a fall-back night are two buckets; where that instant has another offset (the
 *   mark was skipped, or lies before the change), at the offset change. Where two such starts
 *   fall in one UTC hour (changes off the hour mark: Lord Howe, Chatham, St John's and Gaza at
 *   00:01), only one is kept (a day's start, else the later), so an hour's index is its UTC hour.
 *   A plain "the Postgres instant of the label" rule cannot hold there: at Chatham's 03:45 -> 02:45
 *   change, the label 02:00 of 02:50 (second pass) belongs to an instant before the 03:00 hour.
 *
 * Postgres (system tzdata) and Node (ICU tzdata) must carry the same rules for these zones; a
 * tzdata release that changes one of them before the other shows up here as a failure.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FROM = Date.UTC(1970, 0, 1);
const TO = Date.UTC(2060, 11, 31, 23, 59, 59, 999);
/** Calendar variants checked per instant: the six granularities, plus weeks starting on Sunday. */
const VARIANTS = [
  ...GRANULARITIES.map((g) => ({ g, sunday: false })),
  { g: "weeks" as Granularity, sunday: true },
];

const calendars = new Map<string, { monday: Calendar; sunday: Calendar }>();
function calendarsOf(tz: string) {
  let found = calendars.get(tz);
  if (!found) {
    found = {
      monday: createCalendar({ timezone: tz }),
      sunday: createCalendar({ timezone: tz, weekStart: "sunday" }),
    };
    calendars.set(tz, found);
  }
  return found;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The wall label after `label` (calendar arithmetic on wall times, no zone involved). */
function nextLabel(g: Granularity, label: number): number {
  const d = new Date(label);
  switch (g) {
    case "minutes":
      return label + MINUTE;
    case "hours":
      return label + HOUR;
    case "days":
      return label + DAY;
    case "weeks":
      return label + 7 * DAY;
    case "months":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case "years":
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** The index a bucket with wall label `label` (or, in a gap, starting at `start`) must have. */
function expectedIndex(g: Granularity, label: number, start: number, sunday: boolean): number {
  const d = new Date(label);
  switch (g) {
    case "minutes":
      return Math.floor(start / MINUTE);
    case "hours":
      return Math.floor(start / HOUR);
    case "days":
      return label / DAY;
    case "weeks":
      // Day 4 (1970-01-05) was a Monday, day 3 a Sunday.
      return (label / DAY - (sunday ? 3 : 4)) / 7;
    case "months":
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    case "years":
      return d.getUTCFullYear();
  }
}

interface Case {
  tz: string;
  t: number;
  g: Granularity;
  sunday: boolean;
  b: Bucket;
  n: Bucket;
}

/** Every rule one case must satisfy; returns the broken ones. */
function check(c: Case, row: OracleRow): string[] {
  const { g, t, b, n, sunday } = c;
  const cal = calendarsOf(c.tz)[sunday ? "sunday" : "monday"];
  const errors: string[] = [];
  const fail = (rule: string) => errors.push(rule);
  const fine = g === "minutes" || g === "hours";

  if (!(b.start <= t && t < n.start))
    fail(`start <= t < next.start (start ${iso(b.start)}, next ${iso(n.start)})`);
  if (!(n.index > b.index)) fail(`next.index ${n.index} > index ${b.index}`);
  if (g !== "days" && n.index !== b.index + 1) fail(`next.index ${n.index} = index ${b.index} + 1`);
  // Buckets partition time: the instant before the next start is still in b, the next start is in n.
  const last = cal.bucket(g, n.start - 1);
  if (last.start !== b.start || last.index !== b.index)
    fail(`bucket(next.start - 1) is b, got ${iso(last.start)}`);
  const again = cal.bucket(g, n.start);
  if (again.start !== n.start || again.index !== n.index) fail(`bucket(next.start) is next`);
  // Our own label of the start agrees with Postgres' wall time of that instant.
  if (cal.localLabel(b.start) !== iso(row.startWall).slice(0, 16)) {
    fail(`localLabel(start) ${cal.localLabel(b.start)} = Postgres wall ${iso(row.startWall)}`);
  }
  // Finer buckets nest in the coarser ones they claim to (nestsIn).
  for (const coarse of GRANULARITIES) {
    if (!nestsIn(g, coarse)) continue;
    if (cal.bucket(coarse, b.start).start !== cal.bucket(coarse, n.start - 1).start)
      fail(`nests in ${coarse}`);
  }
  if (cal.offsetAt(t) !== row.offsetAtT) fail(`offsetAt(t) ${cal.offsetAt(t)} = Postgres ${row.offsetAtT}`);

  if (fine) checkFine(c, row, fail);
  else checkCoarse(c, row, fail);
  return errors;
}

/**
 * Minutes and hours. The natural bucket of `t` starts at its wall mark (the
 * Postgres label) taken at `t`'s own UTC offset, so the two 01:00 hours of a
 * fall-back night are two buckets; when that instant carries another offset
 * (the mark was skipped, or repeated before the change), it starts at the
 * offset change instead. A natural bucket that starts in the same UTC unit as
 * the next one is merged into the bucket before it, so indexes stay UTC units.
 */
function checkFine(c: Case, row: OracleRow, fail: (rule: string) => void): void {
  const { g, t, b, n } = c;
  const unit = g === "minutes" ? MINUTE : HOUR;
  const mark = row.label - row.offsetAtT;
  const markInRegime = row.markOffset === row.offsetAtT;
  const exists = row.pgStartWall === row.label;
  const ambiguous = exists && row.earliest !== null && row.earliest < row.pgStart;
  seen[exists ? (ambiguous ? "repeated" : "plain") : "skipped"].add(g);
  if (row.offsetAtStart === row.offsetAtT && b.start >= mark) {
    if (markInRegime) {
      if (b.start !== mark) fail(`start = wall mark ${iso(row.label)} at the offset of t (${iso(mark)})`);
      if (row.startWall !== row.label) fail(`wall of start ${iso(row.startWall)} = label ${iso(row.label)}`);
      // Postgres' own rule for this label, where it has only one instant.
      if (exists && !ambiguous && b.start !== row.pgStart)
        fail(`start = Postgres instant ${iso(row.pgStart)}`);
    } else if (row.offsetBeforeStart === row.offsetAtT) {
      fail(`mark ${iso(row.label)} is not at t's offset: start is the offset change, got ${iso(b.start)}`);
    } else if (!exists && !(row.startWall > row.label && row.beforeStartWall < row.label)) {
      fail(`skipped label ${iso(row.label)}: start is the first instant after it`);
    }
  } else {
    seen.merged.add(c.tz);
    // Merged: t's natural bucket starts in a UTC unit where another natural start was kept
    // (a local day's start, or the last natural start of that unit).
    const natural = markInRegime ? mark : t;
    const unitOf = (x: number) => Math.floor(x / unit);
    if (!(b.start < natural && [unitOf(b.start), unitOf(n.start)].includes(unitOf(natural)))) {
      fail(
        `merged bucket: ${iso(b.start)} or ${iso(n.start)} is in the UTC ${g} of the natural start ${iso(natural)}`,
      );
    }
    if (n.start - b.start > 2 * unit) fail(`merged bucket longer than two ${g}`);
  }
  if (b.index !== Math.floor(b.start / unit)) fail(`index ${b.index} = UTC ${g} of start`);
}

/**
 * Days and longer. A bucket starts the first time the wall clock reaches its
 * label (the earliest instant carrying it, or the instant after the gap when
 * the label was skipped), and holds every instant until the next one does so.
 */
function checkCoarse(c: Case, row: OracleRow, fail: (rule: string) => void): void {
  const { g, t, b, n, sunday } = c;
  // The wall clock can reach the next label and then step back before t (St John's fell back at 00:01).
  const advanced = row.nextEarliest !== null && row.nextEarliest <= t;
  const label = advanced ? nextLabel(g, row.label) : row.label;
  const exists = advanced || row.pgStartWall === row.label;
  const ambiguous = !advanced && exists && row.earliest !== null && row.earliest < row.pgStart;
  seen[advanced ? "advanced" : exists ? (ambiguous ? "repeated" : "plain") : "skipped"].add(g);
  if (exists) {
    if (row.startWall !== label) fail(`wall of start ${iso(row.startWall)} = label ${iso(label)}`);
    const earliest = advanced ? row.nextEarliest : row.earliest;
    if (b.start !== earliest) fail(`start = earliest instant of the label ${iso(earliest ?? Number.NaN)}`);
  } else if (!(row.startWall > label && row.beforeStartWall < label)) {
    fail(`skipped label ${iso(label)}: start is the first instant after it (wall ${iso(row.startWall)})`);
  }
  if (b.index !== expectedIndex(g, label, b.start, sunday)) {
    fail(`index ${b.index} = ${expectedIndex(g, label, b.start, sunday)}`);
  }
  // The bucket ends where the wall clock first reaches the next label.
  const following = nextLabel(g, label);
  if (!(row.nextWall >= following && row.beforeNextWall < following)) {
    fail(`next start is where the wall reaches ${iso(following)} (wall ${iso(row.nextWall)})`);
  }
  if (g === "days") {
    const step = n.index - b.index;
    if (Math.floor(row.nextWall / DAY) !== label / DAY + step) fail(`day index step ${step}`);
    // A step over 1 only where whole local days never happened.
    if (step > 1 && !(row.beforeNextWall < label + DAY)) fail(`day index step ${step} without a skipped day`);
  }
}

/** Which granularities the samples hit with a plain, a skipped and a repeated wall label. */
const seen = {
  plain: new Set<Granularity>(),
  skipped: new Set<Granularity>(),
  repeated: new Set<Granularity>(),
  advanced: new Set<Granularity>(),
  merged: new Set<string>(),
};

let client: PgClient;
let trs: Transition[];

/** Checks every variant of every sample against Postgres (one query); returns the first broken rules. */
async function failuresOf(samples: readonly { tz: string; t: number }[]): Promise<string[]> {
  const cases: Case[] = [];
  const inputs: OracleInput[] = [];
  for (const { tz, t } of samples) {
    for (const { g, sunday } of VARIANTS) {
      const cal = calendarsOf(tz)[sunday ? "sunday" : "monday"];
      const b = cal.bucket(g, t);
      const n = cal.next(g, b);
      cases.push({ tz, t, g, sunday, b, n });
      inputs.push({ t, tz, field: PG_FIELD[g], shift: sunday ? 1 : 0, start: b.start, next: n.start });
    }
  }
  const rows = await oracle(client, inputs);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const broken = check(c, rows[i] as OracleRow);
    if (broken.length > 0 && failures.length < 10) {
      failures.push(`${c.tz} ${iso(c.t)} ${c.g}${c.sunday ? " (sunday)" : ""}: ${broken.join("; ")}`);
    }
  });
  return failures;
}

beforeAll(async () => {
  client = await connect();
  trs = await transitions(client, ZONES, "1970-01-01", "2061-01-01");
});

afterAll(async () => {
  await client?.end();
});

describe("calendar against Postgres date_trunc", () => {
  it("finds offset changes in every zone that has them", () => {
    const zonesWithChanges = new Set(trs.map((x) => x.tz));
    for (const tz of ["America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Apia"]) {
      expect(zonesWithChanges.has(tz)).toBe(true);
    }
    expect(trs.length).toBeGreaterThan(2000);
  });

  it("agrees at every offset change since 1970: a millisecond before, at, and half an hour after", async () => {
    const samples = trs.flatMap((x) => [-1, 0, 30 * MINUTE].map((d) => ({ tz: x.tz, t: x.at + d })));
    for (let i = 0; i < samples.length; i += 2000) {
      expect(await failuresOf(samples.slice(i, i + 2000))).toEqual([]);
    }
    // These reach the rare rules: hours merged to keep one per UTC hour (changes off the hour
    // mark), and days that begin before the clock falls back across midnight (changes at 00:01).
    expect([...seen.merged]).toEqual(
      expect.arrayContaining(["America/St_Johns", "Asia/Gaza", "Australia/Lord_Howe", "Pacific/Chatham"]),
    );
    expect([...seen.advanced]).toContain("days");
  });

  it("agrees on bucket starts, labels, DST gaps and overlaps, and indexes", async () => {
    const uniform = fc.record({ tz: fc.constantFrom(...ZONES), t: fc.integer({ min: FROM, max: TO }) });
    const transition = fc.constantFrom(...trs);
    // Within a day and a half of an offset change (covers the local day, week and month around it).
    const nearChange = fc
      .tuple(transition, fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
      .map(([x, d]) => ({ tz: x.tz, t: x.at + d }));
    // On quarter hours around an offset change, give or take a millisecond.
    const atChange = fc
      .tuple(transition, fc.integer({ min: -12, max: 12 }), fc.constantFrom(-1, 0, 1))
      .map(([x, q, e]) => ({ tz: x.tz, t: x.at + q * 15 * MINUTE + e }));
    const sample = fc.oneof(
      { weight: 2, arbitrary: uniform },
      { weight: 3, arbitrary: nearChange },
      { weight: 2, arbitrary: atChange },
    );

    await fc.assert(
      fc.asyncProperty(fc.array(sample, { minLength: 1, maxLength: 400, size: "max" }), async (samples) => {
        expect(await failuresOf(samples)).toEqual([]);
      }),
      { numRuns: 15 },
    );
    // The samples must have reached the interesting cases, or the rules above were not exercised.
    // (Skipped or repeated month and year starts are too rare to hit by chance; the examples cover them.)
    expect([...seen.plain].sort()).toEqual([...GRANULARITIES].sort());
    expect([...seen.skipped]).toEqual(expect.arrayContaining(["hours", "days"]));
    expect([...seen.repeated]).toEqual(expect.arrayContaining(["minutes", "hours", "days"]));
  });
});

describe("range", () => {
  /** Longest span per granularity, keeping ranges to a few thousand buckets. */
  const SPAN: Record<Granularity, number> = {
    minutes: 2 * DAY,
    hours: 60 * DAY,
    days: 3 * 365 * DAY,
    weeks: 20 * 365 * DAY,
    months: 60 * 365 * DAY,
    years: 90 * 365 * DAY,
  };

  it("is the chain of next() from bucket(from) to bucket(to), and buckets partition time", () => {
    const start = fc.oneof(
      fc.integer({ min: FROM, max: TO }),
      fc.tuple(fc.constantFrom(...trs), fc.integer({ min: -3 * DAY, max: DAY })).map(([x, d]) => x.at + d),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...GRANULARITIES),
        fc.boolean(),
        start,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        (tz, g, sunday, from, spanFraction, probes) => {
          const cal = calendarsOf(tz)[sunday ? "sunday" : "monday"];
          const to = from + Math.floor(spanFraction * SPAN[g]);
          const buckets = cal.range(g, from, to);
          expect(buckets[0]).toEqual(cal.bucket(g, from));
          expect(buckets.at(-1)).toEqual(cal.bucket(g, to));
          for (let i = 1; i < buckets.length; i++) {
            const want = cal.next(g, buckets[i - 1] as Bucket);
            if ((buckets[i] as Bucket).start !== want.start || (buckets[i] as Bucket).index !== want.index) {
              expect.fail(
                `${tz} ${g}: range[${i}] ${iso((buckets[i] as Bucket).start)} is not next(range[${i - 1}])`,
              );
            }
          }
          const end = cal.next(g, buckets.at(-1) as Bucket).start;
          const starts = buckets.map((b) => b.start);
          for (const p of probes) {
            const t = from + Math.floor(p * (to - from));
            // The one bucket of the range holding t (starts are strictly increasing, so at most one).
            const holding = buckets.filter((b, i) => b.start <= t && t < (starts[i + 1] ?? end));
            expect(holding).toEqual([cal.bucket(g, t)]);
          }
          // maxPoints is exact: the full count passes, one fewer throws.
          expect(cal.range(g, from, to, buckets.length)).toHaveLength(buckets.length);
          expect(() => cal.range(g, from, to, buckets.length - 1)).toThrow(MetricsError);
        },
      ),
      { numRuns: 300 },
    );
  });
});
