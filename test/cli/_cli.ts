import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The built binary the tests run. */
export const MAIN = join(ROOT, "dist/cli/main.js");

/**
 * `npm run build` once per test file run. tsc still emits when files outside
 * src/cli have type errors (other work in progress), so success is judged by a
 * freshly written dist/cli/main.js, and the compiler output is shown otherwise.
 */
export async function buildOnce(): Promise<void> {
  const started = Date.now() - 1000;
  const { code, stdout, stderr } = await run("npm", ["run", "build", "--silent"], { cwd: ROOT });
  const fresh = existsSync(MAIN) && statSync(MAIN).mtimeMs >= started;
  if (!fresh) throw new Error(`npm run build did not write ${MAIN} (exit ${code}):\n${stdout}\n${stderr}`);
}

/** What a finished child process left behind. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Variables the CLI reads; removed from the inherited environment so tests start clean. */
const CLI_ENV = [
  "TALLYBOARD_STORE",
  "TALLYBOARD_TIMEZONE",
  "TALLYBOARD_TOKENS",
  "NO_COLOR",
  "FORCE_COLOR",
  "DEBUG",
];

/** A clean environment plus `extra` (values of `undefined` are removed). */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of CLI_ENV) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Options of {@link cli}. */
export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Run `node dist/cli/main.js ...args` to completion (stdout/stderr are pipes, not TTYs). */
export function cli(args: readonly string[], options: CliRunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [MAIN, ...args], { env: cliEnv(options.env), cwd: options.cwd ?? ROOT });
}

function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd: string }) {
  return new Promise<RunResult>((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" });
    collect(child).then(resolvePromise).catch(reject);
  });
}

function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** A long-running `tallyboard start`: resolves once it printed its URL. */
export interface Started {
  url: string;
  child: ChildProcess;
  /** Send a signal and wait for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
}

/** Spawn the binary and wait (up to `timeoutMs`) for the `tallyboard dashboard: <url>` line. */
export function startServer(args: readonly string[], options: CliRunOptions & { timeoutMs?: number } = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: "pipe",
  });
  const done = collect(child);
  let out = "";
  return new Promise<Started>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no URL printed within ${options.timeoutMs ?? 60_000} ms; stdout: ${out}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const match = /tallyboard dashboard: (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        const url = match[1].replace(/\/$/, "");
        resolvePromise({
          url,
          child,
          stop: async (signal = "SIGTERM") => {
            child.kill(signal);
            return done;
          },
        });
      }
    });
    done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`exited (${r.code}) before printing a URL:\n${r.stdout}\n${r.stderr}`));
    }, reject);
  });
}

/** A fresh temporary directory, removed by the returned function. */
export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `tallyboard-cli-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Matches any ANSI escape sequence. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes is the point
export const ANSI = /\u001b\[/;
