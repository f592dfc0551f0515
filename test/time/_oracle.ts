import pg from "pg";

/**
 * Postgres as the reference for local time. Every wall time here is a number:
 * the epoch ms of the wall clock read as if it were UTC (`2024-11-03T01:00`
 * local is `Date.UTC(2024, 10, 3, 1)`).
 *
 * What Postgres 15 does with wall times that do not map to exactly one instant
 * (`timestamp AT TIME ZONE tz`), checked by hand before writing these tests:
 * - ambiguous (fall-back) wall times get the offset in force AFTER the
 *   transition, i.e. the LATER instant: New York `2020-11-01 01:30` is
 *   06:30Z (EST), Havana `2020-11-01 00:00` is 05:00Z (not 04:00Z),
 *   Lord Howe `2020-04-05 01:45` is 15:15Z (+10:30, not +11);
 * - skipped (spring-forward) wall times get the offset in force BEFORE the
 *   transition, i.e. an instant after the gap: New York `2020-03-08 02:30` is
 *   07:30Z (03:30 EDT), Apia `2011-12-30 10:00` is 20:00Z (2011-12-31 10:00).
 * So the Postgres instant is only used directly where the wall time maps back
 * to itself; the earliest instant carrying an ambiguous wall time is found by
 * also trying the offsets in force up to 3 hours earlier (`earliest` below).
 */
export const PG_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The zones the property tests cover. */
export const ZONES = [
  "America/New_York",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "America/St_Johns",
  "UTC",
  "Asia/Kolkata",
  "Europe/Berlin",
  "America/Sao_Paulo",
  "Pacific/Apia",
  "Africa/Casablanca",
  "America/Havana",
  "Asia/Tehran",
  "Australia/Adelaide",
  "Pacific/Kiritimati",
  "America/Santiago",
  "Europe/Moscow",
  "Asia/Gaza",
  "America/Los_Angeles",
] as const;

/** Postgres `date_trunc` field per granularity. */
export const PG_FIELD = {
  minutes: "minute",
  hours: "hour",
  days: "day",
  weeks: "week",
  months: "month",
  years: "year",
} as const;

export type PgClient = pg.Client;

export async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  return client;
}

/** One UTC-offset change as seen by Postgres, located to the quarter hour. */
export interface Transition {
  tz: string;
  /** First quarter-hour instant (epoch ms) carrying the new offset. */
  at: number;
}

/**
 * Every offset change of `zones` between `from` and `to` (ISO dates): daily
 * samples find the day, quarter-hour samples inside it find the instant.
 * Every offset since 1970 is a multiple of 15 minutes, so are the changes.
 */
export async function transitions(client: pg.Client, zones: readonly string[], from: string, to: string) {
  const { rows } = await client.query<{ tz: string; at: number }>(
    `with z(tz) as (select unnest($1::text[])),
     daily as (
       select tz, d, (d at time zone tz) - (d at time zone 'UTC') as off
       from z, generate_series($2::timestamptz, $3::timestamptz, interval '1 day') d),
     changed as (
       select tz, d from (
         select tz, d, off, lag(off) over (partition by tz order by d) as prev from daily) x
       where off <> prev),
     fine as (
       select c.tz, q, (q at time zone c.tz) - (q at time zone 'UTC') as off, c.d
       from changed c, generate_series(c.d - interval '1 day', c.d, interval '15 minutes') q),
     steps as (
       select tz, q, off, lag(off) over (partition by tz, d order by q) as prev from fine)
     select tz, (extract(epoch from q) * 1000)::float8 as at from steps where off <> prev order by tz, q`,
    [zones, from, to],
  );
  return rows as Transition[];
}

/** One question to the oracle: instant `t` in `tz`, truncated to `field`. */
export interface OracleInput {
  t: number;
  tz: string;
  field: (typeof PG_FIELD)[keyof typeof PG_FIELD];
  /** 1 for weeks starting on Sunday (truncate `t + 1 day`, then subtract the day), else 0. */
  shift: 0 | 1;
  /** Our bucket start, and the start of the bucket after it. */
  start: number;
  next: number;
}

