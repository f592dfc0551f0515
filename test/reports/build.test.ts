import { describe, expect, it } from "vitest";
import type { ReportData, ReportRow } from "../../src/reports/index.js";
import { buildReport } from "../../src/reports/index.js";

const DAY = 86_400_000;
const END = Date.UTC(2024, 4, 2);

function row(over: Omit<Partial<ReportRow>, "unit"> & { unit?: string | undefined } = {}): ReportRow {
  const r: Omit<ReportRow, "unit"> & { unit?: string | undefined } = {
    slug: "signups",
    name: "Signups",
    unit: "users",
    period: 1234,
    previousPeriod: 1000,
    today: 1234,
    yesterday: 1000,
    thisWeek: 5000,
    lastWeek: 4000,
    thisMonth: 1234,
    lastMonth: 30000,
    thisYear: 123456,
    lastYear: 0,
    change: 23.4,
    daily: Array.from({ length: 30 }, (_, i) => ({ start: END - (30 - i) * DAY, count: i * 10 })),
    alert: false,
    ...over,
  };
  if (r.unit === undefined) delete r.unit;
  return r as ReportRow;
}

function data(rows: ReportRow[], name = "Daily overview"): ReportData {
  return {
    set: {
      name,
      metrics: rows.map((r) => r.slug),
      recipients: ["ops@example.org"],
      schedule: "daily",
      createdAt: 0,
    },
    period: { key: "daily:2024-05-01", start: END - DAY, end: END, label: "2024-05-01" },
    timezone: "UTC",
    rows,
    generatedAt: END + 3_600_000,
  };
}

describe("buildReport", () => {
  it("is pure: the same data gives the same report", () => {
    const d = data([row()]);
    const copy = structuredClone(d);
    expect(buildReport(d)).toEqual(buildReport(d));
    expect(d).toEqual(copy);
  });

  it("puts set name and period in the subject, and counts alerts", () => {
    expect(buildReport(data([row()])).subject).toBe("tallyboard report: Daily overview — 2024-05-01");
    const two = data([
      row({ alert: true, alertReason: "above 1000" }),
      row({ slug: "errors", name: "Errors", alert: true, alertReason: "above 5" }),
    ]);
    expect(buildReport(two).subject).toBe("tallyboard report: Daily overview — 2024-05-01 — 2 alerts");
    expect(buildReport(data([row({ alert: true, alertReason: "below 2" })])).subject).toMatch(/— 1 alert$/);
  });

  it("renders the numbers as an aligned text table", () => {
    const { text } = buildReport(
      data([row(), row({ slug: "errors", name: "Errors", unit: undefined, period: 7, previousPeriod: 14 })]),
    );
    const lines = text.split("\n");
    const header = lines.find((l) => l.startsWith("Metric")) as string;
    const signups = lines.find((l) => l.startsWith("Signups (users)")) as string;
    const errors = lines.find((l) => l.startsWith("Errors")) as string;
    expect(signups).toContain("1,234");
    expect(signups).toContain("▲ 23.4%");
    expect(signups).toContain("123,456");
    expect(errors).toContain("▼ 50.0%");
    // Right-aligned columns end at the same place in every line.
    const end = header.indexOf("Previous") + "Previous".length;
    expect(signups.slice(0, end).endsWith("1,000")).toBe(true);
    expect(errors.slice(0, end).endsWith("14")).toBe(true);
  });

  it("shows 'new' when the previous period was 0 and '–' when both were 0", () => {
    const { text, html } = buildReport(
      data([
        row({ period: 5, previousPeriod: 0, change: null }),
        row({ slug: "b", name: "Quiet", period: 0, previousPeriod: 0, change: null }),
      ]),
    );
    expect(text.split("\n").find((l) => l.startsWith("Signups"))).toMatch(/\bnew\b/);
    expect(text.split("\n").find((l) => l.startsWith("Quiet"))).toContain("–");
    expect(html).toContain(">new</span>");
  });

  it("escapes user strings and contains no script, no external image, no style element", () => {
    const evil = '<script>alert("x")</script>';
    const report = buildReport(
      data(
        [
          row({
            name: `Sign${evil}ups`,
            unit: "<b>u</b>",
            note: "<img src=x>",
            alert: true,
            alertReason: "above 1",
          }),
        ],
        `Ops ${evil} & co`,
      ),
    );
    expect(report.html).not.toMatch(/<script/i);
    expect(report.html).not.toContain("<b>u</b>");
    expect(report.html).not.toContain("<img");
    expect(report.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(report.html).toContain("Ops &lt;script&gt;");
    expect(report.html).toContain("&amp; co");
    expect(report.html).not.toMatch(/<img[^>]+src=["']?https?:/i);
    expect(report.html).not.toMatch(/<style|<link|javascript:|\son[a-z]+=/i);
  });

  it("draws a 30-bar chart with CSS heights proportional to the counts", () => {
    const { html } = buildReport(data([row()]));
    const heights = [...html.matchAll(/<td valign="bottom"[^>]*><div style="height:(\d+)px/g)].map((m) =>
      Number(m[1]),
    );
    expect(heights).toHaveLength(30);
    expect(heights[0]).toBe(1); // a zero day is a 1 px baseline
    expect(heights[29]).toBe(60); // the largest day is full height
    expect(heights[15]).toBe(Math.round((150 / 290) * 60));
  });

  it("highlights alert rows in the HTML and lists them in the text", () => {
    const ok = buildReport(data([row()]));
    const alert = buildReport(data([row({ alert: true, alertReason: "above 1000" })]));
    expect(ok.html).not.toContain("ALERT");
    expect(alert.html).toContain("ALERT: above 1000");
    expect(alert.html).toContain("border:2px solid #c62828");
    expect(alert.text).toContain("! Signups (users): 1,234 is above 1000");
  });
});
