/**
 * Parts (a) and (b) of the Redis section: write throughput of each subject,
 * (a) one awaited call at a time and (b) 200 calls in flight on one client.
 */

import { concurrentRate, sequentialRate } from "./_measure.js";
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
  /** Timed events per subject, in total. */
  n: number;
  /** Events per timed block; subjects take turns block by block. */
  block: number;
  /** Untimed events per subject before the first timed block. */
  warmup: number;
  /** Calls outstanding at once; 1 = sequential awaited calls. */
  inFlight: number;
}

/**
 * Events per second of each subject, keyed by subject name: total timed
 * events over total time. Subjects run in short blocks, taking turns (the
 * order rotates every block), so when the machine changes pace — a busy
 * neighbour, a CPU waking up — every subject sees the same mix.
 */
export async function measureWrites(
  subjects: readonly WriteSubject[],
  plan: WritePlan,
): Promise<Map<string, number>> {
  const timeBlock = async (s: WriteSubject, n: number): Promise<number> => {
    const rate =
      plan.inFlight <= 1
        ? await sequentialRate(s.op, n, s.finish)
        : await concurrentRate(s.op, n, plan.inFlight, s.finish);
    return n / rate;
  };
  for (const s of subjects) await timeBlock(s, plan.warmup);
  const seconds = new Map<string, number>(subjects.map((s) => [s.subject, 0]));
  const events = new Map<string, number>(subjects.map((s) => [s.subject, 0]));
  const block = Math.min(plan.block, plan.n);
  const blocks = Math.max(1, Math.round(plan.n / block));
  for (let b = 0; b < blocks; b++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(k + b) % subjects.length] as WriteSubject;
      seconds.set(s.subject, (seconds.get(s.subject) ?? 0) + (await timeBlock(s, block)));
      events.set(s.subject, (events.get(s.subject) ?? 0) + block);
    }
  }
  return new Map(
    subjects.map((s) => [s.subject, (events.get(s.subject) ?? 0) / (seconds.get(s.subject) ?? 1)]),
  );
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
