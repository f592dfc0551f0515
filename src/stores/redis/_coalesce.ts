import type { RecordOp } from "../types.js";
import { ALONE, type OpOutcome } from "./_batch.js";

interface Waiting {
  op: RecordOp;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Records issued in the same microtask turn (e.g. many concurrent requests
 * recording at once) travel together: one alone takes the single-EVALSHA path;
 * several are summed per slug and bucket and sent as one pipelined batch of
 * script calls, each slug's sum numbered by the producer like a single record.
 * Every `record()` resolves only once its own increment is in Redis, and
 * rejects only for its own slug's part: a part refused for an overflow (which
 * wrote nothing) sends its records again one by one, so one record cannot
 * fail its neighbours. A lone awaited record pays one extra microtask.
 */
export function coalesceRecords(
  single: (op: RecordOp) => Promise<void>,
  together: (ops: readonly RecordOp[]) => Promise<OpOutcome[]>,
): (op: RecordOp) => Promise<void> {
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

  return (op) =>
    new Promise<void>((resolve, reject) => {
      if (queue) {
        queue.push({ op, resolve, reject });
        return;
      }
      const waiting: Waiting[] = [{ op, resolve, reject }];
      queue = waiting;
      queueMicrotask(() => {
        queue = undefined;
        send(waiting);
      });
    });
}
