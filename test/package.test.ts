import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;

/** Every subpath export resolves to built code with the named exports (needs `npm run build`). */
describe("package exports", () => {
  it("resolves each subpath of the exports map through Node's own resolver", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, unknown>;
    };
    const expected: Record<string, string[]> = {
      ".": ["createMetrics", "MetricsError", "memoryStore", "createCalendar", "GRANULARITIES"],
      "./stores/memory": ["memoryStore"],
      "./stores/redis": ["redisStore"],
      "./stores/postgres": ["postgresStore"],
      "./stores/tiered": ["tieredStore", "archive"],
      "./server": ["createApp", "serve", "parseTokens"],
      "./reports": [
        "createReports",
        "buildReport",
        "lastClosedPeriod",
        "smtpTransport",
        "directoryTransport",
      ],
    };
    expect(Object.keys(pkg.exports).sort()).toEqual([...Object.keys(expected), "./package.json"].sort());
    const script = `
      const expected = ${JSON.stringify(expected)};
      const out = {};
      for (const [sub, names] of Object.entries(expected)) {
        const mod = await import(sub === "." ? "tallyboard" : "tallyboard" + sub.slice(1));
        out[sub] = names.filter((n) => !(n in mod));
      }
      console.log(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, []])));
  });

  it("ships a bin with a shebang", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      bin: Record<string, string>;
    };
    const main = await readFile(new URL(`../${pkg.bin.tallyboard}`, import.meta.url), "utf8");
    expect(main.startsWith("#!/usr/bin/env node")).toBe(true);
  });
});
