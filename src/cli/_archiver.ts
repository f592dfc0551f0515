import type { Metrics } from "../core/index.js";
import type { Logger, Store } from "../stores/types.js";
import type { CliContext } from "./_context.js";
import { formatNumber } from "./_format.js";
import { startPeriodic } from "./_periodic.js";

const HOUR = 3_600_000;

/** Options of {@link startArchiver}. */
export interface ArchiverOptions {
  hot: Store;
  cold: Store;
  /** Duration such as "90d" (validated by the caller). */
  olderThan: string;
  metrics: Metrics;
  ctx: Pick<CliContext, "now" | "stderr">;
  logger: Logger;
  /** @default one hour */
  everyMs?: number;
}

/**
 * Run `archive()` from the hot to the cold tier now and then every hour,
 * one run at a time, for `tallyboard start --archive-to`. A failed run is
 * logged and retried at the next tick (archive is idempotent).
 */
export function startArchiver(options: ArchiverOptions): { stop(): Promise<void> } {
  return startPeriodic(async () => {
    try {
      const { archive } = await import("../stores/tiered/index.js");
      const result = await archive({
        from: options.hot,
        to: options.cold,
        olderThan: options.olderThan,
        now: options.ctx.now(),
        timezone: options.metrics.calendar.timezone,
        weekStart: options.metrics.calendar.weekStart,
      });
      if (result.chunks > 0) {
        options.ctx.stderr.write(
          `archive: moved ${formatNumber(result.buckets)} buckets (${formatNumber(result.chunks)} chunks) older than ${new Date(result.before).toISOString()}\n`,
        );
      }
    } catch (error) {
      options.logger.error(
        `archive failed (retried in an hour): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }, options.everyMs ?? HOUR);
}
