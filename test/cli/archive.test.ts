import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPrefix, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { buildOnce, cli, startServer, tempDir } from "./_cli.js";

let redis: Redis;
beforeAll(async () => {
  await buildOnce();
  redis = new Redis(SHARED_URL);
}, 180_000);
afterAll(async () => {
  await redis.quit();
});

const hourChunks = async (prefix: string) => {
  const [, keys] = await redis.scan("0", "MATCH", `${prefix}:{old}:c:h:*`, "COUNT", 10_000);
  return keys;
};

describe("tallyboard archive and start --archive-to", () => {
  it("archive moves old buckets from Redis into PGlite; history reads them back through start --archive-to", async () => {
    const prefix = randomPrefix();
    const store = `${SHARED_URL}?prefix=${prefix}`;
    const dir = await tempDir("archive");
    try {
      expect(
        (await cli(["--store", store, "record", "old", "--by", "4", "--at", "2024-01-01T10:00Z"])).code,
      ).toBe(0);
      expect(await hourChunks(prefix)).toHaveLength(1);
      const moved = await cli([
        "archive",
        "--from",
        store,
        "--to",
        `pglite:${dir.path}`,
        "--older-than",
        "90d",
        "--json",
      ]);
      expect(moved.code).toBe(0);
      expect(JSON.parse(moved.stdout)).toMatchObject({ count: 12, buckets: 3 }); // hour, day, week of 4
      expect(await hourChunks(prefix)).toHaveLength(0);
      // A late record for the same hour goes to Redis; start --archive-to reads both tiers.
      expect(
        (await cli(["--store", store, "record", "old", "--by", "1", "--at", "2024-01-01T10:30Z"])).code,
      ).toBe(0);
      const server = await startServer(
        ["--store", store, "start", "--port", "0", "--no-reports", "--archive-to", `pglite:${dir.path}`],
        { timeoutMs: 120_000 },
      );
      try {
        const res = await fetch(
          `${server.url}/api/v1/metrics/old?from=2024-01-01T10:00Z&to=2024-01-01T10:00Z&granularity=hours`,
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as { rows: { count: number }[] };
        expect(body.rows.map((r) => r.count)).toEqual([5]);
        const total = await fetch(
          `${server.url}/api/v1/metrics/old?from=2024-01-01&to=2024-12-31&granularity=years`,
        );
        expect(((await total.json()) as { rows: { count: number }[] }).rows.map((r) => r.count)).toEqual([5]);
      } finally {
        const ended = await server.stop();
        expect(ended.code).toBe(0);
      }
      // --archive-to needs Redis as --store, and a bad duration is a usage error.
      expect((await cli(["start", "--port", "0", "--archive-to", "pglite:memory"])).code).toBe(2);
      expect(
        (
          await cli([
            "--store",
            store,
            "start",
            "--port",
            "0",
            "--archive-to",
            "pglite:memory",
            "--archive-older-than",
            "x",
          ])
        ).code,
      ).toBe(2);
      expect(
        (await cli(["archive", "--from", "memory:", "--to", "pglite:memory", "--older-than", "1d"])).code,
      ).toBe(2);
    } finally {
      await dropPrefix(redis, prefix);
      await dir.remove();
    }
  }, 240_000);
});
