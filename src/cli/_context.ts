/**
 * What a command may touch of the outside world. `main.ts` builds it from
 * `process`; commands never read `process` or print directly, so only the
 * entry point prints and exits.
 */
export interface CliContext {
  /** Environment variables (`process.env` in the real binary). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative store paths (`pglite:./dir`) resolve against. */
  readonly cwd: string;
  /** Standard output: results (tables, JSON, CSV, the server URL). */
  readonly stdout: Output;
  /** Standard error: progress, notices and error messages. */
  readonly stderr: Output;
  /** Resolves with the signal name at the first SIGINT or SIGTERM. */
  waitForSignal(): Promise<string>;
  /** This process's id (owner of PGlite lock files). */
  readonly pid: number;
  /** Clock, injectable for tests. */
  now(): number;
}

/** One output stream. */
export interface Output {
  write(text: string): void;
  /** Whether the stream is a terminal (progress bars and colour only then). */
  readonly isTTY: boolean;
  /** Whether ANSI colour may be written (TTY, or FORCE_COLOR; never with NO_COLOR). */
  readonly color: boolean;
  /** The underlying stream, for cli-progress; absent in tests. */
  readonly stream?: NodeJS.WritableStream;
}

/** Exit codes: 0 ok, 1 runtime error, 2 usage error. */
export type ExitCode = 0 | 1 | 2;

/** What a command returns: its exit code and the text left to print. */
export interface CommandResult {
  code: ExitCode;
  /** Written to stdout after the command finishes. */
  stdout?: string;
  /** Written to stderr after the command finishes. */
  stderr?: string;
}

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  /** Store URL: `memory:`, `redis://…`, `postgres://…`, `pglite:./dir`. */
  store: string;
  /** IANA time zone of bucket boundaries. */
  timezone: string;
  /** Print stacks of runtime errors. */
  debug?: boolean;
}

/** Decide whether colour may be used on a stream: NO_COLOR always wins, then FORCE_COLOR, then TTY. */
export function colorEnabled(env: CliContext["env"], isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return isTTY && env.TERM !== "dumb";
}
