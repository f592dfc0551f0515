import type { RecordOp } from "../types.js";
import { ALONE, type OpOutcome } from "./_batch.js";

interface Waiting {
  op: RecordOp;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Records issued in the same microtask turn (e.g. many concurrent requests
 * recording at once) travel together: they are summed per slug and bucket
 * and sent as one pipelined batch of script calls at the end of the turn,
 * each slug's sum numbered by the producer like a single record; one record
 * alone takes the single-EVALSHA path. When the previous turn held one record
 * (records awaited one after another), a turn's first record goes out at once
 * and its caller gets the single path's own promise, so a lone awaited record
 * pays nothing for the batching. Every `record()` resolves only once its own
 * increment is in Redis, and rejects only for its own slug's part: a part
 * refused for an overflow (which wrote nothing) sends its records again one
 * by one, so one record cannot fail its neighbours.
 */
export function coalesceRecords(
  single: (op: RecordOp) => Promise<void>,
  together: (ops: readonly RecordOp[]) => Promise<OpOutcome[]>,
): (op: RecordOp) => Promise<void> {
  /** True from a turn's first record until the end of that turn. */
  let inTurn = false;
  /** Records in this turn, and in the previous one. */
  let count = 0;
  let previous = 0;
  let queue: Waiting[] | undefined;

  const send = (waiting: Waiting[]): void => {
    if (waiting.length === 1) {
      const [w] = waiting as [Waiting];
      single(w.op).then(w.resolve, w.reject);
      return;
    }
    void together(waiting.map((w) => w.op)).then(
      (outcomes) => {
        waiting.forEach((w, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) w.resolve();
          else if (outcome === ALONE) single(w.op).then(w.resolve, w.reject);
          else w.reject(outcome);
        });
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );
  };

  const endTurn = (): void => {
    inTurn = false;
    previous = count;
    const waiting = queue;
    queue = undefined;
    if (waiting !== undefined) send(waiting);
  };

  return (op) => {
    if (!inTurn) {
      inTurn = true;
      count = 1;
      queueMicrotask(endTurn);
      if (previous <= 1) return single(op);
    } else count += 1;
    queue ??= [];
    const waiting = queue;
    return new Promise<void>((resolve, reject) => {
      waiting.push({ op, resolve, reject });
    });
  };
}
