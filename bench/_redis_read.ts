/**
 * Part (d) of the Redis section: latency of one 90-day hourly history read.
 * Subjects take turns (order rotating per iteration), each reading the next
 * slug; the figure is the median of the timed reads.
 */
import { median, timeOnce } from "./_measure.js";

/** What a read returned: buckets and their total (checked once, outside the timed reads). */
export interface ReadAnswer {
  points: number;
  sum: number;
}

/** One reader: `read(i)` reads slug number `i`; `summarize` checks an answer. */
export interface ReadSubject {
  subject: string;
  read: (i: number) => Promise<unknown>;
  summarize: (answer: unknown) => ReadAnswer;
}

/** Median latency (ms) per subject, plus each subject's first answer for a correctness check. */
export async function measureReads(
  subjects: readonly ReadSubject[],
  iterations: number,
  warmup: number,
): Promise<{ latency: Map<string, number>; answers: Map<string, ReadAnswer> }> {
  const answers = new Map<string, ReadAnswer>();
  for (const s of subjects) {
    answers.set(s.subject, s.summarize(await s.read(0)));
    for (let i = 1; i < warmup; i++) await s.read(i);
  }
  const samples = new Map<string, number[]>(subjects.map((s) => [s.subject, []]));
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(k + i) % subjects.length];
      if (!s) continue;
      samples.get(s.subject)?.push(await timeOnce(() => s.read(i)));
    }
  }
  const latency = new Map<string, number>();
  for (const [subject, values] of samples) latency.set(subject, median(values));
  return { latency, answers };
}
