import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import type { RedisStoreOptions } from "../../src/stores/redis/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2023, 9, 10, 12, 0);
const admin = new Redis(SHARED_URL);
const prefixes: string[] = [];
const open: Metrics[] = [];

/** createMetrics over a Redis store on a fresh prefix of the shared server. */
function make(options: RedisStoreOptions = {}, now = () => T0): { m: Metrics; prefix: string } {
  const prefix = options.prefix ?? randomPrefix();
  prefixes.push(prefix);
  const m = createMetrics({
    store: redisStore({ url: SHARED_URL, ...options, prefix }),
    now,
    granularities: { min: "minutes", max: "years" },
  });
  open.push(m);
  return { m, prefix };
}

afterEach(async () => {
  while (open.length) await open.pop()?.dispose();
  while (prefixes.length) await dropPrefix(admin, prefixes.pop() as string);
});
afterAll(() => admin.quit());

describe("redis store layout", () => {
  it("keeps counts in 120-bucket hash chunks under the slug's hash tag, fields by offset", async () => {
    const { m, prefix } = make();
    await m.record("page_views", { at: T0, by: 7 });
    const hour = Math.floor(T0 / H);
    const chunk = Math.floor(hour / 120);
    const key = `${prefix}:{page_views}:c:h:${chunk}`;
    expect(await admin.hgetall(key)).toEqual({ [String(hour - chunk * 120)]: "7" });
    const day = Math.floor(T0 / D);
    expect(await admin.hget(`${prefix}:{page_views}:c:d:${Math.floor(day / 120)}`, String(day % 120))).toBe(
      "7",
    );
    const minute = Math.floor(T0 / 60_000);
    expect(
      await admin.hget(`${prefix}:{page_views}:c:mi:${Math.floor(minute / 120)}`, String(minute % 120)),
    ).toBe("7");
    expect(await admin.hget(`${prefix}:{page_views}:c:y:${Math.floor(2023 / 120)}`, String(2023 % 120))).toBe(
      "7",
    );
    const month = 2023 * 12 + 9;
    expect(
      await admin.hget(`${prefix}:{page_views}:c:mo:${Math.floor(month / 120)}`, String(month % 120)),
    ).toBe("7");
    const meta = await admin.hgetall(`${prefix}:{page_views}:m`);
    // t: total, g: stored granularities, n: "0" while no negative count was added,
    // q:<created>:<ttl>:<random>: the write sequence of this store instance (all ≤ 1 applied).
    const { t, g, n, ...identity } = meta;
    expect({ t, g, n }).toEqual({ t: "7", g: String(0b111111), n: "0" });
    expect(Object.keys(identity)).toHaveLength(1);
    expect(Object.entries(identity)[0]?.[0]).toMatch(/^q:\d+:3600:[A-Za-z0-9_-]{8}$/);
    expect(Object.entries(identity)[0]?.[1]).toBe("1");
    // Every key of the slug hashes by the same tag, so they share one Cluster slot.
    const slugKeys = await scanAll(`${prefix}:*`);
    const ofSlug = slugKeys.filter((k) => !k.includes("{~") && k !== `${prefix}:config`);
    expect(ofSlug).toHaveLength(7);
    expect(ofSlug.map((k) => /\{([^}]*)\}/.exec(k)?.[1])).toEqual(Array(7).fill("page_views"));
  });

  it("stays a listpack of about 5 bytes per bucket when a chunk is full", async () => {
    const { m, prefix } = make();
    const first = Math.ceil(T0 / H / 120) * 120; // an hour index at a chunk start
    await m.recordMany(
      Array.from({ length: 120 }, (_, i) => ({
        slug: "full",
        at: (first + i) * H,
        by: 1000 + i,
        granularities: { min: "hours" as const, max: "hours" as const },
      })),
    );
    const key = `${prefix}:{full}:c:h:${first / 120}`;
    expect(await admin.hlen(key)).toBe(120);
    expect(await admin.object("ENCODING", key)).toBe("listpack");
    const bytes = Number(await admin.memory("USAGE", key));
    expect(bytes).toBeLessThanOrEqual(120 * 6 + 100);
    const rows = await m.history("full", { from: first * H, to: (first + 119) * H, granularity: "hours" });
    expect(rows.map((r) => r.count)).toEqual(Array.from({ length: 120 }, (_, i) => 1000 + i));
  });

  it("expires chunks of granularities with a retention, never before the retention after their last bucket", async () => {
    const now = Date.now();
    const { m, prefix } = make({ retention: { minutes: "2d", hours: "90d" } }, () => now);
    await m.record("kept", { at: now });
    const hour = Math.floor(now / H);
    const hourChunkEnd = (Math.floor(hour / 120) + 1) * 120 * H;
    const hourExpiry = Number(
      await admin.call("PEXPIRETIME", `${prefix}:{kept}:c:h:${Math.floor(hour / 120)}`),
    );
    expect(hourExpiry).toBeGreaterThanOrEqual(hourChunkEnd + 90 * D);
    expect(hourExpiry).toBeLessThanOrEqual(hourChunkEnd + 90 * D + 2 * H);
    const minute = Math.floor(now / 60_000);
    const minuteChunkEnd = (Math.floor(minute / 120) + 1) * 120 * 60_000;
    const minuteExpiry = Number(
      await admin.call("PEXPIRETIME", `${prefix}:{kept}:c:mi:${Math.floor(minute / 120)}`),
    );
    expect(minuteExpiry).toBeGreaterThanOrEqual(minuteChunkEnd + 2 * D);
    expect(minuteExpiry).toBeLessThanOrEqual(minuteChunkEnd + 2 * D + 2 * 60_000);
    const day = Math.floor(now / D);
    expect(await admin.pttl(`${prefix}:{kept}:c:d:${Math.floor(day / 120)}`)).toBe(-1);
    expect(await admin.pttl(`${prefix}:{kept}:m`)).toBe(-1);

    // Minutes older than their retention are not kept; hours and the total are.
    await m.record("kept", { at: now - 10 * D, by: 5 });
    const old = await m.history("kept", { from: now - 10 * D, to: now - 10 * D, granularity: "minutes" });
    expect(old[0]?.count).toBe(0);
    const oldHours = await m.history("kept", { from: now - 10 * D, to: now - 10 * D, granularity: "hours" });
    expect(oldHours[0]?.count).toBe(5);
    expect(await m.total("kept")).toBe(6);
  });

  it("re-registers a slug that another process deleted while this one had it cached", async () => {
    const { m: a, prefix } = make();
    const { m: b } = make({ prefix });
    await a.record("revived", { at: T0, category: "c1", group: "g1" });
    await b.deleteMetric("revived");
    expect(await b.slugs()).toEqual([]);
    await a.record("revived", { at: T0, category: "c1", group: "g1" });
    expect(await b.slugs()).toEqual(["revived"]);
    expect(await b.categorySlugs("c1")).toEqual(["revived"]);
    expect(await b.slugInfo("revived")).toEqual({
      slug: "revived",
      granularities: [...GRANULARITIES],
      categories: ["c1"],
      groups: ["g1"],
    });
    expect(await b.total("revived")).toBe(1);
  });

  it("deletes every key of a slug and nothing of a slug sharing its name's start", async () => {
    const { m, prefix } = make();
    await m.record("a", { at: T0, category: "k" });
    await m.record("ab", { at: T0, category: "k" });
    await m.setGauge("a", 3);
    await m.deleteMetric("a");
    expect(await scanAll(`${prefix}:{a}:*`)).toEqual([]);
    expect((await scanAll(`${prefix}:{ab}:*`)).length).toBeGreaterThan(1);
    expect(await m.categories()).toEqual(["k"]);
    await m.deleteMetric("ab");
    expect(await m.categories()).toEqual([]);
    expect(await scanAll(`${prefix}:*`)).toEqual([`${prefix}:config`]);
  });

  it("applies each part of a batch once, so a retry after a partial failure skips applied parts", async () => {
    const { m, prefix } = make();
    await m.record("warm", { at: T0 });
    const store = m.store;
    const buckets = m.calendar.bucketsAt(T0);
    const ops = Array.from({ length: 150 }, (_, i) => ({
      slug: `s${i}`,
      by: 2,
      at: T0,
      buckets,
      granularities: GRANULARITIES.slice(1),
    }));
    // Pretend part 1 (slugs 100..149) was applied by an attempt whose reply was lost.
    await admin.set(`${prefix}:b:retry-1:1`, "1", "PX", 60_000);
    await store.recordBatch(ops, { batchId: "retry-1" });
    expect(await m.total("s0")).toBe(2);
    expect(await m.total("s120")).toBe(0);
    await store.recordBatch(ops, { batchId: "retry-1" });
    expect(await m.total("s99")).toBe(2);
    const ttl = await admin.pttl(`${prefix}:b:retry-1:0`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });
});

async function scanAll(pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out.sort();
}
