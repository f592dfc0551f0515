import { describeValue, MetricsError } from "../errors.js";

/** Bucket sizes, finest first. */
export const GRANULARITIES = ["minutes", "hours", "days", "weeks", "months", "years"] as const;

/** One of {@link GRANULARITIES}. */
export type Granularity = (typeof GRANULARITIES)[number];

/** First day of a week bucket. */
export type WeekStart = "monday" | "sunday";

/** Position of a granularity in {@link GRANULARITIES} (0 = minutes). */
export function rankOf(granularity: Granularity): number {
  return GRANULARITIES.indexOf(granularity);
}

const ALIASES: Record<string, Granularity> = {};
for (const [name, words] of [
  ["minutes", ["minute", "minutes", "minutely", "min", "mins", "m"]],
  ["hours", ["hour", "hours", "hourly", "h"]],
  ["days", ["day", "days", "daily", "d"]],
  ["weeks", ["week", "weeks", "weekly", "w"]],
  ["months", ["month", "months", "monthly"]],
  ["years", ["year", "years", "yearly", "annual", "annually", "y"]],
] as const) {
  for (const word of words) ALIASES[word] = name;
}

/** True when `value` names a granularity (canonical name or alias). */
export function isGranularity(value: unknown): boolean {
  return typeof value === "string" && Object.hasOwn(ALIASES, value.toLowerCase());
}

/**
 * Resolve a granularity name or alias (`"hour"`, `"daily"`, `"Weeks"`) to its
 * canonical plural form; anything else throws `E_INVALID_GRANULARITY`.
 */
export function parseGranularity(value: unknown): Granularity {
  if (typeof value === "string") {
    const key = value.toLowerCase();
    // Own keys only: "constructor" or "__proto__" must not resolve to Object.prototype members.
    if (Object.hasOwn(ALIASES, key)) return ALIASES[key] as Granularity;
  }
  throw new MetricsError(
    "E_INVALID_GRANULARITY",
    `Unknown granularity ${describeValue(value)}; use one of ${GRANULARITIES.join(", ")}`,
  );
}

/**
 * Whether every `coarse` bucket is an exact union of `fine` buckets, so that a
 * coarse count can be summed from fine ones. Weeks never nest in months or years.
 */
export function nestsIn(fine: Granularity, coarse: Granularity): boolean {
  if (rankOf(fine) >= rankOf(coarse)) return false;
  if (fine === "weeks") return false;
  return true;
}

/** The granularities from `min` to `max` inclusive; throws when min is coarser than max. */
export function granularityRange(min: Granularity, max: Granularity): Granularity[] {
  const lo = rankOf(min);
  const hi = rankOf(max);
  if (lo > hi) {
    throw new MetricsError(
      "E_INVALID_GRANULARITY",
      `Granularity range min ${describeValue(min)} is coarser than max ${describeValue(max)}`,
    );
  }
  return GRANULARITIES.slice(lo, hi + 1);
}
