import type { MetricSetRecord, ReportClaimOutcome, Store } from "../types.js";
import { hashPairs, type RedisClient, runScript } from "./_client.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

/** Runs `work` with the open client, reporting Redis failures as `E_STORE`. */
type Using = <T>(action: string, work: (client: RedisClient) => Promise<T>) => Promise<T>;

/** Value of a claim key while `owner` holds it; it expires after the lease. */
const claimedBy = (owner: string): string => `claimed:${owner}`;

/**
 * Metric sets and report claims of the Redis store. Sets live in one hash
 * (name → JSON). A report claim is one string key, handled by one-key scripts
 * (see `_script-claims.ts`): CLAIM writes `claimed:<owner>` with the lease as
 * expiry when the key is absent, so only one caller wins and a claim of a
 * sender that died expires by itself (timed by the Redis clock, not by `now`);
 * COMPLETE overwrites the caller's own claim (or an expired one) with `sent`
 * and no expiry (one short key per set and period); RELEASE deletes the key
 * only while it holds the caller's own claim.
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
    claimReport: ({ set, period, owner, leaseMs }) =>
      using("claimReport", async (c) => {
        const px = Math.max(1, Math.ceil(leaseMs));
        const args = [keys.reportClaim(set, period), claimedBy(owner), px];
        return String(await runScript(c, SCRIPTS.claim, 1, args)) as ReportClaimOutcome;
      }),
    completeReport: ({ set, period, owner }) =>
      using("completeReport", async (c) => {
        const args = [keys.reportClaim(set, period), claimedBy(owner)];
        return Number(await runScript(c, SCRIPTS.complete, 1, args)) === 1;
      }),
    releaseReport: ({ set, period, owner }) =>
      using("releaseReport", async (c) => {
        const args = [keys.reportClaim(set, period), claimedBy(owner)];
        return Number(await runScript(c, SCRIPTS.release, 1, args)) === 1;
      }),
  };
}
