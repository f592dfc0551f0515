/** Report parts of the CLI, in-process: argument parsers, the default outbox and the scheduler. */
import { readdir } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import type { CliContext, Output } from "../../src/cli/_context.js";
import { defaultOutbox, ensureDemoSet, openReports } from "../../src/cli/_reports.js";
import { startReportScheduler } from "../../src/cli/_scheduler.js";
import { parseAlert, parseList, thresholdsOf } from "../../src/cli/commands/sets.js";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { tempDir } from "./_cli.js";

const DAY = 86_400_000;

function capture(): Output & { text: string } {
  const out = {
    text: "",
    isTTY: false,
    color: false,
    write(t: string) {
      out.text += t;
    },
  };
  return out;
}

describe("sets argument parsers", () => {
  it("parseAlert reads slug>N and slug<N and adds up", () => {
    const a = parseAlert("api_errors>100");
    expect(a).toEqual([{ slug: "api_errors", bound: "above", value: 100 }]);
    expect(parseAlert(" orders < 2.5 ", a)).toEqual([...a, { slug: "orders", bound: "below", value: 2.5 }]);
    for (const bad of ["orders=5", "orders>", ">5", "orders>>5", "orders>five", "a b>1"])
      expect(() => parseAlert(bad), bad).toThrow(InvalidArgumentError);
  });

  it("thresholdsOf merges both bounds of one slug; none gives undefined", () => {
    expect(thresholdsOf([])).toBeUndefined();
    expect(
      thresholdsOf([
        { slug: "o", bound: "above", value: 9 },
        { slug: "o", bound: "below", value: 1 },
        { slug: "p", bound: "above", value: 3 },
      ]),
    ).toEqual({ o: { above: 9, below: 1 }, p: { above: 3 } });
  });

  it("parseList splits on commas, trims, and refuses an empty list", () => {
    expect(parseList(" a, b ,,c")).toEqual(["a", "b", "c"]);
    expect(parseList("d", ["a"])).toEqual(["a", "d"]);
    expect(() => parseList(" , ")).toThrow(InvalidArgumentError);
  });

  it("the default outbox is inside a PGlite directory, else ./.tallyboard/outbox", () => {
    expect(defaultOutbox({ kind: "pglite", dataDir: "/srv/tb" }, "/x")).toBe("/srv/tb/outbox");
    expect(defaultOutbox({ kind: "pglite", dataDir: undefined }, "/x")).toBe("/x/.tallyboard/outbox");
    expect(defaultOutbox({ kind: "redis", url: "redis://h" }, "/x")).toBe("/x/.tallyboard/outbox");
  });
});

describe("report scheduler", () => {
  let metrics: Metrics | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await metrics?.dispose();
    await cleanup?.();
  });

  it("runs at start, prints one line per sent report, does not resend, and stops", async () => {
    const dir = await tempDir("scheduler");
    cleanup = dir.remove;
    metrics = createMetrics({ store: memoryStore() });
    const now = Date.now();
    await metrics.record("page_views", { by: 3, at: now - DAY });
    const stdout = capture();
    const stderr = capture();
    const ctx: CliContext = {
      env: {},
      cwd: dir.path,
      stdout,
      stderr,
      waitForSignal: () => new Promise(() => {}),
      pid: process.pid,
      now: () => now,
    };
    expect(await ensureDemoSet(metrics, ctx, now - 90 * DAY)).toBe(true);
    expect(await ensureDemoSet(metrics, ctx, now - 90 * DAY)).toBe(false);
    const open = await openReports(metrics, { kind: "memory" }, { outbox: "out" }, ctx);
    expect(open.where).toBe(`outbox ${dir.path}/out`);
    const scheduler = startReportScheduler({
      reports: open.reports,
      timezone: "UTC",
      stdout,
      logger: { warn: () => {}, error: (m) => stderr.write(`${m}\n`) },
      runNow: false,
    });
    try {
      // Two callers at once share one run.
      const [first, same] = await Promise.all([scheduler.runOnce(), scheduler.runOnce()]);
      expect(same).toBe(first);
      expect(first?.sent.map((s) => s.set)).toEqual(["Daily overview"]);
      expect(stdout.text).toMatch(
        /^report sent "Daily overview" daily:\d{4}-\d{2}-\d{2} to team@example\.org\n$/,
      );
      const again = await scheduler.runOnce();
      expect(again?.sent).toEqual([]);
      expect(again?.skipped.map((s) => s.reason)).toEqual(["sent-or-claimed"]);
      expect((await readdir(`${dir.path}/out`)).filter((f) => f.endsWith(".eml"))).toHaveLength(1);
      expect(stderr.text).toBe("");
    } finally {
      await scheduler.stop();
      await scheduler.stop();
      await open.close();
    }
  });
});
