import { describeValue, MetricsError } from "../../errors.js";
import type { BatchOptions, Logger, RecordOp } from "../types.js";
import { type Command, isNoScript, type RedisClient, runAll, storeError } from "./_client.js";
import type { Connection } from "./_connection.js";
import { createPacker, type Packed, registrationSpec } from "./_packing.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

/** Record and batch writes, with the client-side registration cache. */
export interface Writer {
  record(op: RecordOp): Promise<void>;
  recordBatch(ops: readonly RecordOp[], options?: BatchOptions): Promise<void>;
  /** Drop a slug from the registration cache (after deleteMetric). */
  forget(slug: string): void;
}

/** What this process has registered for a slug. */
interface SlugState {
  meta: string;
  prefix: string;
  mask: number;
  categories: Set<string>;
  groups: Set<string>;
}

export interface WriterDeps {
  conn: Connection;
  keys: KeySpace;
  retention: readonly (number | undefined)[];
  batchTtlMs: number;
  logger: () => Logger | undefined;
}

/** Slugs remembered as registered; past this the cache starts over (re-registering is harmless). */
const CACHE_LIMIT = 100_000;
const { record: RECORD } = SCRIPTS;

export function createWriter(deps: WriterDeps): Writer {
  const { conn, keys } = deps;
  const known = new Map<string, SlugState>();
  const pack = createPacker(deps.retention);
  const client = (): Promise<RedisClient> | RedisClient => conn.current() ?? conn.open();

  /** Registry SADDs of a slug: slug shard, category and group shards and member sets. */
  const registryCommands = (slug: string, categories: Iterable<string>, groups: Iterable<string>) => {
    const out: Command[] = [["sadd", keys.slugShard(slug), slug]];
    for (const c of categories)
      out.push(["sadd", keys.categoryShard(c), c], ["sadd", keys.categoryMembers(c), slug]);
    for (const g of groups) out.push(["sadd", keys.groupShard(g), g], ["sadd", keys.groupMembers(g), slug]);
    return out;
  };

  /** The state a slug will have once `mask`, `categories` and `groups` are registered. */
  const merged = (slug: string, mask: number, categories: Iterable<string>, groups: Iterable<string>) => {
    const st = known.get(slug);
    return {
      meta: st?.meta ?? keys.meta(slug),
      prefix: st?.prefix ?? keys.chunkPrefix(slug),
      mask: (st?.mask ?? 0) | mask,
      categories: new Set([...(st?.categories ?? []), ...categories]),
      groups: new Set([...(st?.groups ?? []), ...groups]),
    };
  };

  const covers = (st: SlugState | undefined, mask: number, category?: string, group?: string): boolean =>
    st !== undefined &&
    (st.mask & mask) === mask &&
    (category === undefined || st.categories.has(category)) &&
    (group === undefined || st.groups.has(group));

  const remember = (slug: string, st: SlugState): void => {
    if (known.size >= CACHE_LIMIT && !known.has(slug)) known.clear();
    known.set(slug, st);
  };

  /** Register a slug again after the store found its meta hash gone (deleted elsewhere). */
  const reregister = async (c: RedisClient, slug: string, st: SlugState): Promise<void> => {
    deps
      .logger()
      ?.info?.(`tallyboard: re-registering slug ${describeValue(slug)} (its registration was deleted)`);
    const spec = registrationSpec(st.mask, st.categories, st.groups);
    await runAll(c, [
      ["evalsha", RECORD.sha, 1, st.meta, 0, st.prefix, "", spec],
      ...registryCommands(slug, st.categories, st.groups),
    ]);
  };

  /** First record of a slug with this category/group/range in this process: register in the same trip. */
  const recordRegistering = async (op: RecordOp, packed: Packed): Promise<void> => {
    const st = merged(
      op.slug,
      packed.mask,
      op.category === undefined ? [] : [op.category],
      op.group === undefined ? [] : [op.group],
    );
    const spec = registrationSpec(st.mask, st.categories, st.groups);
    await runAll(await client(), [
      ["evalsha", RECORD.sha, 1, st.meta, op.by, st.prefix, packed.text, spec],
      ...registryCommands(op.slug, st.categories, st.groups),
    ]);
    remember(op.slug, st);
  };

  const record = async (op: RecordOp): Promise<void> => {
    try {
      const packed = pack(op.buckets, op.granularities);
      const st = known.get(op.slug);
      if (st === undefined || !covers(st, packed.mask, op.category, op.group)) {
        return await recordRegistering(op, packed);
      }
      const c = conn.current() ?? (await conn.open());
      let reply: unknown;
      try {
        reply = await c.evalsha(RECORD.sha, 1, st.meta, op.by, st.prefix, packed.text);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        reply = await c.eval(RECORD.source, 1, st.meta, op.by, st.prefix, packed.text);
      }
      if (reply === 1) await reregister(c, op.slug, st);
    } catch (error) {
      throw storeError("record", error);
    }
  };

  return {
    record,
    async recordBatch(ops, options = {}) {
      const { batchId } = options;
      if (
        batchId !== undefined &&
        (typeof batchId !== "string" || batchId.length === 0 || batchId.length > 200)
      ) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `batchId must be a string of 1 to 200 characters, got ${describeValue(batchId)}`,
        );
      }
      if (ops.length === 0) return;
      const groups = groupBySlug(ops, pack);
      try {
        const c = await client();
        const commands: Command[] = [];
        const registering = new Map<string, SlugState>();
        const parts = partition(groups, c.isCluster);
        parts.forEach((slugs, p) => {
          const metas: string[] = [];
          const args: (string | number)[] = [];
          for (const slug of slugs) {
            const g = groups.get(slug) as SlugGroup;
            const st = known.get(slug);
            let spec = "";
            if (
              ![...g.categories].every((x) => st?.categories.has(x)) ||
              ![...g.groups].every((x) => st?.groups.has(x)) ||
              !covers(st, g.mask)
            ) {
              const next = merged(slug, g.mask, g.categories, g.groups);
              registering.set(slug, next);
              spec = registrationSpec(next.mask, next.categories, next.groups);
              commands.push(...registryCommands(slug, next.categories, next.groups));
            }
            metas.push(st?.meta ?? keys.meta(slug));
            args.push(st?.prefix ?? keys.chunkPrefix(slug), g.total, g.entries.join(" "), spec);
          }
          if (batchId === undefined) {
            commands.push(["evalsha", SCRIPTS.batch.sha, metas.length, ...metas, 0, ...args]);
          } else {
            const marker = c.isCluster
              ? keys.slugBatchMarker(slugs[0] as string, batchId)
              : keys.batchMarker(batchId, p);
            commands.push([
              "evalsha",
              SCRIPTS.batch.sha,
              metas.length + 1,
              ...metas,
              marker,
              deps.batchTtlMs,
              ...args,
            ]);
          }
        });
        const replies = await runAll(c, commands);
        for (const [slug, st] of registering) remember(slug, st);
        let part = 0;
        for (const [i, command] of commands.entries()) {
          if (command[0] !== "evalsha") continue;
          const reply = replies[i];
          const slugs = parts[part++] as string[];
          if (!Array.isArray(reply)) continue;
          for (const index of reply.slice(1)) {
            const slug = slugs[Number(index) - 1] as string;
            const st = known.get(slug);
            if (st) await reregister(c, slug, st);
          }
        }
      } catch (error) {
        throw storeError("recordBatch", error);
      }
    },
    forget(slug) {
      known.delete(slug);
    },
  };
}

