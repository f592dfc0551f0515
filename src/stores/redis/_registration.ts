import { describeValue } from "../../errors.js";
import type { Logger } from "../types.js";
import type { Command, RedisClient } from "./_client.js";
import { runAll } from "./_client.js";
import { registrationSpec } from "./_packing.js";
import { SCRIPTS } from "./_scripts.js";
import type { KeySpace } from "./keys.js";

/** What this process has registered for a slug (and the slug's key names). */
export interface SlugState {
  readonly meta: string;
  readonly prefix: string;
  readonly mask: number;
  readonly categories: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/**
 * The client-side registration cache: a slug's registry entries are written
 * only the first time this process records it with a given granularity run,
 * category or group (or when the store reports them gone).
 */
export interface Registrations {
  get(slug: string): SlugState | undefined;
  /** True when `st` already includes the mask, category and group. */
  covers(
    st: SlugState | undefined,
    mask: number,
    categories?: Iterable<string>,
    groups?: Iterable<string>,
  ): boolean;
  /** The state once `mask`, `categories` and `groups` are added to what is known. */
  merged(slug: string, mask: number, categories: Iterable<string>, groups: Iterable<string>): SlugState;
  /** Remember a state after the store confirmed its registration. */
  remember(slug: string, st: SlugState): void;
  forget(slug: string): void;
  /** Registry SADDs of a state: slug shard, category and group shards and member sets. */
  registryCommands(slug: string, st: SlugState): Command[];
  /** Write the whole registration again (its meta hash was found gone: deleted elsewhere). */
  reregister(client: RedisClient, slug: string, st: SlugState): Promise<void>;
}

/** Slugs remembered as registered; past this the cache starts over (re-registering is harmless). */
const CACHE_LIMIT = 100_000;

export function createRegistrations(keys: KeySpace, logger: () => Logger | undefined): Registrations {
  const known = new Map<string, SlugState>();

  const registryCommands = (slug: string, st: SlugState): Command[] => {
    const out: Command[] = [["sadd", keys.slugShard(slug), slug]];
    for (const c of st.categories) {
      out.push(["sadd", keys.categoryShard(c), c], ["sadd", keys.categoryMembers(c), slug]);
    }
    for (const g of st.groups)
      out.push(["sadd", keys.groupShard(g), g], ["sadd", keys.groupMembers(g), slug]);
    return out;
  };

  return {
    get: (slug) => known.get(slug),
    covers(st, mask, categories = [], groups = []) {
      if (st === undefined || (st.mask & mask) !== mask) return false;
      for (const c of categories) if (!st.categories.has(c)) return false;
      for (const g of groups) if (!st.groups.has(g)) return false;
      return true;
    },
    merged(slug, mask, categories, groups) {
      const st = known.get(slug);
      return {
        meta: st?.meta ?? keys.meta(slug),
        prefix: st?.prefix ?? keys.chunkPrefix(slug),
        mask: (st?.mask ?? 0) | mask,
        categories: new Set([...(st?.categories ?? []), ...categories]),
        groups: new Set([...(st?.groups ?? []), ...groups]),
      };
    },
    remember(slug, st) {
      if (known.size >= CACHE_LIMIT && !known.has(slug)) known.clear();
      known.set(slug, st);
    },
    forget(slug) {
      known.delete(slug);
    },
    registryCommands,
    async reregister(client, slug, st) {
      logger()?.info?.(
        `tallyboard: re-registering slug ${describeValue(slug)} (its registration was deleted)`,
      );
      const spec = registrationSpec(st.mask, st.categories, st.groups);
      await runAll(client, [
        ["evalsha", SCRIPTS.record.sha, 1, st.meta, "", "0 0 0", spec],
        ...registryCommands(slug, st),
      ]);
    },
  };
}
