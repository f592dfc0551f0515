/**
 * The crash promise on embedded PGlite: a process killed while aggregating a
 * database directory leaves it usable, and a rerun in another process gives
 * exact totals. (PGlite is single-process, so runs cannot overlap.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, expect, it } from "vitest";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";
import { emptyExpected, entries, expect1, seedItems, startChild, tables } from "./_harness.js";

const TZ = "America/New_York";
const calendar = createCalendar({ timezone: TZ });
const START = Date.UTC(2024, 2, 1);
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

// Generous: three processes each open PGlite, CPU-bound on a loaded machine.
it("PGlite: a run killed mid-aggregate loses nothing; a rerun in a new process is exact", {
  timeout: 240_000,
}, async () => {
  dir = await mkdtemp(join(tmpdir(), "tb-pglite-crash-"));
  const url = `pglite:${dir}`;
  const expected = emptyExpected();
  const seeder = postgresStore({ url, mode: "items" });
  await seeder.attach({ calendar });
  await seedItems(seeder, calendar, 30_000, START, expected);
  await seeder.dispose();

  const child = startChild({
    action: "aggregate",
    url,
    schema: "tallyboard",
    timezone: TZ,
    batchSize: 1_000,
  });
  await child.next("progress", 4); // the start report plus three committed batches
  child.process.kill("SIGKILL");
  expect((await child.exited).signal).toBe("SIGKILL");

  const rerun = startChild({ action: "aggregate", url, schema: "tallyboard", timezone: TZ });
  const result = await rerun.next("result");
  expect((await rerun.exited).code).toBe(0);
  expect(Number(result.items)).toBeGreaterThan(0);
  expect(Number(result.items)).toBeLessThan(30_000);

  const db = await PGlite.create(dir);
  try {
    const now = await tables(db, "tallyboard");
    expect(now.items).toBe(0);
    expect(entries(now.totals)).toEqual(entries(expected.totals));
    expect(entries(now.rollups)).toEqual(entries(expected.rollups));
  } finally {
    await db.close();
  }
});

it("PGlite: aggregating while the same process keeps recording loses nothing", {
  timeout: 240_000,
}, async () => {
  const db = await PGlite.create();
  const store = postgresStore({ client: db, mode: "items" });
  await store.attach({ calendar });
  const expected = emptyExpected();
  const granularities = GRANULARITIES.slice(0, 4);
  let writing = true;
  const writer = (async () => {
    for (let i = 0; i < 2_000; i++) {
      const at = START + i * 11_000;
      const slug = `p${i % 3}`;
      await store.record({ slug, by: 2, at, buckets: calendar.bucketsAt(at), granularities });
      expect1(expected, calendar, slug, 2, at, granularities);
    }
    writing = false;
  })();
  let folded = 0;
  let last = 0;
  while (writing) {
    folded += (await store.aggregate?.({ batchSize: 100 }))?.items ?? 0;
    const total = await store.total("p0");
    expect(total).toBeGreaterThanOrEqual(last);
    last = total;
  }
  await writer;
  folded += (await store.aggregate?.())?.items ?? 0;
  expect(folded).toBe(2_000);
  const now = await tables(db, "tallyboard");
  expect(now.items).toBe(0);
  expect(entries(now.totals)).toEqual(entries(expected.totals));
  expect(entries(now.rollups)).toEqual(entries(expected.rollups));
  await store.dispose();
  await db.close();
});
