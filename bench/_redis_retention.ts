/**
 * Part (i) of the Redis section: memory of a year of hourly data with and
 * without retention. 200 slugs (× scale) each get one event per hour for the
 * 8,784 hours up to now (hours..years stored), recorded with `recordMany`
 * into a FLUSHALLed server, once without retention and once with
 * `{ minutes: "2d", hours: "90d", days: "5y" }`: hour chunks older than 90
 * days (plus their chunk's span) expire as they are written. Reported: the
 * `used_memory` delta, bytes per recorded hourly event and per stored point
 * (fields of every chunk hash), keys and stored points.
 */
import type { Redis } from "ioredis";
import { keyCount, runConcurrently, usedMemory } from "./_measure.js";
import { rawClient } from "./_raw.js";
import { round } from "./_redis_write.js";
import { openTallyboard } from "./_tallyboard.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];
const HOUR = 3_600_000;
const YEAR_HOURS = 8784;
const PREFIX = "tbr";
/** The retention of the second run. */
export const RETENTION = { minutes: "2d", hours: "90d", days: "5y" };

/** What one run left in Redis. */
interface Footprint {
  bytes: number;
  keys: number;
  /** Fields of every chunk hash: the buckets Redis holds a count for. */
  points: number;
}

/** Sum of HLEN over every chunk hash under the prefix. */
async function storedPoints(raw: Redis): Promise<number> {
  let points = 0;
  let cursor = "0";
  do {
    const [next, keys] = await raw.scan(cursor, "MATCH", `${PREFIX}:{*}:c:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) {
      const pipeline = raw.pipeline();
      for (const key of keys) pipeline.hlen(key);
      for (const [error, n] of (await pipeline.exec()) ?? []) if (!error) points += Number(n);
    }
  } while (cursor !== "0");
  return points;
}

async function fill(
  ctx: BenchContext,
  raw: Redis,
  slugs: readonly string[],
  retention: typeof RETENTION | undefined,
): Promise<Footprint> {
  await raw.flushall("SYNC");
  const before = await usedMemory(raw);
  const metrics = openTallyboard({ url: ctx.redisUrl, prefix: PREFIX, ...(retention ? { retention } : {}) });
  const last = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const events = slugs.length * YEAR_HOURS;
  const per = 5000;
  // Time-major: each batch holds whole hours of every slug, oldest first.
  await runConcurrently(
    async (b) => {
      const batch = [];
      for (let i = b * per; i < Math.min(events, (b + 1) * per); i++) {
        const hour = Math.floor(i / slugs.length);
        batch.push({ slug: slugs[i % slugs.length] as string, at: last - (YEAR_HOURS - 1 - hour) * HOUR });
      }
      await metrics.recordMany(batch);
    },
    Math.ceil(events / per),
    4,
  );
  await metrics.dispose();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const bytes = (await usedMemory(raw)) - before;
  return { bytes, keys: await keyCount(raw), points: await storedPoints(raw) };
}

/** Part (i). */
export async function retentionPart(ctx: BenchContext): Promise<{ rows: BenchRow[]; targets: Target[] }> {
  const count = Math.max(10, Math.round(200 * ctx.scale));
  const slugs = Array.from({ length: count }, (_, k) => `ret_${String(k).padStart(3, "0")}`);
  const raw = rawClient(ctx.redisUrl);
  const retention = Object.entries(RETENTION)
    .map(([g, d]) => `${g} ${d}`)
    .join(", ");
  const name = `(i) memory of ${count} slugs × 1 year hourly + rollups; retention: ${retention}`;
  const none = "no retention";
  const kept = "with retention";
  const rows: BenchRow[] = [];
  try {
    ctx.log(`redis (i): recording ${count * YEAR_HOURS} events without retention`);
    const full = await fill(ctx, raw, slugs, undefined);
    ctx.log(`redis (i): recording ${count * YEAR_HOURS} events with retention ${retention}`);
    const cut = await fill(ctx, raw, slugs, RETENTION);
    await raw.flushall("SYNC");
    const recorded = count * YEAR_HOURS;
    for (const [subject, f] of [
      [none, full],
      [kept, cut],
    ] as const) {
      const ratio = (value: number, ref: number) => ({ to: none, value: round(value / ref) });
      rows.push(
        {
          name,
          subject: `${subject}: used_memory`,
          value: round(f.bytes / 2 ** 20, 2),
          unit: "MiB",
          ratio: ratio(f.bytes, full.bytes),
        },
        {
          name,
          subject: `${subject}: per recorded hourly event`,
          value: round(f.bytes / recorded, 2),
          unit: "B",
          ratio: ratio(f.bytes, full.bytes),
        },
        {
          name,
          subject: `${subject}: per stored point`,
          value: round(f.bytes / f.points, 2),
          unit: "B",
          ratio: ratio(f.bytes / f.points, full.bytes / full.points),
        },
        {
          name,
          subject: `${subject}: stored points`,
          value: f.points,
          unit: "points",
          ratio: ratio(f.points, full.points),
        },
        { name, subject: `${subject}: keys`, value: f.keys, unit: "keys", ratio: ratio(f.keys, full.keys) },
      );
    }
    const share = cut.bytes / full.bytes;
    return {
      rows,
      targets: [
        {
          name: "(i) retention bounds memory (hours kept 90 of 366 days)",
          met: share < 0.5,
          detail: `${(share * 100).toFixed(1)}% of the memory without retention (${round(cut.bytes / 2 ** 20, 2)} vs ${round(full.bytes / 2 ** 20, 2)} MiB)`,
        },
      ],
    };
  } finally {
    raw.disconnect();
  }
}
