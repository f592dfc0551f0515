import { randomBytes } from "node:crypto";

/**
 * The identity of one store instance as an idempotent producer (the model is
 * Kafka's): a random id, and sequence numbers that grow across every write of
 * the instance. A write keeps its number through every retry and re-send, and
 * the write scripts apply a number at most once per slug. `floor()` is the
 * highest number below which every write is settled here (answered, or given
 * up on), so Redis may forget the numbers under it and refuse late copies.
 */
export interface Producer {
  /** The meta-hash field of this producer: `q:<id>`. */
  readonly field: string;
  /** A new sequence number, unsettled until {@link settle}. */
  next(): number;
  /** Mark a number settled: its write resolved, or the caller gave up on it. */
  settle(seq: number): void;
  /** Every number ≤ this is settled. */
  floor(): number;
}

export function createProducer(): Producer {
  const id = randomBytes(9).toString("base64url");
  let last = 0;
  // Issued numbers in order, from `head`; settled ones are dropped from the front lazily.
  let issued: number[] = [];
  let head = 0;
  const settled = new Set<number>();
  return {
    field: `q:${id}`,
    next() {
      last += 1;
      issued.push(last);
      return last;
    },
    settle(seq) {
      if (head >= issued.length || seq < (issued[head] as number)) return; // settled before
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
