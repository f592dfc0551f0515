import { describeValue, MetricsError } from "../errors.js";
import type { Bucket, Calendar } from "./calendar.js";
import type { Granularity } from "./granularity.js";

const DAY = 86_400_000;
/** Nominal length of a bucket, used only to step towards the wanted index. */
const NOMINAL: Readonly<Record<Granularity, number>> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: DAY,
  weeks: 7 * DAY,
  months: 30.436875 * DAY,
  years: 365.2425 * DAY,
};

/** A first guess near the middle of the bucket with `index`. */
function guess(granularity: Granularity, index: number): number {
  if (granularity === "months") return Date.UTC(Math.floor(index / 12), ((index % 12) + 12) % 12, 15);
  if (granularity === "years") return Date.UTC(index, 6, 1);
  return (index + 0.5) * NOMINAL[granularity];
}

/**
 * The bucket of `granularity` whose index is `index` (the inverse of
 * `calendar.bucket(g, t).index`), found by stepping from a guess with the
 * calendar's own rules, so DST days, odd-offset hours and week starts agree
 * with how the bucket was written. Throws `E_INVALID_OPTION` for an index no
 * bucket has (e.g. an hour index skipped at an off-the-hour offset change).
 */
export function bucketAtIndex(calendar: Calendar, granularity: Granularity, index: number): Bucket {
  let t = guess(granularity, index);
  for (let step = 0; step < 16; step++) {
    const found = calendar.bucket(granularity, t);
    if (found.index === index) return found;
    const off = index - found.index;
    // Near the target, move one bucket at a time from the found one's edges.
    t =
      Math.abs(off) === 1
        ? off > 0
          ? calendar.next(granularity, found).start
          : found.start - 1
        : t + off * NOMINAL[granularity];
  }
  throw new MetricsError(
    "E_INVALID_OPTION",
    `No ${granularity} bucket has index ${describeValue(index)} in ${calendar.timezone}`,
  );
}
