import { describeValue, MetricsError, redactSecrets } from "../../errors.js";
import { type Script, SOURCE_BY_SHA } from "./_scripts.js";

/** One Redis command as `[name, ...args]`. */
export type Command = [string, ...(string | number)[]];

/**
 * The part of an ioredis 5 or 6 client the store uses. Both `Redis` and `Cluster`
 * from ioredis fit; any reply mapping (`"legacy"` or `"resp3"`) works.
 */
export interface RedisClient {
  /** True for an ioredis `Cluster`. */
  readonly isCluster: boolean;
  evalsha(sha: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** Like `call`, with bulk replies as Buffers. */
  callBuffer(command: string, ...args: (string | number)[]): Promise<unknown>;
  pipeline(commands: Command[]): { exec(): Promise<[Error | null, unknown][] | null> };
  quit(): Promise<unknown>;
}

/** An ioredis `Cluster`: also lists its nodes, so SCAN can visit every master. */
interface ClusterClient extends RedisClient {
  nodes(role: "master"): RedisClient[];
}

/** Wrap a Redis failure as `E_STORE`; a `MetricsError` passes through. */
export function storeError(action: string, error: unknown): MetricsError {
  if (error instanceof MetricsError) return error;
  const message = error instanceof Error ? error.message : describeValue(error);
  // Redis's own 64-bit limit (only reachable with counts written by other tools).
  if (message.includes("increment or decrement would overflow")) {
    return new MetricsError("E_COUNT_OVERFLOW", `Redis ${action} refused: a count would leave 64 bits`, {
      cause: error,
    });
  }
  return new MetricsError("E_STORE", `Redis ${action} failed: ${redactSecrets(message)}`, { cause: error });
}

/** True for the reply Redis gives to EVALSHA of a script it does not cache. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** Run a script with EVALSHA, falling back to EVAL (which caches it) on NOSCRIPT. */
export async function runScript(
  client: RedisClient,
  script: Script,
  numkeys: number,
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, numkeys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.source, numkeys, ...args);
  }
}

/** {@link runScript} with bulk replies as Buffers (parsed byte by byte, cheaper than strings). */
export async function runScriptBuffer(
  client: RedisClient,
  script: Script,
  numkeys: number,
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.callBuffer("evalsha", script.sha, numkeys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.callBuffer("eval", script.source, numkeys, ...args);
  }
}

/**
 * Send commands in one round trip (a pipeline on a single Redis; in parallel on
 * a Cluster, where a pipeline may not span slots) and return each command's own
 * outcome as `[error, reply]`. An EVALSHA answered NOSCRIPT is rerun as EVAL.
 */
export async function runSettled(
  client: RedisClient,
  commands: Command[],
): Promise<[Error | null, unknown][]> {
  if (commands.length === 0) return [];
  let settled: [Error | null, unknown][];
  if (client.isCluster) {
    settled = await Promise.all(commands.map(([name, ...args]) => settle(client.call(name, ...args))));
  } else {
    const replies = await client.pipeline(commands).exec();
    if (!replies) throw new Error("the pipeline was discarded");
    settled = replies;
  }
  const retries: Promise<void>[] = [];
  settled.forEach(([error], i) => {
    const command = commands[i] as Command;
    const source = command[0] === "evalsha" ? SOURCE_BY_SHA.get(String(command[1])) : undefined;
    if (error && source !== undefined && isNoScript(error)) {
      const [, , numkeys, ...args] = command;
      retries.push(
        settle(client.eval(source, Number(numkeys), ...args)).then((outcome) => {
          settled[i] = outcome;
        }),
      );
    }
  });
  await Promise.all(retries);
  return settled;
}

const settle = (work: Promise<unknown>): Promise<[Error | null, unknown]> =>
  work.then(
    (reply): [null, unknown] => [null, reply],
    (error: Error): [Error, unknown] => [error, undefined],
  );

/** {@link runSettled}, then every reply; the first error is thrown once all commands completed. */
export async function runAll(client: RedisClient, commands: Command[]): Promise<unknown[]> {
  const settled = await runSettled(client, commands);
  const failed = settled.find(([error]) => error);
  if (failed) throw failed[0];
  return settled.map(([, reply]) => reply);
}

/** Every master of a Cluster, or the client itself. */
export function masters(client: RedisClient): RedisClient[] {
  return client.isCluster ? (client as ClusterClient).nodes("master") : [client];
}

/** A hash reply as [field, value] pairs, whatever the client's reply mapping. */
export function hashPairs(reply: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), String(reply[i + 1])]);
  } else if (reply instanceof Map) {
    for (const [k, v] of reply) out.push([String(k), String(v)]);
  } else if (reply && typeof reply === "object") {
    for (const [k, v] of Object.entries(reply)) out.push([k, String(v)]);
  }
  return out;
}

/** A set or array reply as strings. */
export function members(reply: unknown): string[] {
  if (Array.isArray(reply)) return reply.map(String);
  if (reply instanceof Set) return [...reply].map(String);
  return [];
}
