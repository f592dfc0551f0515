/**
 * `npx tsx bench/redis-compare.ts <name>=<src dir> …`: direct `record()` of
 * several versions of tallyboard in one process, against one private
 * redis-server, in interleaved blocks beside the raw EVALSHA floor (e) — so a
 * change can be measured against an earlier commit on the same machine at the
 * same moment. Check the earlier commit out in a second worktree:
 *
 * ```sh
 * git worktree add ../tb-before <commit>
 * ln -s "$PWD/node_modules" ../tb-before/node_modules
 * npx tsx bench/redis-compare.ts before=../tb-before/src now=src
 * git worktree remove ../tb-before
 * ```
 *
 * Parts (a) sequential awaited records on one slug, (b) 200 in flight on one
 * slug and on 100 slugs, as in the Redis section of `npm run bench`.
 * `SCALE=0.2` shortens the run; `PARTS=a,b,b100` picks parts. Writes nothing.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { floorRecorder, loadFloor, rawClient } from "./_raw.js";
import { measureWrites, type WriteSubject } from "./_redis_write.js";
import { startPrivateRedis } from "./_server.js";

interface Recorder {
  record(slug: string): Promise<void>;
  dispose(): Promise<void>;
}

const versions = process.argv.slice(2).map((arg) => {
  const [name, dir] = arg.split("=") as [string, string | undefined];
  if (!name || !dir) throw new Error(`expected <name>=<src dir>, got ${arg}`);
  return { name, dir: resolve(dir) };
});
if (versions.length === 0) throw new Error("usage: redis-compare.ts <name>=<src dir> …");
const scale = Number(process.env.SCALE ?? "1");
const parts = (process.env.PARTS ?? "a,b,b100").split(",");

const server = await startPrivateRedis();
try {
  const instances = new Map<string, Recorder>();
  for (const { name, dir } of versions) {
    const core = await import(pathToFileURL(`${dir}/core/index.ts`).href);
    const redis = await import(pathToFileURL(`${dir}/stores/redis/index.ts`).href);
    instances.set(
      name,
      core.createMetrics({
        store: redis.redisStore({ url: server.url, prefix: name }),
        granularities: { min: "hours", max: "years" },
      }),
    );
  }
  const raw = rawClient(server.url);
  await loadFloor(raw);
  const subjects = (slugs: string[]): WriteSubject[] => {
    const floors = slugs.map((slug) => floorRecorder(raw, slug));
    return [
      ...[...instances].map(([name, m]) => ({
        subject: name,
        op: (i: number) => m.record(slugs[i % slugs.length] as string),
      })),
      { subject: "floor", op: (i: number) => (floors[i % floors.length] as () => Promise<unknown>)() },
    ];
  };
  const show = (title: string, rates: Map<string, number>): void => {
    const floor = rates.get("floor") as number;
    const first = rates.get(versions[0]?.name as string) as number;
    const cells = versions.map(({ name }) => {
      const r = rates.get(name) as number;
      return `${name} ${Math.round(r)}/s (${(r / floor).toFixed(3)}× floor, ${(r / first).toFixed(3)}× ${versions[0]?.name})`;
    });
    process.stdout.write(`${title}: floor ${Math.round(floor)}/s | ${cells.join(" | ")}\n`);
  };
  const warmup = 2000;
  if (parts.includes("a")) {
    const plan = { n: Math.round(40_000 * scale), block: 500, warmup, inFlight: 1 };
    show("(a) sequential, one slug", await measureWrites(subjects(["w"]), plan));
  }
  const planB = { n: Math.max(5000, Math.round(100_000 * scale)), block: 5000, warmup, inFlight: 200 };
  if (parts.includes("b")) show("(b) 200 in flight, one slug", await measureWrites(subjects(["w"]), planB));
  if (parts.includes("b100")) {
    const spread = Array.from({ length: 100 }, (_, k) => `w_${k}`);
    show("(b) 200 in flight, 100 slugs", await measureWrites(subjects(spread), planB));
  }
  for (const m of instances.values()) await m.dispose();
  raw.disconnect();
} finally {
  await server.stop();
}