/** What Postgres says about one {@link OracleInput}. All wall times as UTC-read epoch ms. */
export interface OracleRow {
  /** `date_trunc(field, t AT TIME ZONE tz)`: the wall label of the bucket. */
  label: number;
  /** `label AT TIME ZONE tz`: Postgres' instant for the label. */
  pgStart: number;
  /** The wall time of `pgStart`; differs from `label` only when `label` was skipped. */
  pgStartWall: number;
  /** The earliest instant whose wall time is `label` (null when skipped). */
  earliest: number | null;
  /** The same for the label after `label` (`label + 1 field`). */
  nextEarliest: number | null;
  /** Wall time of our start, of the second before it, and the same for our next start. */
  startWall: number;
  beforeStartWall: number;
  nextWall: number;
  beforeNextWall: number;
  /** UTC offsets (ms) in force at `t`, at our start and at the second before it. */
  offsetAtT: number;
  offsetAtStart: number;
  offsetBeforeStart: number;
  /** Offset in force at `label - offsetAtT`: the wall mark of `t`'s hour or minute at `t`'s offset. */
  markOffset: number;
}

/**
 * SQL for the earliest instant whose wall time in `tz` is the timestamp `wall`
 * (NULL when `wall` was skipped): `wall AT TIME ZONE tz` and the offsets in
 * force up to 3 hours before it, kept where they map back to `wall`.
 */
function earliestSql(wall: string): string {
  return `(select (min(extract(epoch from c)) * 1000)::float8 from (
      select (${wall} - ((x at time zone tz) - (x at time zone 'UTC'))) at time zone 'UTC' as c
      from (select (${wall} at time zone tz) - make_interval(mins => d) as x
            from unnest(array[0, 30, 60, 120, 180]) d) probes) cs
    where (c at time zone tz) = ${wall})`;
}

/** Epoch ms of a timestamptz, or of a timestamp read as UTC. */
const ms = (x: string) => `(extract(epoch from ${x}) * 1000)::float8`;
/** UTC offset in ms in force at timestamptz `x`. */
const offset = (x: string) => ms(`(${x} at time zone tz) - (${x} at time zone 'UTC')`);

/** Ask Postgres about many inputs in one statement; rows come back in input order. */
export async function oracle(client: pg.Client, inputs: readonly OracleInput[]): Promise<OracleRow[]> {
  const { rows } = await client.query<OracleRow & { k: string }>(
    `with i as (
       select * from unnest($1::float8[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[])
         with ordinality as u(t, tz, field, shift, s, n, k)),
     l as (
       select i.*, to_timestamp(t / 1000) as tt, to_timestamp(s / 1000) as st, to_timestamp(n / 1000) as nt,
         date_trunc(field, (to_timestamp(t / 1000) at time zone tz) + make_interval(days => shift))
           - make_interval(days => shift) as lbl
       from i),
     p as (
       select l.*, lbl at time zone tz as ps, lbl + ('1 ' || field)::interval as lbl2,
         (lbl - ((tt at time zone tz) - (tt at time zone 'UTC'))) at time zone 'UTC' as mark
       from l)
     select k,
       ${ms("lbl")} as label,
       ${ms("ps")} as "pgStart",
       ${ms("ps at time zone tz")} as "pgStartWall",
       ${earliestSql("lbl")} as earliest,
       ${earliestSql("lbl2")} as "nextEarliest",
       ${ms("st at time zone tz")} as "startWall",
       ${ms("(st - interval '1 second') at time zone tz")} as "beforeStartWall",
       ${ms("nt at time zone tz")} as "nextWall",
       ${ms("(nt - interval '1 second') at time zone tz")} as "beforeNextWall",
       ${offset("tt")} as "offsetAtT",
       ${offset("st")} as "offsetAtStart",
       ${offset("(st - interval '1 second')")} as "offsetBeforeStart",
       ${offset("mark")} as "markOffset"
     from p order by k`,
    [
      inputs.map((x) => x.t),
      inputs.map((x) => x.tz),
      inputs.map((x) => x.field),
      inputs.map((x) => x.shift),
      inputs.map((x) => x.start),
      inputs.map((x) => x.next),
    ],
  );
  return rows;
}
