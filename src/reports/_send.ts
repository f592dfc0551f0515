import { randomUUID } from "node:crypto";
import type { Metrics } from "../core/types.js";
import { describeValue, redactSecrets } from "../errors.js";
import type { Logger, ReportHold } from "../stores/types.js";
import { collectReportData } from "./_data.js";
import { buildReport } from "./build.js";
import { closedPeriods, lastClosedPeriod } from "./period.js";
import type { MetricSet, ReportPeriod, ReportTransport, SendReportsResult } from "./types.js";

/** What sending needs, fixed per `createReports()`. */
export interface SendContext {
  metrics: Metrics;
  transport: ReportTransport;
  from: string;
  leaseMs: number;
  logger: Logger | undefined;
}

/** One `sendReports()` run: its clock reading, catch-up cap and result being filled. */
export interface SendRun {
  now: number;
  maxCatchUp: number;
  result: SendReportsResult;
}

/** The message of an error, with any password in a URL masked. */
export const messageOf = (error: unknown): string =>
  redactSecrets(error instanceof Error ? error.message : String(error));

/**
 * Send the missed periods of one set, oldest first: every closed period that
 * ended after the set's `createdAt`, at most `maxCatchUp` of them (older ones
 * are skipped with a logged note). Each period is claimed with a fresh owner
 * token before it is sent. The set stops at the first period that another
 * sender holds (it goes on in order) or whose send fails (the claim is
 * released and the next run retries it), so reports leave oldest first.
 */
export async function sendSet(ctx: SendContext, set: MetricSet, run: SendRun): Promise<void> {
  const { metrics, logger } = ctx;
  const { now, maxCatchUp, result } = run;
  const name = describeValue(set.name);
  const periods = closedPeriods(set.schedule, metrics.calendar, now, {
    limit: maxCatchUp + 1,
    after: set.createdAt,
  });
  if (periods.length === 0) {
    const latest = lastClosedPeriod(set.schedule, metrics.calendar, now);
    result.skipped.push(
      latest
        ? { set: set.name, period: latest.key, reason: "before-created" }
        : { set: set.name, period: null, reason: "no-closed-period" },
    );
    return;
  }
  const due = periods.slice(0, maxCatchUp).reverse();
  const beyond = periods[maxCatchUp];
  let sentAny = false;
  for (const [index, period] of due.entries()) {
    const hold: ReportHold = { set: set.name, period: period.key, owner: randomUUID() };
    let outcome: Awaited<ReturnType<typeof metrics.store.claimReport>>;
    try {
      outcome = await metrics.store.claimReport({ ...hold, now, leaseMs: ctx.leaseMs });
    } catch (error) {
      logger?.error(`tallyboard: could not claim report ${period.key} of ${name}: ${messageOf(error)}`);
      result.failed.push({ set: set.name, period: period.key, error: messageOf(error) });
      return;
    }
    if (outcome === "sent") continue;
    if (outcome === "held") {
      // Another sender holds this period and goes on with the later ones in order.
      result.skipped.push({ set: set.name, period: period.key, reason: "sent-or-claimed" });
      return;
    }
    if (index === 0 && beyond) {
      logger?.warn(
        `tallyboard: report ${name} missed more than ${maxCatchUp} periods (maxCatchUp): sending ${period.key} to ${due.at(-1)?.key}; ${beyond.key} and older are skipped`,
      );
      result.skipped.push({ set: set.name, period: beyond.key, reason: "over-max-catch-up" });
    }
    if (!(await deliver(ctx, set, period, hold, run))) return;
    sentAny = true;
  }
  if (!sentAny) {
    result.skipped.push({ set: set.name, period: periods[0]?.key ?? null, reason: "sent-or-claimed" });
  }
}

/** Build, send and mark one claimed report; false (claim released) when the send failed. */
async function deliver(
  ctx: SendContext,
  set: MetricSet,
  period: ReportPeriod,
  hold: ReportHold,
  run: SendRun,
): Promise<boolean> {
  const { metrics, logger } = ctx;
  const name = describeValue(set.name);
  try {
    const report = buildReport(await collectReportData(metrics, set, period, run.now));
    await ctx.transport.send({ from: ctx.from, to: [...set.recipients], ...report, set: set.name });
  } catch (error) {
    logger?.error(`tallyboard: report ${name} for ${period.key} failed: ${messageOf(error)}`);
    run.result.failed.push({ set: set.name, period: period.key, error: messageOf(error) });
    await metrics.store.releaseReport(hold).catch((releaseError: unknown) => {
      // The claim then protects the report until leaseMs, and a later run retries it.
      logger?.error(
        `tallyboard: could not release report ${period.key} of ${name}: ${messageOf(releaseError)}`,
      );
    });
    return false;
  }
  try {
    if (!(await metrics.store.completeReport(hold))) {
      logger?.warn(
        `tallyboard: report ${period.key} of ${name} was sent, but another sender took its claim over meanwhile (the send took longer than leaseMs = ${ctx.leaseMs}); it may be sent twice`,
      );
    }
  } catch (error) {
    // Sent but not marked: the claim stays until leaseMs, after which it could be sent again.
    logger?.error(
      `tallyboard: report ${period.key} of ${name} was sent but not marked sent: ${messageOf(error)}`,
    );
  }
  run.result.sent.push({ set: set.name, period: period.key, recipients: [...set.recipients] });
  logger?.info?.(`tallyboard: sent report ${period.key} of ${name}`);
  return true;
}
