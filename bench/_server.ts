/**
 * A private redis-server for the benchmark: started on a free loopback port
 * with persistence off, stopped by pid. Nothing here touches the shared Redis
 * on 6379.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

/** A running private redis-server. */
export interface PrivateRedis {
  port: number;
  url: string;
  pid: number;
  /** Stop the server (SIGTERM, then SIGKILL after 2 s). Idempotent. */
  stop(): Promise<void>;
}

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with code ${child.exitCode}: ${output()}`);
    }
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    await sleep(50);
  }
  throw new Error(`redis-server did not answer on ${url} within 10 s: ${output()}`);
}

/** Start `redis-server` on a free port; resolves once it answers PING. */
export async function startPrivateRedis(bin = "redis-server"): Promise<PrivateRedis> {
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn(bin, [...args, "--daemonize", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-2000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid ?? 0));
    child.once("error", (error) => reject(new Error(`cannot start ${bin}: ${error.message}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(spawned, "SIGTERM");
      const killed = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]);
      if (!killed) {
        process.kill(spawned, "SIGKILL");
        await exited;
      }
    })();
    return stopping;
  };
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url, pid: spawned, stop };
}
