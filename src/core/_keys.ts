import { keySet } from "./_schema.js";
import type { RecordOptions } from "./types.js";

/** The option keys each method of `createMetrics()` accepts; any other key is refused. */
const RECORD_KEYS = ["by", "at", "category", "group", "granularities"] satisfies (keyof RecordOptions)[];
// A RecordEvent may be passed as record() options: its `slug` must then be the slug argument.
export const RECORD = keySet("record() options", [...RECORD_KEYS, "slug"]);
export const EVENT = keySet("recordMany() event", ["slug", ...RECORD_KEYS]);
export const HISTORY = keySet("history() options", ["from", "to", "granularity"]);
export const DISPOSE = keySet("dispose() options", ["discard"]);
export const AGGREGATE = keySet("aggregate() options", ["batchSize", "onProgress", "signal"]);
