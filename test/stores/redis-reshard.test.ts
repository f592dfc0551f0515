/**
 * Direct records keep arriving while `redis-cli --cluster reshard` moves slots
 * between the masters of a private 3-master Cluster: every key a script
 * touches is declared, so Redis answers ASK/MOVED/TRYAGAIN and the client
 * follows or retries; totals must equal the resolved calls exactly (a
 * rejected call is applied at most once) and the reshard must complete.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { type PrivateRedis, randomPrefix, startCluster } from "./redis-helpers.js";

const run = promisify(execFile);
const T0 = Date.UTC(2024, 4, 1, 12);
const SLUGS = Array.from({ length: 24 }, (_, i) => `rs_${i}`);

let cluster: { nodes: PrivateRedis[]; stop(): Promise<void> };
let client: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  client = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

/** Node id of a master. */
async function idOf(node: PrivateRedis): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(node.port), "cluster", "myid"]);
  return stdout.trim();
}

/** Move `slots` slots from one master to another with redis-cli (MIGRATE, ASK/MOVED). */
async function reshard(from: PrivateRedis, to: PrivateRedis, slots: number): Promise<void> {
  const [fromId, toId] = await Promise.all([idOf(from), idOf(to)]);
  await run(
    "redis-cli",
    [
      "--cluster",
      "reshard",
      `127.0.0.1:${from.port}`,
      "--cluster-from",
      fromId,
      "--cluster-to",
      toId,
      "--cluster-slots",
      String(slots),
      "--cluster-yes",
      "--cluster-pipeline",
      "10",
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}

describe("redis store during a Cluster reshard", () => {
  it("counts every resolved record exactly once while slots move", async () => {
    const m = createMetrics({
      store: redisStore({ client, prefix: randomPrefix(), commandTimeoutMs: 30_000 }),
      now: () => T0,
    });
    const resolved = new Map<string, number>();
    const rejected = new Map<string, number>();
    let errors = 0;
    let running = true;
    let n = 0;
    const one = async (): Promise<void> => {
      const slug = SLUGS[n++ % SLUGS.length] as string;
      const by = 1 + (n % 3);
      try {
        await m.record(slug, { by });
        resolved.set(slug, (resolved.get(slug) ?? 0) + by);
      } catch {
        errors += 1;
        rejected.set(slug, (rejected.get(slug) ?? 0) + by);
      }
    };
    const loads = [
      (async () => {
        while (running) await one();
      })(),
      (async () => {
        while (running) await Promise.all(Array.from({ length: 100 }, one));
      })(),
    ];
    const [a, b, c] = cluster.nodes as [PrivateRedis, PrivateRedis, PrivateRedis];
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await reshard(a, b, 600);
      await reshard(b, c, 900);
      await reshard(c, a, 700);
    } finally {
      running = false;
      await Promise.all(loads);
    }
    expect([...resolved.values()].reduce((x, y) => x + y, 0)).toBeGreaterThan(1000);
    for (const slug of SLUGS) {
      const total = await m.total(slug);
      const rows = await m.history(slug, { from: T0, to: T0, granularity: "days" });
      const want = resolved.get(slug) ?? 0;
      expect(total, slug).toBeGreaterThanOrEqual(want);
      expect(total, slug).toBeLessThanOrEqual(want + (rejected.get(slug) ?? 0));
      expect(rows[0]?.count, slug).toBe(total);
    }
    expect(errors).toBe(0);
    // Every slot is served again, and the registries list every slug.
    expect(await m.slugs()).toEqual([...SLUGS].sort());
    await m.dispose();
  }, 180_000);
});
