import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import type { Store } from "../../src/stores/types.js";

/** How the next batch writes fail. */
export type Fault = "none" | "down" | "lost-reply" | "hang";

/**
 * A memory store whose `recordBatch` can be made to fail: before applying
 * ("down"), after applying ("lost-reply": the write happened, the caller
 * hears an error), or never answering ("hang"). For the capture's own logic;
 * the real-Redis tests put a TCP fault proxy in front of redis-server.
 */
export function flakyStore(): Store & { fault: Fault; batchIds: string[] } {
  const inner = memoryStore();
  const flaky = {
    ...inner,
    fault: "none" as Fault,
    batchIds: [] as string[],
    async recordBatch(...args: Parameters<Store["recordBatch"]>) {
      flaky.batchIds.push(args[1]?.batchId ?? "");
      if (flaky.fault === "hang") return new Promise<void>(() => undefined);
      if (flaky.fault === "down") throw new MetricsError("E_STORE", "store is down");
      await inner.recordBatch(...args);
      if (flaky.fault === "lost-reply") throw new MetricsError("E_STORE", "reply lost");
    },
  };
  return flaky;
}
