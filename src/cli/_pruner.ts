import type { Metrics } from "../core/index.js";
import type { Logger } from "../stores/types.js";
import { startPeriodic } from "./_periodic.js";

const HOUR = 3_600_000;

/**
 * For `tallyboard start`: delete buckets past the store's retention now and
 * every hour (`metrics.prune()`), one run at a time. Nothing runs when the
 * store keeps everything. A failed run is logged and retried at the next tick.
 */
export function startPruner(metrics: Metrics, logger: Logger, everyMs = HOUR): { stop(): Promise<void> } {
  if (Object.keys(metrics.store.retention ?? {}).length === 0) return { stop: async () => {} };
  return startPeriodic(async () => {
    try {
      await metrics.prune();
    } catch (error) {
      logger.error(
        `pruning expired buckets failed (retried in an hour): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }, everyMs);
}
