import { Command, Option } from "commander";
import { parseDuration } from "../../time/index.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { UsageError, usage } from "../_errors.js";
import { formatJson, formatNumber } from "../_format.js";
import { positiveInteger } from "../_parse.js";
import { createProgress } from "../_progress.js";
import { describeStore, openStore, parseStoreUrl } from "../_store.js";

/** Options of `tallyboard archive`. */
export interface ArchiveCommandOptions {
  from: string;
  to: string;
  olderThan: string;
  concurrency?: number;
  json?: boolean;
}

/**
 * `tallyboard archive --from redis://… --to postgres://… --older-than 90d`:
 * move buckets older than the boundary from Redis into Postgres/PGlite, then
 * delete them from Redis. Idempotent; run it again after a crash.
 */
export async function runArchive(
  options: ArchiveCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  const fromSpec = parseStoreUrl(options.from, ctx.cwd);
  const toSpec = parseStoreUrl(options.to, ctx.cwd);
  if (fromSpec.kind !== "redis")
    throw new UsageError(`--from must be a redis:// store, got ${describeStore(fromSpec)}`);
  if (toSpec.kind !== "postgres" && toSpec.kind !== "pglite") {
    throw new UsageError(`--to must be a postgres:// or pglite: store, got ${describeStore(toSpec)}`);
  }
  usage(() => parseDuration(options.olderThan));
  const { archive } = await import("../../stores/tiered/index.js");
  const from = await openStore(fromSpec);
  const to = await openStore(toSpec);
  const progress = createProgress(ctx.stderr, "archiving chunks");
  try {
    const result = await archive({
      from,
      to,
      olderThan: options.olderThan,
      now: ctx.now(),
      timezone: globals.timezone,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onProgress: ({ chunks, total }) => progress.update(chunks, total),
    });
    progress.stop();
    if (options.json) return { code: 0, stdout: formatJson(result) };
    return {
      code: 0,
      stdout: `archived ${formatNumber(result.buckets)} buckets (${formatNumber(result.chunks)} chunks, count ${formatNumber(result.count)}) older than ${new Date(result.before).toISOString()} from ${describeStore(fromSpec)} to ${describeStore(toSpec)}\n`,
    };
  } finally {
    progress.stop();
    await Promise.allSettled([from.dispose(), to.dispose()]);
  }
}

/** The `tallyboard archive` command for the program in `_program.ts`. */
export const archiveCommand: CommandFactory = (ctx, done) =>
  new Command("archive")
    .description("move buckets older than --older-than from a Redis store into Postgres/PGlite (idempotent)")
    .requiredOption("--from <url>", "the Redis store to move old buckets out of (redis://…?prefix=…)")
    .requiredOption("--to <url>", "the Postgres or PGlite store to move them into")
    .requiredOption("--older-than <duration>", 'buckets that ended longer ago than this, e.g. "90d"')
    .addOption(new Option("--concurrency <n>", "chunks moved at once").argParser(positiveInteger(256)))
    .option("--json", "print the result as JSON: { chunks, buckets, count, before }")
    .action(
      action(done, (options: ArchiveCommandOptions, command: Command) =>
        runArchive(options, globalsOf(command, ctx), ctx),
      ),
    );