/** The records of one slug in a batch, summed per chunk field. */
interface SlugGroup {
  entries: string[];
  total: number;
  mask: number;
  categories: Set<string>;
  groups: Set<string>;
}

function groupBySlug(
  ops: readonly RecordOp[],
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed,
): Map<string, SlugGroup> {
  const sums = new Map<string, Map<string, number>>();
  const out = new Map<string, SlugGroup>();
  for (const op of ops) {
    let g = out.get(op.slug);
    let acc = sums.get(op.slug);
    if (g === undefined || acc === undefined) {
      g = { entries: [], total: 0, mask: 0, categories: new Set(), groups: new Set() };
      acc = new Map();
      out.set(op.slug, g);
      sums.set(op.slug, acc);
    }
    const packed = pack(op.buckets, op.granularities);
    g.mask |= packed.mask;
    g.total += op.by;
    if (op.category !== undefined) g.categories.add(op.category);
    if (op.group !== undefined) g.groups.add(op.group);
    if (op.by !== 0) for (const t of packed.triples) acc.set(t, (acc.get(t) ?? 0) + op.by);
  }
  for (const [slug, g] of out) {
    for (const [triple, by] of sums.get(slug) ?? []) {
      if (!Number.isSafeInteger(by)) {
        throw new MetricsError(
          "E_INVALID_COUNT",
          `A batch sums slug ${describeValue(slug)} past a safe integer`,
        );
      }
      if (by !== 0) g.entries.push(`${triple} ${by}`);
    }
    if (!Number.isSafeInteger(g.total)) {
      throw new MetricsError(
        "E_INVALID_COUNT",
        `A batch sums slug ${describeValue(slug)} past a safe integer`,
      );
    }
  }
  return out;
}

/**
 * Slugs per script call, in batch order so a retry forms the same parts: one
 * slug on Cluster (one slot per call); on a single Redis up to 100 slugs and
 * about 5,000 increments, so that one atomic call stays short.
 */
function partition(groups: Map<string, SlugGroup>, cluster: boolean): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let size = 0;
  for (const [slug, g] of groups) {
    if (part.length > 0 && (cluster || part.length >= 100 || size + g.entries.length > 5000)) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(slug);
    size += g.entries.length;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
