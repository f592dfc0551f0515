/**
 * Cluster (b) under the conditions of a core per shard. A 1-master and a
 * 3-master cluster run side by side. In each paired round, each shard's own
 * slugs are recorded on the 3-master cluster (that shard busy, the other two
 * idle) and the very same slugs on the 1-master cluster, in alternating
 * order, so both subjects do identical client work. Sharing 2 cores with the
 * client and the other servers only ever adds CPU time to a load, never
 * removes it, so each subject's minimum over the rounds is its cost per event
 * (the usual estimator for timings disturbed by other work); the ratio per
 * shard is 3-master ÷ 1-master. Idle CPU is subtracted per node as in
 * `load()`.
 */
import { Cluster } from "ioredis";
import { type PrivateCluster, startPrivateCluster } from "./_cluster.js";
import { load, type ShardFigures, slugsOfShard } from "./_cluster_load.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];

const connect = (cluster: PrivateCluster): Cluster =>
  new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));

export async function pairedShards(
  ctx: BenchContext,
  events: number,
  idleMs: number,
  rounds: number,
): Promise<{ rows: BenchRow[]; target: Target }> {
  ctx.log("cluster: 1 and 3 masters side by side for paired per-shard rounds");
  const one = await startPrivateCluster(1);
  const three = await startPrivateCluster(3);
  const oneClient = connect(one);
  const threeClient = connect(three);
  try {
    const owned = await Promise.all([0, 1, 2].map((k) => slugsOfShard(threeClient, three, k)));
    const best: { one: ShardFigures | undefined; three: ShardFigures | undefined }[] = owned.map(() => ({
      one: undefined,
      three: undefined,
    }));
    const keep = (current: ShardFigures | undefined, next: ShardFigures) =>
      current === undefined || next.netCpuMicrosPerEvent < current.netCpuMicrosPerEvent ? next : current;
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < owned.length; k++) {
        const slugs = owned[k] as string[];
        const pair = best[k] as (typeof best)[number];
        ctx.log(`cluster: paired round ${round + 1}/${rounds}, shard ${k + 1}'s ${slugs.length} slugs`);
        const onOne = () => load(one, oneClient, events, false, idleMs, 200, slugs);
        const onThree = () => load(three, threeClient, events, false, idleMs, 200, slugs);
        if ((round + k) % 2 === 0) {
          pair.one = keep(pair.one, await onOne());
          pair.three = keep(pair.three, await onThree());
        } else {
          pair.three = keep(pair.three, await onThree());
          pair.one = keep(pair.one, await onOne());
        }
      }
    }
    const rows: BenchRow[] = [];
    const ratios = best.map(({ one: a, three: b }, k) => {
      const f1 = a as ShardFigures;
      const f3 = b as ShardFigures;
      const ratio = f3.netCpuMicrosPerEvent / f1.netCpuMicrosPerEvent;
      rows.push({
        name: `direct: server CPU per event, net of idle, shard k's own slugs, minimum of ${rounds} paired rounds`,
        subject: `shard ${k + 1} of 3 vs 1 master`,
        value: ratio,
        unit: `× (${f3.netCpuMicrosPerEvent.toFixed(2)} vs ${f1.netCpuMicrosPerEvent.toFixed(2)} µs; ${f3.callsPerEvent.toFixed(3)} vs ${f1.callsPerEvent.toFixed(3)} commands/event)`,
      });
      return ratio;
    });
    return {
      rows,
      target: {
        name: `(b) direct: server CPU µs/event of each of 3 shards within 10% of 1 master on the same slugs, one shard loaded at a time (as with a core per shard; minimum of ${rounds} paired rounds)`,
        met: ratios.every((r) => r <= 1.1),
        detail: ratios.map((r) => `${r.toFixed(3)}×`).join(" / "),
      },
    };
  } finally {
    await oneClient.quit().catch(() => oneClient.disconnect());
    await threeClient.quit().catch(() => threeClient.disconnect());
    await one.stop();
    await three.stop();
  }
}
