/**
 * The Redis store's coalescing of direct records (src/stores/redis/_coalesce.ts),
 * driven with fast-check over random turns: each record resolves or rejects
 * exactly once, with its own outcome; every record is written exactly once
 * (by the single path or by one batch, never both); records of a turn that
 * follows a busy turn travel together; a record awaited alone goes out on the
 * single path without waiting for the end of its turn. The two write paths
 * are plain functions that log what they were given.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALONE, type OpOutcome } from "../../src/stores/redis/_batch.js";
import { coalesceRecords } from "../../src/stores/redis/_coalesce.js";
import type { RecordOp } from "../../src/stores/types.js";

const opOf = (id: number): RecordOp =>
  ({ slug: `s${id}`, by: id, at: 0, buckets: [], granularities: ["hours"] }) as unknown as RecordOp;

/** What happens to a record sent together: written, refused for an overflow (→ alone), or failed. */
type Fate = "ok" | "overflow" | "fail";

interface Log {
  singles: number[];
  batches: number[][];
}

function paths(fates: Map<number, Fate>, log: Log) {
  const single = async (op: RecordOp): Promise<void> => {
    await Promise.resolve();
    log.singles.push(op.by);
    if (fates.get(op.by) === "fail") throw new Error(`single ${op.by} failed`);
  };
  const together = async (ops: readonly RecordOp[]): Promise<OpOutcome[]> => {
    await Promise.resolve();
    log.batches.push(ops.map((op) => op.by));
    return ops.map((op) => {
      const fate = fates.get(op.by);
      return fate === "overflow" ? ALONE : fate === "fail" ? new Error(`batch ${op.by} failed`) : undefined;
    });
  };
  return { single, together };
}

describe("coalesceRecords", () => {
  it("writes each record exactly once and settles each call with its own outcome", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom<Fate>("ok", "ok", "ok", "overflow", "fail"), { maxLength: 12 }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (turns) => {
          const fates = new Map<number, Fate>();
          const log: Log = { singles: [], batches: [] };
          const { single, together } = paths(fates, log);
          const record = coalesceRecords(single, together);
          const settled = new Map<number, string>();
          let id = 0;
          let previous = 0;
          for (const turn of turns) {
            // One turn: every record of it issued synchronously, then wait for all of them.
            const ids: number[] = [];
            const calls = turn.map((fate) => {
              id += 1;
              const mine = id;
              ids.push(mine);
              fates.set(mine, fate);
              return record(opOf(mine)).then(
                () => {
                  expect(settled.has(mine)).toBe(false);
                  settled.set(mine, "ok");
                },
                (error: unknown) => {
                  expect(settled.has(mine)).toBe(false);
                  settled.set(mine, String((error as Error).message));
                },
              );
            });
            const batchesBefore = log.batches.length;
            await Promise.all(calls);
            // After a turn of several records, a turn of several travels as one batch.
            if (previous > 1 && ids.length > 1) {
              expect(log.batches.slice(batchesBefore)[0]).toEqual(ids);
            }
            // A turn after a lone (or no) record sends its first one on the single path at once.
            if (previous <= 1 && ids.length > 0) {
              expect(log.singles).toContain(ids[0]);
              if (ids.length > 2) expect(log.batches.slice(batchesBefore)[0]).toEqual(ids.slice(1));
            }
            if (ids.length > 0) previous = ids.length; // a turn without records is no turn
          }
          for (let k = 1; k <= id; k++) {
            const fate = fates.get(k);
            // Written exactly once: an overflow refusal wrote nothing, so the single retry is the write.
            const inBatch = log.batches.some((b) => b.includes(k));
            const singles = log.singles.filter((s) => s === k).length;
            if (inBatch && fate !== "overflow") expect(singles).toBe(0);
            else expect(singles).toBe(1);
            // Its own outcome, and only its own.
            const outcome = settled.get(k);
            if (fate === "fail") expect(outcome).toMatch(new RegExp(`^(single|batch) ${k} failed$`));
            else expect(outcome).toBe("ok");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sends records awaited one after another on the single path, each before its turn ends", async () => {
    const log: Log = { singles: [], batches: [] };
    const { single, together } = paths(new Map(), log);
    const record = coalesceRecords(single, together);
    for (let k = 1; k <= 50; k++) await record(opOf(k));
    expect(log.singles).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(log.batches).toEqual([]);
  });
});
