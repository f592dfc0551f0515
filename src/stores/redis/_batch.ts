import { describeValue, MetricsError } from "../../errors.js";
import type { BatchOptions, RecordOp } from "../types.js";
import { type Command, runAll, storeError } from "./_client.js";
import type { Connection } from "./_connection.js";
import { type Packed, registrationSpec } from "./_packing.js";
import type { Registrations, SlugState } from "./_registration.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

export interface BatchDeps {
  conn: Connection;
  keys: KeySpace;
  registrations: Registrations;
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed;
  batchTtlMs: number;
}

/**
 * `recordBatch()`: records summed per slug and chunk field, split into parts
 * (one BATCH script call each), all sent in one pipeline. With a batch id each
 * part writes its own marker in the same script, so a retry applies only the
 * parts the failed attempt did not.
 */
export function createRecordBatch(
  deps: BatchDeps,
): (ops: readonly RecordOp[], options?: BatchOptions) => Promise<void> {
  const { conn, keys, registrations } = deps;
  return async (ops, options = {}) => {
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
    const groups = groupBySlug(ops, deps.pack);
    try {
      const c = conn.current() ?? (await conn.open());
      const commands: Command[] = [];
      const registering = new Map<string, SlugState>();
      const parts = partition(groups, c.isCluster);
      for (const [p, slugs] of parts.entries()) {
        const metas: string[] = [];
        const args: (string | number)[] = [];
        for (const slug of slugs) {
          const g = groups.get(slug) as SlugGroup;
          let st = registrations.get(slug);
          let spec = "";
          if (st === undefined || !registrations.covers(st, g.mask, g.categories, g.groups)) {
            st = registrations.merged(slug, g.mask, g.categories, g.groups);
            registering.set(slug, st);
            spec = registrationSpec(st.mask, st.categories, st.groups);
            commands.push(...registrations.registryCommands(slug, st));
          }
          metas.push(st.meta);
          args.push(st.prefix, g.total, g.entries.join(" "), spec);
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
      }
      const replies = await runAll(c, commands);
      for (const [slug, st] of registering) registrations.remember(slug, st);
      // Each BATCH reply lists the slugs whose registration was found gone.
      let part = 0;
      for (const [i, command] of commands.entries()) {
        if (command[0] !== "evalsha") continue;
        const slugs = parts[part++] as string[];
        const reply = replies[i];
        if (!Array.isArray(reply)) continue;
        for (const index of reply.slice(1)) {
          const slug = slugs[Number(index) - 1] as string;
          const st = registrations.get(slug);
          if (st) await registrations.reregister(c, slug, st);
        }
      }
    } catch (error) {
      throw storeError("recordBatch", error);
    }
  };
}

/** The records of one slug in a batch, summed per chunk field. */
interface SlugGroup {
  /** `"<suffix> <field> <expireAt> <by>"` quadruples of the BATCH script. */
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
      if (!Number.isSafeInteger(by)) throw unsafeSum(slug);
      if (by !== 0) g.entries.push(`${triple} ${by}`);
    }
    if (!Number.isSafeInteger(g.total)) throw unsafeSum(slug);
  }
  return out;
}

const unsafeSum = (slug: string): MetricsError =>
  new MetricsError("E_INVALID_COUNT", `A batch sums slug ${describeValue(slug)} past a safe integer`);

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
