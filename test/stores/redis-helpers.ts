/**
 * Test helpers for the Redis store: a private redis-server on a free port
 * (for tests that flush scripts, kill the server or build a Cluster), and
 * prefix clean-up on the shared server. Servers are stopped by pid.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

export const SHARED_URL = "redis://127.0.0.1:6379";

/** A random key prefix for one test. */
export const randomPrefix = (): string => `tbtest-${randomBytes(6).toString("hex")}`;

/** Delete every key under `prefix` on a client (SCAN + UNLINK, never KEYS). */
export async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== "0");
}

/**
 * A random prefix of our own on the shared Redis; a cleanup that removes its
 * keys is pushed onto `cleanups` (run them in the file's afterAll).
 */
export function ownSharedPrefix(cleanups: (() => Promise<void>)[]): string {
  const prefix = randomPrefix();
  cleanups.push(async () => {
    const client = new Redis(SHARED_URL);
    await dropPrefix(client, prefix);
    client.disconnect();
  });
  return prefix;
}

/** A free TCP port on 127.0.0.1 (and, for Cluster bus ports, port + 10000 free too). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port > 0 && port + 10_000 < 65_536) return port;
  }
}

/** A redis-server started by a test. */
export interface PrivateRedis {
  port: number;
  url: string;
  process: ChildProcess;
  /** Start the server again on the same port and directory (after a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Start `redis-server` on a free port (no persistence); resolves when it answers PING. */
export async function startRedis(extra: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tb-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    ...extra,
  ];
  const url = `redis://127.0.0.1:${port}`;
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn("redis-server", args, { stdio: "ignore" });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {}); // refused until the server listens; retried below
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    probe.disconnect();
    return child;
  };
  const kill = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid, "SIGKILL");
      await exited;
    }
  };
  const server: PrivateRedis = {
    port,
    url,
    process: await launch(),
    async restart() {
      await kill(server.process);
      server.process = await launch();
    },
    async stop() {
      await kill(server.process);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Replicas per master. @default 0 */
  replicas?: number;
  /** `cluster-node-timeout` in ms: how soon a dead master's replica takes over. @default 15000 */
  nodeTimeoutMs?: number;
}

/**
 * Start three masters (and `replicas` replicas of each) and join them into a
 * Cluster with `redis-cli --cluster create`; resolves when every node reports
 * `cluster_state:ok` and every replica's link to its master is up.
 */
export async function startCluster(
  options: ClusterOptions = {},
): Promise<{ nodes: PrivateRedis[]; stop(): Promise<void> }> {
  const replicas = options.replicas ?? 0;
  const nodes: PrivateRedis[] = [];
  try {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      nodes.push(
        await startRedis([
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${i}.conf`,
          "--cluster-node-timeout",
          String(options.nodeTimeoutMs ?? 15_000),
          "--repl-diskless-sync-delay",
          "0",
        ]),
      );
    }
    await promisify(execFile)("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ]);
    // Wait until every node reports the cluster as ok, and every replica is in sync.
    for (const node of nodes) {
      const client = new Redis(node.url);
      try {
        for (let attempt = 0; ; attempt++) {
          const info = String(await client.cluster("INFO"));
          const replication = await client.info("replication");
          const synced = replication.includes("role:master") || replication.includes("master_link_status:up");
          if (info.includes("cluster_state:ok") && synced) break;
          if (attempt > 400) throw new Error(`cluster not ok on ${node.url}: ${info}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        client.disconnect();
      }
    }
  } catch (error) {
    for (const n of nodes) await n.stop();
    throw error;
  }
  return {
    nodes,
    async stop() {
      for (const n of nodes) await n.stop();
    },
  };
}
