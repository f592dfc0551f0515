/**
 * The Redis section: tallyboard's Redis store against npm `redis-metrics`
 * (the peer) and raw ceilings, on the private redis-server of bench/run.ts.
 * (a) sequential awaited record(), (b) 200 in flight — on one slug, and
 * spread over 100 slugs —, (c) bytes per point, (d) 90-day hourly history
 * latency; (e) the raw EVALSHA floor of one record and (f) a raw MGET of the
 * peer's string keys are reference subjects; (g) 1-year hourly and (h) 5-year
 * daily and 10-year monthly history (from stored rollups), each against MGET;
 * (i) memory of 200 slugs × 1 year hourly with and without retention.
 */
import type { Metrics } from "../src/core/types.js";
import { FLOOR, INCR, PEER, TB, TB_BUFFERED } from "./_names.js";
import { connectPeer } from "./_peer.js";
import { floorRecorder, incrRecorder, loadFloor, rawClient } from "./_raw.js";
import { longReadPart } from "./_redis_long.js";
import { retentionPart } from "./_redis_retention.js";
import { storedPart } from "./_redis_stored.js";
import { measureWrites, rateRows, ratioRow, type WriteSubject } from "./_redis_write.js";
import { openTallyboard } from "./_tallyboard.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];

/** Clients shared by the write parts; `subjects(slugs)` records event i for slugs[i % n]. */
interface WriteSetup {
  subjects(slugs: readonly string[]): WriteSubject[];
  close(): Promise<void>;
}

async function writeSetup(ctx: BenchContext): Promise<WriteSetup> {
  const { hostname, port } = new URL(ctx.redisUrl);
  const raw = rawClient(ctx.redisUrl);
  await loadFloor(raw);
  const peer = connectPeer(hostname, Number(port));
  const direct: Metrics = openTallyboard({ url: ctx.redisUrl, prefix: "tb" });
  const buffered: Metrics = openTallyboard({ url: ctx.redisUrl, prefix: "tbb", buffered: true });
  return {
    subjects(slugs) {
      const at = (i: number): string => slugs[i % slugs.length] as string;
      const floors = slugs.map((slug) => floorRecorder(raw, slug));
      const incrs = slugs.map((slug) => incrRecorder(raw, `raw:incr:${slug}`));
      return [
        { subject: TB, op: (i) => direct.record(at(i)) },
        { subject: TB_BUFFERED, op: (i) => buffered.record(at(i)), finish: () => buffered.flush() },
        { subject: PEER, op: (i) => peer.counter(at(i)).incr() },
        { subject: INCR, op: (i) => (incrs[i % incrs.length] as () => Promise<unknown>)() },
        { subject: FLOOR, op: (i) => (floors[i % floors.length] as () => Promise<unknown>)() },
      ];
    },
    async close() {
      await direct.dispose();
      await buffered.dispose();
      await peer.close();
      raw.disconnect();
    },
  };
}

function target(name: string, rates: Map<string, number>, ref: string, min: number): Target {
  const tb = rates.get(TB) ?? Number.NaN;
  const other = rates.get(ref) ?? Number.NaN;
  const ratio = tb / other;
  return {
    name,
    met: ratio >= min,
    detail: `${ratio.toFixed(3)}x (${Math.round(tb)} vs ${Math.round(other)} events/s)`,
  };
}

/** Run the whole Redis section. */
export async function run(ctx: BenchContext): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  const setup = await writeSetup(ctx);
  const warmup = Math.max(1000, Math.round(2000 * ctx.scale));
  const spread = Array.from({ length: 100 }, (_, k) => `bench_write_${k}`);
  try {
    ctx.log("redis (a): sequential awaited writes");
    const nA = Math.max(4000, Math.round(40_000 * ctx.scale));
    const a = await measureWrites(setup.subjects(["bench_write"]), {
      n: nA,
      block: 500,
      warmup,
      inFlight: 1,
    });
    const nameA = "(a) sequential awaited record(), hours..years";
    rows.push(...rateRows(nameA, a, FLOOR), ratioRow(nameA, a, TB, INCR), ratioRow(nameA, a, TB, PEER));
    targets.push(target("(a) sequential record() >= 0.9x raw EVALSHA (e)", a, FLOOR, 0.9));

    const nB = Math.max(5000, Math.round(100_000 * ctx.scale));
    const planB = { n: nB, block: 5000, warmup, inFlight: 200 };
    ctx.log("redis (b): 200 in flight, one slug");
    const b = await measureWrites(setup.subjects(["bench_write"]), planB);
    const nameB = "(b) 200 in flight on one client, one slug";
    rows.push(...rateRows(nameB, b, PEER), ratioRow(nameB, b, TB, FLOOR), ratioRow(nameB, b, TB, INCR));
    const bTarget = target("(b) 200 in flight >= 4x the peer", b, PEER, 4);

    ctx.log("redis (b): 200 in flight, 100 slugs");
    const b100 = await measureWrites(setup.subjects(spread), { ...planB, warmup: Math.max(warmup, 1000) });
    const nameB100 = "(b) 200 in flight on one client, 100 slugs";
    rows.push(...rateRows(nameB100, b100, PEER), ratioRow(nameB100, b100, TB, FLOOR));
    const spreadRatio = (b100.get(TB) ?? Number.NaN) / (b100.get(PEER) ?? Number.NaN);
    bTarget.detail += `; spread over 100 slugs: ${spreadRatio.toFixed(3)}x`;
    targets.push(bTarget);
  } finally {
    await setup.close();
  }
  const rest = await storedPart(ctx);
  rows.push(...rest.rows);
  targets.push(...rest.targets);
  const long = await longReadPart(ctx);
  rows.push(...long.rows);
  targets.push(...long.targets);
  const kept = await retentionPart(ctx);
  rows.push(...kept.rows);
  targets.push(...kept.targets);
  return { name: "redis", rows, targets };
}
