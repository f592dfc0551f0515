import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { archive, tieredStore } from "../../src/stores/tiered/index.js";
import type { Store } from "../../src/stores/types.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../stores/_postgres.js";
import { dropPrefix, randomPrefix, SHARED_URL, startCluster } from "../stores/redis-helpers.js";

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2025, 5, 15, 12);
const TZ = "America/New_York";
const SLUGS = ["signups", "page_views", "orders"];

/** Deterministic records over the last 200 days (hours..years), the same for every store. */
function events(seed: number, n: number) {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  return Array.from({ length: n }, () => ({
    slug: SLUGS[Math.floor(rand() * SLUGS.length)] ?? "signups",
    at: NOW - Math.floor(rand() * 200 * D),
    by: 1 + Math.floor(rand() * 9),
    category: "shop",
  }));
}

const open = (store: Store): Metrics =>
  createMetrics({ store, timezone: TZ, now: () => NOW, granularities: { min: "hours", max: "years" } });

/** Every granularity's history over the whole 200 days, and totals, through `m`. */
async function snapshot(m: Metrics) {
  const out: Record<string, unknown> = {};
  for (const slug of SLUGS) {
    for (const granularity of GRANULARITIES.slice(1)) {
      const rows = await m.history(slug, { from: NOW - 201 * D, to: NOW, granularity });
      out[`${slug}:${granularity}`] = rows.map((r) => r.count);
    }
    out[`${slug}:total`] = await m.total(slug);
  }
  out.slugs = await m.slugs();
  out.categories = await m.categorySlugs("shop");
  return out;
}

