import { Cron } from "croner";
import { describeValue, MetricsError } from "../errors.js";
import type { Calendar, Granularity } from "../time/index.js";
import type { ReportPeriod } from "./types.js";

/** Calendar schedules and the bucket granularity each one reports. */
const CALENDAR_SCHEDULES: Record<string, Granularity> = {
  daily: "days",
  weekly: "weeks",
  monthly: "months",
};

/** True for `"daily"`, `"weekly"` and `"monthly"`. */
export function isCalendarSchedule(schedule: string): boolean {
  return typeof schedule === "string" && Object.hasOwn(CALENDAR_SCHEDULES, schedule);
}

/**
 * Parse a cron expression (croner syntax, 5–7 fields) in `timezone`. Throws
 * `E_INVALID_OPTION` naming the expression when croner rejects it.
 */
export function parseCron(expression: string, timezone: string): Cron {
  try {
    return new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `schedule must be "daily", "weekly", "monthly" or a cron expression, got ${describeValue(expression)} (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/**
 * The last complete period of `schedule` at `now`, or null when none has
 * closed yet.
 *
 * - `daily` / `weekly` / `monthly`: the local day, week (the calendar's week
 *   start) or month before the one holding `now`; DST-aware, so a fall-back
 *   day is 25 hours long. Keys: `daily:2024-05-01`, `weekly:2024-04-29`
 *   (first day), `monthly:2024-05`.
 * - a cron expression: from the fire time before the latest one to the latest
 *   fire time at or before `now`. Key: `cron:<ISO end>`.
 *
 * Calling it again with `now = period.start` gives the period before.
 *
 * @example
 * lastClosedPeriod("daily", createCalendar({ timezone: "Europe/Paris" }), Date.parse("2024-05-02T10:00:00Z"))
 * // { key: "daily:2024-05-01", start: <2024-04-30T22:00Z>, end: <2024-05-01T22:00Z>, label: "2024-05-01" }
 */
export function lastClosedPeriod(schedule: string, calendar: Calendar, now: number): ReportPeriod | null {
  checkSchedule(schedule, now, calendar);
  if (isCalendarSchedule(schedule)) {
    return calendarPeriod(schedule, CALENDAR_SCHEDULES[schedule] as Granularity, calendar, now);
  }
  return cronPeriod(parseCron(schedule, calendar.timezone), calendar, now);
}

/** Most periods one {@link closedPeriods} call returns. */
const MAX_PERIODS = 10_000;

/** Options of {@link closedPeriods}. */
export interface ClosedPeriodsOptions {
  /** At most this many periods (an integer from 1 to 10,000). */
  limit: number;
  /** Only periods that end after this instant (epoch ms). @default -Infinity */
  after?: number;
}

/**
 * The closed periods of `schedule` at `now`, newest first: the
 * {@link lastClosedPeriod}, the one before it, and so on, at most `limit`,
 * stopping at the first period that ends at or before `after`. Periods tile
 * time without gaps (each one's start is the next one's end), so reports of
 * consecutive runs never skip one.
 *
 * @example
 * closedPeriods("daily", createCalendar(), Date.parse("2024-05-04T10:00:00Z"), { limit: 3 })
 *   .map((p) => p.key) // ["daily:2024-05-03", "daily:2024-05-02", "daily:2024-05-01"]
 */
export function closedPeriods(
  schedule: string,
  calendar: Calendar,
  now: number,
  options: ClosedPeriodsOptions,
): ReportPeriod[] {
  if (options === null || typeof options !== "object") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `closedPeriods() needs { limit, after? }, got ${describeValue(options)}`,
    );
  }
  const { limit, after = Number.NEGATIVE_INFINITY } = options;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PERIODS) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `limit must be an integer from 1 to ${MAX_PERIODS}, got ${describeValue(limit)}`,
    );
  }
  if (typeof after !== "number" || Number.isNaN(after)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `after must be epoch milliseconds, got ${describeValue(after)}`,
    );
  }
  const out: ReportPeriod[] = [];
  if (!isCalendarSchedule(schedule)) {
    checkSchedule(schedule, now, calendar);
    const runs = cronRuns(parseCron(schedule, calendar.timezone), now, limit + 1);
    for (let i = 0; i + 1 < runs.length && out.length < limit; i++) {
      const period = cronPeriodOf(runs[i + 1] as number, runs[i] as number, calendar);
      if (period.end <= after) break;
      out.push(period);
    }
    return out;
  }
  let at = now;
  while (out.length < limit) {
    const period = lastClosedPeriod(schedule, calendar, at);
    if (period === null || period.end <= after) break;
    out.push(period);
    at = period.start;
  }
  return out;
}

function checkSchedule(schedule: unknown, now: unknown, calendar: unknown): void {
  const c = calendar as Calendar | null;
  if (
    c === null ||
    typeof c !== "object" ||
    typeof c.bucket !== "function" ||
    typeof c.timezone !== "string"
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `calendar must come from createCalendar(), got ${describeValue(calendar)}`,
    );
  }
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new MetricsError("E_INVALID_DATE", `now must be epoch milliseconds, got ${describeValue(now)}`);
  }
  if (typeof schedule !== "string") {
    throw new MetricsError("E_INVALID_OPTION", `schedule must be a string, got ${describeValue(schedule)}`);
  }
}

function calendarPeriod(
  schedule: string,
  granularity: Granularity,
  calendar: Calendar,
  now: number,
): ReportPeriod | null {
  const current = calendar.bucket(granularity, now);
  let previous: { start: number };
  try {
    previous = calendar.bucket(granularity, current.start - 1);
  } catch {
    return null; // before the earliest instant a calendar accepts
  }
  const first = day(calendar, previous.start);
  const last = day(calendar, current.start - 1);
  const label =
    granularity === "days" ? first : granularity === "months" ? first.slice(0, 7) : `${first} – ${last}`;
  const keyLabel = granularity === "months" ? first.slice(0, 7) : first;
  return { key: `${schedule}:${keyLabel}`, start: previous.start, end: current.start, label };
}

function cronPeriod(cron: Cron, calendar: Calendar, now: number): ReportPeriod | null {
  const [end, start] = cronRuns(cron, now, 2);
  if (end === undefined || start === undefined) return null;
  return cronPeriodOf(start, end, calendar);
}

/** The latest `n` fire times at or before `now`, newest first. */
function cronRuns(cron: Cron, now: number, n: number): number[] {
  let runs: Date[];
  try {
    // previousRuns() excludes a run at the reference itself; ask from just after `now`.
    runs = cron.previousRuns(n + 1, new Date(now + 1));
  } catch (error) {
    // croner throws a RangeError near the ends of the Date range.
    throw new MetricsError(
      "E_INVALID_DATE",
      `now ${describeValue(now)} is outside the range of cron schedules`,
      { cause: error },
    );
  }
  return runs
    .map((d) => d.getTime())
    .filter((t) => t <= now)
    .slice(0, n);
}

function cronPeriodOf(start: number, end: number, calendar: Calendar): ReportPeriod {
  const label = `${calendar.localLabel(start).replace("T", " ")} – ${calendar.localLabel(end).replace("T", " ")}`;
  return { key: `cron:${new Date(end).toISOString()}`, start, end, label };
}

/** Local date `YYYY-MM-DD` of instant `t`. */
function day(calendar: Calendar, t: number): string {
  return calendar.localLabel(t).slice(0, 10);
}
