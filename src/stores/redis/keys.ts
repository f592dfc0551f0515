import { createHash } from "node:crypto";
import type { Granularity } from "../../time/index.js";

/**
 * The Redis key layout of {@link redisStore}. Every key the store touches is
 * built here (the Lua scripts receive whole key names or the per-slug chunk
 * prefix built here, and only append a chunk suffix from {@link chunkSuffix}).
 *
 * | key                                  | type   | holds                                                   |
 * |--------------------------------------|--------|---------------------------------------------------------|
 * | `<p>:{<slug>}:m`                     | hash   | `g` stored-granularity bit mask, `t` all-time total, `c:<category>`, `r:<group>`, `n` "0" while no negative count was added, `q:<created>:<ttl>:<random>` a producer's write sequence (see `_lua-identity.ts`) |
 * | `<p>:{<slug>}:c:<code>:<chunk>`      | hash   | counts of 120 consecutive buckets: field = index − chunk·120 |
 * | `<p>:{<slug>}:a:<code>:<chunk>`      | hash   | a chunk being archived (renamed from `c:`), field `_id` = archive token |
 * | `<p>:{<slug>}:b:<batchId>`           | string | exactly-once marker of a batch part on Redis Cluster    |
 * | `<p>:b:<batchId>:<part>`             | string | exactly-once marker of a batch part on a single Redis   |
 * | `<p>:{~<n>}:slugs`                   | set    | registry shard of slugs (n = hash(slug) mod 16)         |
 * | `<p>:{~<n>}:cats` / `:grps`          | set    | registry shard of categories / groups (n = hash(name))  |
 * | `<p>:{~<n>}:cat:<c>` / `:grp:<g>`    | set    | slugs of one category / group (same shard as the name)  |
 * | `<p>:{~<n>}:gauges` / `:defs`        | hash   | slug → gauge value / definition JSON (n = hash(slug))   |
 * | `<p>:config`                         | string | JSON `{ timezone, weekStart }` the data was bucketed in |
 * | `<p>:{~sets}:sets`                   | hash   | metric set name → set JSON                              |
 * | `<p>:{~rep}:r:<sha1(set)>:<period>`  | string | report claim: `claimed` (expires after the lease) or `sent` (kept) |
 *
 * The `{…}` hash tag puts every key of one slug in one Cluster slot, so one
 * script call touches one slot; registries are spread over 16 tagged shards
 * whose tag `{~n}` can never be a slug (`~` is not allowed in slugs), so the
 * SCAN pattern of a slug never matches a registry key. Metric sets and report
 * claims have tags of their own (`{~sets}`, `{~rep}`), likewise never a slug.
 * The set name is hashed in a claim key so any name (with `:` or `{`) fits.
 */
export interface KeySpace {
  readonly prefix: string;
  /** The per-slug meta hash. */
  meta(slug: string): string;
  /** Prefix of a slug's chunk keys; a chunk key is this plus {@link chunkSuffix}. */
  chunkPrefix(slug: string): string;
  /** One chunk hash of a slug and granularity. */
  chunk(slug: string, granularity: Granularity, chunk: number): string;
  /** A chunk renamed for archiving (see `_archive.ts`). */
  stagedChunk(slug: string, granularity: Granularity, chunk: number): string;
  /** SCAN patterns matching every chunk and every staged chunk of every slug. */
  chunkPatterns(): [string, string];
  /** Slug, granularity and chunk of a chunk or staged chunk key; undefined for any other key. */
  parseChunkKey(
    key: string,
  ): { slug: string; granularity: Granularity; chunk: number; staged: boolean } | undefined;
  /** SCAN pattern matching every key of one slug. */
  slugPattern(slug: string): string;
  /** Exactly-once marker of the part of a batch that holds one slug (Cluster). */
  slugBatchMarker(slug: string, batchId: string): string;
  /** Exactly-once marker of one part of a batch (single Redis). */
  batchMarker(batchId: string, part: number): string;
  slugShard(slug: string): string;
  slugShards(): string[];
  categoryShard(category: string): string;
  categoryShards(): string[];
  categoryMembers(category: string): string;
  groupShard(group: string): string;
  groupShards(): string[];
  groupMembers(group: string): string;
  gaugeShard(slug: string): string;
  gaugeShards(): string[];
  definitionShard(slug: string): string;
  definitionShards(): string[];
  config(): string;
  /** The hash of metric sets: name → JSON. */
  metricSets(): string;
  /** The claim / sent marker of one set's report for one period. */
  reportClaim(set: string, period: string): string;
}

