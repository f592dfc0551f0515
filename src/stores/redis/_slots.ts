import { createRequire } from "node:module";
import type { RedisClient } from "./_client.js";

/**
 * `cluster-key-slot` (the slot function ioredis itself uses: CRC16 of a key's
 * `{tag}`), loaded on first use; null when it cannot be loaded. Only Cluster
 * clients need it, and a Cluster client means ioredis and so this package are
 * installed.
 */
let keySlot: ((key: string) => number) | null | undefined;

function slotFunction(): ((key: string) => number) | null {
  if (keySlot === undefined) {
    try {
      keySlot = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;
    } catch {
      keySlot = null;
    }
  }
  return keySlot;
}

/**
 * The master serving each key, by the client's slot table: commands of one
 * master can share a pipeline (ioredis refuses one that spans nodes). A
 * single Redis is one node, `""`. On a Cluster, `undefined` for a key whose
 * owner is not known (slot table not loaded, or the slot function missing):
 * the caller then sends that key's commands on their own.
 */
export function ownerOf(client: RedisClient): (key: string) => string | undefined {
  if (!client.isCluster) return () => "";
  const slot = slotFunction();
  if (slot === null) return () => undefined;
  return (key) => {
    const table = (client as { slots?: unknown }).slots; // replaced when ioredis refreshes it
    const owners = Array.isArray(table) ? (table[slot(key)] as string[] | undefined) : undefined;
    return owners?.[0];
  };
}
