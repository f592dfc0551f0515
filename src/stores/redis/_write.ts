import { describeValue, MetricsError } from "../../errors.js";
import type { RecordOp } from "../types.js";
import { runAll, storeError } from "./_client.js";
import type { Connection } from "./_connection.js";
import { appliedUnacknowledged } from "./_durability.js";
import { type Packed, registrationSpec } from "./_packing.js";
import type { ProducerId } from "./_producer.js";
import type { Registrations, SlugState } from "./_registration.js";
import type { Bounds, CallSpec } from "./_retry.js";
import { SCRIPTS } from "./_scripts.js";

/** What the direct write paths share. */
export interface WriteDeps {
  conn: Connection;
  registrations: Registrations;
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed;
  producers: { current(): ProducerId };
  bounds: Bounds;
}

/** KEYS of RECORD for a packed record: the slug's meta hash, then each chunk key (cached). */
function chunkKeys(cache: Map<string, [Packed, string[]]>, st: SlugState, slug: string, packed: Packed) {
  const hit = cache.get(slug);
  if (hit !== undefined && hit[0] === packed) return hit[1];
  const keys = [st.meta, ...packed.suffixes.map((suffix) => st.prefix + suffix)];
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
  const { conn, registrations, producers, bounds } = deps;
  const keyCache = new Map<string, [Packed, string[]]>();

  /** The registry entries of a slug whose first write was applied. */
  const writeRegistry = async ({ op, st }: RecordCall): Promise<void> => {
    const registry = registrations.registryCommands(op.slug, st);
    await bounds.retry(
      async () => runAll(conn.current() ?? (await conn.open()), registry),
      Date.now() + bounds.ms,
      "record",
    );
  };

  /** What a reply other than 0 (applied) or 2 (applied before) asks for. */
  const settle = async (call: RecordCall, reply: unknown): Promise<void> => {
    const { op, st } = call;
    if (Array.isArray(reply)) {
      const g = op.granularities[Number(reply[1]) - 1];
      throw overflowError(op.slug, g === undefined ? "its total" : `its ${g} bucket`);
    }
    if (call.spec !== "") {
      // The registries list a slug only once a write of it was applied.
      await writeRegistry(call);
      registrations.remember(op.slug, st);
    } else if (reply === 1)
      await registrations.reregister(conn.current() ?? (await conn.open()), op.slug, st);
  };
  const spec: CallSpec<RecordCall> = {
    attempt: attemptRecord,
    done: (call) => call.producer.settle(call.seq),
    // The common replies need nothing more: the call resolves without another promise.
    reply: (reply, call) =>
      call.spec === "" && (reply === 0 || reply === 2)
        ? undefined
        : settle(call, reply).catch((error: unknown) => {
            throw storeError("record", error);
          }),
    failure: (error) => storeError("record", error),
  };

  /** One RECORD call, retried within the bound. */
  const send = (op: RecordOp, st: SlugState, packed: Packed, registration: string): Promise<void> => {
    const producer = producers.current();
    const call: RecordCall = {
      conn,
      op,
      st,
      keys: chunkKeys(keyCache, st, op.slug, packed),
      packed,
      spec: registration,
      producer,
      seq: producer.next(),
    };
    const sent = bounds.call(spec, call, "record") as Promise<void>;
    if (registration === "") return sent;
    // A first write applied on the master but not acknowledged by enough
    // replicas still gets its registry entries; the call rejects all the same.
    return sent.catch(async (error: unknown) => {
      if (appliedUnacknowledged(error)) await writeRegistry(call).catch(() => undefined);
      throw error;
    });
  };

  return (op) => {
    let packed: Packed;
    try {
      packed = deps.pack(op.buckets, op.granularities);
    } catch (error) {
      return Promise.reject(storeError("record", error));
    }
    const known = registrations.get(op.slug);
    if (
      known !== undefined &&
      (known.mask & packed.mask) === packed.mask &&
      (op.category === undefined || known.categories.has(op.category)) &&
      (op.group === undefined || known.groups.has(op.group))
    ) {
      // The hot path: a registered slug, one EVALSHA.
      return send(op, known, packed, "");
    }
    const st = registrations.merged(
      op.slug,
      packed.mask,
      op.category === undefined ? [] : [op.category],
      op.group === undefined ? [] : [op.group],
    );
    return send(op, st, packed, registrationSpec(st.mask, st.categories, st.groups));
  };
}

/** The state of one record() call: what every attempt sends again unchanged. */
interface RecordCall {
  conn: Connection;
  op: RecordOp;
  /** The slug's registration state: known, or merged with this record's (then `spec` is not ""). */
  st: SlugState;
  keys: string[];
  packed: Packed;
  spec: string;
  producer: ProducerId;
  seq: number;
}

/** One attempt of a record() call (module-level: no closure per call on the hot path). */
function attemptRecord(call: RecordCall, useEval: boolean): Promise<unknown> {
  const c = call.conn.current();
  if (c === undefined) return call.conn.open().then(() => attemptRecord(call, useEval));
  const { keys, op, spec, packed, producer } = call;
  // Few arguments: ioredis's cost per call grows with their number.
  const numbers = `${op.by} ${call.seq} ${producer.floor()}${packed.fieldText}`;
  const args =
    spec === "" && packed.expiries === ""
      ? ([keys.length, ...keys, producer.field, numbers] as const)
      : ([keys.length, ...keys, producer.field, numbers, spec, packed.expiries] as const);
  return useEval ? c.eval(SCRIPTS.record.source, ...args) : c.evalsha(SCRIPTS.record.sha, ...args);
}
