import type { MetricSetRecord, ReportKey, Store } from "../types.js";

type ReportMethods = Pick<
  Store,
  "putMetricSet" | "metricSets" | "deleteMetricSet" | "claimReport" | "completeReport" | "releaseReport"
>;

/**
 * Metric sets and report claims of the memory store: a claim holds its owner
 * token and lease end; a sent report stays "sent"; only the owner completes or
 * releases a claim.
 */
export function memoryReports(): ReportMethods {
  const sets = new Map<string, MetricSetRecord>();
  /** Report key -> "sent" or the live claim. */
  const reports = new Map<string, "sent" | { owner: string; until: number }>();
  const reportKey = (k: ReportKey): string => `${k.set}\u0000${k.period}`;
  return {
    async putMetricSet(set) {
      sets.set(set.name, structuredClone(set));
    },
    metricSets: async () =>
      [...sets.keys()].sort().map((name) => structuredClone(sets.get(name) as MetricSetRecord)),
    async deleteMetricSet(name) {
      sets.delete(name);
    },
    async claimReport(claim) {
      const key = reportKey(claim);
      const state = reports.get(key);
      if (state === "sent") return "sent";
      if (state !== undefined && claim.now < state.until) return "held";
      reports.set(key, { owner: claim.owner, until: claim.now + claim.leaseMs });
      return "claimed";
    },
    async completeReport(hold) {
      const key = reportKey(hold);
      const state = reports.get(key);
      if (state === "sent" || (state !== undefined && state.owner !== hold.owner)) return false;
      reports.set(key, "sent");
      return true;
    },
    async releaseReport(hold) {
      const key = reportKey(hold);
      const state = reports.get(key);
      if (state === undefined || state === "sent" || state.owner !== hold.owner) return false;
      return reports.delete(key);
    },
  };
}
