import type { Metrics } from "../core/types.js";
import { describeValue, MetricsError } from "../errors.js";
import { collectReportData } from "./_data.js";
import { checkMaxCatchUp, checkOptionKeys, DEFAULT_MAX_CATCH_UP } from "./_options.js";
import { type SendContext, sendSet } from "./_send.js";
import { checkMetricSet, hasControl } from "./_validate.js";
import { lastClosedPeriod } from "./period.js";
import type { MetricSet, Reports, ReportsOptions, SendReportsResult } from "./types.js";

const DEFAULT_FROM = "tallyboard <reports@localhost>";
const DEFAULT_LEASE_MS = 600_000;
const OPTIONS = ["transport", "from", "leaseMs", "maxCatchUp", "logger", "now"] as const;

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
  if (
    metrics === null ||
    typeof metrics !== "object" ||
    typeof metrics.definitions !== "function" ||
    typeof metrics.store?.claimReport !== "function" ||
    typeof metrics.calendar?.bucket !== "function"
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createReports() needs a metrics instance from createMetrics(), got ${describeValue(metrics)}`,
    );
  }
  const { transport, logger, from, leaseMs, maxCatchUp, clock } = checkReportsOptions(options);
  const { store, calendar } = metrics;
  // Reading definitions attaches the store to the calendar before any set operation.
  const ready = () => metrics.definitions();

  const toNow = (value: unknown): number => {
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

  const context: SendContext = { metrics, transport, from, leaseMs, logger };

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
      if (o !== undefined) checkOptionKeys(o, ["now"], "reportData()");
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
      if (o !== undefined) checkOptionKeys(o, ["now", "maxCatchUp"], "sendReports()");
      const now = toNow(o?.now);
      const run = {
        now,
        maxCatchUp: o?.maxCatchUp === undefined ? maxCatchUp : checkMaxCatchUp(o.maxCatchUp),
        result: { sent: [], skipped: [], failed: [] } as SendReportsResult,
      };
      await ready();
      for (const set of await store.metricSets()) await sendSet(context, set, run);
      return run.result;
    },
  };
}

/** Validated {@link ReportsOptions} with defaults; throws `E_INVALID_OPTION` naming the bad key or value. */
function checkReportsOptions(options: ReportsOptions) {
  checkOptionKeys(options, OPTIONS, "createReports()");
  const { transport, logger } = options;
  if (transport === null || typeof transport !== "object" || typeof transport.send !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createReports() needs { transport } with a send() method, got ${describeValue(transport)}`,
    );
  }
  const from = options.from ?? DEFAULT_FROM;
  if (typeof from !== "string" || from.trim() === "" || hasControl(from)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `from must be an address on one line, got ${describeValue(from)}`,
    );
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `leaseMs must be a positive integer, got ${describeValue(leaseMs)}`,
    );
  }
  if (
    logger !== undefined &&
    (logger === null || typeof logger.warn !== "function" || typeof logger.error !== "function")
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `logger must have warn() and error() methods (console fits), got ${describeValue(logger)}`,
    );
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `now must be a function returning epoch ms, got ${describeValue(options.now)}`,
    );
  }
  const maxCatchUp =
    options.maxCatchUp === undefined ? DEFAULT_MAX_CATCH_UP : checkMaxCatchUp(options.maxCatchUp);
  const clock = options.now ?? Date.now;
  return { transport, logger, from, leaseMs, maxCatchUp, clock };
}
