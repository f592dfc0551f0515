import { MetricsError } from "../../errors.js";
import type { RecordOp } from "../types.js";

interface Waiting {
  op: RecordOp;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Records issued in the same microtask turn (e.g. many concurrent requests
 * recording at once) travel together: one alone takes the single-EVALSHA path;
 * several are summed per slug and bucket and sent as one pipelined batch of
 * script calls. Every `record()` still resolves only once its own increment is
 * in Redis, and rejects if the call carrying it failed. A lone awaited record
 * pays one extra microtask, nothing else.
 */
export function coalesceRecords(
  single: (op: RecordOp) => Promise<void>,
  batch: (ops: readonly RecordOp[]) => Promise<void>,
): (op: RecordOp) => Promise<void> {
  let queue: Waiting[] | undefined;

  const send = (waiting: Waiting[]): void => {
    if (waiting.length === 1) {
      const [w] = waiting as [Waiting];
      single(w.op).then(w.resolve, w.reject);
      return;
    }
    batch(waiting.map((w) => w.op)).then(
      () => {
        for (const w of waiting) w.resolve();
      },
      (error: unknown) => {
        // A sum past a safe integer is refused before anything is sent: then
        // each record goes alone, so one cannot fail its neighbours. Any other
        // failure may have applied part of the batch, so it is not retried.
        if (error instanceof MetricsError && error.code === "E_INVALID_COUNT") {
          for (const w of waiting) single(w.op).then(w.resolve, w.reject);
        } else {
          for (const w of waiting) w.reject(error);
        }
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
