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
 * Server CPU is reported raw and net of each node's idle CPU (measured right
 * before each load), with `INFO commandstats` time and calls per event.
 * A second section measures what `durability: "replicated"` costs.
 *
 * The projection (throughput ≈ shards × one shard's) and its assumptions are in
 * docs/cluster.md.
 */
import { Cluster } from "ioredis";
import { startPrivateCluster } from "./_cluster.js";
import { load, type ShardFigures, SLUGS } from "./_cluster_load.js";
import { pairedShards } from "./_cluster_paired.js";
import { listings, readAcrossShards } from "./_cluster_reads.js";
import { runDurability } from "./_durability.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const spread = (shares: number[]): number => Math.max(...shares.map((s) => Math.abs(s * shares.length - 1)));
const pct = (shares: number[]): string => shares.map((s) => `${(s * 100).toFixed(1)}%`).join(" / ");

export async function run(ctx: BenchContext): Promise<BenchSection[]> {
  const events = Math.max(2_000, Math.round(100_000 * ctx.scale));
  const idleMs = Math.max(1_000, Math.round(3_000 * ctx.scale));
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
        const figures = await load(cluster, client, events, buffered, idleMs);
        results.set(`${masters}:${mode}`, figures);
        rows.push(
          {
            name: `${mode}: events/s, 200 in flight, ${SLUGS} slugs (client-bound on 2 cores)`,
            subject: `${masters} master(s)`,
            value: Math.round(figures.eventsPerSecond),
            unit: "events/s",
          },
          {
            name: `${mode}: server CPU per event (all shards), raw`,
            subject: `${masters} master(s)`,
            value: figures.cpuMicrosPerEvent,
            unit: "µs",
          },
          {
            name: `${mode}: server CPU per event (all shards), net of idle CPU`,
            subject: `${masters} master(s)`,
            value: figures.netCpuMicrosPerEvent,
            unit: "µs",
          },
          {
            name: `${mode}: idle server CPU per node, measured over ${idleMs} ms before the load`,
            subject: `${masters} master(s)`,
            value: figures.idleMicrosPerSecond.reduce((s, v) => s + v, 0) / figures.masters,
            unit: `µs/s (${figures.idleMicrosPerSecond.map((v) => v.toFixed(0)).join(" / ")})`,
          },
          {
            name: `${mode}: time in commands per event (commandstats usec, all shards)`,
            subject: `${masters} master(s)`,
            value: figures.commandMicrosPerEvent,
            unit: "µs",
          },
          {
            name: `${mode}: commands per event (all shards)`,
            subject: `${masters} master(s)`,
            value: figures.callsPerEvent,
            unit: "calls",
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
      if (masters === 3) {
        // Redis spends part of its CPU per read system call: 200 calls in flight
        // split over 3 shards make pipelines a third as deep. The same depth per
        // shard (600 in flight) compares the cost of an event itself.
        ctx.log(`cluster: 3 masters, direct, 600 in flight (200 per shard)`);
        const deep = await load(cluster, client, events, false, idleMs, 600);
        results.set("3:direct-deep", deep);
        rows.push({
          name: "direct: server CPU per event (all shards), net of idle CPU, 200 in flight per shard",
          subject: "3 master(s), 600 in flight",
          value: deep.netCpuMicrosPerEvent,
          unit: `µs (raw ${deep.cpuMicrosPerEvent.toFixed(2)})`,
        });
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
    const raw = three.cpuMicrosPerEvent / one.cpuMicrosPerEvent;
    const ratio = three.netCpuMicrosPerEvent / one.netCpuMicrosPerEvent;
    const usec = three.commandMicrosPerEvent / one.commandMicrosPerEvent;
    const calls = three.callsPerEvent / one.callsPerEvent;
    const ratioRow = (what: string, value: number): BenchRow => ({
      name: `${mode}: ${what}, 3 shards vs 1`,
      subject: "ratio",
      value,
      unit: "×",
    });
    rows.push(
      ratioRow("server CPU per event, raw", raw),
      ratioRow("server CPU per event, net of idle CPU", ratio),
      ratioRow("time in commands per event (commandstats usec)", usec),
      ratioRow("commands per event", calls),
    );
    targets.push(
      {
        name: `(a) ${mode}: every shard within ±15% of an even share of commands`,
        met: spread(three.commandShare) <= 0.15,
        detail: pct(three.commandShare),
      },
      {
        name: `(a) ${mode}: every shard within ±15% of an even share of server CPU (net of idle CPU)`,
        met: spread(three.cpuShare) <= 0.15,
        detail: pct(three.cpuShare),
      },
      {
        name: `(b) ${mode}: server CPU µs/event on 3 shards within 10% of 1 shard (net of idle CPU)`,
        met: ratio <= 1.1,
        detail: `net ${three.netCpuMicrosPerEvent.toFixed(2)} vs ${one.netCpuMicrosPerEvent.toFixed(2)} µs (${ratio.toFixed(3)}×); raw ${three.cpuMicrosPerEvent.toFixed(2)} vs ${one.cpuMicrosPerEvent.toFixed(2)} µs (${raw.toFixed(3)}×)`,
      },
      {
        name: `(b) ${mode}: same commands per event and time in them on 3 shards as on 1 (±10%)`,
        met: Math.abs(calls - 1) <= 0.1 && usec <= 1.1,
        detail: `${three.callsPerEvent.toFixed(3)} vs ${one.callsPerEvent.toFixed(3)} calls (${calls.toFixed(3)}×); ${three.commandMicrosPerEvent.toFixed(2)} vs ${one.commandMicrosPerEvent.toFixed(2)} µs in commands (${usec.toFixed(3)}×)`,
      },
    );
  }
  const one = results.get("1:direct");
  const deep = results.get("3:direct-deep");
  if (one && deep) {
    const ratio = deep.netCpuMicrosPerEvent / one.netCpuMicrosPerEvent;
    rows.push({
      name: "direct: server CPU per event, net of idle CPU, 200 in flight per shard, 3 shards vs 1",
      subject: "ratio",
      value: ratio,
      unit: "×",
    });
    targets.push({
      name: "(b) direct: server CPU µs/event on 3 shards within 10% of 1 shard at the same depth per shard (net of idle CPU)",
      met: ratio <= 1.1,
      detail: `net ${deep.netCpuMicrosPerEvent.toFixed(2)} vs ${one.netCpuMicrosPerEvent.toFixed(2)} µs (${ratio.toFixed(3)}×); raw ${deep.cpuMicrosPerEvent.toFixed(2)} vs ${one.cpuMicrosPerEvent.toFixed(2)} µs; ${deep.callsPerEvent.toFixed(3)} vs ${one.callsPerEvent.toFixed(3)} commands per event`,
    });
  }
  const paired = await pairedShards(
    ctx,
    events,
    idleMs,
    Math.max(3, Math.round(5 * Math.min(1, ctx.scale * 2))),
  );
  rows.push(...paired.rows);
  targets.push(paired.target);
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
  return [{ name: "Redis Cluster: 1 vs 3 masters", rows, targets }, await runDurability(ctx)];
}
