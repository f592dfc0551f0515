/**
 * Every command × every class of bad value, run in-process through runCli on
 * the memory store: exit code 2, nothing on stdout, exactly one `error:` line
 * on stderr (causes only with --debug). Plus secrets and control characters in
 * whatever the CLI prints.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CliContext, Output } from "../../src/cli/_context.js";
import { formatError, printable } from "../../src/cli/_errors.js";
import { formatTable } from "../../src/cli/_format.js";
import { runCli } from "../../src/cli/_program.js";
import { MetricsError } from "../../src/errors.js";

function sink(): Output & { text: string } {
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

/** Any C0/C1 control character, or a bidi override. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function cli(args: string[], env: Record<string, string> = {}, signal?: Promise<string>) {
  const stdout = sink();
  const stderr = sink();
  const ctx: CliContext = {
    env,
    cwd: "/nonexistent-tallyboard-cwd",
    stdout,
    stderr,
    waitForSignal: () => signal ?? new Promise(() => {}),
    pid: process.pid,
    now: () => Date.UTC(2024, 4, 1, 12),
  };
  const code = await runCli(["--store", "memory:", ...args], ctx);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Commands and the options through which each class of bad value can reach them. */
const TIME_OPTIONS: [string[], string][] = [
  [["record", "x"], "--at"],
  [["history", "x", "-g", "days"], "--from"],
  [["history", "x", "-g", "days"], "--to"],
  [["send-reports"], "--now"],
];
const BAD_TIMES = [
  "0d",
  "0s",
  "1234567890h",
  "999999999y",
  "9000y",
  "yesterday",
  "2024-02-30",
  "",
  "-3d",
  "1e3d",
];
const INTEGER_OPTIONS: [string[], string][] = [
  [["record", "x"], "--by"],
  [["bench"], "--events"],
  [["bench"], "--reads"],
  [["aggregate"], "--batch-size"],
  [["start"], "--port"],
];
const BAD_INTEGERS = ["", "abc", "1.5", "1e3", "0x10", "9007199254740993", "NaN"];
const EMPTY_OPTIONS: [string[], string][] = [
  [["send-reports"], "--outbox"],
  [["send-reports"], "--smtp"],
  [["send-reports"], "--from"],
  [["start"], "--outbox"],
  [["start"], "--smtp"],
  [["start"], "--from"],
  [["start"], "--host"],
];
const EVERY_COMMAND = [
  ["record", "x"],
  ["history", "x", "-g", "days"],
  ["slugs"],
  ["categories"],
  ["aggregate"],
  ["sets", "list"],
  ["send-reports"],
  ["bench", "--events", "1", "--reads", "1"],
  ["start", "--port", "0"],
];

const cases: [string, string[]][] = [
  ...TIME_OPTIONS.flatMap(([cmd, opt]) =>
    BAD_TIMES.map((v): [string, string[]] => [`${opt} ${JSON.stringify(v)}`, [...cmd, opt, v]]),
  ),
  ...INTEGER_OPTIONS.flatMap(([cmd, opt]) =>
    BAD_INTEGERS.map((v): [string, string[]] => [`${cmd[0]} ${opt} ${JSON.stringify(v)}`, [...cmd, opt, v]]),
  ),
  ...EMPTY_OPTIONS.flatMap(([cmd, opt]) =>
    ["", "  "].map((v): [string, string[]] => [`${cmd[0]} ${opt} ${JSON.stringify(v)}`, [...cmd, opt, v]]),
  ),
  ...EVERY_COMMAND.map((cmd): [string, string[]] => [
    `${cmd[0]} --timezone Mars/Olympus`,
    ["--timezone", "Mars/Olympus", ...cmd],
  ]),
  ...EVERY_COMMAND.map((cmd): [string, string[]] => [
    `${cmd[0]} --store mysql://`,
    [...cmd, "--store", "mysql://u:pw@h/db"],
  ]),
  ...EVERY_COMMAND.map((cmd): [string, string[]] => [`${cmd[0]} --shiny`, [...cmd, "--shiny"]]),
  ["record: bad slug", ["record", "not a slug"]],
  ["record: control characters in the slug", ["record", "a\u001b[2Jb\nc"]],
  ["history: bad granularity", ["history", "x", "-g", "dayz"]],
  ["history: from after to", ["history", "x", "-g", "days", "--from", "2024-05-02", "--to", "2024-05-01"]],
  ["history: missing granularity", ["history", "x"]],
  ["start: empty host", ["start", "--host", ""]],
  ["start: every interface without tokens", ["start", "--host", "0.0.0.0"]],
  ["start: a public address without tokens", ["start", "--host", "192.0.2.1"]],
  ["start: IPv6 any without tokens", ["start", "--host", "::"]],
  ["start: host with a scheme", ["start", "--host", "http://127.0.0.1"]],
  ["start: queue that is not a Redis URL", ["start", "--port", "0", "--queue", "http://u:pw@h:1"]],
  ["start: empty queue", ["start", "--port", "0", "--queue", ""]],
  [
    "archive: zero age",
    ["archive", "--from", "redis://127.0.0.1:1", "--to", "pglite:memory", "--older-than", "0d"],
  ],
  [
    "archive: store that is not Redis",
    ["archive", "--from", "memory:", "--to", "pglite:memory", "--older-than", "9d"],
  ],
  ["archive: missing --older-than", ["archive", "--from", "redis://127.0.0.1:1", "--to", "pglite:memory"]],
  ["sets add: bad address", ["sets", "add", "S", "--metrics", "a", "--to", "not-an-address"]],
];

