import type { Metrics } from "../core/index.js";
import type { Logger } from "../stores/types.js";

const HOUR = 3_600_000;

/**
 * For `tallyboard start`: delete buckets past the store's retention now and
 * every hour (`metrics.prune()`), one run at a time. Nothing runs when the
 * store keeps everything. A failed run is logged and retried at the next tick.
 */
export function startPruner(metrics: Metrics, logger: Logger, everyMs = HOUR): { stop(): Promise<void> } {
  if (Object.keys(metrics.store.retention ?? {}).length === 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = metrics
      .prune()
      .then(
        () => undefined,
        (error: unknown) => {
          logger.error(
            `pruning expired buckets failed (retried in an hour): ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      )
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
