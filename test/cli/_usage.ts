import { describe, expect, it } from "vitest";
import { ANSI, cli } from "./_cli.js";

/** Exit codes, argument validation, help and colour, all on the memory store. */
export function usageTests(): void {
  const mem = ["--store", "memory:"];

  describe.concurrent("usage and exit codes", () => {
    it("--help lists every command and exits 0", async () => {
      const r = await cli(["--help"]);
      expect(r.code).toBe(0);
      for (const name of [
        "start",
        "record",
        "history",
        "slugs",
        "categories",
        "aggregate",
        "archive",
        "sets",
        "send-reports",
        "worker",
        "bench",
      ]) {
        expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
      }
    });

    it("--version prints the package version", async () => {
      const r = await cli(["--version"]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    });

    it("no command is a usage error (2) with help on stderr", async () => {
      const r = await cli([]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Usage: tallyboard");
    });

    it("unknown command and unknown option exit 2", async () => {
      const a = await cli([...mem, "frobnicate"]);
      expect(a.code).toBe(2);
      expect(a.stderr).toContain("unknown command 'frobnicate'");
      const b = await cli([...mem, "slugs", "--shiny"]);
      expect(b.code).toBe(2);
      expect(b.stderr).toContain("unknown option '--shiny'");
    });

    it("a non-integer --by exits 2 naming the option", async () => {
      for (const by of ["NaN", "1.5", "abc", "9007199254740993"]) {
        const r = await cli([...mem, "record", "page_views", "--by", by]);
        expect(r.code, by).toBe(2);
        expect(r.stderr).toContain("--by");
        expect(r.stdout).toBe("");
      }
    });

    it("an invalid slug exits 2 with the library's code, and no stack", async () => {
      const r = await cli([...mem, "record", "not a slug!"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: Invalid slug "not a slug!".*E_INVALID_SLUG/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it("bad dates, granularities, time zones and store URLs exit 2", async () => {
      const cases = [
        [...mem, "record", "a", "--at", "yesterday-ish"],
        [...mem, "history", "a", "-g", "fortnights"],
        [...mem, "history", "a"],
        [...mem, "history", "a", "-g", "days", "--from", "2024-02-30"],
        [...mem, "history", "a", "-g", "days", "--from", "2024-03-02", "--to", "2024-03-01"],
        [...mem, "history", "a", "-g", "minutes", "--from", "2000-01-01T00:00Z", "--to", "2024-01-01T00:00Z"],
        [...mem, "history", "a", "-g", "days", "--json", "--csv"],
        [...mem, "--timezone", "Mars/Olympus_Mons", "slugs"],
        ["--store", "ftp://example.org", "slugs"],
        ["--store", "redis://127.0.0.1:6379/?prefix=has%20space", "slugs"],
        ["--store", "pglite:./x?mode=sideways", "slugs"],
        [...mem, "start", "--port", "70000"],
      ];
      const results = await Promise.all(cases.map((args) => cli(args)));
      results.forEach((r, i) => {
        expect(r.code, cases[i]?.join(" ")).toBe(2);
        expect(r.stderr, cases[i]?.join(" ")).toMatch(/^error: /);
      });
    });

    it("a bad TALLYBOARD_STORE is reported like --store", async () => {
      const r = await cli(["slugs"], { env: { TALLYBOARD_STORE: "nosuch://x" } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Unknown store "nosuch://x"');
    });
  });

  describe.concurrent("colour", () => {
    const args = [
      ...mem,
      "history",
      "a",
      "-g",
      "hours",
      "--from",
      "2024-01-01T00:00Z",
      "--to",
      "2024-01-01T01:00Z",
    ];

    it("piped output has no escape codes by default", async () => {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
    });

    it("FORCE_COLOR colours the table header and errors", async () => {
      const r = await cli(args, { env: { FORCE_COLOR: "1" } });
      expect(r.stdout).toMatch(ANSI);
      const e = await cli([...mem, "record", "bad slug"], { env: { FORCE_COLOR: "1" } });
      expect(e.stderr).toMatch(ANSI);
    });

    it("NO_COLOR wins over FORCE_COLOR", async () => {
      const r = await cli(args, { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
      expect(r.stdout).not.toMatch(ANSI);
      const e = await cli([...mem, "record", "bad slug"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
      expect(e.stderr).not.toMatch(ANSI);
      expect(e.stderr).toMatch(/^error: /);
    });
  });
}
