/**
 * `redisStore({ durability })`: with "replicated" every write script is
 * followed by WAIT on the same connection, so a call resolves only once a
 * replica has the write, and rejects with E_STORE (the write applied on the
 * master) when no replica acknowledges in time. A private master with one
 * replica; the replica's link is cut with `REPLICAOF NO ONE` and restored.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import type { Command, RedisClient } from "../../src/stores/redis/_client.js";
import { replicatedClient } from "../../src/stores/redis/_durability.js";
import { SCRIPTS } from "../../src/stores/redis/_scripts.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { type PrivateRedis, randomPrefix, startRedis } from "./redis-helpers.js";

const T0 = Date.UTC(2024, 4, 1, 12);

let master: PrivateRedis;
let replica: PrivateRedis;
let masterAdmin: Redis;
let replicaAdmin: Redis;

/** Point the replica at the master and wait until both sides see the link up. */
async function attachReplica(): Promise<void> {
  await replicaAdmin.call("replicaof", "127.0.0.1", String(master.port));
  for (let attempt = 0; ; attempt++) {
    const info = await replicaAdmin.info("replication");
    const seen = await masterAdmin.info("replication");
    if (info.includes("master_link_status:up") && /slave0:.*state=online/.test(seen)) return;
    if (attempt > 400) throw new Error(`replica not attached: ${info}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Calls of WAIT seen by the master so far. */
async function waits(): Promise<number> {
  const info = await masterAdmin.info("commandstats");
  return Number(/cmdstat_wait:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

beforeAll(async () => {
  master = await startRedis(["--repl-diskless-sync-delay", "0"]);
  replica = await startRedis();
  masterAdmin = new Redis(master.url);
  replicaAdmin = new Redis(replica.url);
  await attachReplica();
}, 30_000);
afterAll(async () => {
  masterAdmin?.disconnect();
  replicaAdmin?.disconnect();
  await replica?.stop();
  await master?.stop();
});

describe("redisStore({ durability })", () => {
  it("validates the option before any I/O", () => {
    const bad = [
      "sync",
      null,
      ["replicated"],
      { replicas: 0 },
      { replicas: 1.5 },
      { timeoutMs: 0 },
      { timeoutMs: 10_000 },
      { timeoutMs: "1s" },
      { copies: 1 },
    ];
    for (const durability of bad) {
      let error: unknown;
      try {
        redisStore({ url: master.url, durability: durability as never });
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(durability)).toBeInstanceOf(MetricsError);
      expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
    }
    expect(() => redisStore({ url: master.url, durability: "async" })).not.toThrow();
    expect(() =>
      redisStore({ url: master.url, durability: { replicas: 1, timeoutMs: 50 }, commandTimeoutMs: 100 }),
    ).not.toThrow();
  });

  it("resolves a record, a batch and a flush only once a replica has them", async () => {
    const prefix = randomPrefix();
    const direct = createMetrics({
      store: redisStore({ url: master.url, prefix, durability: "replicated" }),
      now: () => T0,
    });
    const buffered = createMetrics({
      store: redisStore({ url: master.url, prefix, durability: "replicated" }),
      now: () => T0,
      capture: { mode: "buffered", flushMs: 60_000 },
    });
    const before = await waits();
    await direct.record("d_one", { by: 2 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => direct.record(`d_${i % 5}`)));
    await direct.recordMany([
      { slug: "d_many", by: 3 },
      { slug: "d_one", by: 1 },
    ]);
    for (let i = 0; i < 20; i++) await buffered.record(`b_${i % 4}`, { by: 1 });
    await buffered.flush();
    const used = (await waits()) - before;
    // One WAIT per round trip that wrote: the lone record, each together-batch, the batch, the flush.
    expect(used).toBeGreaterThanOrEqual(4);
    // The replica holds what was acknowledged (read it from the replica itself).
    const fromReplica = createMetrics({ store: redisStore({ url: replica.url, prefix }), now: () => T0 });
    const replicaTotal = async (slug: string) =>
      Number((await replicaAdmin.hget(`${prefix}:{${slug}}:m`, "t")) ?? 0);
    expect(await replicaTotal("d_one")).toBe(3);
    expect(await replicaTotal("d_many")).toBe(3);
    for (let i = 0; i < 5; i++) expect(await replicaTotal(`d_${i}`)).toBe(10);
    for (let i = 0; i < 4; i++) expect(await replicaTotal(`b_${i}`)).toBe(5);
    await Promise.all([direct.dispose(), buffered.dispose(), fromReplica.dispose()]);
  });

  it("rejects with E_STORE when no replica acknowledges, with the write applied on the master", async () => {
    const prefix = randomPrefix();
    const replicated = createMetrics({
      store: redisStore({
        url: master.url,
        prefix,
        durability: { replicas: 1, timeoutMs: 1000 },
        commandTimeoutMs: 5_000,
      }),
      now: () => T0,
    });
    const buffered = createMetrics({
      store: redisStore({
        url: master.url,
        prefix,
        durability: { timeoutMs: 1000 },
        commandTimeoutMs: 5_000,
      }),
      now: () => T0,
      capture: { mode: "buffered", flushMs: 60_000 },
    });
    const relaxed = createMetrics({ store: redisStore({ url: master.url, prefix }), now: () => T0 });
    await replicated.record("w_a"); // registered while the replica is there
    await replicaAdmin.call("replicaof", "no", "one");
    try {
      const expectUnacknowledged = async (work: Promise<unknown>) => {
        const error = await work.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(MetricsError);
        expect((error as MetricsError).code).toBe("E_STORE");
        expect((error as MetricsError).message).toMatch(/not acknowledged by 1 replica\(s\) within 1000 ms/);
      };
      await expectUnacknowledged(replicated.record("w_a", { by: 5 }));
      await expectUnacknowledged(Promise.all([replicated.record("w_b"), replicated.record("w_c")]));
      await expectUnacknowledged(replicated.recordMany([{ slug: "w_d", by: 7 }]));
      await buffered.record("w_e", { by: 4 });
      await expectUnacknowledged(buffered.flush());
      // "async" on the same master does not wait.
      await relaxed.record("w_f", { by: 2 });
      // Rejected, yet applied on the master: what a failover now could lose.
      expect(await relaxed.total("w_a")).toBe(6);
      expect(await relaxed.total("w_b")).toBe(1);
      expect(await relaxed.total("w_d")).toBe(7);
      expect(await relaxed.total("w_f")).toBe(2);
      // Applied, so listed too: the registries are written even when WAIT fell short.
      expect(await relaxed.slugs()).toEqual(
        expect.arrayContaining(["w_a", "w_b", "w_c", "w_d", "w_e", "w_f"]),
      );
      // Reads do not wait for replicas.
      expect((await replicated.history("w_a", { from: T0, to: T0, granularity: "days" }))[0]?.count).toBe(6);
    } finally {
      await attachReplica();
    }
    await replicated.record("w_a", { by: 1 });
    expect(await relaxed.total("w_a")).toBe(7);
    // The kept batch is sent again under its id: found applied, it is confirmed by a
    // fence write that a replica acknowledges, and counted once.
    await buffered.flush();
    expect(await relaxed.total("w_e")).toBe(4);
    expect(Number(await replicaAdmin.hget(`${prefix}:{w_e}:m`, "t"))).toBe(4);
    await Promise.all([replicated.dispose(), buffered.dispose(), relaxed.dispose()]);
  }, 30_000);

  it("confirms a direct batch re-sent on a new connection only once a replica has its first copy", async () => {
    // ioredis re-sends a batch whose reply was lost on a fresh connection. Found
    // applied (every slug's sequence number seen), the BATCH writes nothing and
    // answers { 0 }, so the store confirms it with a fence write of its own and a
    // WAIT for that: the call resolves only once a replica has the first copy.
    const prefix = randomPrefix();
    const q = `q:${Math.floor(Date.now() / 1000)}:3600:fencefen`;
    const meta = `${prefix}:{f}:m`;
    const chunk = `${prefix}:{f}:c:h:1`;
    const batch = (seq: number): Command => [
      "evalsha",
      SCRIPTS.batch.sha,
      2,
      meta,
      chunk,
      "w",
      0,
      q,
      seq - 1,
      `1 ${seq} 1 0 1 5 0 1`,
    ];
    await masterAdmin.script("LOAD", SCRIPTS.batch.source);
    const opened: Redis[] = [];
    /** One pipeline on a new connection through the replicated client: its [error, reply]. */
    const sendOnNewConnection = async (command: Command) => {
      const raw = new Redis(master.url);
      opened.push(raw);
      const client = replicatedClient(raw as unknown as RedisClient, { replicas: 1, timeoutMs: 500 });
      const replies = await client.pipeline([command]).exec();
      return (replies as [Error | null, unknown][])[0] as [Error | null, unknown];
    };
    const pid = replica.process.pid as number;
    try {
      expect(await sendOnNewConnection(batch(1))).toEqual([null, [1, 1]]); // applied; unregistered slug listed
      process.kill(pid, "SIGSTOP"); // connected, but acknowledges nothing
      try {
        const [lost] = await sendOnNewConnection(batch(2)); // applied on the master, WAIT times out
        expect(lost).toBeInstanceOf(MetricsError);
        const [resent, reply] = await sendOnNewConnection(batch(2)); // the re-sent copy: a duplicate
        expect(reply).toBeUndefined();
        expect(resent).toBeInstanceOf(MetricsError);
        expect((resent as MetricsError).message).toMatch(/not acknowledged by 1 replica/);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      // With the replica back, the duplicate is confirmed by its fence, and counted once.
      expect(await sendOnNewConnection(batch(2))).toEqual([null, [0]]);
      expect(await masterAdmin.hget(meta, "t")).toBe("2");
      expect(await replicaAdmin.hget(meta, "t")).toBe("2");
      expect(await replicaAdmin.hget(chunk, "5")).toBe("2");
    } finally {
      for (const raw of opened) raw.disconnect();
      await masterAdmin.del(meta, chunk);
    }
  }, 30_000);
});
