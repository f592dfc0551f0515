import { Cron } from "croner";
import { redactSecrets } from "../errors.js";
import type { Reports, SendReportsResult } from "../reports/index.js";
import type { Logger } from "../stores/types.js";
import type { Output } from "./_context.js";
import { sentLines } from "./_reports.js";

/** Options of {@link startReportScheduler}. */
export interface ReportSchedulerOptions {
  reports: Reports;
  /** IANA zone the minute ticks are computed in (that of the metrics). */
  timezone: string;
  /** Gets one line per sent report. */
  stdout: Output;
  /** Gets errors of a whole run; failed sends are logged by `createReports()`'s logger. */
  logger: Logger;
  /** Run once at once, before the first tick. @default true */
  runNow?: boolean;
}

/** A running scheduler. */
export interface ReportScheduler {
  /** Run `sendReports()` now (waits for a run already in progress instead of starting a second). */
  runOnce(): Promise<SendReportsResult | undefined>;
  /** Stop the ticks and wait for a run in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Call `sendReports()` every minute (croner, `protect` against overlapping
 * runs). Each sent report prints one line; a failed send is retried by a
 * later tick, because its claim was released.
 */
export function startReportScheduler(options: ReportSchedulerOptions): ReportScheduler {
  const { reports, stdout, logger } = options;
  let running: Promise<SendReportsResult | undefined> | undefined;
  const run = async (): Promise<SendReportsResult | undefined> => {
    try {
      const result = await reports.sendReports();
      // Failed sends are logged by the library (same logger) and retried by the next tick.
      for (const line of sentLines(result)) stdout.write(`report ${line}\n`);
      return result;
    } catch (error) {
      // Only the message, with URL passwords masked: a store or SMTP error may quote its URL.
      logger.error(
        `sending reports failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`,
      );
      return undefined;
    }
  };
  const runOnce = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const job = new Cron("* * * * *", { timezone: options.timezone, protect: true }, async () => {
    await runOnce();
  });
  if (options.runNow !== false) void runOnce();
  let stopping: Promise<void> | undefined;
  return {
    runOnce,
    stop: () => {
      stopping ??= (async () => {
        job.stop();
        await running;
      })();
      return stopping;
    },
  };
}
