import { readdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, tempDir } from "./_cli.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface SendResult {
  sent: { set: string; period: string; recipients: string[] }[];
  skipped: { set: string; period: string | null; reason: string }[];
  failed: { set: string; period: string; error: string }[];
}

/** A message's raw text with quoted-printable soft line breaks joined (not the `?=` ending encoded words). */
function unfold(raw: string): string {
  return raw.replace(/(?<!\?)=\r?\n/g, "");
}

/** A real SMTP server on a free port that keeps every message it receives. */
async function smtpSink() {
  const messages: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let data = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        data += chunk;
      });
      stream.on("end", () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `sets` and `send-reports` on a PGlite store that persists across invocations. */
export function reportTests(): void {
  describe("metric sets and send-reports (pglite)", { timeout: 240_000 }, () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let sink: Awaited<ReturnType<typeof smtpSink>>;
    beforeAll(async () => {
      dir = await tempDir("reports");
      sink = await smtpSink();
    });
    afterAll(async () => {
      await sink.close();
      await dir.remove();
    });

    it("sets add, list, replace and remove persist across invocations", async () => {
      const s = ["--store", `pglite:${dir.path}/sets`];
      const add = await cli([
        ...s,
        "sets",
        "add",
        "Daily overview",
        "--metrics",
        "page_views,orders",
        "--to",
        "a@example.org,b@example.org",
        "--alert",
        "orders>100",
        "--alert",
        "orders<5",
      ]);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toBe('added metric set "Daily overview": 2 metrics, 2 recipients, daily\n');

      const list = await cli([...s, "sets", "list", "--json"]);
      expect(list.code, list.stderr).toBe(0);
      const sets = JSON.parse(list.stdout) as Record<string, unknown>[];
      expect(sets).toHaveLength(1);
      expect(sets[0]).toMatchObject({
        name: "Daily overview",
        metrics: ["page_views", "orders"],
        recipients: ["a@example.org", "b@example.org"],
        schedule: "daily",
        thresholds: { orders: { above: 100, below: 5 } },
      });
      expect(sets[0]?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      const replace = await cli([
        ...s,
        "sets",
        "add",
        "Daily overview",
        "--metrics",
        "orders",
        "--to",
        "a@example.org",
        "--schedule",
        "weekly",
      ]);
      expect(replace.stdout).toBe('replaced metric set "Daily overview": 1 metric, 1 recipient, weekly\n');
      const table = await cli([...s, "sets"]);
      expect(table.stdout).toMatch(/^name +schedule +metrics +recipients +alerts\n/);
      expect(table.stdout).toMatch(/^Daily overview +weekly +orders +a@example\.org +-$/m);

      const remove = await cli([...s, "sets", "remove", "Daily overview"]);
      expect(remove.code, remove.stderr).toBe(0);
      expect((await cli([...s, "sets", "list"])).stdout).toBe("no metric sets\n");
      const again = await cli([...s, "sets", "remove", "Daily overview"]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/^error: No metric set named "Daily overview"/);
    });

    it("send-reports: a failed send exits 1 and is retried; the outbox gets one .eml; a second run sends nothing; SMTP delivers", async () => {
      const s = ["--store", `pglite:${dir.path}/send`];
      const today = Math.floor(Date.now() / DAY) * DAY;
      const at = new Date(Math.min(Date.now(), today + 60_000)).toISOString();
      // Fixed for the run: one hour into tomorrow (UTC), so "today" is the last closed day.
      const now = new Date(today + DAY + HOUR).toISOString();
      for (const args of [
        ["record", "page_views", "--by", "42", "--at", at],
        ["record", "orders", "--by", "7", "--at", at],
        ["sets", "add", "Ops daily", "--metrics", "page_views,orders", "--to", "ops@example.org"],
      ]) {
        const r = await cli([...s, ...args]);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }

      // Nothing listens on port 1: the send fails, exit 1, and the claim is released.
      const failing = await cli([
        ...s,
        "send-reports",
        "--smtp",
        "smtp://127.0.0.1:1",
        "--now",
        now,
        "--json",
      ]);
      expect(failing.code, failing.stderr).toBe(1);
      const failed = JSON.parse(failing.stdout) as SendResult;
      expect(failed.sent).toEqual([]);
      expect(failed.failed.map((f) => f.set)).toEqual(["Ops daily"]);

      const outbox = join(dir.path, "outbox");
      const first = await cli([...s, "send-reports", "--outbox", outbox, "--now", now]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^Ops daily +daily:\d{4}-\d{2}-\d{2} +sent +ops@example\.org$/m);
      expect(first.stdout).toContain("1 sent, 0 skipped, 0 failed");
      expect(first.stderr).toContain(`reports: outbox ${outbox}`);
      const files = (await readdir(outbox)).filter((f) => f.endsWith(".eml"));
      expect(files).toHaveLength(1);
      const eml = unfold(await readFile(join(outbox, files[0] ?? ""), "utf8"));
      expect(eml).toMatch(/^To: ops@example\.org/m);
      expect(eml).toContain("Ops daily");
      expect(eml).toContain("page_views");
      expect(eml).toContain("orders");

      const second = await cli([...s, "send-reports", "--outbox", outbox, "--now", now, "--json"]);
      expect(second.code, second.stderr).toBe(0);
      const result = JSON.parse(second.stdout) as SendResult;
      expect(result.sent).toEqual([]);
      expect(result.skipped).toEqual([
        expect.objectContaining({ set: "Ops daily", reason: "sent-or-claimed" }),
      ]);
      expect((await readdir(outbox)).filter((f) => f.endsWith(".eml"))).toHaveLength(1);

      // A second set goes out through a real SMTP server (TALLYBOARD_SMTP); the first is not sent again.
      const add = await cli([
        ...s,
        "sets",
        "add",
        "Mail test",
        "--metrics",
        "orders",
        "--to",
        "x@example.org",
      ]);
      expect(add.code, add.stderr).toBe(0);
      const smtp = await cli(
        [...s, "send-reports", "--now", now, "--from", "tb <tb@example.org>", "--json"],
        {
          env: { TALLYBOARD_SMTP: sink.url },
        },
      );
      expect(smtp.code, smtp.stderr).toBe(0);
      const viaSmtp = JSON.parse(smtp.stdout) as SendResult;
      expect(viaSmtp.sent.map((x) => x.set)).toEqual(["Mail test"]);
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0]?.to).toEqual(["x@example.org"]);
      const data = unfold(sink.messages[0]?.data ?? "");
      expect(data).toMatch(/^From: tb <tb@example\.org>/m);
      expect(data).toContain("Mail test");
      expect(data).toContain("orders");
    });
  });

  describe.concurrent("metric set usage errors (exit 2)", () => {
    const mem = ["--store", "memory:"];
    const add = [...mem, "sets", "add", "X"];
    const cases: [string, string[], RegExp][] = [
      ["missing --metrics", [...add, "--to", "a@example.org"], /--metrics/],
      ["missing --to", [...add, "--metrics", "a"], /--to/],
      ["a malformed alert", [...add, "--metrics", "a", "--to", "a@example.org", "--alert", "a=5"], /--alert/],
      [
        "an alert on a slug outside the set",
        [...add, "--metrics", "a", "--to", "a@example.org", "--alert", "b>5"],
        /^error: .*"b".*not one of the set's metrics/,
      ],
      ["a bad address", [...add, "--metrics", "a", "--to", "not-an-address"], /^error: .*"not-an-address"/],
      [
        "a bad schedule",
        [...add, "--metrics", "a", "--to", "a@example.org", "--schedule", "every tuesday"],
        /^error: .*"every tuesday"/,
      ],
      ["a bad slug", [...add, "--metrics", "not a slug", "--to", "a@example.org"], /E_INVALID_SLUG/],
      [
        "a bad SMTP URL",
        [...mem, "send-reports", "--smtp", "ftp://example.org"],
        /^error: .*smtp:\/\/.*"ftp:\/\/example\.org"/,
      ],
      ["a bad --now", [...mem, "send-reports", "--now", "someday"], /--now/],
    ];
    for (const [label, args, message] of cases) {
      it(label, async () => {
        const r = await cli(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe("");
      });
    }
  });
}
