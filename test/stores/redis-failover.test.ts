/**
 * A master of a private Redis Cluster (3 masters, 1 replica each,
 * cluster-node-timeout 1 s) is cut off from its (paused) replica and 150 ms
 * later killed with SIGKILL while direct and buffered capture keep recording to 100
 * slugs each, through two stores at once: one with `durability: "replicated"`,
 * one with the default "async". Its replica is promoted, the old master comes
 * back as its replica, and recording goes on. Then the stored totals are compared with
 * an independent tally of acknowledged and attempted records:
 *
 * - "replicated": nothing acknowledged is lost (stored ≥ acknowledged) and
 *   nothing is counted twice (stored ≤ attempted), on every slug;
 * - "async": nothing is counted twice; the acknowledged records the failover
 *   lost are reported, not asserted (Redis replicates asynchronously: what
 *   the master applied but had not yet sent to its replica is gone).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { type PrivateRedis, randomPrefix, startCluster } from "./redis-helpers.js";

const run = promisify(execFile);
const T0 = Date.UTC(2024, 4, 1, 12);
const SLUGS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: { nodes: PrivateRedis[]; stop(): Promise<void> };
/** One client per durability: WAIT blocks the connection it is sent on, so "async" gets its own. */
const clients: Cluster[] = [];
const connect = (): Cluster => {
  const client = new Cluster(
    cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
    { slotsRefreshInterval: 500 },
  );
  client.on("error", () => {}); // the killed node's connection errors; calls are retried by the store
  clients.push(client);
  return client;
};
beforeAll(async () => {
  cluster = await startCluster({ replicas: 1, nodeTimeoutMs: 1000 });
}, 120_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

/** Per slug: what resolved (acknowledged) and what was sent at all (attempted). */
class Tally {
  readonly acked = new Map<string, number>();
  readonly attempted = new Map<string, number>();
  rejected = 0;
  add(into: Map<string, number>, slug: string, by: number): void {
    into.set(slug, (into.get(slug) ?? 0) + by);
  }
}

/** `CLUSTER NODES` of a live node: [id, port, role, master id]. */
async function clusterNodes(port: number): Promise<{ id: string; port: number; master: string | null }[]> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "cluster", "nodes"]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => {
      const [id, address, flags, master] = line.split(" ") as [string, string, string, string];
      return {
        id,
        port: Number(address.split(":")[1]?.split("@")[0]),
        master: flags.includes("master") && !flags.includes("fail") ? null : master,
      };
    });
}

/** Record with direct capture, sequentially and 100 in flight, until told to stop. */
function directLoad(m: Metrics, tally: Tally, running: () => boolean): Promise<void>[] {
  let n = 0;
  const one = async (): Promise<void> => {
    const slug = `d_${n++ % SLUGS}`;
    const by = 1 + (n % 3);
    tally.add(tally.attempted, slug, by);
    try {
      await m.record(slug, { by });
      tally.add(tally.acked, slug, by);
    } catch {
      tally.rejected += 1;
    }
  };
  return [
    (async () => {
      while (running()) await one();
    })(),
    (async () => {
      while (running()) await Promise.all(Array.from({ length: 100 }, one));
    })(),
  ];
}

/**
 * Record with buffered capture; each `flush()` that resolves acknowledges every
 * record made before it (a failed flush keeps its batch and the next one sends it).
 */
async function bufferedLoad(m: Metrics, tally: Tally, running: () => boolean): Promise<void> {
  let n = 0;
  let pending = new Map<string, number>();
  while (running()) {
    for (let i = 0; i < 200; i++) {
      const slug = `b_${n++ % SLUGS}`;
      await m.record(slug);
      tally.add(tally.attempted, slug, 1);
      tally.add(pending, slug, 1);
    }
    try {
      await m.flush();
      for (const [slug, by] of pending) tally.add(tally.acked, slug, by);
      pending = new Map();
    } catch {
      tally.rejected += 1;
      await sleep(20);
    }
  }
  // The last batches, once the cluster answers again.
  for (let attempt = 0; ; attempt++) {
    try {
      await m.flush();
      for (const [slug, by] of pending) tally.add(tally.acked, slug, by);
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(100);
    }
  }
}

interface Outcome {
  acknowledged: number;
  attempted: number;
  stored: number;
  lost: number;
  doubled: number;
  rejected: number;
}

/** Compare stored totals (and each slug's day bucket) with the tally. */
async function compare(m: Metrics, tally: Tally): Promise<Outcome> {
  const out: Outcome = {
    acknowledged: 0,
    attempted: 0,
    stored: 0,
    lost: 0,
    doubled: 0,
    rejected: tally.rejected,
  };
  const days = await m.historyMany([...tally.attempted.keys()], { from: T0, to: T0, granularity: "days" });
  for (const [slug, attempted] of tally.attempted) {
    const total = await m.total(slug);
    expect(days[slug]?.[0]?.count ?? 0, `${slug}: day bucket = total`).toBe(total);
    const acked = tally.acked.get(slug) ?? 0;
    out.acknowledged += acked;
    out.attempted += attempted;
    out.stored += total;
    out.lost += Math.max(0, acked - total);
    out.doubled += Math.max(0, total - attempted);
  }
  return out;
}

