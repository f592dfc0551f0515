import { createHash } from "node:crypto";
import { BATCH_SCRIPT } from "./_script-batch.js";
import { CLAIM_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT } from "./_script-claims.js";
import { READ_SCRIPT } from "./_script-read.js";
import { RECORD_SCRIPT } from "./_script-record.js";
import { STAGE_SCRIPT } from "./_script-stage.js";

/** A Lua script and the SHA1 Redis caches it under. */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

const script = (name: string, source: string): Script => ({
  name,
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});

/** The store's scripts, run with EVALSHA (EVAL on NOSCRIPT). */
export const SCRIPTS = {
  record: script("record", RECORD_SCRIPT),
  batch: script("batch", BATCH_SCRIPT),
  read: script("read", READ_SCRIPT),
  claim: script("claim", CLAIM_SCRIPT),
  complete: script("complete", COMPLETE_SCRIPT),
  release: script("release", RELEASE_SCRIPT),
  stage: script("stage", STAGE_SCRIPT),
} as const;

/** Script source by SHA1, for the NOSCRIPT fallback of pipelined calls. */
export const SOURCE_BY_SHA: ReadonlyMap<string, string> = new Map(
  Object.values(SCRIPTS).map((s) => [s.sha, s.source]),
);
