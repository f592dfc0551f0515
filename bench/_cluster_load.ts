/**
 * One load of the cluster section: record over 1,000 slugs (direct or
 * buffered, 200 in flight unless told) and read what it cost the servers. A server also
 * burns CPU when idle (serverCron, and on a Cluster the bus gossip, which grows
 * with the number of nodes), so an idle baseline is measured per node right
 * before the load and its rate × the load's duration is subtracted: raw and
 * net figures are both kept. `INFO commandstats` gives what Redis spent in
 * the commands themselves (usec) and how many ran: both per event prove that
 * an event is not split into more or costlier commands on more shards.
 */
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster } from "ioredis";
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import { nodeStats, type PrivateCluster, statsDelta } from "./_cluster.js";
import { concurrentRate } from "./_measure.js";

export const SLUGS = 1_000;
export const T0 = Date.UTC(2026, 0, 5, 12);
const H = 3_600_000;

export interface ShardFigures {
  masters: number;
  eventsPerSecond: number;
  /** Server CPU (user + sys) per event over all shards, as measured. */
  cpuMicrosPerEvent: number;
  /** The same less each node's idle CPU over the load's duration. */
  netCpuMicrosPerEvent: number;
  /** Idle CPU of each node, µs per second. */
  idleMicrosPerSecond: number[];
  /** µs Redis spent in commands per event (`INFO commandstats` usec). */
  commandMicrosPerEvent: number;
  /** Commands per event. */
  callsPerEvent: number;
  /** Share of commands per shard (fractions summing to 1). */
  commandShare: number[];
  /** Share of net server CPU per shard. */
  cpuShare: number[];
}

export function open(client: Cluster, prefix: string, buffered: boolean): Metrics {
  return createMetrics({
    store: redisStore({ client, prefix }),
    granularities: { min: "hours", max: "years" },
    now: () => T0,
    ...(buffered ? { capture: { mode: "buffered" as const, flushMs: 1000 } } : {}),
  });
}

const snapshot = (cluster: PrivateCluster) => Promise.all(cluster.nodes.map((n) => nodeStats(n.admin)));

/**
 * The slugs among `s0`…`s999` whose keys live on master `k` (by the
 * client's slot table; a slug's keys share its `{slug}` hash tag).
 */
export async function slugsOfShard(client: Cluster, cluster: PrivateCluster, k: number): Promise<string[]> {
  await client.ping(); // the slot table is loaded on connect
  const keySlot = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;
  const address = `127.0.0.1:${cluster.nodes[k]?.port}`;
  const slots = (client as unknown as { slots: string[][] }).slots;
  const slugs: string[] = [];
  for (let i = 0; i < SLUGS; i++) if (slots[keySlot(`{s${i}}`)]?.[0] === address) slugs.push(`s${i}`);
  return slugs;
}

/**
 * Record `events` over the 1,000 slugs (or over `only`, e.g. one shard's
 * slugs) with `inFlight` calls at a time, and read what it cost each node.
 */
export async function load(
  cluster: PrivateCluster,
  client: Cluster,
  events: number,
  buffered: boolean,
  idleMs: number,
  inFlight = 200,
  only?: readonly string[],
): Promise<ShardFigures> {
  const m = open(client, `bench-${buffered ? "b" : "d"}`, buffered);
  const slugs = only ?? Array.from({ length: SLUGS }, (_, i) => `s${i}`);
  // Warm-up: register every slug so the measured part is steady-state recording.
  await concurrentRate(
    (i) => m.record(slugs[i % slugs.length] as string, { at: T0 }),
    slugs.length,
    200,
    () => m.flush(),
  );
  const idleStart = await snapshot(cluster);
  const idleT0 = process.hrtime.bigint();
  await sleep(idleMs);
  const idleEnd = await snapshot(cluster);
  const idleSeconds = Number(process.hrtime.bigint() - idleT0) / 1e9;
  const idleRate = idleEnd.map((a, i) => statsDelta(idleStart[i] ?? a, a).cpuSeconds / idleSeconds);

  const before = await snapshot(cluster);
  const t0 = process.hrtime.bigint();
  const rate = await concurrentRate(
    (i) => m.record(slugs[(i * 7919) % slugs.length] as string, { at: T0 + (i % 48) * H }),
    events,
    inFlight,
    () => m.flush(),
  );
  const after = await snapshot(cluster);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await m.dispose();
  const deltas = after.map((a, i) => statsDelta(before[i] ?? a, a));
  const net = deltas.map((d, i) => Math.max(0, d.cpuSeconds - (idleRate[i] ?? 0) * seconds));
  const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
  const commands = sum(deltas.map((d) => d.commands));
  const netCpu = sum(net);
  return {
    masters: cluster.nodes.length,
    eventsPerSecond: rate,
    cpuMicrosPerEvent: (sum(deltas.map((d) => d.cpuSeconds)) * 1e6) / events,
    netCpuMicrosPerEvent: (netCpu * 1e6) / events,
    idleMicrosPerSecond: idleRate.map((r) => r * 1e6),
    commandMicrosPerEvent: sum(deltas.map((d) => d.commandMicros)) / events,
    callsPerEvent: commands / events,
    commandShare: deltas.map((d) => d.commands / Math.max(commands, 1)),
    cpuShare: net.map((c) => c / Math.max(netCpu, 1e-9)),
  };
}
