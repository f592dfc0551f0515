import { describeValue, MetricsError } from "../errors.js";
import type { RecordOp } from "../stores/types.js";

/** Entries of one slug; past {@link WIDE} entries they are also indexed by a composite key. */
interface Slot {
  list: RecordOp[];
  byKey: Map<string, RecordOp> | undefined;
  /** The entry summed into last: the one the next record of the slug most likely hits. */
  last: RecordOp;
}

const WIDE = 8;

const keyOf = (op: RecordOp): string =>
  `${op.buckets[0]?.index}\u0000${op.category ?? ""}\u0000${op.group ?? ""}\u0000${op.granularities.join(",")}`;

function sameRun(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `e` and `op` land in the same buckets with the same registration. */
function sameEntry(e: RecordOp, op: RecordOp): boolean {
  return (
    (e.buckets === op.buckets || e.buckets[0]?.index === op.buckets[0]?.index) &&
    e.category === op.category &&
    e.group === op.group &&
    sameRun(e.granularities, op.granularities)
  );
}

function overflow(op: RecordOp): MetricsError {
  return new MetricsError(
    "E_COUNT_OVERFLOW",
    `Buffered sum of slug ${describeValue(op.slug)} would pass a safe integer; nothing was added (flush() first)`,
  );
}

/**
 * Records summed per slug × minute × category × group × granularity run. The
 * common case (a slug recorded again like its last record: same minute, same
 * options) is one Map lookup by slug and identity checks against the entry
 * summed into last, which keeps buffered `record()` near the speed of a bare
 * Map increment.
 */
export class Sums {
  private slots = new Map<string, Slot>();
  /** Distinct entries held. */
  size = 0;

  private find(slot: Slot, op: RecordOp): RecordOp | undefined {
    if (slot.byKey) return slot.byKey.get(keyOf(op));
    for (const e of slot.list) if (sameEntry(e, op)) return e;
    return undefined;
  }

  /** Sum `op` in; `roomFor(1)` is asked before a new entry is created. */
  add(op: RecordOp, roomFor: () => void): void {
    const slot = this.slots.get(op.slug);
    if (slot !== undefined) {
      const e = sameEntry(slot.last, op) ? slot.last : this.find(slot, op);
      if (e !== undefined) {
        const sum = e.by + op.by;
        if (!Number.isSafeInteger(sum)) throw overflow(op);
        e.by = sum;
        slot.last = e;
        return;
      }
    }
    roomFor();
    this.insert(slot, { ...op });
  }

  /** Sum all of `ops` or none: `E_COUNT_OVERFLOW` when a sum would pass a safe integer. */
  addAll(ops: readonly RecordOp[], room: (entries: number) => void): void {
    const next = new Map<string, number>();
    let fresh = 0;
    for (const op of ops) {
      const key = `${op.slug}\u0000${keyOf(op)}`;
      let sum = next.get(key);
      if (sum === undefined) {
        const slot = this.slots.get(op.slug);
        const e = slot && this.find(slot, op);
        if (e === undefined) fresh++;
        sum = e?.by ?? 0;
      }
      sum += op.by;
      if (!Number.isSafeInteger(sum)) throw overflow(op);
      next.set(key, sum);
    }
    room(fresh);
    for (const op of ops) this.add(op, () => undefined);
  }

  private insert(slot: Slot | undefined, e: RecordOp): void {
    this.size++;
    if (slot === undefined) {
      this.slots.set(e.slug, { list: [e], byKey: undefined, last: e });
      return;
    }
    slot.list.push(e);
    slot.last = e;
    if (slot.byKey) slot.byKey.set(keyOf(e), e);
    else if (slot.list.length > WIDE) slot.byKey = new Map(slot.list.map((x) => [keyOf(x), x]));
  }

  /** Remove and return every entry. */
  take(): RecordOp[] {
    const out: RecordOp[] = [];
    for (const slot of this.slots.values()) out.push(...slot.list);
    this.slots = new Map();
    this.size = 0;
    return out;
  }
}
