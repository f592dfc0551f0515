import { describeValue, MetricsError } from "../errors.js";
import { formatChange, formatNumber, oneLine, rowTitle } from "./_format.js";
import { renderHtml } from "./_html.js";
import type { Report, ReportData, ReportRow } from "./types.js";

/**
 * Render a report as an e-mail: `subject`, a plain-text table and an HTML
 * body that renders in mail clients (tables and inline styles only; bar
 * charts made of cells; no script, no external images). Pure: the same data
 * always gives the same report. Every user-provided string is escaped.
 *
 * @example
 * const { subject, text, html } = buildReport(await reports.reportData("Daily overview"));
 */
export function buildReport(data: ReportData): Report {
  const d = data as Partial<ReportData> | null;
  if (
    d === null ||
    typeof d !== "object" ||
    typeof d.set?.name !== "string" ||
    typeof d.period?.label !== "string" ||
    typeof d.timezone !== "string" ||
    !Array.isArray(d.rows) ||
    !d.rows.every((r) => r !== null && typeof r === "object")
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `buildReport() needs the ReportData of reports.reportData(), got ${describeValue(data)}`,
    );
  }
  const alerts = data.rows.filter((r) => r.alert).length;
  const subject = oneLine(
    `tallyboard report: ${data.set.name} — ${data.period.label}${
      alerts > 0 ? ` — ${alerts} alert${alerts === 1 ? "" : "s"}` : ""
    }`,
  );
  return { subject, text: renderText(data), html: renderHtml(data, subject) };
}

const HEADERS = [
  "Metric",
  "Period",
  "Previous",
  "Change",
  "Today",
  "Yesterday",
  "This week",
  "Last week",
  "This month",
  "Last month",
  "This year",
  "Last year",
];

function cells(row: ReportRow): string[] {
  return [
    `${row.alert ? "! " : ""}${rowTitle(row)}`,
    formatNumber(row.period),
    formatNumber(row.previousPeriod),
    formatChange(row.period, row.previousPeriod),
    ...[
      row.today,
      row.yesterday,
      row.thisWeek,
      row.lastWeek,
      row.thisMonth,
      row.lastMonth,
      row.thisYear,
      row.lastYear,
    ].map(formatNumber),
  ];
}

function renderText(data: ReportData): string {
  const table = [HEADERS, ...data.rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => [...(r[i] ?? "")].length)));
  const pad = (r: string[]) =>
    r
      .map((c, i) => {
        const gap = " ".repeat((widths[i] ?? 0) - [...c].length);
        return i === 0 ? c + gap : gap + c;
      })
      .join("  ")
      .trimEnd();
  const lines = [
    `${oneLine(data.set.name)} — ${data.period.label} (${data.timezone})`,
    "",
    pad(table[0] as string[]),
    pad(widths.map((w) => "-".repeat(w))),
    ...table.slice(1).map(pad),
  ];
  const alerts = data.rows.filter((r) => r.alert);
  if (alerts.length > 0) {
    lines.push(
      "",
      "Alerts:",
      ...alerts.map((r) => `! ${rowTitle(r)}: ${formatNumber(r.period)} is ${r.alertReason}`),
    );
  }
  const notes = data.rows.filter((r) => r.note);
  if (notes.length > 0)
    lines.push("", "Notes:", ...notes.map((r) => `- ${rowTitle(r)}: ${oneLine(r.note ?? "")}`));
  lines.push(
    "",
    "Change compares the period with the one before it. Week, month and year are to date (through the period's last day)",
    "against the same number of days of the previous week, month and year.",
    `Generated ${new Date(data.generatedAt).toISOString()}.`,
  );
  return `${lines.join("\n")}\n`;
}
