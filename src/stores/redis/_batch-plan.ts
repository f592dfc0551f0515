import type { RecordOp } from "../types.js";
import type { Command } from "./_client.js";
import { type Packed, registrationSpec } from "./_packing.js";
import type { ProducerId } from "./_producer.js";
import type { Registrations, SlugState } from "./_registration.js";
import { SCRIPTS } from "./_scripts.js";
import { overflowError } from "./_write.js";
import type { KeySpace } from "./keys.js";

/**
 * The records of one slug in a batch, summed per chunk and field: cell j is
 * field `fieldExps[j]` ("<field> <expireAt>") of chunk `suffixes[j]`. A slug
 * has a handful of cells, so parallel arrays searched in order cost less than
 * maps.
 */
interface SlugGroup {
  suffixes: string[];
  fieldExps: string[];
  sums: number[];
  total: number;
  mask: number;
  negative: boolean;
  categories: Set<string> | undefined;
  groups: Set<string> | undefined;
  /** The packed buckets of the slug's latest records, and their count not yet added to the cells. */
  last: Packed | undefined;
  lastBy: number;
}

const NONE: ReadonlySet<string> = new Set();

/** The index of cell (suffix, fieldExp) of `g`, added with sum 0 when new. */
function cellOf(g: SlugGroup, suffix: string, fieldExp: string): number {
  for (let j = 0; j < g.suffixes.length; j++) {
    if (g.fieldExps[j] === fieldExp && g.suffixes[j] === suffix) return j;
  }
  g.suffixes.push(suffix);
  g.fieldExps.push(fieldExp);
  return g.sums.push(0) - 1;
}

/** One BATCH script call: the slugs of one part and everything to send it again unchanged. */
export interface Part {
  slugs: string[];
  /** KEYS without the marker: per slug its meta hash, then its chunk keys. */
  keys: string[];
  /** Exactly-once marker of a batch with an id. */
  marker: string | undefined;
  /** One argument per slug (see _script-batch.ts). */
  slugArgs: string[];
  /** The identity its slugs' sequence numbers belong to. */
  producer: ProducerId;
  /** Producer sequence numbers of the part's slugs (none with a batch id). */
  seqs: number[];
  /** Registry SADDs of slugs registered by this part. */
  registry: Command[];
  registering: [string, SlugState][];
}

export interface PlanDeps {
  keys: KeySpace;
  registrations: Registrations;
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed;
  producers: { current(): ProducerId };
}

/**
 * Sum the records per slug, chunk and field, split them into parts (in batch
 * order, so a retry forms the same parts) and number each slug's write when
 * the batch has no id. Throws `E_COUNT_OVERFLOW` when a sum alone is unsafe.
 */
export function planBatch(
  deps: PlanDeps,
  ops: readonly RecordOp[],
  batchId: string | undefined,
  cluster: boolean,
): Part[] {
  const groups = groupBySlug(ops, deps.pack);
  const producer = deps.producers.current();
  const parts: Part[] = [];
  let part: Part | undefined;
  let size = 0;
  for (const [slug, g] of groups) {
    const entries = g.sums.length;
    if (part === undefined || cluster || part.slugs.length >= 100 || size + entries > 5000) {
      part = {
        slugs: [],
        keys: [],
        marker: undefined,
        slugArgs: [],
        producer,
        seqs: [],
        registry: [],
        registering: [],
      };
      if (batchId !== undefined) {
        part.marker = cluster
          ? deps.keys.slugBatchMarker(slug, batchId)
          : deps.keys.batchMarker(batchId, parts.length);
      }
      parts.push(part);
      size = 0;
    }
    size += entries;
    addSlug(deps, part, slug, g, batchId === undefined);
  }
  return parts;
}

function addSlug(deps: PlanDeps, part: Part, slug: string, g: SlugGroup, identity: boolean): void {
  const { registrations } = deps;
  let st = registrations.get(slug);
  let spec = "";
  const categories = g.categories ?? NONE;
  const groups = g.groups ?? NONE;
  if (!registrations.covers(st, g.mask, categories, groups)) {
    st = registrations.merged(slug, g.mask, categories, groups);
    part.registering.push([slug, st]);
    spec = registrationSpec(st.mask, st.categories, st.groups);
    part.registry.push(...registrations.registryCommands(slug, st));
  }
  const state = st as SlugState;
  part.keys.push(state.meta);
  let entries = "";
  // The slug's chunk keys, in order of first use: KEYS index k of cell j is 1 + its position.
  const used: string[] = [];
  for (let j = 0; j < g.sums.length; j++) {
    const by = g.sums[j] as number;
    if (by === 0) continue;
    const suffix = g.suffixes[j] as string;
    let k = used.indexOf(suffix) + 1;
    if (k === 0) {
      k = used.push(suffix);
      part.keys.push(state.prefix + suffix);
    }
    entries += ` ${k} ${g.fieldExps[j]} ${by}`;
  }
  const k = used.length;
  const seq = identity ? part.producer.next() : 0;
  if (identity) part.seqs.push(seq);
  part.slugs.push(slug);
  const head = `${k} ${seq} ${g.total} ${g.negative ? "1" : "0"}${entries}`;
  part.slugArgs.push(spec === "" ? head : `${head}|${spec}`);
}

