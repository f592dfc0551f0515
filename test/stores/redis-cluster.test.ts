import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRedis } from "../../bench/_round-trips.js";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { type PrivateRedis, randomPrefix, startCluster } from "./redis-helpers.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 9, 10, 12, 0);

// Three masters started by this file and joined with `redis-cli --cluster create`.
let cluster: { nodes: PrivateRedis[]; stop(): Promise<void> };
let client: Cluster;
let m: Metrics;
const prefix = randomPrefix();
beforeAll(async () => {
  cluster = await startCluster();
  client = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
  m = createMetrics({
    store: redisStore({ client, prefix }),
    now: () => T0,
    granularities: { min: "minutes", max: "years" },
  });
});
afterAll(async () => {
  await m?.dispose();
  await client?.quit();
  await cluster?.stop();
});

describe("redis store on Redis Cluster", () => {
  const slugs = Array.from({ length: 40 }, (_, i) => `slug_${i}`);

  it("records, reads and lists registries whose keys spread over every master", async () => {
    for (const [i, slug] of slugs.entries()) {
      await m.record(slug, { at: T0 + (i % 5) * H, by: i + 1, category: `cat_${i % 3}`, group: "all" });
    }
    expect(await m.slugs()).toEqual([...slugs].sort());
    expect(await m.categories()).toEqual(["cat_0", "cat_1", "cat_2"]);
    expect(await m.categorySlugs("cat_1")).toEqual(slugs.filter((_, i) => i % 3 === 1).sort());
    expect(await m.groupSlugs("all")).toHaveLength(40);
    const rows = await m.history("slug_7", { from: T0, to: T0 + 4 * H, granularity: "hours" });
    expect(rows.map((r) => r.count)).toEqual([0, 0, 8, 0, 0]);
    expect(await m.total("slug_39")).toBe(40);
    expect((await m.slugInfo("slug_3"))?.granularities).toEqual([...GRANULARITIES]);
    // The slugs really live on different masters.
    const masters = await Promise.all(
      client.nodes("master").map(async (node) => Number(await node.dbsize())),
    );
    expect(masters.filter((n) => n > 0).length).toBe(3);
  });

  it("reads many slugs with one pipeline per master, and the same answers as one read per slug", async () => {
    const counted = countRedis(new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port }))));
    const reader = createMetrics({
      store: redisStore({ client: counted.client, prefix }),
      now: () => T0,
    });
    try {
      const many = slugs.map((s) => `many_${s}`);
      await m.recordMany(many.map((slug, i) => ({ slug, at: T0 + (i % 5) * H, by: i + 1 })));
      const range = { from: T0, to: T0 + 4 * H, granularity: "hours" as const };
      // With no script cached on any master: the calls answered NOSCRIPT go again as EVAL, per master.
      await reader.history("many_slug_0", range); // connected: the slot table is known
      for (const node of client.nodes("master")) await node.script("FLUSH");
      counted.trips.reset();
      expect(await reader.historyMany(many, range)).toEqual(await m.historyMany(many, range));
      expect(counted.trips.single).toBe(0);
      expect(counted.trips.pipelines).toBe(6);
      // Then one pipeline per master, nothing else.
      counted.trips.reset();
      const rows = await reader.historyMany(many, range);
      expect({ single: counted.trips.single, pipelines: counted.trips.pipelines }).toEqual({
        single: 0,
        pipelines: 3,
      });
      expect(counted.trips.pipelined).toBe(40);
      for (const slug of many) expect(rows[slug]).toEqual(await m.history(slug, range));
      expect(rows.many_slug_7?.map((r) => r.count)).toEqual([0, 0, 8, 0, 0]);
    } finally {
      await reader.dispose();
      await counted.client.quit();
    }
  });

  it("falls back to one call per slug, redirected by ioredis, when its slot table is wrong", async () => {
    // A slot table that puts every slot on one node (as after a reshard the client has not seen yet):
    // the one pipeline spans nodes, ioredis refuses it, and each call is sent alone.
    const real = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
    const stale = new Proxy(real, {
      get(target, key) {
        if (key === "slots") return new Array(16_384).fill(["127.0.0.1:1"]);
        const value = Reflect.get(target, key, target) as unknown;
        // ioredis itself keeps routing by its own, correct table.
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const counted = countRedis(stale);
    const reader = createMetrics({ store: redisStore({ client: counted.client, prefix }), now: () => T0 });
    try {
      const many = slugs.map((s) => `stale_${s}`);
      await m.recordMany(many.map((slug, i) => ({ slug, at: T0 + (i % 5) * H, by: i + 1 })));
      const range = { from: T0, to: T0 + 4 * H, granularity: "hours" as const };
      await reader.history("stale_slug_0", range);
      counted.trips.reset();
      expect(await reader.historyMany(many, range)).toEqual(await m.historyMany(many, range));
      expect({ single: counted.trips.single, pipelines: counted.trips.pipelines }).toEqual({
        single: 40,
        pipelines: 1,
      });
    } finally {
      await reader.dispose();
      await real.quit();
    }
  });

  it("applies a batch spanning slots once per batch id", async () => {
    const buckets = m.calendar.bucketsAt(T0);
    const ops = slugs.slice(0, 10).map((slug) => ({
      slug: `b_${slug}`,
      by: 3,
      at: T0,
      buckets,
      granularities: GRANULARITIES.slice(1),
      category: "batched",
    }));
    await m.store.recordBatch(ops, { batchId: "cluster-1" });
    await m.store.recordBatch(ops, { batchId: "cluster-1" });
    await m.store.recordBatch(ops);
    expect(await m.total("b_slug_0")).toBe(6);
    expect(await m.total("b_slug_9")).toBe(6);
    expect(await m.categorySlugs("batched")).toHaveLength(10);
  });

  it("refuses a batch over several slots whole when one slug would overflow (checked on every slot first)", async () => {
    const buckets = m.calendar.bucketsAt(T0);
    const op = (slug: string, by: number) => ({
      slug,
      by,
      at: T0,
      buckets,
      granularities: GRANULARITIES.slice(1),
    });
    await m.store.record(op("ov_x", Number.MAX_SAFE_INTEGER));
    const batch = ["ov_a", "ov_b", "ov_c", "ov_x", "ov_d"].map((slug) => op(slug, 1));
    await expect(m.store.recordBatch(batch)).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await expect(m.store.recordBatch(batch, { batchId: "ov-1" })).rejects.toMatchObject({
      code: "E_COUNT_OVERFLOW",
    });
    for (const slug of ["ov_a", "ov_b", "ov_c", "ov_d"]) expect(await m.total(slug), slug).toBe(0);
    expect(await m.total("ov_x")).toBe(Number.MAX_SAFE_INTEGER);
    // The slugs of the refused batch live on different masters.
    const slots = await Promise.all(
      ["ov_a", "ov_b", "ov_c", "ov_x", "ov_d"].map((s) => client.cluster("KEYSLOT", `{${s}}`)),
    );
    expect(new Set(slots).size).toBe(5);
    // Records of several slots sent together resolve each for its own slug.
    const results = await Promise.allSettled([m.record("ov_a"), m.record("ov_x"), m.record("ov_b")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await m.total("ov_a")).toBe(1);
  });

  it("keeps gauges and definitions, and deletes a metric on whichever master holds it", async () => {
    await m.setGauge("slug_1", 4);
    await m.createMetric({ slug: "slug_1", name: "One" });
    expect(await m.gauges()).toEqual([{ slug: "slug_1", value: 4 }]);
    await m.deleteMetric("slug_1");
    expect(await m.slugs()).not.toContain("slug_1");
    expect(await m.gauge("slug_1")).toBeNull();
    expect(await m.definitions()).toEqual([]);
    expect(await m.total("slug_1")).toBe(0);
    expect(await m.categorySlugs("cat_1")).not.toContain("slug_1");
  });

  it("keeps metric sets and report claims under their own hash tags", async () => {
    const set = {
      name: "Ops: {daily}",
      metrics: ["slug_2"],
      recipients: ["a@b.org"],
      schedule: "daily",
      createdAt: T0,
    };
    await m.store.putMetricSet(set);
    expect(await m.store.metricSets()).toEqual([set]);
    const key = { set: set.name, period: "daily:2023-10-09" };
    const claims = await Promise.all(
      [1, 2, 3].map((i) => m.store.claimReport({ ...key, owner: `o${i}`, now: T0, leaseMs: 60_000 })),
    );
    expect(claims.filter((c) => c === "claimed")).toHaveLength(1);
    const winner = `o${claims.indexOf("claimed") + 1}`;
    expect(await m.store.releaseReport({ ...key, owner: "someone else" })).toBe(false);
    expect(await m.store.releaseReport({ ...key, owner: winner })).toBe(true);
    expect(await m.store.claimReport({ ...key, owner: "w", now: T0, leaseMs: 60_000 })).toBe("claimed");
    expect(await m.store.completeReport({ ...key, owner: "w" })).toBe(true);
    expect(await m.store.releaseReport({ ...key, owner: "w" })).toBe(false);
    expect(await m.store.claimReport({ ...key, owner: "v", now: T0, leaseMs: 60_000 })).toBe("sent");
    await m.store.deleteMetricSet(set.name);
    expect(await m.store.metricSets()).toEqual([]);
  });
});
