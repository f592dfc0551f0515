import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { createReports, directoryTransport, smtpTransport } from "../../src/reports/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { parseHeaders, startSmtp, type TestSmtp } from "./_mail.js";

const NOW = Date.parse("2024-05-02T14:00:00Z"); // 10:00 in New York; the last closed day is May 1
const CREATED = Date.parse("2024-04-01T00:00:00Z");
const at = (iso: string) => ({ at: Date.parse(iso) });

async function setup() {
  const metrics = createMetrics({ store: memoryStore(), timezone: "America/New_York", now: () => NOW });
  await metrics.createMetric({ slug: "signups", name: "Sign-ups", unit: "users" });
  await metrics.record("signups", { by: 3, ...at("2024-05-01T12:00:00Z") });
  await metrics.record("signups", { by: 2, ...at("2024-04-30T12:00:00Z") });
  await metrics.record("signups", { by: 5, ...at("2024-04-24T12:00:00Z") });
  await metrics.record("signups", { by: 7, ...at("2023-06-01T12:00:00Z") });
  await metrics.record("signups", { by: 100, ...at("2024-05-02T12:00:00Z") }); // after the period
  await metrics.record("monthly_only", {
    by: 9,
    ...at("2024-05-01T12:00:00Z"),
    granularities: { min: "months" },
  });
  return metrics;
}

