/**
 * Part (c) of the Redis section: memory per point. Each subject backfills the
 * same events (every slug once per hour over the range, time-major) into a
 * FLUSHALLed private server; the cost is the `used_memory` delta divided by
 * the number of hourly points.
 */
import type { Redis } from "ioredis";
import type { Metrics } from "../src/core/types.js";
import { createCalendar, type Granularity } from "../src/time/index.js";
import { keyCount, runConcurrently, usedMemory } from "./_measure.js";
import type { Peer } from "./_peer.js";

/** The backfilled events: each slug once per hour start. */
export interface Backfill {
  slugs: readonly string[];
  /** Hour starts (UTC epoch ms), ascending. */
  hours: readonly number[];
  inFlight: number;
}

/** What one subject's backfill cost. */
export interface MemoryCost {
  bytes: number;
  keys: number;
  hourlyPoints: number;
}

function events(plan: Backfill): number {
  return plan.slugs.length * plan.hours.length;
}

function slugOf(plan: Backfill, i: number): string {
  return plan.slugs[i % plan.slugs.length] as string;
}

function hourOf(plan: Backfill, i: number): number {
  return plan.hours[Math.floor(i / plan.slugs.length)] as number;
}

/** Record every event of `plan` through tallyboard (`record(slug, { at })`). */
export async function backfillTallyboard(metrics: Metrics, plan: Backfill): Promise<void> {
  await runConcurrently(
    (i) => metrics.record(slugOf(plan, i), { at: hourOf(plan, i) }),
    events(plan),
    plan.inFlight,
  );
}

/** Record every event of `plan` through the peer, its clock set to the event's hour. */
export async function backfillPeer(peer: Peer, plan: Backfill): Promise<void> {
  await runConcurrently(
    (i) => peer.at(hourOf(plan, i), () => peer.counter(slugOf(plan, i)).incr()),
    events(plan),
    plan.inFlight,
  );
}

/**
 * FLUSHALL, read `used_memory`, run `fill` (which opens and closes its own
 * connection), wait for Redis to settle, read `used_memory` again.
 */
export async function measureMemory(
  probe: Redis,
  plan: Backfill,
  fill: () => Promise<void>,
): Promise<MemoryCost> {
  await probe.flushall("SYNC");
  const before = await usedMemory(probe);
  await fill();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await usedMemory(probe);
  return { bytes: after - before, keys: await keyCount(probe), hourlyPoints: events(plan) };
}

/** Rollup points (per slug, summed) each layout keeps besides the hourly ones. */
export function rollupPoints(plan: Backfill, granularities: readonly Granularity[]): number {
  const calendar = createCalendar({ timezone: "UTC", weekStart: "monday" });
  let perSlug = 1; // the total
  for (const g of granularities) {
    perSlug += new Set(plan.hours.map((t) => calendar.bucket(g, t).index)).size;
  }
  return perSlug * plan.slugs.length;
}
