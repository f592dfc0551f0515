import { describeValue, MetricsError } from "../../errors.js";
import { type Calendar, GRANULARITIES } from "../../time/index.js";
import type { Logger, MetricDefinition, Store } from "../types.js";
import { createDrain } from "./_archive.js";
import { createBatchWriter } from "./_batch.js";
import { hashPairs, masters, members, type RedisClient, runAll, storeError } from "./_client.js";
import { coalesceRecords } from "./_coalesce.js";
import { createConnection } from "./_connection.js";
import { type RedisStoreOptions, resolveOptions } from "./_options.js";
import { createPacker } from "./_packing.js";
import { createProducers } from "./_producer.js";
import { readCounts, slugInfoOf } from "./_read.js";
import { readMany } from "./_read-many.js";
import { createRegistrations } from "./_registration.js";
import { createReportMethods } from "./_reports.js";
import { createBounds } from "./_retry.js";
import { createRecord } from "./_write.js";
import { keySpace } from "./keys.js";

/**
 * A Redis store on ioredis 5 or 6 (an optional peer dependency, imported on
 * first use). One round trip per `record()`: a single EVALSHA adds the count
 * to a hash chunk of 120 buckets per granularity, at most once (each store
 * instance numbers its writes, so a re-sent or retried record is not counted
 * twice), refusing a sum past `Number.MAX_SAFE_INTEGER` before any write; a
 * history is one read-only script call, and `readMany()` sends the calls of
 * many histories as one pipeline. Every call is bounded by
 * `commandTimeoutMs`. Every key of a slug shares the hash tag `{slug}`, so it works on
 * Redis Cluster when given an ioredis `Cluster` as `client`. With
 * `durability: "replicated"` each write also waits (WAIT) until a replica has
 * it, so an acknowledged record survives a failover. See
 * `docs/stores/redis.md` for the key layout, scripts and failure policy.
 *
 * Throws `E_INVALID_OPTION` at once for bad options; connects lazily.
 *
 * @example
 * const metrics = createMetrics({
 *   store: redisStore({ url: "redis://127.0.0.1:6379", prefix: "tb", retention: { minutes: "2d" } }),
 * });
 */
