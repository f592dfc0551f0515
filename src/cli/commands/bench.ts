import { randomBytes } from "node:crypto";
import { Command, Option } from "commander";
import type { Metrics, RecordEvent } from "../../core/index.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { createStyle, formatJson, formatNumber, formatTable } from "../_format.js";
import { withMetrics } from "../_metrics.js";
import { positiveInteger } from "../_parse.js";
import { createProgress, type Progress } from "../_progress.js";

/** Options of `tallyboard bench`. */
export interface BenchCommandOptions {
  events: number;
  reads: number;
  json?: boolean;
}

/** One measured figure. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const DAY = 86_400_000;
const BATCH = 500;

/**
 * `tallyboard bench`: a short, bounded benchmark of the chosen store —
 * sequential `record()`, `recordMany()` in batches of 500, and 90-day hourly
 * `history()` reads — on a throw-away slug that is deleted afterwards.
 * For the full comparison with other libraries use `npm run bench`.
 */
export async function runBench(
  options: BenchCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics, where }) => {
    const slug = `tallyboard.bench.${randomBytes(4).toString("hex")}`;
    const now = ctx.now();
    const progress = createProgress(ctx.stderr, "benchmarking");
    const steps = options.events * 2 + options.reads;
    const figures: BenchFigure[] = [];
    try {
      figures.push(await sequential(metrics, slug, now, options.events, progress, steps));
      figures.push(await batched(metrics, slug, now, options.events, progress, steps));
      figures.push(...(await reads(metrics, slug, now, options.reads, progress, options.events * 2, steps)));
      progress.stop();
    } finally {
      progress.stop();
      await metrics.deleteMetric(slug);
    }
    if (options.json)
      return { code: 0, stdout: formatJson({ store: where, events: options.events, figures }) };
    const rows = figures.map((f) => [f.name, formatNumber(f.value, f.unit === "ms" ? 2 : 0), f.unit]);
    const table = formatTable(["measure", "value", "unit"], rows, {
      align: ["left", "right", "left"],
      style: createStyle(ctx.stdout.color),
    });
    return { code: 0, stdout: `store: ${where}\n${table}` };
  });
}

/** The i-th of n instants spread over the last 90 days. */
const spread = (now: number, i: number, n: number) => now - 90 * DAY + Math.floor(((i + 0.5) / n) * 90 * DAY);

async function sequential(
  metrics: Metrics,
  slug: string,
  now: number,
  n: number,
  progress: Progress,
  steps: number,
) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await metrics.record(slug, { at: spread(now, i, n) });
    if (i % 100 === 99) progress.update(i + 1, steps);
  }
  await metrics.flush();
  const seconds = (performance.now() - t0) / 1000;
  return { name: "record() sequential, awaited", value: n / seconds, unit: "events/s" };
}

async function batched(
  metrics: Metrics,
  slug: string,
  now: number,
  n: number,
  progress: Progress,
  steps: number,
) {
  const t0 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const events: RecordEvent[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) events.push({ slug, at: spread(now, j, n) });
    await metrics.recordMany(events);
    progress.update(n + Math.min(n, i + BATCH), steps);
  }
  await metrics.flush();
  const seconds = (performance.now() - t0) / 1000;
  return { name: `recordMany() batches of ${BATCH}`, value: n / seconds, unit: "events/s" };
}

async function reads(
  metrics: Metrics,
  slug: string,
  now: number,
  n: number,
  progress: Progress,
  base: number,
  steps: number,
) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await metrics.history(slug, { from: now - 90 * DAY, to: now, granularity: "hours" });
    times.push(performance.now() - t0);
    progress.update(base + i + 1, steps);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return [
    { name: "history() 90 days hourly, median", value: at(0.5), unit: "ms" },
    { name: "history() 90 days hourly, p95", value: at(0.95), unit: "ms" },
  ];
}

/** The `tallyboard bench` command for the program in `_program.ts`. */
export const benchCommand: CommandFactory = (ctx, done) =>
  new Command("bench")
    .description("a short benchmark of the chosen store: record() events/s and history() latency")
    .addOption(
      new Option("--events <n>", "events per write test").argParser(positiveInteger(100_000)).default(2000),
    )
    .addOption(
      new Option("--reads <n>", "history() calls to time").argParser(positiveInteger(1000)).default(20),
    )
    .option("--json", "print JSON: { store, events, figures: [{ name, value, unit }] }")
    .action(
      action(done, (options: BenchCommandOptions, command: Command) =>
        runBench(options, globalsOf(command, ctx), ctx),
      ),
    );
