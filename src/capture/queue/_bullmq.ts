import { MetricsError } from "../../errors.js";
import type { QueueConnection } from "./_job.js";

/** The BullMQ module, imported on first use. */
export type BullMQ = typeof import("bullmq");

/** How the module is imported (replaceable in tests). */
export type Importer = () => Promise<unknown>;

const importBullmq: Importer = () => import("bullmq");

/** Import bullmq (an optional peer), or fail with `E_MISSING_DEPENDENCY` and an install hint. */
export async function loadBullmq(importer: Importer = importBullmq): Promise<BullMQ> {
  try {
    return (await importer()) as BullMQ;
  } catch (error) {
    throw new MetricsError(
      "E_MISSING_DEPENDENCY",
      "Queue capture needs the bullmq package (version 5 or later) and ioredis: run `npm i bullmq ioredis`",
      { cause: error },
    );
  }
}

/**
 * BullMQ connection options from a URL or an options object. Workers need
 * `maxRetriesPerRequest: null` (blocking commands must not give up).
 */
export function connectionOptions(
  connection: QueueConnection,
  role: "producer" | "worker",
): Record<string, unknown> {
  const base: Record<string, unknown> =
    typeof connection === "string" ? { url: connection } : { ...connection };
  if (role === "worker") base.maxRetriesPerRequest = null;
  return base;
}
