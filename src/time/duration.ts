import { describeValue, MetricsError } from "../errors.js";

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * Parse a duration such as `"90s"`, `"15m"`, `"2d"`, `"12w"`, `"1y"` (or a
 * number of milliseconds) into milliseconds. Anything else throws `E_INVALID_OPTION`.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === "string") {
    const match = /^(\d{1,9})\s*([smhdwy])$/.exec(value.trim());
    const unit = match ? UNIT_MS[match[2] as string] : undefined;
    const ms = match && unit !== undefined ? Number(match[1]) * unit : 0;
    if (ms > 0 && Number.isSafeInteger(ms)) return ms;
  }
  throw new MetricsError(
    "E_INVALID_OPTION",
    `Invalid duration ${describeValue(value)}; use a positive number with s, m, h, d, w or y (e.g. "90d")`,
  );
}