/** Buckets per chunk hash: 120 small-integer fields fit a 512-byte listpack. */
export const CHUNK_SIZE = 120;
/** Number of tagged shards of each registry. */
export const REGISTRY_SHARDS = 16;

/** Short code of each granularity in chunk key names. */
export const GRANULARITY_CODES: Readonly<Record<Granularity, string>> = {
  minutes: "mi",
  hours: "h",
  days: "d",
  weeks: "w",
  months: "mo",
  years: "y",
};

const GRANULARITY_BY_CODE: ReadonlyMap<string, Granularity> = new Map(
  Object.entries(GRANULARITY_CODES).map(([g, code]) => [code, g as Granularity]),
);
/** `:{<slug>}:<c|a>:<code>:<chunk>` after the prefix. */
const CHUNK_KEY = /^:\{([^}]+)\}:([ca]):([a-z]+):(-?\d+)$/;

/** `<code>:<chunk>`, appended to {@link KeySpace.chunkPrefix} by the scripts. */
export function chunkSuffix(granularity: Granularity, chunk: number): string {
  return `${GRANULARITY_CODES[granularity]}:${chunk}`;
}

/** Registry shard of a name: FNV-1a 32-bit hash of its UTF-16 code units, mod {@link REGISTRY_SHARDS}. */
export function shardOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % REGISTRY_SHARDS;
}

/** Build the key space of one prefix (validated by the caller). */
export function keySpace(prefix: string): KeySpace {
  const shard = (n: number) => `${prefix}:{~${n}}`;
  const shards = (suffix: string) =>
    Array.from({ length: REGISTRY_SHARDS }, (_, n) => `${shard(n)}:${suffix}`);
  return {
    prefix,
    meta: (slug) => `${prefix}:{${slug}}:m`,
    chunkPrefix: (slug) => `${prefix}:{${slug}}:c:`,
    chunk: (slug, g, chunk) => `${prefix}:{${slug}}:c:${chunkSuffix(g, chunk)}`,
    stagedChunk: (slug, g, chunk) => `${prefix}:{${slug}}:a:${chunkSuffix(g, chunk)}`,
    chunkPatterns: () => [`${prefix}:{*}:c:*`, `${prefix}:{*}:a:*`],
    parseChunkKey(key) {
      if (!key.startsWith(`${prefix}:{`)) return undefined;
      const match = CHUNK_KEY.exec(key.slice(prefix.length));
      const granularity = match && GRANULARITY_BY_CODE.get(match[3] ?? "");
      if (!match || !granularity) return undefined;
      return { slug: match[1] ?? "", granularity, chunk: Number(match[4]), staged: match[2] === "a" };
    },
    slugPattern: (slug) => `${prefix}:{${slug}}:*`,
    slugBatchMarker: (slug, batchId) => `${prefix}:{${slug}}:b:${batchId}`,
    batchMarker: (batchId, part) => `${prefix}:b:${batchId}:${part}`,
    slugShard: (slug) => `${shard(shardOf(slug))}:slugs`,
    slugShards: () => shards("slugs"),
    categoryShard: (c) => `${shard(shardOf(c))}:cats`,
    categoryShards: () => shards("cats"),
    categoryMembers: (c) => `${shard(shardOf(c))}:cat:${c}`,
    groupShard: (g) => `${shard(shardOf(g))}:grps`,
    groupShards: () => shards("grps"),
    groupMembers: (g) => `${shard(shardOf(g))}:grp:${g}`,
    gaugeShard: (slug) => `${shard(shardOf(slug))}:gauges`,
    gaugeShards: () => shards("gauges"),
    definitionShard: (slug) => `${shard(shardOf(slug))}:defs`,
    definitionShards: () => shards("defs"),
    config: () => `${prefix}:config`,
    metricSets: () => `${prefix}:{~sets}:sets`,
    reportClaim: (set, period) =>
      `${prefix}:{~rep}:r:${createHash("sha1").update(set).digest("hex")}:${period}`,
  };
}
