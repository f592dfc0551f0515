/**
 * Several senders (separate metrics instances, as separate processes would
 * be) share one Redis prefix or one Postgres schema and run sendReports() at
 * the same moment after a downtime, through a real SMTP server: every missed
 * period must arrive exactly once and oldest first, periods beyond maxCatchUp
 * are skipped, and a sender whose send fails releases its claim so that a
 * later run sends that period (and the later ones) in order.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import {
  closedPeriods,
  createReports,
  type ReportMessage,
  type ReportTransport,
  type SendReportsResult,
  smtpTransport,
} from "../../src/reports/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Store } from "../../src/stores/types.js";
import { createCalendar } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../stores/_postgres.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { startSmtp, type TestSmtp } from "./_mail.js";

const TZ = "America/New_York";
const HOUR = 3_600_000;
/** 09:30 in New York on Wednesday 2024-11-06; the downtime spans the fall-back night of Nov 3 (a 25-hour day). */
const NOW = Date.parse("2024-11-06T14:30:00Z");
/** Created 5 days and a bit before: 5 daily periods are due, and 20 six-hourly ones (more than maxCatchUp). */
const CREATED = NOW - 5 * 24 * HOUR - 2 * HOUR;
const SENDERS = 4;
const MAX_CATCH_UP = 7;
const SETS = [
  { name: "Daily", schedule: "daily" },
  { name: "Six-hourly", schedule: "0 */6 * * *" },
  { name: "Weekly", schedule: "weekly" },
] as const;

interface Backend {
  name: string;
  open(): Store;
  cleanup(): Promise<void>;
}

const backends: (() => Backend)[] = [
  () => {
    const prefix = randomPrefix();
    return {
      name: "Redis",
      open: () => redisStore({ url: SHARED_URL, prefix }),
      cleanup: async () => {
        const admin = new Redis(SHARED_URL);
        await dropPrefix(admin, prefix);
        admin.disconnect();
      },
    };
  },
  () => {
    const schema = uniqueSchema("reports");
    return {
      name: "Postgres",
      open: () => postgresStore({ url: POSTGRES_URL, schema, maxConnections: 3 }),
      cleanup: () => dropSchema(schema),
    };
  },
];

/** Subjects expected per set, oldest first: the last maxCatchUp periods that ended after CREATED. */
function expectedSubjects(schedule: string, name: string, now: number): string[] {
  const calendar = createCalendar({ timezone: TZ });
  return closedPeriods(schedule, calendar, now, { limit: MAX_CATCH_UP, after: CREATED })
    .reverse()
    .map((p) => `tallyboard report: ${name} — ${p.label}`);
}

/** Wraps transports so that the first message with `subject`, through any of them, fails once. */
function failOnce(subject: string) {
  let failed = false;
  return (inner: ReportTransport): ReportTransport => ({
    async send(message: ReportMessage) {
      if (!failed && message.subject === subject) {
        failed = true;
        throw new Error("simulated outage of this sender's mail relay");
      }
      await inner.send(message);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  });
}

for (const makeBackend of backends) {
  const backend = makeBackend();
  describe(`catch-up with ${SENDERS} concurrent senders on one ${backend.name} store`, () => {
    let smtp: TestSmtp;
    const instances: Metrics[] = [];
    const transports: ReportTransport[] = [];

    beforeAll(async () => {
      smtp = await startSmtp();
      for (let i = 0; i < SENDERS; i++) {
        instances.push(createMetrics({ store: backend.open(), timezone: TZ, now: () => NOW }));
      }
    });
    afterAll(async () => {
      for (const t of transports) await t.close?.();
      for (const m of instances) await m.dispose();
      await smtp.close();
      await backend.cleanup();
    });

    it("sends every missed period exactly once, oldest first; a failed send is retried by the next run", async () => {
      const daily = expectedSubjects("daily", "Daily", NOW);
      expect(daily).toHaveLength(5);
      const warnings: string[] = [];
      // Whichever sender sends the third daily report first fails it.
      const flaky = failOnce(daily[2] as string);
      const reports = instances.map((m) => {
        const transport = flaky(smtpTransport({ host: "127.0.0.1", port: smtp.port, ignoreTLS: true }));
        transports.push(transport);
        return createReports(m, {
          transport,
          now: () => CREATED,
          maxCatchUp: MAX_CATCH_UP,
          logger: { warn: (msg: string) => warnings.push(msg), error: () => {} },
        });
      });
      await instances[0]?.record("orders", { by: 3, at: NOW - 30 * HOUR });
      for (const set of SETS) {
        await reports[0]?.createMetricSet({
          ...set,
          metrics: ["orders"],
          recipients: [`${set.name.toLowerCase()}@example.org`],
        });
      }

      const round = (now: number) => Promise.all(reports.map((r) => r.sendReports({ now })));
      const first = await round(NOW);
      const failed = first.flatMap((r) => r.failed);
      expect(failed).toEqual([
        { set: "Daily", period: expect.stringMatching(/^daily:/), error: expect.stringContaining("outage") },
      ]);
      // Whatever the first round left (the failed period and what follows it) goes out on the next run.
      const second = await round(NOW + 60_000);
      expect(second.flatMap((r) => r.failed)).toEqual([]);
      const third = await round(NOW + 120_000);
      expect(third.flatMap((r) => r.sent)).toEqual([]);

      const all: SendReportsResult[] = [...first, ...second, ...third];
      for (const set of SETS) {
        const expected = expectedSubjects(set.schedule, set.name, NOW);
        const arrived = smtp.messages
          .filter((m) => m.to[0] === `${set.name.toLowerCase()}@example.org`)
          .map((m) => m.headers.subject);
        expect(arrived, set.name).toEqual(expected);
        const sentKeys = all.flatMap((r) => r.sent.filter((s) => s.set === set.name).map((s) => s.period));
        expect(new Set(sentKeys).size, set.name).toBe(sentKeys.length);
        expect(sentKeys.sort(), set.name).toEqual(
          closedPeriods(set.schedule, createCalendar({ timezone: TZ }), NOW, {
            limit: MAX_CATCH_UP,
            after: CREATED,
          })
            .map((p) => p.key)
            .sort(),
        );
      }
      // 20 six-hourly periods were missed: the 13 oldest are skipped with one note.
      expect(expectedSubjects("0 */6 * * *", "x", NOW)).toHaveLength(MAX_CATCH_UP);
      const notes = warnings.filter((w) => w.includes("Six-hourly") && w.includes("maxCatchUp"));
      expect(notes).toHaveLength(1);
      expect(all.flatMap((r) => r.skipped.filter((s) => s.reason === "over-max-catch-up"))).toEqual([
        { set: "Six-hourly", period: "cron:2024-11-04T17:00:00.000Z", reason: "over-max-catch-up" },
      ]);
      expect(warnings.filter((w) => !w.includes("maxCatchUp"))).toEqual([]);
      // The 25-hour day of the fall-back is one period.
      expect(smtp.messages.map((m) => m.headers.subject)).toContain("tallyboard report: Daily — 2024-11-03");
    });
  });
}
