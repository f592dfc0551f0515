import type { Metrics } from "../core/types.js";
import { MetricsError } from "../errors.js";
import type { MetricDefinition } from "../stores/types.js";
import type { Calendar, Granularity } from "../time/index.js";
import { lastClosedPeriod } from "./period.js";
import type { MetricSet, ReportData, ReportPeriod, ReportRow } from "./types.js";

type Counts = { start: number; count: number }[];
const DAILY_POINTS = 30;
const NO_DAILY = "no daily or finer counts could be read (not stored, or more than maxPoints)";

/** Counts of `slug` per `g` bucket from `from` to `to` (inclusive); null when the slug stores nothing that gives `g`. */
async function read(
  metrics: Metrics,
  slug: string,
  g: Granularity,
  from: number,
  to: number,
): Promise<Counts | null> {
  try {
    const rows = await metrics.history(slug, { from, to, granularity: g });
    return rows.map((r) => ({ start: r.start.getTime(), count: r.count }));
  } catch (error) {
    if (
      error instanceof MetricsError &&
      (error.code === "E_GRANULARITY_NOT_RECORDED" || error.code === "E_RANGE_TOO_LARGE")
    ) {
      return null;
    }
    throw error;
  }
}

const sum = (counts: Counts, from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): number =>
  counts.reduce((acc, c) => (c.start >= from && c.start < to ? acc + c.count : acc), 0);

/** The coarsest granularity whose buckets tile [start, end) exactly (history() sums finer stored ones). */
function tiling(calendar: Calendar, start: number, end: number): Granularity {
  const aligned = (g: Granularity) =>
    calendar.bucket(g, start).start === start && calendar.bucket(g, end).start === end;
  if (aligned("days")) return "days";
  return aligned("hours") ? "hours" : "minutes";
}

/** Count of `slug` over [start, end); whole hours, or 0, with a note when the exact tiling cannot be read. */
async function periodCount(
  metrics: Metrics,
  slug: string,
  start: number,
  end: number,
): Promise<{ count: number; note?: string }> {
  const g = tiling(metrics.calendar, start, end);
  const counts = await read(metrics, slug, g, start, end - 1);
  if (counts) return { count: sum(counts, start, end) };
  if (g === "minutes") {
    const hours = await read(metrics, slug, "hours", start, end - 1);
    if (hours) return { count: sum(hours), note: "period counted in whole hours" };
  }
  if (g === "days") return { count: 0, note: NO_DAILY };
  return {
    count: 0,
    note: `no ${g === "hours" ? "hourly" : "minute"} or finer counts could be read for the period`,
  };
}

/** This and the previous bucket of `g` holding `at`: [thisStart, lastStart]. */
function twoBuckets(calendar: Calendar, g: Granularity, at: number): [number, number] {
  const current = calendar.bucket(g, at);
  return [current.start, calendar.bucket(g, current.start - 1).start];
}

/**
 * The current bucket to date (from `current` to the last day read) and the
 * same number of days from the start of the previous bucket (all of it when
 * shorter, or when the current bucket is `complete`), counted in local days
 * so DST does not matter.
 */
function toDate(days: Counts, current: number, previous: number, complete: boolean): [number, number] {
  const i = days.findIndex((d) => d.start >= current);
  const j = days.findIndex((d) => d.start >= previous);
  if (i < 0 || j < 0) return [0, 0];
  const span = complete ? i - j : Math.min(days.length - i, i - j);
  return [sum(days.slice(i)), sum(days.slice(j, j + span))];
}

/** This/last counts for weeks, months and years when the slug stores no daily counts. */
async function coarsePairs(metrics: Metrics, slug: string, at: number): Promise<number[]> {
  const out: number[] = [];
  for (const g of ["weeks", "months", "years"] as const) {
    const [current, last] = twoBuckets(metrics.calendar, g, at);
    const counts = await read(metrics, slug, g, last, at);
    out.push(counts ? sum(counts, current) : 0, counts ? sum(counts, last, current) : 0);
  }
  return out;
}

/** One row of the report of `set` for `period`. */
async function buildRow(
  metrics: Metrics,
  set: MetricSet,
  slug: string,
  period: ReportPeriod,
  previous: ReportPeriod | null,
  definition: MetricDefinition | undefined,
): Promise<ReportRow> {
  const { calendar } = metrics;
  const notes: string[] = [];
  const current = await periodCount(metrics, slug, period.start, period.end);
  const before = previous ? await periodCount(metrics, slug, previous.start, previous.end) : { count: 0 };
  if (current.note) notes.push(current.note);
  // "this week/month/year" run through the local day holding the period's last instant.
  const at = period.end - 1;
  const [today, yesterday] = twoBuckets(calendar, "days", at);
  const [yearStart, lastYearStart] = twoBuckets(calendar, "years", at);
  const days = await read(metrics, slug, "days", lastYearStart, at);
  let pairs: number[];
  let daily: { start: number; count: number }[] = [];
  if (days) {
    const starts = [
      today,
      yesterday,
      ...twoBuckets(calendar, "weeks", at),
      ...twoBuckets(calendar, "months", at),
      yearStart,
      lastYearStart,
    ];
    const grains = ["days", "weeks", "months", "years"] as const;
    pairs = grains.flatMap((g, k) => {
      const complete = calendar.next(g, calendar.bucket(g, at)).start <= period.end;
      return toDate(days, starts[2 * k] as number, starts[2 * k + 1] as number, complete);
    });
    daily = days.slice(-DAILY_POINTS);
  } else {
    notes.push(NO_DAILY);
    pairs = [0, 0, ...(await coarsePairs(metrics, slug, at))];
  }
  const [d0, d1, w0, w1, m0, m1, y0, y1] = pairs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const row: ReportRow = {
    slug,
    name: definition?.name ?? slug,
    period: current.count,
    previousPeriod: before.count,
    today: d0,
    yesterday: d1,
    thisWeek: w0,
    lastWeek: w1,
    thisMonth: m0,
    lastMonth: m1,
    thisYear: y0,
    lastYear: y1,
    change: before.count === 0 ? null : ((current.count - before.count) / Math.abs(before.count)) * 100,
    daily,
    alert: false,
  };
  if (definition?.unit !== undefined) row.unit = definition.unit;
  const bounds = set.thresholds?.[slug];
  if (bounds?.above !== undefined && current.count > bounds.above) row.alertReason = `above ${bounds.above}`;
  else if (bounds?.below !== undefined && current.count < bounds.below)
    row.alertReason = `below ${bounds.below}`;
  row.alert = row.alertReason !== undefined;
  if (notes.length > 0) row.note = [...new Set(notes)].join("; ");
  return row;
}

/** Everything `buildReport()` needs for `set` and its closed `period`. */
export async function collectReportData(
  metrics: Metrics,
  set: MetricSet,
  period: ReportPeriod,
  generatedAt: number,
): Promise<ReportData> {
  const previous = lastClosedPeriod(set.schedule, metrics.calendar, period.start);
  const definitions = new Map((await metrics.definitions()).map((d) => [d.slug, d]));
  const rows: ReportRow[] = [];
  for (const slug of set.metrics) {
    rows.push(await buildRow(metrics, set, slug, period, previous, definitions.get(slug)));
  }
  return { set, period, timezone: metrics.calendar.timezone, rows, generatedAt };
}
