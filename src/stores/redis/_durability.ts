import { MetricsError } from "../../errors.js";
import type { Command, RedisClient } from "./_client.js";
import { SCRIPTS } from "./_scripts.js";
import { ownerOf } from "./_slots.js";

/** `durability` of a store that waits for replicas: resolved from "replicated" or an object. */
export interface Replication {
  /** Replicas that must acknowledge each write. */
  replicas: number;
  /** How long WAIT blocks for them, in milliseconds. */
  timeoutMs: number;
}

/** The write scripts a replica must acknowledge (READ and the report claims are not among them). */
const WRITES = new Map<string, WriteKind>([
  [SCRIPTS.record.sha, "record"],
  [SCRIPTS.record.source, "record"],
  [SCRIPTS.batch.sha, "batch"],
  [SCRIPTS.batch.source, "batch"],
  [SCRIPTS.stage.sha, "stage"],
  [SCRIPTS.stage.source, "stage"],
]);

type WriteKind = "record" | "batch" | "stage";

/** An ioredis Cluster: its slot map (slot → node keys, master first), and how to re-read it. */
interface ClusterMap {
  slots?: string[][];
  refreshSlotsCache?: (callback?: (error?: Error | null) => void) => void;
}

/** A write waiting to be sent with the others of its node. */
interface Pending {
  kind: WriteKind;
  command: Command;
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

/**
 * Which node a key's slot lives on (see `ownerOf`): writes of one node share
 * a pipeline and a WAIT. A key whose owner is unknown is its own group
 * (correct, one WAIT per write).
 */
function nodeOfKey(client: RedisClient): (key: string) => string {
  const owner = ownerOf(client);
  return (key) => owner(key) ?? key;
}

/**
 * Which write script a command runs, or undefined when it writes nothing
 * (another command, or BATCH in check mode: ARGV[1] = "c").
 */
function writeOf(command: readonly unknown[]): WriteKind | undefined {
  const [name, script, numkeys] = command;
  if (name !== "evalsha" && name !== "eval" && name !== "EVALSHA" && name !== "EVAL") return undefined;
  const kind = WRITES.get(String(script));
  if (kind === "batch" && String(command[3 + Number(numkeys)]) === "c") return undefined;
  return kind;
}

/**
 * True when a script answered that it had applied this write before and
 * changed nothing now (RECORD 2, BATCH `{ 0 }`): WAIT on this connection then
 * says nothing about that earlier write, which may have run on a connection
 * that is gone. A {@link fence} write is sent, then WAIT again.
 */
function isDuplicate(kind: WriteKind, reply: unknown): boolean {
  if (kind === "record") return Number(reply) === 2;
  if (kind === "batch") return Array.isArray(reply) && reply.length === 1 && Number(reply[0]) === 0;
  return false;
}

/**
 * A write that changes nothing but is replicated like any write, on the
 * first key of a duplicate (a meta hash: RECORD's and BATCH's KEYS[1]), so in
 * the same slot. `HINCRBY n 0` leaves the flag "no negative count yet" as it
 * was (or sets "0" on a slug without counts, which is true). Once a replica
 * acknowledges it, it has every earlier write of that master, the duplicate's
 * first copy included.
 */
const fence = (command: Command): Command => ["hincrby", String(command[3]), "n", 0];

/** Errors of writes that ran on the master but that too few replicas acknowledged. */
const unacknowledged = new WeakSet<object>();

const notAcknowledged = (r: Replication, got: unknown): MetricsError => {
  const error = new MetricsError(
    "E_STORE",
    `Redis write not acknowledged by ${r.replicas} replica(s) within ${r.timeoutMs} ms (WAIT answered ${String(got)}); the write was applied on the master and may be lost on failover`,
  );
  unacknowledged.add(error);
  return error;
};

/**
 * True for the `E_STORE` of a write that was applied on the master although
 * too few replicas acknowledged it: what goes with an applied write (the
 * registry entries of a new slug) must still be written.
 */
export function appliedUnacknowledged(error: unknown): boolean {
  return typeof error === "object" && error !== null && unacknowledged.has(error);
}

/**
 * The outcome of one write followed by WAIT: the write's own error (retryable
 * or not, as without durability), `E_STORE` when too few replicas answered,
 * else the write's reply.
 */
function judge(
  r: Replication,
  [error, reply]: [Error | null, unknown],
  [waitError, acked]: [Error | null, unknown],
): [Error | null, unknown] {
  if (error) return [error, undefined];
  // The write ran but the WAIT was lost with the connection: a retry finds it applied.
  if (waitError) return [waitError, undefined];
  if (Number(acked) < r.replicas) return [notAcknowledged(r, acked), undefined];
  return [null, reply];
}

/**
 * A client that sends every write script (RECORD, BATCH in write mode, STAGE)
 * in one pipeline with `WAIT <replicas> <timeoutMs>` after it, on the same
 * connection — on a Cluster, ioredis routes such a pipeline by the script's
 * first key to the master of that slot — and rejects with `E_STORE` when fewer
 * replicas acknowledged. A write the script answers it had applied before is
 * confirmed with a fence write and a second WAIT. Every other command passes
 * through unchanged.
 */
export function replicatedClient(client: RedisClient, r: Replication): RedisClient {
  const wait: Command = ["wait", r.replicas, r.timeoutMs];
  const refresh = client.isCluster ? (client as RedisClient & ClusterMap).refreshSlotsCache : undefined;

  const nodeOf = nodeOfKey(client);
  /** Writes issued in this microtask turn, not sent yet. */
  let queue: Pending[] | undefined;

  /** Send the queued writes: per node one pipeline of the writes, then one WAIT. */
  const flush = (): void => {
    const pending = queue ?? [];
    queue = undefined;
    const groups = new Map<string, Pending[]>();
    for (const p of pending) {
      const node = nodeOf(String(p.command[3]));
      const group = groups.get(node);
      if (group) group.push(p);
      else groups.set(node, [p]);
    }
    for (const group of groups.values()) {
      send(group).catch((error: unknown) => {
        for (const p of group) p.reject(error);
      });
    }
  };

  const send = async (group: Pending[]): Promise<void> => {
    const replies = await client.pipeline([...group.map((p) => p.command), wait]).exec();
    if (!replies) throw new Error("the pipeline was discarded");
    let acked = replies[group.length] as [Error | null, unknown];
    const duplicates = group.filter((p, i) => {
      const [error, reply] = replies[i] as [Error | null, unknown];
      return !error && isDuplicate(p.kind, reply);
    });
    if (duplicates.length > 0) {
      const fenced = await client.pipeline([...duplicates.map((p) => fence(p.command)), wait]).exec();
      if (!fenced) throw new Error("the pipeline was discarded");
      const failed = fenced.find(([error]) => error);
      acked = failed ? [failed[0], undefined] : (fenced[duplicates.length] as [Error | null, unknown]);
    }
    let moved = false;
    const outcomes = group.map((_, i) => {
      const outcome = judge(r, replies[i] as [Error | null, unknown], acked);
      if (outcome[0] && /^(MOVED|ASK) /.test(outcome[0].message)) moved = true;
      return outcome;
    });
    // A Cluster pipeline answered MOVED is not followed by ioredis (its WAIT is
    // not read-only): re-read the slot map so that the store's retry goes right.
    if (moved && refresh) await new Promise<void>((resolve) => refresh.call(client, () => resolve()));
    group.forEach((p, i) => {
      const [error, reply] = outcomes[i] as [Error | null, unknown];
      if (error) p.reject(error);
      else p.resolve(reply);
    });
  };

  /** One write, sent with the others of this turn to its node, then WAIT. */
  const acknowledged = (kind: WriteKind, command: Command): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (queue === undefined) {
        queue = [];
        queueMicrotask(flush);
      }
      queue.push({ kind, command, resolve, reject });
    });

  const wrapped: RedisClient & { nodes?: unknown } = {
    isCluster: client.isCluster,
    evalsha(sha, numkeys, ...args) {
      const command: Command = ["evalsha", sha, numkeys, ...args];
      const kind = writeOf(command);
      return kind ? acknowledged(kind, command) : client.evalsha(sha, numkeys, ...args);
    },
    eval(source, numkeys, ...args) {
      const command: Command = ["eval", source, numkeys, ...args];
      const kind = writeOf(command);
      return kind ? acknowledged(kind, command) : client.eval(source, numkeys, ...args);
    },
    call(name, ...args) {
      const command: Command = [name, ...args];
      const kind = writeOf(command);
      return kind ? acknowledged(kind, command) : client.call(name, ...args);
    },
    // Only the read script is called for Buffers.
    callBuffer: (name, ...args) => client.callBuffer(name, ...args),
    pipeline(commands) {
      const kinds = commands.map(writeOf);
      if (kinds.every((k) => k === undefined)) return client.pipeline(commands);
      // A single Redis: one WAIT after the whole pipeline covers every write in it.
      return {
        async exec() {
          const replies = await client.pipeline([...commands, wait]).exec();
          if (!replies) return null;
          let acked = replies[commands.length] as [Error | null, unknown];
          const duplicates = commands.filter((_, i) => {
            const [error, reply] = replies[i] as [Error | null, unknown];
            const kind = kinds[i];
            return kind !== undefined && !error && isDuplicate(kind, reply);
          });
          if (duplicates.length > 0) {
            const fenced = await client.pipeline([...duplicates.map(fence), wait]).exec();
            if (!fenced) return null;
            const failed = fenced.find(([error]) => error);
            acked = failed ? [failed[0], undefined] : (fenced[duplicates.length] as [Error | null, unknown]);
          }
          return commands.map((_, i) => {
            const own = replies[i] as [Error | null, unknown];
            return kinds[i] === undefined ? own : judge(r, own, acked);
          });
        },
      };
    },
    quit: () => client.quit(),
  };
  const nodes = (client as { nodes?: (role: "master") => RedisClient[] }).nodes;
  if (typeof nodes === "function") wrapped.nodes = (role: "master") => nodes.call(client, role);
  // Reads group their pipelines by node with the Cluster's slot map.
  if (client.isCluster) {
    Object.defineProperty(wrapped, "slots", { get: () => (client as RedisClient & ClusterMap).slots });
  }
  return wrapped;
}
