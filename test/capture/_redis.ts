/**
 * A private redis-server for capture fault tests: free port, its own temp
 * dir, optional AOF (`appendfsync always`, so every acknowledged write
 * survives SIGKILL), restartable on the same port and dir. Stopped by pid;
 * the shared Redis on 6379 is never touched.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "../stores/redis-helpers.js";

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL the server (no shutdown save); resolves when it exited. */
  kill(): Promise<void>;
  /** Start it again on the same port and dir (AOF is replayed). */
  start(): Promise<void>;
  /** Kill it and remove its dir. */
  stop(): Promise<void>;
}

async function waitPing(url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch (error) {
      if (attempt > 200) throw error;
    } finally {
      probe.disconnect();
    }
    await sleep(50);
  }
}

export async function privateRedis(options: { aof?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tb-capture-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir];
  args.push(...(options.aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  let child: ChildProcess | undefined;
  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    process.kill(c.pid, "SIGKILL");
    await exited;
  };
  const start = async (): Promise<void> => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    await waitPing(url);
  };
  await start();
  return {
    port,
    url,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
