import { describeValue, MetricsError } from "../errors.js";
import {
  type Calendar,
  type Granularity,
  MIN_INSTANT,
  parseDuration,
  parseGranularity,
} from "../time/index.js";

/** How long counts of each granularity are kept after their bucket ends: durations (`"90d"`) or ms. */
export type RetentionOptions = Partial<Record<Granularity, string | number>>;

/** Validated retention: milliseconds per granularity; a granularity left out is kept forever. */
export type Retention = Readonly<Partial<Record<Granularity, number>>>;

/**
 * Validate a `retention` option (`{ minutes: "2d", hours: "90d", days: "5y" }`;
 * singular names and aliases such as `"hourly"` accepted). Throws
 * `E_INVALID_OPTION` / `E_INVALID_GRANULARITY` naming the bad entry.
 */
export function parseRetention(value: unknown, where: string): Retention {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `${where}: retention must be an object like { hours: "90d" }, got ${describeValue(value)}`,
    );
  }
  const out: Partial<Record<Granularity, number>> = {};
  for (const [name, duration] of Object.entries(value)) {
    const g = parseGranularity(name);
    if (typeof duration !== "string" && typeof duration !== "number") {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `${where}: retention.${name} must be a duration such as "90d", got ${describeValue(duration)}`,
      );
    }
    out[g] = parseDuration(duration);
  }
  return Object.freeze(out);
}

/**
 * The start (epoch ms) of the oldest bucket of `granularity` still kept at
 * `now`: a bucket is kept while it ended less than the retention ago. Undefined
 * when the granularity is kept forever.
 */
export function keptFrom(
  calendar: Calendar,
  retention: Retention | undefined,
  granularity: Granularity,
  now: number,
): number | undefined {
  const ms = retention?.[granularity];
  if (ms === undefined) return undefined;
  return calendar.bucket(granularity, Math.max(now - ms, MIN_INSTANT)).start;
}
