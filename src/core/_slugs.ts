import { describeValue, MetricsError } from "../errors.js";
import type { Store } from "../stores/types.js";

/** The default of `createMetrics({ maxSlugs })`. */
export const DEFAULT_MAX_SLUGS = 10_000;

/** How long a refused new slug waits before the store's slug list is read again (ms of the instance clock). */
const REFRESH_MS = 10_000;

/**
 * The cap on distinct slugs (`maxSlugs`), checked per metrics instance.
 *
 * The store's slug list is read once, when the instance attaches to the
 * store (so a record never waits for it); after that a known slug costs one
 * Set lookup. A new
 * slug is admitted while the known slugs plus it stay within the cap; at the
 * cap the list is read again (at most every 10 s) in case slugs were deleted
 * elsewhere. Processes sharing a store each check on their own, so together
 * they can overshoot the cap by the new slugs they have in flight.
 */
export interface SlugCap {
  /** Read the store's slug list (once; called when the store is attached). */
  load(): Promise<void>;
  /** Whether `slug` is known to exist (no I/O). */
  knows(slug: string): boolean;
  /**
   * Admit the unknown slugs among `slugs`, all or none: rejects with
   * `E_TOO_MANY_SLUGS` when they would pass the cap. Returns the slugs
   * admitted by this call, to {@link release} when their write fails.
   */
  admit(slugs: readonly string[]): Promise<string[]>;
  /** Slugs whose write succeeded: the store lists them from now on. */
  settle(slugs: readonly string[]): void;
  /** Forget slugs whose write failed. */
  release(slugs: readonly string[]): void;
  /** Forget a deleted slug. */
  forget(slug: string): void;
}

/**
 * What a cap counts: the store's counters (`slugs()`), gauges or definitions,
 * each capped at `maxSlugs` on its own.
 */
export interface CapKind {
  /** Read the names the store holds. */
  list(): Promise<readonly string[]>;
  /** "slug", "gauge" or "definition": for the error message. */
  noun: string;
  /** How the call that would pass the cap is described: "Recording", "Setting gauge". */
  verb: string;
}

/** The caps of one metrics instance, each at `maxSlugs`. */
export interface MetricCaps {
  /** Counter slugs (`record`, `recordMany`, the HTTP API's events). */
  counters: SlugCap;
  /** Gauges (`setGauge`, `PUT /gauges/:slug`). */
  gauges: SlugCap;
  /** Definitions (`createMetric`). */
  definitions: SlugCap;
}

/**
 * The caps of a metrics instance: counters, gauges and definitions each at
 * `max`, so that no public write (nor the HTTP API) grows the store's names
 * without bound.
 */
export function metricCaps(store: Store, max: number, now: () => number): MetricCaps {
  return {
    counters: slugCap({ list: () => store.slugs(), noun: "slug", verb: "Recording" }, max, now),
    gauges: slugCap(
      { list: async () => (await store.gauges()).map((g) => g.slug), noun: "gauge", verb: "Setting" },
      max,
      now,
    ),
    definitions: slugCap(
      {
        list: async () => (await store.definitions()).map((d) => d.slug),
        noun: "definition",
        verb: "Defining",
      },
      max,
      now,
    ),
  };
}

/**
 * Run `write` of `names` under cap `c`: the unknown ones admitted first, all
 * or none (`E_TOO_MANY_SLUGS` at the cap), and forgotten again if it fails.
 */
export async function underCap(
  c: SlugCap,
  names: readonly string[],
  write: () => Promise<void>,
): Promise<void> {
  const admitted = names.every((name) => c.knows(name)) ? [] : await c.admit(names);
  try {
    await write();
  } catch (error) {
    c.release(admitted);
    throw error;
  }
  c.settle(admitted);
}

export function slugCap(kind: CapKind, max: number, now: () => number): SlugCap {
  if (max === Number.POSITIVE_INFINITY) {
    return {
      load: async () => {},
      knows: () => true,
      admit: async () => [],
      settle() {},
      release() {},
      forget() {},
    };
  }
  /** Slugs of the store at the last read, plus those admitted here since. */
  let known = new Set<string>();
  /** Slugs admitted here whose write is still in flight: kept across re-reads. */
  const admitted = new Set<string>();
  let loaded: Promise<void> | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;

  const load = (): Promise<void> => {
    loaded ??= kind.list().then(
      (list) => {
        known = new Set(list);
        for (const s of admitted) known.add(s);
        loadedAt = now();
      },
      (error: unknown) => {
        loaded = undefined;
        throw error;
      },
    );
    return loaded;
  };

  const fresh = (slugs: readonly string[]): string[] => [...new Set(slugs)].filter((s) => !known.has(s));

  return {
    load,
    knows: (slug) => loaded !== undefined && known.has(slug),
    async admit(slugs) {
      await load();
      let add = fresh(slugs);
      if (add.length > 0 && known.size + add.length > max && now() - loadedAt >= REFRESH_MS) {
        loaded = undefined;
        await load();
        add = fresh(slugs);
      }
      if (add.length > 0 && known.size + add.length > max) {
        throw new MetricsError(
          "E_TOO_MANY_SLUGS",
          `${kind.verb} ${add.length === 1 ? `${kind.noun} ${describeValue(add[0])}` : `${add.length} new ${kind.noun}s`} would pass maxSlugs (${max}): the store holds ${known.size} distinct ${kind.noun}s. Delete unused ones with deleteMetric() or raise maxSlugs.`,
        );
      }
      for (const s of add) {
        known.add(s);
        admitted.add(s);
      }
      return add;
    },
    settle(slugs) {
      for (const s of slugs) admitted.delete(s);
    },
    release(slugs) {
      for (const s of slugs) {
        known.delete(s);
        admitted.delete(s);
      }
    },
    forget(slug) {
      known.delete(slug);
      admitted.delete(slug);
    },
  };
}
