import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { createReports, smtpTransport } from "../../src/reports/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { startSmtp, type TestSmtp } from "./_mail.js";

const NOW = Date.parse("2024-05-02T14:00:00Z");
const CREATED = Date.parse("2024-04-01T00:00:00Z");

/** Two processes' worth of metrics + reports sharing one Redis prefix. */
describe("sendReports with two instances on one Redis store", () => {
  const prefix = randomPrefix();
  const admin = new Redis(SHARED_URL, { lazyConnect: true });
  const instances: Metrics[] = [];
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtp();
    for (let i = 0; i < 2; i++) {
      instances.push(
        createMetrics({
          store: redisStore({ url: SHARED_URL, prefix }),
          timezone: "Europe/Berlin",
          now: () => NOW,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const m of instances) await m.dispose();
    await smtp.close();
    await dropPrefix(admin, prefix);
    admin.disconnect();
  });

  it("sends each report exactly once when both run at the same time, and never again", async () => {
    const [a, b] = instances as [Metrics, Metrics];
    await a.record("orders", { by: 4, at: Date.parse("2024-05-01T10:00:00Z") });
    const make = (m: Metrics) =>
      createReports(m, {
        transport: smtpTransport({ host: "127.0.0.1", port: smtp.port, ignoreTLS: true }),
        now: () => CREATED,
      });
    const ra = make(a);
    const rb = make(b);
    for (const name of ["Daily", "Ops", "Sales"]) {
      await ra.createMetricSet({
        name,
        metrics: ["orders"],
        recipients: [`${name.toLowerCase()}@example.org`],
      });
    }
    expect((await rb.metricSets()).map((s) => s.name)).toEqual(["Daily", "Ops", "Sales"]);

    const results = await Promise.all([ra.sendReports({ now: NOW }), rb.sendReports({ now: NOW })]);
    const sent = results.flatMap((r) => r.sent.map((s) => s.set)).sort();
    expect(sent).toEqual(["Daily", "Ops", "Sales"]);
    expect(results.flatMap((r) => r.skipped.map((s) => s.reason))).toEqual(Array(3).fill("sent-or-claimed"));
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual([
      "daily@example.org",
      "ops@example.org",
      "sales@example.org",
    ]);
    expect(smtp.messages[0]?.headers.subject).toMatch(/^tallyboard report: \w+ — 2024-05-01$/);

    const again = await Promise.all([
      ra.sendReports({ now: NOW + 60_000 }),
      rb.sendReports({ now: NOW + 60_000 }),
    ]);
    expect(again.flatMap((r) => r.sent)).toEqual([]);
    expect(smtp.messages).toHaveLength(3);
  });
});
