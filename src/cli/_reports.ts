import { join, resolve } from "node:path";
import type { Metrics } from "../core/index.js";
import { redactUrl } from "../errors.js";
import type { Reports, ReportTransport, SendReportsResult } from "../reports/index.js";
import type { CliContext } from "./_context.js";
import { DEMO_SET } from "./_demo.js";
import { stderrLogger, usage } from "./_errors.js";
import { formatJson, formatTable, type Style } from "./_format.js";
import type { StoreSpec } from "./_store.js";

/** Transport options shared by `send-reports` and `start`. */
export interface TransportOptions {
  /** `smtp://…` / `smtps://…` URL; falls back to `TALLYBOARD_SMTP`. */
  smtp?: string;
  /** Directory for `.eml` files when no SMTP URL is set. */
  outbox?: string;
  /** Sender address; falls back to `TALLYBOARD_MAIL_FROM`. */
  from?: string;
}

/** An open {@link Reports} plus where its mail goes. */
export interface OpenReports {
  reports: Reports;
  /** Where the reports go, and the sender (for the dashboard's "Send now"). */
  mail: { transport: ReportTransport; from?: string };
  /** Human description of the transport, without secrets. */
  where: string;
  /** Close the transport. Idempotent. */
  close(): Promise<void>;
}

const DAY = 86_400_000;

/** The outbox used when neither an SMTP URL nor `--outbox` is given. */
export function defaultOutbox(spec: StoreSpec, cwd: string): string {
  if (spec.kind === "pglite" && spec.dataDir !== undefined) return join(spec.dataDir, "outbox");
  return resolve(cwd, ".tallyboard", "outbox");
}

/**
 * Choose the transport: `--smtp` / `TALLYBOARD_SMTP` → SMTP through nodemailer,
 * otherwise a directory of `.eml` files (`--outbox`, or {@link defaultOutbox}).
 */
export async function openReports(
  metrics: Metrics,
  spec: StoreSpec,
  options: TransportOptions,
  ctx: CliContext,
): Promise<OpenReports> {
  const { createReports, directoryTransport, smtpTransport } = await import("../reports/index.js");
  const smtp = options.smtp ?? (ctx.env.TALLYBOARD_SMTP || undefined);
  const from = options.from ?? (ctx.env.TALLYBOARD_MAIL_FROM || undefined);
  let transport: ReportTransport;
  let where: string;
  if (smtp !== undefined) {
    transport = usage(() => smtpTransport(smtp));
    where = `smtp ${redactUrl(smtp)}`;
  } else {
    const dir =
      options.outbox !== undefined ? resolve(ctx.cwd, options.outbox) : defaultOutbox(spec, ctx.cwd);
    transport = usage(() => directoryTransport(dir));
    where = `outbox ${dir}`;
  }
  const reports = createReports(metrics, {
    transport,
    logger: stderrLogger(ctx),
    ...(from !== undefined ? { from } : {}),
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closing === undefined) closing = transport.close ? transport.close() : Promise.resolve();
    return closing;
  };
  return { reports, mail: { transport, ...(from !== undefined ? { from } : {}) }, where, close };
}

/**
 * A {@link Reports} for managing metric sets only (`sets list/add/remove`):
 * its transport refuses to send, so no outbox or SMTP server is touched.
 */
export async function setsOnly(metrics: Metrics, ctx: CliContext, clock?: () => number): Promise<Reports> {
  const { createReports } = await import("../reports/index.js");
  const transport: ReportTransport = {
    send: () => Promise.reject(new Error("this command does not send reports")),
  };
  return createReports(metrics, { transport, logger: stderrLogger(ctx), ...(clock ? { now: clock } : {}) });
}

/**
 * Create the demo's metric set unless a set of that name exists. It is dated
 * one day before now (never before `since`, the start of the demo data), so
 * the last closed day is reported at once, and not the week of days before it
 * that catch-up would otherwise send.
 */
export async function ensureDemoSet(metrics: Metrics, ctx: CliContext, since: number): Promise<boolean> {
  const createdAt = Math.max(since, ctx.now() - DAY);
  const reports = await setsOnly(metrics, ctx, () => createdAt);
  if ((await reports.metricSets()).some((s) => s.name === DEMO_SET.name)) return false;
  await reports.createMetricSet({
    ...DEMO_SET,
    metrics: [...DEMO_SET.metrics],
    recipients: [...DEMO_SET.recipients],
  });
  return true;
}

/** One line per sent report, e.g. `sent "Daily overview" daily:2024-05-01 to a@x.org`. */
export function sentLines(result: SendReportsResult): string[] {
  return result.sent.map((s) => `sent ${JSON.stringify(s.set)} ${s.period} to ${s.recipients.join(", ")}`);
}

/** `send-reports` output: a table (set, period, status, detail) or JSON. */
export function formatSendResult(result: SendReportsResult, json: boolean, style: Style): string {
  if (json) return formatJson(result);
  const rows = [
    ...result.sent.map((s) => [s.set, s.period, "sent", s.recipients.join(", ")]),
    ...result.skipped.map((s) => [s.set, s.period ?? "-", "skipped", s.reason]),
    ...result.failed.map((f) => [f.set, f.period, "failed", f.error]),
  ];
  if (rows.length === 0) return "no metric sets\n";
  const summary = `${result.sent.length} sent, ${result.skipped.length} skipped, ${result.failed.length} failed\n`;
  return formatTable(["set", "period", "status", "detail"], rows, { style }) + summary;
}
