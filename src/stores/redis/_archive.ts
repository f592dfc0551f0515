import { randomBytes } from "node:crypto";
import { MetricsError } from "../../errors.js";
import { bucketAtIndex, type Calendar, type Granularity } from "../../time/index.js";
import type { BucketRows, DrainOptions, DrainResult } from "../types.js";
import { hashPairs, masters, type RedisClient, runScript } from "./_client.js";
import { SCRIPTS } from "./_scripts.js";
import { CHUNK_SIZE, type KeySpace } from "./keys.js";

interface ChunkRef {
  slug: string;
  granularity: Granularity;
  chunk: number;
}

/** Every chunk and staged chunk key on every master, by SCAN (never KEYS). */
async function scanChunks(
  client: RedisClient,
  keys: KeySpace,
): Promise<Map<string, ChunkRef & { staged: boolean }>> {
  const found = new Map<string, ChunkRef & { staged: boolean }>();
  for (const node of masters(client)) {
    for (const pattern of keys.chunkPatterns()) {
      let cursor = "0";
      do {
        const [next, batch] = (await node.call("scan", cursor, "MATCH", pattern, "COUNT", 1000)) as [
          string,
          string[],
        ];
        cursor = String(next);
        for (const key of batch) {
          const ref = keys.parseChunkKey(String(key));
          if (!ref) continue;
          const id = `${ref.slug}\u0000${ref.granularity}\u0000${ref.chunk}`;
          const seen = found.get(id);
          found.set(id, { ...ref, staged: ref.staged || (seen?.staged ?? false) });
        }
      } while (cursor !== "0");
    }
  }
  return found;
}

/**
 * The drain of the Redis store: moves chunks whose buckets all end at or
 * before `before` to a sink, exactly once when the sink applies a batch id
 * once. Per chunk: STAGE renames it to its staged name and stamps a random
 * token (or returns the token a crashed run left), the staged hash is read and
 * handed to the sink with batch id `archive:<token>`, then it is deleted. A
 * crash at any point leaves either the live chunk (not moved yet) or the
 * staged one with its token (moved or not; the rerun hands it over again with
 * the same batch id, and the sink skips it if it was applied).
 */
export function createDrain(
  client: () => Promise<RedisClient>,
  keys: KeySpace,
  calendar: () => Calendar | undefined,
): (options: DrainOptions) => Promise<DrainResult> {
  return async ({ before, sink, concurrency = 8, onProgress }) => {
    const cal = calendar();
    if (!cal) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        "Attach the Redis store (createMetrics does) before archiving it",
      );
    }
    const c = await client();
    const boundary = new Map<Granularity, number>();
    const eligible = (ref: ChunkRef & { staged: boolean }): boolean => {
      if (ref.staged) return true; // a crashed run's chunk: finish moving it
      let first = boundary.get(ref.granularity);
      if (first === undefined) {
        first = cal.bucket(ref.granularity, before).index;
        boundary.set(ref.granularity, first);
      }
      return (ref.chunk + 1) * CHUNK_SIZE <= first;
    };
    const queue = [...(await scanChunks(c, keys)).values()].filter(eligible);
    const total = queue.length;
    const result: DrainResult = { chunks: 0, buckets: 0, count: 0 };

    const moveOnce = async (ref: ChunkRef): Promise<boolean> => {
      const live = keys.chunk(ref.slug, ref.granularity, ref.chunk);
      const staged = keys.stagedChunk(ref.slug, ref.granularity, ref.chunk);
      const token = await runScript(c, SCRIPTS.stage, 2, [live, staged, randomBytes(12).toString("hex")]);
      if (token === null || token === false || token === undefined) return false;
      const rows: BucketRows = { slug: ref.slug, granularity: ref.granularity, buckets: [] };
      for (const [field, value] of hashPairs(await c.call("hgetall", staged))) {
        if (field === "_id") continue;
        const count = Number(value);
        if (count === 0) continue;
        const index = ref.chunk * CHUNK_SIZE + Number(field);
        rows.buckets.push({ index, start: bucketAtIndex(cal, ref.granularity, index).start, count });
        result.count += count;
      }
      rows.buckets.sort((a, b) => a.index - b.index);
      if (rows.buckets.length > 0) await sink(rows, `archive:${String(token)}`);
      await c.call("unlink", staged);
      result.chunks += 1;
      result.buckets += rows.buckets.length;
      onProgress?.({ chunks: result.chunks, buckets: result.buckets, total: Math.max(total, result.chunks) });
      return true;
    };
    // A staged chunk is moved first; then the live one, if records recreated it.
    const move = async (ref: ChunkRef & { staged: boolean }): Promise<void> => {
      for (let round = 0; round < 3 && (await moveOnce(ref)); round++) {
        if (!eligible({ ...ref, staged: false })) break;
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, async () => {
      for (let ref = queue.pop(); ref; ref = queue.pop()) await move(ref);
    });
    await Promise.all(workers);
    return result;
  };
}
