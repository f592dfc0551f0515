import { Command, Option } from "commander";
import type { RecordOptions } from "../../core/index.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { timeContext, withMetrics } from "../_metrics.js";
import { parseInteger, parseTime, type TimeArg } from "../_parse.js";

/** Options of `tallyboard record`. */
export interface RecordCommandOptions {
  by: number;
  at?: TimeArg;
  category?: string;
  group?: string;
}

/** `tallyboard record <slug>`: add to a counter (now, or `--at`). */
export async function runRecord(
  slug: string,
  options: RecordCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const at = options.at ? options.at(timeContext(metrics, ctx.now())) : ctx.now();
    const record: RecordOptions = {
      by: options.by,
      at,
      ...(options.category !== undefined ? { category: options.category } : {}),
      ...(options.group !== undefined ? { group: options.group } : {}),
    };
    await metrics.record(slug, record);
    await metrics.flush();
    const sign = options.by >= 0 ? "+" : "";
    return { code: 0, stdout: `recorded ${slug} ${sign}${options.by} at ${new Date(at).toISOString()}\n` };
  });
}

/** The `tallyboard record` command for the program in `_program.ts`. */
export const recordCommand: CommandFactory = (ctx, done) =>
  new Command("record")
    .description("add to a counter (by 1, now, unless told otherwise)")
    .argument("<slug>", "metric slug, e.g. page_views")
    .addOption(
      new Option("--by <n>", "amount to add; negative decrements, 0 only registers")
        .argParser(parseInteger)
        .default(1),
    )
    .addOption(
      new Option(
        "--at <time>",
        "when it happened: ISO 8601 (zone-less = --timezone), or an age like 2h",
      ).argParser(parseTime),
    )
    .option("--category <name>", "list the slug under this category")
    .option("--group <name>", "list the slug under this group")
    .action(
      action(done, (slug: string, options: RecordCommandOptions, command: Command) =>
        runRecord(slug, options, globalsOf(command, ctx), ctx),
      ),
    );
