import type { Metrics } from "../core/types.js";
import { describeValue, MetricsError } from "../errors.js";
import { collectReportData } from "./_data.js";
import { checkMetricSet } from "./_validate.js";
import { buildReport } from "./build.js";
import { lastClosedPeriod } from "./period.js";
import type { MetricSet, Reports, ReportsOptions, SendReportsResult } from "./types.js";

const DEFAULT_FROM = "tallyboard <reports@localhost>";
const DEFAULT_LEASE_MS = 600_000;

/**
 * Metric sets and their e-mail reports on top of a metrics instance. Sets,
 * claims and sent markers live in the metrics' store, so every process
 * sharing the store sees the same sets and a report is sent once.
 *
 * @example
 * const reports = createReports(metrics, { transport: smtpTransport("smtp://localhost:587") });
 * await reports.createMetricSet({ name: "Daily overview", metrics: ["signups"], recipients: ["ops@example.org"] });
 * await reports.sendReports(); // e.g. every few minutes from cron
 */
export function createReports(metrics: Metrics, options: ReportsOptions): Reports {
  if (options === null || typeof options !== "object" || typeof options.transport?.send !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createReports() needs { transport } with a send() method, got ${describeValue(options)}`,
    );
  }
  const { transport, logger } = options;
  const from = options.from ?? DEFAULT_FROM;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `leaseMs must be a positive integer, got ${describeValue(leaseMs)}`,
    );
  }
  const clock = options.now ?? Date.now;
  const { store, calendar } = metrics;
  // Reading definitions attaches the store to the calendar before any set operation.
  const ready = () => metrics.definitions();

  const toNow = (value: number | Date | undefined): number => {
    const t = value === undefined ? clock() : value instanceof Date ? value.getTime() : value;
    if (typeof t !== "number" || !Number.isFinite(t)) {
      throw new MetricsError(
        "E_INVALID_DATE",
        `now must be a Date or epoch milliseconds, got ${describeValue(value)}`,
      );
    }
    return t;
  };

  const findSet = async (name: string): Promise<MetricSet> => {
    await ready();
    const set = (await store.metricSets()).find((s) => s.name === name);
    if (!set) throw new MetricsError("E_NOT_FOUND", `No metric set named ${describeValue(name)}`);
    return set;
  };

  const sendOne = async (set: MetricSet, now: number, result: SendReportsResult): Promise<void> => {
    const period = lastClosedPeriod(set.schedule, calendar, now);
    if (!period) return void result.skipped.push({ set: set.name, period: null, reason: "no-closed-period" });
    if (period.end <= set.createdAt) {
      return void result.skipped.push({ set: set.name, period: period.key, reason: "before-created" });
    }
    const key = { set: set.name, period: period.key };
    let claimed: boolean;
    try {
      claimed = await store.claimReport({ ...key, now, leaseMs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger?.error(
        `tallyboard: could not claim report ${period.key} of ${describeValue(set.name)}: ${message}`,
      );
      return void result.failed.push({ ...key, error: message });
    }
    if (!claimed) return void result.skipped.push({ ...key, reason: "sent-or-claimed" });
    try {
      const report = buildReport(await collectReportData(metrics, set, period, now));
      await transport.send({ from, to: [...set.recipients], ...report, set: set.name });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger?.error(`tallyboard: report ${describeValue(set.name)} for ${period.key} failed: ${message}`);
      result.failed.push({ ...key, error: message });
      await store.releaseReport(key).catch((releaseError: unknown) => {
        logger?.error(
          `tallyboard: could not release report ${period.key} of ${describeValue(set.name)}`,
          releaseError,
        );
      });
      return;
    }
    try {
      await store.completeReport(key);
    } catch (error) {
      // Sent but not marked: the claim stays until leaseMs, after which it could be sent again.
      logger?.error(
        `tallyboard: report ${period.key} of ${describeValue(set.name)} was sent but not marked sent`,
        error,
      );
    }
    result.sent.push({ ...key, recipients: [...set.recipients] });
    logger?.info?.(`tallyboard: sent report ${period.key} of ${describeValue(set.name)}`);
  };

  return {
    async createMetricSet(o) {
      const record = checkMetricSet(o, calendar.timezone);
      await ready();
      const existing = (await store.metricSets()).find((s) => s.name === record.name);
      const set: MetricSet = { ...record, createdAt: existing?.createdAt ?? clock() };
      await store.putMetricSet(set);
      return structuredClone(set);
    },
    async metricSets() {
      await ready();
      return store.metricSets();
    },
    async deleteMetricSet(name) {
      await findSet(name);
      await store.deleteMetricSet(name);
    },
    async reportData(name, o) {
      const now = toNow(o?.now);
      const set = await findSet(name);
      const period = lastClosedPeriod(set.schedule, calendar, now);
      if (!period) {
        throw new MetricsError(
          "E_NOT_FOUND",
          `Metric set ${describeValue(name)} has no closed period at ${new Date(now).toISOString()}`,
        );
      }
      return collectReportData(metrics, set, period, now);
    },
    async sendReports(o) {
      const now = toNow(o?.now);
      await ready();
      const result: SendReportsResult = { sent: [], skipped: [], failed: [] };
      for (const set of await store.metricSets()) await sendOne(set, now, result);
      return result;
    },
  };
}
