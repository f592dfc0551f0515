/** Child-process timers for bench/startup.ts: spawn to a line, to exit, to a healthy server. */
import { spawn } from "node:child_process";

/** One measured duration. */
export interface Timed {
  ms: number;
}

const NODE = process.execPath;

/** Spawn `node args…` and time it until it exits (code 0 expected). */
export function timeExit(args: string[], cwd: string): Promise<Timed> {
  const started = performance.now();
  const child = spawn(NODE, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ ms: performance.now() - started });
      else reject(new Error(`node ${args.slice(0, 2).join(" ")} exited ${code}: ${err}`));
    });
  });
}

/** Spawn `node args…` and time it until stdout matches `line`; then let it finish. */
export function timeReady(args: string[], cwd: string, line: RegExp): Promise<Timed> {
  const started = performance.now();
  const child = spawn(NODE, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let ms: number | undefined;
  child.stdout.on("data", (d: Buffer) => {
    out += d;
    if (ms === undefined && line.test(out)) ms = performance.now() - started;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && ms !== undefined) resolve({ ms });
      else reject(new Error(`node exited ${code} before printing ${line}`));
    });
  });
}

/** Spawn `tallyboard start --port 0` and time it until /api/v1/healthz answers 200; then SIGTERM it. */
export async function timeStart(main: string, store: string, cwd: string): Promise<Timed> {
  const started = performance.now();
  const child = spawn(NODE, [main, "--store", store, "start", "--port", "0"], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d;
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`start exited ${child.exitCode}: ${err}`);
      const url = /tallyboard dashboard: (http:\/\/\S+?)\/?\s/.exec(out)?.[1];
      if (url) {
        const ok = await fetch(`${url}/api/v1/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return { ms: performance.now() - started };
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill("SIGTERM");
    await closed;
  }
}
