import { Command, Option } from "commander";
import { redactUrl } from "../../errors.js";
import type { ReportMessage } from "../../reports/index.js";
import { parseDuration } from "../../time/index.js";
import { startArchiver } from "../_archiver.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { demoData } from "../_demo.js";
import { openFailure, stderrLogger, UsageError, usage } from "../_errors.js";
import { createStyle, formatNumber } from "../_format.js";
import { isLoopback, parseHost } from "../_host.js";
import { openMetrics } from "../_metrics.js";
import { parsePort } from "../_parse.js";
import { startPruner } from "../_pruner.js";
import { ensureDemoSet, openReports, type TransportOptions } from "../_reports.js";
import { type ReportScheduler, startReportScheduler } from "../_scheduler.js";
import { seedDemo } from "../_seed.js";
import { transportOptions } from "./send-reports.js";

/** Options of `tallyboard start`. */
export interface StartCommandOptions extends TransportOptions {
  port: number;
  host: string;
  demo?: boolean;
  /** Bind a non-loopback address even without `TALLYBOARD_TOKENS`. */
  allowOpen?: boolean;
  /** Run the report scheduler (`--no-reports` turns it off). */
  reports: boolean;
  /** Postgres/PGlite URL: keep old buckets there (the `--store` must be Redis). */
  archiveTo?: string;
  /** Buckets that ended longer ago than this move to `archiveTo`, hourly. */
  archiveOlderThan: string;
  /** Redis of a queue-capture queue whose depth the dashboard and /healthz show. */
  queue?: string;
  queueName: string;
  queuePrefix?: string;
}

const DAY = 86_400_000;

/**
 * `tallyboard start`: serve the dashboard and HTTP API on the chosen store
 * until SIGINT/SIGTERM, then close the server and dispose the store. With
 * `--demo`, first fill 90 days of sample metrics (once per store).
 */
export async function runStart(
  options: StartCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  const { createApp, parseTokens, serve } = await import("../../server/index.js");
  const tokens = ctx.env.TALLYBOARD_TOKENS ? usage(() => parseTokens(ctx.env.TALLYBOARD_TOKENS ?? "")) : [];
  const open = !isLoopback(options.host) && tokens.length === 0;
  if (open && options.allowOpen !== true) {
    throw new UsageError(
      `--host ${options.host} would open the API to the network without tokens; set TALLYBOARD_TOKENS, or pass --allow-open to accept that`,
    );
  }
  const logger = stderrLogger(ctx);
  const queue = watchedQueue(options, ctx);
  if (options.archiveTo !== undefined) usage(() => parseDuration(options.archiveOlderThan));
  const { metrics, spec, where, close, tiers } = await openMetrics(globals, ctx, {
    ...(options.archiveTo !== undefined && { archiveTo: options.archiveTo }),
  });
  const style = createStyle(ctx.stdout.color);
  const stopping = ctx.waitForSignal();
  const controller = new AbortController();
  void stopping.then(() => controller.abort());
  try {
    // Open the store (connect, lock, migrate) before announcing a URL that could only answer errors.
    await metrics.slugInfo("tallyboard.healthz").catch((error: unknown) => {
      throw openFailure(error, where);
    });
    ctx.stderr.write(`store: ${where}\n`);
    if (options.demo) {
      const seed = await seedDemo(metrics, demoData({ now: ctx.now() }), ctx.stderr, controller.signal);
      ctx.stderr.write(
        seed.seeded
          ? `demo data: ${formatNumber(seed.events)} events over 90 days\n`
          : "demo data: already present in this store, not seeded again\n",
      );
      if (controller.signal.aborted) {
        ctx.stderr.write(
          `demo data: interrupted after ${formatNumber(seed.events)} events; for a clean demo remove the store (${where}) and start again\n`,
        );
        return { code: 0 };
      }
      if (options.reports && (await ensureDemoSet(metrics, ctx, ctx.now() - 90 * DAY)))
        ctx.stderr.write('demo data: metric set "Daily overview", reported daily to team@example.org\n');
    }
    let reports: Awaited<ReturnType<typeof openReports>> | undefined;
    const sendNow = (m: ReportMessage) =>
      reports
        ? reports.mail.transport.send({ ...m, ...(reports.mail.from ? { from: reports.mail.from } : {}) })
        : Promise.reject(new Error("reports are not ready yet"));
    const app = usage(() =>
      createApp(metrics, {
        logger,
        ...(tokens.length > 0 ? { auth: { tokens } } : {}),
        ...(queue ? { queue } : {}),
        // The dashboard's "Send now" uses the scheduler's transport once it is open.
        ...(options.reports ? { reports: { transport: { send: (m) => sendNow(m) } } } : {}),
      }),
    );
    // serve() itself refuses an open non-loopback bind without allowOpen, and warns (through the logger) when allowed.
    const server = await serve(app, {
      port: options.port,
      hostname: options.host,
      allowOpen: options.allowOpen === true,
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      throw new Error(
        `${options.host}:${options.port} is in use; pick another port with --port (0 = any free one)`,
        {
          cause: error,
        },
      );
    });
    let scheduler: ReportScheduler | undefined;
    let archiver: { stop(): Promise<void> } | undefined;
    const pruner = startPruner(metrics, logger);
    try {
      if (tiers) {
        archiver = startArchiver({ ...tiers, olderThan: options.archiveOlderThan, metrics, ctx, logger });
        ctx.stderr.write(
          `archive: every hour, buckets older than ${options.archiveOlderThan} to ${tiers.where}\n`,
        );
      }
      ctx.stdout.write(`tallyboard dashboard: ${style.cyan(`${server.url}/`)}\n`);
      if (options.reports) {
        reports = await openReports(metrics, spec, options, ctx);
        ctx.stderr.write(`reports: every minute, ${reports.where}\n`);
        scheduler = startReportScheduler({
          reports: reports.reports,
          timezone: metrics.calendar.timezone,
          stdout: ctx.stdout,
          logger,
        });
      }
      if (tokens.length > 0)
        ctx.stderr.write(`API auth: ${tokens.length} bearer token(s) from TALLYBOARD_TOKENS\n`);
      ctx.stderr.write("press Ctrl+C to stop\n");
      const signal = await stopping;
      ctx.stderr.write(`${signal}: shutting down\n`);
    } finally {
      await archiver?.stop();
      await pruner.stop();
      await scheduler?.stop();
      await reports?.close();
      await server.close();
    }
    return { code: 0 };
  } finally {
    await close();
  }
}

