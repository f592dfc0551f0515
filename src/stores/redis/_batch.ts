import { describeValue, MetricsError } from "../../errors.js";
import type { BatchOptions, RecordOp } from "../types.js";
import { batchCommand, type Part, planBatch } from "./_batch-plan.js";
import { type Command, type RedisClient, runAll, runSettled, storeError } from "./_client.js";
import { appliedUnacknowledged } from "./_durability.js";
import { isRetryable } from "./_retry.js";
import { overflowError, type WriteDeps } from "./_write.js";
import type { KeySpace } from "./keys.js";

export interface BatchDeps extends WriteDeps {
  keys: KeySpace;
  batchTtlMs: number;
}

/** Send this op again on its own: its part was refused as a whole for an overflow. */
export const ALONE = Symbol("alone");
/** Per op: undefined when applied, {@link ALONE}, or the error of its part. */
export type OpOutcome = undefined | typeof ALONE | unknown;

/**
 * Batches of records: summed per slug and chunk field, split into parts (one
 * BATCH script call each), sent in one pipeline. Each part is all or nothing
 * and applied at most once (a batch id's marker, or the producer's sequence
 * number of each slug), so a part that failed on a lost connection is sent
 * again until it is answered or the time bound passes. A batch of several
 * parts is checked first (every part in check mode), so that an overflow in
 * one part refuses the whole batch before any write.
 */
export function createBatchWriter(deps: BatchDeps): {
  recordBatch(ops: readonly RecordOp[], options?: BatchOptions): Promise<void>;
  /** Direct records that arrived together: each op's own outcome. */
  recordTogether(ops: readonly RecordOp[]): Promise<OpOutcome[]>;
} {
  const { conn, bounds } = deps;
  const command = (part: Part, mode: "w" | "c"): Command => batchCommand(part, mode, deps.batchTtlMs);

  /** Write every part; per part the BATCH reply or the error that ended it. */
  const apply = async (
    client: RedisClient,
    parts: Part[],
    deadline: number,
  ): Promise<{ reply?: unknown; error?: unknown }[]> => {
    if (parts.length > 1) {
      const checks = await bounds.retry(
        () =>
          runAll(
            client,
            parts.map((p) => command(p, "c")),
          ),
        deadline,
        "recordBatch",
      );
      checks.forEach((reply, i) => {
        if (isOverflow(reply)) throw partOverflow(parts[i] as Part, reply);
      });
    }
    const out: { reply?: unknown; error?: unknown }[] = parts.map(() => ({}));
    let todo = parts.map((_, i) => i);
    let delay = 10;
    for (;;) {
      const commands: Command[] = [];
      const ends: number[] = [];
      for (const i of todo) {
        const part = parts[i] as Part;
        commands.push(command(part, "w"));
        ends.push(commands.length);
      }
      const retry: number[] = [];
      let failure: unknown;
      try {
        const settled = await bounds.bound(runSettled(client, commands), deadline, "recordBatch");
        let start = 0;
        todo.forEach((i, n) => {
          const slice = settled.slice(start, ends[n]);
          start = ends[n] as number;
          const failed = slice.find(([error]) => error)?.[0];
          if (failed && isRetryable(failed)) {
            retry.push(i);
            failure = failed;
          } else if (failed) (out[i] as { error?: unknown }).error = failed;
          else (out[i] as { reply?: unknown }).reply = slice[slice.length - 1]?.[1];
        });
      } catch (error) {
        if (!isRetryable(error)) {
          for (const i of todo) (out[i] as { error?: unknown }).error = error;
          return out;
        }
        retry.push(...todo);
        failure = error;
      }
      if (retry.length === 0) return out;
      if (Date.now() + delay >= deadline) {
        for (const i of retry) (out[i] as { error?: unknown }).error = failure;
        return out;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
      todo = retry;
    }
  };

  /** Plan, apply and book-keep a batch; per part its error (undefined when applied). */
  const run = async (ops: readonly RecordOp[], batchId: string | undefined) => {
    const client = conn.current() ?? (await conn.open());
    const parts = planBatch(deps, ops, batchId, client.isCluster);
    try {
      const deadline = Date.now() + bounds.ms;
      const results = await apply(client, parts, deadline);
      // The registries list a slug only once a write of it was applied (also when
      // too few replicas acknowledged it: it is on the master).
      const registry = parts.flatMap((part, i) => {
        const { error, reply } = results[i] ?? {};
        return (error === undefined && !isOverflow(reply)) || appliedUnacknowledged(error)
          ? part.registry
          : [];
      });
      if (registry.length > 0) await bounds.retry(() => runAll(client, registry), deadline, "recordBatch");
      const errors: unknown[] = [];
      for (const [i, result] of results.entries()) {
        const part = parts[i] as Part;
        const { reply } = result;
        if (result.error !== undefined) errors.push(result.error);
        else if (isOverflow(reply)) errors.push(partOverflow(part, reply));
        else {
          errors.push(undefined);
          for (const [slug, st] of part.registering) deps.registrations.remember(slug, st);
          // A BATCH reply lists the slugs whose registration was found gone.
          if (Array.isArray(reply)) {
            for (const index of reply.slice(1)) {
              const slug = part.slugs[Number(index) - 1] as string;
              const st = deps.registrations.get(slug);
              if (st) await deps.registrations.reregister(client, slug, st);
            }
          }
        }
      }
      return { parts, errors };
    } finally {
      for (const part of parts) for (const seq of part.seqs) part.producer.settle(seq);
    }
  };

  return {
    async recordBatch(ops, options = {}) {
      const { batchId } = options;
      if (
        batchId !== undefined &&
        (typeof batchId !== "string" || batchId.length === 0 || batchId.length > 200)
      ) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `batchId must be a string of 1 to 200 characters, got ${describeValue(batchId)}`,
        );
      }
      if (ops.length === 0) return;
      try {
        const { errors } = await run(ops, batchId);
        const failed = errors.find((e) => e !== undefined);
        if (failed !== undefined) throw failed;
      } catch (error) {
        throw storeError("recordBatch", error);
      }
    },
    async recordTogether(ops) {
      let outcome: Awaited<ReturnType<typeof run>>;
      try {
        outcome = await run(ops, undefined);
      } catch (error) {
        // Refused before any write (a sum or a check past the bound): each op goes alone.
        if (error instanceof MetricsError && error.code === "E_COUNT_OVERFLOW") return ops.map(() => ALONE);
        const failed = storeError("record", error);
        return ops.map(() => failed);
      }
      const bySlug = new Map<string, unknown>();
      outcome.parts.forEach((part, i) => {
        const error = outcome.errors[i];
        const result =
          error instanceof MetricsError && error.code === "E_COUNT_OVERFLOW"
            ? ALONE
            : error === undefined
              ? undefined
              : storeError("record", error);
        for (const slug of part.slugs) bySlug.set(slug, result);
      });
      return ops.map((op) => bySlug.get(op.slug));
    },
  };
}

const isOverflow = (reply: unknown): reply is [number, number] =>
  Array.isArray(reply) && Number(reply[0]) === 3;

const partOverflow = (part: Part, reply: [number, number]): MetricsError =>
  overflowError(part.slugs[Number(reply[1]) - 1] ?? "?", "a bucket or its total");
