import type { Store } from "../stores/types.js";
import type { Capture } from "./types.js";

/** Each record is written by the store before the call resolves. */
export function directCapture(store: Store): Capture {
  return {
    mode: "direct",
    record: (op) => store.record(op),
    recordMany: (ops) => (ops.length === 0 ? Promise.resolve() : store.recordBatch(ops)),
    flush: () => Promise.resolve(),
    dispose: () => Promise.resolve(),
    stats: async () => ({ mode: "direct", pendingSums: 0, pendingBatches: 0, pendingBatchSums: 0 }),
  };
}
