import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ANSI, cli, cliEnv, MAIN } from "./_cli.js";

/** util-linux `script` gives the child a pseudo-terminal; without it the TTY test cannot run. */
const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Output formats and the commands that need no persisted state, on the memory store. */
export function outputTests(): void {
  const mem = ["--store", "memory:"];
  const range = ["--from", "2024-01-01T00:00Z", "--to", "2024-01-01T03:59Z"];

  describe.concurrent("output on the memory store", () => {
    it("record confirms on stdout and exits 0", async () => {
      const r = await cli([...mem, "record", "page_views", "--by", "-3", "--at", "2024-05-01T12:34:56Z"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("recorded page_views -3 at 2024-05-01T12:34:56.000Z\n");
      expect(r.stderr).toBe("");
    });

    it("history prints an aligned, zero-filled table with a total", async () => {
      const r = await cli([...mem, "history", "never_seen", "-g", "hours", ...range]);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines).toEqual([
        "start (UTC)       count",
        "2024-01-01 00:00      0",
        "2024-01-01 01:00      0",
        "2024-01-01 02:00      0",
        "2024-01-01 03:00      0",
        "total                 0",
      ]);
    });

    it("history shows local bucket starts in --timezone", async () => {
      const r = await cli([
        ...mem,
        "--timezone",
        "Asia/Kolkata",
        "history",
        "x",
        "-g",
        "days",
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-02",
        "--json",
      ]);
      expect(r.code).toBe(0);
      // Zone-less dates are local midnights in Asia/Kolkata (UTC+05:30).
      expect(JSON.parse(r.stdout)).toEqual([
        { start: "2023-12-31T18:30:00.000Z", count: 0 },
        { start: "2024-01-01T18:30:00.000Z", count: 0 },
      ]);
    });

    it("the table shows local starts with their offset, so a DST night's two 02:00 hours differ", async () => {
      const args = ["--timezone", "Europe/Berlin", "history", "x", "-g", "hours"];
      const r = await cli([...mem, ...args, "--from", "2024-10-27T01:00", "--to", "2024-10-27T03:00"]);
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n").slice(0, 5)).toEqual([
        "start (Europe/Berlin)    count",
        "2024-10-27 01:00 +02:00      0",
        "2024-10-27 02:00 +02:00      0",
        "2024-10-27 02:00 +01:00      0",
        "2024-10-27 03:00 +01:00      0",
      ]);
    });

    it("history --json and --csv give UTC instants", async () => {
      const j = await cli([...mem, "history", "x", "-g", "hours", ...range, "--json"]);
      expect(j.code).toBe(0);
      const rows = JSON.parse(j.stdout) as { start: string; count: number }[];
      expect(rows.map((r) => r.start)).toEqual([
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T01:00:00.000Z",
        "2024-01-01T02:00:00.000Z",
        "2024-01-01T03:00:00.000Z",
      ]);
      const c = await cli([...mem, "history", "x", "-g", "hours", ...range, "--csv"]);
      expect(c.code).toBe(0);
      expect(c.stdout).toBe(
        "start,count\n2024-01-01T00:00:00.000Z,0\n2024-01-01T01:00:00.000Z,0\n2024-01-01T02:00:00.000Z,0\n2024-01-01T03:00:00.000Z,0\n",
      );
    });

    it("history without --from shows a default span ending now", async () => {
      const r = await cli([...mem, "history", "x", "-g", "days", "--json"]);
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout) as { start: string }[];
      expect(rows).toHaveLength(30);
      const last = Date.parse(rows.at(-1)?.start ?? "");
      expect(Date.now() - last).toBeLessThan(2 * 86_400_000);
      expect(Date.now() - last).toBeGreaterThanOrEqual(0);
    });

    it("slugs and categories on an empty store print nothing", async () => {
      const [s, c, j] = await Promise.all([
        cli([...mem, "slugs"]),
        cli([...mem, "categories", "--slugs"]),
        cli([...mem, "categories", "--json"]),
      ]);
      expect([s.code, c.code, j.code]).toEqual([0, 0, 0]);
      expect(s.stdout).toBe("");
      expect(c.stdout).toBe("");
      expect(JSON.parse(j.stdout)).toEqual([]);
    });

    it("aggregate on a store without raw items says so and exits 0", async () => {
      const r = await cli([...mem, "aggregate"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^nothing to aggregate: the memory .* keeps no raw items/);
      const j = await cli([...mem, "aggregate", "--json"]);
      expect(JSON.parse(j.stdout)).toEqual({ items: 0, buckets: 0, batches: 0, supported: false });
    });

    it("bench measures the store and leaves no slug behind; progress is plain text when piped", async () => {
      const r = await cli([...mem, "bench", "--events", "300", "--reads", "3", "--json"]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        store: string;
        figures: { name: string; value: number; unit: string }[];
      };
      expect(report.store).toMatch(/^memory/);
      const units = report.figures.map((f) => f.unit);
      expect(units).toEqual(["events/s", "events/s", "ms", "ms"]);
      for (const f of report.figures) expect(f.value).toBeGreaterThan(0);
      expect(r.stderr).toMatch(/^benchmarking: \d+% \(\d+\/\d+\)$/m);
      expect(r.stderr).not.toMatch(ANSI);
      expect(r.stderr).not.toContain("\r");
    });

    it("bench prints a table by default", async () => {
      const r = await cli([...mem, "bench", "--events", "100", "--reads", "1"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^store: memory/);
      expect(r.stdout).toMatch(/^record\(\) sequential, awaited\s+[\d,]+\s+events\/s$/m);
      expect(r.stdout).toMatch(/^history\(\) 90 days hourly, median\s+[\d.,]+\s+ms$/m);
    });

    it.skipIf(!hasScript)("on a terminal, progress is a redrawn bar (needs util-linux script)", () => {
      const command = `${process.execPath} ${MAIN} --store memory: bench --events 200 --reads 1`;
      const out = execFileSync("script", ["-qec", command, "/dev/null"], {
        env: cliEnv({ NO_COLOR: "1" }),
        encoding: "utf8",
      });
      expect(out).toMatch(/benchmarking \[[^\]]+\] 100% \| 401\/401/);
      expect(out).not.toMatch(/benchmarking: \d+%/);
      // NO_COLOR: the table header stays plain even on a terminal.
      expect(out).toMatch(/^measure +value {2}unit\r?$/m);
    });
  });
}