/** Chunk keys of `prefix` still in Redis, by SCAN. */
async function chunkKeys(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:{*}:[ca]:*`, "COUNT", 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(SHARED_URL);
});
afterAll(async () => {
  await redis.quit();
});

describe("archive() and tieredStore()", () => {
  it("moves buckets older than the boundary into Postgres; reads across both tiers stay exact", async () => {
    const prefix = randomPrefix();
    const schema = uniqueSchema("tier");
    const expected = open(memoryStore());
    const hot = redisStore({ url: SHARED_URL, prefix });
    const cold = postgresStore({ url: POSTGRES_URL, schema, maxConnections: 4 });
    const m = open(tieredStore({ hot, cold }));
    try {
      const batch = events(7, 3000);
      await expected.recordMany(batch);
      await m.recordMany(batch);
      const before = await snapshot(expected);
      expect(await snapshot(m)).toEqual(before);

      const moved = await archive({ from: hot, to: cold, olderThan: "90d", now: NOW, timezone: TZ });
      expect(moved.chunks).toBeGreaterThan(0);
      expect(moved.count).toBeGreaterThan(0);
      expect(await snapshot(m)).toEqual(before);
      // Nothing older than the boundary is left in Redis: every remaining hour chunk ends after it.
      for (const key of await chunkKeys(redis, prefix)) {
        expect(key).toMatch(/:c:/);
        const [, code, chunk] = /:c:([a-z]+):(-?\d+)$/.exec(key) ?? [];
        if (code === "h") expect((Number(chunk) + 1) * 120 * H).toBeGreaterThan(moved.before);
      }
      // Idempotent: a second run moves nothing and changes nothing.
      const again = await archive({ from: hot, to: cold, olderThan: "90d", now: NOW, timezone: TZ });
      expect(again.chunks).toBe(0);
      expect(await snapshot(m)).toEqual(before);

      // A late record for an archived hour lands in Redis; both tiers add up, and the next run moves it.
      const late = { slug: "orders", at: NOW - 150 * D, by: 5, category: "shop" };
      await expected.record(late.slug, late);
      await m.record(late.slug, late);
      const after = await snapshot(expected);
      expect(await snapshot(m)).toEqual(after);
      // Moved again: the chunks of that record that lie wholly before the boundary (whole hours/days chunks).
      const lateMove = await archive({ from: hot, to: cold, olderThan: "90d", now: NOW, timezone: TZ });
      expect(lateMove.count).toBeGreaterThanOrEqual(5);
      expect(lateMove.count % 5).toBe(0);
      expect(await snapshot(m)).toEqual(after);
    } finally {
      await m.dispose();
      await dropPrefix(redis, prefix);
      await dropSchema(schema);
    }
  });

  it("a run that stops between the cold write and the delete, or before the cold write, counts once", async () => {
    const prefix = randomPrefix();
    const hot = redisStore({ url: SHARED_URL, prefix });
    const cold = memoryStore();
    const expected = open(memoryStore());
    const m = open(tieredStore({ hot, cold }));
    try {
      const batch = events(11, 1500);
      await expected.recordMany(batch);
      await m.recordMany(batch);
      const want = await snapshot(expected);
      // Fail every 3rd chunk after importing it, every 3rd + 1 before importing it.
      let n = 0;
      const flaky: Store = {
        ...cold,
        async importBuckets(rows, options) {
          const k = n++;
          if (k % 3 === 1) throw new Error("crash before the cold write");
          await cold.importBuckets?.(rows, options);
          if (k % 3 === 0) throw new Error("crash after the cold write");
        },
      };
      await expect(
        archive({ from: hot, to: flaky, olderThan: "60d", now: NOW, timezone: TZ, concurrency: 1 }),
      ).rejects.toThrow(/crash/);
      expect(await snapshot(m)).not.toEqual({}); // reads still answer while chunks sit staged
      const done = await archive({ from: hot, to: cold, olderThan: "60d", now: NOW, timezone: TZ });
      expect(done.chunks).toBeGreaterThan(0);
      expect(await snapshot(m)).toEqual(want);
      expect((await chunkKeys(redis, prefix)).filter((k) => k.includes(":a:"))).toEqual([]);
    } finally {
      await m.dispose();
      await dropPrefix(redis, prefix);
    }
  });

  it("survives SIGKILL of the archiving process at random moments: totals exact after a rerun", async () => {
    const prefix = randomPrefix();
    const schema = uniqueSchema("tierkill");
    const expected = open(memoryStore());
    const hot = redisStore({ url: SHARED_URL, prefix });
    const cold = postgresStore({ url: POSTGRES_URL, schema, maxConnections: 2 });
    const m = open(tieredStore({ hot, cold }));
    const job = JSON.stringify({
      redisUrl: SHARED_URL,
      prefix,
      postgresUrl: POSTGRES_URL,
      schema,
      timezone: TZ,
      now: NOW,
      olderThan: "30d",
    });
    /** Run the archive child; with `killAfter`, SIGKILL it once it reported that many moved chunks. */
    const runChild = (killAfter: number | undefined) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/tiered/_child.ts", job], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let moved = 0;
        child.stdout.setEncoding("utf8").on("data", (text: string) => {
          moved += text.split("moved ").length - 1;
          if (killAfter !== undefined && moved >= killAfter) child.kill("SIGKILL");
        });
        child.once("exit", (code) => resolve(code));
      });
    try {
      const batch = events(23, 4000);
      await expected.recordMany(batch);
      await m.recordMany(batch);
      const want = await snapshot(expected);
      let killed = 0;
      for (let round = 0; round < 6; round++) {
        const code = await runChild(1 + Math.floor(Math.random() * 8));
        if (code !== 0) killed++;
      }
      expect(await runChild(undefined)).toBe(0);
      expect(killed).toBeGreaterThan(0);
      expect(await snapshot(m)).toEqual(want);
      expect((await chunkKeys(redis, prefix)).filter((k) => k.includes(":a:"))).toEqual([]);
    } finally {
      await m.dispose();
      await dropPrefix(redis, prefix);
      await dropSchema(schema);
    }
  }, 120_000);

  it("archives every master of a Redis Cluster", async () => {
    const { Cluster } = await import("ioredis");
    const cluster = await startCluster();
    const client = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
    const hot = redisStore({ client, prefix: "tier" });
    const cold = memoryStore();
    const m = open(tieredStore({ hot, cold }));
    const expected = open(memoryStore());
    try {
      const batch = events(5, 2000).map((e, i) => ({ ...e, slug: `s${i % 40}` }));
      await expected.recordMany(batch);
      await m.recordMany(batch);
      const moved = await archive({ from: hot, to: cold, olderThan: "45d", now: NOW, timezone: TZ });
      expect(moved.chunks).toBeGreaterThan(40);
      for (let i = 0; i < 40; i += 7) {
        for (const granularity of ["hours", "days", "months"] as const) {
          const range = { from: NOW - 201 * D, to: NOW, granularity };
          expect(await m.history(`s${i}`, range)).toEqual(await expected.history(`s${i}`, range));
        }
        expect(await m.total(`s${i}`)).toBe(await expected.total(`s${i}`));
      }
    } finally {
      await m.dispose();
      await client.quit();
      await cluster.stop();
    }
  }, 60_000);

  it("refuses stores that cannot take part, and bad options, with typed errors", async () => {
    const hot = memoryStore();
    const cold = memoryStore();
    await expect(archive({ from: hot, to: cold, olderThan: "1d" })).rejects.toMatchObject({
      code: "E_UNSUPPORTED",
    });
    const redisHot = redisStore({ url: SHARED_URL, prefix: randomPrefix() });
    await expect(archive({ from: redisHot, to: redisHot, olderThan: "1d" })).rejects.toMatchObject({
      code: "E_UNSUPPORTED",
    });
    await expect(
      archive({ from: redisHot, to: cold, olderThan: "soon" as unknown as string }),
    ).rejects.toBeInstanceOf(MetricsError);
    await expect(
      archive({ from: redisHot, to: cold, olderThan: "1d", extra: 1 } as unknown as Parameters<
        typeof archive
      >[0]),
    ).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    expect(() => tieredStore({ hot, cold: hot })).toThrow(MetricsError);
    expect(() => tieredStore(null as unknown as Parameters<typeof tieredStore>[0])).toThrow(MetricsError);
    expect(() => tieredStore({ hot, cold: {} as Store })).toThrow(MetricsError);
    await redisHot.dispose();
  });
});
