import type { ReadQuery, ReadResult } from "../types.js";
import { type Command, isNoScript, type RedisClient, runScriptBuffer } from "./_client.js";
import { readPlan } from "./_read.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

/**
 * Many reads in one round trip: the READ script call of each query (the very
 * call `read()` makes, see `_read.ts`), sent together. On a single Redis the
 * calls travel as one pipeline. On a Cluster, where a pipeline may not span
 * nodes, they are all sent at once and each is routed (and redirected during a
 * reshard) to its slug's node by ioredis, so every node is asked in parallel.
 * A script the server does not cache yet (NOSCRIPT) is sent again with EVAL:
 * a second round trip only the first time after a restart or SCRIPT FLUSH.
 * One failed call fails the whole read, like a failed `read()`.
 */
export async function readMany(
  client: RedisClient,
  keys: KeySpace,
  queries: readonly ReadQuery[],
): Promise<ReadResult[]> {
  if (queries.length === 0) return [];
  const plans = queries.map((query) => readPlan(keys, query));
  const { sha, source } = SCRIPTS.read;
  if (client.isCluster) {
    const replies = await Promise.all(
      plans.map((plan) => runScriptBuffer(client, SCRIPTS.read, plan.keys.length, plan.keys)),
    );
    return plans.map((plan, i) => plan.decode(replies[i]));
  }
  const settled = await client
    .pipeline(plans.map((plan): Command => ["evalshaBuffer", sha, plan.keys.length, ...plan.keys]))
    .exec();
  if (!settled) throw new Error("the read pipeline was discarded");
  const missing = plans.flatMap((plan, i) => (isNoScript(settled[i]?.[0]) ? [i] : []));
  if (missing.length > 0) {
    const again = await client
      .pipeline(
        missing.map((i): Command => {
          const plan = plans[i] as (typeof plans)[number];
          return ["evalBuffer", source, plan.keys.length, ...plan.keys];
        }),
      )
      .exec();
    if (!again) throw new Error("the read pipeline was discarded");
    missing.forEach((at, j) => {
      settled[at] = again[j] ?? [new Error("no reply"), undefined];
    });
  }
  return plans.map((plan, i) => {
    const [error, reply] = settled[i] ?? [new Error("no reply"), undefined];
    if (error) throw error;
    return plan.decode(reply);
  });
}
