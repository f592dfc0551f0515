/**
 * Parts (g) and (h) of the Redis section: long history reads, each against a
 * raw MGET of the same buckets stored the peer's way (one string key per
 * bucket, see `peerKey`), filled with the same counts.
 * (g) 1-year hourly history: the 8,784 hours of the leap year 2024 (74 chunk
 *     hashes), by tallyboard in UTC and in Europe/Berlin (DST changes inside
 *     the range);
 * (h) 5-year daily (1,827 buckets) and 10-year monthly (120 buckets) history,
 *     answered from the stored days and months rollups: every hour chunk of
 *     those slugs is deleted before the reads, so an answer that still matches
 *     the MGET proves the rollup was read directly, not summed from hours.
 */
import type { Redis } from "ioredis";
import type { Metrics, RecordEvent } from "../src/core/types.js";
import type { Granularity } from "../src/time/index.js";
import { MGET, TB } from "./_names.js";
import { peerKey, rawClient } from "./_raw.js";
import { measureReads, type ReadAnswer, type ReadSubject } from "./_redis_read.js";
import { round } from "./_redis_write.js";
import { openTallyboard } from "./_tallyboard.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];
const HOUR = 3_600_000;
const DAY = 86_400_000;
const PREFIX = "tbl";
const ZONED_PREFIX = "tblz";
const ZONE = "Europe/Berlin";
const TB_ZONED = `${TB} (${ZONE})`;

/** Hour starts of 2024 (a leap year: 8,784 hours). */
const YEAR_HOURS = Array.from({ length: 8784 }, (_, k) => Date.UTC(2024, 0, 1) + k * HOUR);
/** One event per day at noon UTC, 2015-01-01 … 2024-12-31 (3,653 days). */
const DECADE_NOONS = Array.from(
  { length: (Date.UTC(2025, 0, 1) - Date.UTC(2015, 0, 1)) / DAY },
  (_, k) => Date.UTC(2015, 0, 1) + k * DAY + 12 * HOUR,
);
/** The reads of (h): 2020-01-01 … 2024-12-31 daily, 2015-01 … 2024-12 monthly. */
const DAILY_FROM = Date.UTC(2020, 0, 1);
const LAST_DAY = Date.UTC(2024, 11, 31);
const MONTHLY_FROM = Date.UTC(2015, 0, 1);

/** The count recorded at `t`: small varying integers, so sums catch a misplaced bucket. */
const countAt = (t: number, mod: number): number => 1 + (Math.floor(t / HOUR) % mod);

/** Record `events` in batches of 2,000 through `recordMany`. */
async function recordAll(metrics: Metrics, events: readonly RecordEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2000) await metrics.recordMany(events.slice(i, i + 2000));
}

/** MSET the peer's keys of one slug: every instant's count added to its hour, day and month key. */
async function storePeerWay(
  raw: Redis,
  slug: string,
  times: readonly number[],
  count: (t: number) => number,
  granularities: readonly ("hours" | "days" | "months")[],
): Promise<void> {
  const values = new Map<string, number>();
  for (const t of times) {
    for (const g of granularities) {
      const key = peerKey(slug, g, t);
      values.set(key, (values.get(key) ?? 0) + count(t));
    }
  }
  const pairs = [...values].flatMap(([key, value]) => [key, String(value)]);
  for (let i = 0; i < pairs.length; i += 4000) await raw.mset(...pairs.slice(i, i + 4000));
}

