/**
 * Cluster section: the quantities that decide how tallyboard scales on Redis
 * Cluster, measured on private clusters of 1 and 3 masters started here.
 * This machine has 2 cores shared by the client and every shard, so
 * throughput itself cannot show scaling; what is measured instead is:
 *
 * (a) how evenly commands and server CPU spread over the shards (1,000 slugs);
 * (b) server CPU µs per event on 3 shards vs 1 (no cross-slot amplification);
 * (c) historyMany() over 100 slugs on every shard: script calls per shard and
 *     latency against a single-slug read (all shards asked in parallel);
 * (d) slugs() / categories() with 10,000 slugs, and how they grow with shards.
 *
 * The projection (throughput ≈ shards × one shard's) and its assumptions are in
 * docs/cluster.md.
 */
import { Cluster } from "ioredis";
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import { nodeStats, type PrivateCluster, startPrivateCluster, statsDelta } from "./_cluster.js";
import { concurrentRate, median, timeOnce } from "./_measure.js";
import { countRedis } from "./_round-trips.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const SLUGS = 1_000;
const T0 = Date.UTC(2026, 0, 5, 12);
const H = 3_600_000;

interface ShardFigures {
  masters: number;
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** Share of commands per shard (fractions summing to 1). */
  commandShare: number[];
  cpuShare: number[];
}

function open(client: Cluster, prefix: string, buffered: boolean): Metrics {
  return createMetrics({
    store: redisStore({ client, prefix }),
    granularities: { min: "hours", max: "years" },
    now: () => T0,
    ...(buffered ? { capture: { mode: "buffered" as const, flushMs: 1000 } } : {}),
  });
}

async function load(
  cluster: PrivateCluster,
  client: Cluster,
  events: number,
  buffered: boolean,
): Promise<ShardFigures> {
  const m = open(client, `bench-${buffered ? "b" : "d"}`, buffered);
  // Warm-up: register every slug so the measured part is steady-state recording.
  await concurrentRate(
    (i) => m.record(`s${i % SLUGS}`, { at: T0 }),
    SLUGS,
    200,
    () => m.flush(),
  );
  const before = await Promise.all(cluster.nodes.map((n) => nodeStats(n.admin)));
  const rate = await concurrentRate(
    (i) => m.record(`s${(i * 7919) % SLUGS}`, { at: T0 + (i % 48) * H }),
    events,
    200,
    () => m.flush(),
  );
  const after = await Promise.all(cluster.nodes.map((n) => nodeStats(n.admin)));
  await m.dispose();
  const deltas = after.map((a, i) => statsDelta(before[i] ?? a, a));
  const commands = deltas.reduce((s, d) => s + d.commands, 0);
  const cpu = deltas.reduce((s, d) => s + d.cpuSeconds, 0);
  return {
    masters: cluster.nodes.length,
    eventsPerSecond: rate,
    cpuMicrosPerEvent: (cpu * 1e6) / events,
    commandShare: deltas.map((d) => d.commands / Math.max(commands, 1)),
    cpuShare: deltas.map((d) => d.cpuSeconds / Math.max(cpu, 1e-9)),
  };
}

async function readAcrossShards(
  cluster: PrivateCluster,
  client: Cluster,
  runs: number,
): Promise<{ manyMs: number; oneMs: number; callsPerShard: number[]; trips: number; pipelines: number }> {
  // Round trips counted by a client wrapping the store's Cluster connection (bench/_round-trips.ts).
  const counted = countRedis(client);
  const m = open(counted.client, "bench-r", false);
  const slugs = Array.from({ length: 100 }, (_, i) => `r${i}`);
  for (const slug of slugs) {
    await m.recordMany(Array.from({ length: 30 }, (_, d) => ({ slug, at: T0 - d * 24 * H, by: d + 1 })));
  }
  const range = { from: T0 - 29 * 24 * H, to: T0, granularity: "hours" as const };
  await m.historyMany(slugs, range);
  const before = await Promise.all(cluster.nodes.map((n) => nodeStats(n.admin)));
  counted.trips.reset();
  await m.historyMany(slugs, range);
  const trips = counted.trips.total;
  const pipelines = counted.trips.pipelines;
  const after = await Promise.all(cluster.nodes.map((n) => nodeStats(n.admin)));
  const callsPerShard = after.map((a, i) => {
    const d = statsDelta(before[i] ?? a, a);
    return [...d.calls.entries()].filter(([name]) => name.startsWith("eval")).reduce((s, [, n]) => s + n, 0);
  });
  const many: number[] = [];
  const one: number[] = [];
  for (let i = 0; i < runs; i++) {
    many.push(await timeOnce(() => m.historyMany(slugs, range)));
    one.push(await timeOnce(() => m.history("r0", range)));
  }
  await m.dispose();
  return { manyMs: median(many), oneMs: median(one), callsPerShard, trips, pipelines };
}

