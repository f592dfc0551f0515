/**
 * The Redis section: tallyboard's Redis store against npm `redis-metrics`
 * (the peer) and raw ceilings, on the private redis-server of bench/run.ts.
 * (a) sequential awaited record(), (b) 200 in flight, (c) bytes per point,
 * (d) 90-day hourly history latency; (e) the raw EVALSHA floor of one record
 * and (f) a raw MGET of the peer's string keys are reference subjects.
 */
import { Redis } from "ioredis";
import type { Metrics } from "../src/core/types.js";
import { FLOOR, INCR, PEER, TB, TB_BUFFERED } from "./_names.js";
import { connectPeer, type Peer } from "./_peer.js";
import { floorRecorder, incrRecorder, loadFloor } from "./_raw.js";
import { storedPart } from "./_redis_stored.js";
import { measureWrites, rateRows, ratioRow, type WriteSubject } from "./_redis_write.js";
import { openTallyboard } from "./_tallyboard.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];

/** Clients and subjects shared by parts (a) and (b). */
interface WriteSetup {
  subjects: WriteSubject[];
  close(): Promise<void>;
}

async function writeSetup(ctx: BenchContext, host: string, port: number): Promise<WriteSetup> {
  const raw = new Redis(ctx.redisUrl);
  await loadFloor(raw);
  const peer: Peer = connectPeer(host, port);
  const subjects: WriteSubject[] = [];
  const metrics: Metrics[] = [];
  const direct = openTallyboard({ url: ctx.redisUrl, prefix: "tb" });
  metrics.push(direct);
  subjects.push({ subject: TB, op: () => direct.record("bench_write") });
  const buffered = openTallyboard({ url: ctx.redisUrl, prefix: "tbb", buffered: true });
  metrics.push(buffered);
  subjects.push({
    subject: TB_BUFFERED,
    op: () => buffered.record("bench_write"),
    finish: () => buffered.flush(),
  });
  const peerCounter = peer.counter("bench_write");
  subjects.push({ subject: PEER, op: () => peerCounter.incr() });
  subjects.push({ subject: INCR, op: incrRecorder(raw, "raw:incr") });
  subjects.push({ subject: FLOOR, op: floorRecorder(raw, "bench_write") });
  return {
    subjects,
    async close() {
      for (const m of metrics) await m.dispose();
      await peer.close();
      raw.disconnect();
    },
  };
}

function writeTargets(a: Map<string, number>, b: Map<string, number>): Target[] {
  const targets: Target[] = [];
  const aFloor = (a.get(TB) ?? Number.NaN) / (a.get(FLOOR) ?? Number.NaN);
  if (a.has(TB)) {
    targets.push({
      name: "(a) sequential record() >= 0.9x raw EVALSHA (e)",
      met: aFloor >= 0.9,
      detail: `${aFloor.toFixed(3)}x (${Math.round(a.get(TB) ?? 0)} vs ${Math.round(a.get(FLOOR) ?? 0)} events/s)`,
    });
  }
  const bPeer = (b.get(TB) ?? Number.NaN) / (b.get(PEER) ?? Number.NaN);
  if (b.has(TB)) {
    targets.push({
      name: "(b) 200 in flight >= 4x the peer",
      met: bPeer >= 4,
      detail: `${bPeer.toFixed(2)}x (${Math.round(b.get(TB) ?? 0)} vs ${Math.round(b.get(PEER) ?? 0)} events/s)`,
    });
  }
  return targets;
}

/** Run the whole Redis section. */
export async function run(ctx: BenchContext): Promise<BenchSection> {
  const { hostname, port } = new URL(ctx.redisUrl);
  const rows: BenchRow[] = [];
  const setup = await writeSetup(ctx, hostname, Number(port));
  const warmup = Math.max(200, Math.round(2000 * ctx.scale));
  let a: Map<string, number>;
  let b: Map<string, number>;
  try {
    ctx.log("redis (a): sequential awaited writes");
    const nA = Math.max(500, Math.round(20_000 * ctx.scale));
    a = await measureWrites(setup.subjects, { n: nA, rounds: 3, warmup, inFlight: 1 });
    ctx.log("redis (b): 200 in flight");
    const nB = Math.max(2000, Math.round(50_000 * ctx.scale));
    b = await measureWrites(setup.subjects, { n: nB, rounds: 3, warmup, inFlight: 200 });
  } finally {
    await setup.close();
  }
  const nameA = "(a) sequential awaited record(), hours..years";
  rows.push(...rateRows(nameA, a, FLOOR));
  if (a.has(TB)) rows.push(ratioRow(nameA, a, TB, INCR), ratioRow(nameA, a, TB, PEER));
  const nameB = "(b) 200 in flight on one client";
  rows.push(...rateRows(nameB, b, PEER));
  if (b.has(TB)) rows.push(ratioRow(nameB, b, TB, FLOOR), ratioRow(nameB, b, TB, INCR));
  const targets = writeTargets(a, b);
  const rest = await storedPart(ctx);
  rows.push(...rest.rows);
  targets.push(...rest.targets);
  return { name: "redis", rows, targets };
}
