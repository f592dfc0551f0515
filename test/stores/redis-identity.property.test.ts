/**
 * The idempotent-producer check of RECORD and BATCH against a model, over
 * random delivery orders: a producer's writes (each with the floor the client
 * had when it sent that copy) arrive in any order, copies repeat, and each
 * copy goes through either script. The model: a copy is applied when its
 * sequence number was never applied and is above the highest floor of every
 * applied copy; otherwise it is a duplicate and changes nothing. After each
 * delivery the stored state lists only numbers above its first number, and the
 * slug's total equals the applied writes.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { SCRIPTS } from "../../src/stores/redis/_scripts.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const admin = new Redis(SHARED_URL);
const prefix = randomPrefix();
afterAll(async () => {
  await dropPrefix(admin, prefix);
  await admin.quit();
});

const q = `q:${Math.floor(Date.now() / 1000)}:3600:propprop`;

/** One copy of write `seq` sent with `floor`, through RECORD or BATCH (alone or beside another slug). */
interface Delivery {
  seq: number;
  floor: number;
  via: "record" | "batch" | "batch2";
}

/** Writes 1..n in issue order: floors never pass a write still unsettled, so floor < seq. */
const deliveries = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.array(
    fc.record({
      seq: fc.integer({ min: 1, max: n }),
      floorBelow: fc.integer({ min: 1, max: n }),
      via: fc.constantFrom<Delivery["via"]>("record", "batch", "batch2"),
    }),
    { minLength: 1, maxLength: 30 },
  ),
);

let run = 0;

/**
 * Send one copy; RECORD's reply says duplicate (2) or applied, BATCH's says
 * whether anything in the part was applied ({ 1, … }) or nothing ({ 0 }, every
 * slug a duplicate: a replicated store then fences the write). `want`: the
 * model applies this copy.
 */
async function deliver(
  slug: string,
  d: Delivery,
  other: string,
  otherSeq: number,
  want: boolean,
): Promise<void> {
  const meta = `${prefix}:{${slug}}:m`;
  const chunk = `${prefix}:{${slug}}:c:h:1`;
  if (d.via === "record") {
    const reply = await admin.evalsha(SCRIPTS.record.sha, 2, meta, chunk, q, `1 ${d.seq} ${d.floor} 5`);
    expect(reply === 2).toBe(!want);
    return;
  }
  const keys = [meta, chunk];
  const args = [`1 ${d.seq} 1 0 1 5 0 1`];
  if (d.via === "batch2") {
    // A second slug in the same part, with a fresh number of its own.
    keys.push(`${prefix}:{${other}}:m`, `${prefix}:{${other}}:c:h:1`);
    args.push(`1 ${otherSeq} 1 0 1 5 0 1`);
  }
  const reply = (await admin.evalsha(
    SCRIPTS.batch.sha,
    keys.length,
    ...keys,
    "w",
    0,
    q,
    d.floor,
    ...args,
  )) as [number, ...number[]];
  // The second slug of "batch2" always carries a fresh number, so that part applies.
  expect(reply[0]).toBe(want || d.via === "batch2" ? 1 : 0);
}

describe("producer identity against a model", () => {
  it("applies each sequence number at most once, and exactly when the model does", async () => {
    await admin.script("LOAD", SCRIPTS.record.source);
    await admin.script("LOAD", SCRIPTS.batch.source);
    await fc.assert(
      fc.asyncProperty(deliveries, async (raw) => {
        run += 1;
        const slug = `s${run}`;
        const other = `o${run}`;
        const meta = `${prefix}:{${slug}}:m`;
        const chunk = `${prefix}:{${slug}}:c:h:1`;
        let otherSeq = 1000;
        let otherApplied = 0;
        const applied = new Set<number>();
        let highest = 0;
        for (const r of raw) {
          const d: Delivery = { seq: r.seq, floor: Math.min(r.floorBelow, r.seq) - 1, via: r.via };
          const want = !applied.has(d.seq) && d.seq > highest;
          if (d.via === "batch2") {
            otherSeq += 1;
            otherApplied += 1;
          }
          await deliver(slug, d, other, otherSeq, want);
          if (want) {
            applied.add(d.seq);
            highest = Math.max(highest, d.floor);
          }
          // Applied exactly when the model says so: the count moved by one, or not at all.
          expect(Number((await admin.hget(chunk, "5")) ?? "0")).toBe(applied.size);
          expect(Number((await admin.hget(meta, "t")) ?? "0")).toBe(applied.size);
          expect(Number((await admin.hget(`${prefix}:{${other}}:c:h:1`, "5")) ?? "0")).toBe(otherApplied);
          // The state lists only numbers applied above its first one.
          const state = (await admin.hget(meta, q)) ?? "0";
          const [first, ...listed] = state.split(" ").map(Number);
          for (const s of listed) {
            expect(s).toBeGreaterThan(first as number);
            expect(applied.has(s)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("answers 2 from RECORD exactly for a duplicate", async () => {
    const meta = `${prefix}:{dup}:m`;
    const chunk = `${prefix}:{dup}:c:h:1`;
    await admin.hset(meta, "g", "2");
    const send = (seq: number, floor: number) =>
      admin.evalsha(SCRIPTS.record.sha, 2, meta, chunk, q, `1 ${seq} ${floor} 5`);
    expect(await send(2, 0)).toBe(0); // out of order: "0 2"
    expect(await send(3, 0)).toBe(0); // "0 2 3"
    expect(await admin.hget(meta, q)).toBe("0 2 3");
    expect(await send(3, 0)).toBe(2);
    expect(await send(1, 0)).toBe(0); // fills the gap: "3"
    expect(await admin.hget(meta, q)).toBe("3");
    expect(await send(5, 3)).toBe(0); // "3 5"
    expect(await send(7, 5)).toBe(0); // floor 5 settles 4 and 5: "5 7"
    expect(await admin.hget(meta, q)).toBe("5 7");
    expect(await send(4, 3)).toBe(2); // a late copy under the floor
    expect(await send(8, 7)).toBe(0); // in order again: a plain number
    expect(await admin.hget(meta, q)).toBe("8");
    expect(await admin.hget(chunk, "5")).toBe("6");
  });
});
