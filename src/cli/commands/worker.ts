import { Command, Option } from "commander";
import { redactUrl } from "../../errors.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { stderrLogger, UsageError } from "../_errors.js";
import { positiveInteger } from "../_parse.js";
import { describeStore, openStore, parseStoreUrl } from "../_store.js";

/** Options of `tallyboard worker`. */
export interface WorkerCommandOptions {
  /** Redis of the queue; defaults to TALLYBOARD_QUEUE, then to a `redis://` `--store`. */
  queue?: string;
  queueName: string;
  prefix?: string;
  concurrency: number;
}

/**
 * `tallyboard worker`: write the batches that queue capture enqueued into
 * `--store`, until SIGINT/SIGTERM; then finish the running jobs, close the
 * queue and the store, and exit 0.
 */
export async function runWorker(
  options: WorkerCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  const spec = parseStoreUrl(globals.store, ctx.cwd);
  const connection =
    options.queue ?? ctx.env.TALLYBOARD_QUEUE ?? (spec.kind === "redis" ? spec.url : undefined);
  if (!connection) {
    throw new UsageError("worker needs the queue's Redis: --queue redis://… (or TALLYBOARD_QUEUE)");
  }
  const { startWorker } = await import("../../capture/queue/index.js");
  const stopping = ctx.waitForSignal();
  // A PGlite store locks its directory itself (E_STORE_LOCKED for a second process).
  const store = await openStore(spec);
  try {
    const worker = await startWorker({
      connection,
      store,
      queueName: options.queueName,
      concurrency: options.concurrency,
      ...(options.prefix !== undefined && { prefix: options.prefix }),
      logger: stderrLogger(ctx),
    });
    ctx.stderr.write(
      `worker: queue ${options.queueName} on ${redactUrl(connection)} -> ${describeStore(spec)}, concurrency ${options.concurrency}\n`,
    );
    ctx.stdout.write("worker ready\n");
    const signal = await stopping;
    ctx.stderr.write(`${signal}: finishing running jobs\n`);
    await worker.close();
    ctx.stderr.write(`worker stopped after ${worker.processed()} jobs\n`);
  } finally {
    await store.dispose();
  }
  return { code: 0 };
}

/** The `tallyboard worker` command for the program in `_program.ts`. */
export const workerCommand: CommandFactory = (ctx, done) =>
  new Command("worker")
    .description("write batches from queue capture (BullMQ) into --store until Ctrl+C or SIGTERM")
    .option(
      "--queue <url>",
      "Redis of the queue (env TALLYBOARD_QUEUE; default: --store when it is redis://)",
    )
    .option("--queue-name <name>", "BullMQ queue name, as in capture.queueName", "tallyboard")
    .option("--prefix <prefix>", "BullMQ key prefix, as in capture.prefix (default bull)")
    .addOption(
      new Option("-c, --concurrency <n>", "jobs written at the same time")
        .argParser(positiveInteger(1000))
        .default(4),
    )
    .action(
      action(done, (options: WorkerCommandOptions, command: Command) =>
        runWorker(options, globalsOf(command, ctx), ctx),
      ),
    );
