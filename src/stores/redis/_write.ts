import { describeValue, MetricsError } from "../../errors.js";
import type { RecordOp } from "../types.js";
import { type RedisClient, runAll, storeError } from "./_client.js";
import type { Connection } from "./_connection.js";
import { type Packed, registrationSpec } from "./_packing.js";
import type { Producer } from "./_producer.js";
import type { Registrations, SlugState } from "./_registration.js";
import type { Bounds } from "./_retry.js";
import { SCRIPTS } from "./_scripts.js";

/** What the direct write paths share. */
export interface WriteDeps {
  conn: Connection;
  registrations: Registrations;
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed;
  producer: Producer;
  bounds: Bounds;
  /** How long Redis keeps a silent producer's sequence state (ms). */
  identityTtlMs: number;
}

/** Chunk keys of a slug for a packed record: the slug's chunk prefix + each suffix (cached). */
export function chunkKeys(
  cache: Map<string, [Packed, string[]]>,
  st: SlugState,
  slug: string,
  packed: Packed,
) {
  const hit = cache.get(slug);
  if (hit !== undefined && hit[0] === packed) return hit[1];
  const keys = packed.suffixes.map((suffix) => st.prefix + suffix);
  if (cache.size >= 10_000) cache.clear();
  cache.set(slug, [packed, keys]);
  return keys;
}

/** `E_COUNT_OVERFLOW` for a RECORD/BATCH refusal `{ 3, i }`. */
export function overflowError(slug: string, where: string): MetricsError {
  return new MetricsError(
    "E_COUNT_OVERFLOW",
    `Recording to slug ${describeValue(slug)} would take ${where} past ±Number.MAX_SAFE_INTEGER; nothing was written`,
  );
}

/**
 * `record()`: one EVALSHA of RECORD once the slug is registered in this
 * process (the first time, the same script registers the meta hash, and the
 * registry SADDs follow once it was applied). Each record carries this
 * producer's next sequence number, so the call is retried on a lost
 * connection until it resolves or its time bound passes, and Redis applies it
 * at most once whatever ioredis re-sends.
 */
export function createRecord(deps: WriteDeps): (op: RecordOp) => Promise<void> {
  const { conn, registrations, producer, bounds } = deps;
  const keyCache = new Map<string, [Packed, string[]]>();
  const { sha, source } = SCRIPTS.record;
  const identityTail = ` ${deps.identityTtlMs}`;

  const record = async (op: RecordOp): Promise<void> => {
    const packed = deps.pack(op.buckets, op.granularities);
    const known = registrations.get(op.slug);
    const category = op.category === undefined ? [] : [op.category];
    const group = op.group === undefined ? [] : [op.group];
    const registering = !registrations.covers(known, packed.mask, category, group);
    const st =
      registering || known === undefined
        ? registrations.merged(op.slug, packed.mask, category, group)
        : known;
    const spec = registering ? registrationSpec(st.mask, st.categories, st.groups) : "";
    const keys = chunkKeys(keyCache, st, op.slug, packed);
    const numkeys = keys.length + 1;
    let client: RedisClient | undefined;
    const seq = producer.next();
    const attempt = async (useEval: boolean): Promise<unknown> => {
      const c = conn.current() ?? (await conn.open());
      client = c;
      const identity = `${producer.field} ${seq} ${producer.floor()} ${Date.now()}${identityTail}`;
      return useEval
        ? c.eval(source, numkeys, st.meta, ...keys, op.by, spec, identity, packed.expiries, ...packed.fields)
        : c.evalsha(sha, numkeys, st.meta, ...keys, op.by, spec, identity, packed.expiries, ...packed.fields);
    };
    const reply = await bounds.call(attempt, "record", () => producer.settle(seq));
    if (Array.isArray(reply)) {
      const g = op.granularities[Number(reply[1]) - 1];
      throw overflowError(op.slug, g === undefined ? "its total" : `its ${g} bucket`);
    }
    if (registering) {
      // The registries list a slug only once a write of it was applied.
      const registry = registrations.registryCommands(op.slug, st);
      await bounds.retry(
        async () => runAll(client ?? conn.current() ?? (await conn.open()), registry),
        Date.now() + bounds.ms,
        "record",
      );
      registrations.remember(op.slug, st);
    } else if (reply === 1 && client) await registrations.reregister(client, op.slug, st);
  };

  return (op) =>
    record(op).catch((error: unknown) => {
      throw storeError("record", error);
    });
}
