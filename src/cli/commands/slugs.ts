import { Command } from "commander";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { formatJson } from "../_format.js";
import { withMetrics } from "../_metrics.js";

/** Options of `tallyboard slugs`. */
export interface SlugsCommandOptions {
  json?: boolean;
}

/** `tallyboard slugs`: every slug ever recorded, one per line (sorted). */
export async function runSlugs(
  options: SlugsCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const slugs = await metrics.slugs();
    if (options.json) return { code: 0, stdout: formatJson(slugs) };
    return { code: 0, stdout: slugs.map((s) => `${s}\n`).join("") };
  });
}

/** The `tallyboard slugs` command for the program in `_program.ts`. */
export const slugsCommand: CommandFactory = (ctx, done) =>
  new Command("slugs")
    .description("list every slug ever recorded, sorted")
    .option("--json", "print a JSON array")
    .action(
      action(done, (options: SlugsCommandOptions, command: Command) =>
        runSlugs(options, globalsOf(command, ctx), ctx),
      ),
    );
