export { buildReport } from "./build.js";
export { type ClosedPeriodsOptions, closedPeriods, lastClosedPeriod } from "./period.js";
export { createReports } from "./reports.js";
export { directoryTransport, smtpTransport } from "./transports.js";
export type {
  MetricSet,
  MetricSetOptions,
  Report,
  ReportData,
  ReportMessage,
  ReportPeriod,
  ReportRow,
  Reports,
  ReportsOptions,
  ReportTransport,
  SendReportsOptions,
  SendReportsResult,
} from "./types.js";