describe("redis store through a Cluster failover", () => {
  it("keeps every record acknowledged with durability replicated, and never counts one twice", async () => {
    const byMode = { replicated: connect(), async: connect() };
    const open = (durability: "replicated" | "async", buffered: boolean, prefix: string) =>
      createMetrics({
        store: redisStore({ client: byMode[durability], prefix, durability, commandTimeoutMs: 20_000 }),
        now: () => T0,
        ...(buffered ? { capture: { mode: "buffered" as const, flushMs: 60_000 } } : {}),
      });
    const prefixes = { replicated: randomPrefix(), async: randomPrefix() };
    const stores = {
      replicated: {
        direct: open("replicated", false, prefixes.replicated),
        buffered: open("replicated", true, prefixes.replicated),
      },
      async: { direct: open("async", false, prefixes.async), buffered: open("async", true, prefixes.async) },
    };
    const tallies = {
      replicated: { direct: new Tally(), buffered: new Tally() },
      async: { direct: new Tally(), buffered: new Tally() },
    };
    let running = true;
    const live = () => running;
    const loads: Promise<void>[] = [];
    for (const mode of ["replicated", "async"] as const) {
      loads.push(...directLoad(stores[mode].direct, tallies[mode].direct, live));
      loads.push(bufferedLoad(stores[mode].buffered, tallies[mode].buffered, live));
    }
    const ackedSoFar = () =>
      [
        tallies.replicated.direct,
        tallies.async.direct,
        tallies.replicated.buffered,
        tallies.async.buffered,
      ].map((t) => [...t.acked.values()].reduce((a, b) => a + b, 0));
    let beforeKill: number[] = [];
    let afterFailover: number[] = [];
    try {
      await sleep(2500);
      // Kill a master that has a replica; wait until the replica took its slots over.
      const first = cluster.nodes[0] as PrivateRedis;
      const topology = await clusterNodes(first.port);
      const victim = topology.find((n) => n.master === null) as { id: string; port: number };
      const heir = topology.find((n) => n.master === victim.id) as { id: string; port: number };
      expect(heir, "the master has a replica").toBeDefined();
      const victimNode = cluster.nodes.find((n) => n.port === victim.port) as PrivateRedis;
      const witness = cluster.nodes.find(
        (n) => n.port !== victim.port && n.port !== heir.port,
      ) as PrivateRedis;
      // As in a partition: the replica stops hearing from its master (it is
      // paused, and the master drops its replication link), the master keeps
      // acknowledging writes for 150 ms, then dies; the replica wakes up and is
      // promoted without those writes.
      const heirNode = cluster.nodes.find((n) => n.port === heir.port) as PrivateRedis;
      process.kill(heirNode.process.pid as number, "SIGSTOP");
      const victimAdmin = new Redis(victimNode.url);
      await victimAdmin.call("client", "kill", "type", "replica");
      victimAdmin.disconnect();
      await sleep(150);
      beforeKill = ackedSoFar();
      process.kill(victimNode.process.pid as number, "SIGKILL");
      process.kill(heirNode.process.pid as number, "SIGCONT");
      const admin = new Redis(witness.url);
      try {
        for (let attempt = 0; ; attempt++) {
          const nodes = await clusterNodes(witness.port);
          const promoted = nodes.find((n) => n.id === heir.id)?.master === null;
          const ok = String(await admin.cluster("INFO")).includes("cluster_state:ok");
          if (promoted && ok) break;
          if (attempt > 300) throw new Error("the replica was not promoted");
          await sleep(50);
        }
      } finally {
        admin.disconnect();
      }
      afterFailover = ackedSoFar();
      // Until the old master is back (as a replica of the new one), the promoted
      // master has no replica: "replicated" writes to its slots are refused then.
      await sleep(1000);
      await victimNode.restart();
      const heirAdmin = new Redis(`redis://127.0.0.1:${heir.port}`);
      try {
        for (let attempt = 0; ; attempt++) {
          const info = await heirAdmin.info("replication");
          if (/slave0:.*state=online/.test(info)) break;
          if (attempt > 400) throw new Error(`the old master did not rejoin as a replica: ${info}`);
          await sleep(50);
        }
      } finally {
        heirAdmin.disconnect();
      }
      // Keep recording on the new topology, with a replica again.
      await sleep(2000);
    } finally {
      running = false;
      await Promise.all(loads);
    }
    const ended = ackedSoFar();
    // Load ran before the kill and went on after the failover, in every store and mode.
    for (let i = 0; i < 4; i++) {
      expect(beforeKill[i], `load ${i} before the kill`).toBeGreaterThan(0);
      expect(ended[i], `load ${i} after the failover`).toBeGreaterThan(afterFailover[i] as number);
    }
    const results: Record<string, Outcome> = {};
    for (const mode of ["replicated", "async"] as const) {
      for (const capture of ["direct", "buffered"] as const) {
        results[`${mode} ${capture}`] = await compare(stores[mode][capture], tallies[mode][capture]);
      }
    }
    console.log(
      `failover results (records; acknowledged so far [replicated direct, async direct, replicated buffered, async buffered] at the kill ${beforeKill}, at the promotion ${afterFailover}, at the end ${ended}):\n${JSON.stringify(results)}`,
    );
    for (const [name, r] of Object.entries(results)) {
      expect(r.doubled, `${name}: no record counted twice`).toBe(0);
      if (name.startsWith("replicated")) expect(r.lost, `${name}: no acknowledged record lost`).toBe(0);
    }
    for (const mode of ["replicated", "async"] as const) {
      await stores[mode].direct.dispose();
      await stores[mode].buffered.dispose();
    }
  }, 240_000);
});
