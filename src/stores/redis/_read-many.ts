import type { ReadQuery, ReadResult } from "../types.js";
import { type Command, isNoScript, type RedisClient, runScriptBuffer } from "./_client.js";
import { type ReadPlan, readPlan } from "./_read.js";
import { SCRIPTS } from "./_scripts.js";
import { ownerOf } from "./_slots.js";
import type { KeySpace } from "./keys.js";

type Settled = [Error | null, unknown];

const evalsha = (plan: ReadPlan): Command => [
  "evalshaBuffer",
  SCRIPTS.read.sha,
  plan.keys.length,
  ...plan.keys,
];
const evalSource = (plan: ReadPlan): Command => [
  "evalBuffer",
  SCRIPTS.read.source,
  plan.keys.length,
  ...plan.keys,
];

/**
 * Many reads in one round trip: the READ script call of each query (the very
 * call `read()` makes, see `_read.ts`), sent as one pipeline. On a Cluster,
 * where a pipeline may not span nodes, the calls are grouped by the master
 * that holds their slug's slot (from the client's slot table) and each group
 * is one pipeline, all sent at once: one round trip per node. A call that
 * fails there — NOSCRIPT on a server that does not cache the script yet, or on
 * a Cluster a MOVED/ASK/TRYAGAIN while slots move — is sent again, with EVAL
 * where needed (one more round trip, only then). Any other failure fails the
 * whole read, like a failed `read()`.
 */
export async function readMany(
  client: RedisClient,
  keys: KeySpace,
  queries: readonly ReadQuery[],
): Promise<ReadResult[]> {
  if (queries.length === 0) return [];
  const plans = queries.map((query) => readPlan(keys, query));
  const settled: Settled[] = new Array(plans.length);
  const all = plans.map((_, i) => i);
  const groups = client.isCluster ? byNode(client, plans, all) : [all];
  await Promise.all(
    groups.map((group) => pipelined(client, group, (i) => evalsha(plans[i] as ReadPlan), settled)),
  );
  const failed = all.filter((i) => settled[i]?.[0]);
  const noScript = failed.filter((i) => isNoScript(settled[i]?.[0]));
  const moved = client.isCluster ? failed.filter((i) => !isNoScript(settled[i]?.[0])) : [];
  if (noScript.length > 0 || moved.length > 0) {
    const again = client.isCluster ? byNode(client, plans, noScript) : [noScript];
    await Promise.all([
      ...again.map((group) => pipelined(client, group, (i) => evalSource(plans[i] as ReadPlan), settled)),
      // Alone, so that ioredis follows the redirection.
      ...moved.map(async (i) => {
        const plan = plans[i] as ReadPlan;
        settled[i] = await runScriptBuffer(client, SCRIPTS.read, plan.keys.length, plan.keys).then(
          (reply): Settled => [null, reply],
          (error: Error): Settled => [error, undefined],
        );
      }),
    ]);
  }
  return plans.map((plan, i) => {
    const [error, reply] = settled[i] as Settled;
    if (error) throw error;
    return plan.decode(reply);
  });
}

/** `indexes` of `plans` grouped by the master that serves their slot (one group when unknown). */
function byNode(client: RedisClient, plans: ReadPlan[], indexes: number[]): number[][] {
  if (indexes.length === 0) return [];
  const owner = ownerOf(client);
  const groups = new Map<string, number[]>();
  for (const i of indexes) {
    const node = owner((plans[i] as ReadPlan).keys[0] as string) ?? "";
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  }
  return [...groups.values()];
}

/** Send the calls at `indexes` as one pipeline and keep each outcome in `settled`. */
async function pipelined(
  client: RedisClient,
  indexes: number[],
  command: (i: number) => Command,
  settled: Settled[],
): Promise<void> {
  if (indexes.length === 0) return;
  let replies: Settled[] | null;
  try {
    replies = await client.pipeline(indexes.map(command)).exec();
  } catch (error) {
    replies = indexes.map((): Settled => [error as Error, undefined]);
  }
  indexes.forEach((at, j) => {
    settled[at] = replies?.[j] ?? [new Error("the read pipeline was discarded"), undefined];
  });
}
