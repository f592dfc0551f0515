import type { RecordOp } from "../types.js";
import { ALONE, type OpOutcome } from "./_batch.js";

interface Waiting {
  op: RecordOp;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Records issued in the same microtask turn (e.g. many concurrent requests
 * recording at once) travel together: the first of a turn goes out at once
 * on the single-EVALSHA path, so a lone awaited record pays nothing extra;
 * the others of the turn are summed per slug and bucket and sent as one
 * pipelined batch of script calls at the end of the turn, each slug's sum
 * numbered by the producer like a single record (one of them alone takes the
 * single path). Every `record()` resolves only once its own increment is in
 * Redis, and rejects only for its own slug's part: a part refused for an
 * overflow (which wrote nothing) sends its records again one by one, so one
 * record cannot fail its neighbours.
 */
export function coalesceRecords(
  single: (op: RecordOp) => Promise<void>,
  together: (ops: readonly RecordOp[]) => Promise<OpOutcome[]>,
): (op: RecordOp) => Promise<void> {
  /** True from a turn's first record until the end of that turn. */
  let inTurn = false;
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
    const waiting = queue;
    queue = undefined;
    if (waiting !== undefined) send(waiting);
  };

  return (op) => {
    if (!inTurn) {
      inTurn = true;
      queueMicrotask(endTurn);
      return single(op);
    }
    queue ??= [];
    const waiting = queue;
    return new Promise<void>((resolve, reject) => {
      waiting.push({ op, resolve, reject });
    });
  };
}
