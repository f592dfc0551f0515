import type { RecordOp } from "../types.js";
import { isNoScript, runAll, storeError } from "./_client.js";
import type { Connection } from "./_connection.js";
import { type Packed, registrationSpec } from "./_packing.js";
import type { Registrations } from "./_registration.js";
import { SCRIPTS } from "./_scripts.js";

const { record: RECORD } = SCRIPTS;

/**
 * `record()`: one EVALSHA of RECORD once the slug is registered in this
 * process; the first time, the same script registers the meta hash and the
 * registry SADDs ride in the same pipeline (one round trip on a single Redis).
 */
export function createRecord(
  conn: Connection,
  registrations: Registrations,
  pack: (buckets: RecordOp["buckets"], granularities: RecordOp["granularities"]) => Packed,
): (op: RecordOp) => Promise<void> {
  const recordRegistering = async (op: RecordOp, packed: Packed): Promise<void> => {
    const st = registrations.merged(
      op.slug,
      packed.mask,
      op.category === undefined ? [] : [op.category],
      op.group === undefined ? [] : [op.group],
    );
    const spec = registrationSpec(st.mask, st.categories, st.groups);
    await runAll(conn.current() ?? (await conn.open()), [
      ["evalsha", RECORD.sha, 1, st.meta, op.by, st.prefix, packed.text, spec],
      ...registrations.registryCommands(op.slug, st),
    ]);
    registrations.remember(op.slug, st);
  };

  return async (op) => {
    try {
      const packed = pack(op.buckets, op.granularities);
      const st = registrations.get(op.slug);
      if (
        st === undefined ||
        (st.mask & packed.mask) !== packed.mask ||
        (op.category !== undefined && !st.categories.has(op.category)) ||
        (op.group !== undefined && !st.groups.has(op.group))
      ) {
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
      if (reply === 1) await registrations.reregister(c, op.slug, st);
    } catch (error) {
      throw storeError("record", error);
    }
  };
}
