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
 * Chatham's changes at 02:45, St John's and Gaza's at 00:01) makes two
 * natural buckets start in the same UTC hour, only one of them stays a bucket
 * start: the start of a local day if one of them is (so hours nest in days),
 * else the later one (the short bucket before it joins its predecessor).
 * Natural buckets last at most one unit, so every UTC unit holds at least one
 * natural start, and indexes grow by exactly one.
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

/**
 * Start of the bucket of UTC unit `u`: the last natural start inside it,
 * unless one of them is protected (the start of a local day, so that hours
 * nest in days), then that one.
 */
function keptStart(
  zone: ZoneOffsets,
  unit: number,
  u: number,
  isProtected: (start: number) => boolean,
): number {
  const from = u * unit;
  const to = from + unit;
  let start = naturalStart(zone, unit, from);
  if (start < from) start = naturalEnd(zone, unit, start);
  let end = naturalEnd(zone, unit, start);
  if (end >= to) return start;
  // Rare: more than one natural bucket starts in this UTC unit.
  const starts = [start];
  while (end < to) {
    starts.push(end);
    end = naturalEnd(zone, unit, end);
  }
  return starts.find(isProtected) ?? (starts.at(-1) as number);
}

/** Options of {@link fineStart} and {@link fineNext}. */
export interface FineOptions {
  zone: ZoneOffsets;
  /** 60 000 for minutes, 3 600 000 for hours. */
  unit: number;
  /** Whether a natural start must stay a bucket start (local day starts, for hours). */
  isProtected: (start: number) => boolean;
}

/** Start of the minute or hour bucket holding `t`. */
export function fineStart({ zone, unit, isProtected }: FineOptions, t: number): number {
  const natural = naturalStart(zone, unit, t);
  const u = Math.floor(natural / unit);
  const kept = keptStart(zone, unit, u, isProtected);
  // A later start kept in the same UTC unit means t's natural bucket joined the one before.
  return kept <= natural ? kept : keptStart(zone, unit, u - 1, isProtected);
}

/** Start of the bucket after the one starting at `start`. */
export function fineNext({ zone, unit, isProtected }: FineOptions, start: number): number {
  return keptStart(zone, unit, Math.floor(start / unit) + 1, isProtected);
}
