import { randomBytes } from "node:crypto";

/**
 * One identity of a store instance as an idempotent producer (the model is
 * Kafka's): an id, and sequence numbers that grow across every write made
 * under it. A write keeps its number through every retry and re-send, and the
 * write scripts apply a number at most once per slug. `floor()` is the
 * highest number below which every write is settled here (answered, or given
 * up on), so Redis may forget the numbers under it and refuse late copies.
 */
export interface ProducerId {
  /** Its meta-hash field: `q:<created s>:<ttl s>:<random>`. */
  readonly field: string;
  /** A new sequence number, unsettled until {@link settle}. */
  next(): number;
  /** Mark a number settled: its write resolved, or the caller gave up on it. */
  settle(seq: number): void;
  /** Every number ≤ this is settled. */
  floor(): number;
}

/**
 * The producer identities of one store instance: a new one every `ttlMs / 2`,
 * so that Redis may drop a producer's state `ttlMs` after it was created
 * (the field name carries both times). Writes in flight keep the identity
 * they started with.
 */
export function createProducers(ttlMs: number): { current(): ProducerId } {
  let id = createProducerId(ttlMs);
  let rotateAt = Date.now() + ttlMs / 2;
  return {
    current() {
      if (Date.now() >= rotateAt) {
        id = createProducerId(ttlMs);
        rotateAt = Date.now() + ttlMs / 2;
      }
      return id;
    },
  };
}

function createProducerId(ttlMs: number): ProducerId {
  const created = Math.floor(Date.now() / 1000);
  const field = `q:${created}:${Math.ceil(ttlMs / 1000)}:${randomBytes(6).toString("base64url")}`;
  let last = 0;
  // Issued numbers in order, from `head`; settled ones are dropped from the front lazily.
  let issued: number[] = [];
  let head = 0;
  const settled = new Set<number>();
  return {
    field,
    next() {
      last += 1;
      issued.push(last);
      return last;
    },
    settle(seq) {
      if (head >= issued.length || seq < (issued[head] as number)) return; // settled before
      if (seq === issued[head] && settled.size === 0) {
        head += 1; // the oldest one, nothing settled out of order: the common case
        if (head > 1024 && head * 2 > issued.length) {
          issued = issued.slice(head);
          head = 0;
        }
        return;
      }
      settled.add(seq);
      while (head < issued.length && settled.delete(issued[head] as number)) head += 1;
      if (head > 1024 && head * 2 > issued.length) {
        issued = issued.slice(head);
        head = 0;
      }
    },
    floor() {
      return head < issued.length ? (issued[head] as number) - 1 : last;
    },
  };
}
