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

export function slugCap(store: Store, max: number, now: () => number): SlugCap {
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
    loaded ??= store.slugs().then(
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
          `Recording ${add.length === 1 ? `slug ${describeValue(add[0])}` : `${add.length} new slugs`} would pass maxSlugs (${max}): the store holds ${known.size} distinct slugs. Delete unused ones with deleteMetric() or raise maxSlugs.`,
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
