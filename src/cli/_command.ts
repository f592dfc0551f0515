import type { Command } from "commander";
import type { CliContext, CommandResult, GlobalOptions } from "./_context.js";
import { DEFAULT_STORE } from "./_store.js";

/** Receives what a command's action returned; `main.ts` prints it. */
export type Done = (result: CommandResult) => void;

/** Each file in `commands/` exports one of these: it builds the commander `Command`. */
export type CommandFactory = (ctx: CliContext, done: Done) => Command;

/** The root program's options as seen from a subcommand's action. */
export function globalsOf(command: Command, ctx: CliContext): GlobalOptions {
  const all = command.optsWithGlobals<Partial<GlobalOptions>>();
  const debug = all.debug === true || (ctx.env.DEBUG !== undefined && ctx.env.DEBUG !== "");
  return { store: all.store ?? DEFAULT_STORE, timezone: all.timezone ?? "UTC", debug };
}

/** Wrap a command body so its result (or thrown error) reaches `done`/the caller. */
export function action<A extends unknown[]>(
  done: Done,
  body: (...args: A) => Promise<CommandResult>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    done(await body(...args));
  };
}