/** Delete every hour chunk under `pattern`; the number deleted. */
async function deleteKeys(raw: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await raw.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await raw.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

const rowsAnswer = (rows: unknown): ReadAnswer => {
  const list = rows as { count: number }[];
  return { points: list.length, sum: list.reduce((acc, r) => acc + r.count, 0) };
};

const mgetAnswer = (answer: unknown): ReadAnswer => {
  const values = answer as (string | null)[];
  return { points: values.length, sum: values.reduce((acc, v) => acc + Number(v ?? 0), 0) };
};

/** tallyboard readers of `granularity` over [from, to], plus MGET of the same buckets' peer keys. */
function subjects(
  readers: [string, Metrics][],
  raw: Redis,
  slugs: readonly string[],
  granularity: "hours" | "days" | "months",
  starts: readonly number[],
): ReadSubject[] {
  const from = starts[0] as number;
  const to = starts.at(-1) as number;
  const slug = (i: number): string => slugs[i % slugs.length] as string;
  const keys = slugs.map((s) => starts.map((t) => peerKey(s, granularity, t)));
  return [
    ...readers.map(
      ([subject, metrics]): ReadSubject => ({
        subject,
        read: (i) => metrics.history(slug(i), { from, to, granularity }),
        summarize: rowsAnswer,
      }),
    ),
    { subject: MGET, read: (i) => raw.mget(keys[i % keys.length] as string[]), summarize: mgetAnswer },
  ];
}

/** Latency rows (ratio to MGET) and targets: same answers, each tallyboard reader faster than MGET. */
function report(
  name: string,
  latency: Map<string, number>,
  answers: Map<string, ReadAnswer>,
): { rows: BenchRow[]; targets: Target[] } {
  const ref = latency.get(MGET) ?? Number.NaN;
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  for (const [subject, ms] of latency) {
    rows.push({
      name,
      subject,
      value: round(ms, 3),
      unit: "ms",
      ratio: { to: MGET, value: round(ms / ref) },
    });
  }
  for (const [subject, ms] of latency) {
    if (subject === MGET) continue;
    const speedUp = round(ref / ms, 2);
    rows.push({
      name,
      subject: `${MGET} ÷ ${subject} (speed-up)`,
      value: speedUp,
      unit: "×",
      ratio: { to: MGET, value: speedUp },
    });
    targets.push({
      name: `${name.split(" (")[0]}: ${subject} faster than ${MGET}`,
      met: speedUp > 1,
      detail: `${speedUp.toFixed(2)}x faster (${ms.toFixed(3)} vs ${ref.toFixed(3)} ms)`,
    });
  }
  const expected = answers.get(MGET);
  const wrong = [...answers].filter(([, a]) => a.points !== expected?.points || a.sum !== expected?.sum);
  targets.unshift({
    name: `${name.split(" (")[0]}: every subject reads the same buckets and sum`,
    met: wrong.length === 0,
    detail: [...answers].map(([s, a]) => `${s}: ${a.points} buckets, sum ${a.sum}`).join("; "),
  });
  return { rows, targets };
}

/** Parts (g) and (h). */
export async function longReadPart(ctx: BenchContext): Promise<{ rows: BenchRow[]; targets: Target[] }> {
  const count = ctx.scale >= 1 ? 8 : 2;
  const hourSlugs = Array.from({ length: count }, (_, k) => `long_h_${k}`);
  const daySlugs = Array.from({ length: count }, (_, k) => `long_d_${k}`);
  const iterations = ctx.scale >= 1 ? 40 : 10;
  const raw = rawClient(ctx.redisUrl);
  const utc = openTallyboard({ url: ctx.redisUrl, prefix: PREFIX });
  const zoned = openTallyboard({ url: ctx.redisUrl, prefix: ZONED_PREFIX, timezone: ZONE });
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  try {
    ctx.log(`redis (g): filling ${count} slugs × 8,784 hours (tallyboard UTC and ${ZONE}, peer keys)`);
    const hourCount = (t: number): number => countAt(t, 7);
    for (const slug of hourSlugs) {
      const events = YEAR_HOURS.map((at) => ({ slug, at, by: hourCount(at) }));
      await recordAll(utc, events);
      await recordAll(zoned, events);
      await storePeerWay(raw, slug, YEAR_HOURS, hourCount, ["hours"]);
    }
    ctx.log(`redis (g): ${iterations} reads of 8,784 hourly buckets per subject`);
    const readers: [string, Metrics][] = [
      [TB, utc],
      [TB_ZONED, zoned],
    ];
    const g = await measureReads(subjects(readers, raw, hourSlugs, "hours", YEAR_HOURS), iterations, 5);
    const gReport = report(
      `(g) 1-year hourly history (8,784 buckets), median of ${iterations}`,
      g.latency,
      g.answers,
    );
    rows.push(...gReport.rows);
    targets.push(...gReport.targets);

    ctx.log(`redis (h): filling ${count} slugs × 3,653 days (one event a day over 10 years)`);
    const dayCount = (t: number): number => countAt(t, 5 * 24 + 1);
    for (const slug of daySlugs) {
      await recordAll(
        utc,
        DECADE_NOONS.map((at) => ({ slug, at, by: dayCount(at) })),
      );
      await storePeerWay(raw, slug, DECADE_NOONS, dayCount, ["days", "months"]);
    }
    const deleted = await deleteKeys(raw, `${PREFIX}:{long_d_*}:c:h:*`);
    const left = await deleteKeys(raw, `${PREFIX}:{long_d_*}:c:h:*`);
    targets.push({
      name: "(h) no hour chunk left for the rollup reads",
      met: deleted > 0 && left === 0,
      detail: `${deleted} hour chunks deleted before the reads`,
    });
    const plans: [string, "days" | "months", number[]][] = [
      ["(h) 5-year daily history (1,827 buckets)", "days", bucketStarts("days", DAILY_FROM, LAST_DAY)],
      ["(h) 10-year monthly history (120 buckets)", "months", bucketStarts("months", MONTHLY_FROM, LAST_DAY)],
    ];
    for (const [name, granularity, starts] of plans) {
      ctx.log(`redis ${name}: ${iterations} reads per subject`);
      const h = await measureReads(subjects([[TB, utc]], raw, daySlugs, granularity, starts), iterations, 5);
      const hReport = report(`${name}, median of ${iterations}`, h.latency, h.answers);
      rows.push(...hReport.rows);
      targets.push(...hReport.targets);
    }
  } finally {
    await utc.dispose();
    await zoned.dispose();
    raw.disconnect();
  }
  return { rows, targets };
}

/** UTC starts of the days or months from `from` to `to` (both bucket starts). */
function bucketStarts(
  granularity: Extract<Granularity, "days" | "months">,
  from: number,
  to: number,
): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; ) {
    out.push(t);
    const d = new Date(t);
    t = granularity === "days" ? t + DAY : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return out;
}