export function redisStore(options: RedisStoreOptions = {}): Store {
  const resolved = resolveOptions(options);
  const keys = keySpace(resolved.prefix);
  let logger: Logger | undefined = resolved.logger;
  const conn = createConnection(resolved, () => logger);
  const registrations = createRegistrations(keys, () => logger);
  const pack = createPacker(GRANULARITIES.map((g) => resolved.retention[g]));
  const bounds = createBounds(resolved.commandTimeoutMs);
  const deps = {
    conn,
    keys,
    registrations,
    pack,
    producers: createProducers(resolved.batchTtlMs),
    bounds,
    batchTtlMs: resolved.batchTtlMs,
  };
  const batches = createBatchWriter(deps);
  const record = coalesceRecords(createRecord(deps), batches.recordTogether);

  /**
   * Run `work` with the open client within the time bound, reporting failures
   * as `E_STORE`. Work that failed on a lost connection runs again within the
   * bound: every such call is a read or an idempotent write (SET NX of the
   * config, HSET, SADD, UNLINK), except a report claim, which is not retried
   * (a lost reply would read as "claimed by someone else").
   */
  const using = async <T>(action: string, work: (client: RedisClient) => Promise<T>): Promise<T> => {
    const attempt = async () => work(conn.current() ?? (await conn.open()));
    const deadline = Date.now() + bounds.ms;
    try {
      return action === "claimReport"
        ? await bounds.bound(attempt(), deadline, action)
        : await bounds.retry(attempt, deadline, action);
    } catch (error) {
      throw storeError(action, error);
    }
  };

  /** Union of SMEMBERS over keys (registry shards), sorted. */
  const union = (action: string, shardKeys: string[]) =>
    using(action, async (c) => {
      const replies = await runAll(
        c,
        shardKeys.map((key) => ["smembers", key]),
      );
      return [...new Set(replies.flatMap(members))].sort();
    });

  /** Every field of hash shards as pairs, sorted by field. */
  let calendar: Calendar | undefined;
  const drain = createDrain(
    async () => conn.current() ?? (await conn.open()),
    keys,
    () => calendar,
  );

  const hashUnion = (action: string, shardKeys: string[]) =>
    using(action, async (c) => {
      const replies = await runAll(
        c,
        shardKeys.map((key) => ["hgetall", key]),
      );
      return replies.flatMap(hashPairs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    });

  return {
    kind: "redis",
    async attach(context) {
      if (context.logger && !resolved.logger) logger = context.logger;
      const wanted = { timezone: context.calendar.timezone, weekStart: context.calendar.weekStart };
      calendar = context.calendar;
      await using("attach", async (c) => {
        const json = JSON.stringify(wanted);
        const [set, current] = await runAll(c, [
          ["set", keys.config(), json, "NX"],
          ["get", keys.config()],
        ]);
        if (set === "OK") return;
        let kept: { timezone?: unknown; weekStart?: unknown } = {};
        try {
          kept = JSON.parse(String(current));
        } catch {}
        if (kept.timezone !== wanted.timezone || kept.weekStart !== wanted.weekStart) {
          throw new MetricsError(
            "E_INVALID_OPTION",
            `Redis prefix ${describeValue(keys.prefix)} keeps buckets for ${describeValue(kept.timezone)}/${describeValue(kept.weekStart)}, not ${wanted.timezone}/${wanted.weekStart}`,
          );
        }
      });
    },
    retention: resolved.retention,
    record,
    recordBatch: batches.recordBatch,
    // A drain runs for as long as it has chunks to move (it is not bounded by
    // commandTimeoutMs) and is safe to run again after a failure.
    drainBefore: (options) =>
      drain(options).catch((error: unknown) => {
        throw storeError("archive", error);
      }),
    read: (query) => using("read", (c) => readCounts(c, keys, query)),
    readMany: (queries) => using("read", (c) => readMany(c, keys, queries)),
    total: (slug) => using("total", async (c) => Number((await c.call("hget", keys.meta(slug), "t")) ?? 0)),
    slugInfo: (slug) =>
      using("slugInfo", async (c) => slugInfoOf(slug, await c.call("hgetall", keys.meta(slug)))),
    slugs: () => union("slugs", keys.slugShards()),
    categories: () => union("categories", keys.categoryShards()),
    categorySlugs: (category) => union("categorySlugs", [keys.categoryMembers(category)]),
    groups: () => union("groups", keys.groupShards()),
    groupSlugs: (group) => union("groupSlugs", [keys.groupMembers(group)]),
    setGauge: (slug, value) =>
      using("setGauge", async (c) => {
        await c.call("hset", keys.gaugeShard(slug), slug, String(value));
      }),
    gauge: (slug) =>
      using("gauge", async (c) => {
        const value = await c.call("hget", keys.gaugeShard(slug), slug);
        return value === null || value === undefined ? null : Number(value);
      }),
    gauges: async () =>
      (await hashUnion("gauges", keys.gaugeShards())).map(([slug, value]) => ({
        slug,
        value: Number(value),
      })),
    putDefinition: (definition) =>
      using("putDefinition", async (c) => {
        await c.call(
          "hset",
          keys.definitionShard(definition.slug),
          definition.slug,
          JSON.stringify(definition),
        );
      }),
    definitions: async () =>
      (await hashUnion("definitions", keys.definitionShards())).map(([slug, json]) =>
        toDefinition(slug, json),
      ),
    deleteMetric: (slug) =>
      using("deleteMetric", async (c) => {
        const info = slugInfoOf(slug, await c.call("hgetall", keys.meta(slug)));
        for (const node of masters(c)) await unlinkMatching(node, keys.slugPattern(slug));
        const categories = info?.categories ?? [];
        const groups = info?.groups ?? [];
        await runAll(c, [
          ["srem", keys.slugShard(slug), slug],
          ["hdel", keys.gaugeShard(slug), slug],
          ["hdel", keys.definitionShard(slug), slug],
          ...categories.map((x): [string, string, string] => ["srem", keys.categoryMembers(x), slug]),
          ...groups.map((x): [string, string, string] => ["srem", keys.groupMembers(x), slug]),
        ]);
        // Drop a category or group left without slugs from its registry.
        const names = [
          ...categories.map((x) => [keys.categoryMembers(x), keys.categoryShard(x), x] as const),
          ...groups.map((x) => [keys.groupMembers(x), keys.groupShard(x), x] as const),
        ];
        const sizes = await runAll(
          c,
          names.map(([memberKey]) => ["scard", memberKey]),
        );
        await runAll(
          c,
          names.filter((_, i) => Number(sizes[i]) === 0).map(([, shard, name]) => ["srem", shard, name]),
        );
        registrations.forget(slug);
      }),
    ...createReportMethods(keys, using),
    dispose: () => conn.dispose(),
  };
}

/** SCAN one node for `pattern` and UNLINK what it finds (all keys of one slug share a slot). */
async function unlinkMatching(node: RedisClient, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, found] = (await node.call("scan", cursor, "MATCH", pattern, "COUNT", 1000)) as [
      string,
      string[],
    ];
    cursor = String(next);
    if (found.length > 0) await node.call("unlink", ...found);
  } while (cursor !== "0");
}

function toDefinition(slug: string, json: string): MetricDefinition {
  const parsed = JSON.parse(json) as Partial<MetricDefinition>;
  return {
    slug,
    name: String(parsed.name ?? slug),
    ...(typeof parsed.description === "string" && { description: parsed.description }),
    ...(typeof parsed.unit === "string" && { unit: parsed.unit }),
  };
}