function groupBySlug(
  ops: readonly RecordOp[],
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed,
): Map<string, SlugGroup> {
  const out = new Map<string, SlugGroup>();
  const inexact = new Set<string>();
  for (const op of ops) {
    let g = out.get(op.slug);
    if (g === undefined) {
      g = {
        suffixes: [],
        fieldExps: [],
        sums: [],
        total: 0,
        mask: 0,
        negative: false,
        categories: undefined,
        groups: undefined,
        last: undefined,
        lastBy: 0,
      };
      out.set(op.slug, g);
    }
    // Records of one slug in the same minute share their packed buckets (the
    // packer caches them): their counts are summed first and added to each
    // chunk field once, when the buckets change or at the end.
    const packed = pack(op.buckets, op.granularities);
    if (packed !== g.last) {
      if (!addPending(g)) inexact.add(op.slug);
      g.last = packed;
      g.mask |= packed.mask;
    }
    g.lastBy += op.by;
    g.total += op.by;
    if (op.by < 0) g.negative = true;
    if (op.category !== undefined) {
      g.categories ??= new Set();
      g.categories.add(op.category);
    }
    if (op.group !== undefined) {
      g.groups ??= new Set();
      g.groups.add(op.group);
    }
    if (!Number.isSafeInteger(g.total) || !Number.isSafeInteger(g.lastBy)) inexact.add(op.slug);
  }
  for (const [slug, g] of out) if (!addPending(g)) inexact.add(slug);
  // A running sum left the safe range: add that slug's records again exactly.
  for (const slug of inexact) exactSums(slug, out.get(slug) as SlugGroup, ops, pack);
  return out;
}

/** Add the pending count of `g.last` to its chunk fields; false when a sum is no longer exact. */
function addPending(g: SlugGroup): boolean {
  const packed = g.last;
  const by = g.lastBy;
  g.lastBy = 0;
  if (packed === undefined || by === 0) return true;
  let exact = true;
  for (let i = 0; i < packed.suffixes.length; i++) {
    const j = cellOf(g, packed.suffixes[i] as string, packed.fieldExps[i] as string);
    const sum = (g.sums[j] as number) + by;
    if (!Number.isSafeInteger(sum)) exact = false;
    g.sums[j] = sum;
  }
  return exact;
}

/** Recompute one slug's sums with BigInt; a final sum past a safe integer is refused. */
function exactSums(
  slug: string,
  g: SlugGroup,
  ops: readonly RecordOp[],
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed,
): void {
  const safe = (v: bigint, where: string): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw overflowError(slug, where);
    }
    return Number(v);
  };
  let total = 0n;
  const sums = new Map<number, bigint>();
  for (const op of ops) {
    if (op.slug !== slug) continue;
    total += BigInt(op.by);
    const packed = pack(op.buckets, op.granularities);
    for (let i = 0; i < packed.suffixes.length; i++) {
      const j = cellOf(g, packed.suffixes[i] as string, packed.fieldExps[i] as string);
      sums.set(j, (sums.get(j) ?? 0n) + BigInt(op.by));
    }
  }
  g.total = safe(total, "its total");
  for (const [j, v] of sums) g.sums[j] = safe(v, "a bucket");
}

/** The BATCH call of a part: "w" writes, "c" only checks (see _script-batch.ts). */
export function batchCommand(part: Part, mode: "w" | "c", markerTtlMs: number): Command {
  const keys = part.marker === undefined ? part.keys : [...part.keys, part.marker];
  return [
    "evalsha",
    SCRIPTS.batch.sha,
    keys.length,
    ...keys,
    mode,
    part.marker === undefined ? 0 : markerTtlMs,
    part.seqs.length > 0 ? part.producer.field : "",
    part.seqs.length > 0 ? part.producer.floor() : 0,
    ...part.slugArgs,
  ];
}
