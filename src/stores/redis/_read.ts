import { GRANULARITIES, type Granularity } from "../../time/index.js";
import type { ReadQuery, ReadResult, SlugInfo } from "../types.js";
import { hashPairs, type RedisClient, runScriptBuffer } from "./_client.js";
import { SCRIPTS } from "./_scripts.js";
import { CHUNK_SIZE, GRANULARITY_CODES, type KeySpace } from "./keys.js";

/** Granularities whose bit is set in a stored-granularity mask, finest first. */
export function granularitiesOf(mask: number): Granularity[] {
  return GRANULARITIES.filter((_, rank) => (mask & (1 << rank)) !== 0);
}

/** One READ script call: the keys it declares, and how to turn its reply into the answer. */
export interface ReadPlan {
  /** KEYS of the call: the slug's meta hash, then every chunk the buckets fall in. */
  keys: string[];
  decode(reply: unknown): ReadResult;
}

/** The READ call that answers `query` (every chunk key declared). */
export function readPlan(keys: KeySpace, query: ReadQuery): ReadPlan {
  const { buckets } = query;
  const first = Math.floor((buckets[0]?.index ?? 0) / CHUNK_SIZE);
  const last = Math.floor((buckets[buckets.length - 1]?.index ?? 0) / CHUNK_SIZE);
  const prefix = `${keys.chunkPrefix(query.slug)}${GRANULARITY_CODES[query.granularity]}:`;
  const scriptKeys = [keys.meta(query.slug)];
  for (let c = first; c <= last; c++) scriptKeys.push(`${prefix}${c}`);
  return {
    keys: scriptKeys,
    decode(reply) {
      const [mask, text] = reply as [number | Buffer, Buffer | string];
      const bytes = typeof text === "string" ? Buffer.from(text) : text;
      const dense = parseChunks(bytes, (last - first + 1) * CHUNK_SIZE);
      const base = first * CHUNK_SIZE;
      const counts = new Array<number>(buckets.length);
      for (let i = 0; i < buckets.length; i++) counts[i] = dense[(buckets[i]?.index ?? 0) - base] ?? 0;
      const bits = Number(Buffer.isBuffer(mask) ? mask.toString() : mask);
      return { counts, stored: bits < 0 ? null : granularitiesOf(bits) };
    },
  };
}

/** Counts of consecutive buckets in one READ script call. */
export async function readCounts(client: RedisClient, keys: KeySpace, query: ReadQuery): Promise<ReadResult> {
  const plan = readPlan(keys, query);
  return plan.decode(await runScriptBuffer(client, SCRIPTS.read, plan.keys.length, plan.keys));
}

/**
 * Parse the READ script's `"f,v,f,v;f,v;…"` (ASCII bytes) into counts by
 * position (chunk·120 + field), in one pass over the bytes.
 */
export function parseChunks(text: Uint8Array, size: number): Float64Array {
  const out = new Float64Array(size);
  let chunkBase = 0;
  let field = -1;
  let num = 0;
  let negative = false;
  let digits = false;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? (text[i] as number) : 59; // a final ";" flushes the last number
    if (c >= 48 && c <= 57) {
      num = num * 10 + (c - 48);
      digits = true;
    } else if (c === 45) {
      negative = true;
    } else {
      if (digits) {
        const value = negative ? -num : num;
        if (field < 0) field = value;
        else {
          out[chunkBase + field] = value;
          field = -1;
        }
      }
      num = 0;
      negative = false;
      digits = false;
      if (c === 59) {
        chunkBase += CHUNK_SIZE;
        field = -1;
      }
    }
  }
  return out;
}

/** A slug's registration from its meta hash, or null when it has none. */
export function slugInfoOf(slug: string, reply: unknown): SlugInfo | null {
  let mask: number | undefined;
  const categories: string[] = [];
  const groups: string[] = [];
  for (const [field, value] of hashPairs(reply)) {
    if (field === "g") mask = Number(value);
    else if (field.startsWith("c:")) categories.push(field.slice(2));
    else if (field.startsWith("r:")) groups.push(field.slice(2));
  }
  if (mask === undefined) return null;
  return { slug, granularities: granularitiesOf(mask), categories: categories.sort(), groups: groups.sort() };
}
