import { Command, Option } from "commander";
import { MetricsError } from "../../errors.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { formatJson, formatNumber } from "../_format.js";
import { withMetrics } from "../_metrics.js";
import { positiveInteger } from "../_parse.js";
import { createProgress } from "../_progress.js";

/** Options of `tallyboard aggregate`. */
export interface AggregateCommandOptions {
  batchSize?: number;
  json?: boolean;
}

/**
 * `tallyboard aggregate`: fold raw items into rollups (Postgres/PGlite stores in
 * `items` mode). Safe to run as often as you like; on a store without raw
 * items it says so and succeeds.
 */
export async function runAggregate(
  options: AggregateCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics, where }) => {
    if (!metrics.store.aggregate) {
      const note = `nothing to aggregate: the ${where} store keeps no raw items (only Postgres/PGlite with ?mode=items does)\n`;
      return options.json
        ? { code: 0, stdout: formatJson({ items: 0, buckets: 0, batches: 0, supported: false }) }
        : { code: 0, stdout: note };
    }
    const progress = createProgress(ctx.stderr, "aggregating items");
    const controller = new AbortController();
    void ctx.waitForSignal().then(() => controller.abort());
    try {
      const result = await metrics.aggregate({
        onProgress: ({ done, total }) => progress.update(done, total),
        signal: controller.signal,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      });
      progress.stop();
      // The prune step of retention (`?retention=` on the store URL) runs after every fold.
      const pruned = controller.signal.aborted ? 0 : (await metrics.prune()).buckets;
      if (options.json) return { code: 0, stdout: formatJson({ ...result, pruned, supported: true }) };
      const stopped = controller.signal.aborted ? " (stopped early; run again to finish)" : "";
      const expired = pruned > 0 ? `; deleted ${count(pruned, "expired bucket")}` : "";
      return {
        code: 0,
        stdout: `aggregated ${count(result.items, "item")} into ${count(result.buckets, "bucket")} in ${count(result.batches, "batch")}${expired}${stopped}\n`,
      };
    } catch (error) {
      progress.stop();
      if (error instanceof MetricsError && error.code === "E_UNSUPPORTED") {
        return { code: 0, stdout: `nothing to aggregate: ${error.message}\n` };
      }
      throw error;
    }
  });
}

const count = (n: number, noun: string) =>
  `${formatNumber(n)} ${noun}${n === 1 ? "" : noun.endsWith("h") ? "es" : "s"}`;

/** The `tallyboard aggregate` command for the program in `_program.ts`. */
export const aggregateCommand: CommandFactory = (ctx, done) =>
  new Command("aggregate")
    .description(
      "fold raw items into day/week/month/year rollups (Postgres or PGlite store with ?mode=items)",
    )
    .addOption(
      new Option("--batch-size <n>", "items folded per transaction").argParser(positiveInteger(1_000_000)),
    )
    .option("--json", "print the result as JSON: { items, buckets, batches, supported }")
    .action(
      action(done, (options: AggregateCommandOptions, command: Command) =>
        runAggregate(options, globalsOf(command, ctx), ctx),
      ),
    );
