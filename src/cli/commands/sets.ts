import { Command, InvalidArgumentError, Option } from "commander";
import type { MetricSet, MetricSetOptions } from "../../reports/index.js";
import { action, type CommandFactory, globalsOf } from "../_command.js";
import type { CliContext, CommandResult, GlobalOptions } from "../_context.js";
import { UsageError, usageAsync } from "../_errors.js";
import { createStyle, formatJson, formatTable } from "../_format.js";
import { withMetrics } from "../_metrics.js";
import { setsOnly } from "../_reports.js";

/** One `--alert slug>100` / `--alert slug<5`. */
export interface AlertArg {
  slug: string;
  bound: "above" | "below";
  value: number;
}

/** Options of `tallyboard sets add`. */
export interface SetsAddOptions {
  metrics: string[];
  to: string[];
  schedule: string;
  alert?: AlertArg[];
}

/** A comma-separated list; repeated options add up. */
export function parseList(value: string, previous: string[] = []): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new InvalidArgumentError("Expected a comma-separated list.");
  return [...previous, ...items];
}

/** `slug>100` (alert above) or `slug<5` (alert below); repeatable. */
export function parseAlert(value: string, previous: AlertArg[] = []): AlertArg[] {
  const match = /^\s*([^<>\s]+)\s*([<>])\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!match?.[1] || !match[3])
    throw new InvalidArgumentError('Expected slug>number or slug<number, e.g. "api_errors>100".');
  const alert: AlertArg = {
    slug: match[1],
    bound: match[2] === ">" ? "above" : "below",
    value: Number(match[3]),
  };
  return [...previous, alert];
}

/** The `thresholds` of `createMetricSet()` from `--alert` arguments. */
export function thresholdsOf(alerts: readonly AlertArg[]): MetricSetOptions["thresholds"] | undefined {
  if (alerts.length === 0) return undefined;
  const out: Record<string, { above?: number; below?: number }> = {};
  for (const a of alerts) out[a.slug] = { ...out[a.slug], [a.bound]: a.value };
  return out;
}

function alertsText(set: MetricSet): string {
  const parts: string[] = [];
  for (const [slug, b] of Object.entries(set.thresholds ?? {})) {
    if (b.above !== undefined) parts.push(`${slug}>${b.above}`);
    if (b.below !== undefined) parts.push(`${slug}<${b.below}`);
  }
  return parts.join(", ") || "-";
}

/** `tallyboard sets list`: every metric set, as a table or JSON. */
export async function runSetsList(
  options: { json?: boolean },
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const reports = await setsOnly(metrics, ctx);
    const sets = await reports.metricSets();
    if (options.json)
      return {
        code: 0,
        stdout: formatJson(sets.map((s) => ({ ...s, createdAt: new Date(s.createdAt).toISOString() }))),
      };
    if (sets.length === 0) return { code: 0, stdout: "no metric sets\n" };
    const rows = sets.map((s) => [
      s.name,
      s.schedule,
      s.metrics.join(", "),
      s.recipients.join(", "),
      alertsText(s),
    ]);
    const style = createStyle(ctx.stdout.color);
    return {
      code: 0,
      stdout: formatTable(["name", "schedule", "metrics", "recipients", "alerts"], rows, { style }),
    };
  });
}

/** `tallyboard sets add <name>`: create a metric set, or replace the one with that name. */
export async function runSetsAdd(
  name: string,
  options: SetsAddOptions,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const reports = await setsOnly(metrics, ctx);
    const existed = (await reports.metricSets()).some((s) => s.name === name);
    const thresholds = thresholdsOf(options.alert ?? []);
    const set = await usageAsync(() =>
      reports.createMetricSet({
        name,
        metrics: options.metrics,
        recipients: options.to,
        schedule: options.schedule,
        ...(thresholds ? { thresholds } : {}),
      }),
    );
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
    return {
      code: 0,
      stdout: `${existed ? "replaced" : "added"} metric set ${JSON.stringify(set.name)}: ${n(set.metrics.length, "metric")}, ${n(set.recipients.length, "recipient")}, ${set.schedule}\n`,
    };
  });
}

/** `tallyboard sets remove <name>`: delete a metric set (exit 2 when there is none by that name). */
export async function runSetsRemove(
  name: string,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<CommandResult> {
  return withMetrics(globals, ctx, async ({ metrics }) => {
    const reports = await setsOnly(metrics, ctx);
    if (!(await reports.metricSets()).some((s) => s.name === name))
      throw new UsageError(`No metric set named ${JSON.stringify(name)}; see tallyboard sets list`);
    await reports.deleteMetricSet(name);
    return { code: 0, stdout: `removed metric set ${JSON.stringify(name)}\n` };
  });
}

/** The `tallyboard sets` command (list, add, remove) for the program in `_program.ts`. */
export const setsCommand: CommandFactory = (ctx, done) => {
  const sets = new Command("sets").description("list, add and remove metric sets (e-mailed reports)");
  sets.addCommand(
    new Command("list")
      .description("every metric set, sorted by name")
      .option("--json", "print a JSON array of sets")
      .action(
        action(done, (options: { json?: boolean }, command: Command) =>
          runSetsList(options, globalsOf(command, ctx), ctx),
        ),
      ),
    { isDefault: true },
  );
  sets.addCommand(
    new Command("add")
      .description("create a metric set, or replace the one with this name")
      .argument("<name>", 'free-text name, e.g. "Daily overview"')
      .addOption(
        new Option("--metrics <slugs>", "comma-separated slugs, in report order")
          .argParser(parseList)
          .makeOptionMandatory(),
      )
      .addOption(
        new Option("--to <addresses>", "comma-separated e-mail recipients")
          .argParser(parseList)
          .makeOptionMandatory(),
      )
      .option("--schedule <when>", 'daily, weekly, monthly or a cron expression like "0 8 * * 1"', "daily")
      .addOption(
        new Option("--alert <rule>", "mark a row as alert: slug>N or slug<N (repeatable)").argParser(
          parseAlert,
        ),
      )
      .action(
        action(done, (name: string, options: SetsAddOptions, command: Command) =>
          runSetsAdd(name, options, globalsOf(command, ctx), ctx),
        ),
      ),
  );
  sets.addCommand(
    new Command("remove")
      .alias("rm")
      .description("delete a metric set")
      .argument("<name>", "the set's name")
      .action(
        action(done, (name: string, _options: unknown, command: Command) =>
          runSetsRemove(name, globalsOf(command, ctx), ctx),
        ),
      ),
  );
  return sets;
};
