import { describe, expect, it } from "vitest";
import { buildReport, createReports, type ReportMessage } from "../../src/reports/index.js";
import { type Json, NOW, setup } from "./_setup.js";

const DAY = 86_400_000;
const READ = "read-only-token-0123456789";
const WRITE = "read-write-token-0123456789";

async function withSet(options: Parameters<typeof setup>[0] = {}) {
  const sent: ReportMessage[] = [];
  const transport = { send: async (m: ReportMessage) => void sent.push(m) };
  const t = setup({ reports: { transport, from: "ops <ops@example.org>" }, ...options });
  await t.metrics.recordMany([
    { slug: "signups", by: 4, at: NOW - DAY },
    { slug: "signups", by: 9, at: NOW - 2 * DAY },
  ]);
  const reports = createReports(t.metrics, { transport, now: () => NOW - 30 * DAY });
  const name = 'Daily <b>"overview"</b>/x';
  await reports.createMetricSet({ name, metrics: ["signups"], recipients: ["a@example.org"] });
  return { t, sent, reports, name, path: `/api/v1/sets/${encodeURIComponent(name)}` };
}

describe("metric set preview and send now", () => {
  it("previews exactly the report that would be mailed now, and serves it to a sandboxed frame", async () => {
    const { t, reports, name, path } = await withSet();
    const { status, body } = await t.get(`${path}/preview`);
    expect(status).toBe(200);
    const mail = buildReport(await reports.reportData(name, { now: NOW }));
    expect(body).toMatchObject({ set: name, subject: mail.subject, html: mail.html, text: mail.text });
    expect(body.period.key).toBe("daily:2024-03-14");
    const frame = await t.app.request(`/report-preview/${body.frame}`);
    expect(frame.status).toBe(200);
    expect(await frame.text()).toBe(mail.html);
    const csp = frame.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("sandbox");
    expect(csp).not.toContain("script-src");
    expect(frame.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    // The page itself keeps the strict policy.
    const page = await t.app.request("/");
    expect(page.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("Content-Security-Policy")).not.toContain("unsafe");
  });

  it("refuses unknown and guessed frame ids", async () => {
    const { t } = await withSet();
    for (const id of ["0".repeat(32), "x", "..%2Fassets"]) {
      expect((await t.app.request(`/report-preview/${id}`)).status).toBe(404);
    }
  });

  it("lists each set's latest closed period and next due time", async () => {
    const { t, name } = await withSet();
    const { body } = await t.get("/api/v1/sets/schedule");
    expect(body.canSend).toBe(true);
    expect(body.sets).toEqual([
      {
        name,
        lastPeriod: { key: "daily:2024-03-14", label: "2024-03-14", beforeCreated: false },
        nextDue: "2024-03-16T00:00:00.000Z",
      },
    ]);
  });

  it("sends the previewed report now through the configured transport", async () => {
    const { t, sent, name, path } = await withSet();
    const preview = (await t.get(`${path}/preview`)).body as Json;
    const { status, body } = await t.send(`${path}/send`, {});
    expect(status).toBe(200);
    expect(body).toEqual({ sent: true, set: name, period: "daily:2024-03-14", to: ["a@example.org"] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      from: "ops <ops@example.org>",
      to: ["a@example.org"],
      html: preview.html,
    });
  });

  it("needs a write token to send, and a transport", async () => {
    const auth = {
      tokens: [
        { token: READ, scopes: ["read"] as const },
        { token: WRITE, scopes: ["read", "write"] as const },
      ],
    };
    const { t, sent, path } = await withSet({
      auth: { tokens: auth.tokens.map((x) => ({ ...x, scopes: [...x.scopes] })) },
    });
    expect((await t.send(`${path}/send`, {}, { headers: { Authorization: `Bearer ${READ}` } })).status).toBe(
      403,
    );
    expect(sent).toHaveLength(0);
    expect((await t.send(`${path}/send`, {}, { headers: { Authorization: `Bearer ${WRITE}` } })).status).toBe(
      200,
    );
    const bare = setup();
    const r = await bare.send("/api/v1/sets/x/send", {});
    expect([r.status, r.body.error.code]).toEqual([501, "E_UNSUPPORTED"]);
    expect((await bare.get("/api/v1/sets/schedule")).body.canSend).toBe(false);
  });

  it("answers an unknown set with 404", async () => {
    const { t } = await withSet();
    expect((await t.get("/api/v1/sets/nope/preview")).status).toBe(404);
  });
});
