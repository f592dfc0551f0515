import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import type { CommandFactory, Done } from "./_command.js";
import type { CliContext, CommandResult, ExitCode } from "./_context.js";
import { exitCodeOf, formatError, printable, UsageError } from "./_errors.js";
import { createStyle } from "./_format.js";
import { DEFAULT_STORE } from "./_store.js";
import { aggregateCommand } from "./commands/aggregate.js";
import { archiveCommand } from "./commands/archive.js";
import { benchCommand } from "./commands/bench.js";
import { categoriesCommand } from "./commands/categories.js";
import { historyCommand } from "./commands/history.js";
import { recordCommand } from "./commands/record.js";
import { sendReportsCommand } from "./commands/send-reports.js";
import { setsCommand } from "./commands/sets.js";
import { slugsCommand } from "./commands/slugs.js";
import { startCommand } from "./commands/start.js";
import { workerCommand } from "./commands/worker.js";

/** Appended to the one line of a usage error. */
const HINT = "(add --help for usage)";

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly CommandFactory[] = [
  startCommand,
  recordCommand,
  historyCommand,
  slugsCommand,
  categoriesCommand,
  aggregateCommand,
  archiveCommand,
  setsCommand,
  sendReportsCommand,
  workerCommand,
  benchCommand,
];

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Build the `tallyboard` program; each command reports its result through `done`. */
export function createProgram(ctx: CliContext, done: Done): Command {
  const errStyle = createStyle(ctx.stderr.color);
  const program = new Command("tallyboard")
    .description("Time-bucketed application metrics: record, query, serve a dashboard.")
    .version(packageVersion(), "-V, --version")
    .addOption(
      new Option(
        "--store <url>",
        "memory:, redis://…, postgres://… or pglite:./dir (env TALLYBOARD_STORE)",
      ).default(ctx.env.TALLYBOARD_STORE || DEFAULT_STORE),
    )
    .addOption(
      new Option("--timezone <zone>", "IANA zone of bucket boundaries (env TALLYBOARD_TIMEZONE)").default(
        ctx.env.TALLYBOARD_TIMEZONE || "UTC",
      ),
    )
    .option("--debug", "print stack traces of errors (or set DEBUG)")
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      // One line per error: the hint goes on the same line.
      outputError: (text, write) =>
        write(`${printable(text.trimEnd()).replace(/^error:/, errStyle.red("error:"))} ${HINT}\n`),
    });
  for (const factory of COMMANDS) {
    const command = factory(ctx, done);
    inherit(command, program);
    program.addCommand(command);
  }
  return program;
}

/** Copy the program's settings (exit override, output) to a command and its subcommands. */
function inherit(command: Command, parent: Command): void {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inherit(sub, command);
}

/**
 * Run the CLI with `argv` (without `node` and the script) and return the exit
 * code: 0 ok, 1 runtime error, 2 usage error. Output goes through `ctx`.
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<ExitCode> {
  let result: CommandResult | undefined;
  const program = createProgram(ctx, (r) => {
    result = r;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    // commander has already printed its own errors and help.
    if (error instanceof CommanderError) return exitCodeOf(error);
    const debug = argv.includes("--debug") || Boolean(ctx.env.DEBUG);
    const style = createStyle(ctx.stderr.color);
    let text = formatError(error, { debug }).replace(/^error:/, style.red("error:"));
    if (error instanceof UsageError) text = text.replace("\n", ` ${HINT}\n`);
    ctx.stderr.write(text);
    return exitCodeOf(error);
  }
  if (!result) return 0;
  if (result.stdout) ctx.stdout.write(result.stdout);
  if (result.stderr) ctx.stderr.write(result.stderr);
  return result.code;
}
