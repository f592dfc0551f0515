import { Command, Option } from "commander";
import type { HistoryRow } from "../../core/index.js";
import type { Calendar, Granularity } from "../../time/index.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { createStyle, formatCsv, formatJson, formatTable } from "../_format.js";
import { timeContext, withMetrics } from "../_metrics.js";
import { parseGranularityArg, parseTime, type TimeArg } from "../_parse.js";

/** Options of `tallyboard history`. */
export interface HistoryCommandOptions {
  granularity: Granularity;
  from?: TimeArg;
  to?: TimeArg;
  json?: boolean;
  csv?: boolean;
}

/** How far back `history` looks when `--from` is not given: this many buckets before `--to`. */
const DEFAULT_SPAN: Record<Granularity, number> = {
  minutes: 60,
  hours: 24,
  days: 30,
  weeks: 12,
  months: 12,
  years: 5,
};

/** `tallyboard history <slug>`: one row per bucket, zero-filled, as a table, JSON or CSV. */
export async function runHistory(
  slug: string,
  options: HistoryCommandOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const times = timeContext(metrics, ctx.now());
    const g = options.granularity;
    const to = options.to ? options.to(times) : times.now;
    let from: number;
    if (options.from) from = options.from(times);
    else {
      let bucket = metrics.calendar.bucket(g, to);
      for (let i = 1; i < DEFAULT_SPAN[g]; i++) bucket = metrics.calendar.bucket(g, bucket.start - 1);
      from = bucket.start;
    }
    const rows = await metrics.history(slug, { from, to, granularity: g });
    return { code: 0, stdout: render(rows, options, metrics.calendar, ctx) };
  });
}

function render(
  rows: readonly HistoryRow[],
  options: HistoryCommandOptions,
  calendar: Pick<Calendar, "localLabel" | "offsetAt" | "timezone">,
  ctx: CliContext,
): string {
  if (options.json) return formatJson(rows.map((r) => ({ start: r.start.toISOString(), count: r.count })));
  if (options.csv)
    return formatCsv(
      ["start", "count"],
      rows.map((r) => [r.start.toISOString(), r.count]),
    );
  const style = createStyle(ctx.stdout.color);
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const utc = calendar.timezone === "UTC";
  const label = (t: number) =>
    `${calendar.localLabel(t).replace("T", " ")}${utc ? "" : ` ${formatOffset(calendar.offsetAt(t))}`}`;
  const body = rows.map((r) => [label(r.start.getTime()), String(r.count)]);
  body.push(["total", String(total)]);
  return formatTable([`start (${calendar.timezone})`, "count"], body, { align: ["left", "right"], style });
}

/** `+05:30` for an offset in ms (so the two 02:00 rows of a DST fall-back night differ). */
function formatOffset(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${ms < 0 ? "-" : "+"}${hh}:${mm}`;
}

/** The `tallyboard history` command for the program in `_program.ts`. */
export const historyCommand: CommandFactory = (ctx, done) =>
  new Command("history")
    .description("counts of one metric per bucket, zero-filled (a table, --json or --csv)")
    .argument("<slug>", "metric slug")
    .addOption(
      new Option("-g, --granularity <g>", "minutes, hours, days, weeks, months or years")
        .argParser(parseGranularityArg)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--from <time>",
        "first bucket: ISO 8601 or an age like 7d (default: a sensible span)",
      ).argParser(parseTime),
    )
    .addOption(
      new Option("--to <time>", "last bucket: ISO 8601 or an age (default: now)").argParser(parseTime),
    )
    .addOption(new Option("--json", "print JSON: [{ start, count }]").conflicts("csv"))
    .addOption(new Option("--csv", "print CSV: start,count"))
    .addHelpText(
      "after",
      "\nTimes without Z or an offset are wall-clock times in --timezone. The table shows local bucket\nstarts; JSON and CSV give UTC instants (ISO 8601).",
    )
    .action(
      action(done, (slug: string, options: HistoryCommandOptions, command: Command) =>
        runHistory(slug, options, globalsOf(command, ctx), ctx),
      ),
    );
