/**
 * The idempotent-producer check of the write scripts, driven directly: a
 * write's copy (same producer, same sequence) is applied once whatever the
 * order copies arrive in; the floor lets Redis forget settled numbers and
 * refuse late copies; a producer's state is dropped once it is older than its
 * time-to-live. Plus the client-side floor bookkeeping.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createProducers } from "../../src/stores/redis/_producer.js";
import { SCRIPTS } from "../../src/stores/redis/_scripts.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";

const admin = new Redis(SHARED_URL);
const prefix = randomPrefix();
afterAll(async () => {
  await dropPrefix(admin, prefix);
  await admin.quit();
});

const meta = `${prefix}:{s}:m`;
const chunk = `${prefix}:{s}:c:h:1`;
const now = Math.floor(Date.now() / 1000);
const field = `q:${now}:3600:abcdefgh`;

/** RECORD of +by to field 5 of one chunk with identity (seq, floor); returns the script's reply. */
const record = (seq: number, floor: number, by = 1, q = field) =>
  admin.evalsha(SCRIPTS.record.sha, 2, meta, chunk, q, `${by} ${seq} ${floor} 5`);

describe("RECORD identity check", () => {
  it("applies each sequence number once, in any arrival order, and compacts the state", async () => {
    await admin.script("LOAD", SCRIPTS.record.source);
    expect(await record(1, 0)).toBe(1); // applied; unregistered slug (no g) → 1
    expect(await record(1, 0)).toBe(2); // a re-sent copy: duplicate
    expect(await admin.hget(meta, field)).toBe("1");
    expect(await record(3, 1)).not.toBe(2); // 2 still in flight: 3 applied out of order
    expect(await admin.hget(meta, field)).toBe("1 3");
    expect(await record(3, 1)).toBe(2);
    expect(await record(2, 1)).not.toBe(2); // the late one is applied once
    expect(await admin.hget(meta, field)).toBe("3");
    expect(await record(2, 3)).toBe(2);
    expect(await admin.hget(chunk, "5")).toBe("3");
    expect(await admin.hget(meta, "t")).toBe("3");
  });

  it("refuses a copy at or under the floor: the client settled it (answered or gave up)", async () => {
    expect(await record(10, 8)).not.toBe(2); // 9 given up on by the client: floor 8 → 9 unknown
    expect(await record(12, 10)).not.toBe(2); // floor 10: 9 is settled now
    expect(await record(9, 8)).toBe(2); // a stale copy of 9 arrives late: refused
    expect(await admin.hget(meta, field)).toBe("10 12");
    expect(await admin.hget(meta, "t")).toBe("5");
  });

  it("drops the state of producers older than their time-to-live on a new producer's first write", async () => {
    const stale = `q:${now - 7200}:3600:staaaale`;
    const young = `q:${now - 60}:3600:youuuung`;
    await admin.hset(meta, stale, "4", young, "7");
    expect(await record(1, 0, 1, `q:${now}:3600:newwwwww`)).not.toBe(2);
    const fields = Object.keys(await admin.hgetall(meta));
    expect(fields).not.toContain(stale);
    expect(fields).toContain(young);
    expect(fields).toContain(field);
  });
});

describe("producer floor", () => {
  it("is the highest number under which every write is settled, whatever the settle order", () => {
    const p = createProducers(3_600_000).current();
    const seqs = Array.from({ length: 3000 }, () => p.next());
    expect(p.floor()).toBe(0);
    const order = [...seqs].sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001));
    const settled = new Set<number>();
    for (const s of order) {
      p.settle(s);
      p.settle(s); // twice is harmless
      settled.add(s);
      let want = 0;
      while (settled.has(want + 1)) want += 1;
      expect(p.floor()).toBe(want);
    }
    expect(p.floor()).toBe(3000);
    expect(p.next()).toBe(3001);
    expect(p.floor()).toBe(3000);
  });
});