async function listings(
  client: Cluster,
  count: number,
  runs: number,
): Promise<{ slugsMs: number; categoriesMs: number }> {
  const m = open(client, "bench-l", true);
  for (let i = 0; i < count; i++) await m.record(`l${i}`, { by: 0, category: `c${i % 20}` });
  await m.flush();
  const found = await m.slugs();
  if (found.length !== count) throw new Error(`slugs() returned ${found.length}, expected ${count}`);
  const slugTimes: number[] = [];
  const categoryTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    slugTimes.push(await timeOnce(() => m.slugs()));
    categoryTimes.push(await timeOnce(() => m.categories()));
  }
  await m.dispose();
  return { slugsMs: median(slugTimes), categoriesMs: median(categoryTimes) };
}

const spread = (shares: number[]): number => Math.max(...shares.map((s) => Math.abs(s * shares.length - 1)));
const pct = (shares: number[]): string => shares.map((s) => `${(s * 100).toFixed(1)}%`).join(" / ");

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const events = Math.max(2_000, Math.round(100_000 * ctx.scale));
  const listed = Math.max(500, Math.round(10_000 * ctx.scale));
  const rows: BenchRow[] = [];
  const targets: NonNullable<BenchSection["targets"]> = [];
  const results = new Map<string, ShardFigures>();
  const reads = new Map<number, Awaited<ReturnType<typeof readAcrossShards>>>();
  const lists = new Map<number, Awaited<ReturnType<typeof listings>>>();
  for (const masters of [1, 3]) {
    ctx.log(`cluster: starting ${masters} master(s)`);
    const cluster = await startPrivateCluster(masters);
    const client = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
    try {
      for (const buffered of [false, true]) {
        const mode = buffered ? "buffered" : "direct";
        ctx.log(`cluster: ${masters} master(s), ${mode}, ${events} events over ${SLUGS} slugs`);
        const figures = await load(cluster, client, events, buffered);
        results.set(`${masters}:${mode}`, figures);
        rows.push(
          {
            name: `${mode}: events/s, 200 in flight, ${SLUGS} slugs (client-bound on 2 cores)`,
            subject: `${masters} master(s)`,
            value: Math.round(figures.eventsPerSecond),
            unit: "events/s",
          },
          {
            name: `${mode}: server CPU per event (all shards)`,
            subject: `${masters} master(s)`,
            value: figures.cpuMicrosPerEvent,
            unit: "µs",
          },
        );
        if (masters === 3) {
          ctx.log(
            `cluster: ${mode} command share ${pct(figures.commandShare)}, CPU share ${pct(figures.cpuShare)}`,
          );
          rows.push(
            {
              name: `${mode}: largest deviation from an even share of commands (3 shards)`,
              subject: pct(figures.commandShare),
              value: spread(figures.commandShare) * 100,
              unit: "%",
            },
            {
              name: `${mode}: largest deviation from an even share of server CPU (3 shards)`,
              subject: pct(figures.cpuShare),
              value: spread(figures.cpuShare) * 100,
              unit: "%",
            },
          );
        }
      }
      ctx.log(`cluster: ${masters} master(s), historyMany over 100 slugs`);
      reads.set(masters, await readAcrossShards(cluster, client, Math.max(5, Math.round(30 * ctx.scale))));
      ctx.log(`cluster: ${masters} master(s), listings with ${listed} slugs`);
      lists.set(masters, await listings(client, listed, Math.max(3, Math.round(10 * ctx.scale))));
    } finally {
      await client.quit().catch(() => client.disconnect());
      await cluster.stop();
    }
  }
  for (const mode of ["direct", "buffered"]) {
    const one = results.get(`1:${mode}`);
    const three = results.get(`3:${mode}`);
    if (!one || !three) continue;
    const ratio = three.cpuMicrosPerEvent / one.cpuMicrosPerEvent;
    rows.push({
      name: `${mode}: server CPU per event, 3 shards vs 1`,
      subject: "ratio",
      value: ratio,
      unit: "×",
    });
    targets.push(
      {
        name: `(a) ${mode}: every shard within ±15% of an even share of commands`,
        met: spread(three.commandShare) <= 0.15,
        detail: pct(three.commandShare),
      },
      {
        name: `(a) ${mode}: every shard within ±15% of an even share of server CPU`,
        met: spread(three.cpuShare) <= 0.15,
        detail: pct(three.cpuShare),
      },
      {
        name: `(b) ${mode}: server CPU µs/event on 3 shards within 10% of 1 shard`,
        met: ratio <= 1.1,
        detail: `${three.cpuMicrosPerEvent.toFixed(2)} vs ${one.cpuMicrosPerEvent.toFixed(2)} µs (${ratio.toFixed(3)}×)`,
      },
    );
  }
  for (const [masters, r] of reads) {
    rows.push(
      {
        name: "historyMany, 100 slugs × 30 days hourly: median",
        subject: `${masters} master(s)`,
        value: r.manyMs,
        unit: "ms",
      },
      {
        name: "history, 1 slug × 30 days hourly: median",
        subject: `${masters} master(s)`,
        value: r.oneMs,
        unit: "ms",
      },
      {
        name: "historyMany, 100 slugs: read-script calls per shard",
        subject: `${masters} master(s)`,
        value: r.callsPerShard.reduce((s, n) => s + n, 0),
        unit: `calls (${r.callsPerShard.join(" / ")})`,
      },
      {
        name: "historyMany, 100 slugs: network round trips (pipelines + single commands)",
        subject: `${masters} master(s)`,
        value: r.trips,
        unit: `round trips (${r.pipelines} pipelines)`,
      },
    );
  }
  const r3 = reads.get(3);
  if (r3) {
    targets.push({
      name: "(c) historyMany over 100 slugs asks every shard in parallel, one round trip per shard",
      met:
        r3.callsPerShard.every((n) => n > 0) &&
        r3.callsPerShard.reduce((s, n) => s + n, 0) === 100 &&
        r3.trips === r3.callsPerShard.length &&
        r3.pipelines === r3.trips,
      detail: `script calls per shard ${r3.callsPerShard.join(" / ")} in ${r3.trips} round trips (${r3.pipelines} pipelines); ${r3.manyMs.toFixed(2)} ms for 100 slugs vs ${r3.oneMs.toFixed(2)} ms for one`,
    });
  }
  for (const [masters, l] of lists) {
    rows.push(
      {
        name: `slugs() with ${listed} slugs: median`,
        subject: `${masters} master(s)`,
        value: l.slugsMs,
        unit: "ms",
      },
      {
        name: `categories() with ${listed} slugs in 20 categories: median`,
        subject: `${masters} master(s)`,
        value: l.categoriesMs,
        unit: "ms",
      },
    );
  }
  const l1 = lists.get(1);
  const l3 = lists.get(3);
  if (l1 && l3) {
    targets.push({
      name: "(d) slugs()/categories() grow at most linearly with shards",
      met: l3.slugsMs <= l1.slugsMs * 3 && l3.categoriesMs <= l1.categoriesMs * 3,
      detail: `slugs ${l1.slugsMs.toFixed(1)} → ${l3.slugsMs.toFixed(1)} ms, categories ${l1.categoriesMs.toFixed(2)} → ${l3.categoriesMs.toFixed(2)} ms`,
    });
  }
  return { name: "Redis Cluster: 1 vs 3 masters", rows, targets };
}
