/**
 * SMTP URLs whose password holds "/", "@", ":" or "%": read correctly (a real
 * SMTP server with AUTH checks the password), and never shown in an error, a
 * log line, the CLI's description of the transport or a Node warning.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../../src/cli/_context.js";
import { openReports } from "../../src/cli/_reports.js";
import { startReportScheduler } from "../../src/cli/_scheduler.js";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { parseSmtpUrl } from "../../src/reports/_smtp-url.js";
import { createReports, type Reports, smtpTransport } from "../../src/reports/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { NOW } from "./_fixtures.js";
import { startSmtp, type TestSmtp } from "./_mail.js";

const DAY = 86_400_000;
const PASSWORD = "p/a@s:s%w0rd%";
/** Passwords that hold a marker word and the characters URLs trip on. */
const secrets = fc
  .array(fc.constantFrom("/", "@", ":", "%", "%2F", "%40", "a", "Z", "9", "#", "?", "é"), {
    maxLength: 12,
  })
  .map((parts) => `S3cr3tW0rd${parts.join("")}`);

/** Collects what a run prints, logs or warns. */
function sink() {
  const lines: string[] = [];
  const logger = {
    warn: (m: string, ...a: unknown[]) => void lines.push(m, ...a.map(String)),
    error: (m: string, ...a: unknown[]) => void lines.push(m, ...a.map(String)),
    info: (m: string) => void lines.push(m),
  };
  return { lines, logger };
}

async function reportsFor(
  transport: ReturnType<typeof smtpTransport>,
  logger: ReturnType<typeof sink>["logger"],
) {
  const metrics = createMetrics({ store: memoryStore(), timezone: "America/New_York", now: () => NOW });
  const reports = createReports(metrics, { transport, logger, now: () => NOW - DAY });
  await reports.createMetricSet({ name: "S", metrics: ["x"], recipients: ["a@example.org"] });
  return { metrics, reports };
}

describe("SMTP URLs with passwords holding / @ : %", () => {
  let smtp: TestSmtp;
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
  beforeAll(async () => {
    smtp = await startSmtp({ user: "mailer@example.org", pass: PASSWORD });
    process.on("warning", onWarning);
  });
  afterAll(async () => {
    process.off("warning", onWarning);
    await smtp.close();
  });

  it("authenticates with the password written raw or percent-encoded, and Node warns about nothing", async () => {
    for (const url of [
      `smtp://mailer%40example.org:${PASSWORD}@127.0.0.1:${smtp.port}?ignoreTLS=true`,
      `smtp://${encodeURIComponent("mailer@example.org")}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}/?ignoreTLS=true`,
    ]) {
      const transport = smtpTransport(url);
      const { reports } = await reportsFor(transport, sink().logger);
      const result = await reports.sendReports({ now: NOW });
      expect(result.failed, url).toEqual([]);
      expect(result.sent).toHaveLength(1);
      await transport.close?.();
    }
    expect(smtp.messages).toHaveLength(2);
    await new Promise((r) => setImmediate(r));
    expect(warnings).toEqual([]);
  });

  it("a refused password fails the send without showing it", async () => {
    const { lines, logger } = sink();
    const transport = smtpTransport(
      `smtp://mailer%40example.org:S3cr3tW0rd/x@127.0.0.1:${smtp.port}?ignoreTLS=true`,
    );
    const { reports } = await reportsFor(transport, logger);
    const result = await reports.sendReports({ now: NOW });
    expect(result.failed).toEqual([
      { set: "S", period: "daily:2024-05-01", error: expect.stringMatching(/535|auth/i) },
    ]);
    expect(JSON.stringify(result) + lines.join("\n")).not.toContain("S3cr3tW0rd");
    await transport.close?.();
  });

  it("reads user, password, host, port and options back from any URL-encoded credentials", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 65_535 }), (user, pass, port) => {
        fc.pre(user !== "");
        const url = `smtps://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@mail.example.org:${port}/?pool=true&maxConnections=3`;
        expect(parseSmtpUrl(url)).toEqual({
          host: "mail.example.org",
          port,
          secure: true,
          auth: { user, pass },
          pool: true,
          maxConnections: 3,
        });
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9/@:]{0,20}$/), (pass) => {
        expect(parseSmtpUrl(`smtp://u:${pass}@[::1]:25`)).toEqual({
          host: "::1",
          port: 25,
          secure: false,
          auth: { user: "u", pass },
        });
      }),
    );
  });

  it("never shows the password: invalid URLs, unreachable servers, log lines, the CLI's transport line and scheduler", async () => {
    const { port } = smtp;
    await fc.assert(
      fc.asyncProperty(secrets, async (secret) => {
        for (const bad of [`smtpx://u:${secret}@h`, `smtp://u:${secret}@`, `smtp://u:${secret}@h:99999`]) {
          const error = (() => {
            try {
              smtpTransport(bad);
            } catch (e) {
              return e;
            }
          })();
          expect(error).toBeInstanceOf(MetricsError);
          expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
          expect((error as Error).message).not.toContain("S3cr3tW0rd");
        }
        // A server that is gone: the failure is reported and logged, without the secret.
        const { lines, logger } = sink();
        const transport = smtpTransport(`smtp://u:${secret}@127.0.0.1:1`);
        const { reports } = await reportsFor(transport, logger);
        const result = await reports.sendReports({ now: NOW });
        expect(result.failed).toHaveLength(1);
        expect(JSON.stringify(result) + lines.join("\n")).not.toContain("S3cr3tW0rd");
        // The CLI describes its transport without it, and so does the scheduler's error line.
        const out: string[] = [];
        const ctx = cliContext(out);
        const metrics = createMetrics({ store: memoryStore() });
        const open = await openReports(
          metrics,
          { kind: "memory" },
          { smtp: `smtp://u:${secret}@127.0.0.1:${port}` },
          ctx,
        );
        expect(open.where).toMatch(/^smtp smtp:\/\/u:\*\*\*@127\.0\.0\.1:\d+$/);
        const failing: Reports = {
          ...open.reports,
          sendReports: () => Promise.reject(new Error(`store at redis://admin:${secret}@db:6379 is down`)),
        };
        const scheduler = startReportScheduler({
          reports: failing,
          timezone: "UTC",
          stdout: ctx.stdout,
          logger: { warn: (m) => void out.push(m), error: (m, ...a) => void out.push(m, ...a.map(String)) },
          runNow: false,
        });
        await scheduler.runOnce();
        await scheduler.stop();
        await open.close();
        expect(out.join("\n")).toContain("redis://admin:***@db:6379");
        expect(out.join("\n")).not.toContain("S3cr3tW0rd");
      }),
      { numRuns: 15 },
    );
  });
});

function cliContext(out: string[]): CliContext {
  const output = { write: (s: string) => void out.push(s), color: false, isTTY: false };
  return {
    env: {},
    cwd: process.cwd(),
    stdout: output,
    stderr: output,
    waitForSignal: () => new Promise(() => {}),
    pid: process.pid,
    now: () => NOW,
  } as unknown as CliContext;
}
