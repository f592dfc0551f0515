import { describeValue, MetricsError } from "../errors.js";
import { checkKeys, keySet } from "./_schema.js";
import { checkName } from "./_validate.js";
import type {
  GetMetricsOptions,
  GranularityName,
  HistoryOptions,
  HistoryRow,
  RecordMetricsOptions,
  RecordOptions,
} from "./types.js";

const RECORD_METRICS = keySet("recordMetrics() options", [
  "slug",
  "when",
  "count",
  "group",
  "category",
  "minGranularity",
  "maxGranularity",
  "args",
] satisfies (keyof RecordMetricsOptions)[]);

const GET_METRICS = keySet("getMetrics() options", [
  "slug",
  "dtStart",
  "dtEnd",
  "granularity",
] satisfies (keyof GetMetricsOptions)[]);

/**
 * The seed's `record_metrics` / `get_metrics` as thin wrappers over
 * `record()` and `history()`, with the same validation (unknown keys refused).
 */
export function seedMethods(
  record: (slug: string, options: RecordOptions) => Promise<void>,
  history: (slug: string, options: HistoryOptions) => Promise<HistoryRow[]>,
) {
  return {
    async recordMetrics(options: RecordMetricsOptions): Promise<void> {
      const o = checkKeys(options, RECORD_METRICS, false) as Partial<RecordMetricsOptions>;
      const args: unknown = o.args === undefined ? [] : o.args;
      if (!Array.isArray(args)) {
        throw new MetricsError("E_INVALID_SLUG", `args must be an array, got ${describeValue(args)}`);
      }
      const parts = [checkName(o.slug)];
      for (let i = 0; i < args.length; i++) {
        const arg: unknown = args[i];
        if (typeof arg !== "string" && !(typeof arg === "number" && Number.isFinite(arg))) {
          throw new MetricsError(
            "E_INVALID_SLUG",
            `args[${i}] must be a string or a finite number, got ${describeValue(arg)}`,
          );
        }
        parts.push(String(arg));
      }
      await record(parts.join(":"), {
        by: o.count === undefined ? 1 : o.count,
        ...(o.when !== undefined && { at: o.when }),
        ...(o.category !== undefined && { category: o.category }),
        ...(o.group !== undefined && { group: o.group }),
        granularities: {
          ...(o.minGranularity !== undefined && { min: o.minGranularity }),
          ...(o.maxGranularity !== undefined && { max: o.maxGranularity }),
        },
      });
    },
    async getMetrics(options: GetMetricsOptions): Promise<HistoryRow[]> {
      const o = checkKeys(options, GET_METRICS, false) as Partial<GetMetricsOptions>;
      return history(o.slug as string, {
        from: o.dtStart as HistoryOptions["from"],
        ...(o.dtEnd !== undefined && { to: o.dtEnd }),
        granularity: o.granularity as GranularityName,
      });
    },
  };
}
