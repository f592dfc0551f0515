/**
 * Private Redis Clusters for the cluster section: N masters started as own
 * `redis-server` processes on free ports (bus port = port + 10000), joined with
 * `redis-cli --cluster create` (3+ masters) or given every slot with
 * `CLUSTER ADDSLOTSRANGE` (1 master). Stopped by pid; the shared Redis on 6379
 * is never touched.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./_server.js";

/** One master of a private cluster. */
export interface ClusterNode {
  port: number;
  pid: number;
  /** A plain (non-cluster) connection to this node, for INFO and CONFIG. */
  admin: Redis;
}

export interface PrivateCluster {
  nodes: ClusterNode[];
  stop(): Promise<void>;
}

async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 < 65_536) return port;
  }
}

async function startNode(dir: string, index: number): Promise<{ port: number; child: ChildProcess }> {
  const port = await clusterPort();
  const child = spawn(
    "redis-server",
    [
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
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `nodes-${index}-${port}.conf`,
      // A lone master that never met a peer does not know its own address and
      // would announce "" in CLUSTER SLOTS.
      "--cluster-announce-ip",
      "127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      return { port, child };
    } catch (error) {
      if (attempt > 200) throw error;
      await sleep(25);
    } finally {
      probe.disconnect();
    }
  }
}

/** Start `masters` cluster-enabled servers and join them; resolves when every node says cluster_state:ok. */
export async function startPrivateCluster(masters: number): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), "tb-bench-cluster-"));
  const started: { port: number; child: ChildProcess }[] = [];
  const stop = async (): Promise<void> => {
    for (const { child } of started) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(child.pid, "SIGKILL");
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) started.push(await startNode(dir, i));
    if (masters === 1) {
      const only = new Redis(started[0]?.port ?? 0, "127.0.0.1");
      await only.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      only.disconnect();
    } else {
      await promisify(execFile)("redis-cli", [
        "--cluster",
        "create",
        ...started.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ]);
    }
    const nodes: ClusterNode[] = started.map(({ port, child }) => ({
      port,
      pid: child.pid ?? 0,
      admin: new Redis(port, "127.0.0.1"),
    }));
    for (const node of nodes) {
      for (let attempt = 0; ; attempt++) {
        const info = String(await node.admin.call("CLUSTER", "INFO"));
        if (info.includes("cluster_state:ok")) break;
        if (attempt > 400) throw new Error(`cluster not ok on port ${node.port}`);
        await sleep(25);
      }
    }
    return {
      nodes,
      async stop() {
        for (const node of nodes) node.admin.disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Counters read from one node: total commands and the µs Redis spent running
 * them (`INFO commandstats`, without the bench's own INFO/CONFIG/CLUSTER/PING),
 * calls per command, server CPU seconds (`INFO cpu`, user + sys).
 */
export interface NodeStats {
  commands: number;
  commandMicros: number;
  calls: Map<string, number>;
  cpuSeconds: number;
}

/** Commands the bench itself sends to watch the nodes. */
const OWN = new Set(["info", "config", "cluster", "ping"]);

/** `INFO commandstats` + `INFO cpu` of one node. */
export async function nodeStats(admin: Redis): Promise<NodeStats> {
  const text = String(await admin.info("all"));
  const calls = new Map<string, number>();
  let commands = 0;
  let commandMicros = 0;
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const n = Number(match[2]);
    calls.set(match[1] ?? "", n);
    if (!OWN.has(match[1] ?? "")) {
      commands += n;
      commandMicros += Number(match[3]);
    }
  }
  const user = Number(/^used_cpu_user:([\d.]+)/m.exec(text)?.[1] ?? 0);
  const sys = Number(/^used_cpu_sys:([\d.]+)/m.exec(text)?.[1] ?? 0);
  return { commands, commandMicros, calls, cpuSeconds: user + sys };
}

/** Difference of two snapshots of one node. */
export function statsDelta(before: NodeStats, after: NodeStats): NodeStats {
  const calls = new Map<string, number>();
  for (const [name, n] of after.calls) calls.set(name, n - (before.calls.get(name) ?? 0));
  return {
    commands: after.commands - before.commands,
    commandMicros: after.commandMicros - before.commandMicros,
    calls,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}
