import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Store } from "../../src/stores/types.js";
import { type Calendar, GRANULARITIES, type Granularity } from "../../src/time/index.js";

const CHILD = fileURLToPath(new URL("./_child.ts", import.meta.url));

export interface ChildMessage {
  type: "progress" | "result" | "error" | "ready";
  [key: string]: unknown;
}

/** A forked child running test/aggregate/_child.ts with `job`. */
export interface Child {
  process: ChildProcess;
  messages: ChildMessage[];
  /** Resolves on exit with the exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves at the first message of `type` (rejects if the child exits first). */
  next(type: ChildMessage["type"], count?: number): Promise<ChildMessage>;
}

export function startChild(job: Record<string, unknown>): Child {
  const child = fork(CHILD, [JSON.stringify(job)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const messages: ChildMessage[] = [];
  const waiters: { type: string; count: number; resolve(m: ChildMessage): void; reject(e: Error): void }[] =
    [];
  const check = () => {
    for (const w of [...waiters]) {
      const seen = messages.filter((m) => m.type === w.type);
      const hit = seen[w.count - 1];
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.on("message", (m) => {
    messages.push(m as ChildMessage);
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const w of waiters.splice(0)) {
        const errors = messages.filter((m) => m.type === "error").map((m) => m.message);
        w.reject(
          new Error(`child exited (${code ?? signal}) before "${w.type}" #${w.count}: ${errors.join("; ")}`),
        );
      }
      resolve({ code, signal });
    }),
  );
  return {
    process: child,
    messages,
    exited,
    next: (type, count = 1) =>
      new Promise((resolve, reject) => {
        waiters.push({ type, count, resolve, reject });
        check();
      }),
  };
}

/** A pg client or pool, or PGlite. */
export interface Queryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

/** Expected rollups: `slug|rank|index` → count, plus totals per slug. */
export interface Expected {
  rollups: Map<string, number>;
  totals: Map<string, number>;
}

export const emptyExpected = (): Expected => ({ rollups: new Map(), totals: new Map() });

/** Add one record to the expectation. */
export function expect1(
  e: Expected,
  calendar: Calendar,
  slug: string,
  by: number,
  at: number,
  granularities: readonly Granularity[],
) {
  const buckets = calendar.bucketsAt(at);
  for (const g of granularities) {
    const rank = GRANULARITIES.indexOf(g);
    const key = `${slug}|${rank}|${buckets[rank]?.index}`;
    e.rollups.set(key, (e.rollups.get(key) ?? 0) + by);
  }
  e.totals.set(slug, (e.totals.get(slug) ?? 0) + by);
}

/**
 * Seed `n` raw items: 7 slugs, one item every 37 s from `start` (crossing a
 * DST change when started in March), by 1..5, two granularity ranges.
 */
export async function seedItems(store: Store, calendar: Calendar, n: number, start: number, e: Expected) {
  const all = GRANULARITIES.slice(0);
  const some = GRANULARITIES.slice(1, 5);
  for (let done = 0; done < n; done += 10_000) {
    const ops = [];
    for (let i = done; i < Math.min(n, done + 10_000); i++) {
      const at = start + i * 37_000;
      const slug = `s${i % 7}`;
      const by = 1 + (i % 5);
      const granularities = i % 3 === 0 ? all : some;
      ops.push({ slug, by, at, buckets: calendar.bucketsAt(at), granularities });
      expect1(e, calendar, slug, by, at, granularities);
    }
    await store.recordBatch(ops);
  }
}

/** What the schema holds now: rollups, slug totals and the number of raw items left. */
export async function tables(client: Queryable, schema: string) {
  const rows = async (text: string) => (await client.query(text)).rows as Record<string, unknown>[];
  const rollups = new Map<string, number>();
  for (const row of await rows(`SELECT slug, granularity, bucket_index, count FROM "${schema}".rollups`)) {
    if (Number(row.count) !== 0)
      rollups.set(`${row.slug}|${row.granularity}|${row.bucket_index}`, Number(row.count));
  }
  const totals = new Map<string, number>();
  for (const row of await rows(`SELECT slug, total FROM "${schema}".slugs`)) {
    if (Number(row.total) !== 0) totals.set(String(row.slug), Number(row.total));
  }
  const items = Number((await rows(`SELECT count(*) AS n FROM "${schema}".items`))[0]?.n);
  return { rollups, totals, items };
}

/** Sorted entries, for readable equality failures. */
export const entries = (m: Map<string, number>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
