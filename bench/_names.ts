/** Subject names used in the rows of the Redis section. */
import { peerVersion } from "./_peer.js";

export const TB = "tallyboard";
export const TB_BUFFERED = "tallyboard buffered";
export const PEER = `redis-metrics ${peerVersion()}`;
export const INCR = "raw INCR";
export const FLOOR = "raw EVALSHA (e)";
export const MGET = "raw MGET (f)";
