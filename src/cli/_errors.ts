import { CommanderError } from "commander";
import { type ErrorCode, MetricsError } from "../errors.js";
import type { ExitCode } from "./_context.js";

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

/** `error: <message>` (plus the code, and the stack and causes when debugging). */
export function formatError(error: unknown, options: { debug: boolean }): string {
  if (!(error instanceof Error)) return `error: ${String(error)}\n`;
  const code = error instanceof MetricsError ? ` (${error.code})` : "";
  let text = `error: ${error.message}${code}\n`;
  if (options.debug) {
    let current: unknown = error;
    let depth = 0;
    while (current instanceof Error && depth < 5) {
      text += `${depth === 0 ? "" : "caused by: "}${current.stack ?? current.message}\n`;
      current = current.cause;
      depth++;
    }
  } else if (error.cause instanceof Error && !(error instanceof UsageError)) {
    text += `  caused by: ${error.cause.message}\n`;
  }
  return text;
}
