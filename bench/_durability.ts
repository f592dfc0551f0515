/**
 * What `durability: "replicated"` costs: record() throughput on a private
 * master with one replica (both started here), sequential and 200 in flight,
 * "async" against "replicated" in interleaved rounds (same run, same load),
 * and the WAIT commands the master saw per event (one per node and round
 * trip of writes, not one per record).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import { concurrentRate, interleaved, sequentialRate } from "./_measure.js";
import { startPrivateRedis } from "./_server.js";
import type { BenchContext, BenchSection } from "./_types.js";

const SLUGS = 100;
const T0 = Date.UTC(2026, 0, 5, 12);

async function waitCalls(admin: Redis): Promise<number> {
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(String(await admin.info("commandstats")))?.[1] ?? 0);
}

export async function runDurability(ctx: BenchContext): Promise<BenchSection> {
  const sequential = Math.max(500, Math.round(5_000 * ctx.scale));
  const inFlight = Math.max(2_000, Math.round(50_000 * ctx.scale));
  const rounds = 3;
  ctx.log("durability: starting a master and its replica");
  const master = await startPrivateRedis();
  const replica = await startPrivateRedis();
  const admin = new Redis(master.url);
  const replicaAdmin = new Redis(replica.url);
  const stores: Metrics[] = [];
  try {
    await admin.config("SET", "repl-diskless-sync-delay", "0");
    // Load the initial sync from the socket: no dump.rdb in the working directory.
    await replicaAdmin.config("SET", "repl-diskless-load", "swapdb");
    await replicaAdmin.call("replicaof", "127.0.0.1", String(master.port));
    for (let attempt = 0; !/slave0:.*state=online/.test(await admin.info("replication")); attempt++) {
      if (attempt > 400) throw new Error("the bench replica did not come online");
      await sleep(25);
    }
    const open = (durability: "async" | "replicated") => {
      const m = createMetrics({
        store: redisStore({ url: master.url, prefix: `bench-${durability}`, durability }),
        granularities: { min: "hours", max: "years" },
        now: () => T0,
      });
      stores.push(m);
      return m;
    };
    const metrics = { async: open("async"), replicated: open("replicated") };
    for (const m of Object.values(metrics)) {
      await concurrentRate((i) => m.record(`s${i % SLUGS}`), SLUGS, 50);
    }
    const op = (m: Metrics) => (i: number) => m.record(`s${(i * 37) % SLUGS}`);
    ctx.log(
      `durability: ${rounds} interleaved rounds of ${sequential} sequential and ${inFlight} concurrent records`,
    );
    const rates = await interleaved(
      {
        "sequential async": () => sequentialRate(op(metrics.async), sequential),
        "sequential replicated": () => sequentialRate(op(metrics.replicated), sequential),
        "200 in flight async": () => concurrentRate(op(metrics.async), inFlight, 200),
        "200 in flight replicated": () => concurrentRate(op(metrics.replicated), inFlight, 200),
      },
      rounds,
    );
    const before = await waitCalls(admin);
    await concurrentRate(op(metrics.replicated), inFlight, 200);
    const waitsPerEvent = ((await waitCalls(admin)) - before) / inFlight;
    const rows: BenchSection["rows"] = [];
    for (const [name, value] of Object.entries(rates)) {
      const [shape, durability] = [name.replace(/ (async|replicated)$/, ""), name.split(" ").pop() ?? ""];
      rows.push({
        name: `record(), ${shape}, ${SLUGS} slugs`,
        subject: durability,
        value: Math.round(value),
        unit: "events/s",
      });
    }
    const seqRatio = rates["sequential replicated"] / rates["sequential async"];
    const concRatio = rates["200 in flight replicated"] / rates["200 in flight async"];
    rows.push(
      { name: "record(), sequential: replicated vs async", subject: "ratio", value: seqRatio, unit: "×" },
      { name: "record(), 200 in flight: replicated vs async", subject: "ratio", value: concRatio, unit: "×" },
      {
        name: "record(), 200 in flight, replicated: WAIT commands per event",
        subject: "replicated",
        value: waitsPerEvent,
        unit: "calls",
      },
    );
    return {
      name: `Redis durability: "async" vs "replicated" (1 master + 1 replica, median of ${rounds} interleaved rounds)`,
      rows,
      targets: [
        {
          name: "replicated: one WAIT per round trip of writes, not one per record (200 in flight)",
          met: waitsPerEvent < 0.5,
          detail: `${waitsPerEvent.toFixed(3)} WAIT per event; throughput ×${seqRatio.toFixed(2)} sequential, ×${concRatio.toFixed(2)} at 200 in flight`,
        },
      ],
    };
  } finally {
    for (const m of stores) await m.dispose().catch(() => {});
    admin.disconnect();
    replicaAdmin.disconnect();
    await replica.stop();
    await master.stop();
  }
}
