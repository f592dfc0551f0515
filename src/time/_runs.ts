import { addWall, truncateWall } from "./_coarse.js";
import type { Granularity } from "./granularity.js";
import type { ZoneOffsets } from "./zone.js";

/**
 * Fast paths of `calendar.range()`. Each starts at bucket `b` (the last one
 * in `out`), pushes the buckets that follow it while their starts can be told
 * without bisecting offsets — up to the bucket starting at `until`, and never
 * past `maxPoints` buckets in `out` — and returns the last bucket pushed;
 * `next()` takes over there. Both give exactly what a chain of `next()` gives
 * (see the reasons below; test/time/zone.property.test.ts checks it).
 */

const DAY = 86_400_000;

/** A bucket, as `calendar.ts` defines it. */
interface Bucket {
  readonly index: number;
  readonly start: number;
}

/**
 * Minutes and hours (`unit` 60 000 or 3 600 000). While `b` starts on a wall
 * mark and the offset holds for two more units, the bucket after `b` starts
 * one unit later: it is the only natural start in its UTC unit, so neither the
 * rule for offset changes off the mark nor the one for day starts applies.
 */
export function fineRun(
  zone: ZoneOffsets,
  unit: number,
  b: Bucket,
  until: number,
  maxPoints: number,
  out: Bucket[],
): Bucket {
  let start = b.start;
  if ((start + zone.offsetAt(start)) % unit !== 0) return b;
  const steady = zone.constantUntil(start);
  let index = b.index;
  while (start + 2 * unit <= steady && start + unit <= until && out.length < maxPoints) {
    start += unit;
    index += 1;
    out.push({ index, start });
  }
  return out[out.length - 1] as Bucket;
}

/**
 * Days, weeks, months and years. While `b` starts at its label's midnight and
 * one offset holds from two days before `b` to two days after the next
 * label's midnight, the next bucket starts at that midnight at the same
 * offset: every instant `next()` probes (within 28 hours of it) has that
 * offset, so it is the earliest instant of the label; its index is one more.
 */
export function coarseRun(
  zone: ZoneOffsets,
  g: Granularity,
  weekStartDow: number,
  b: Bucket,
  until: number,
  maxPoints: number,
  out: Bucket[],
): Bucket {
  let start = b.start;
  const off = zone.offsetAt(start);
  let wall = start + off;
  if (truncateWall(g, wall, weekStartDow) !== wall) return b;
  const steady = zone.constantUntil(start - 2 * DAY);
  const step = g === "days" ? DAY : g === "weeks" ? 7 * DAY : 0;
  let index = b.index;
  for (;;) {
    const nextWall = step > 0 ? wall + step : addWall(g, wall);
    const nextStart = nextWall - off;
    if (nextStart + 2 * DAY >= steady || nextStart > until || out.length >= maxPoints) break;
    wall = nextWall;
    start = nextStart;
    index += 1;
    out.push({ index, start });
  }
  return out[out.length - 1] as Bucket;
}