describe("createMetricSet", () => {
  it.each([
    [{ name: "", metrics: ["a"], recipients: ["a@x.org"] }, "E_INVALID_OPTION", '""'],
    [{ name: "S", metrics: ["bad slug"], recipients: ["a@x.org"] }, "E_INVALID_SLUG", "bad slug"],
    [{ name: "S", metrics: [], recipients: ["a@x.org"] }, "E_INVALID_OPTION", "metrics"],
    [{ name: "S", metrics: ["a"], recipients: ["not-an-address"] }, "E_INVALID_OPTION", "not-an-address"],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], schedule: "hourly-ish" },
      "E_INVALID_OPTION",
      "hourly-ish",
    ],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], thresholds: { a: { above: "10" } } },
      "E_INVALID_OPTION",
      '"10"',
    ],
    [
      { name: "S", metrics: ["a"], recipients: ["a@x.org"], thresholds: { b: { above: 1 } } },
      "E_INVALID_OPTION",
      '"b"',
    ],
  ])("rejects %j", async (options, code, named) => {
    const reports = createReports(createMetrics(), { transport: { send: async () => {} } });
    await expect(reports.createMetricSet(options as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(named),
    });
  });

  it("stores sets with createdAt, keeps createdAt when a set is replaced, deletes", async () => {
    let clock = CREATED;
    const reports = createReports(createMetrics(), { transport: { send: async () => {} }, now: () => clock });
    const set = await reports.createMetricSet({
      name: "Ops",
      metrics: ["a"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * 1",
    });
    expect(set).toEqual({
      name: "Ops",
      metrics: ["a"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * 1",
      createdAt: CREATED,
    });
    clock = NOW;
    await reports.createMetricSet({ name: "Ops", metrics: ["a", "b"], recipients: ["a@x.org"] });
    expect(await reports.metricSets()).toEqual([
      { name: "Ops", metrics: ["a", "b"], recipients: ["a@x.org"], schedule: "daily", createdAt: CREATED },
    ]);
    await reports.deleteMetricSet("Ops");
    expect(await reports.metricSets()).toEqual([]);
    await expect(reports.deleteMetricSet("Ops")).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});

describe("reportData", () => {
  it("counts the period, the one before, and day/week/month/year to date in the local calendar", async () => {
    const metrics = await setup();
    const reports = createReports(metrics, { transport: { send: async () => {} }, now: () => CREATED });
    await reports.createMetricSet({
      name: "Daily overview",
      metrics: ["signups", "monthly_only", "never"],
      recipients: ["ops@example.org"],
      thresholds: { signups: { above: 2 } },
    });
    const data = await reports.reportData("Daily overview", { now: NOW });
    expect(data.period.key).toBe("daily:2024-05-01");
    const [signups, monthly, never] = data.rows;
    expect(signups).toMatchObject({
      name: "Sign-ups",
      unit: "users",
      period: 3,
      previousPeriod: 2,
      change: 50,
      today: 3,
      yesterday: 2,
      thisWeek: 5, // Monday Apr 29 through May 1
      lastWeek: 5,
      thisMonth: 3,
      lastMonth: 7,
      thisYear: 10,
      lastYear: 7,
      alert: true,
      alertReason: "above 2",
    });
    expect(signups?.daily).toHaveLength(30);
    expect(signups?.daily.slice(-2)).toEqual([
      { start: Date.parse("2024-04-30T04:00:00Z"), count: 2 },
      { start: Date.parse("2024-05-01T04:00:00Z"), count: 3 },
    ]);
    expect(monthly).toMatchObject({
      period: 0,
      thisMonth: 9,
      daily: [],
      note: expect.stringContaining("no daily"),
    });
    expect(never).toMatchObject({ name: "never", period: 0, previousPeriod: 0, change: null, alert: false });
    await expect(reports.reportData("Nope", { now: NOW })).rejects.toMatchObject({ code: "E_NOT_FOUND" });
  });
});

describe("reportData for cron periods", () => {
  it("sums hours for an hour-aligned period, minutes when stored, else whole hours with a note", async () => {
    const metrics = await setup();
    await metrics.record("clicks", { ...at("2024-05-01T12:10:00Z"), granularities: { min: "minutes" } });
    await metrics.record("clicks", {
      by: 2,
      ...at("2024-05-01T12:40:00Z"),
      granularities: { min: "minutes" },
    });
    const reports = createReports(metrics, { transport: { send: async () => {} }, now: () => CREATED });
    await reports.createMetricSet({
      name: "At 8",
      metrics: ["signups"],
      recipients: ["a@x.org"],
      schedule: "0 8 * * *",
    });
    const hourly = await reports.reportData("At 8", { now: NOW });
    expect(hourly.period.start).toBe(Date.parse("2024-05-01T12:00:00Z"));
    expect(hourly.rows[0]).toMatchObject({ period: 3, previousPeriod: 2 });
    expect(hourly.rows[0]?.note).toBeUndefined();

    await reports.createMetricSet({
      name: "At 8:30",
      metrics: ["clicks", "signups"],
      recipients: ["a@x.org"],
      schedule: "30 8 * * *",
    });
    const [clicks, signups] = (await reports.reportData("At 8:30", { now: NOW })).rows;
    expect(clicks).toMatchObject({ period: 2, previousPeriod: 1 });
    expect(clicks?.note).toBeUndefined();
    // signups stores hours only: 12:00–13:00Z on both days is counted whole (3 + 100).
    expect(signups).toMatchObject({ period: 103, note: expect.stringContaining("whole hours") });
  });
});

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
    const reports = createReports(metrics, {
      transport,
      from: "Metrics <metrics@example.org>",
      now: () => CREATED,
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
    const reports = createReports(metrics, { transport: dead, now: () => CREATED });
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
        now: nextDay,
        leaseMs: 60_000,
      }),
    ).toBe(true);
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
      now: () => CREATED,
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

describe("directoryTransport", () => {
  it("writes one parseable .eml per report, atomically, creating the directory", async () => {
    const root = await mkdtemp(join(tmpdir(), "tallyboard-eml-"));
    try {
      const dir = join(root, "out", "box");
      const reports = createReports(await setup(), {
        transport: directoryTransport(dir),
        now: () => CREATED,
      });
      await reports.createMetricSet({
        name: "Daily <overview>",
        metrics: ["signups"],
        recipients: ["ops@example.org"],
      });
      expect((await reports.sendReports({ now: NOW })).sent).toHaveLength(1);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}T\d{6}Z-daily-overview-[0-9a-f]{6}\.eml$/);
      const raw = await readFile(join(dir, files[0] as string), "utf8");
      const headers = parseHeaders(raw);
      expect(headers.subject).toBe("tallyboard report: Daily <overview> — 2024-05-01");
      expect(headers.to).toBe("ops@example.org");
      expect(headers.from).toBe("tallyboard <reports@localhost>");
      expect(headers["content-type"]).toMatch(/^multipart\/alternative; boundary=/);
      expect(raw).toMatch(/Content-Type: text\/plain/);
      expect(raw).toMatch(/Content-Type: text\/html/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("rejects bad transport arguments at once", () => {
    expect(() => directoryTransport("")).toThrowError(expect.objectContaining({ code: "E_INVALID_OPTION" }));
    expect(() => smtpTransport("http://mail.example.org")).toThrowError(
      expect.objectContaining({
        code: "E_INVALID_OPTION",
        message: expect.stringContaining("http://mail.example.org"),
      }),
    );
  });
});
