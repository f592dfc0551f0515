/**
 * Timing and memory helpers shared by the bench sections. Every figure is
 * taken with `process.hrtime.bigint()`; ratios between subjects measured the
 * same way in the same run are what the bench reports.
 */
import type { Redis } from "ioredis";

/** One async unit of work; `i` is the event number (0-based). */
export type Op = (i: number) => Promise<unknown>;

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Events per second of `n` awaited calls, one after the other. */
export async function sequentialRate(op: Op, n: number, finish?: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  await finish?.();
  return (n / elapsedMs(start)) * 1000;
}

/**
 * Events per second of `n` calls with `inFlight` promises outstanding at any
 * time (each of `inFlight` loops awaits its call, then starts the next one).
 * `finish` (e.g. a flush) runs inside the timed span.
 */
export async function concurrentRate(
  op: Op,
  n: number,
  inFlight: number,
  finish?: () => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await op(i);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, loop));
  await finish?.();
  return (n / elapsedMs(start)) * 1000;
}

/** Run `n` calls with `inFlight` outstanding, without timing (backfills). */
export async function runConcurrently(op: Op, n: number, inFlight: number): Promise<void> {
  await concurrentRate(op, n, inFlight);
}

/** Milliseconds taken by one call. */
export async function timeOnce(op: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await op();
  return elapsedMs(start);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Measure several subjects in interleaved rounds (subject order rotates each
 * round) and return every round's value per subject, in round order: drift on
 * a busy machine then hits every subject alike, and values of the same round
 * can be compared with each other.
 */
export async function interleavedSamples<K extends string>(
  subjects: Record<K, () => Promise<number>>,
  rounds: number,
): Promise<Record<K, number[]>> {
  const names = Object.keys(subjects) as K[];
  const samples = {} as Record<K, number[]>;
  for (const name of names) samples[name] = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length] as K;
      samples[name].push(await subjects[name]());
    }
  }
  return samples;
}

/** {@link interleavedSamples}, reduced to each subject's median. */
export async function interleaved<K extends string>(
  subjects: Record<K, () => Promise<number>>,
  rounds: number,
): Promise<Record<K, number>> {
  const samples = await interleavedSamples(subjects, rounds);
  const out = {} as Record<K, number>;
  for (const name of Object.keys(samples) as K[]) out[name] = median(samples[name]);
  return out;
}

/** `used_memory` from INFO memory, in bytes. */
export async function usedMemory(client: Redis): Promise<number> {
  const info = String(await client.info("memory"));
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match?.[1]) throw new Error("INFO memory has no used_memory line");
  return Number(match[1]);
}

/** Number of keys in the current database. */
export async function keyCount(client: Redis): Promise<number> {
  return Number(await client.dbsize());
}
