import type { ZoneOffsets } from "./zone.js";

/**
 * Minute and hour buckets.
 *
 * First the natural buckets: within a stretch of constant UTC offset a bucket
 * is one wall-clock minute or hour, and every offset change starts a new
 * bucket. So the two 01:00 hours of a fall-back night are two buckets, and an
 * hour whose :00 was skipped by a spring-forward starts at the change.
 *
 * Then the index: a bucket's index is the UTC minute or hour in which it
 * starts, which stores use as a key. Where an offset change that is not a
 * whole hour away from a wall hour mark (Lord Howe's 30-minute shift,
 * Chatham's changes at 02:45, St John's at 00:01 until 2011) makes two natural
 * buckets start in the same UTC hour, the earlier one is merged into the
 * bucket before it. Natural buckets last at most one unit, so every UTC unit
 * holds at least one natural start, and indexes grow by exactly one.
 */

/** Whole seconds: offsets and their changes are whole seconds in tzdata. */
const SECOND = 1000;

/** Natural bucket start of `t` (see above). */
function naturalStart(zone: ZoneOffsets, unit: number, t: number): number {
  const off = zone.offsetAt(t);
  const start = Math.floor((t + off) / unit) * unit - off;
  if (zone.offsetAt(start) === off) return start;
  // The offset of `t` began after the wall mark: the bucket starts at that change.
  let a = Math.floor(start / SECOND) * SECOND;
  let b = Math.floor(t / SECOND) * SECOND;
  while (b - a > SECOND) {
    const mid = a + Math.floor((b - a) / (2 * SECOND)) * SECOND;
    if (zone.offsetAt(mid) === off) b = mid;
    else a = mid;
  }
  return b;
}

/** End of the natural bucket that starts at `start`: the next wall mark, or an offset change before it. */
function naturalEnd(zone: ZoneOffsets, unit: number, start: number): number {
  const off = zone.offsetAt(start);
  const end = Math.floor((start + off) / unit) * unit + unit - off;
  if (zone.offsetAt(end - SECOND) === off) return end;
  let a = Math.floor(start / SECOND) * SECOND;
  let b = end - SECOND;
  while (b - a > SECOND) {
    const mid = a + Math.floor((b - a) / (2 * SECOND)) * SECOND;
    if (zone.offsetAt(mid) === off) a = mid;
    else b = mid;
  }
  return b;
}

/** Whether the natural bucket at `start` is merged into the one before it. */
function merged(zone: ZoneOffsets, unit: number, start: number): boolean {
  return Math.floor(naturalEnd(zone, unit, start) / unit) === Math.floor(start / unit);
}

/** Start of the minute (`unit` = 60 000) or hour (3 600 000) bucket holding `t`. */
export function fineStart(zone: ZoneOffsets, unit: number, t: number): number {
  let start = naturalStart(zone, unit, t);
  while (merged(zone, unit, start)) start = naturalStart(zone, unit, start - 1);
  return start;
}

/** Start of the bucket after the one starting at `start`. */
export function fineNext(zone: ZoneOffsets, unit: number, start: number): number {
  let end = naturalEnd(zone, unit, start);
  while (merged(zone, unit, end)) end = naturalEnd(zone, unit, end);
  return end;
}
