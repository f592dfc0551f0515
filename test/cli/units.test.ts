/** Pure parts of the CLI, tested in-process: store URLs, time arguments, tables, demo data. */
import { describe, expect, it } from "vitest";
import { demoData } from "../../src/cli/_demo.js";
import { UsageError } from "../../src/cli/_errors.js";
import { formatCsv, formatTable } from "../../src/cli/_format.js";
import { parseInteger, parseTime } from "../../src/cli/_parse.js";
import { describeStore, parseStoreUrl } from "../../src/cli/_store.js";
import { createCalendar } from "../../src/time/index.js";

describe("parseStoreUrl", () => {
  it("parses every scheme and moves store options out of the driver URL", () => {
    expect(parseStoreUrl("memory:", "/x")).toEqual({ kind: "memory" });
    expect(parseStoreUrl("redis://:pw@127.0.0.1:6379/2?prefix=tb1", "/x")).toEqual({
      kind: "redis",
      url: "redis://:pw@127.0.0.1:6379/2",
      prefix: "tb1",
    });
    expect(parseStoreUrl("postgresql://u@h/db?schema=s1&mode=items&sslmode=require", "/x")).toEqual({
      kind: "postgres",
      url: "postgresql://u@h/db?sslmode=require",
      schema: "s1",
      mode: "items",
    });
    expect(parseStoreUrl("pglite:./data?mode=items", "/srv")).toEqual({
      kind: "pglite",
      dataDir: "/srv/data",
      mode: "items",
    });
    expect(parseStoreUrl("pglite:memory", "/srv")).toEqual({ kind: "pglite", dataDir: undefined });
    expect(parseStoreUrl("redis://h:6379?durability=replicated&prefix=p", "/x")).toEqual({
      kind: "redis",
      url: "redis://h:6379",
      prefix: "p",
      durability: "replicated",
    });
    expect(parseStoreUrl("redis://h:6379?durability=replicated:250", "/x")).toMatchObject({
      durability: { replicas: 1, timeoutMs: 250 },
    });
    expect(parseStoreUrl("redis://h:6379?durability=async", "/x")).toMatchObject({ durability: "async" });
  });

  it("rejects unknown schemes, modes and parameters as usage errors", () => {
    for (const bad of [
      "mysql://h/db",
      "pglite:",
      "pglite:./d?mode=fast",
      "pglite:./d?user=x",
      "redis://[::1",
      "redis://h?durability=sync",
      "redis://h?durability=replicated:",
    ]) {
      expect(() => parseStoreUrl(bad, "/x"), bad).toThrow(UsageError);
    }
  });

  it("never shows a password", () => {
    const text = describeStore(parseStoreUrl("postgres://user:secret@db.example:5432/m", "/x"));
    expect(text).not.toContain("secret");
    expect(text).toContain("user:***@db.example");
  });
});

describe("argument parsers", () => {
  it("parseInteger accepts safe integers only", () => {
    expect(parseInteger("-3")).toBe(-3);
    expect(parseInteger("+7")).toBe(7);
    for (const bad of ["", "1e3", "0x10", "2.5", "NaN", "9007199254740992"]) {
      expect(() => parseInteger(bad), bad).toThrow(/integer/);
    }
  });

  it("parseTime reads zone-less times in the calendar's zone and ages relative to now", () => {
    const berlin = createCalendar({ timezone: "Europe/Berlin" });
    const context = { now: Date.UTC(2024, 6, 1, 12), timezone: berlin.timezone };
    expect(parseTime("2024-07-01")(context)).toBe(Date.UTC(2024, 5, 30, 22));
    expect(parseTime("2024-01-15T08:30")(context)).toBe(Date.UTC(2024, 0, 15, 7, 30));
    expect(parseTime("2024-07-01T00:00:00Z")(context)).toBe(Date.UTC(2024, 6, 1));
    expect(parseTime("2024-07-01T00:00:00+02:00")(context)).toBe(Date.UTC(2024, 5, 30, 22));
    expect(parseTime("90m")(context)).toBe(Date.UTC(2024, 6, 1, 10, 30));
    expect(parseTime("now")(context)).toBe(context.now);
    for (const bad of ["2024-02-30", "tomorrow", "12", "0900-01-01"])
      expect(() => parseTime(bad), bad).toThrow();
  });

  it("parseTime reads a date whose midnight was skipped as that day's first instant (Santiago)", () => {
    // Chile skipped 2024-09-08 00:00-01:00: the day began at 01:00 -03 = 04:00 UTC.
    const santiago = createCalendar({ timezone: "America/Santiago" });
    const context = { now: Date.UTC(2024, 8, 10), timezone: santiago.timezone };
    expect(parseTime("2024-09-08")(context)).toBe(Date.UTC(2024, 8, 8, 4));
    expect(parseTime("2024-09-08")(context)).toBe(santiago.bucket("days", Date.UTC(2024, 8, 8, 12)).start);
  });
});

describe("formatting", () => {
  it("aligns columns without trailing spaces", () => {
    const text = formatTable(
      ["slug", "count"],
      [
        ["a", "1"],
        ["longer_slug", "12345"],
      ],
      { align: ["left", "right"] },
    );
    expect(text).toBe("slug         count\na                1\nlonger_slug  12345\n");
  });

  it("quotes CSV fields that need it", () => {
    expect(formatCsv(["a", "b"], [["x,y", 'say "hi"']])).toBe('a,b\n"x,y","say ""hi"""\n');
  });
});

describe("demoData", () => {
  const now = Date.UTC(2024, 4, 15, 13, 20);
  const data = demoData({ now });

  it("is deterministic and never records after now", () => {
    expect(demoData({ now }).events).toEqual(data.events);
    expect(Math.max(...data.events.map((e) => Number(e.at)))).toBeLessThanOrEqual(now);
    expect(Math.min(...data.events.map((e) => Number(e.at)))).toBeGreaterThan(now - 90 * 86_400_000);
  });

  it("covers several categories, gauges and named definitions", () => {
    const categories = new Set(data.events.map((e) => e.category));
    expect([...categories].sort()).toEqual(["activity", "commerce", "system"]);
    expect(new Set(data.events.map((e) => e.slug)).size).toBeGreaterThanOrEqual(10);
    expect(data.gauges.length).toBeGreaterThanOrEqual(3);
    expect(data.definitions.find((d) => d.slug === "revenue_eur")).toMatchObject({ unit: "EUR" });
    for (const e of data.events) expect(Number.isSafeInteger(e.by) && (e.by ?? 0) > 0).toBe(true);
  });

  it("has daily and weekly seasonality", () => {
    const views = data.events.filter((e) => e.slug === "page_views");
    const sum = (pick: (d: Date) => boolean) =>
      views.filter((e) => pick(new Date(Number(e.at)))).reduce((s, e) => s + (e.by ?? 0), 0);
    const afternoon = sum((d) => d.getUTCHours() === 15);
    const night = sum((d) => d.getUTCHours() === 3);
    expect(afternoon).toBeGreaterThan(4 * night);
    const tuesdays = sum((d) => d.getUTCDay() === 2);
    const sundays = sum((d) => d.getUTCDay() === 0);
    expect(tuesdays).toBeGreaterThan(1.2 * sundays);
  });
});