/** The queue whose depth the dashboard shows: `--queue`, else `TALLYBOARD_QUEUE`. */
function watchedQueue(options: StartCommandOptions, ctx: CliContext) {
  const url = options.queue ?? ctx.env.TALLYBOARD_QUEUE;
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/./.test(url)) {
    throw new UsageError(
      `--queue must be a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(url))}`,
    );
  }
  return {
    connection: url,
    queueName: options.queueName,
    ...(options.queuePrefix !== undefined && { prefix: options.queuePrefix }),
  };
}

/** The `tallyboard start` command for the program in `_program.ts`. */
export const startCommand: CommandFactory = (ctx, done) =>
  transportOptions(
    new Command("start")
      .description(
        "serve the dashboard and HTTP API until Ctrl+C (default store: embedded PGlite in ./.tallyboard)",
      )
      .addOption(
        new Option("-p, --port <n>", "port to listen on; 0 picks a free one")
          .argParser(parsePort)
          .default(8787),
      )
      .addOption(
        new Option(
          "--host <host>",
          "address to bind; a non-loopback one needs TALLYBOARD_TOKENS or --allow-open",
        )
          .argParser(parseHost)
          .default("127.0.0.1"),
      )
      .option("--allow-open", "allow a non-loopback --host without TALLYBOARD_TOKENS (warns at every start)")
      .option(
        "--demo",
        'first fill 90 days of sample metrics (skipped when the store already has them) and a "Daily overview" metric set',
      )
      .option("--no-reports", "do not send metric set reports (by default checked every minute)")
      .option(
        "--archive-to <url>",
        "keep old buckets in this Postgres/PGlite store: --store (Redis) becomes the hot tier, reads span both",
      )
      .option(
        "--archive-older-than <duration>",
        "with --archive-to: buckets older than this are moved, hourly",
        "90d",
      )
      .option(
        "--queue <url>",
        "Redis of a queue-capture queue (env TALLYBOARD_QUEUE): the dashboard and /healthz show its depth",
      )
      .option("--queue-name <name>", "BullMQ queue name, as in capture.queueName", "tallyboard")
      .option("--queue-prefix <prefix>", "BullMQ key prefix, as in capture.prefix (default bull)"),
  )
    .addHelpText(
      "after",
      '\nEnvironment: TALLYBOARD_TOKENS="tok1:read,write;tok2:read" requires bearer tokens on the API.\nReports go to --smtp / TALLYBOARD_SMTP, else .eml files in --outbox (see send-reports --help).',
    )
    .action(
      action(done, (options: StartCommandOptions, command: Command) =>
        runStart(options, globalsOf(command, ctx), ctx),
      ),
    );
