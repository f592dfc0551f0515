import type { MetricSetRecord, Store } from "../types.js";
import { hashPairs, type RedisClient, runScript } from "./_client.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

/** Runs `work` with the open client, reporting Redis failures as `E_STORE`. */
type Using = <T>(action: string, work: (client: RedisClient) => Promise<T>) => Promise<T>;

/** Value of a claim key while a sender holds it; it expires after the lease. */
const CLAIMED = "claimed";
/** Value of a claim key once the report was sent; kept without expiry. */
const SENT = "sent";

/**
 * Metric sets and report claims of the Redis store. Sets live in one hash
 * (name → JSON). A report claim is one string key: `SET NX PX lease` writes
 * "claimed", so only one caller wins and a claim of a sender that died expires
 * by itself (the lease is timed by the Redis clock, not by `now`); completing
 * overwrites it with "sent" and no expiry (one short key per set and period);
 * releasing deletes it only while it is still "claimed" (RELEASE script).
 */
export function createReportMethods(
  keys: KeySpace,
  using: Using,
): Pick<
  Store,
  "putMetricSet" | "metricSets" | "deleteMetricSet" | "claimReport" | "completeReport" | "releaseReport"
> {
  return {
    putMetricSet: (set) =>
      using("putMetricSet", async (c) => {
        await c.call("hset", keys.metricSets(), set.name, JSON.stringify(set));
      }),
    metricSets: () =>
      using("metricSets", async (c) =>
        hashPairs(await c.call("hgetall", keys.metricSets()))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, json]) => ({ ...(JSON.parse(json) as MetricSetRecord), name })),
      ),
    deleteMetricSet: (name) =>
      using("deleteMetricSet", async (c) => {
        await c.call("hdel", keys.metricSets(), name);
      }),
    claimReport: ({ set, period, leaseMs }) =>
      using("claimReport", async (c) => {
        const px = Math.max(1, Math.ceil(leaseMs));
        const reply = await c.call("set", keys.reportClaim(set, period), CLAIMED, "NX", "PX", px);
        return reply === "OK";
      }),
    completeReport: ({ set, period }) =>
      using("completeReport", async (c) => {
        await c.call("set", keys.reportClaim(set, period), SENT);
      }),
    releaseReport: ({ set, period }) =>
      using("releaseReport", async (c) => {
        await runScript(c, SCRIPTS.release, 1, [keys.reportClaim(set, period)]);
      }),
  };
}
