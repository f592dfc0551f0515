import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { createReports, smtpTransport } from "../../src/reports/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { NOW, setup } from "./_fixtures.js";

const DAY = 86_400_000;

import { startSmtp, type TestSmtp } from "./_mail.js";

describe("sendReports over a real SMTP server", () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it("sends once per period, skips the sent one, retries a failed send on the next run", async () => {
    const metrics = await setup();
    const errors: string[] = [];
    const transport = smtpTransport({ host: "127.0.0.1", port: smtp.port, secure: false, ignoreTLS: true });
    // Created on the day reported, so that day is the only one due.
    let created = NOW - DAY;
    const reports = createReports(metrics, {
      transport,
      from: "Metrics <metrics@example.org>",
      now: () => created,
      logger: { warn: () => {}, error: (m: string) => errors.push(m) },
    });
    await reports.createMetricSet({
      name: "Daily overview",
      metrics: ["signups"],
      recipients: ["ops@example.org", "cto@example.org"],
      thresholds: { signups: { above: 2 } },
    });
    const first = await reports.sendReports({ now: NOW });
    expect(first).toEqual({
      sent: [
        {
          set: "Daily overview",
          period: "daily:2024-05-01",
          recipients: ["ops@example.org", "cto@example.org"],
        },
      ],
      skipped: [],
      failed: [],
    });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0];
    expect(mail?.to).toEqual(["ops@example.org", "cto@example.org"]);
    expect(mail?.from).toBe("metrics@example.org");
    expect(mail?.headers.subject).toBe("tallyboard report: Daily overview — 2024-05-01 — 1 alert");
    expect(mail?.headers["content-type"]).toMatch(/^multipart\/alternative/);

    const second = await reports.sendReports({ now: NOW + 3_600_000 });
    expect(second.sent).toEqual([]);
    expect(second.skipped).toEqual([
      { set: "Daily overview", period: "daily:2024-05-01", reason: "sent-or-claimed" },
    ]);
    expect(smtp.messages).toHaveLength(1);

    created = Date.parse("2024-04-25T12:00:00Z"); // in the week of April 22
    await reports.createMetricSet({
      name: "Weekly",
      metrics: ["signups"],
      recipients: ["team@example.org"],
      schedule: "weekly",
    });
    smtp.reject = "mailbox busy, try later";
    const failing = await reports.sendReports({ now: NOW });
    expect(failing.sent).toEqual([]);
    expect(failing.failed).toEqual([
      { set: "Weekly", period: "weekly:2024-04-22", error: expect.stringContaining("mailbox busy") },
    ]);
    expect(errors.some((e) => e.includes("Weekly") && e.includes("mailbox busy"))).toBe(true);
    expect(smtp.messages).toHaveLength(1);

    smtp.reject = null;
    const retry = await reports.sendReports({ now: NOW });
    expect(retry.sent.map((s) => s.set)).toEqual(["Weekly"]);
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages[1]?.headers.subject).toBe("tallyboard report: Weekly — 2024-04-22 – 2024-04-28");
    await transport.close?.();
  });

  it("reports a stopped SMTP server as failed and sends on the next run", async () => {
    const metrics = await setup();
    const down = await startSmtp();
    await down.close();
    const dead = smtpTransport(`smtp://127.0.0.1:${down.port}`);
    const reports = createReports(metrics, { transport: dead, now: () => NOW - DAY });
    await reports.createMetricSet({ name: "S", metrics: ["signups"], recipients: ["a@example.org"] });
    const failed = await reports.sendReports({ now: NOW });
    expect(failed.failed).toEqual([
      { set: "S", period: "daily:2024-05-01", error: expect.stringMatching(/ECONNREFUSED|connect/i) },
    ]);
    const live = createReports(metrics, {
      transport: smtpTransport({ host: "127.0.0.1", port: smtp.port, ignoreTLS: true }),
    });
    const before = smtp.messages.length;
    expect((await live.sendReports({ now: NOW })).sent.map((s) => s.period)).toEqual(["daily:2024-05-01"]);
    expect(smtp.messages.length).toBe(before + 1);
  });

  it("skips periods that ended before the set was created, and live claims of other senders until their lease ends", async () => {
    const metrics = await setup();
    const sent: string[] = [];
    const reports = createReports(metrics, {
      transport: { send: async (m) => void sent.push(m.subject) },
      now: () => NOW,
      leaseMs: 60_000,
    });
    await reports.createMetricSet({ name: "New", metrics: ["signups"], recipients: ["a@example.org"] });
    expect((await reports.sendReports({ now: NOW })).skipped).toEqual([
      { set: "New", period: "daily:2024-05-01", reason: "before-created" },
    ]);
    const nextDay = NOW + 86_400_000;
    expect(
      await metrics.store.claimReport({
        set: "New",
        period: "daily:2024-05-02",
        owner: "another sender",
        now: nextDay,
        leaseMs: 60_000,
      }),
    ).toBe("claimed");
    expect((await reports.sendReports({ now: nextDay + 1000 })).skipped[0]?.reason).toBe("sent-or-claimed");
    expect((await reports.sendReports({ now: nextDay + 61_000 })).sent.map((s) => s.period)).toEqual([
      "daily:2024-05-02",
    ]);
    expect(sent).toEqual(["tallyboard report: New — 2024-05-02"]);
  });
});

describe("sendReports when the store fails", () => {
  it("reports a set whose claim fails as failed and goes on with the others", async () => {
    const inner = memoryStore();
    let broken = true;
    const store = {
      ...inner,
      claimReport: async (claim: Parameters<typeof inner.claimReport>[0]) => {
        if (broken && claim.set === "A") throw new Error("store unreachable");
        return inner.claimReport(claim);
      },
    };
    const metrics = createMetrics({ store, timezone: "America/New_York" });
    const sent: string[] = [];
    const reports = createReports(metrics, {
      transport: { send: async (m) => void sent.push(m.set ?? "") },
      now: () => NOW - DAY,
    });
    for (const name of ["A", "B"])
      await reports.createMetricSet({ name, metrics: ["x"], recipients: ["a@x.org"] });
    const first = await reports.sendReports({ now: NOW });
    expect(first.failed).toEqual([{ set: "A", period: "daily:2024-05-01", error: "store unreachable" }]);
    expect(first.sent.map((s) => s.set)).toEqual(["B"]);
    broken = false;
    expect((await reports.sendReports({ now: NOW })).sent.map((s) => s.set)).toEqual(["A"]);
    expect(sent).toEqual(["B", "A"]);
  });
});
