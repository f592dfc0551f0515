import { CommanderError } from "commander";
import { describeValue, type ErrorCode, MetricsError, redactSecrets } from "../errors.js";
import type { Logger } from "../stores/types.js";
import type { CliContext, ExitCode } from "./_context.js";
import { escapeControl } from "./_format.js";

/** A bad command line found after parsing (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Library codes that can only come from a bad argument on the command line
 * (an invalid slug, count, date, range, granularity or zone): exit code 2.
 * Every other failure (store unreachable, missing dependency, …) is exit code 1.
 */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "E_INVALID_SLUG",
  "E_INVALID_COUNT",
  "E_INVALID_DATE",
  "E_INVALID_RANGE",
  "E_INVALID_GRANULARITY",
  "E_INVALID_TIMEZONE",
  "E_RANGE_TOO_LARGE",
]);

/** The exit code for an error thrown by a command. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return 2;
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof MetricsError && USAGE_CODES.has(error.code)) return 2;
  return 1;
}

/** Text for a terminal: secrets in URLs masked, control characters escaped ({@link escapeControl}). */
export function printable(text: string): string {
  return escapeControl(redactSecrets(text));
}

/**
 * One line, `error: <message> (<code>)`, secrets masked and control characters
 * escaped. With `debug`, the stack and every cause follow on further lines.
 */
export function formatError(error: unknown, options: { debug: boolean }): string {
  if (!(error instanceof Error)) return `error: ${printable(String(error))}\n`;
  const code = error instanceof MetricsError ? ` (${error.code})` : "";
  let text = `error: ${printable(error.message)}${code}\n`;
  if (options.debug) {
    let current: unknown = error;
    let depth = 0;
    while (current instanceof Error && depth < 5) {
      const stack = current.stack ?? current.message;
      text += `${depth === 0 ? "" : "caused by: "}${redactSecrets(stack)}\n`;
      current = current.cause;
      depth++;
    }
  }
  return text;
}

/** A store that could not be opened, as one line naming the store (without secrets). */
export function openFailure(error: unknown, where: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const text = `Cannot open the store ${where}: ${message}`;
  return error instanceof MetricsError
    ? new MetricsError(error.code, text, { cause: error })
    : new Error(text, { cause: error });
}

/** Run `fn`; an `E_INVALID_OPTION` it throws came from the command line or environment: a {@link UsageError}. */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MetricsError && error.code === "E_INVALID_OPTION") {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

/** {@link usage} for async work: an `E_INVALID_OPTION` it rejects with becomes a {@link UsageError}. */
export async function usageAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return usage(() => {
      throw error;
    });
  }
}

/** A {@link Logger} for the library and server that writes `warning:`/`error:` lines to stderr. */
const describeArg = (a: unknown): string => (typeof a === "string" ? a : describeValue(a));

export function stderrLogger(ctx: Pick<CliContext, "stderr">): Logger {
  const line = (level: string, message: string, args: unknown[]) => {
    const extra = args.map((a) => (a instanceof Error ? a.message : describeArg(a))).join(" ");
    // Library messages may quote a store or SMTP URL: passwords are masked here too.
    const text = `${printable(redactSecrets(message))}${extra ? ` ${printable(redactSecrets(extra))}` : ""}`;
    ctx.stderr.write(`${level}: ${text}\n`);
  };
  return {
    warn: (message, ...args) => line("warning", message, args),
    error: (message, ...args) => line("error", message, args),
  };
}
