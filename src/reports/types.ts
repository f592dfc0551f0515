import type { MetricSetRecord } from "../stores/types.js";

/** Options of `createMetricSet()`. */
export interface MetricSetOptions {
  /** Free-text name, 1–200 characters; creating a set with an existing name replaces it. */
  name: string;
  /** Slugs to report, in order (1–50). */
  metrics: string[];
  /** E-mail addresses (1–50). */
  recipients: string[];
  /** `"daily"`, `"weekly"`, `"monthly"` or a cron expression (croner syntax) in the metrics' time zone. @default "daily" */
  schedule?: string;
  /** Optional alert bounds per slug for the period's count. */
  thresholds?: Record<string, { above?: number; below?: number }>;
}

/** A stored metric set. */
export type MetricSet = MetricSetRecord;

/** One closed reporting period of a schedule. */
export interface ReportPeriod {
  /** Stable key of the period (used to claim it), e.g. `"daily:2024-05-01"`. */
  key: string;
  /** First instant of the period (epoch ms). */
  start: number;
  /** First instant after the period (epoch ms). */
  end: number;
}

/** One metric's row in a report. */
export interface ReportRow {
  slug: string;
  /** Definition name, or the slug. */
  name: string;
  unit?: string;
  /** Count in the reported period and in the one before it. */
  period: number;
  previousPeriod: number;
  /** Local day of the period's end (`today`) and the day before. */
  today: number;
  yesterday: number;
  thisWeek: number;
  lastWeek: number;
  thisMonth: number;
  lastMonth: number;
  thisYear: number;
  lastYear: number;
  /** (period − previousPeriod) / previousPeriod × 100; null when previousPeriod is 0. */
  change: number | null;
  /** Daily counts of the last 30 local days up to the period's end, oldest first (for the bar chart). */
  daily: { start: number; count: number }[];
  /** True when a threshold of the set was crossed. */
  alert: boolean;
  /** Why the row is an alert, e.g. "above 100". */
  alertReason?: string;
}

/** Everything `buildReport()` needs (pure data). */
export interface ReportData {
  set: MetricSet;
  period: ReportPeriod;
  timezone: string;
  rows: ReportRow[];
  /** When the report was generated (epoch ms). */
  generatedAt: number;
}

/** A rendered report. */
export interface Report {
  subject: string;
  text: string;
  html: string;
}

/** Where reports go. */
export interface ReportTransport {
  /** Deliver one message; reject on failure (the report is then retried on the next run). */
  send(message: { from: string; to: string[]; subject: string; text: string; html: string }): Promise<void>;
  /** Release connections. Idempotent. */
  close?(): Promise<void>;
}

/** What one `sendReports()` run did. */
export interface SendReportsResult {
  sent: { set: string; period: string; recipients: string[] }[];
  /** Sets whose latest closed period was already sent or is being sent by another run, or not due. */
  skipped: { set: string; period: string | null; reason: "sent-or-claimed" | "before-created" | "no-closed-period" }[];
  failed: { set: string; period: string; error: string }[];
}
