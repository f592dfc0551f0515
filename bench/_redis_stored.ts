/**
 * Parts (c) and (d) of the Redis section, which share the backfilled data:
 * (c) each subject backfills 200 slugs × 90 days hourly into a FLUSHALLed
 * server and the `used_memory` delta is divided by the hourly points; then,
 * with the peer's keys still in place, tallyboard is backfilled again and
 * (d) times 90-day hourly history reads of tallyboard, the peer and (f) a raw
 * MGET of the peer's 2,160 hourly string keys.
 */
import type { Redis } from "ioredis";
import type { Metrics } from "../src/core/types.js";
import { MGET, PEER, TB } from "./_names.js";
import { connectPeer, type Peer } from "./_peer.js";
import { peerHourKey, rawClient } from "./_raw.js";
import {
  type Backfill,
  backfillPeer,
  backfillTallyboard,
  type MemoryCost,
  measureMemory,
  rollupPoints,
} from "./_redis_memory.js";
import { measureReads, type ReadAnswer, type ReadSubject } from "./_redis_read.js";
import { round } from "./_redis_write.js";
import { openTallyboard } from "./_tallyboard.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];
const HOUR = 3_600_000;
const DAYS = 90;

function planFor(scale: number): Backfill {
  const count = Math.max(10, Math.round(200 * scale));
  const slugs = Array.from({ length: count }, (_, k) => `bench_${String(k).padStart(3, "0")}`);
  const last = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const hours = Array.from({ length: DAYS * 24 }, (_, k) => last - (DAYS * 24 - 1 - k) * HOUR);
  return { slugs, hours, inFlight: 200 };
}

async function tallyboardFilled(ctx: BenchContext, plan: Backfill): Promise<Metrics> {
  const metrics = openTallyboard({ url: ctx.redisUrl, prefix: "tb" });
  await backfillTallyboard(metrics, plan);
  return metrics;
}

function memoryRows(plan: Backfill, tb: MemoryCost | undefined, peer: MemoryCost): BenchRow[] {
  const name = `(c) memory after ${plan.slugs.length} slugs × ${DAYS} days hourly`;
  const costs: [string, MemoryCost, number][] = [
    [PEER, peer, rollupPoints(plan, ["days", "months", "years"])],
  ];
  if (tb) costs.unshift([TB, tb, rollupPoints(plan, ["days", "weeks", "months", "years"])]);
  const perHour = (c: MemoryCost): number => c.bytes / c.hourlyPoints;
  const perPoint = (c: MemoryCost, rollups: number): number => c.bytes / (c.hourlyPoints + rollups);
  const peerRollups = costs.at(-1)?.[2] ?? 0;
  const rows: BenchRow[] = [];
  for (const [subject, cost] of costs) {
    const value = round(perHour(cost), 2);
    rows.push({
      name,
      subject,
      value,
      unit: "B/hourly point",
      ratio: { to: PEER, value: round(value / perHour(peer)) },
    });
  }
  for (const [subject, cost, rollups] of costs) {
    const value = round(perPoint(cost, rollups), 2);
    const ratio = round(value / perPoint(peer, peerRollups));
    rows.push({
      name,
      subject: `${subject} (hourly + ${rollups} rollup points)`,
      value,
      unit: "B/point",
      ratio: { to: PEER, value: ratio },
    });
  }
  for (const [subject, cost] of costs) {
    rows.push({
      name,
      subject: `${subject} keys`,
      value: cost.keys,
      unit: "keys",
      ratio: { to: PEER, value: round(cost.keys / peer.keys) },
    });
  }
  return rows;
}

function readSubjects(plan: Backfill, tb: Metrics, peer: Peer, raw: Redis): ReadSubject[] {
  const first = plan.hours[0] as number;
  const last = plan.hours.at(-1) as number;
  const slug = (i: number): string => plan.slugs[i % plan.slugs.length] as string;
  const keys = plan.slugs.map((s) => plan.hours.map((t) => peerHourKey(s, t)));
  return [
    {
      subject: TB,
      read: (i) => tb.history(slug(i), { from: first, to: last, granularity: "hours" }),
      summarize: (rows) => {
        const list = rows as { count: number }[];
        return { points: list.length, sum: list.reduce((acc, r) => acc + r.count, 0) };
      },
    },
    {
      subject: PEER,
      read: (i) => peer.counter(slug(i)).countRange("hour", new Date(first), new Date(last)),
      summarize: (answer) => {
        const values = Object.values(answer as Record<string, number>);
        return { points: values.length, sum: values.reduce((acc, v) => acc + v, 0) };
      },
    },
    {
      subject: MGET,
      read: (i) => raw.mget(keys[i % keys.length] as string[]),
      summarize: (answer) => {
        const values = answer as (string | null)[];
        return { points: values.length, sum: values.reduce((acc, v) => acc + Number(v ?? 0), 0) };
      },
    },
  ];
}

