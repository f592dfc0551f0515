#!/usr/bin/env node
/**
 * The `tallyboard` binary: the one place that touches `process` to print,
 * listen for signals and exit. Everything else gets a {@link CliContext}.
 */
import type { CliContext, Output } from "./_context.js";
import { colorEnabled } from "./_context.js";
import { runCli } from "./_program.js";

function output(stream: NodeJS.WriteStream): Output {
  const isTTY = stream.isTTY === true;
  return {
    write: (text) => {
      stream.write(text);
    },
    isTTY,
    color: colorEnabled(process.env, isTTY),
    stream,
  };
}

let signalled: Promise<string> | undefined;

/** Resolve on the first SIGINT/SIGTERM; a second one exits at once (130). */
function waitForSignal(): Promise<string> {
  signalled ??= new Promise((resolve) => {
    let count = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      count++;
      if (count === 1) resolve(signal);
      else process.exit(130);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return signalled;
}

const context: CliContext = {
  env: process.env,
  cwd: process.cwd(),
  stdout: output(process.stdout),
  stderr: output(process.stderr),
  waitForSignal,
  pid: process.pid,
  now: () => Date.now(),
};

// A closed pipe (`tallyboard history … | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await runCli(process.argv.slice(2), context);
process.exitCode = code;
// Everything is disposed by now; if a driver still holds the event loop open, do not hang.
setTimeout(() => process.exit(code), 5000).unref();
