/**
 * Reads of the cluster section: (c) historyMany() over 100 slugs spread on
 * every shard (script calls per shard, round trips, latency against one
 * slug) and (d) slugs() / categories() with many slugs.
 */
import type { Cluster } from "ioredis";
import { nodeStats, type PrivateCluster, statsDelta } from "./_cluster.js";
import { open, T0 } from "./_cluster_load.js";
import { median, timeOnce } from "./_measure.js";
import { countRedis } from "./_round-trips.js";

const H = 3_600_000;

export async function readAcrossShards(
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

export async function listings(
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
