import type { Granularity } from "./granularity.js";
import type { ZoneOffsets } from "./zone.js";

/**
 * Days, weeks, months and years. Wall times are epoch ms of the local wall
 * clock read as if it were UTC. A bucket starts the first time the wall clock
 * reaches its label (the earliest instant carrying it; after a gap, the first
 * instant past it).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Truncate a wall-clock time (ms, read as UTC fields) to the start of its bucket. */
export function truncateWall(g: Granularity, wall: number, weekStartDow: number): number {
  switch (g) {
    case "minutes":
      return Math.floor(wall / MINUTE) * MINUTE;
    case "hours":
      return Math.floor(wall / HOUR) * HOUR;
    case "days":
      return Math.floor(wall / DAY) * DAY;
    case "weeks": {
      const day = Math.floor(wall / DAY) * DAY;
      const dow = new Date(day).getUTCDay();
      return day - ((dow - weekStartDow + 7) % 7) * DAY;
    }
    case "months": {
      const d = new Date(wall);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
    case "years":
      return Date.UTC(new Date(wall).getUTCFullYear(), 0, 1);
  }
}

/** The wall label after `wall` (a bucket label of `g`). */
export function addWall(g: Granularity, wall: number): number {
  const d = new Date(wall);
  switch (g) {
    case "days":
      return wall + DAY;
    case "weeks":
      return wall + 7 * DAY;
    case "months":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    default:
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** Earliest instant whose wall time is `wall` (midnights, month starts), or the transition after a gap. */
export function coarseStart(zone: ZoneOffsets, wall: number): number {
  return earliestInstantOfWall(zone, wall) ?? firstInstantAtOrAfterWall(zone, wall);
}

/** Earliest instant whose wall time is exactly `wall`; null when the zone skipped it. */
export function earliestInstantOfWall(zone: ZoneOffsets, wall: number): number | null {
  let best = Number.POSITIVE_INFINITY;
  for (const probe of [wall - 14 * HOUR, wall - zone.offsetAt(wall), wall + 12 * HOUR]) {
    const off = zone.offsetAt(probe);
    const candidate = wall - off;
    if (candidate < best && zone.offsetAt(candidate) === off) best = candidate;
  }
  return best === Number.POSITIVE_INFINITY ? null : best;
}

/** The first instant (to the second) whose wall time is `wall` or later: the end of a gap holding `wall`. */
export function firstInstantAtOrAfterWall(zone: ZoneOffsets, wall: number): number {
  // Invariant: wall(a) < wall, wall(b) >= wall; bisect to the second.
  let a = Math.floor((wall - 15 * HOUR) / 1000) * 1000;
  let b = Math.ceil((wall + 15 * HOUR) / 1000) * 1000;
  while (b - a > 1000) {
    const mid = a + Math.floor((b - a) / 2000) * 1000;
    if (mid + zone.offsetAt(mid) >= wall) b = mid;
    else a = mid;
  }
  return b;
}

/** Index of the bucket starting at `start` (local days since 1970-01-01, weeks, year * 12 + month, year). */
export function indexOf(
  g: Granularity,
  start: number,
  zone: ZoneOffsets,
  weekStartDow: number,
  weekEpochDay: number,
): number {
  switch (g) {
    case "minutes":
      return Math.floor(start / MINUTE);
    case "hours":
      return Math.floor(start / HOUR);
    default: {
      const wall = truncateWall(g, start + zone.offsetAt(start), weekStartDow);
      if (g === "days") return Math.floor(wall / DAY);
      if (g === "weeks") return Math.floor((Math.floor(wall / DAY) - weekEpochDay) / 7);
      const d = new Date(wall);
      return g === "months" ? d.getUTCFullYear() * 12 + d.getUTCMonth() : d.getUTCFullYear();
    }
  }
}
