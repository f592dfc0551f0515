import type { Logger, MetricSetRecord } from "../stores/types.js";

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
  /** Human label in the calendar's zone, e.g. `"2024-05-01"`, `"2024-04-29 – 2024-05-05"`, `"2024-05"`. */
  label: string;
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
  /** The local day holding the period's last instant (`today`) and the day before. */
  today: number;
  yesterday: number;
  /**
   * The local week, month and year holding that day, to date (through that
   * day), and the same number of days from the start of the previous week,
   * month and year (all of it when shorter, or when the current one is
   * complete, as in weekly and monthly reports). When the slug stores no daily
   * counts: whole buckets, with a `note`.
   */
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
  /** Set when some counts could not be read as asked (e.g. the slug stores no daily counts). */
  note?: string;
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

/** One e-mail handed to a {@link ReportTransport}. */
export interface ReportMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Name of the metric set (used for file names and logs). */
  set?: string;
}

/** Where reports go. */
export interface ReportTransport {
  /** Deliver one message; reject on failure (the report is then retried on the next run). */
  send(message: ReportMessage): Promise<void>;
  /** Release connections. Idempotent. */
  close?(): Promise<void>;
}

/** What one `sendReports()` run did. */
export interface SendReportsResult {
  sent: { set: string; period: string; recipients: string[] }[];
  /**
   * Why a set sent nothing more: `sent-or-claimed` (every due period was sent
   * already — the latest is named — or another run holds the named period and
   * sends it and the later ones), `before-created` (the latest closed period
   * ended before the set was created), `no-closed-period` (the schedule has not
   * closed a period yet), and `over-max-catch-up` (the named period and older
   * ones were missed beyond `maxCatchUp` and are not sent).
   */
  skipped: {
    set: string;
    period: string | null;
    reason: "sent-or-claimed" | "before-created" | "no-closed-period" | "over-max-catch-up";
  }[];
  failed: { set: string; period: string; error: string }[];
}

/** Options of `createReports()`. */
export interface ReportsOptions {
  /** Where messages go: `smtpTransport(url)` or `directoryTransport(dir)`. */
  transport: ReportTransport;
  /** Sender address. @default "tallyboard <reports@localhost>" */
  from?: string;
  /** Age after which an unfinished claim (a sender that died) may be taken over, in ms. Keep it longer than a send. @default 600000 */
  leaseMs?: number;
  /**
   * After a downtime, send at most this many missed periods per set and run
   * (the latest ones, oldest first); older missed periods are skipped with a
   * logged warning. An integer from 1 to 1000. @default 7
   */
  maxCatchUp?: number;
  /** Where send failures (`error`), catch-up notes (`warn`) and sends (`info`) are logged. @default undefined (silent) */
  logger?: Logger;
  /** Clock used when a method gets no `now`. @default () => Date.now() */
  now?: () => number;
}

/** Options of `sendReports()`. */
export interface SendReportsOptions {
  /** The time of the run. @default the `now` clock of `createReports()` */
  now?: number | Date;
  /** Most missed periods sent per set in this run. @default the `createReports()` option (7) */
  maxCatchUp?: number;
}

/** The reports API returned by `createReports()`. Methods are closures. */
export interface Reports {
  /** Validate and store a metric set (replacing one of the same name, keeping its `createdAt`). */
  createMetricSet(options: MetricSetOptions): Promise<MetricSet>;
  /** Every metric set, sorted by name. */
  metricSets(): Promise<MetricSet[]>;
  /** Remove a metric set (`E_NOT_FOUND` when there is none of that name). */
  deleteMetricSet(name: string): Promise<void>;
  /** The data of the set's last closed period at `now` (`E_NOT_FOUND` for an unknown set or no closed period). */
  reportData(name: string, options?: { now?: number | Date }): Promise<ReportData>;
  /**
   * Send, per set, every closed period not sent yet (after a downtime the
   * missed ones, oldest first, at most `maxCatchUp`); claims each report
   * first, so concurrent runs send it once. `maxCatchUp` overrides the
   * `createReports()` option for this run.
   */
  sendReports(options?: SendReportsOptions): Promise<SendReportsResult>;
}
