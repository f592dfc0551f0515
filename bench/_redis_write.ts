/**
 * Parts (a) and (b) of the Redis section: write throughput of each subject,
 * (a) one awaited call at a time and (b) 200 calls in flight on one client.
 * Subjects are measured in interleaved rounds; each figure is a median.
 */

import { concurrentRate, interleaved, sequentialRate } from "./_measure.js";
import type { BenchRow } from "./_types.js";

/** One subject of a write measurement. */
export interface WriteSubject {
  subject: string;
  /** Record event number `i`. */
  op: (i: number) => Promise<unknown>;
  /** Runs at the end of each timed span (e.g. flushing a buffer). */
  finish?: () => Promise<unknown>;
}

/** How much work each measurement does. */
export interface WritePlan {
  /** Events per timed run. */
  n: number;
  /** Timed runs per subject (median taken). */
  rounds: number;
  /** Untimed events per subject before the first timed run. */
  warmup: number;
  /** Calls outstanding at once; 1 = sequential awaited calls. */
  inFlight: number;
}

/** Events per second of each subject, keyed by subject name. */
export async function measureWrites(
  subjects: readonly WriteSubject[],
  plan: WritePlan,
): Promise<Map<string, number>> {
  const rate = (s: WriteSubject, n: number): Promise<number> =>
    plan.inFlight <= 1 ? sequentialRate(s.op, n, s.finish) : concurrentRate(s.op, n, plan.inFlight, s.finish);
  for (const s of subjects) await rate(s, plan.warmup);
  const timed: Record<string, () => Promise<number>> = {};
  for (const s of subjects) timed[s.subject] = () => rate(s, plan.n);
  const medians = await interleaved(timed, plan.rounds);
  return new Map(Object.entries(medians));
}

/** A row per subject with its ratio to `reference` (value ÷ reference value). */
export function rateRows(name: string, rates: Map<string, number>, reference: string): BenchRow[] {
  const ref = rates.get(reference) ?? Number.NaN;
  return [...rates].map(([subject, value]) => ({
    name,
    subject,
    value: Math.round(value),
    unit: "events/s",
    ratio: { to: reference, value: round(value / ref) },
  }));
}

/** A row stating `a ÷ b` of two measured subjects. */
export function ratioRow(name: string, rates: Map<string, number>, a: string, b: string): BenchRow {
  const value = round((rates.get(a) ?? Number.NaN) / (rates.get(b) ?? Number.NaN));
  return { name, subject: `${a} ÷ ${b}`, value, unit: "×", ratio: { to: b, value } };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
