import { describeValue, MetricsError } from "../errors.js";
import type { RecordOp } from "../stores/types.js";
import { type Calendar, type Granularity, parseInstant } from "../time/index.js";
import { RECORD } from "./_keys.js";
import { checkKeys, type KeySet } from "./_schema.js";
import { checkCount, checkName } from "./_validate.js";
import type { RecordOptions } from "./types.js";

/** Valid names (slugs, categories, groups) remembered per instance; the set is emptied when it is full. */
const NAME_CACHE = 10_000;

/** What {@link createRecordPath} needs from its metrics instance. */
export interface RecordPathOptions {
  calendar: Calendar;
  /** The instance clock (epoch ms). */
  now: () => number;
  /** Granularity range of `record()` options; `undefined` gives the instance default. */
  resolveRange: (options: unknown) => readonly Granularity[];
}

/** Validates `record()` arguments into a {@link RecordOp}; `E_INVALID_*` for any bad argument or unknown key. */
export type ToOp = (slug: unknown, options: unknown, keys?: KeySet) => RecordOp;

/**
 * The validation of `record()`, `recordMany()` and `metric()` arguments. The
 * common call — a name seen before, no options or a few plain ones — costs a
 * Set lookup per name, a check per option key, one clock read and a
 * comparison with the calendar's current minute: the name pattern, the
 * granularity range and the bucket arithmetic run only for a new name, an
 * explicit range and a new minute.
 */
export function createRecordPath({ calendar, now, resolveRange }: RecordPathOptions): ToOp {
  const timezone = calendar.timezone;
  const defaultRange = resolveRange(undefined);
  const names = new Set<string>();

  const name = (value: unknown, what: string): string => {
    if (typeof value === "string" && names.has(value)) return value;
    const valid = checkName(value, what);
    if (names.size >= NAME_CACHE) names.clear();
    names.add(valid);
    return valid;
  };

  return (slug, options, keys = RECORD) => {
    const s = name(slug, "slug");
    if (options === undefined) {
      const at = parseInstant(now(), timezone, "time (at)");
      return { slug: s, by: 1, at, buckets: calendar.bucketsAt(at), granularities: defaultRange };
    }
    const o = checkKeys(options, keys) as RecordOptions & { slug?: unknown };
    if (o.slug !== undefined && o.slug !== s) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `record() options hold slug ${describeValue(o.slug)}, which differs from the slug argument ${describeValue(s)}`,
      );
    }
    const by = o.by === undefined ? 1 : checkCount(o.by, "count (by)");
    const at = parseInstant(o.at === undefined ? now() : o.at, timezone, "time (at)");
    const op: RecordOp = {
      slug: s,
      by,
      at,
      buckets: calendar.bucketsAt(at),
      granularities: o.granularities === undefined ? defaultRange : resolveRange(o.granularities),
    };
    if (o.category !== undefined) op.category = name(o.category, "category");
    if (o.group !== undefined) op.group = name(o.group, "group");
    return op;
  };
}