function readRows(name: string, latency: Map<string, number>): BenchRow[] {
  const ref = latency.get(MGET) ?? Number.NaN;
  const rows: BenchRow[] = [...latency].map(([subject, ms]) => ({
    name,
    subject,
    value: round(ms, 3),
    unit: "ms",
    ratio: { to: MGET, value: round(ms / ref) },
  }));
  const tb = latency.get(TB);
  if (tb !== undefined) {
    for (const other of [MGET, PEER]) {
      const value = round((latency.get(other) ?? Number.NaN) / tb, 2);
      rows.push({
        name,
        subject: `${other} ÷ ${TB} (speed-up)`,
        value,
        unit: "×",
        ratio: { to: other, value },
      });
    }
  }
  return rows;
}

function readTargets(
  plan: Backfill,
  latency: Map<string, number>,
  answers: Map<string, ReadAnswer>,
): Target[] {
  const n = plan.hours.length;
  const wrong = [...answers].filter(([, a]) => a.points !== n || a.sum !== n);
  const targets: Target[] = [
    {
      name: `(d) every subject reads the same ${n} buckets`,
      met: wrong.length === 0,
      detail: [...answers].map(([s, a]) => `${s}: ${a.points} buckets, sum ${a.sum}`).join("; "),
    },
  ];
  const tb = latency.get(TB) ?? Number.NaN;
  const vsMget = (latency.get(MGET) ?? Number.NaN) / tb;
  const vsPeer = (latency.get(PEER) ?? Number.NaN) / tb;
  targets.push(
    { name: "(d) history faster than raw MGET (f)", met: vsMget > 1, detail: `${vsMget.toFixed(2)}x faster` },
    {
      name: "(d) history >= 5x faster than the peer",
      met: vsPeer >= 5,
      detail: `${vsPeer.toFixed(2)}x faster`,
    },
  );
  return targets;
}

/** Parts (c) and (d). */
export async function storedPart(ctx: BenchContext): Promise<{ rows: BenchRow[]; targets: Target[] }> {
  const { hostname, port } = new URL(ctx.redisUrl);
  const plan = planFor(ctx.scale);
  const events = plan.slugs.length * plan.hours.length;
  const probe = rawClient(ctx.redisUrl);
  const targets: Target[] = [];
  const rows: BenchRow[] = [];
  let tbReader: Metrics | undefined;
  let peer: Peer | undefined;
  try {
    ctx.log(`redis (c): backfilling ${events} events through tallyboard`);
    const tbCost = await measureMemory(probe, plan, async () =>
      (await tallyboardFilled(ctx, plan)).dispose(),
    );
    ctx.log(`redis (c): backfilling ${events} events through the peer`);
    const peerCost = await measureMemory(probe, plan, async () => {
      const filler = connectPeer(hostname, Number(port));
      await backfillPeer(filler, plan);
      await filler.close();
    });
    rows.push(...memoryRows(plan, tbCost, peerCost));
    const perPoint = tbCost.bytes / tbCost.hourlyPoints;
    const detail = `${perPoint.toFixed(2)} B/hourly point vs peer ${(peerCost.bytes / peerCost.hourlyPoints).toFixed(1)}`;
    targets.push({ name: "(c) <= 8 bytes per point", met: perPoint <= 8, detail });
    ctx.log("redis (d): backfilling tallyboard again next to the peer's keys");
    tbReader = await tallyboardFilled(ctx, plan);
    peer = connectPeer(hostname, Number(port));
    const iterations = ctx.scale >= 1 ? 50 : Math.max(15, Math.round(50 * ctx.scale));
    ctx.log(`redis (d): ${iterations} reads of ${plan.hours.length} hourly buckets per subject`);
    const { latency, answers } = await measureReads(readSubjects(plan, tbReader, peer, probe), iterations, 5);
    rows.push(
      ...readRows(
        `(d) ${DAYS}-day hourly history (${plan.hours.length} buckets), median of ${iterations}`,
        latency,
      ),
    );
    targets.push(...readTargets(plan, latency, answers));
  } finally {
    await tbReader?.dispose();
    await peer?.close();
    probe.disconnect();
  }
  return { rows, targets };
}
