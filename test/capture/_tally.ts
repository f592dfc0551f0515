/**
 * An independent tally of recorded events (UTC, plain Date arithmetic — not
 * the library's calendar) and a check that every granularity of every slug
 * in a store says exactly the same.
 */
import { expect } from "vitest";
import type { Metrics } from "../../src/core/types.js";
import { GRANULARITIES, type Granularity } from "../../src/time/index.js";

const DAY = 86_400_000;

/** Start (epoch ms) of the UTC bucket of `g` holding `t`; weeks start on Monday. */
export function utcStart(g: Granularity, t: number): number {
  const d = new Date(t);
  switch (g) {
    case "minutes":
      return t - (t % 60_000);
    case "hours":
      return t - (t % 3_600_000);
    case "days":
      return t - (t % DAY);
    case "weeks": {
      const day = t - (t % DAY);
      return day - ((d.getUTCDay() + 6) % 7) * DAY;
    }
    case "months":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case "years":
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

export class Tally {
  readonly counts = new Map<string, Map<Granularity, Map<number, number>>>();
  events = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(slug: string, at: number, by = 1): void {
    this.events++;
    this.min = Math.min(this.min, at);
    this.max = Math.max(this.max, at);
    let perSlug = this.counts.get(slug);
    if (!perSlug) {
      perSlug = new Map(GRANULARITIES.map((g) => [g, new Map()]));
      this.counts.set(slug, perSlug);
    }
    for (const g of GRANULARITIES) {
      const m = perSlug.get(g) as Map<number, number>;
      const start = utcStart(g, at);
      m.set(start, (m.get(start) ?? 0) + by);
    }
  }

  /** Assert that `metrics` (UTC, recorded with min "minutes") holds exactly this tally. */
  async check(metrics: Metrics): Promise<void> {
    for (const [slug, perSlug] of this.counts) {
      for (const g of GRANULARITIES) {
        const rows = await metrics.history(slug, { from: this.min, to: this.max, granularity: g });
        const got = Object.fromEntries(
          rows.filter((r) => r.count !== 0).map((r) => [r.start.getTime(), r.count]),
        );
        const want = Object.fromEntries(
          [...(perSlug.get(g) as Map<number, number>)].filter(([, c]) => c !== 0),
        );
        expect({ slug, g, counts: got }).toEqual({ slug, g, counts: want });
      }
    }
  }
}

/** Events near a year boundary (a Monday, so every granularity rolls over). */
export const YEAR_END = Date.UTC(2023, 11, 31, 23, 57);

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
