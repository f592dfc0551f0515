/**
 * The buffered hot path against its floor: a bare Map increment of a
 * composite key (slug + minute) over the same 1,000 slugs, measured in the
 * same run. Every subject runs through the same harness: a warm-up of one
 * round's length (so the JIT has compiled each loop before it is timed),
 * then interleaved rounds of the same duration, subject order rotating each
 * round; the figures are medians over the rounds, and each ratio is taken
 * within a round and then reduced to its median (and minimum). Also the
 * memory a buffer holds at `maxPending` while its store does not answer.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Store } from "../src/stores/types.js";
import { interleavedSamples, median } from "./_measure.js";

export const SLUGS = Array.from({ length: 1000 }, (_, i) => `bench.capture.slug-${i}`);

/** Events per chunk; the clock that ends a round is read between chunks. */
const CHUNK = 10_000;

/**
 * One measured subject: `chunk(from)` handles {@link CHUNK} events numbered
 * from `from` (returning a promise only when it awaits); `finish()` ends a
 * round inside its timed span (a flush for buffered capture).
 */
interface Subject {
  chunk(from: number): Promise<void> | undefined;
  finish(): Promise<void> | undefined;
}

/** Events per second of `subject` run in whole chunks for at least `ms`, its `finish()` included. */
async function timedRate(subject: Subject, ms: number): Promise<number> {
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(ms * 1e6));
  let events = 0;
  do {
    const pending = subject.chunk(events);
    if (pending) await pending;
    events += CHUNK;
  } while (process.hrtime.bigint() < until);
  const finishing = subject.finish();
  if (finishing) await finishing;
  return (events / Number(process.hrtime.bigint() - start)) * 1e9;
}

/**
 * The floor: what a hand-written in-process counter per (slug, minute) costs,
 * `map.set(key, (map.get(key) ?? 0) + 1)` with the key built from the slug
 * and the current minute of the clock, read per event as `record()` reads it.
 * A round starts with an empty Map, as a buffer does after a flush.
 */
function floorSubject(): Subject {
  let map = new Map<string, number>();
  return {
    chunk(from) {
      for (let i = from; i < from + CHUNK; i++) {
        const key = `${SLUGS[i % SLUGS.length]}\u0000${Math.floor(Date.now() / 60_000)}`;
        map.set(key, (map.get(key) ?? 0) + 1);
      }
      return undefined;
    },
    finish() {
      if (map.size < SLUGS.length) throw new Error(`the floor counted ${map.size} keys`);
      map = new Map();
      return undefined;
    },
  };
}

/** `metrics.record(slug)` for each event, awaited one by one; a round ends with `flush()`. */
function awaitedSubject(metrics: Metrics): Subject {
  return {
    async chunk(from) {
      for (let i = from; i < from + CHUNK; i++) await metrics.record(SLUGS[i % SLUGS.length] as string);
    },
    finish: () => metrics.flush(),
  };
}

/** `void metrics.record(slug)` for each event, not awaited; a round ends with `flush()`. */
function fireAndForgetSubject(metrics: Metrics): Subject {
  return {
    chunk(from) {
      for (let i = from; i < from + CHUNK; i++) void metrics.record(SLUGS[i % SLUGS.length] as string);
      return undefined;
    },
    finish: () => metrics.flush(),
  };
}

/** Median events/s of one subject, and its ratio to the floor: median and minimum over the rounds. */
export interface Figures {
  rate: number;
  ratio: number;
  minRatio: number;
}

export interface HotPathFigures {
  floor: number;
  awaited: Figures;
  fireAndForget: Figures;
  rounds: number;
  roundMs: number;
}

/**
 * The floor and buffered `record()` into Redis (awaited and fire-and-forget),
 * each warmed up for `roundMs`, then `rounds` interleaved rounds of `roundMs`.
 */
export async function hotPath(redisUrl: string, roundMs: number, rounds: number): Promise<HotPathFigures> {
  const metrics = createMetrics({
    store: redisStore({ url: redisUrl, prefix: "bench-capture" }),
    capture: { mode: "buffered", flushMs: 1000 },
  });
  try {
    for (const slug of SLUGS) await metrics.record(slug); // attach and register every slug
    await metrics.flush();
    const subjects = {
      floor: floorSubject(),
      awaited: awaitedSubject(metrics),
      fireAndForget: fireAndForgetSubject(metrics),
    };
    for (const subject of Object.values(subjects)) await timedRate(subject, roundMs);
    const samples = await interleavedSamples(
      {
        floor: () => timedRate(subjects.floor, roundMs),
        awaited: () => timedRate(subjects.awaited, roundMs),
        fireAndForget: () => timedRate(subjects.fireAndForget, roundMs),
      },
      rounds,
    );
    const figures = (values: number[]): Figures => {
      const ratios = values.map((v, i) => v / (samples.floor[i] as number));
      return { rate: median(values), ratio: median(ratios), minRatio: Math.min(...ratios) };
    };
    return {
      floor: median(samples.floor),
      awaited: figures(samples.awaited),
      fireAndForget: figures(samples.fireAndForget),
      rounds,
      roundMs,
    };
  } finally {
    await metrics.dispose();
  }
}

/**
 * A full garbage collection, so that heap figures count what is retained, not
 * garbage not yet collected (`npm run bench` runs without --expose-gc).
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** A store that never answers a batch: the buffer fills up to maxPending. */
function silentStore(inner: Store): Store {
  return { ...inner, recordBatch: () => new Promise<void>(() => undefined) };
}

/**
 * Heap growth (bytes) after offering `offered` distinct slug×minute sums to a
 * buffer with `maxPending` whose store never answers; `accepted` counts those
 * taken before `E_BACKPRESSURE`.
 */
export async function boundedMemory(
  redisUrl: string,
  maxPending: number,
  offered: number,
): Promise<{ heapBytes: number; accepted: number; pending: number }> {
  const store = silentStore(redisStore({ url: redisUrl, prefix: "bench-capture-mem" }));
  const metrics = createMetrics({
    store,
    capture: { mode: "buffered", flushMs: 100, maxPending, writeTimeoutMs: 200 },
  });
  await metrics.record("warm");
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  let accepted = 0;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < offered; i++) {
    const ok = await metrics
      .record(SLUGS[i % SLUGS.length] as string, { at: t0 + Math.floor(i / SLUGS.length) * 60_000 })
      .then(
        () => true,
        () => false,
      );
    if (ok) accepted++;
  }
  collectGarbage();
  const heapBytes = process.memoryUsage().heapUsed - before;
  const stats = await metrics.captureStats();
  await metrics.dispose({ discard: true }).catch(() => undefined);
  return { heapBytes, accepted, pending: stats.pendingSums + stats.pendingBatchSums };
}