describe("every bad value exits 2 with one line on stderr", () => {
  it.each(cases)("%s", async (_name, args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("caused by");
    expect(r.stderr.trimEnd()).not.toMatch(CONTROL);
    expect(r.stderr).not.toContain(":pw@");
  });

  it("--debug adds the causes on further lines", async () => {
    const r = await cli(["--timezone", "Mars/Olympus", "--debug", "slugs"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").length).toBeGreaterThan(2);
  });
});

describe("start on a non-loopback address", () => {
  it("is refused without tokens, and allowed with --allow-open", async () => {
    const refused = await cli(["start", "--host", "0.0.0.0", "--port", "0"]);
    expect(refused.stderr).toContain("--allow-open");
    expect(refused.code).toBe(2);
    // With --allow-open it serves (here until an immediate SIGTERM) and warns that the API is open.
    const allowed = await cli(
      ["start", "--host", "0.0.0.0", "--port", "0", "--allow-open", "--no-reports"],
      {},
      Promise.resolve("SIGTERM"),
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/tallyboard dashboard: http:\/\/\S+/);
    expect(allowed.stderr).toMatch(/^warning: .*open/m);
  });
});

describe("secrets and control characters in output", () => {
  it("never prints an SMTP or store password", async () => {
    const smtp = await cli(["send-reports", "--smtp", "smtp://mailer:S3cr%2Ft@127.0.0.1:1"]);
    expect(smtp.stderr).toContain("smtp://mailer:***@127.0.0.1:1");
    expect(smtp.stdout + smtp.stderr).not.toContain("S3cr");
    const store = await cli(["slugs", "--store", "postgres://app:S3cr/t@x@127.0.0.1:1/db"]);
    expect(store.code).toBe(2);
    expect(store.stderr).not.toContain("S3cr");
  });

  it("formatError is one line without debug, masks URLs and escapes control characters, for any message", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.stringMatching(/^[A-Za-z0-9/@:%]{1,20}$/),
        (message, password) => {
          const error = new MetricsError("E_STORE", `${message} redis://u:${password}@h:1`, {
            cause: new Error(`inner ${message}`),
          });
          const text = formatError(error, { debug: false });
          expect(text.endsWith("\n")).toBe(true);
          expect(text.slice(0, -1)).not.toMatch(CONTROL);
          expect(text).toContain("redis://u:***@h:1");
        },
      ),
    );
  });

  it("tables and printable() escape control characters in names", () => {
    const table = formatTable(["name"], [["Daily\u001b[2J\nover\u202eview"]]);
    expect(table).toBe("name\nDaily\\u001b[2J\\u000aover\\u202eview\n");
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(printable(text)).not.toMatch(CONTROL);
      }),
    );
  });
});
