import { Command, Option } from "commander";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { createStyle } from "../_format.js";
import { timeContext, withMetrics } from "../_metrics.js";
import { nonEmpty, parseTime, type TimeArg } from "../_parse.js";
import { formatSendResult, openReports, type TransportOptions } from "../_reports.js";

/** Options of `tallyboard send-reports`. */
export interface SendReportsCommandOptions extends TransportOptions {
  now?: TimeArg;
  json?: boolean;
}

/**
 * `tallyboard send-reports`: send every metric set's report whose period has
 * closed and was not sent yet, once; exit 1 when any send failed.
 */
export async function runSendReports(
  options: SendReportsCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics, spec }) => {
    const now = options.now ? options.now(timeContext(metrics, ctx.now())) : ctx.now();
    const { reports, where, close } = await openReports(metrics, spec, options, ctx);
    try {
      ctx.stderr.write(`reports: ${where}\n`);
      const result = await reports.sendReports({ now });
      const style = createStyle(ctx.stdout.color);
      return {
        code: result.failed.length > 0 ? 1 : 0,
        stdout: formatSendResult(result, options.json === true, style),
      };
    } finally {
      await close();
    }
  });
}

/** Transport options shared with `start`. */
export function transportOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--smtp <url>",
        "send through this SMTP server, smtp://user:pass@host:587 (env TALLYBOARD_SMTP)",
      ).argParser(nonEmpty),
    )
    .addOption(
      new Option(
        "--outbox <dir>",
        "without SMTP, write .eml files here (default: <pglite dir>/outbox, else ./.tallyboard/outbox)",
      ).argParser(nonEmpty),
    )
    .addOption(
      new Option("--from <address>", "sender address (env TALLYBOARD_MAIL_FROM)").argParser(nonEmpty),
    );
}

/** The `tallyboard send-reports` command for the program in `_program.ts`. */
export const sendReportsCommand: CommandFactory = (ctx, done) =>
  transportOptions(
    new Command("send-reports").description(
      "send the reports of every metric set whose period has closed, once (for cron)",
    ),
  )
    .addOption(
      new Option(
        "--now <time>",
        "pretend it is this time: ISO 8601 or an age like 1d (default: now)",
      ).argParser(parseTime),
    )
    .option("--json", "print { sent, skipped, failed } as JSON")
    .addHelpText(
      "after",
      "\nA report is claimed in the store before it is sent, so overlapping runs never send it twice;\na failed send is retried by the next run. Exit code 1 when any send failed.",
    )
    .action(
      action(done, (options: SendReportsCommandOptions, command: Command) =>
        runSendReports(options, globalsOf(command, ctx), ctx),
      ),
    );
